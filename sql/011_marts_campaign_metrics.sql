-- marts.campaign_metrics: one row per campaign with its delivery, leads, outcome and budget metrics.
CREATE VIEW marts.campaign_metrics AS
WITH f AS (
    SELECT
        campaign_id,
        sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks,
        sum(reach) AS reach, sum(leads) AS leads, sum(qualified_leads) AS qualified_leads,
        sum(deals) AS deals, sum(contacted_leads) AS contacted_leads,
        sum(status_changes) AS status_changes, sum(budget) AS budget
    FROM marts.campaign_daily
    GROUP BY campaign_id
), s AS (
    SELECT campaign_id, median(hours_to_first_contact) AS speed_to_lead_hours
    FROM core.leads GROUP BY campaign_id
)
SELECT
    c.campaign_id, c.business_user, c.project, c.start_time, c.stop_time, c.daily_budget,
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
    f.contacted_leads,
    f.contacted_leads / nullif(f.leads, 0)            AS contact_rate,
    s.speed_to_lead_hours,
    f.status_changes,
    f.budget,
    f.spend / nullif(f.budget, 0)                     AS budget_utilization
FROM core.campaigns AS c
LEFT JOIN f USING (campaign_id)
LEFT JOIN s USING (campaign_id);
COMMENT ON VIEW marts.campaign_metrics IS 'One row per campaign: attributes, delivery (reach is the sum of daily), leads, qualified, deals, contacted, median hours to first contact, planned budget and ratios of sums.';
