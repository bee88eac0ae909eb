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
  ``YYYY-MM-DD`` for the rest.
* campaigns: 265 campaigns whose ``project_name`` carries leading/trailing spaces
  (``"Bloomfields "``); project names that differ only by case (``iCity``/``ICity``,
  ``Sodic East``/``SODIC East``, ``Il Bosco``/``IL Bosco``) are distinct projects.
* leads: ~54% of leads have no status log; ~3% of logged leads have a ``lead_status``
  that differs from their last logged status; ~3% of phones are empty; text fields and
  timestamps are double-quoted (embedded quotes doubled); some names in Arabic script.
* status changes: 1 row written twice.

Nothing is structurally broken: every number parses, every foreign key resolves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = ["generate", "FILES", "HEADERS", "STATUSES"]

FILES = ("campaigns.csv", "campaign_leads.csv", "insights.csv", "lead_status_changes.csv")
HEADERS = {
    "campaigns.csv": "id,daily_budget,start_time,stop_time,user_id,project_name",
    "campaign_leads.csv": "id,campaign_id,name,email,phone,lead_status,added_date",
    "insights.csv": "ad_set_id,campaign_id,reach,spend,clicks,impressions,created_at",
    "lead_status_changes.csv": "lead_id,status,created_at",
}
STATUSES = (
    "NEW_LEAD", "NO_ANSWER", "CALL_AGAIN", "FOLLOW_UP", "WHATSAPP", "SWITCHED_OFF",
    "QUALIFIED", "HIGH_INTEREST", "MEETING_DONE", "DONE_DEAL", "NOT_QUALIFIED",
    "LOW_BUDGET", "WRONG_NUMBER", "SPAM", "ALREADY_BOUGHT", "RESALE_REQUEST", "UNKNOWN",
)
_S = {s: i for i, s in enumerate(STATUSES)}

# ---------------------------------------------------------------- profile at scale 1
N_CAMPAIGNS = 7364
N_USERS = 388
N_PROJECTS = 305
N_LEADS = 56965
N_LEAD_CAMPAIGNS = 4022
N_INSIGHT_CAMPAIGNS = 6821
ADSETS_PER_CAMPAIGN = 3
N_TRIMMED_NAMES = 265
N_INSIGHT_DUPS = 16
N_INSIGHT_CONFLICTS = 10
N_CLICKS_OVER = 6
N_CHANGE_DUPS = 1

_DAY = 86400
START_DAY = int(np.datetime64("2024-06-01", "D").astype(np.int64))
END_DAY = int(np.datetime64("2025-10-28", "D").astype(np.int64))
START_TS = START_DAY * _DAY
END_TS = (END_DAY + 1) * _DAY - 1

CAMPAIGN_BLOCK = 40_000   # campaigns per insights block
LEAD_BLOCK = 250_000      # leads per leads/status-changes block

# current lead_status counts at scale 1 (UNKNOWN and NEW_LEAD are modelled separately)
_STATUS_COUNTS = {
    "UNKNOWN": 27582, "NEW_LEAD": 14724, "QUALIFIED": 4063, "NO_ANSWER": 3124,
    "NOT_QUALIFIED": 2821, "CALL_AGAIN": 923, "FOLLOW_UP": 921, "WHATSAPP": 844,
    "LOW_BUDGET": 547, "SWITCHED_OFF": 440, "SPAM": 304, "WRONG_NUMBER": 299,
    "HIGH_INTEREST": 156, "DONE_DEAL": 84, "ALREADY_BOUGHT": 51, "RESALE_REQUEST": 45,
    "MEETING_DONE": 37,
}

# planned campaign length in whole days (then +/- a few hours for some)
_DURATIONS = {1: 0.30, 2: 0.19, 3: 0.16, 4: 0.06, 5: 0.08, 6: 0.02, 7: 0.09, 10: 0.025,
              14: 0.025, 15: 0.01, 20: 0.005, 21: 0.005, 30: 0.015, 45: 0.003, 60: 0.004,
              90: 0.002}
_LONG_TAIL = 0.002  # share of campaigns planned for 91..376 days

_START_HOUR_W = [0.5, 0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.5, 2.5, 3.0, 3.2, 3.2, 3.0,
                 2.8, 2.5, 2.2, 2.0, 1.8, 1.8, 1.6, 1.2, 0.8]
_LEAD_HOUR_W = [4.5, 3.2, 2.0, 1.2, 1.0, 1.1, 1.6, 2.4, 3.2, 3.8, 4.2, 4.5, 4.7, 4.8, 4.9,
                5.0, 5.2, 5.4, 5.8, 6.3, 6.7, 6.9, 6.6, 5.6]

# per ad set per day marginals, as (quantile, value) knots interpolated in log space
_SPEND_Q = [(1e-7, 0.01), (0.01, 0.9), (0.05, 5.0), (0.10, 13.0), (0.25, 45.0),
            (0.50, 142.0), (0.75, 390.0), (0.90, 740.0), (0.95, 1200.0), (0.99, 2900.0),
            (0.999, 9000.0), (0.99999, 30000.0), (1 - 1e-7, 55000.0)]
_IMPR_Q = [(1e-7, 1.0), (0.01, 4.0), (0.10, 55.0), (0.25, 210.0), (0.50, 640.0),
           (0.75, 1500.0), (0.90, 3600.0), (0.95, 7500.0), (0.99, 40000.0),
           (0.999, 150000.0), (1 - 1e-7, 900000.0)]
_CTR_Q = [(1e-7, 0.0002), (0.01, 0.0025), (0.10, 0.0090), (0.25, 0.018), (0.50, 0.034),
          (0.75, 0.050), (0.90, 0.074), (0.99, 0.15), (1 - 1e-7, 0.30)]
# hours from NEW_LEAD to the next status
_DELAY_Q = [(0.0, 0.02), (0.10, 8.0), (0.25, 21.0), (0.50, 44.0), (0.75, 360.0),
            (0.76, 600.0)]
_LATE_SHARE = 0.24  # leads whose next status came in a later clean-up, any time up to the export

