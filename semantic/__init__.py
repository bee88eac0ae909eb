"""campaign-bi: campaign and lead analytics over a DuckDB warehouse (semantic layer API)."""

from __future__ import annotations

__all__ = ["SemanticLayer", "connect"]


def __getattr__(name: str):
    # Loaded on first use: the command line's ingest and other commands that never query do
    # not pay for pandas and the compiler (~0.7 s per process).
    if name in __all__:
        from semantic.runtime import layer

        return getattr(layer, name)
    raise AttributeError(f"module 'semantic' has no attribute {name!r}")
