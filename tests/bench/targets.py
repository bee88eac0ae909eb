"""The benchmark targets and, for each, whether the figures in docs/benchmarks.json meet it.
Every verdict is computed from the figures; a target whose figures are missing says so."""

from __future__ import annotations

from dataclasses import dataclass

INGEST_ROWS_PER_S = 1_000_000
COMPILE_COLD_MS, COMPILE_CACHED_MS = 2.0, 0.1
LAYER_RATIO = 1.15
REFRESH_MS = {"1": 150.0, "100": 300.0}
SPEEDUP_AT_100 = 20.0
EXPORT_ROWS, EXPORT_S, EXPORT_GROWTH_MB = 1_000_000, 5.0, 100.0

TEXT = {
    "ingest": f"≥ {INGEST_ROWS_PER_S:,} source rows/s end to end",
    "compile": f"≤ {COMPILE_COLD_MS:g} ms cold, ≤ {COMPILE_CACHED_MS:g} ms cached",
    "layer": f"≤ {LAYER_RATIO:g}× hand-written DuckDB SQL",
    "refresh": (f"≤ {REFRESH_MS['1']:g} ms median at scale 1, ≤ {REFRESH_MS['100']:g} ms at "
                f"scale 100; ≥ {SPEEDUP_AT_100:g}× faster than pandas at 100"),
    "export": (f"{EXPORT_ROWS:,} leads exported in ≤ {EXPORT_S:g} s with ≤ "
               f"{EXPORT_GROWTH_MB:g} MB growth of peak RSS"),
}
MET, MISSED, UNMEASURED = "met", "**not met**", "not measured"


@dataclass(frozen=True)
class Verdict:
    target: str
    scale: str
    figure: str
    outcome: str


def _yes(ok: bool) -> str:
    return MET if ok else MISSED


def verdicts(data: dict) -> list[Verdict]:
    scales = sorted(data.get("scales", {}).items(), key=lambda kv: float(kv[0]))
    out: list[Verdict] = []
    out += _ingest(scales)
    out += _compile(data.get("compile"))
    out += _layer(scales)
    out += _refresh(dict(scales))
    out += _export(scales)
    return out


def _ingest(scales) -> list[Verdict]:
    out = []
    for scale, e in scales:
        rate = e.get("ingest", {}).get("rows_per_s")
        if rate is not None:
            out.append(Verdict(TEXT["ingest"], scale, f"{rate:,} rows/s",
                               _yes(rate >= INGEST_ROWS_PER_S)))
    return out or [Verdict(TEXT["ingest"], "–", "–", UNMEASURED)]


def _compile(c: dict | None) -> list[Verdict]:
    if not c:
        return [Verdict(TEXT["compile"], "–", "–", UNMEASURED)]
    cold, cached = c["cold_ms_median"], c["cached_ms_median"]
    return [Verdict(TEXT["compile"], "–", f"{cold} ms cold, {cached} ms cached",
                    _yes(cold <= COMPILE_COLD_MS and cached <= COMPILE_CACHED_MS))]


def _layer(scales) -> list[Verdict]:
    out = []
    for scale, e in scales:
        ratios = {name: r["ratio"] for name, r in e.get("layer_vs_sql", {}).items()}
        if not ratios:
            continue
        worst = max(ratios, key=ratios.get)
        within = sum(r <= LAYER_RATIO for r in ratios.values())
        out.append(Verdict(TEXT["layer"], scale,
                           f"worst {ratios[worst]}× ({worst}); {within} of {len(ratios)} within",
                           _yes(within == len(ratios))))
    return out or [Verdict(TEXT["layer"], "–", "–", UNMEASURED)]


def _refresh(by_scale: dict) -> list[Verdict]:
    out = []
    for scale, limit in REFRESH_MS.items():
        r = by_scale.get(scale, {}).get("refresh")
        if not r:
            out.append(Verdict(f"refresh median ≤ {limit:g} ms", scale, "–", UNMEASURED))
            continue
        out.append(Verdict(f"refresh median ≤ {limit:g} ms", scale,
                           f"{r['ours_ms_median']} ms", _yes(r["ours_ms_median"] <= limit)))
        if scale == "100":
            speedup = r["pandas_ms_median"] / r["ours_ms_median"]
            out.append(Verdict(f"refresh ≥ {SPEEDUP_AT_100:g}× faster than pandas", scale,
                               f"{speedup:.1f}× ({r['pandas_ms_median']} ms vs "
                               f"{r['ours_ms_median']} ms)", _yes(speedup >= SPEEDUP_AT_100)))
    if "100" not in by_scale:
        out.append(Verdict(f"refresh ≥ {SPEEDUP_AT_100:g}× faster than pandas", "100", "–",
                           UNMEASURED))
    return out


def _export(scales) -> list[Verdict]:
    out = []
    for scale, e in scales:
        m = e.get("export", {}).get("million")
        if not m or "rows" not in m:
            continue
        figure = f"{m['rows']:,} leads: {m['call_s']} s, +{m['growth_mb']} MB"
        if m["rows"] < EXPORT_ROWS:
            out.append(Verdict(TEXT["export"], scale, figure,
                               f"not measurable here (only {m['rows']:,} leads)"))
        else:
            out.append(Verdict(TEXT["export"], scale, figure,
                               _yes(m["call_s"] <= EXPORT_S and
                                    m["growth_mb"] <= EXPORT_GROWTH_MB)))
    if not any(v.outcome in (MET, MISSED) for v in out):
        out.append(Verdict(TEXT["export"], "100", "–", UNMEASURED))
    return out
