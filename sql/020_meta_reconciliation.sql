-- Per ingest run and file: what the file held against what was loaded, dropped as exact
-- duplicates and rejected (rows, and the summed measures users reconcile with Meta's bills).
CREATE TABLE meta.reconciliation (
    run_id      VARCHAR NOT NULL,
    file        VARCHAR NOT NULL,
    measure     VARCHAR NOT NULL,
    in_file     DECIMAL(38, 2) NOT NULL,
    loaded      DECIMAL(38, 2) NOT NULL,
    duplicates  DECIMAL(38, 2) NOT NULL,
    rejected    DECIMAL(38, 2) NOT NULL,
    unreadable  BIGINT NOT NULL
);
COMMENT ON TABLE meta.reconciliation IS 'Per ingest run, file and measure (rows; insights: spend, clicks, impressions, reach): in_file = loaded + duplicates + rejected, checked by the ingest; unreadable counts rejected rows whose value did not parse (not in any sum).';
