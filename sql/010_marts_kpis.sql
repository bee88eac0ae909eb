-- marts.kpis: the headline numbers over all data, one row. Ratios are ratios of sums; NULL on a zero denominator.
CREATE VIEW marts.kpis AS
WITH f AS (
    SELECT
        sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks,
        sum(reach) AS reach, sum(leads) AS leads, sum(qualified_leads) AS qualified_leads,
        sum(deals) AS deals, sum(contacted_leads) AS contacted_leads,
        sum(status_changes) AS status_changes, sum(budget) AS budget
    FROM marts.campaign_daily
), s AS (
    SELECT median(hours_to_first_contact) AS speed_to_lead_hours FROM core.leads
)
SELECT
    f.spend, f.impressions, f.clicks, f.reach,
    f.impressions / nullif(f.reach, 0)                AS frequency,
    f.clicks / nullif(f.impressions, 0)               AS ctr,
    f.spend / nullif(f.clicks, 0)                     AS cpc,
    1000 * f.spend / nullif(f.impressions, 0)         AS cpm,
    f.leads,
    f.leads / nullif(f.clicks, 0)                     AS click_to_lead_rate,
    f.spend / nullif(f.leads, 0)                      AS cpl,
    f.qualified_leads,
    f.qualified_leads / nullif(f.leads, 0)            AS qualification_rate,
    f.spend / nullif(f.qualified_leads, 0)            AS cost_per_qualified_lead,
    f.deals,
    f.spend / nullif(f.deals, 0)                      AS cost_per_deal,
    f.contacted_leads,
    f.contacted_leads / nullif(f.leads, 0)            AS contact_rate,
    s.speed_to_lead_hours,
    f.status_changes,
    f.budget,
    f.spend / nullif(f.budget, 0)                     AS budget_utilization
FROM f, s;
COMMENT ON VIEW marts.kpis IS 'One row, all time: every metric of METRICS.md (reach is the sum of daily reach). Ratios are ratios of sums, NULL on a zero denominator.';
