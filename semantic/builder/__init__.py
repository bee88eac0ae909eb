"""Building the warehouse: CSV ingest (`ingest`), versioned SQL migrations (`migrations`) and
the migrations generated from the catalog (`generate`); and from it, the Parquet lake Spark
reads (`lake`)."""
