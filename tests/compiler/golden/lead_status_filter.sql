-- dialect: duckdb
/* note: the lead_status filter restricts lead-based facts (leads, their outcomes, speed to lead, status changes) to leads whose current status is listed; delivery (spend, impressions, clicks, reach) and planned budget are not restricted by it */
WITH src_campaign_daily AS (
  SELECT
    f.campaign_id AS campaign,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    (
      f.facts & 1
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    f.campaign_id AS campaign,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_qualified THEN 1 ELSE 0 END) AS qualified_leads
  FROM core.leads AS f
  WHERE
    f.lead_status IN ('DONE_DEAL', 'QUALIFIED')
  GROUP BY
    1
), stacked AS (
  SELECT
    campaign,
    spend,
    0 AS leads,
    0 AS qualified_leads
  FROM src_campaign_daily
  UNION ALL
  SELECT
    campaign,
    0 AS spend,
    leads,
    qualified_leads
  FROM src_leads
)
SELECT
  stacked.campaign AS campaign,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.leads) AS BIGINT) AS leads,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  CAST(SUM(stacked.qualified_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS qualification_rate
FROM stacked
GROUP BY
  stacked.campaign
ORDER BY
  campaign;

-- dialect: postgres
/* note: the lead_status filter restricts lead-based facts (leads, their outcomes, speed to lead, status changes) to leads whose current status is listed; delivery (spend, impressions, clicks, reach) and planned budget are not restricted by it */
WITH src_campaign_daily AS (
  SELECT
    f.campaign_id AS campaign,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    (
      f.facts & 1
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    f.campaign_id AS campaign,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_qualified THEN 1 ELSE 0 END) AS qualified_leads
  FROM core.leads AS f
  WHERE
    f.lead_status IN ('DONE_DEAL', 'QUALIFIED')
  GROUP BY
    1
), stacked AS (
  SELECT
    campaign,
    spend,
    0 AS leads,
    0 AS qualified_leads
  FROM src_campaign_daily
  UNION ALL
  SELECT
    campaign,
    0 AS spend,
    leads,
    qualified_leads
  FROM src_leads
)
SELECT
  stacked.campaign AS campaign,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.leads) AS BIGINT) AS leads,
  CAST(SUM(stacked.spend) AS DOUBLE PRECISION) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  CAST(SUM(stacked.qualified_leads) AS DOUBLE PRECISION) / NULLIF(SUM(stacked.leads), 0) AS qualification_rate
FROM stacked
GROUP BY
  stacked.campaign
ORDER BY
  campaign;

-- dialect: spark
/* note: the lead_status filter restricts lead-based facts (leads, their outcomes, speed to lead, status changes) to leads whose current status is listed; delivery (spend, impressions, clicks, reach) and planned budget are not restricted by it */
WITH src_campaign_daily AS (
  SELECT
    f.campaign_id AS campaign,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    (
      f.facts & 1
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    f.campaign_id AS campaign,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_qualified THEN 1 ELSE 0 END) AS qualified_leads
  FROM core.leads AS f
  WHERE
    f.lead_status IN ('DONE_DEAL', 'QUALIFIED')
  GROUP BY
    1
), stacked AS (
  SELECT
    campaign,
    spend,
    0 AS leads,
    0 AS qualified_leads
  FROM src_campaign_daily
  UNION ALL
  SELECT
    campaign,
    0 AS spend,
    leads,
    qualified_leads
  FROM src_leads
)
SELECT
  stacked.campaign AS campaign,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.leads) AS BIGINT) AS leads,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  CAST(SUM(stacked.qualified_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS qualification_rate
FROM stacked
GROUP BY
  stacked.campaign
ORDER BY
  campaign NULLS LAST;

-- dialect: bigquery
/* note: the lead_status filter restricts lead-based facts (leads, their outcomes, speed to lead, status changes) to leads whose current status is listed; delivery (spend, impressions, clicks, reach) and planned budget are not restricted by it */
WITH src_campaign_daily AS (
  SELECT
    f.campaign_id AS campaign,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    (
      f.facts & 1
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    f.campaign_id AS campaign,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_qualified THEN 1 ELSE 0 END) AS qualified_leads
  FROM core.leads AS f
  WHERE
    f.lead_status IN ('DONE_DEAL', 'QUALIFIED')
  GROUP BY
    1
), stacked AS (
  SELECT
    campaign,
    spend,
    0 AS leads,
    0 AS qualified_leads
  FROM src_campaign_daily
  UNION ALL
  SELECT
    campaign,
    0 AS spend,
    leads,
    qualified_leads
  FROM src_leads
)
SELECT
  stacked.campaign AS campaign,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.leads) AS INT64) AS leads,
  CAST(SUM(stacked.spend) AS FLOAT64) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  CAST(SUM(stacked.qualified_leads) AS FLOAT64) / NULLIF(SUM(stacked.leads), 0) AS qualification_rate
FROM stacked
GROUP BY
  campaign
ORDER BY
  campaign NULLS LAST;

-- dialect: snowflake
/* note: the lead_status filter restricts lead-based facts (leads, their outcomes, speed to lead, status changes) to leads whose current status is listed; delivery (spend, impressions, clicks, reach) and planned budget are not restricted by it */
WITH src_campaign_daily AS (
  SELECT
    f.campaign_id AS campaign,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    (
      BITAND(f.facts, 1)
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    f.campaign_id AS campaign,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_qualified THEN 1 ELSE 0 END) AS qualified_leads
  FROM core.leads AS f
  WHERE
    f.lead_status IN ('DONE_DEAL', 'QUALIFIED')
  GROUP BY
    1
), stacked AS (
  SELECT
    campaign,
    spend,
    0 AS leads,
    0 AS qualified_leads
  FROM src_campaign_daily
  UNION ALL
  SELECT
    campaign,
    0 AS spend,
    leads,
    qualified_leads
  FROM src_leads
)
SELECT
  stacked.campaign AS campaign,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.leads) AS BIGINT) AS leads,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  CAST(SUM(stacked.qualified_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS qualification_rate
FROM stacked
GROUP BY
  stacked.campaign
ORDER BY
  campaign;

-- dialect: trino
/* note: the lead_status filter restricts lead-based facts (leads, their outcomes, speed to lead, status changes) to leads whose current status is listed; delivery (spend, impressions, clicks, reach) and planned budget are not restricted by it */
WITH src_campaign_daily AS (
  SELECT
    f.campaign_id AS campaign,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    (
      BITWISE_AND(f.facts, 1)
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    f.campaign_id AS campaign,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_qualified THEN 1 ELSE 0 END) AS qualified_leads
  FROM core.leads AS f
  WHERE
    f.lead_status IN ('DONE_DEAL', 'QUALIFIED')
  GROUP BY
    1
), stacked AS (
  SELECT
    campaign,
    spend,
    0 AS leads,
    0 AS qualified_leads
  FROM src_campaign_daily
  UNION ALL
  SELECT
    campaign,
    0 AS spend,
    leads,
    qualified_leads
  FROM src_leads
)
SELECT
  stacked.campaign AS campaign,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.leads) AS BIGINT) AS leads,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  CAST(SUM(stacked.qualified_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS qualification_rate
FROM stacked
GROUP BY
  stacked.campaign
ORDER BY
  campaign;
