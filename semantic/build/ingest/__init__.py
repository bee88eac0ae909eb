"""CSV exports → validated, atomically swapped DuckDB warehouse."""

from semantic.build.ingest.loader import FileSummary
from semantic.build.ingest.run import ingest

__all__ = ["FileSummary", "ingest"]
