-- marts.lead_status_distribution: how many leads sit in each current status.
CREATE VIEW marts.lead_status_distribution AS
SELECT
    lead_status,
    any_value(stage)                                  AS stage,
    count(*)                                          AS leads,
    count(*) / sum(count(*)) OVER ()                  AS share
FROM core.leads
GROUP BY lead_status
ORDER BY leads DESC, lead_status;
COMMENT ON VIEW marts.lead_status_distribution IS 'One row per current lead status: its stage, the number of leads and their share of all leads.';
