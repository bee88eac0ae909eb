-- dialect: duckdb
SELECT
  f.project AS project,
  SUM(f.spend) AS spend,
  CAST(SUM(f.leads) AS BIGINT) AS leads,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.leads), 0) AS cpl
FROM marts.campaign_daily AS f
WHERE
  f.business_user = 199
  AND f.project = 'Kings Way'
  AND f.day >= CAST('2024-07-01' AS DATE)
  AND f.day <= CAST('2024-07-31' AS DATE)
  AND (
    f.facts & 3
  ) <> 0
GROUP BY
  1
ORDER BY
  project;

-- dialect: postgres
SELECT
  f.project AS project,
  SUM(f.spend) AS spend,
  CAST(SUM(f.leads) AS BIGINT) AS leads,
  CAST(SUM(f.spend) AS DOUBLE PRECISION) / NULLIF(SUM(f.leads), 0) AS cpl
FROM marts.campaign_daily AS f
WHERE
  f.business_user = 199
  AND f.project = 'Kings Way'
  AND f.day >= CAST('2024-07-01' AS DATE)
  AND f.day <= CAST('2024-07-31' AS DATE)
  AND (
    f.facts & 3
  ) <> 0
GROUP BY
  1
ORDER BY
  project;

-- dialect: spark
SELECT
  f.project AS project,
  SUM(f.spend) AS spend,
  CAST(SUM(f.leads) AS BIGINT) AS leads,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.leads), 0) AS cpl
FROM marts.campaign_daily AS f
WHERE
  f.business_user = 199
  AND f.project = 'Kings Way'
  AND f.day >= CAST('2024-07-01' AS DATE)
  AND f.day <= CAST('2024-07-31' AS DATE)
  AND (
    f.facts & 3
  ) <> 0
GROUP BY
  1
ORDER BY
  project NULLS LAST;

-- dialect: bigquery
SELECT
  f.project AS project,
  SUM(f.spend) AS spend,
  CAST(SUM(f.leads) AS INT64) AS leads,
  CAST(SUM(f.spend) AS FLOAT64) / NULLIF(SUM(f.leads), 0) AS cpl
FROM marts.campaign_daily AS f
WHERE
  f.business_user = 199
  AND f.project = 'Kings Way'
  AND f.day >= CAST('2024-07-01' AS DATE)
  AND f.day <= CAST('2024-07-31' AS DATE)
  AND (
    f.facts & 3
  ) <> 0
GROUP BY
  1
ORDER BY
  project NULLS LAST;

-- dialect: snowflake
SELECT
  f.project AS project,
  SUM(f.spend) AS spend,
  CAST(SUM(f.leads) AS BIGINT) AS leads,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.leads), 0) AS cpl
FROM marts.campaign_daily AS f
WHERE
  f.business_user = 199
  AND f.project = 'Kings Way'
  AND f.day >= CAST('2024-07-01' AS DATE)
  AND f.day <= CAST('2024-07-31' AS DATE)
  AND (
    BITAND(f.facts, 3)
  ) <> 0
GROUP BY
  1
ORDER BY
  project;

-- dialect: trino
SELECT
  f.project AS project,
  SUM(f.spend) AS spend,
  CAST(SUM(f.leads) AS BIGINT) AS leads,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.leads), 0) AS cpl
FROM marts.campaign_daily AS f
WHERE
  f.business_user = 199
  AND f.project = 'Kings Way'
  AND f.day >= CAST('2024-07-01' AS DATE)
  AND f.day <= CAST('2024-07-31' AS DATE)
  AND (
    BITWISE_AND(f.facts, 3)
  ) <> 0
GROUP BY
  1
ORDER BY
  project;