_FIRST = [  # (latin, arabic, weight)
    ("Mohamed", "محمد", 9), ("Ahmed", "أحمد", 8), ("Mahmoud", "محمود", 4), ("Mostafa", "مصطفى", 4),
    ("Omar", "عمر", 3), ("Ali", "علي", 3), ("Hassan", "حسن", 2), ("Hussein", "حسين", 2),
    ("Ibrahim", "إبراهيم", 2), ("Youssef", "يوسف", 3), ("Khaled", "خالد", 3), ("Tarek", "طارق", 2),
    ("Amr", "عمرو", 3), ("Karim", "كريم", 2), ("Sherif", "شريف", 2), ("Hany", "هاني", 1.5),
    ("Hesham", "هشام", 1.5), ("Walid", "وليد", 1.5), ("Ayman", "أيمن", 1.5), ("Ashraf", "أشرف", 1.5),
    ("Tamer", "تامر", 1.5), ("Islam", "إسلام", 1.5), ("Sameh", "سامح", 1), ("Mina", "مينا", 1.5),
    ("Peter", "بيتر", 1), ("Fady", "فادي", 1), ("Bishoy", "بيشوي", 1), ("Ramy", "رامي", 1.5),
    ("Sayed", "سيد", 1), ("Adel", "عادل", 1), ("Essam", "عصام", 1), ("Yasser", "ياسر", 1),
    ("Hazem", "حازم", 1), ("Osama", "أسامة", 1), ("Ehab", "إيهاب", 1), ("Emad", "عماد", 1),
    ("Magdy", "مجدي", 1), ("Nader", "نادر", 1), ("Wael", "وائل", 1), ("Ziad", "زياد", 1.5),
    ("Seif", "سيف", 1.5), ("Marwan", "مروان", 1), ("Abdelrahman", "عبد الرحمن", 2),
    ("Abdallah", "عبد الله", 1.5), ("Gamal", "جمال", 1), ("Samir", "سمير", 1), ("Nabil", "نبيل", 1),
    ("Hamdy", "حمدي", 1), ("Reda", "رضا", 1), ("Maged", "ماجد", 1), ("Fathy", "فتحي", 0.8),
    ("Fatma", "فاطمة", 2), ("Aya", "آية", 2), ("Nour", "نور", 2), ("Mariam", "مريم", 2),
    ("Sara", "سارة", 2), ("Yasmin", "ياسمين", 1.5), ("Heba", "هبة", 1.5), ("Mona", "منى", 1.5),
    ("Dina", "دينا", 1.5), ("Rania", "رانيا", 1.5), ("Nada", "ندى", 1.5), ("Salma", "سلمى", 1.5),
    ("Hagar", "هاجر", 1), ("Asmaa", "أسماء", 1), ("Eman", "إيمان", 1.5), ("Shaimaa", "شيماء", 1),
    ("Doaa", "دعاء", 1), ("Marwa", "مروة", 1), ("Noha", "نهى", 1), ("Reem", "ريم", 1),
    ("Amira", "أميرة", 1), ("Nesma", "نسمة", 1), ("Mai", "مي", 1), ("Radwa", "رضوى", 1),
    ("Ghada", "غادة", 1), ("Hend", "هند", 1), ("Laila", "ليلى", 1), ("Nermeen", "نرمين", 1),
    ("Samar", "سمر", 1), ("Esraa", "إسراء", 1), ("Rana", "رنا", 1), ("Habiba", "حبيبة", 1),
    ("Farida", "فريدة", 1), ("Malak", "ملك", 1), ("Marina", "مارينا", 0.8), ("Christine", "كريستين", 0.6),
]
_N_MALE = 51  # _FIRST lists male names first
_LAST = [
    ("Hassan", "حسن", 4), ("Mohamed", "محمد", 5), ("Ahmed", "أحمد", 4), ("Ali", "علي", 3),
    ("Ibrahim", "إبراهيم", 3), ("Mahmoud", "محمود", 3), ("Mostafa", "مصطفى", 2), ("Abdelaziz", "عبد العزيز", 1.5),
    ("Saleh", "صالح", 1.5), ("Farouk", "فاروق", 1), ("Fahmy", "فهمي", 1), ("Shawky", "شوقي", 1),
    ("Gaber", "جابر", 1), ("Soliman", "سليمان", 1.5), ("Ramadan", "رمضان", 1.5), ("El-Sayed", "السيد", 2),
    ("Abdelrahman", "عبد الرحمن", 1.5), ("Kamal", "كمال", 1.5), ("Nasser", "ناصر", 1), ("Fouad", "فؤاد", 1),
    ("Zaki", "زكي", 1), ("Lotfy", "لطفي", 1), ("Hamed", "حامد", 1), ("Said", "سعيد", 1.5),
    ("Youssef", "يوسف", 1.5), ("Khalil", "خليل", 1), ("Salem", "سالم", 1), ("Atef", "عاطف", 1),
    ("Hegazy", "حجازي", 1), ("Sabry", "صبري", 1), ("Morsi", "مرسي", 1), ("Radwan", "رضوان", 1),
    ("Tawfik", "توفيق", 1), ("Naguib", "نجيب", 1), ("Ghoneim", "غنيم", 1), ("Shehata", "شحاتة", 1),
    ("Badawy", "بدوي", 1), ("Mansour", "منصور", 1.5), ("Amin", "أمين", 1), ("Sharaf", "شرف", 1),
    ("Helmy", "حلمي", 1), ("Hosny", "حسني", 1), ("Abdelhamid", "عبد الحميد", 1), ("El Masry", "المصري", 1.5),
    ("Mekky", "مكي", 0.8), ("Shafik", "شفيق", 0.8), ("Wahba", "وهبة", 0.8), ("Ezzat", "عزت", 1),
    ("Girgis", "جرجس", 1), ("Hanna", "حنا", 1), ("Boutros", "بطرس", 0.8), ("Labib", "لبيب", 0.8),
    ("Nasr", "نصر", 1), ("El Gohary", "الجوهري", 0.8), ("Attia", "عطية", 1), ("Khattab", "خطاب", 0.8),
    ("Saber", "صابر", 1), ("Gad", "جاد", 0.8), ("Osman", "عثمان", 1), ("Elshazly", "الشاذلي", 0.8),
]
_NICKNAMES = ["Mido", "Hamo", "Zizo", "Bob", "Sosa", "Toto", "Dodo", "Koko"]
_DOMAINS = ["example.com", "example.com", "example.com", "example.net", "example.org"]

