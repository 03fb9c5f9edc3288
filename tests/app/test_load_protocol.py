"""Short form of the protocol-level load driver (`make load-protocol` steps up to 40): two
websocket sessions through nginx to the two replicas for about 10 s, one changing Explore's
weight slider, one saving scenario versions; no errors, reruns happened, no save lost.
Figures are bench/load_protocol.py's, never asserted here."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import load_protocol

pytestmark = pytest.mark.load


@pytest.mark.timeout(300)
def test_two_protocol_sessions_rerun_and_save_without_errors():
    # a thread of its own: asyncio.run cannot start inside the event loop that
    # pytest-playwright's sync fixtures leave running when browser tests ran first
    with ThreadPoolExecutor(1) as pool:
        (row,) = pool.submit(load_protocol.drive, [2], seconds=10, seed=1,
                             saver_every=2).result()
    assert row["errors"] == 0, row["error_examples"]
    assert row["reruns"] >= 1 and row["saves"] >= 1, row
    assert row["lost"] == 0
    assert sum(row["replicas"].values()) == 2
