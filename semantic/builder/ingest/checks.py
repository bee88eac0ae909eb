"""Row checks for one source file, as SQL expressions over a staging table of text columns.

Identifiers come from the contract; nothing here interpolates data values.
"""

from __future__ import annotations

from dataclasses import dataclass

from semantic.builder.ingest.contract import Column, SourceFile
from semantic.builder.ingest.zones import Zones


def q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _no_exponent_or_fraction(src: str) -> str:
    # TRY_CAST('3.5' AS BIGINT) rounds and '1e3' parses: an id or count must be plain digits.
    # contains() on both cases instead of lower(), which builds a new string per value.
    return f"NOT contains({src}, '.') AND NOT contains({src}, 'e') AND NOT contains({src}, 'E')"


def typed_expr(column: Column, zones: Zones | None = None) -> str:
    """Expression giving the column's typed value, NULL where the text does not parse; a
    timestamp converted to the reporting zone (`zones`)."""
    src = q("v_" + column.name)
    if column.kind in ("int", "count"):
        return f"CASE WHEN {_no_exponent_or_fraction(src)} THEN TRY_CAST({src} AS BIGINT) END"
    if column.kind == "money":
        wide = f"TRY_CAST({src} AS DECIMAL(18, 3))"
        # More than two decimals would be rounded silently by a DECIMAL(18, 2) cast.
        return (
            f"CASE WHEN NOT contains({src}, 'e') AND NOT contains({src}, 'E') "
            f"AND {wide} = round({wide}, 2) "
            f"THEN CAST({wide} AS DECIMAL(18, 2)) END"
        )
    # 'infinity' parses as a timestamp but is no date (it failed the ingest in the day check
    # and in the campaign x day facts): it is refused like any other text that is not one.
    ts = _as_timestamp(column)
    if column.kind == "timestamp":
        return f"CASE WHEN isfinite({ts}) THEN {(zones or Zones()).timestamp(ts)} END"
    if column.kind == "day":
        # The day is the date part: exports stamp a day at local midnight, which does not
        # exist on the day daylight-saving time starts (2025-04-25 01:00:00). Such stamps are
        # kept and flagged (`off_midnight_expr`).
        return f"CASE WHEN isfinite({ts}) THEN CAST({ts} AS DATE) END"
    # Labels and free text (PII) are kept exactly as written; core views trim project names.
    return src


def off_midnight_expr(column: Column) -> str:
    """True where a day column's text carries a time of day other than midnight."""
    # TRY_CAST: an infinite timestamp has no time of day (AND does not short-circuit)
    return f"coalesce(TRY_CAST({_as_timestamp(column)} AS TIME) <> TIME '00:00:00', false)"


def _as_timestamp(column: Column) -> str:
    return f"TRY_CAST({q('v_' + column.name)} AS TIMESTAMP)"


_KIND_PROBLEM = {
    "int": "not a whole number",
    "count": "not a whole number",
    "money": "not an amount with at most 2 decimals",
    "timestamp": "not a timestamp YYYY-MM-DD HH:MM:SS",
    "day": "not a day YYYY-MM-DD",
}


@dataclass(frozen=True)
class Problem:
    condition: str  # SQL, true when the row has this problem
    column: str  # CSV column reported
    reason: str  # SQL expression for the reason text (evaluated on bad rows only)
    foreign_key: bool = False  # checked against loaded tables, after every other problem


def row_problems(source: SourceFile) -> list[Problem]:
    """In the order they are reported; the first true one wins. Conditions refer to
    `v_<name>` (text) and `<target>` (typed) columns; the foreign-key problem, last, is
    checked by a join (its condition documents it)."""
    problems = []
    for col in source.columns:
        raw, typed = q("v_" + col.name), q(col.target)
        if col.required:
            problems.append(
                Problem(f"{raw} IS NULL OR trim({raw}) = ''", col.name, "'missing value'")
            )
        if col.kind in _KIND_PROBLEM:
            problems.append(
                Problem(
                    f"{raw} IS NOT NULL AND {typed} IS NULL",
                    col.name,
                    f"'{_KIND_PROBLEM[col.kind]}'",
                )
            )
        if col.kind in ("count", "money"):
            problems.append(Problem(f"{typed} < 0", col.name, "'negative amount'"))
    problems.extend(_DOMAIN_PROBLEMS.get(source.name, []))
    return problems


def clean_condition(source: SourceFile) -> str:
    """A cheap condition, true only for rows with none of the problems row_problems lists
    (the foreign key aside), so the ordered checks run on the few other rows only.

    A typed value that parsed was present and not blank; where it is NULL (or any condition
    is NULL) the row is not called clean and the ordered checks decide."""
    parts = []
    for col in source.columns:
        raw, typed = q("v_" + col.name), q(col.target)
        if col.kind in _KIND_PROBLEM:
            parts.append(f"{typed} IS NOT NULL")
            if col.kind in ("count", "money"):
                parts.append(f"{typed} >= 0")
        elif col.required:
            parts.append(f"trim({raw}) <> ''")
    parts.extend(
        f"NOT ({p.condition})" for p in _DOMAIN_PROBLEMS.get(source.name, []) if not p.foreign_key
    )
    return " AND ".join(parts) or "true"


@dataclass(frozen=True)
class ForeignKey:
    column: str  # typed column of this file
    table: str  # loaded table it must exist in
    target: str  # column there


FOREIGN_KEYS = {
    "insights.csv": ForeignKey("campaign_id", "raw.campaigns", "campaign_id"),
    "campaign_leads.csv": ForeignKey("campaign_id", "raw.campaigns", "campaign_id"),
    "lead_status_changes.csv": ForeignKey("lead_id", "raw.leads", "lead_id"),
}

_UNKNOWN = {
    "insights.csv": "'unknown campaign'",
    "campaign_leads.csv": "'unknown campaign'",
    "lead_status_changes.csv": "'unknown lead'",
}

#: Problems beyond a column's own value. Only what cannot be interpreted is refused (an unknown
#: key); rows that parse but look odd (clicks > impressions, a stop before the start) are
#: loaded and flagged by semantic/builder/ingest/quality.py: implausible is not invalid.
_DOMAIN_PROBLEMS: dict[str, list[Problem]] = {}
for _file, _fk in FOREIGN_KEYS.items():
    _DOMAIN_PROBLEMS.setdefault(_file, []).append(
        Problem("fk_known IS NULL", _fk.column, _UNKNOWN[_file], foreign_key=True)
    )
