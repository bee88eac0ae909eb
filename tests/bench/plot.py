"""docs/benchmarks_growth.png: dashboard refresh (median, p95) and memory against scale, ours
and the pandas baseline, log-log. Scales measured in this run are filled markers; scales whose
figures were kept from an earlier run (docs/benchmarks.json) are hollow and labelled with
their date."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: the bench runs headless

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

#: (label, colour, section, key) per curve
TIME_SERIES = [
    ("ours median", "tab:blue", "refresh", "ours_ms_median"),
    ("ours p95", "tab:blue", "refresh", "ours_ms_p95"),
    ("pandas median", "tab:orange", "refresh", "pandas_ms_median"),
    ("pandas p95", "tab:orange", "refresh", "pandas_ms_p95"),
]
MEMORY_SERIES = [
    ("ours: layer + dashboard data", "tab:blue", "ours", "growth_mb"),
    ("pandas: DataFrames + views", "tab:orange", "pandas", "growth_mb"),
]


def _points(scales: dict, pick) -> list[tuple[float, float, str]]:
    out = []
    for scale, entry in scales.items():
        value = pick(entry)
        if value is not None and value > 0:
            out.append((float(scale), float(value), scale))
    return sorted(out)


def _draw(ax, scales: dict, current: set[str], label: str, colour: str, pick,
          dashed: bool) -> None:
    points = _points(scales, pick)
    if not points:
        return
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    ax.plot(xs, ys, color=colour, linestyle="--" if dashed else "-", label=label)
    for x, y, scale in points:
        fresh = scale in current
        ax.plot([x], [y], marker="o", color=colour,
                markerfacecolor=colour if fresh else "white")
        if not fresh:
            date = scales[scale].get("machine", {}).get("date", "earlier")
            ax.annotate(f"from {date}", (x, y), textcoords="offset points", xytext=(-6, 4),
                        ha="right", fontsize=7, color="grey")


def write(data: dict, current: set[str], path: Path) -> None:
    """Plot every scale in `data["scales"]`; `current` names the scales measured in this run."""
    scales = data.get("scales", {})
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for label, colour, section, key in TIME_SERIES:
        _draw(left, scales, current, label, colour,
              lambda e, s=section, k=key: e.get(s, {}).get(k), dashed="p95" in label)
    left.set_title("Dashboard refresh, one filter state (cache cleared)")
    left.set_ylabel("ms")
    for label, colour, side, key in MEMORY_SERIES:
        _draw(right, scales, current, label, colour,
              lambda e, s=side, k=key: e.get("memory", {}).get(s, {}).get(k), dashed=False)
    right.set_title("Memory: peak RSS growth of a fresh process")
    right.set_ylabel("MB")
    missing = sorted((k for k, e in scales.items() if not e.get("memory")), key=float)
    if missing:  # figures kept from runs before memory was measured
        right.text(0.02, 0.02, f"no memory figures for scale {', '.join(missing)}",
                   transform=right.transAxes, fontsize=7, color="grey")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(0.7, 150)  # scales 1, 10, 100 always in view
        ax.set_xticks([1, 10, 100], ["1", "10", "100"])
        ax.set_xlabel("scale (1 ≈ 57k leads, 69k insight rows)")
        ax.grid(True, which="both", alpha=0.3)
        handles, _ = ax.get_legend_handles_labels()
        if handles:
            ax.legend(fontsize=8)
    fig.suptitle("Growth with scale: filled = this run, hollow = kept from an earlier run",
                 fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
