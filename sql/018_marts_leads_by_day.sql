-- marts.leads_by_day: the analytic columns of core.leads (no personal data), sorted by arrival day.
-- core.leads is sorted by business user, so a date range over every business user reads all of it;
-- here the same range reads only the row groups of its days. The semantic layer reads this copy
-- for lead facts when a query has a date range and no business-user scope. The lead id lets a
-- daily append replace the rows of the leads it changes (semantic/ingest/append.py).
CREATE TABLE marts.leads_by_day AS
SELECT lead_id, campaign_id, business_user, project, lead_status, stage, added_day, lead_hour,
       lead_weekday, is_qualified, is_deal, is_contacted, hours_to_first_contact
FROM core.leads
ORDER BY added_day, business_user, campaign_id;
COMMENT ON TABLE marts.leads_by_day IS 'One row per lead, exactly the analytic columns of core.leads (lead id, campaign, business user, project, current status and stage, arrival day/hour/weekday, qualified/deal/contacted flags, hours to first contact) without personal data, sorted by arrival day.';
