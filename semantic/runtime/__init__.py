"""Answering questions: the Python API (`layer`), read-only warehouse access (`warehouse`),
alert rules over the layer (`alerts`) and the last ingest's health (`health`)."""
