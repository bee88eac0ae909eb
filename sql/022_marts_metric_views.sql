-- Generated from semantic/catalog/ by `campaign-bi generate-sql`: do not edit; change the catalog and run it again.
-- The metric views for direct SQL users: the compiler's queries, so every formula is the catalog's.
CREATE OR REPLACE VIEW marts.kpis AS
WITH src_campaign_daily AS (
  SELECT
    SUM(f.spend) AS spend,
    SUM(f.impressions) AS impressions,
    SUM(f.clicks) AS clicks,
    SUM(f.reach) AS reach,
    SUM(f.status_changes) AS status_changes,
    SUM(f.budget) AS budget
  FROM marts.campaign_daily AS f
), src_leads AS (
  SELECT
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_qualified THEN 1 ELSE 0 END) AS qualified_leads,
    SUM(CASE WHEN f.is_deal THEN 1 ELSE 0 END) AS deals,
    SUM(CASE WHEN f.is_contacted THEN 1 ELSE 0 END) AS contacted_leads,
    MEDIAN(f.hours_to_first_contact) AS speed_to_lead_hours
  FROM core.leads AS f
), stacked AS (
  SELECT
    spend,
    impressions,
    clicks,
    reach,
    status_changes,
    budget,
    0 AS leads,
    0 AS qualified_leads,
    0 AS deals,
    0 AS contacted_leads,
    NULL AS speed_to_lead_hours
  FROM src_campaign_daily
  UNION ALL
  SELECT
    0 AS spend,
    0 AS impressions,
    0 AS clicks,
    0 AS reach,
    0 AS status_changes,
    0 AS budget,
    leads,
    qualified_leads,
    deals,
    contacted_leads,
    speed_to_lead_hours
  FROM src_leads
)
SELECT
  COALESCE(SUM(stacked.spend), 0) AS spend,
  CAST(COALESCE(SUM(stacked.impressions), 0) AS BIGINT) AS impressions,
  CAST(COALESCE(SUM(stacked.clicks), 0) AS BIGINT) AS clicks,
  CAST(COALESCE(SUM(stacked.reach), 0) AS BIGINT) AS reach,
  CAST(SUM(stacked.impressions) AS DOUBLE) / NULLIF(SUM(stacked.reach), 0) AS frequency,
  CAST(SUM(stacked.clicks) AS DOUBLE) / NULLIF(SUM(stacked.impressions), 0) AS ctr,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.clicks), 0) AS cpc,
  CAST(1000 * SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.impressions), 0) AS cpm,
  CAST(COALESCE(SUM(stacked.leads), 0) AS BIGINT) AS leads,
  CAST(SUM(stacked.leads) AS DOUBLE) / NULLIF(SUM(stacked.clicks), 0) AS click_to_lead_rate,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  CAST(COALESCE(SUM(stacked.qualified_leads), 0) AS BIGINT) AS qualified_leads,
  CAST(SUM(stacked.qualified_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS qualification_rate,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.qualified_leads), 0) AS cost_per_qualified_lead,
  CAST(COALESCE(SUM(stacked.deals), 0) AS BIGINT) AS deals,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.deals), 0) AS cost_per_deal,
  CAST(COALESCE(SUM(stacked.contacted_leads), 0) AS BIGINT) AS contacted_leads,
  CAST(SUM(stacked.contacted_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS contact_rate,
  MAX(stacked.speed_to_lead_hours) AS speed_to_lead_hours,
  CAST(COALESCE(SUM(stacked.status_changes), 0) AS BIGINT) AS status_changes,
  COALESCE(SUM(stacked.budget), 0) AS budget,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.budget), 0) AS budget_utilization
FROM stacked;
COMMENT ON VIEW marts.kpis IS 'One row, all time: every metric of METRICS.md (reach is the sum of daily reach). Ratios are ratios of sums, NULL on a zero denominator. Generated from the catalog.';
CREATE OR REPLACE VIEW marts.campaign_metrics AS
SELECT
  c.campaign_id,
  c.business_user,
  c.project,
  c.start_time,
  c.stop_time,
  c.daily_budget,
  CASE WHEN NOT k.campaign_id IS NULL THEN COALESCE(m.spend, 0) END AS spend,
  CASE WHEN NOT k.campaign_id IS NULL THEN COALESCE(m.impressions, 0) END AS impressions,
  CASE WHEN NOT k.campaign_id IS NULL THEN COALESCE(m.clicks, 0) END AS clicks,
  CASE WHEN NOT k.campaign_id IS NULL THEN COALESCE(m.reach, 0) END AS reach,
  m.frequency AS frequency,
  m.ctr AS ctr,
  m.cpc AS cpc,
  m.cpm AS cpm,
  CASE WHEN NOT k.campaign_id IS NULL THEN COALESCE(m.leads, 0) END AS leads,
  m.click_to_lead_rate AS click_to_lead_rate,
  m.cpl AS cpl,
  CASE WHEN NOT k.campaign_id IS NULL THEN COALESCE(m.qualified_leads, 0) END AS qualified_leads,
  m.qualification_rate AS qualification_rate,
  m.cost_per_qualified_lead AS cost_per_qualified_lead,
  CASE WHEN NOT k.campaign_id IS NULL THEN COALESCE(m.deals, 0) END AS deals,
  CASE WHEN NOT k.campaign_id IS NULL THEN COALESCE(m.contacted_leads, 0) END AS contacted_leads,
  m.contact_rate AS contact_rate,
  m.speed_to_lead_hours AS speed_to_lead_hours,
  CASE WHEN NOT k.campaign_id IS NULL THEN COALESCE(m.status_changes, 0) END AS status_changes,
  CASE WHEN NOT k.campaign_id IS NULL THEN COALESCE(m.budget, 0) END AS budget,
  m.budget_utilization AS budget_utilization
