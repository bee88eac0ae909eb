-- dialect: duckdb
WITH src_campaign_daily AS (
  SELECT
    CAST(DATE_TRUNC('WEEK', f.day) AS DATE) AS week,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    f.business_user = 7 AND (
      f.facts & 1
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    CAST(DATE_TRUNC('WEEK', f.added_day) AS DATE) AS week,
    COUNT(*) AS leads,
    MEDIAN(f.hours_to_first_contact) AS speed_to_lead_hours
  FROM core.leads AS f
  WHERE
    f.business_user = 7
  GROUP BY
    1
), stacked AS (
  SELECT
    week,
    spend,
    0 AS leads,
    NULL AS speed_to_lead_hours
  FROM src_campaign_daily
  UNION ALL
  SELECT
    week,
    0 AS spend,
    leads,
    speed_to_lead_hours
  FROM src_leads
)
SELECT
  stacked.week AS week,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  MAX(stacked.speed_to_lead_hours) AS speed_to_lead_hours
FROM stacked
GROUP BY
  stacked.week
ORDER BY
  week;

-- dialect: postgres
WITH src_campaign_daily AS (
  SELECT
    CAST(DATE_TRUNC('WEEK', f.day) AS DATE) AS week,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    f.business_user = 7 AND (
      f.facts & 1
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    CAST(DATE_TRUNC('WEEK', f.added_day) AS DATE) AS week,
    COUNT(*) AS leads,
    PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY
      f.hours_to_first_contact) AS speed_to_lead_hours
  FROM core.leads AS f
  WHERE
    f.business_user = 7
  GROUP BY
    1
), stacked AS (
  SELECT
    week,
    spend,
    0 AS leads,
    NULL AS speed_to_lead_hours
  FROM src_campaign_daily
  UNION ALL
  SELECT
    week,
    0 AS spend,
    leads,
    speed_to_lead_hours
  FROM src_leads
)
SELECT
  stacked.week AS week,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.spend) AS DOUBLE PRECISION) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  MAX(stacked.speed_to_lead_hours) AS speed_to_lead_hours
FROM stacked
GROUP BY
  stacked.week
ORDER BY
  week;

-- dialect: spark
WITH src_campaign_daily AS (
  SELECT
    CAST(TRUNC(f.day, 'WEEK') AS DATE) AS week,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    f.business_user = 7 AND (
      f.facts & 1
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    CAST(TRUNC(f.added_day, 'WEEK') AS DATE) AS week,
    COUNT(*) AS leads,
    MEDIAN(f.hours_to_first_contact) AS speed_to_lead_hours
  FROM core.leads AS f
  WHERE
    f.business_user = 7
  GROUP BY
    1
), stacked AS (
  SELECT
    week,
    spend,
    0 AS leads,
    NULL AS speed_to_lead_hours
  FROM src_campaign_daily
  UNION ALL
  SELECT
    week,
    0 AS spend,
    leads,
    speed_to_lead_hours
  FROM src_leads
)
SELECT
  stacked.week AS week,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  MAX(stacked.speed_to_lead_hours) AS speed_to_lead_hours
FROM stacked
GROUP BY
  stacked.week
ORDER BY
  week NULLS LAST;

-- dialect: bigquery
WITH src_campaign_daily AS (
  SELECT
    CAST(DATE_TRUNC(f.day, WEEK(MONDAY)) AS DATE) AS week,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    f.business_user = 7 AND (
      f.facts & 1
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    CAST(DATE_TRUNC(f.added_day, WEEK(MONDAY)) AS DATE) AS week,
    COUNT(*) AS leads,
    MEDIAN(f.hours_to_first_contact) AS speed_to_lead_hours
  FROM core.leads AS f
  WHERE
    f.business_user = 7
  GROUP BY
    1
), stacked AS (
  SELECT
    week,
    spend,
    0 AS leads,
    NULL AS speed_to_lead_hours
  FROM src_campaign_daily
  UNION ALL
  SELECT
    week,
    0 AS spend,
    leads,
    speed_to_lead_hours
  FROM src_leads
)
SELECT
  stacked.week AS week,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.spend) AS FLOAT64) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  MAX(stacked.speed_to_lead_hours) AS speed_to_lead_hours
FROM stacked
GROUP BY
  week
ORDER BY
  week NULLS LAST;

-- dialect: snowflake
WITH src_campaign_daily AS (
  SELECT
    CAST(DATE_TRUNC('WEEK', f.day) AS DATE) AS week,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    f.business_user = 7 AND (
      BITAND(f.facts, 1)
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    CAST(DATE_TRUNC('WEEK', f.added_day) AS DATE) AS week,
    COUNT(*) AS leads,
    MEDIAN(f.hours_to_first_contact) AS speed_to_lead_hours
  FROM core.leads AS f
  WHERE
    f.business_user = 7
  GROUP BY
    1
), stacked AS (
  SELECT
    week,
    spend,
    0 AS leads,
    NULL AS speed_to_lead_hours
  FROM src_campaign_daily
  UNION ALL
  SELECT
    week,
    0 AS spend,
    leads,
    speed_to_lead_hours
  FROM src_leads
)
SELECT
  stacked.week AS week,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  MAX(stacked.speed_to_lead_hours) AS speed_to_lead_hours
FROM stacked
GROUP BY
  stacked.week
ORDER BY
  week;

-- dialect: trino
WITH src_campaign_daily AS (
  SELECT
    CAST(DATE_TRUNC('WEEK', f.day) AS DATE) AS week,
    SUM(f.spend) AS spend
  FROM marts.campaign_daily AS f
  WHERE
    f.business_user = 7 AND (
      BITWISE_AND(f.facts, 1)
    ) <> 0
  GROUP BY
    1
), src_leads AS (
  SELECT
    CAST(DATE_TRUNC('WEEK', f.added_day) AS DATE) AS week,
    COUNT(*) AS leads,
    PERCENTILE_CONT(f.hours_to_first_contact, 0.5) AS speed_to_lead_hours
  FROM core.leads AS f
  WHERE
    f.business_user = 7
  GROUP BY
    1
), stacked AS (
  SELECT
    week,
    spend,
    0 AS leads,
    NULL AS speed_to_lead_hours
  FROM src_campaign_daily
  UNION ALL
  SELECT
    week,
    0 AS spend,
    leads,
    speed_to_lead_hours
  FROM src_leads
)
SELECT
  stacked.week AS week,
  SUM(stacked.spend) AS spend,
  CAST(SUM(stacked.spend) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS cpl,
  MAX(stacked.speed_to_lead_hours) AS speed_to_lead_hours
FROM stacked
GROUP BY
  stacked.week
ORDER BY
  week;
