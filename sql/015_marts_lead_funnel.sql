-- marts.lead_funnel: leads per funnel stage of their current status, in funnel order.
CREATE VIEW marts.lead_funnel AS
SELECT
    s.stage,
    s.stage_order,
    count(l.lead_id)                                  AS leads,
    count(l.lead_id) / nullif(sum(count(l.lead_id)) OVER (), 0) AS share
FROM core.stages AS s
LEFT JOIN core.leads AS l USING (stage)
GROUP BY s.stage, s.stage_order
ORDER BY s.stage_order;
COMMENT ON VIEW marts.lead_funnel IS 'One row per funnel stage (new, working, qualified, won, lost, unknown, other) with the leads whose current status is in it and their share.';
