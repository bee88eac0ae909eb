-- dialect: duckdb
WITH src_leads AS (
  SELECT
    CAST(DATE_TRUNC('MONTH', f.added_day) AS DATE) AS month,
    f.stage AS stage,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_contacted THEN 1 ELSE 0 END) AS contacted_leads
  FROM core.leads AS f
  GROUP BY
    1,
    2
), src_status_changes AS (
  SELECT
    CAST(DATE_TRUNC('MONTH', f.changed_day) AS DATE) AS month,
    lead.stage AS stage,
    COUNT(*) AS status_changes
  FROM core.lead_status_changes AS f
  LEFT JOIN core.leads AS lead
    ON f.lead_id = lead.lead_id
  GROUP BY
    1,
    2
), stacked AS (
  SELECT
    month,
    stage,
    leads,
    contacted_leads,
    0 AS status_changes
  FROM src_leads
  UNION ALL
  SELECT
    month,
    stage,
    0 AS leads,
    0 AS contacted_leads,
    status_changes
  FROM src_status_changes
)
SELECT
  stacked.month AS month,
  stacked.stage AS stage,
  CAST(SUM(stacked.leads) AS BIGINT) AS leads,
  CAST(SUM(stacked.status_changes) AS BIGINT) AS status_changes,
  CAST(SUM(stacked.contacted_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS contact_rate
FROM stacked
GROUP BY
  stacked.month,
  stacked.stage
ORDER BY
  month,
  stage;

-- dialect: postgres
WITH src_leads AS (
  SELECT
    CAST(DATE_TRUNC('MONTH', f.added_day) AS DATE) AS month,
    f.stage AS stage,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_contacted THEN 1 ELSE 0 END) AS contacted_leads
  FROM core.leads AS f
  GROUP BY
    1,
    2
), src_status_changes AS (
  SELECT
    CAST(DATE_TRUNC('MONTH', f.changed_day) AS DATE) AS month,
    lead.stage AS stage,
    COUNT(*) AS status_changes
  FROM core.lead_status_changes AS f
  LEFT JOIN core.leads AS lead
    ON f.lead_id = lead.lead_id
  GROUP BY
    1,
    2
), stacked AS (
  SELECT
    month,
    stage,
    leads,
    contacted_leads,
    0 AS status_changes
  FROM src_leads
  UNION ALL
  SELECT
    month,
    stage,
    0 AS leads,
    0 AS contacted_leads,
    status_changes
  FROM src_status_changes
)
SELECT
  stacked.month AS month,
  stacked.stage AS stage,
  CAST(SUM(stacked.leads) AS BIGINT) AS leads,
  CAST(SUM(stacked.status_changes) AS BIGINT) AS status_changes,
  CAST(SUM(stacked.contacted_leads) AS DOUBLE PRECISION) / NULLIF(SUM(stacked.leads), 0) AS contact_rate
FROM stacked
GROUP BY
  stacked.month,
  stacked.stage
ORDER BY
  month,
  stage;

-- dialect: spark
WITH src_leads AS (
  SELECT
    CAST(TRUNC(f.added_day, 'MONTH') AS DATE) AS month,
    f.stage AS stage,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_contacted THEN 1 ELSE 0 END) AS contacted_leads
  FROM core.leads AS f
  GROUP BY
    1,
    2
), src_status_changes AS (
  SELECT
    CAST(TRUNC(f.changed_day, 'MONTH') AS DATE) AS month,
    lead.stage AS stage,
    COUNT(*) AS status_changes
  FROM core.lead_status_changes AS f
  LEFT JOIN core.leads AS lead
    ON f.lead_id = lead.lead_id
  GROUP BY
    1,
    2
), stacked AS (
  SELECT
    month,
    stage,
    leads,
    contacted_leads,
    0 AS status_changes
  FROM src_leads
  UNION ALL
  SELECT
    month,
    stage,
    0 AS leads,
    0 AS contacted_leads,
    status_changes
  FROM src_status_changes
)
SELECT
  stacked.month AS month,
  stacked.stage AS stage,
  CAST(SUM(stacked.leads) AS BIGINT) AS leads,
  CAST(SUM(stacked.status_changes) AS BIGINT) AS status_changes,
  CAST(SUM(stacked.contacted_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS contact_rate
FROM stacked
GROUP BY
  stacked.month,
  stacked.stage
ORDER BY
  month NULLS LAST,
  stage NULLS LAST;

-- dialect: bigquery
WITH src_leads AS (
  SELECT
    CAST(DATE_TRUNC(f.added_day, MONTH) AS DATE) AS month,
    f.stage AS stage,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_contacted THEN 1 ELSE 0 END) AS contacted_leads
  FROM core.leads AS f
  GROUP BY
    1,
    2
), src_status_changes AS (
  SELECT
    CAST(DATE_TRUNC(f.changed_day, MONTH) AS DATE) AS month,
    lead.stage AS stage,
    COUNT(*) AS status_changes
  FROM core.lead_status_changes AS f
  LEFT JOIN core.leads AS lead
    ON f.lead_id = lead.lead_id
  GROUP BY
    1,
    2
), stacked AS (
  SELECT
    month,
    stage,
    leads,
    contacted_leads,
    0 AS status_changes
  FROM src_leads
  UNION ALL
  SELECT
    month,
    stage,
    0 AS leads,
    0 AS contacted_leads,
    status_changes
  FROM src_status_changes
)
SELECT
  stacked.month AS month,
  stacked.stage AS stage,
  CAST(SUM(stacked.leads) AS INT64) AS leads,
  CAST(SUM(stacked.status_changes) AS INT64) AS status_changes,
  CAST(SUM(stacked.contacted_leads) AS FLOAT64) / NULLIF(SUM(stacked.leads), 0) AS contact_rate
FROM stacked
GROUP BY
  month,
  stage
ORDER BY
  month NULLS LAST,
  stage NULLS LAST;

-- dialect: snowflake
WITH src_leads AS (
  SELECT
    CAST(DATE_TRUNC('MONTH', f.added_day) AS DATE) AS month,
    f.stage AS stage,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_contacted THEN 1 ELSE 0 END) AS contacted_leads
  FROM core.leads AS f
  GROUP BY
    1,
    2
), src_status_changes AS (
  SELECT
    CAST(DATE_TRUNC('MONTH', f.changed_day) AS DATE) AS month,
    lead.stage AS stage,
    COUNT(*) AS status_changes
  FROM core.lead_status_changes AS f
  LEFT JOIN core.leads AS lead
    ON f.lead_id = lead.lead_id
  GROUP BY
    1,
    2
), stacked AS (
  SELECT
    month,
    stage,
    leads,
    contacted_leads,
    0 AS status_changes
  FROM src_leads
  UNION ALL
  SELECT
    month,
    stage,
    0 AS leads,
    0 AS contacted_leads,
    status_changes
  FROM src_status_changes
)
SELECT
  stacked.month AS month,
  stacked.stage AS stage,
  CAST(SUM(stacked.leads) AS BIGINT) AS leads,
  CAST(SUM(stacked.status_changes) AS BIGINT) AS status_changes,
  CAST(SUM(stacked.contacted_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS contact_rate
FROM stacked
GROUP BY
  stacked.month,
  stacked.stage
ORDER BY
  month,
  stage;

-- dialect: trino
WITH src_leads AS (
  SELECT
    CAST(DATE_TRUNC('MONTH', f.added_day) AS DATE) AS month,
    f.stage AS stage,
    COUNT(*) AS leads,
    SUM(CASE WHEN f.is_contacted THEN 1 ELSE 0 END) AS contacted_leads
  FROM core.leads AS f
  GROUP BY
    1,
    2
), src_status_changes AS (
  SELECT
    CAST(DATE_TRUNC('MONTH', f.changed_day) AS DATE) AS month,
    lead.stage AS stage,
    COUNT(*) AS status_changes
  FROM core.lead_status_changes AS f
  LEFT JOIN core.leads AS lead
    ON f.lead_id = lead.lead_id
  GROUP BY
    1,
    2
), stacked AS (
  SELECT
    month,
    stage,
    leads,
    contacted_leads,
    0 AS status_changes
  FROM src_leads
  UNION ALL
  SELECT
    month,
    stage,
    0 AS leads,
    0 AS contacted_leads,
    status_changes
  FROM src_status_changes
)
SELECT
  stacked.month AS month,
  stacked.stage AS stage,
  CAST(SUM(stacked.leads) AS BIGINT) AS leads,
  CAST(SUM(stacked.status_changes) AS BIGINT) AS status_changes,
  CAST(SUM(stacked.contacted_leads) AS DOUBLE) / NULLIF(SUM(stacked.leads), 0) AS contact_rate
FROM stacked
GROUP BY
  stacked.month,
  stacked.stage
ORDER BY
  month,
  stage;