FROM core.campaigns AS c
LEFT JOIN (
  SELECT
    d.campaign_id
  FROM marts.campaign_daily AS d
  GROUP BY
    d.campaign_id
) AS k
  ON k.campaign_id = c.campaign_id
LEFT JOIN (
  WITH src_campaign_daily AS (
    SELECT
      f.campaign_id AS campaign,
      SUM(f.spend) AS spend,
      SUM(f.impressions) AS impressions,
      SUM(f.clicks) AS clicks,
      SUM(f.reach) AS reach,
      SUM(f.status_changes) AS status_changes,
      SUM(f.budget) AS budget
    FROM marts.campaign_daily AS f
    WHERE
      (
        f.facts & 13
      ) <> 0
    GROUP BY
      1
  ), src_leads AS (
    SELECT
      f.campaign_id AS campaign,
      COUNT(*) AS leads,
      SUM(CASE WHEN f.is_qualified THEN 1 ELSE 0 END) AS qualified_leads,
      SUM(CASE WHEN f.is_deal THEN 1 ELSE 0 END) AS deals,
      SUM(CASE WHEN f.is_contacted THEN 1 ELSE 0 END) AS contacted_leads,
      MEDIAN(f.hours_to_first_contact) AS speed_to_lead_hours
    FROM core.leads AS f
    GROUP BY
      1
  ), stacked AS (
    SELECT
      campaign,
      spend,
      impressions,
      clicks,
      reach,
      status_changes,
      budget,
      0 AS leads,
      0 AS qualified_leads,
      0 AS deals,
      0 AS contacted_leads,
      NULL AS speed_to_lead_hours
    FROM src_campaign_daily
    UNION ALL
    SELECT
      campaign,
      0 AS spend,
      0 AS impressions,
      0 AS clicks,
      0 AS reach,
      0 AS status_changes,
      0 AS budget,
      leads,
      qualified_leads,
      deals,
      contacted_leads,
      speed_to_lead_hours
    FROM src_leads
  )
  SELECT
    stacked.campaign AS campaign,
    SUM(stacked.spend) AS spend,
    CAST(SUM(stacked.impressions) AS BIGINT) AS impressions,
    CAST(SUM(stacked.clicks) AS BIGINT) AS clicks,
    CAST(SUM(stacked.reach) AS BIGINT) AS reach,
    CAST(SUM(stacked.impressions) AS DOUBLE) / NULLIF(SUM(stacked.reach), 0) AS frequency,
    CAST(SUM(stacked.clicks) AS DOUBLE) / NULLIF(SUM(stacked.impressions), 0) AS ctr,
    CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.clicks), 0) AS cpc,
    CAST(1000 * SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.impressions), 0) AS cpm,
    CAST(SUM(stacked.leads) AS BIGINT) AS leads,
    CAST(SUM(stacked.leads) AS DOUBLE) / NULLIF(SUM(stacked.clicks), 0) AS click_to_lead_rate,
    CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS cpl,
    CAST(SUM(stacked.qualified_leads) AS BIGINT) AS qualified_leads,
    CAST(SUM(stacked.qualified_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS qualification_rate,
    CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.qualified_leads), 0) AS cost_per_qualified_lead,
    CAST(SUM(stacked.deals) AS BIGINT) AS deals,
    CAST(SUM(stacked.contacted_leads) AS BIGINT) AS contacted_leads,
    CAST(SUM(stacked.contacted_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS contact_rate,
    MAX(stacked.speed_to_lead_hours) AS speed_to_lead_hours,
    CAST(SUM(stacked.status_changes) AS BIGINT) AS status_changes,
    SUM(stacked.budget) AS budget,
    CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.budget), 0) AS budget_utilization
  FROM stacked
  GROUP BY
    stacked.campaign
  ORDER BY
    campaign
) AS m
  ON m.campaign = k.campaign_id;
