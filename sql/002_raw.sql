-- Landing tables: the validated rows of the four CSV exports, typed, with the CSV line they came from.
CREATE TABLE raw.campaigns (
    campaign_id   BIGINT NOT NULL,
    daily_budget  DECIMAL(18, 2) NOT NULL,
    start_time    TIMESTAMP NOT NULL,
    stop_time     TIMESTAMP NOT NULL,
    user_id       BIGINT NOT NULL,
    project_name  VARCHAR NOT NULL,
    source_line   BIGINT NOT NULL
);
COMMENT ON TABLE raw.campaigns IS 'campaigns.csv as loaded: one row per campaign, project name as written.';

CREATE TABLE raw.ad_insights (
    ad_set_id     BIGINT NOT NULL,
    campaign_id   BIGINT NOT NULL,
    reach         BIGINT NOT NULL,
    spend         DECIMAL(18, 2) NOT NULL,
    clicks        BIGINT NOT NULL,
    impressions   BIGINT NOT NULL,
    day           DATE NOT NULL,
    source_line   BIGINT NOT NULL
);
COMMENT ON TABLE raw.ad_insights IS 'insights.csv as loaded: Facebook delivery per ad set per day (exact duplicate rows removed).';

CREATE TABLE raw.leads (
    lead_id       BIGINT NOT NULL,
    campaign_id   BIGINT NOT NULL,
    name          VARCHAR,
    email         VARCHAR,
    phone         VARCHAR,
    lead_status   VARCHAR NOT NULL,
    added_at      TIMESTAMP NOT NULL,
    source_line   BIGINT NOT NULL
);
COMMENT ON TABLE raw.leads IS 'campaign_leads.csv as loaded: one row per lead with its current status (PII: name, email, phone).';

CREATE TABLE raw.lead_status_changes (
    lead_id       BIGINT NOT NULL,
    status        VARCHAR NOT NULL,
    changed_at    TIMESTAMP NOT NULL,
    source_line   BIGINT NOT NULL
);
COMMENT ON TABLE raw.lead_status_changes IS 'lead_status_changes.csv as loaded: one row per logged status change (exact duplicates removed).';
