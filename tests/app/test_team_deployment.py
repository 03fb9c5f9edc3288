"""A team deployment past one process (issue 13): scripts/serve_team.py starts two replicas
behind nginx with sticky sessions, sharing one PostgreSQL; a scenario saved in one replica
opens through the other."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.conftest import ROOT
from tests.app.test_browser_store import save_as, wait_for_builder

pytestmark = pytest.mark.browser

SCRIPT = ROOT / "scripts" / "serve_team.py"
COOKIE = "footprint_replica"
NAME = "Team plan across replicas"


def _team(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                          text=True, timeout=240, check=False)


@pytest.fixture
def team() -> Iterator[dict]:
    """The whole deployment in a folder of its own under /tmp (which the user postgres can
    reach), on free ports; always stopped and removed afterwards."""
    if not os.access("/usr/sbin/nginx", os.X_OK):
        pytest.fail("/usr/sbin/nginx is missing: run `make system-packages` (Debian's nginx)",
                    pytrace=False)
    folder = Path(tempfile.mkdtemp(prefix="footprint-team-test-"))
    try:
        started = _team("start", str(folder), "--port", "0")
        if started.returncode:
            logs = "\n".join(f"--- {p.name}\n{p.read_text()[-1500:]}"
                             for p in folder.rglob("*.log"))
            pytest.fail(f"serve_team.py start failed:\n{started.stderr}\n{logs}",
                        pytrace=False)
        state = json.loads((folder / "team.json").read_text())
        state["folder"] = folder
        yield state
    finally:
        _team("stop", str(folder))
        results = ROOT / "test-results" / "team"
        shutil.rmtree(results, ignore_errors=True)
        results.mkdir(parents=True, exist_ok=True)
        for log in [*folder.glob("*.log"), *(folder / "nginx").glob("*.log")]:
            shutil.copy(log, results / log.name)
        shutil.rmtree(folder, ignore_errors=True)


def replica_of(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """The replica address nginx sent a health check to, and the cookie it set, if any."""
    request = urllib.request.Request(f"{url}/_stcore/health")
    if cookie is not None:
        request.add_header("Cookie", f"{COOKIE}={cookie}")
    with urllib.request.urlopen(request, timeout=5) as resp:
        assert resp.status == 200
        set_cookie = [c for c in resp.headers.get_all("Set-Cookie") or []
                      if c.startswith(f"{COOKIE}=")]
        return resp.headers["X-Footprint-Replica"], (set_cookie or [None])[0]


def cookies_for_each_replica(team: dict) -> dict[str, str]:
    """A cookie value that nginx pins to each replica (address -> value)."""
    found: dict[str, str] = {}
    for i in range(200):
        address, _ = replica_of(team["url"], f"key-{i}")
        found.setdefault(address, f"key-{i}")
        if len(found) == 2:
            return found
    pytest.fail(f"200 cookies all reached {list(found)}")


def test_a_scenario_saved_in_one_replica_opens_through_the_other(team, browser,
                                                                   browser_context_args):
    a = f"127.0.0.1:{team['replicas']['a']['port']}"
    b = f"127.0.0.1:{team['replicas']['b']['port']}"
    # sticky: a browser without the cookie gets one, and the same cookie, the same replica
    first, set_cookie = replica_of(team["url"])
    assert set_cookie and "HttpOnly" in set_cookie
    pinned = set_cookie.split(";")[0].split("=", 1)[1]
    assert {replica_of(team["url"], pinned)[0] for _ in range(5)} == {first}
    pins = cookies_for_each_replica(team)
    assert set(pins) == {a, b}  # two cookies, two replicas

    def browser_on(address: str):
        context = browser.new_context(**browser_context_args)
        context.add_cookies([{"name": COOKIE, "value": pins[address], "url": team["url"]}])
        return context.new_page()

    page = browser_on(a)  # save through nginx, in replica A
    response = page.goto(f"{team['url']}/scenario")
    assert response.headers["x-footprint-replica"] == a
    wait_for_builder(page)
    link = save_as(page, NAME)
    page.get_by_test_id("stToast").filter(has_text="Saved").wait_for(timeout=20_000)
    assert link.startswith(team["url"])
    page.context.close()

    other = browser_on(b)  # open the link through nginx, in replica B
    response = other.goto(link)
    assert response.headers["x-footprint-replica"] == b
    wait_for_builder(other)
    other.wait_for_function(
        "name => document.querySelector('input[aria-label=\"Scenario name\"]')"
        "?.value === name", arg=NAME, timeout=30_000)
    assert other.get_by_test_id("stAlertContentWarning").count() == 0
    other.context.close()

    # each browser's session (its WebSocket) ran in its own replica: nginx's access log
    stream = re.compile(r'"GET /_stcore/stream HTTP/1.1" 101 upstream=(\S+) replica_key=(\S+)')
    deadline = time.monotonic() + 15  # a WebSocket is logged once it has closed
    while True:
        access = (team["folder"] / "nginx" / "access.log").read_text()
        sessions = {(m[1], m[2]) for m in stream.finditer(access)}
        if len(sessions) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (a, pins[a]) in sessions and (b, pins[b]) in sessions, access[-2000:]
    assert {address for address, _ in sessions} == {a, b}
