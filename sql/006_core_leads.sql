-- core.leads: one row per lead with its stage and first-contact facts from the status log.
-- Materialized at ingest and sorted by business user, campaign and arrival so filtered reads skip row groups.
CREATE TABLE core.leads AS
-- Which statuses count as qualified, a deal, a contact or a first contact: core.status_stages
-- (generated from the catalog); a status it does not list counts as a contact.
WITH log AS (
    SELECT
        x.lead_id,
        min(x.changed_at) FILTER (WHERE coalesce(r.is_first_contact, true))   AS first_contact_at,
        count(*) FILTER (WHERE coalesce(r.is_contact, true)) > 0               AS is_contacted,
        count(*)                                                               AS logged_changes
    FROM raw.lead_status_changes AS x
    LEFT JOIN core.status_stages AS r ON r.status = x.status
    GROUP BY x.lead_id
)
SELECT
    l.lead_id,
    l.campaign_id,
    c.business_user,
    c.project,
    l.name,
    l.email,
    l.phone,
    l.lead_status,
    coalesce(s.stage, 'other')                                  AS stage,
    l.added_at,
    CAST(l.added_at AS DATE)                                    AS added_day,
    CAST(hour(l.added_at) AS INTEGER)                           AS lead_hour,
    CAST(isodow(l.added_at) AS INTEGER)                         AS lead_weekday,
    coalesce(s.is_qualified, false)                             AS is_qualified,
    coalesce(s.is_deal, false)                                  AS is_deal,
    coalesce(g.is_contacted, false)                             AS is_contacted,
    g.first_contact_at,
    (epoch(g.first_contact_at) - epoch(l.added_at)) / 3600.0    AS hours_to_first_contact,
    coalesce(g.logged_changes, 0)                               AS logged_changes
FROM raw.leads AS l
JOIN core.campaigns AS c USING (campaign_id)
LEFT JOIN core.status_stages AS s ON s.status = l.lead_status
LEFT JOIN log AS g USING (lead_id)
ORDER BY c.business_user, l.campaign_id, l.added_at;
COMMENT ON TABLE core.leads IS 'One row per lead: campaign, business user, project, PII, current status and stage, arrival (day, hour, ISO weekday 1=Mon), qualified/deal/contacted flags and hours to first contact (first logged status that is one, by core.status_stages).';
