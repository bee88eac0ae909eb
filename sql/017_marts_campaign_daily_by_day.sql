-- marts.campaign_daily_by_day: the rows of marts.campaign_daily again, sorted by day first.
-- marts.campaign_daily is sorted by business user, so a date range over every business user reads
-- all of it; here the same range reads only the row groups of its days. The semantic layer reads
-- this copy when a query has a date range and no business-user scope.
CREATE TABLE marts.campaign_daily_by_day AS
SELECT campaign_id, business_user, project, day, spend, impressions, clicks, reach, leads,
       qualified_leads, deals, contacted_leads, status_changes, budget
FROM marts.campaign_daily
ORDER BY day, business_user, campaign_id;
COMMENT ON TABLE marts.campaign_daily_by_day IS 'Exactly the rows of marts.campaign_daily (campaign x day facts), sorted by day, business user and campaign so a date range across all business users skips the row groups of other days.';
