"""Typed errors. Every message is one sentence a user can act on."""

from __future__ import annotations

import difflib
from collections.abc import Mapping


class CampaignBIError(Exception):
    """Base of every error this package raises on purpose."""


class UnusableInputError(CampaignBIError):
    """A source file cannot be ingested at all (missing, empty, binary, wrong columns)."""


class ReconciliationError(CampaignBIError):
    """An ingest's own numbers do not add up (rows or sums lost between the file and the
    warehouse): a bug, never bad data. The ingest stops; the previous warehouse keeps serving."""


class MigrationError(CampaignBIError):
    """The warehouse schema cannot be brought up to date safely."""


class SemanticError(CampaignBIError):
    """A request to the semantic layer is not valid."""


def suggestions(asked: str, known, labels: Mapping[str, str]) -> list[str]:
    """Names a user would mean: a close spelling (`sepnd` → spend; a loose match such as
    `revenue` → frequency is no help, hence the high cutoff), or a name whose label or
    description holds the words asked (`cost per lead` → cpl)."""
    text = asked.strip().lower()
    close = difflib.get_close_matches(text, list(known), n=3, cutoff=0.75)
    words = text.replace("_", " ")
    by_label = [name for name, label in labels.items()
                if len(words) >= 4 and words in label.lower() and name not in close]
    return (close + sorted(by_label, key=lambda name: len(labels[name])))[:3]


class UnknownNameError(SemanticError):
    kind = "name"

    def __init__(self, name: str, known: list[str] | tuple[str, ...],
                 labels: Mapping[str, str] | None = None):
        self.name = name
        self.suggestions = suggestions(str(name), known, labels or {})
        hint = f"; did you mean {self.suggestions[0]!r}?" if self.suggestions else ""
        super().__init__(f"unknown {self.kind} {name!r}{hint} (known: {', '.join(sorted(known))})")


class UnknownMetricError(UnknownNameError):
    kind = "metric"


class UnknownDimensionError(UnknownNameError):
    kind = "dimension"


class UnknownFilterError(UnknownNameError):
    kind = "filter"


class InvalidFilterValueError(SemanticError):
    """A filter value has the wrong type (e.g. a date that is not ISO)."""


class IncompatibleQueryError(SemanticError):
    """The metrics and dimensions asked for cannot be combined meaningfully."""


class InvalidQueryError(SemanticError):
    """A request is malformed as a whole (no metric asked for, a name that is not text)."""


class WarehouseError(CampaignBIError):
    """The warehouse file cannot be opened or read."""


class WarehouseNotFoundError(WarehouseError):
    """There is no warehouse file at the given path."""


class SandboxError(CampaignBIError):
    """Ad-hoc SQL did not run."""


class SandboxRefusedError(SandboxError):
    """Ad-hoc SQL tried something the read-only sandbox forbids (writes, files, settings)."""


class AdHocQueryError(SandboxError):
    """Ad-hoc SQL failed for an ordinary reason (syntax, unknown table, ...)."""


class LakeError(CampaignBIError):
    """The Parquet lake for Spark cannot be written or read (its folder, its manifest)."""


class EngineError(CampaignBIError):
    """The query engine cannot answer: Spark or Java missing, a cluster unreachable, or a
    method only the DuckDB engine offers."""
