-- Generated from semantic/catalog/ by `campaign-bi generate-sql`: do not edit; change the catalog and run it again.
-- core.status_stages: one row per known lead status with its funnel stage and the rules that read it;
-- core.stages: the funnel stages in order. A status not listed is in stage 'other' and counts as a contact.
CREATE TABLE core.status_stages AS
SELECT * FROM (VALUES
    ('NEW_LEAD', 'new', 1, FALSE, FALSE, FALSE, FALSE),
    ('NO_ANSWER', 'working', 2, FALSE, FALSE, TRUE, TRUE),
    ('CALL_AGAIN', 'working', 2, FALSE, FALSE, TRUE, TRUE),
    ('FOLLOW_UP', 'working', 2, FALSE, FALSE, TRUE, TRUE),
    ('WHATSAPP', 'working', 2, FALSE, FALSE, TRUE, TRUE),
    ('SWITCHED_OFF', 'working', 2, FALSE, FALSE, TRUE, TRUE),
    ('QUALIFIED', 'qualified', 3, TRUE, FALSE, TRUE, TRUE),
    ('HIGH_INTEREST', 'qualified', 3, TRUE, FALSE, TRUE, TRUE),
    ('MEETING_DONE', 'qualified', 3, TRUE, FALSE, TRUE, TRUE),
    ('DONE_DEAL', 'won', 4, TRUE, TRUE, TRUE, TRUE),
    ('NOT_QUALIFIED', 'lost', 5, FALSE, FALSE, TRUE, TRUE),
    ('LOW_BUDGET', 'lost', 5, FALSE, FALSE, TRUE, TRUE),
    ('WRONG_NUMBER', 'lost', 5, FALSE, FALSE, TRUE, TRUE),
    ('SPAM', 'lost', 5, FALSE, FALSE, TRUE, TRUE),
    ('ALREADY_BOUGHT', 'lost', 5, FALSE, FALSE, TRUE, TRUE),
    ('RESALE_REQUEST', 'lost', 5, FALSE, FALSE, TRUE, TRUE),
    ('UNKNOWN', 'unknown', 6, FALSE, FALSE, FALSE, TRUE)
) AS t(status, stage, stage_order, is_qualified, is_deal, is_contact, is_first_contact);
COMMENT ON TABLE core.status_stages IS 'One row per known lead status: its funnel stage and position, whether a lead now in it is qualified or a deal, and whether logging it counts as contacting the lead (is_contact) and as its first contact (is_first_contact). Statuses not listed are in stage other and count as both.';
CREATE TABLE core.stages AS
SELECT * FROM (VALUES
    ('new', 1, 'New', FALSE),
    ('working', 2, 'Working', FALSE),
    ('qualified', 3, 'Qualified', TRUE),
    ('won', 4, 'Won', TRUE),
    ('lost', 5, 'Lost', FALSE),
    ('unknown', 6, 'Unknown', FALSE),
    ('other', 7, 'Other', FALSE)
) AS t(stage, stage_order, label, is_qualified);
COMMENT ON TABLE core.stages IS 'The funnel stages in funnel order, with their labels and whether a lead in them is qualified.';
