"""campaign-bi: campaign and lead analytics over a DuckDB warehouse (semantic layer API)."""

from semantic.layer import SemanticLayer, connect

__all__ = ["SemanticLayer", "connect"]