# projects: a few famous compounds (with case variants that are distinct projects) ...
_CURATED_PROJECTS = [
    "ICity", "iCity", "Sodic East", "SODIC East", "Il Bosco", "IL Bosco",
    "Kings Way", "Bloomfields", "Mountain View iCity", "Palm Hills October", "Hyde Park",
    "Mivida", "Badya", "Sodic West", "Zed East", "Zed West", "Villette", "Taj City",
    "Madinaty", "Rehab City", "O West", "Creek Town", "Eastown", "Westown", "Allegria",
    "Cairo Festival City", "Mountain View Chillout Park", "Silver Sands", "Marassi",
    "Hacienda Bay", "Hacienda West", "Stone Park", "Swan Lake", "Lake View Residence",
    "The Crown", "Sarai", "Azha", "La Vista City", "Belle Vie", "Solana", "June",
    "Telal East", "Noor City", "Tag Sultan", "Fifth Square", "Lugar", "Bo Islands",
    "Katameya Heights", "Uptown Cairo", "Celia", "Vye", "Aliva", "Trio Gardens",
    "Il Bosco City", "Palm Hills New Cairo", "Mountain View Hyde Park", "Galleria Moon Valley",
]
# ... and many more from word lists
_PREFIX = ["Palm", "Royal", "Green", "Golden", "Sky", "Blue", "Silver", "Cedar", "Jasmine",
           "Lotus", "Ivory", "Crystal", "Olive", "Sun", "Moon", "Stone", "Amber", "Coral",
           "Pearl", "Rose", "Lake", "Nile", "Sea", "Desert", "Garden", "Grand", "Capital",
           "Sierra", "Vista", "Aurora", "Noble", "Emerald", "Sapphire", "Maple", "Orchid",
           "Horizon", "Canal", "Zayed", "Lagoon", "Azure"]
_SUFFIX = ["Hills", "Heights", "Gardens", "Residence", "Park", "Valley", "Bay", "Towers",
           "Square", "Walk", "City", "Ville", "Springs", "Terraces", "Views", "Point", "Oasis",
           "Gate", "Lagoons", "Creek", "Ridge", "Avenue", "Compound", "District", "Village",
           "Resort", "Plaza", "Court", "Island", "Breeze"]
_PLACES = ["October", "New Cairo", "Sheikh Zayed", "New Capital", "North Coast", "Ain Sokhna",
           "Mostakbal City", "Shorouk", "Sahel", "New Zayed", "5th Settlement", "West", "East",
           "6th of October", "Galala"]

_BUDGETS = [(1200, 0.76), (2000, 0.05), (3000, 0.035), (1500, 0.03), (5000, 0.02)]


# ------------------------------------------------------------------------- helpers
def _rng(seed: int, stage: int, block: int = 0) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(stage, block)))


def _count(base: float, scale: float, minimum: int = 1) -> int:
    return max(minimum, int(round(base * scale)))


def _z_knots(q):
    nd = NormalDist()
    return (np.array([nd.inv_cdf(p) for p, _ in q]), np.log([v for _, v in q]))


def _u_knots(q):
    return np.array([p for p, _ in q]), np.log([v for _, v in q])


def _stratified_normal(rng: np.random.Generator, n: int) -> np.ndarray:
    """n standard-normal draws, one per quantile stratum, in random order."""
    nd = NormalDist()
    u = (rng.permutation(n) + rng.uniform(0.1, 0.9, n)) / n
    return np.array([nd.inv_cdf(float(x)) for x in u])


def _sample(rng: np.random.Generator, weights, n: int) -> np.ndarray:
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    return np.searchsorted(cdf / cdf[-1], rng.random(n), side="right").astype(np.int64)


def _expand(counts: np.ndarray):
    """For counts [2, 3] -> owner [0 0 1 1 1], position-in-owner [0 1 0 1 2], owner starts."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    return owner, np.arange(counts.sum(), dtype=np.int64) - starts[owner], starts


def _ts_array(seconds: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(seconds, dtype="datetime64[s]"))


def _cents_array(cents: np.ndarray) -> pa.Array:
    """int64 cents -> decimal128(18, 2) without going through Python objects."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    limbs = np.empty((len(cents), 2), dtype=np.int64)
    limbs[:, 0] = cents
    limbs[:, 1] = cents >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(limbs)])


class _CsvOut:
    """One CSV file: our own header line, then Arrow tables appended block by block.
    Written to ``<name>.part`` and renamed by ``commit()``, so a failed run leaves no half file."""

    def __init__(self, path: Path, header: str, schema: pa.Schema, quote_text: bool):
        self.path = path
        self.part = path.with_name(path.name + ".part")
        self.sink = pa.OSFile(str(self.part), "wb")
        self.sink.write((header + "\n").encode())
        opts = pacsv.WriteOptions(include_header=False, batch_size=65536,
                                  quoting_style="needed" if quote_text else "none")
        self.writer = pacsv.CSVWriter(self.sink, schema, write_options=opts)
        self.schema = schema
        self.rows = 0

    def write(self, columns: dict) -> None:
        table = pa.table(columns, schema=self.schema)
        self.writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        if not self.sink.closed:
            self.writer.close()
            self.sink.close()

    def commit(self) -> None:
        self.close()
        self.part.replace(self.path)

    def discard(self) -> None:
        try:
            self.close()
        finally:
            self.part.unlink(missing_ok=True)


# ------------------------------------------------------------------------ projects
def _project_names(rng: np.random.Generator, n: int) -> list[str]:
    combos = [f"{p} {s}" for p in _PREFIX for s in _SUFFIX if p != s]
    placed = [f"{c} {pl}" for c in combos for pl in _PLACES]
    taken = set(_CURATED_PROJECTS)
    combos = [c for c in combos if c not in taken]
    placed = [c for c in placed if c not in taken]
    curated = list(_CURATED_PROJECTS[:n])
    rest = n - len(curated)
    plain_n = min(len(combos), int(round(rest * 0.6)))
    perm = rng.permutation(len(combos))
    names = curated + [combos[i] for i in perm[:plain_n]]
    pool = placed + [combos[i] for i in perm[plain_n:]]
    order = rng.permutation(len(pool))
    k = 0
    while len(names) < n:  # beyond the pool: "Kings Way 2", "Kings Way 3", ...
        base = pool[order[k % len(pool)]]
        rep = k // len(pool)
        names.append(base if rep == 0 else f"{base} {rep + 1}")
        k += 1
    return names


