-- marts.project_segments: one row per (trimmed) project.
CREATE VIEW marts.project_segments AS
SELECT
    project,
    count(DISTINCT campaign_id)                          AS campaigns,
    count(DISTINCT business_user)                        AS business_users,
    sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks,
    sum(leads) AS leads, sum(qualified_leads) AS qualified_leads, sum(deals) AS deals,
    sum(clicks) / nullif(sum(impressions), 0)            AS ctr,
    sum(spend) / nullif(sum(leads), 0)                   AS cpl,
    sum(spend) / nullif(sum(qualified_leads), 0)         AS cost_per_qualified_lead,
    sum(qualified_leads) / nullif(sum(leads), 0)         AS qualification_rate
FROM marts.campaign_daily
GROUP BY project
ORDER BY spend DESC NULLS LAST, project;
COMMENT ON VIEW marts.project_segments IS 'One row per project (trimmed name): campaigns, business users, spend, delivery, leads, qualified, deals and CTR/CPL/cost per qualified lead as ratios of the project''s sums.';
