"""CSV exports → validated, atomically swapped DuckDB warehouse."""

from semantic.ingest.loader import FileSummary
from semantic.ingest.run import ingest

__all__ = ["FileSummary", "ingest"]
