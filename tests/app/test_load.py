"""Short form of the load test (`make load` runs 20 sessions for 60 s): concurrent browser
sessions explore, click and forecast against one server with zero errors (short pauses, so
every kind of action runs within 15 s). Figures are
printed by bench/load.py, never asserted here.

The driver runs in its own process: it uses Playwright's asyncio API, which cannot start
inside the event loop pytest-playwright's sync fixtures leave running.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.load]

ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_sessions_cause_no_errors():
    done = subprocess.run(
        [sys.executable, "bench/load.py", "--sessions", "2", "--seconds", "15",
         "--think", "1", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    result = json.loads(done.stdout)
    assert result["error_messages"] == [], result
    assert done.returncode == 0, done.stderr[-2000:]
    assert result["actions"] >= 2 * 2  # every session did several interactions
    assert result["peak_rss_mb"] > 0
