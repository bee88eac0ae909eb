"""The catalog rendered as Markdown (docs/CATALOG.md), so the docs are generated, not copied."""

from __future__ import annotations

from semantic import catalog


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown() -> str:
    lines = [
        "# Metric and dimension catalog",
        "",
        "Generated from `semantic/catalog/` by `campaign-bi catalog --format markdown`; a test",
        "fails when this file and the catalog differ. Ratios are ratios of sums at the query",
        "grain, returned as fractions; a zero denominator gives NULL (shown as \u201c\u2013\u201d).",
        "",
        "## Metrics",
        "",
        "| name | label | formula | unit | additivity | facts | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in catalog.METRICS.values():
        note = f" {m.note}" if m.note else ""
        lines.append(f"| `{m.name}` | {_cell(m.label)} | {_cell(m.formula)} | {m.unit} | "
                     f"{m.additivity} | {', '.join(m.facts)} | {_cell(m.description + note)} |")
    lines += ["", "## Dimensions", "", "| name | label | kind | description |", "|---|---|---|---|"]
    for d in catalog.DIMENSIONS.values():
        lines.append(f"| `{d.name}` | {_cell(d.label)} | {d.kind} | {_cell(d.description)} |")
    lines += ["", "## Filters", "", "| name | label | kind | description |", "|---|---|---|---|"]
    for f in catalog.FILTERS.values():
        lines.append(f"| `{f.name}` | {_cell(f.label)} | {f.kind} | {_cell(f.description)} |")
    lines += ["", "## Status rules", "",
              "Which lead statuses are in which funnel stage and what they count as (the rows "
              "of `core.status_stages`, generated from the catalog). A status not listed is in "
              f"stage `{catalog.OTHER_STAGE}` and counts as a contact and a first contact.", "",
              "| status | stage | stage order | qualified | deal | contact | first contact |",
              "|---|---|---|---|---|---|---|"]
    yes = {True: "yes", False: "no"}
    for s in catalog.STATUSES.values():
        stage = catalog.STAGES[s.stage]
        lines.append(f"| `{s.name}` | {stage.name} | {stage.order} | {yes[stage.qualified]} | "
                     f"{yes[s.deal]} | {yes[s.contact]} | {yes[s.first_contact]} |")
    return "\n".join(lines) + "\n"
