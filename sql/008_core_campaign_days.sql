-- core.campaign_days: the budget fact, one row per campaign per day it is scheduled to run.
CREATE VIEW core.campaign_days AS
SELECT
    c.campaign_id,
    c.business_user,
    c.project,
    CAST(d.day AS DATE)   AS day,
    c.daily_budget        AS budget
FROM core.campaigns AS c,
     LATERAL (SELECT unnest(generate_series(c.start_day, c.stop_day, INTERVAL 1 DAY)) AS day) AS d;
COMMENT ON VIEW core.campaign_days IS 'One row per campaign per scheduled day in [start_time, stop_time], carrying that day''s planned budget.';
