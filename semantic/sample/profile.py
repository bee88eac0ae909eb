"""The real-world profile the sample data imitates: sizes at scale 1, the period, the status
vocabulary and the marginal distributions (budgets, durations, hours, spend, delays)."""

from __future__ import annotations

import numpy as np

STATUSES = (
    "NEW_LEAD", "NO_ANSWER", "CALL_AGAIN", "FOLLOW_UP", "WHATSAPP", "SWITCHED_OFF",
    "QUALIFIED", "HIGH_INTEREST", "MEETING_DONE", "DONE_DEAL", "NOT_QUALIFIED",
    "LOW_BUDGET", "WRONG_NUMBER", "SPAM", "ALREADY_BOUGHT", "RESALE_REQUEST", "UNKNOWN",
)
STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}  # status -> int8 code used internally

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

DAY = 86400
START_DAY = int(np.datetime64("2024-06-01", "D").astype(np.int64))
END_DAY = int(np.datetime64("2025-10-28", "D").astype(np.int64))
START_TS = START_DAY * DAY
END_TS = (END_DAY + 1) * DAY - 1
#: Egypt moved its clocks forward at midnight: local midnight did not exist that day
DST_START_DAY = int(np.datetime64("2025-04-25", "D").astype(np.int64))

CAMPAIGN_BLOCK = 40_000   # campaigns per insights block
LEAD_BLOCK = 250_000      # leads per leads/status-changes block

# current lead_status counts at scale 1 (UNKNOWN and NEW_LEAD are modelled separately)
STATUS_COUNTS = {
    "UNKNOWN": 27582, "NEW_LEAD": 14724, "QUALIFIED": 4063, "NO_ANSWER": 3124,
    "NOT_QUALIFIED": 2821, "CALL_AGAIN": 923, "FOLLOW_UP": 921, "WHATSAPP": 844,
    "LOW_BUDGET": 547, "SWITCHED_OFF": 440, "SPAM": 304, "WRONG_NUMBER": 299,
    "HIGH_INTEREST": 156, "DONE_DEAL": 84, "ALREADY_BOUGHT": 51, "RESALE_REQUEST": 45,
    "MEETING_DONE": 37,
}

# planned campaign length in whole days (then +/- a few hours for some)
DURATIONS = {1: 0.30, 2: 0.19, 3: 0.16, 4: 0.06, 5: 0.08, 6: 0.02, 7: 0.09, 10: 0.025,
             14: 0.025, 15: 0.01, 20: 0.005, 21: 0.005, 30: 0.015, 45: 0.003, 60: 0.004,
             90: 0.002}
LONG_TAIL = 0.002  # share of campaigns planned for 91..376 days

START_HOUR_W = [0.5, 0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.5, 2.5, 3.0, 3.2, 3.2, 3.0,
                2.8, 2.5, 2.2, 2.0, 1.8, 1.8, 1.6, 1.2, 0.8]
LEAD_HOUR_W = [4.5, 3.2, 2.0, 1.2, 1.0, 1.1, 1.6, 2.4, 3.2, 3.8, 4.2, 4.5, 4.7, 4.8, 4.9,
               5.0, 5.2, 5.4, 5.8, 6.3, 6.7, 6.9, 6.6, 5.6]

# per ad set per day marginals, as (quantile, value) knots interpolated in log space
SPEND_Q = [(1e-7, 0.01), (0.01, 0.9), (0.05, 5.0), (0.10, 13.0), (0.25, 45.0),
           (0.50, 142.0), (0.75, 390.0), (0.90, 740.0), (0.95, 1200.0), (0.99, 2900.0),
           (0.999, 9000.0), (0.99999, 30000.0), (1 - 1e-7, 55000.0)]
IMPR_Q = [(1e-7, 1.0), (0.01, 4.0), (0.10, 55.0), (0.25, 210.0), (0.50, 640.0),
          (0.75, 1500.0), (0.90, 3600.0), (0.95, 7500.0), (0.99, 40000.0),
          (0.999, 150000.0), (1 - 1e-7, 900000.0)]
CTR_Q = [(1e-7, 0.0002), (0.01, 0.0025), (0.10, 0.0090), (0.25, 0.018), (0.50, 0.034),
         (0.75, 0.050), (0.90, 0.074), (0.99, 0.15), (1 - 1e-7, 0.30)]
# hours from NEW_LEAD to the next status
DELAY_Q = [(0.0, 0.02), (0.10, 8.0), (0.25, 21.0), (0.50, 44.0), (0.75, 360.0),
           (0.76, 600.0)]
LATE_SHARE = 0.24  # leads whose next status came in a later clean-up, any time up to the export

# the usual daily budgets and their shares (the rest: a mid range and a tail up to 100,000)
BUDGETS = [(1200, 0.76), (2000, 0.05), (3000, 0.035), (1500, 0.03), (5000, 0.02)]

# the middle step of a three-step status log, with weights
INTERMEDIATE = [("NO_ANSWER", 0.35), ("CALL_AGAIN", 0.20), ("FOLLOW_UP", 0.15),
                ("WHATSAPP", 0.12), ("SWITCHED_OFF", 0.08), ("QUALIFIED", 0.10)]
