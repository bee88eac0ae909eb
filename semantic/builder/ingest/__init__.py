"""CSV exports → validated, atomically swapped DuckDB warehouse."""

from semantic.builder.ingest.loader import FileSummary
from semantic.builder.ingest.run import ingest

__all__ = ["FileSummary", "ingest"]
