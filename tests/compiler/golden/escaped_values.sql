-- dialect: duckdb
SELECT
  f.day AS day,
  SUM(f.spend) AS spend
FROM marts.campaign_daily AS f
WHERE
  f.project IN ('O''Brien; DROP TABLE x; --', 'back\slash')
  AND (
    f.facts & 1
  ) <> 0
GROUP BY
  1
ORDER BY
  day;

-- dialect: postgres
SELECT
  f.day AS day,
  SUM(f.spend) AS spend
FROM marts.campaign_daily AS f
WHERE
  f.project IN ('O''Brien; DROP TABLE x; --', 'back\slash')
  AND (
    f.facts & 1
  ) <> 0
GROUP BY
  1
ORDER BY
  day;

-- dialect: spark
SELECT
  f.day AS day,
  SUM(f.spend) AS spend
FROM marts.campaign_daily AS f
WHERE
  f.project IN ('O\'Brien; DROP TABLE x; --', 'back\\slash')
  AND (
    f.facts & 1
  ) <> 0
GROUP BY
  1
ORDER BY
  day NULLS LAST;

-- dialect: bigquery
SELECT
  f.day AS day,
  SUM(f.spend) AS spend
FROM marts.campaign_daily AS f
WHERE
  f.project IN ('O\'Brien; DROP TABLE x; --', 'back\\slash')
  AND (
    f.facts & 1
  ) <> 0
GROUP BY
  1
ORDER BY
  day NULLS LAST;

-- dialect: snowflake
SELECT
  f.day AS day,
  SUM(f.spend) AS spend
FROM marts.campaign_daily AS f
WHERE
  f.project IN ('O\'Brien; DROP TABLE x; --', 'back\\slash')
  AND (
    BITAND(f.facts, 1)
  ) <> 0
GROUP BY
  1
ORDER BY
  day;

-- dialect: trino
SELECT
  f.day AS day,
  SUM(f.spend) AS spend
FROM marts.campaign_daily AS f
WHERE
  f.project IN ('O''Brien; DROP TABLE x; --', 'back\slash')
  AND (
    BITWISE_AND(f.facts, 1)
  ) <> 0
GROUP BY
  1
ORDER BY
  day;
