-- The time zones each ingest run used (semantic/ingest/zones.py): the export's and the reporting
-- zone (NULL: not set, the export's local time, nothing converted).
CREATE TABLE meta.time_zones (
    run_id     VARCHAR NOT NULL,
    export_tz  VARCHAR,
    report_tz  VARCHAR
);
COMMENT ON TABLE meta.time_zones IS 'Per ingest run: the IANA time zone the export wrote timestamps in and the zone reports count days and hours in; timestamps are stored converted to the latter.';
