-- core.ad_insights: delivery facts scoped by their campaign's business user and project.
CREATE VIEW core.ad_insights AS
SELECT
    i.ad_set_id,
    i.campaign_id,
    c.business_user,
    c.project,
    i.day,
    i.spend,
    i.impressions,
    i.clicks,
    i.reach
FROM raw.ad_insights AS i
JOIN core.campaigns AS c USING (campaign_id);
COMMENT ON VIEW core.ad_insights IS 'Delivery per ad set per day (spend, impressions, clicks, daily reach) with the campaign''s business user and project.';
