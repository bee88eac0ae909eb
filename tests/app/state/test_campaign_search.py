"""The campaign search box's rule on a hand-made campaign list: a term equal to an id picks
that campaign, a term inside a project name (any case) picks that project's campaigns, terms
are comma-separated and OR-ed, and a search that matches nothing says so instead of showing
all data."""

from __future__ import annotations

import pandas as pd
import pytest

from app.state.viewdata import FilterState, narrow_to_search

FOUND = pd.DataFrame({"campaign_id": [7, 42, 420, 1042, 9],
                      "project": ["Kings Way", "Silver Oasis", "kings way east", "Palm Hills",
                                  None]})
BASE = FilterState(business_user=(1122,))


@pytest.mark.parametrize(("text", "expected"), [
    ("42", FilterState(business_user=(1122,), campaign=(42,))),
    ("042", FilterState(business_user=(1122,), no_match=True)),  # ids are matched as written
    ("KINGS", FilterState(business_user=(1122,), project=("Kings Way", "kings way east"))),
    (" oasis , palm", FilterState(business_user=(1122,), project=("Palm Hills",
                                                                  "Silver Oasis"))),
    ("9, hills", FilterState(business_user=(1122,), campaign=(9, 1042))),
    # 7 is in Kings Way: the project filter alone gives the same campaigns
    ("7,way", FilterState(business_user=(1122,), project=("Kings Way", "kings way east"))),
    ("nothing here", FilterState(business_user=(1122,), no_match=True)),
])
def test_search_terms(text, expected):
    assert narrow_to_search(BASE, FOUND, text) == expected
