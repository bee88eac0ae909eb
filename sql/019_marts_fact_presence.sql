-- marts.campaign_daily and marts.campaign_daily_by_day gain `facts`, a bitmask of the facts a
-- campaign x day row carries (1 delivery, 2 leads, 4 status changes, 8 planned budget; the bits
-- of semantic/catalog.py). A query that reads only some facts from the mart keeps the rows that
-- carry one of them; one integer test per row is far cheaper than comparing every measure with 0.
-- The tables are rebuilt from themselves, rows and order unchanged: ingest runs migrations with
-- preserve_insertion_order = true (semantic/ingest/run.py), so SELECT * keeps their sort.
CREATE OR REPLACE TABLE marts.campaign_daily AS
SELECT *,
       CAST((CASE WHEN spend <> 0 OR impressions <> 0 OR clicks <> 0 OR reach <> 0 THEN 1 ELSE 0 END)
          + (CASE WHEN leads <> 0 THEN 2 ELSE 0 END)
          + (CASE WHEN status_changes <> 0 THEN 4 ELSE 0 END)
          + (CASE WHEN budget <> 0 THEN 8 ELSE 0 END) AS UTINYINT) AS facts
FROM marts.campaign_daily;
COMMENT ON TABLE marts.campaign_daily IS 'Campaign x day: spend, impressions, clicks, reach (daily), leads, qualified leads, deals, contacted leads (by arrival day), status changes (by change day), planned budget (by scheduled day), and facts: a bitmask of the facts the row carries (1 delivery, 2 leads, 4 status changes, 8 budget).';
CREATE OR REPLACE TABLE marts.campaign_daily_by_day AS
SELECT *,
       CAST((CASE WHEN spend <> 0 OR impressions <> 0 OR clicks <> 0 OR reach <> 0 THEN 1 ELSE 0 END)
          + (CASE WHEN leads <> 0 THEN 2 ELSE 0 END)
          + (CASE WHEN status_changes <> 0 THEN 4 ELSE 0 END)
          + (CASE WHEN budget <> 0 THEN 8 ELSE 0 END) AS UTINYINT) AS facts
FROM marts.campaign_daily_by_day;
COMMENT ON TABLE marts.campaign_daily_by_day IS 'Exactly the rows of marts.campaign_daily (campaign x day facts and their facts bitmask), sorted by day, business user and campaign so a date range across all business users skips the row groups of other days.';
