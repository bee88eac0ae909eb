-- dialect: duckdb
/* note: reach is the sum of daily reach per ad set: over several days or ad sets it over-counts people, and frequency is then an average of daily frequencies */
SELECT
  CAST(COALESCE(SUM(f.reach), 0) AS BIGINT) AS reach,
  CAST(SUM(f.impressions) AS DOUBLE) / NULLIF(SUM(f.reach), 0) AS frequency,
  CAST(SUM(f.clicks) AS DOUBLE) / NULLIF(SUM(f.impressions), 0) AS ctr,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.clicks), 0) AS cpc,
  CAST(1000 * SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.impressions), 0) AS cpm,
  COALESCE(SUM(f.budget), 0) AS budget,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.budget), 0) AS budget_utilization
FROM marts.campaign_daily AS f;

-- dialect: postgres
/* note: reach is the sum of daily reach per ad set: over several days or ad sets it over-counts people, and frequency is then an average of daily frequencies */
SELECT
  CAST(COALESCE(SUM(f.reach), 0) AS BIGINT) AS reach,
  CAST(SUM(f.impressions) AS DOUBLE PRECISION) / NULLIF(SUM(f.reach), 0) AS frequency,
  CAST(SUM(f.clicks) AS DOUBLE PRECISION) / NULLIF(SUM(f.impressions), 0) AS ctr,
  CAST(SUM(f.spend) AS DOUBLE PRECISION) / NULLIF(SUM(f.clicks), 0) AS cpc,
  CAST(1000 * SUM(f.spend) AS DOUBLE PRECISION) / NULLIF(SUM(f.impressions), 0) AS cpm,
  COALESCE(SUM(f.budget), 0) AS budget,
  CAST(SUM(f.spend) AS DOUBLE PRECISION) / NULLIF(SUM(f.budget), 0) AS budget_utilization
FROM marts.campaign_daily AS f;

-- dialect: spark
/* note: reach is the sum of daily reach per ad set: over several days or ad sets it over-counts people, and frequency is then an average of daily frequencies */
SELECT
  CAST(COALESCE(SUM(f.reach), 0) AS BIGINT) AS reach,
  CAST(SUM(f.impressions) AS DOUBLE) / NULLIF(SUM(f.reach), 0) AS frequency,
  CAST(SUM(f.clicks) AS DOUBLE) / NULLIF(SUM(f.impressions), 0) AS ctr,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.clicks), 0) AS cpc,
  CAST(1000 * SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.impressions), 0) AS cpm,
  COALESCE(SUM(f.budget), 0) AS budget,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.budget), 0) AS budget_utilization
FROM marts.campaign_daily AS f;

-- dialect: bigquery
/* note: reach is the sum of daily reach per ad set: over several days or ad sets it over-counts people, and frequency is then an average of daily frequencies */
SELECT
  CAST(COALESCE(SUM(f.reach), 0) AS INT64) AS reach,
  CAST(SUM(f.impressions) AS FLOAT64) / NULLIF(SUM(f.reach), 0) AS frequency,
  CAST(SUM(f.clicks) AS FLOAT64) / NULLIF(SUM(f.impressions), 0) AS ctr,
  CAST(SUM(f.spend) AS FLOAT64) / NULLIF(SUM(f.clicks), 0) AS cpc,
  CAST(1000 * SUM(f.spend) AS FLOAT64) / NULLIF(SUM(f.impressions), 0) AS cpm,
  COALESCE(SUM(f.budget), 0) AS budget,
  CAST(SUM(f.spend) AS FLOAT64) / NULLIF(SUM(f.budget), 0) AS budget_utilization
FROM marts.campaign_daily AS f;

-- dialect: snowflake
/* note: reach is the sum of daily reach per ad set: over several days or ad sets it over-counts people, and frequency is then an average of daily frequencies */
SELECT
  CAST(COALESCE(SUM(f.reach), 0) AS BIGINT) AS reach,
  CAST(SUM(f.impressions) AS DOUBLE) / NULLIF(SUM(f.reach), 0) AS frequency,
  CAST(SUM(f.clicks) AS DOUBLE) / NULLIF(SUM(f.impressions), 0) AS ctr,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.clicks), 0) AS cpc,
  CAST(1000 * SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.impressions), 0) AS cpm,
  COALESCE(SUM(f.budget), 0) AS budget,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.budget), 0) AS budget_utilization
FROM marts.campaign_daily AS f;

-- dialect: trino
/* note: reach is the sum of daily reach per ad set: over several days or ad sets it over-counts people, and frequency is then an average of daily frequencies */
SELECT
  CAST(COALESCE(SUM(f.reach), 0) AS BIGINT) AS reach,
  CAST(SUM(f.impressions) AS DOUBLE) / NULLIF(SUM(f.reach), 0) AS frequency,
  CAST(SUM(f.clicks) AS DOUBLE) / NULLIF(SUM(f.impressions), 0) AS ctr,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.clicks), 0) AS cpc,
  CAST(1000 * SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.impressions), 0) AS cpm,
  COALESCE(SUM(f.budget), 0) AS budget,
  CAST(SUM(f.spend) AS DOUBLE) / NULLIF(SUM(f.budget), 0) AS budget_utilization
FROM marts.campaign_daily AS f;
