"""Answering questions: the Python API (`layer`), read-only warehouse access (`warehouse`),
alert rules over the layer (`alerts`) and the last ingest's health (`health`); the engine seam
(`engine`) and the same questions answered by Apache Spark over a Parquet lake (`spark`,
`spark_layer`; docs/SPARK.md)."""
