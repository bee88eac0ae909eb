"""Reproducible, fast sample data: the four CSV exports of a lead-generation platform.

``generate(out_dir, scale, seed)`` writes ``campaigns.csv``, ``campaign_leads.csv``,
``insights.csv`` and ``lead_status_changes.csv`` with the same shape, distributions and
dirt as the real exports (Facebook lead-ad campaigns for Egyptian real-estate developers,
2024-06-01 .. 2025-10-28).  At ``scale=1`` the sizes match the real data (7,364 campaigns,
56,965 leads, ~68.7k insight rows, ~38.9k status changes); ``scale=N`` multiplies the
number of business users, projects, campaigns and leads by N.

Everything is vectorised numpy; the big files are generated and written in blocks, each
block drawing from its own generator derived from ``(seed, stage, block index)``, so the
same ``seed`` and ``scale`` always give byte-identical files.

Dirt injected on purpose (counts at scale 1; they scale with ``scale``, at least 1 each):

* insights: 16 rows written twice (exact duplicates); 10 extra rows that repeat the
  ``(ad_set_id, created_at)`` key of another row with different values (10 conflicting
  pairs, 20 rows involved); 6 rows with ``clicks > impressions``; ~0.05% of rows with
  ``spend`` 0.01; ~4% of rows dated after the campaign's planned ``stop_time``; the
  ``created_at`` day written as ``YYYY-MM-DD 00:00:00`` for ~30% of campaigns and as
  ``YYYY-MM-DD`` for the rest, except ``2025-04-25 01:00:00`` on the day daylight-saving
  time started (local midnight did not exist).
* campaigns: 265 campaigns whose ``project_name`` carries leading/trailing spaces
  (``"Bloomfields "``); project names that differ only by case (``iCity``/``ICity``,
  ``Sodic East``/``SODIC East``, ``Il Bosco``/``IL Bosco``) are distinct projects.
* leads: ~54% of leads have no status log; ~3% of logged leads have a ``lead_status``
  that differs from their last logged status; ~3% of phones are empty; text fields and
  timestamps are double-quoted (embedded quotes doubled); some names in Arabic script.
* status changes: 1 row written twice.

Nothing is structurally broken: every number parses, every foreign key resolves.

Modules: ``profile`` (the real-world profile), ``draw`` (seeded generators, sampling helpers),
``names`` (project and person names, emails, phones), ``campaigns``, ``activity`` (insights,
leads, status changes), ``dirt`` (the dirt above) and ``writer`` (CSV files); this module
holds the driver that runs the stages in order.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

from . import dirt
from .activity import current_statuses, insights_block, lead_arrivals, status_log, status_params
from .campaigns import plan_campaigns, write_campaigns
from .draw import rng_for, u_knots, z_knots
from .names import person_names, phones
from .profile import (
    CAMPAIGN_BLOCK,
    CTR_Q,
    DELAY_Q,
    END_TS,
    IMPR_Q,
    LEAD_BLOCK,
    SPEND_Q,
    START_TS,
    STATUSES,
)
from .writer import FILES, HEADERS, CsvOut, open_csv, ts_array

__all__ = ["generate", "FILES", "HEADERS", "STATUSES"]


def generate(out_dir: str | Path, scale: float = 1, seed: int = 0,
             progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Write campaigns.csv, campaign_leads.csv, insights.csv, lead_status_changes.csv into out_dir
    (created if missing). Returns {file_name: data_rows_written}. progress: optional callable(str) for status lines."""
    scale = float(scale)
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    seed = int(seed)
    say = progress or (lambda _msg: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    knots = {"spend": z_knots(SPEND_Q), "impr": z_knots(IMPR_Q), "ctr": z_knots(CTR_Q)}
    files: list[CsvOut] = []
    try:
        c = plan_campaigns(seed, scale)
        files.append(write_campaigns(out, c))
        say(f"campaigns.csv: {files[0].rows:,} rows")

        fi = open_csv(out, "insights.csv")
        files.append(fi)
        spend = np.zeros(c["n"])
        for b, lo in enumerate(range(0, c["n"], CAMPAIGN_BLOCK)):
            cols, idx, s = insights_block(rng_for(seed, 2, b), c, lo, min(lo + CAMPAIGN_BLOCK, c["n"]), knots)
            spend[idx] = s
            fi.write(cols)
            say(f"insights.csv: {fi.rows:,} rows")
        fi.close()

        lc, ts = lead_arrivals(seed, scale, c, spend)
        c = {"ids": c["ids"]}  # the rest is no longer needed
        del spend
        m, base = status_params(ts)
        delay_knots = u_knots(DELAY_Q)
        n_leads = len(lc)
        n_blocks = max(1, -(-n_leads // LEAD_BLOCK))
        sizes = np.diff(np.minimum(np.arange(n_blocks + 1) * LEAD_BLOCK, n_leads))
        dups_per_block = dirt.change_dups_per_block(seed, scale, sizes)
        fl = open_csv(out, "campaign_leads.csv")
        files.append(fl)
        fc = open_csv(out, "lead_status_changes.csv")
        files.append(fc)
        status_names = pa.array(STATUSES)
        next_id = 1
        for b in range(n_blocks):
            rng = rng_for(seed, 5, b)
            sl = slice(b * LEAD_BLOCK, min((b + 1) * LEAD_BLOCK, n_leads))
            camp, added = lc[sl], ts[sl]
            n = len(camp)
            # ids follow arrival order; deleted leads leave small gaps
            ids = next_id - 1 + np.cumsum(1 + (rng.random(n) < 0.02) * rng.integers(1, 4, n))
            next_id = int(ids[-1]) + 1
            status = current_statuses(rng, (added - START_TS) / float(END_TS - START_TS), m, base)
            name, email = person_names(rng, n)
            phone = phones(rng, n)
            fl.write({"id": ids, "campaign_id": c["ids"][camp], "name": name, "email": email,
                      "phone": phone, "lead_status": status_names.take(pa.array(status)),
                      "added_date": ts_array(added).cast(pa.string())})

            codes, t, length = status_log(rng, status, added, delay_knots)
            mask = np.arange(3)[None, :] < length[:, None]
            who = np.broadcast_to(np.arange(n)[:, None], (n, 3))[mask]
            ccode, ctime = codes[mask], t[mask]
            who, ccode, ctime = dirt.repeat_changes(rng, int(dups_per_block[b]), who, ccode, ctime)
            order = np.lexsort((who, ctime))
            fc.write({"lead_id": ids[who[order]], "status": status_names.take(pa.array(ccode[order])),
                      "created_at": ts_array(ctime[order])})
            say(f"campaign_leads.csv: {fl.rows:,} rows; lead_status_changes.csv: {fc.rows:,} rows")
        for f in files:
            f.commit()
    except BaseException:
        for f in files:
            f.discard()
        raise
    return {f.path.name: f.rows for f in sorted(files, key=lambda f: FILES.index(f.path.name))}
