"""Short form of the load test (`make load` runs 20 sessions for 60 s): concurrent browser
sessions explore, click and forecast against one server with zero errors. Figures are
printed by bench/load.py, never asserted here."""

from __future__ import annotations

import pytest

from bench.load import load_test

pytestmark = [pytest.mark.browser, pytest.mark.load]


def test_concurrent_sessions_cause_no_errors():
    result = load_test(sessions=2, seconds=15)
    assert result.errors == []
    assert result.actions >= 2 * 2  # every session did several interactions
    assert result.peak_rss_mb > 0
