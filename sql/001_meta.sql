-- Schemas and bookkeeping tables: who loaded what, when, and which rows were refused.
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE meta.ingest_runs (
    run_id        VARCHAR PRIMARY KEY,
    source_dir    VARCHAR NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    file_name     VARCHAR NOT NULL,
    rows_read     BIGINT NOT NULL,
    rows_loaded   BIGINT NOT NULL,
    duplicates    BIGINT NOT NULL,
    rejected      BIGINT NOT NULL,
    warnings      VARCHAR[]
);
COMMENT ON TABLE meta.ingest_runs IS 'One row per source file per ingest run: rows read, loaded, exact duplicates dropped, rejected.';

CREATE TABLE meta.rejected_rows (
    run_id   VARCHAR NOT NULL,
    file     VARCHAR NOT NULL,
    line     BIGINT,
    "column" VARCHAR,
    value    VARCHAR,
    reason   VARCHAR NOT NULL
);
COMMENT ON TABLE meta.rejected_rows IS 'Source rows refused by ingest validation, one row per refused record: file, CSV line (header = line 1), column, value and reason.';

CREATE TABLE meta.data_quality_issues (
    run_id  VARCHAR NOT NULL,
    file    VARCHAR NOT NULL,
    kind    VARCHAR NOT NULL,
    detail  VARCHAR NOT NULL,
    rows    BIGINT NOT NULL
);
COMMENT ON TABLE meta.data_quality_issues IS 'Data kept but worth a look (conflicting insight rows for one ad set and day, statuses with no stage, ...), one row per kind and key.';

CREATE TABLE meta.data_version (
    version     VARCHAR NOT NULL,
    loaded_at   TIMESTAMP NOT NULL
);
COMMENT ON TABLE meta.data_version IS 'One row: the identity of the data in this file; readers compare it to notice a new ingest.';
