-- Status → funnel stage. A table, so a later migration can move a status between stages.
CREATE TABLE core.status_stages (
    status       VARCHAR PRIMARY KEY,
    stage        VARCHAR NOT NULL,
    stage_order  INTEGER NOT NULL
);
COMMENT ON TABLE core.status_stages IS 'One row per known lead status: its funnel stage and the stage''s position in the funnel. Statuses not listed belong to stage other.';

INSERT INTO core.status_stages VALUES
    ('NEW_LEAD', 'new', 1),
    ('NO_ANSWER', 'working', 2), ('CALL_AGAIN', 'working', 2), ('FOLLOW_UP', 'working', 2),
    ('WHATSAPP', 'working', 2), ('SWITCHED_OFF', 'working', 2),
    ('QUALIFIED', 'qualified', 3), ('HIGH_INTEREST', 'qualified', 3), ('MEETING_DONE', 'qualified', 3),
    ('DONE_DEAL', 'won', 4),
    ('NOT_QUALIFIED', 'lost', 5), ('LOW_BUDGET', 'lost', 5), ('WRONG_NUMBER', 'lost', 5),
    ('SPAM', 'lost', 5), ('ALREADY_BOUGHT', 'lost', 5), ('RESALE_REQUEST', 'lost', 5),
    ('UNKNOWN', 'unknown', 6);
