-- marts.daily_trends: one row per day across all campaigns; each fact counted on its own date.
CREATE VIEW marts.daily_trends AS
SELECT
    day,
    sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks, sum(reach) AS reach,
    sum(leads) AS leads, sum(qualified_leads) AS qualified_leads, sum(deals) AS deals,
    sum(status_changes) AS status_changes, sum(budget) AS budget,
    sum(clicks) / nullif(sum(impressions), 0)   AS ctr,
    sum(spend) / nullif(sum(leads), 0)          AS cpl,
    sum(spend) / nullif(sum(budget), 0)         AS budget_utilization
FROM marts.campaign_daily
GROUP BY day
ORDER BY day;
COMMENT ON VIEW marts.daily_trends IS 'One row per day: spend, delivery, leads (by arrival day), status changes (by change day), planned budget and CTR/CPL/utilization as ratios of that day''s sums.';