# ----------------------------------------------------------------------- campaigns
def _campaigns(seed: int, scale: float) -> dict:
    rng = _rng(seed, 1)
    n_c = _count(N_CAMPAIGNS, scale)
    n_u = min(n_c, _count(N_USERS, scale))
    n_p = min(n_c, _count(N_PROJECTS, scale))

    # business users: heavy-tailed number of campaigns, an active window each
    user_ids = 100 + np.cumsum(rng.integers(1, 9, n_u))
    uz = _stratified_normal(rng, n_u)
    uw = np.exp(1.5 * uz)
    per_user = 1 + rng.multinomial(n_c - n_u, uw / uw.sum())
    pct = (np.argsort(np.argsort(uz)) + 0.5) / n_u
    span = END_TS - START_TS
    join = np.where(rng.random(n_u) < 0.25 + 0.6 * pct, START_TS,
                    START_TS + (rng.random(n_u) * (span - 45 * _DAY)).astype(np.int64))
    stay = rng.random(n_u) < 0.55 + 0.4 * pct
    leave = np.where(stay, END_TS,
                     join + 30 * _DAY + (rng.random(n_u) * (END_TS - join - 30 * _DAY)).astype(np.int64))
    c_user, c_rank, _ = _expand(per_user)  # campaign -> user, n-th campaign of that user

    # projects: each user works on a few, the first one most
    names = _project_names(rng, n_p)
    pw = np.exp(1.4 * _stratified_normal(rng, n_p))
    k_u = 1 + np.minimum(rng.poisson(0.3 + 0.45 * np.log(per_user)), 7)
    slot_owner, slot_pos, slot_start = _expand(k_u)
    slot_proj = _sample(rng, pw, len(slot_owner))
    cover = rng.permutation(n_u)[: min(n_u, n_p)]  # every project is some user's first
    slot_proj[slot_start[cover]] = rng.permutation(n_p)[: len(cover)]
    slot = np.minimum(rng.geometric(0.5, n_c) - 1, k_u[c_user] - 1)
    slot[c_rank == 0] = 0
    c_proj = slot_proj[slot_start[c_user] + slot]

    # planned run
    t = join[c_user] + (rng.random(n_c) * (leave - join)[c_user]).astype(np.int64)
    day = np.clip(t // _DAY, START_DAY, END_DAY)
    friday = ((day + 3) % 7 == 4) & (rng.random(n_c) < 0.6)  # fewer launches on Fridays
    day = np.clip(day + friday * rng.choice(np.array([-1, 1]), n_c), START_DAY, END_DAY)
    start = day * _DAY + _sample(rng, _START_HOUR_W, n_c) * 3600 + rng.integers(0, 3600, n_c)
    dur_vals = np.array(list(_DURATIONS))
    dur_p = np.array(list(_DURATIONS.values()))
    days = dur_vals[_sample(rng, dur_p, n_c)]
    tail = rng.random(n_c) < _LONG_TAIL
    days = np.where(tail, rng.integers(91, 377, n_c), days)
    if n_c >= 1000:  # the longest real campaign ran 376 days
        days[rng.integers(0, n_c)] = 376
    jitter = np.where(rng.random(n_c) < 0.25, rng.integers(-6 * 3600, 6 * 3600, n_c), 0)
    stop = start + np.maximum(days * _DAY + jitter, 3600)

    # daily budget: 1,200 for most, a few round amounts, a long tail up to 100,000
    kind = _sample(rng, [p for _, p in _BUDGETS] + [0.095, 0.01], n_c)
    fixed = np.array([b for b, _ in _BUDGETS] + [0, 0])
    mid = np.clip(np.round(np.exp(rng.normal(np.log(2200), 0.5, n_c)) / 50) * 50, 1250, 9500)
    big = np.round(np.exp(rng.normal(np.log(12000), 0.8, n_c)) / 1000) * 1000
    budget = np.where(kind < len(_BUDGETS), fixed[np.minimum(kind, len(fixed) - 1)],
                      np.where(kind == len(_BUDGETS), mid, np.clip(big, 7000, 100000)))
    if n_c >= 1000:
        budget[rng.integers(0, n_c)] = 100000
    budget = budget.astype(np.int64)

    # campaign ids grow with creation time
    order = np.argsort(start, kind="stable")
    c_user, c_proj, start, stop, budget = (a[order] for a in (c_user, c_proj, start, stop, budget))
    ids = 1000 + np.cumsum(1 + (rng.random(n_c) < 0.04) * rng.integers(1, 4, n_c))

    # which campaigns delivered (got insights), and for how many days
    n_ins = min(n_c, _count(N_INSIGHT_CAMPAIGNS, scale))
    has_ins = np.zeros(n_c, dtype=bool)
    has_ins[rng.permutation(n_c)[:n_ins]] = True
    start_day = start // _DAY
    stop_day = stop // _DAY
    cal = stop_day - start_day + 1
    n_in = 1 + rng.binomial(cal - 1, 0.49)
    full = n_in == cal
    n_after = np.where(full & (rng.random(n_c) < 0.26), rng.geometric(0.4, n_c), 0)
    n_in = np.minimum(n_in, END_DAY - start_day + 1)
    n_after = np.clip(np.minimum(n_after, END_DAY - stop_day), 0, None)
    n_days = np.where(has_ins, n_in + n_after, 0)
    last_day = np.where(n_after > 0, stop_day + n_after, start_day + n_in - 1)

    # ad sets: Facebook-style 18-digit ids, unique and growing
    adset_base = 120210000000000000 + np.cumsum(rng.integers(10**8, 10**10, n_c))
    adset_off = np.cumsum(rng.integers(1, 2000, (n_c, ADSETS_PER_CAMPAIGN)), axis=1)
    adset_ids = adset_base[:, None] + adset_off

    lb = np.log(budget / 1200.0)
    b_std = (lb - lb.mean()) / (lb.std() or 1.0)

    # dirt: project names with stray spaces; insight dirt on disjoint delivering campaigns
    trimmed = rng.permutation(n_c)[: min(n_c, _count(N_TRIMMED_NAMES, scale))]
    ins_idx = np.flatnonzero(has_ins)
    k_dup, k_conf, k_over = (_count(x, scale) for x in (N_INSIGHT_DUPS, N_INSIGHT_CONFLICTS, N_CLICKS_OVER))
    pick = rng.permutation(ins_idx)[: k_dup + k_conf + k_over]
    dirt = np.zeros(n_c, dtype=np.int8)  # 1 duplicate row, 2 conflicting row, 3 clicks > impressions
    dirt[pick[:k_dup]] = 1
    dirt[pick[k_dup:k_dup + k_conf]] = 2
    dirt[pick[k_dup + k_conf:]] = 3

    return dict(
        n=n_c, ids=ids, user_ids=user_ids[c_user], proj=c_proj, names=names, start=start,
        stop=stop, budget=budget, has_ins=has_ins, start_day=start_day, stop_day=stop_day,
        n_in=n_in, n_days=n_days, last_day=last_day, adset_ids=adset_ids, b_std=b_std,
        effect=rng.standard_normal(n_c), tail_fmt=rng.random(n_c) < 0.30, dirt=dirt,
        trimmed=trimmed, pad=rng.integers(0, 10, len(trimmed)),
    )


def _write_campaigns(out: Path, c: dict) -> _CsvOut:
    name = pa.array(c["names"], type=pa.string()).take(pa.array(c["proj"]))
    pad = np.full(c["n"], -1, dtype=np.int8)  # stray spaces: mostly trailing, some leading, a few both
    pad[c["trimmed"]] = np.where(c["pad"] < 2, 0, np.where(c["pad"] < 3, 1, 2))
    j = pc.binary_join_element_wise
    sp = pa.scalar(" ")
    names = pc.case_when(
        pc.make_struct(pa.array(pad == 0), pa.array(pad == 1), pa.array(pad == 2), field_names=list("abc")),
        j(sp, name, ""), j(sp, name, sp, ""), j(name, sp, ""), name)
    schema = pa.schema([("id", pa.int64()), ("daily_budget", pa.int64()),
                        ("start_time", pa.string()), ("stop_time", pa.string()),
                        ("user_id", pa.int64()), ("project_name", pa.string())])
    f = _CsvOut(out / "campaigns.csv", HEADERS["campaigns.csv"], schema, quote_text=True)
    f.write({"id": c["ids"], "daily_budget": c["budget"],
             "start_time": _ts_array(c["start"]).cast(pa.string()),
             "stop_time": _ts_array(c["stop"]).cast(pa.string()),
             "user_id": c["user_ids"], "project_name": names})
    f.close()
    return f


# ------------------------------------------------------------------------ insights
def _insights_block(rng: np.random.Generator, c: dict, lo: int, hi: int, knots: dict):
    idx = lo + np.flatnonzero(c["has_ins"][lo:hi])
    d = c["n_days"][idx]
    per = ADSETS_PER_CAMPAIGN * d
    owner, within, _ = _expand(per)
    dd = d[owner]
    adset_k = within // dd
    day_k = within % dd
    ci = idx[owner]
    n_in = c["n_in"][ci]
    day = np.where(day_k < n_in, c["start_day"][ci] + day_k, c["stop_day"][ci] + 1 + day_k - n_in)
    keep = (day_k == 0) | (rng.random(len(day)) >= 0.07)  # ad sets skip some days
    owner, adset_k, day, ci = owner[keep], adset_k[keep], day[keep], ci[keep]
    n = len(day)

    # spend: campaign budget + campaign effect + ad set effect + daily noise, mapped to the marginal
    a = rng.standard_normal((len(idx), ADSETS_PER_CAMPAIGN))[owner, adset_k]
    z = (0.35 * c["b_std"][ci] + 0.55 * c["effect"][ci] + 0.35 * a + 0.67 * rng.standard_normal(n)) / 0.998
    cents = np.maximum(np.rint(np.exp(np.interp(z, *knots["spend"])) * 100), 1).astype(np.int64)
    z2 = 0.85 * z + 0.527 * rng.standard_normal(n)
    impr = np.maximum(np.rint(np.exp(np.interp(z2, *knots["impr"]))), 1).astype(np.int64)
    # thin rows click more: fewer zero-click rows than an independent CTR would give
    ctr = np.exp(np.interp(-0.25 * z2 + 0.968 * rng.standard_normal(n), *knots["ctr"]))
    clicks = rng.binomial(impr, ctr)
    ratio = np.clip(1 - np.exp(np.log(0.06) + 0.8 * rng.standard_normal(n)), 0.15, 0.9999)
    reach = np.clip(np.floor(impr * ratio), 1, np.maximum(impr - 1, 1)).astype(np.int64)
    tiny = rng.random(n) < 0.0005  # almost nothing delivered: 0.01 spent
    cents[tiny] = 1
    impr[tiny] = rng.integers(1, 6, tiny.sum())
    clicks[tiny] = 0
    reach[tiny] = np.maximum(impr[tiny] - 1, 1)

    # dirt on flagged campaigns: one row each
    starts = np.searchsorted(owner, np.arange(len(idx)))
    ends = np.append(starts[1:], n)
    flag = c["dirt"][idx]
    fpos = np.flatnonzero(flag)
    rows = starts[fpos] + (rng.random(len(fpos)) * (ends[fpos] - starts[fpos])).astype(np.int64)
    kinds = flag[fpos]
    over = rows[kinds == 3]
    impr[over] = rng.integers(1, 9, len(over))
    clicks[over] = impr[over] + rng.integers(1, 4, len(over))
    reach[over] = np.maximum(impr[over] - 1, 1)
    cents[over] = rng.integers(1, 500, len(over))
    spend_by_campaign = np.bincount(owner, weights=cents, minlength=len(idx)) / 100.0

    dup = rows[kinds == 1]
    conf = rows[kinds == 2]
    extra = np.concatenate([dup, conf])
    src = np.concatenate([np.arange(n), extra])
    cents, impr, clicks, reach = (np.concatenate([v, v[extra]]) for v in (cents, impr, clicks, reach))
    m = len(conf)
    if m:  # a later re-sync reported other numbers for the same ad set and day
        sl = slice(n + len(dup), n + len(dup) + m)
        old = cents[sl]
        new = np.maximum(np.rint(old * rng.uniform(0.5, 1.6, m)), 1).astype(np.int64)
        cents[sl] = np.where(new == old, new + 1, new)
        impr[sl] = np.maximum(np.rint(impr[sl] * rng.uniform(0.6, 1.5, m)), 2).astype(np.int64)
        clicks[sl] = rng.binomial(impr[sl], 0.03)
        reach[sl] = np.clip(np.floor(impr[sl] * 0.9), 1, impr[sl] - 1).astype(np.int64)
    # file order: by day; copies land next to their original or elsewhere on that day
    tie = np.concatenate([np.arange(n), rng.integers(0, n, len(extra))])
    order = np.lexsort((tie, day[src]))
    src = src[order]
    ci_s = ci[src]
    day_s = day[src]
    dstr = pa.array(day_s.astype(np.int32), type=pa.int32()).cast(pa.date32())
    created = pc.if_else(pa.array(c["tail_fmt"][ci_s]),
                         _ts_array(day_s * _DAY).cast(pa.string()), dstr.cast(pa.string()))
    cols = {
        "ad_set_id": c["adset_ids"][ci_s, adset_k[src]],
        "campaign_id": c["ids"][ci_s],
        "reach": reach[order], "spend": _cents_array(cents[order]), "clicks": clicks[order],
        "impressions": impr[order], "created_at": created,
    }
    return cols, idx, spend_by_campaign


# --------------------------------------------------------------------------- leads
def _lead_arrivals(seed: int, scale: float, c: dict, spend: np.ndarray):
    """Campaign index and added timestamp of every lead, sorted by time (lead ids follow this order)."""
    rng = _rng(seed, 3)
    n_leads = _count(N_LEADS, scale)
    k = min(c["n"], _count(N_LEAD_CAMPAIGNS, scale), n_leads)
    ins = np.flatnonzero(c["has_ins"])
    noins = np.flatnonzero(~c["has_ins"])
    k_no = min(len(noins), int(round(k * 0.015)))
    k_in = min(len(ins), k - k_no)
    k_no = min(len(noins), k - k_in)
    s = np.maximum(spend[ins], 0.01)
    key = 0.6 * np.log(s) + rng.gumbel(size=len(ins))  # weighted sampling without replacement
    chosen_in = ins[np.argsort(-key, kind="stable")[:k_in]]
    chosen_no = rng.permutation(noins)[:k_no]
    # half of them only trickle a lead or two; the rest scale with spend
    w_in = (np.maximum(spend[chosen_in], 0.01) ** 0.55 * np.exp(1.25 * rng.standard_normal(k_in))
            * np.where(rng.random(k_in) < 0.5, 0.03, 1.0))
    ref = np.median(w_in) if k_in else 1.0
    w_no = 0.03 * ref * np.exp(1.0 * rng.standard_normal(k_no))
    camps = np.concatenate([chosen_in, chosen_no])
    w = np.concatenate([w_in, w_no])
    counts = 1 + rng.multinomial(n_leads - len(camps), w / w.sum())

    # arrival times, drawn within each campaign's delivery window, a block at a time
    first = c["start_day"][camps]
    last = np.where(c["has_ins"][camps], c["last_day"][camps], np.minimum(c["stop_day"][camps], END_DAY))
    last = np.maximum(np.minimum(last, END_DAY), first)
    start = c["start"][camps]
    owner = np.repeat(np.arange(len(camps), dtype=np.int32), counts)
    ts = np.empty(len(owner), dtype=np.int64)
    for lo in range(0, len(owner), 1_000_000):
        o = owner[lo:lo + 1_000_000]
        n = len(o)
        f, span, st = first[o], last[o] - first[o] + 1, start[o]
        t = (f + (rng.random(n) * span).astype(np.int64)) * _DAY
        t += _sample(rng, _LEAD_HOUR_W, n) * 3600 + rng.integers(0, 3600, n)
        early = t < st  # not before the campaign started
        t[early] = st[early] + (rng.random(early.sum()) * ((st[early] // _DAY + 1) * _DAY - st[early])).astype(np.int64)
        late = t > END_TS
        t[late] = st[late] + (rng.random(late.sum()) * (END_TS - st[late])).astype(np.int64)
        ts[lo:lo + n] = t
    order = np.argsort(ts, kind="stable")
    ts = ts[order]
    owner = owner[order]
    del order
    return camps.astype(np.int64)[owner], ts


def _names(rng: np.random.Generator, n: int):
    fl = pa.array([f for f, _, _ in _FIRST])
    fa = pa.array([a for _, a, _ in _FIRST])
    ll = pa.array([x for x, _, _ in _LAST])
    la = pa.array([a for _, a, _ in _LAST])
    fkey = pa.array([f.lower().replace("-", "").replace(" ", "") for f, _, _ in _FIRST])
    lkey = pa.array([x.lower().replace("-", "").replace(" ", "") for x, _, _ in _LAST])
    fi_np = _sample(rng, [w for *_, w in _FIRST], n)
    fi = pa.array(fi_np)
    mi = pa.array(_sample(rng, [w for *_, w in _FIRST[:_N_MALE]], n))  # father: a male name
    li = pa.array(_sample(rng, [w for *_, w in _LAST], n))
    first, middle, last = fl.take(fi), fl.take(mi), ll.take(li)
    j = pc.binary_join_element_wise
    two = j(first, last, " ")
    r = rng.random(n)
    nick = pa.array(_NICKNAMES).take(pa.array(rng.integers(0, len(_NICKNAMES), n)))
    name = pc.case_when(
        pc.make_struct(pa.array(r < 0.10), pa.array(r < 0.13), pa.array(r < 0.28),
                       pa.array(r < 0.35), pa.array(r < 0.37), pa.array(r < 0.40),
                       pa.array((r < 0.402) & (fi_np < _N_MALE)), pa.array(r < 0.405), pa.array(r < 0.415),
                       field_names=list("abcdefghi")),
        j(fa.take(fi), la.take(li), " "),                  # Arabic script
        j(fa.take(fi), fa.take(mi), la.take(li), " "),
        j(first, middle, last, " "),                       # first + father + family
        pc.utf8_lower(two),
        pc.utf8_upper(two),
        first,                                             # first name only
        j(first, j(pa.scalar('"'), nick, pa.scalar('"'), ""), last, " "),  # Ahmed "Mido" Hassan (men)
        j(last, first, ", "),                              # Hassan, Ahmed
        j(two, pa.scalar(" "), ""),                        # trailing space
        two,
    )
    fk, lk = fkey.take(fi), lkey.take(li)
    r2 = rng.random(n)
    yy = pc.utf8_lpad(pa.array(rng.integers(0, 100, n)).cast(pa.string()), width=2, padding="0")
    num = pa.array(rng.integers(1, 1000, n)).cast(pa.string())
    year = pa.array(rng.integers(1965, 2007, n)).cast(pa.string())
    local = pc.case_when(
        pc.make_struct(pa.array(r2 < 0.35), pa.array(r2 < 0.50), pa.array(r2 < 0.60),
                       pa.array(r2 < 0.75), pa.array(r2 < 0.85), pa.array(r2 < 0.90),
                       field_names=list("abcdef")),
        j(j(fk, lk, "."), yy, ""),                         # ahmed.hassan87
        j(fk, lk, ""),
        j(fk, j(lk, year, ""), "_"),
        j(fk, num, ""),
        j(pc.utf8_slice_codeunits(fk, 0, 1), lk, ""),
        j(lk, fk, "."),
        j(fk, lk, "."),
    )
    dom = pa.array(_DOMAINS).take(pa.array(rng.integers(0, len(_DOMAINS), n)))
    email = j(local, dom, "@")
    return name, email


def _phones(rng: np.random.Generator, n: int):
    def digits(k):
        return pc.utf8_lpad(pa.array(rng.integers(0, 10**k, n)).cast(pa.string()), width=k, padding="0")

    j = pc.binary_join_element_wise
    op = pa.array(["0", "1", "2", "5"]).take(pa.array(_sample(rng, [4, 3, 2, 1], n)))
    d8 = digits(8)
    area = pa.array(rng.integers(201, 990, n)).cast(pa.string())
    exch = pa.array(rng.integers(200, 999, n)).cast(pa.string())
    line = digits(4)
    r = rng.random(n)
    return pc.case_when(
        pc.make_struct(*(pa.array(r < x) for x in (0.03, 0.52, 0.70, 0.76, 0.79, 0.81, 0.85, 0.89, 0.94, 0.97)),
                       field_names=list("abcdefghij")),
        pa.nulls(n, pa.string()),                               # empty
        j(pa.scalar("+201"), op, d8, ""),                        # +201012345678
        j(pa.scalar("01"), op, d8, ""),                          # 01012345678
        j(pa.scalar("201"), op, d8, ""),                         # 201012345678
        j(pa.scalar("+201"), op, d8, digits(1), ""),             # +2015628437879 (one digit too many)
        j(pa.scalar("00201"), op, d8, ""),                       # 00201012345678
        j(pa.scalar("+1"), area, exch, line, "-"),               # +1-615-909-5723
        j(area, exch, line, "-"),                                # 310-242-6257
        j(pa.scalar("+9665"), d8, ""),                           # Saudi mobile
        j(pa.scalar("+9715"), d8, ""),                           # UAE mobile
        j(pa.scalar("+201"), op, d8, ""),
    )


def _status_params(ts: np.ndarray):
    """Current status depends on lead age: older leads are more often UNKNOWN, newer NEW_LEAD.
    Returns the mean age m and the base NEW_LEAD share that keep the overall mix on target."""
    total = sum(_STATUS_COUNTS.values())
    p_unk = _STATUS_COUNTS["UNKNOWN"] / total
    p_new = _STATUS_COUNTS["NEW_LEAD"] / total
    if len(ts) == 0:
        return 0.5, p_new / (1 - p_unk)
    step = 1_000_000
    tfs = lambda lo: (ts[lo:lo + step] - START_TS) / float(END_TS - START_TS)  # noqa: E731
    m = sum(float(tfs(lo).sum()) for lo in range(0, len(ts), step)) / len(ts)
    rest_sum = rest_dev = 0.0
    for lo in range(0, len(ts), step):
        tf = tfs(lo)
        rest = 1 - np.clip(p_unk + 0.7 * (m - tf), 0.03, 0.97)
        rest_sum += float(rest.sum())
        rest_dev += float((rest * (tf - m)).sum())
    return m, (p_new * len(ts) - 0.5 * rest_dev) / rest_sum


def _statuses(rng, tf, m, base):
    n = len(tf)
    others = [s for s in _STATUS_COUNTS if s not in ("UNKNOWN", "NEW_LEAD")]
    ow = np.array([_STATUS_COUNTS[s] for s in others], dtype=float)
    other_codes = np.array([_S[s] for s in others], dtype=np.int8)
    pu = np.clip(_STATUS_COUNTS["UNKNOWN"] / sum(_STATUS_COUNTS.values()) + 0.7 * (m - tf), 0.03, 0.97)
    pn = np.clip(base + 0.5 * (tf - m), 0.05, 0.95)
    status = other_codes[_sample(rng, ow, n)]
    status[rng.random(n) < pn] = _S["NEW_LEAD"]
    status[rng.random(n) < pu] = _S["UNKNOWN"]
    return status


_INTERMEDIATE = [("NO_ANSWER", 0.35), ("CALL_AGAIN", 0.20), ("FOLLOW_UP", 0.15),
                 ("WHATSAPP", 0.12), ("SWITCHED_OFF", 0.08), ("QUALIFIED", 0.10)]


def _status_log(rng, status: np.ndarray, added: np.ndarray, delay_knots):
    """Up to three logged changes per lead: (n, 3) codes, (n, 3) times and the log length."""
    n = len(status)
    new, unk = _S["NEW_LEAD"], _S["UNKNOWN"]
    r = rng.random(n)
    is_new, is_unk = status == new, status == unk
    logged = np.where(is_unk, r < 0.02, r < 0.873)
    # path length for known non-new statuses: 1 = [X], 2 = [NEW_LEAD, X], 3 = [NEW_LEAD, Y, X]
    u = rng.random(n)
    l1, l2 = np.full(n, 0.20), np.full(n, 0.88)
    l1[status == _S["QUALIFIED"]], l2[status == _S["QUALIFIED"]] = 0.12, 0.62
    l1[status == _S["NO_ANSWER"]], l2[status == _S["NO_ANSWER"]] = 0.15, 0.95
    length = np.where(u < l1, 1, np.where(u < l2, 2, 3))
    mid_codes = np.array([_S[s] for s, _ in _INTERMEDIATE], dtype=np.int8)
    mid = mid_codes[_sample(rng, [w for _, w in _INTERMEDIATE], n)]
    mid = np.where(mid == status, np.where(status == _S["NO_ANSWER"], _S["CALL_AGAIN"], _S["NO_ANSWER"]), mid)
    length[is_new] = 1
    # UNKNOWN leads that do have a log (the CRM reset them): [NEW_LEAD] or [NEW_LEAD, X]
    unk_two = is_unk & (rng.random(n) < 0.4)
    length[is_unk] = 1 + unk_two[is_unk]
    target = np.where(is_unk, mid, status)
    # a few logs disagree with the lead's current status: NEW_LEAD leads get a second step,
    # the others a different last step
    dis = logged & ~is_unk & (rng.random(n) < 0.015)
    ext = dis & is_new
    length[ext] = 2
    target[ext] = mid[ext]
    alt = mid_codes[_sample(rng, [w for _, w in _INTERMEDIATE], n)]
    alt = np.where(alt == status, _S["NOT_QUALIFIED"], alt)
    repl = dis & ~is_new
    target[repl] = alt[repl]
    mid = np.where(mid == target, np.where(target == _S["FOLLOW_UP"], _S["CALL_AGAIN"], _S["FOLLOW_UP"]), mid)
    codes = np.full((n, 3), new, dtype=np.int8)
    one, two, three = length == 1, length == 2, length == 3
    codes[one, 0] = np.where(is_unk[one], new, target[one])
    codes[two, 1] = target[two]
    codes[three, 1] = mid[three]
    codes[three, 2] = target[three]
    length = np.where(logged, length, 0)

    # times: NEW_LEAD at arrival (or seconds after); the next status after a heavy-tailed
    # wait (or, for some, in a later clean-up at any time up to the export); a third soon after
    t = np.empty((n, 3), dtype=np.int64)
    first_is_new = codes[:, 0] == new
    t0 = added + np.where(rng.random(n) < 0.6, 0, rng.integers(1, 45, n))
    base1 = np.where(first_is_new, t0, added)
    body = (np.exp(np.interp(rng.random(n) * delay_knots[0][-1], *delay_knots)) * 3600).astype(np.int64)
    room = np.maximum(END_TS - base1, 0)
    late = rng.random(n) < _LATE_SHARE
    t1 = base1 + np.where(late, (rng.uniform(0.35, 1.0, n) * room).astype(np.int64), body)
    d2 = (np.exp(np.interp(rng.random(n) * 0.75, *delay_knots)) * 3600).astype(np.int64)
    t[:, 0] = np.where(first_is_new, t0, t1)
    t[:, 1] = t1
    t[:, 2] = t1 + d2
    for k in range(3):  # nothing after the export: squeeze late steps into what was left
        prev = added if k == 0 else t[:, k - 1]
        late = t[:, k] > END_TS
        if late.any():
            room = np.maximum(END_TS - prev[late], 0)
            t[late, k] = prev[late] + (rng.random(late.sum()) * room).astype(np.int64)
    return codes, t, length


# ------------------------------------------------------------------------- driver
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
    knots = {"spend": _z_knots(_SPEND_Q), "impr": _z_knots(_IMPR_Q), "ctr": _z_knots(_CTR_Q)}
    files: list[_CsvOut] = []
    try:
        c = _campaigns(seed, scale)
        files.append(_write_campaigns(out, c))
        say(f"campaigns.csv: {files[0].rows:,} rows")

        schema = pa.schema([("ad_set_id", pa.int64()), ("campaign_id", pa.int64()), ("reach", pa.int64()),
                            ("spend", pa.decimal128(18, 2)), ("clicks", pa.int64()),
                            ("impressions", pa.int64()), ("created_at", pa.string())])
        fi = _CsvOut(out / "insights.csv", HEADERS["insights.csv"], schema, quote_text=False)
        files.append(fi)
        spend = np.zeros(c["n"])
        for b, lo in enumerate(range(0, c["n"], CAMPAIGN_BLOCK)):
            cols, idx, s = _insights_block(_rng(seed, 2, b), c, lo, min(lo + CAMPAIGN_BLOCK, c["n"]), knots)
            spend[idx] = s
            fi.write(cols)
            say(f"insights.csv: {fi.rows:,} rows")
        fi.close()

        lc, ts = _lead_arrivals(seed, scale, c, spend)
        c = {"ids": c["ids"]}  # the rest is no longer needed
        del spend
        m, base = _status_params(ts)
        delay_knots = _u_knots(_DELAY_Q)
        n_leads = len(lc)
        n_blocks = max(1, -(-n_leads // LEAD_BLOCK))
        sizes = np.diff(np.minimum(np.arange(n_blocks + 1) * LEAD_BLOCK, n_leads))
        dups_per_block = _rng(seed, 4).multinomial(_count(N_CHANGE_DUPS, scale), sizes / sizes.sum())
        lead_schema = pa.schema([("id", pa.int64()), ("campaign_id", pa.int64()), ("name", pa.string()),
                                 ("email", pa.string()), ("phone", pa.string()),
                                 ("lead_status", pa.string()), ("added_date", pa.string())])
        change_schema = pa.schema([("lead_id", pa.int64()), ("status", pa.string()),
                                   ("created_at", pa.timestamp("s"))])
        fl = _CsvOut(out / "campaign_leads.csv", HEADERS["campaign_leads.csv"], lead_schema, quote_text=True)
        files.append(fl)
        fc = _CsvOut(out / "lead_status_changes.csv", HEADERS["lead_status_changes.csv"], change_schema,
                     quote_text=False)
        files.append(fc)
        status_names = pa.array(STATUSES)
        next_id = 1
        for b in range(n_blocks):
            rng = _rng(seed, 5, b)
            sl = slice(b * LEAD_BLOCK, min((b + 1) * LEAD_BLOCK, n_leads))
            camp, added = lc[sl], ts[sl]
            n = len(camp)
            # ids follow arrival order; deleted leads leave small gaps
            ids = next_id - 1 + np.cumsum(1 + (rng.random(n) < 0.02) * rng.integers(1, 4, n))
            next_id = int(ids[-1]) + 1
            status = _statuses(rng, (added - START_TS) / float(END_TS - START_TS), m, base)
            name, email = _names(rng, n)
            phone = _phones(rng, n)
            fl.write({"id": ids, "campaign_id": c["ids"][camp], "name": name, "email": email,
                      "phone": phone, "lead_status": status_names.take(pa.array(status)),
                      "added_date": _ts_array(added).cast(pa.string())})

            codes, t, length = _status_log(rng, status, added, delay_knots)
            mask = np.arange(3)[None, :] < length[:, None]
            who = np.broadcast_to(np.arange(n)[:, None], (n, 3))[mask]
            ccode, ctime = codes[mask], t[mask]
            k = int(dups_per_block[b])
            if k and len(who):
                again = rng.integers(0, len(who), k)
                who, ccode, ctime = (np.concatenate([v, v[again]]) for v in (who, ccode, ctime))
            order = np.lexsort((who, ctime))
            fc.write({"lead_id": ids[who[order]], "status": status_names.take(pa.array(ccode[order])),
                      "created_at": _ts_array(ctime[order])})
            say(f"campaign_leads.csv: {fl.rows:,} rows; lead_status_changes.csv: {fc.rows:,} rows")
        for f in files:
            f.commit()
    except BaseException:
        for f in files:
            f.discard()
        raise
    return {f.path.name: f.rows for f in sorted(files, key=lambda f: FILES.index(f.path.name))}
