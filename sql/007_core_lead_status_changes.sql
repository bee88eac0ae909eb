-- core.lead_status_changes: the status log, scoped through the lead's campaign.
CREATE VIEW core.lead_status_changes AS
SELECT
    x.lead_id,
    l.campaign_id,
    l.business_user,
    l.project,
    l.lead_status,
    x.status,
    coalesce(s.stage, 'other')       AS stage,
    x.changed_at,
    CAST(x.changed_at AS DATE)       AS changed_day
FROM raw.lead_status_changes AS x
JOIN core.leads AS l USING (lead_id)
LEFT JOIN core.status_stages AS s ON s.status = x.status;
COMMENT ON VIEW core.lead_status_changes IS 'One row per logged status change with the stage of the new status, the lead''s current status and its campaign''s business user and project.';
