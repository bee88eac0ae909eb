import os
import sys
from pathlib import Path

import pytest

# Tests import helpers (csvkit, factories) as top-level modules.
sys.path.insert(0, str(Path(__file__).parent))

# Fixtures of the real-browser tests (sample warehouse, panel servers, Chromium).
pytest_plugins = ["browser_support"]


@pytest.fixture(scope="session", autouse=True)
def private_audit_log(tmp_path_factory):
    """Exports made by tests (and by the servers they start) are audited in a temporary log,
    never in the real data/exports_audit.jsonl; a test may still point it elsewhere."""
    previous = os.environ.get("CAMPAIGN_BI_AUDIT_LOG")
    os.environ["CAMPAIGN_BI_AUDIT_LOG"] = str(tmp_path_factory.mktemp("audit") / "audit.jsonl")
    yield
    if previous is None:
        os.environ.pop("CAMPAIGN_BI_AUDIT_LOG", None)
    else:
        os.environ["CAMPAIGN_BI_AUDIT_LOG"] = previous