COMMENT ON VIEW marts.campaign_metrics IS 'One row per campaign (NULL metrics where it has no campaign x day row): attributes, delivery (reach is the sum of daily), leads, qualified, deals, contacted, median hours to first contact, planned budget and ratios of sums. Generated from the catalog.';
CREATE OR REPLACE VIEW marts.daily_trends AS
SELECT
  k.day,
  COALESCE(m.spend, 0) AS spend,
  COALESCE(m.impressions, 0) AS impressions,
  COALESCE(m.clicks, 0) AS clicks,
  COALESCE(m.reach, 0) AS reach,
  COALESCE(m.leads, 0) AS leads,
  COALESCE(m.qualified_leads, 0) AS qualified_leads,
  COALESCE(m.deals, 0) AS deals,
  COALESCE(m.status_changes, 0) AS status_changes,
  COALESCE(m.budget, 0) AS budget,
  m.ctr AS ctr,
  m.cpl AS cpl,
  m.budget_utilization AS budget_utilization
FROM (
  SELECT
    d.day
  FROM marts.campaign_daily AS d
  GROUP BY
    d.day
) AS k
LEFT JOIN (
  SELECT
    f.day AS day,
    SUM(f.spend) AS spend,
    CAST(SUM(f.impressions) AS BIGINT) AS impressions,
    CAST(SUM(f.clicks) AS BIGINT) AS clicks,
    CAST(SUM(f.reach) AS BIGINT) AS reach,
    CAST(SUM(f.leads) AS BIGINT) AS leads,
    CAST(SUM(f.qualified_leads) AS BIGINT) AS qualified_leads,
    CAST(SUM(f.deals) AS BIGINT) AS deals,
    CAST(SUM(f.status_changes) AS BIGINT) AS status_changes,
    SUM(f.budget) AS budget,
    CAST(SUM(f.clicks) AS DOUBLE) / NULLIF(SUM(f.impressions), 0) AS ctr,
    CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.leads), 0) AS cpl,
    CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.budget), 0) AS budget_utilization
  FROM marts.campaign_daily AS f
  GROUP BY
    1
  ORDER BY
    day
) AS m
  ON m.day = k.day
ORDER BY
  k.day;
COMMENT ON VIEW marts.daily_trends IS 'One row per day: spend, delivery, leads (by arrival day), status changes (by change day), planned budget and CTR/CPL/utilization as ratios of that day''s sums. Generated from the catalog.';
CREATE OR REPLACE VIEW marts.project_segments AS
SELECT
  k.project,
  k.campaigns,
  k.business_users,
  COALESCE(m.spend, 0) AS spend,
  COALESCE(m.impressions, 0) AS impressions,
  COALESCE(m.clicks, 0) AS clicks,
  COALESCE(m.leads, 0) AS leads,
  COALESCE(m.qualified_leads, 0) AS qualified_leads,
  COALESCE(m.deals, 0) AS deals,
  m.ctr AS ctr,
  m.cpl AS cpl,
  m.cost_per_qualified_lead AS cost_per_qualified_lead,
  m.qualification_rate AS qualification_rate
FROM (
  SELECT
    d.project,
    COUNT(DISTINCT d.campaign_id) AS campaigns,
    COUNT(DISTINCT d.business_user) AS business_users
  FROM marts.campaign_daily AS d
  GROUP BY
    d.project
) AS k
LEFT JOIN (
  SELECT
    f.project AS project,
    SUM(f.spend) AS spend,
    CAST(SUM(f.impressions) AS BIGINT) AS impressions,
    CAST(SUM(f.clicks) AS BIGINT) AS clicks,
    CAST(SUM(f.leads) AS BIGINT) AS leads,
    CAST(SUM(f.qualified_leads) AS BIGINT) AS qualified_leads,
    CAST(SUM(f.deals) AS BIGINT) AS deals,
    CAST(SUM(f.clicks) AS DOUBLE) / NULLIF(SUM(f.impressions), 0) AS ctr,
    CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.leads), 0) AS cpl,
    CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.qualified_leads), 0) AS cost_per_qualified_lead,
    CAST(SUM(f.qualified_leads) AS DOUBLE) / NULLIF(SUM(f.leads), 0) AS qualification_rate
  FROM marts.campaign_daily AS f
  WHERE
    (
      f.facts & 3
    ) <> 0
  GROUP BY
    1
  ORDER BY
    project
) AS m
  ON m.project = k.project
ORDER BY
  spend DESC,
  k.project;
COMMENT ON VIEW marts.project_segments IS 'One row per project (trimmed name): campaigns, business users, spend, delivery, leads, qualified, deals and CTR/CPL/cost per qualified lead as ratios of the project''s sums. Generated from the catalog.';
