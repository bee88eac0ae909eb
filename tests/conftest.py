import sys
from pathlib import Path

# Tests import helpers (csvkit, factories) as top-level modules.
sys.path.insert(0, str(Path(__file__).parent))

# Fixtures of the real-browser tests (sample warehouse, panel servers, Chromium).
pytest_plugins = ["browser_support"]
