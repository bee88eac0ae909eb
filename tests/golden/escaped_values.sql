-- dialect: duckdb
SELECT
  f.day AS day,
  SUM(f.spend) AS spend
FROM marts.campaign_daily AS f
WHERE
  f.project IN ('O''Brien; DROP TABLE x; --', 'back\slash')
  AND (
    f.spend <> 0 OR f.impressions <> 0 OR f.clicks <> 0 OR f.reach <> 0
  )
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
    f.spend <> 0 OR f.impressions <> 0 OR f.clicks <> 0 OR f.reach <> 0
  )
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
    f.spend <> 0 OR f.impressions <> 0 OR f.clicks <> 0 OR f.reach <> 0
  )
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
    f.spend <> 0 OR f.impressions <> 0 OR f.clicks <> 0 OR f.reach <> 0
  )
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
    f.spend <> 0 OR f.impressions <> 0 OR f.clicks <> 0 OR f.reach <> 0
  )
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
    f.spend <> 0 OR f.impressions <> 0 OR f.clicks <> 0 OR f.reach <> 0
  )
GROUP BY
  1
ORDER BY
  day;
