"""Typed errors. Every message is one sentence a user can act on."""

from __future__ import annotations

import difflib


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


class UnknownNameError(SemanticError):
    kind = "name"

    def __init__(self, name: str, known: list[str] | tuple[str, ...]):
        self.name = name
        self.suggestions = difflib.get_close_matches(str(name), list(known), n=3, cutoff=0.5)
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
