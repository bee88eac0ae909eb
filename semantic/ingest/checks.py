"""Row checks for one source file, as SQL expressions over a staging table of text columns.

Identifiers come from the contract; nothing here interpolates data values.
"""

from __future__ import annotations

from semantic.ingest.contract import Column, SourceFile

_INT = r"[+-]?[0-9]+"
_MONEY = r"[+-]?([0-9]+(\.[0-9]{0,2})?|\.[0-9]{1,2})"


def q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def typed_expr(column: Column) -> str:
    """Expression giving the column's typed value, NULL where the text does not parse."""
    src = f"trim({q('v_' + column.name)})"
    if column.kind in ("int", "count"):
        return f"CASE WHEN regexp_full_match({src}, '{_INT}') THEN TRY_CAST({src} AS BIGINT) END"
    if column.kind == "money":
        return (
            f"CASE WHEN regexp_full_match({src}, '{_MONEY}') "
            f"THEN TRY_CAST({src} AS DECIMAL(18, 2)) END"
        )
    if column.kind == "timestamp":
        return f"TRY_CAST({src} AS TIMESTAMP)"
    if column.kind == "day":
        # A day column may carry a " 00:00:00" tail; any other time of day is not a day.
        ts = f"TRY_CAST({src} AS TIMESTAMP)"
        return f"CASE WHEN CAST({ts} AS TIME) = TIME '00:00:00' THEN CAST({ts} AS DATE) END"
    # Labels and free text (PII) are kept exactly as written; core views trim project names.
    return q("v_" + column.name)


_KIND_PROBLEM = {
    "int": "not a whole number",
    "count": "not a whole number",
    "money": "not an amount with at most 2 decimals",
    "timestamp": "not a timestamp YYYY-MM-DD HH:MM:SS",
    "day": "not a day YYYY-MM-DD",
    "label": "missing value",
}


def row_problems(source: SourceFile) -> list[tuple[str, str, str]]:
    """(condition, column, reason) in the order they are reported; the first true one wins.

    Conditions refer to `v_<name>` (text) and `<target>` (typed) columns of the typed staging table.
    """
    problems = []
    for col in source.columns:
        raw, typed = q("v_" + col.name), q(col.target)
        if col.required:
            problems.append((f"{raw} IS NULL OR trim({raw}) = ''", col.name, "'missing value'"))
        if col.kind not in ("text", "label"):
            problems.append(
                (f"{raw} IS NOT NULL AND {typed} IS NULL", col.name, f"'{_KIND_PROBLEM[col.kind]}'")
            )
        if col.kind in ("count", "money"):
            problems.append((f"{typed} < 0", col.name, "'negative amount'"))
    problems.extend(_DOMAIN_PROBLEMS.get(source.name, []))
    return problems


_DOMAIN_PROBLEMS = {
    "campaigns.csv": [
        (
            "stop_time < start_time",
            "stop_time",
            "'stop_time is before start_time ' || CAST(start_time AS VARCHAR)",
        ),
    ],
    "insights.csv": [
        (
            "clicks > impressions",
            "clicks",
            "'clicks exceed impressions (' || CAST(impressions AS VARCHAR) || ')'",
        ),
        (
            "campaign_id NOT IN (SELECT campaign_id FROM raw.campaigns)",
            "campaign_id",
            "'unknown campaign'",
        ),
    ],
    "campaign_leads.csv": [
        (
            "campaign_id NOT IN (SELECT campaign_id FROM raw.campaigns)",
            "campaign_id",
            "'unknown campaign'",
        ),
    ],
    "lead_status_changes.csv": [
        ("lead_id NOT IN (SELECT lead_id FROM raw.leads)", "lead_id", "'unknown lead'"),
    ],
}
