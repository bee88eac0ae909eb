"""Stage 2: which sources to read, for which measures, at which grain.

Each fact is aggregated on its own to the query grain (no fan-out). Facts whose needed
measures are all pre-aggregated in the campaign x day mart are read from it together, in one
scan, when the mart can express the dimensions and every filter that applies to them;
the others are read from their core source. The median is never pre-aggregated: it always
comes from its core source at the query grain, together with the other measures of its fact
asked for (one scan of core.leads rather than one of it and one of the mart).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from semantic import catalog
from semantic.catalog import Dimension, Lookup, Measure, Metric
from semantic.compiler.predicates import applies
from semantic.compiler.request import Query
from semantic.errors import IncompatibleQueryError


@dataclass(frozen=True, kw_only=True)
class SourcePlan:
    name: str  # the CTE name when several sources are stacked
    table: str
    date_column: str
    columns: MappingProxyType  # dimension/filter name -> column ref
    lookups: tuple[Lookup, ...]
    measures: tuple[Measure, ...]
    facts: tuple[str, ...]
    from_mart: bool
    #: mart columns of which one must be non-zero for a row to count (empty: every row counts)
    presence: tuple[str, ...] = ()
    #: the same as bits of the mart's presence column (0: test the columns, if any)
    presence_mask: int = 0

    def column(self, name: str) -> str:
        return self.columns[name]


@dataclass(frozen=True, kw_only=True)
class Plan:
    query: Query
    dimensions: tuple[Dimension, ...]
    metrics: tuple[Metric, ...]
    sources: tuple[SourcePlan, ...]
    notes: tuple[str, ...]


def _check_dimensions(metrics: tuple[Metric, ...], dimensions: tuple[Dimension, ...]) -> None:
    for dim in dimensions:
        if dim.kind == "time":
            continue
        for metric in metrics:
            missing = [f for f in metric.facts if dim.name not in catalog.FACTS[f].columns]
            if missing:
                fact = catalog.FACTS[missing[0]]
                allowed = ", ".join(catalog.metrics_for_dimension(dim.name))
                because = f"; {dim.missing_because}" if dim.missing_because else ""
                raise IncompatibleQueryError(
                    f"metric {metric.name!r} cannot be broken down by {dim.name!r}: it uses "
                    f"{fact.label.lower()} facts, which have no {dim.label.lower()}{because} "
                    f"(by {dim.name!r} you can ask for: {allowed})"
                )


def _mart_can_serve(fact_name: str, query: Query) -> bool:
    for dim in query.dimensions:
        if catalog.DIMENSIONS[dim].kind != "time" and dim not in catalog.MART.columns:
            return False
    fact = catalog.FACTS[fact_name]
    for name in query.filters.active():
        # a filter that restricts this fact must be expressible on the mart too
        if applies(name, fact.columns) and not applies(name, catalog.MART.columns):
            return False
    return True


def _notes(query: Query, metrics: tuple[Metric, ...], facts: list[str]) -> tuple[str, ...]:
    notes: list[str] = []
    for name in query.filters.active():
        skipped = [catalog.FACTS[f].label.lower() for f in facts
                   if not applies(name, catalog.FACTS[f].columns)]
        if skipped:
            spec = catalog.FILTERS[name]
            what = spec.notes[0] if spec.notes else f"does not apply to {', '.join(skipped)}"
            note = f"the {name} filter {what}"
            notes.append(note)
    for metric in metrics:
        if metric.note and metric.note not in notes:
            notes.append(metric.note)
    return tuple(notes)


def _table(source: catalog.Fact | catalog.Mart, query: Query) -> str:
    f = query.filters
    return catalog.source_table(source, f.business_user, query.tenant,
                                dated=bool(f.date_from or f.date_to))


def plan(query: Query) -> Plan:
    metrics = tuple(catalog.METRICS[m] for m in query.metrics)
    dimensions = tuple(catalog.DIMENSIONS[d] for d in query.dimensions)
    _check_dimensions(metrics, dimensions)

    needed: dict[str, list[Measure]] = {}
    for metric in metrics:
        for measure_name in metric.measures:
            measure = catalog.MEASURES[measure_name]
            group = needed.setdefault(measure.fact, [])
            if measure not in group:
                group.append(measure)
    facts = [f for f in catalog.FACTS if f in needed]  # catalog order: stable SQL

    sources: list[SourcePlan] = []
    from_mart: dict[str, list[Measure]] = {}
    from_core: dict[str, list[Measure]] = {}
    for f in facts:
        # a fact that needs its core source anyway (the median) is read from it alone
        in_mart = _mart_can_serve(f, query) and all(m.mart_column for m in needed[f])
        (from_mart if in_mart else from_core)[f] = needed[f]
    if from_mart:
        # Mart rows exist for any fact. With dimensions, keep the rows that carry one of this
        # query's facts, so a group appears exactly when it would reading each fact's own
        # source; not needed for a total (one row) or when the query uses every mart fact.
        every_mart_fact = {f for f in catalog.FACTS if catalog.FACTS[f].presence}
        presence = () if not query.dimensions or set(from_mart) >= every_mart_fact else tuple(
            c for f in from_mart for c in catalog.FACTS[f].presence)
        mart = catalog.MART
        bits = [catalog.FACTS[f].presence_bit for f in from_mart]
        mask = sum(bits) if presence and mart.presence_column and all(bits) else 0
        sources.append(SourcePlan(
            name=f"src_{mart.name}", table=_table(mart, query), date_column=mart.date_column,
            columns=MappingProxyType(dict(mart.columns)), lookups=(),
            measures=tuple(m for f in from_mart for m in from_mart[f]),
            facts=tuple(from_mart), from_mart=True, presence=presence, presence_mask=mask,
        ))
    for f, measures in from_core.items():
        fact = catalog.FACTS[f]
        sources.append(SourcePlan(
            name=f"src_{fact.name}", table=_table(fact, query), date_column=fact.date_column,
            columns=MappingProxyType(dict(fact.columns)), lookups=fact.lookups,
            measures=tuple(measures), facts=(f,), from_mart=False,
        ))
    return Plan(query=query, dimensions=dimensions, metrics=metrics, sources=tuple(sources),
                notes=_notes(query, metrics, facts))
