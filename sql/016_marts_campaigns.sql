-- marts.campaigns: core.campaigns materialized at ingest, sorted by business user and campaign, so
-- the campaign attributes of one business user (the dashboard's campaign table) are read from the
-- few row groups that hold them instead of the whole landing table.
CREATE TABLE marts.campaigns AS
SELECT campaign_id, business_user, project, daily_budget, start_time, stop_time, start_day, stop_day
FROM core.campaigns
ORDER BY business_user, campaign_id;
COMMENT ON TABLE marts.campaigns IS 'One row per campaign, exactly core.campaigns (business user, trimmed project, daily budget, planned run), materialized and sorted by business user and campaign for fast scoped reads.';
