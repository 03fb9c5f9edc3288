"""Fixtures of the app tests: the Scenario builder under AppTest, and a real `streamlit run`
on 127.0.0.1 with Debian's Chromium for the browser tests. Every test and server saves into a
throwaway SQLite workspace store, never the real workspace/ folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from footprint.store.workspace import URL_VARIABLE

ROOT = Path(__file__).resolve().parents[2]
APP = "../../app.py"  # AppTest paths are relative to the test file
CHROMIUM = "/usr/bin/chromium"
SCENARIO_PAGE = "app_pages/scenario_builder.py"
SCENARIO_SIMS = 2000  # simulated trials of the Scenario builder under test (fast)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sqlite_url(folder: Path) -> str:
    """The URL of a SQLite workspace store in ``folder``."""
    return f"sqlite:///{folder / 'workspace' / 'footprint.sqlite'}"


@pytest.fixture(autouse=True)
def workspace_url(tmp_path, monkeypatch) -> str:
    """A store of each test's own for the app under AppTest (FOOTPRINT_DATABASE_URL)."""
    url = sqlite_url(tmp_path)
    monkeypatch.setenv(URL_VARIABLE, url)
    return url


@pytest.fixture
def app() -> AppTest:
    """The router, then the Scenario builder with 2,000 simulated trials."""
    at = AppTest.from_file(APP, default_timeout=60)
    _run(at)
    at.switch_page(SCENARIO_PAGE)
    _run(at)
    at.session_state["scenario_sims"] = SCENARIO_SIMS
    return _run(at)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--enable-unsafe-swiftshader", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # wide enough for the wide layout with the sidebar open; tall enough for a whole page
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000},
            "accept_downloads": True}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(log_name: str, store_url: str, *options: str, port: int | None = None
          ) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port (or ``port``) until the block ends,
    saving into the workspace store at ``store_url``; yields its URL. ``options`` are more
    ``streamlit run`` options (``--secrets.files``, ...).

    The server's output goes to ``test-results/<log_name>``: a file, not a pipe nobody
    reads (a full pipe stalls the server).
    """
    port = port or _free_port()
    log_path = ROOT / "test-results" / log_name
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false", *options],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, URL_VARIABLE: store_url},
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    time.sleep(0.3)
            else:
                pytest.fail("streamlit did not start within 60 s")
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    """The app served on loopback for the whole session."""
    with serve("browser-server.log", sqlite_url(tmp_path_factory.mktemp("server"))) as url:
        yield url


@pytest.fixture
def fresh_server(tmp_path) -> Iterator[str]:
    """The app on a server of its own that no page has visited yet."""
    with serve("browser-fresh-server.log", sqlite_url(tmp_path / "server")) as url:
        yield url
