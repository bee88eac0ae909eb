-- core.campaigns: one row per campaign, with the trimmed project name that identifies a project.
CREATE VIEW core.campaigns AS
SELECT
    campaign_id,
    user_id                    AS business_user,
    trim(project_name)         AS project,
    daily_budget,
    start_time,
    stop_time,
    CAST(start_time AS DATE)   AS start_day,
    CAST(stop_time AS DATE)    AS stop_day
FROM raw.campaigns;
COMMENT ON VIEW core.campaigns IS 'One row per campaign: business user, trimmed project name, daily budget and planned run (start/stop).';
