"""Protocol-level load driver: N concurrent sessions speaking Streamlit's websocket protocol
(no browsers) through nginx to the two replicas of the team deployment, one PostgreSQL.

    python -m bench.load_protocol [--steps 1 5 10 20 40] [--seconds 60] [--seed 7]

The deployment is scripts/serve_team.py's (``start``/``stop``, in a temporary folder, all on
127.0.0.1). A session is what a browser tab does on the wire:

1. ``GET /`` without cookies: nginx answers with its affinity cookie (``footprint_replica``)
   and names the replica (``X-Footprint-Replica``); every session has its own cookie jar,
   so sessions spread over both replicas as browsers do (one client IP, no ``ip_hash``).
2. The websocket ``/_stcore/stream`` (subprotocol ``streamlit``, the cookie, a same-origin
   ``Origin``), then a ``BackMsg.rerun_script`` with the page's ``ClientState`` (query
   string, page script hash); the server answers ``new_session``, deltas, ``script_finished``.
3. Every 3-8 s (uniform, seeded per session) a widget change: a ``rerun_script`` whose
   ``widget_states`` carry the widget's id (read from the deltas' element protos) and its new
   value. Explore sessions move the sidebar's "Patient pool" weight slider; every fifth
   session (from N = 5 on) is on the Scenario builder and clicks "Save current scenario"
   (a trigger), which saves a new version in the PostgreSQL store.

The measured window of a step opens once every session has drawn its first page (first loads
are not reruns) and lasts ``--seconds``. A rerun's latency runs from sending the BackMsg to
its ``script_finished``. Errors: exception
deltas, a run that does not finish successfully, disconnects, and time-outs
(:data:`RERUN_TIMEOUT_S`). At the end of each step the store is read through footprint.store:
every save a session saw finish must be a version there (its id and version come back in the
page's link, ``page_info_changed``), nothing lost. The figure: the largest N whose Explore
rerun p95 is within 2x the single-session p95 with zero errors and nothing lost.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from footprint.store.workspace import TEAM_USER, open_store

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
THINK_S = (3.0, 8.0)  # [s] pause before each widget change, uniform
RERUN_TIMEOUT_S = 60.0  # [s] a rerun not finished by then is an error
CONNECT_TIMEOUT_S = 60.0  # [s] the first run of a page
RAMP_UP_S = 0.25  # [s] session i connects i x this later (users arrive, not in one instant)
SLIDER_LABEL = "Patient pool"  # Explore's sidebar weight slider
SAVE_KEY = "scenario_save"  # the Scenario builder's save button (its user key)
SAVER_EVERY = 5  # every fifth session saves scenarios (none in the single-session baseline)
DEFAULT_STEPS = (1, 5, 10, 20, 40)
FINISHED_OK = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY


@dataclass
class Session:
    """What one simulated tab measured."""

    index: int
    replica: str = ""
    ready: bool = False  # its first page is drawn
    reruns_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    saved: dict[str, int] = field(default_factory=dict)  # store id -> last version seen


class Tab:
    """One websocket session of the app: send reruns, read what the server sends."""

    def __init__(self, ws, origin: str) -> None:
        self.ws = ws
        self.origin = origin
        self.query_string = ""
        self.page_hash = ""
        self.widgets: dict[str, object] = {}  # widget id -> its element proto (last seen)
        self.by_key: dict[str, str] = {}  # a widget's label or user key -> its id

    async def rerun(self, states: list | None = None, page_name: str = "") -> list[str]:
        """Send a rerun (with ``states``, WidgetState protos) and read until it finishes;
        returns the problems (exception deltas, a run that did not finish successfully)."""
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = self.query_string
        client.page_script_hash = self.page_hash
        client.page_name = page_name
        client.context_info.timezone = "UTC"
        client.context_info.locale = "en-US"
        client.context_info.url = f"{self.origin}/{page_name}"
        for state in states or []:
            client.widget_states.widgets.append(state)
        await self.ws.send(msg.SerializeToString())
        problems: list[str] = []
        while True:
            fwd = ForwardMsg.FromString(await self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "navigation":  # the page that runs: the next rerun names it
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    problems.append(f"exception: {element.exception.message[:200]}")
                proto = getattr(element, which) if which else None
                widget_id = getattr(proto, "id", "")
                if widget_id:
                    self.widgets[widget_id] = proto
                    for name in (getattr(proto, "label", ""), _user_key(widget_id)):
                        if name:
                            self.by_key[name] = widget_id
            elif kind == "script_finished":
                if fwd.script_finished != FINISHED_OK:
                    problems.append(f"script finished with status {fwd.script_finished}")
                return problems


def _user_key(widget_id: str) -> str:
    """The user key inside a widget id (``$$ID-<hash>-<key>``), or ''."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" and parts[2] != "None" else ""


def _affinity(url: str) -> tuple[str, str]:
    """nginx's affinity cookie for a new browser, and the replica it sends it to."""
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30) as resp:
        cookie = resp.headers.get("Set-Cookie", "").split(";", 1)[0]
        return cookie, resp.headers.get("X-Footprint-Replica", "?")


class Window:
    """The measured window of a step: it opens when every session has drawn its first page
    (first loads are not reruns) and lasts ``seconds``."""

    def __init__(self, n: int, seconds: float) -> None:
        self.waiting, self.seconds = n, seconds
        self.opened = asyncio.Event()
        self.stop_at = float("inf")

    def arrived(self) -> None:
        """One session is ready (or gave up): the last one opens the window."""
        self.waiting -= 1
        if self.waiting == 0:
            self.stop_at = time.monotonic() + self.seconds
            self.opened.set()


async def session(s: Session, url: str, window: Window, rng: random.Random,
                  saver: bool) -> None:
    """Drive one tab through ``window``; what it measured goes into ``s``."""
    try:
        await _drive(s, url, window, rng, saver)
    finally:
        if not s.ready:  # it failed before its first page: the others need not wait for it
            window.arrived()


async def _drive(s: Session, url: str, window: Window, rng: random.Random,
                 saver: bool) -> None:
    await asyncio.sleep(s.index * RAMP_UP_S)
    cookie, s.replica = await asyncio.to_thread(_affinity, url)
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], origin=url,
                                      additional_headers={"Cookie": cookie}, max_size=None,
                                      open_timeout=CONNECT_TIMEOUT_S) as ws:
            tab = Tab(ws, url)
            page = "scenario" if saver else ""
            problems = await asyncio.wait_for(tab.rerun(page_name=page), CONNECT_TIMEOUT_S)
            s.errors += problems
            s.ready = True
            window.arrived()
            await window.opened.wait()
            while not problems and time.monotonic() < window.stop_at:
                await asyncio.sleep(rng.uniform(*THINK_S))
                if time.monotonic() >= window.stop_at:
                    break
                state = _save_click(tab) if saver else _slider_move(tab, rng)
                t0 = time.perf_counter()
                try:
                    problems = await asyncio.wait_for(tab.rerun([state], page), RERUN_TIMEOUT_S)
                except TimeoutError:
                    s.errors.append(f"rerun timed out after {RERUN_TIMEOUT_S:.0f} s")
                    break
                s.errors += problems
                if saver:
                    _note_save(tab, s)
                else:
                    s.reruns_ms.append((time.perf_counter() - t0) * 1000)
    except (websockets.ConnectionClosed, OSError, TimeoutError) as exc:
        s.errors.append(f"disconnected: {type(exc).__name__}: {exc}")
    except KeyError as exc:
        s.errors.append(f"no widget {exc} on the page")


def _slider_move(tab: Tab, rng: random.Random):
    """The weight slider moved to another value (a WidgetState)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    widget_id = tab.by_key[SLIDER_LABEL]
    slider = tab.widgets[widget_id]
    current = list(slider.value) or list(slider.default)
    choices = [v for v in range(int(slider.min), int(slider.max) + 1) if [v] != current]
    state = WidgetState(id=widget_id)
    state.double_array_value.data.append(float(rng.choice(choices)))
    slider.ClearField("value")
    slider.value.extend(state.double_array_value.data)  # what the next move starts from
    return state


def _save_click(tab: Tab):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    return WidgetState(id=tab.by_key[SAVE_KEY], trigger_value=True)


def _note_save(tab: Tab, s: Session) -> None:
    """Record the stored id and version that the page's link names after a save."""
    params = parse_qs(tab.query_string)
    if "scenario" in params and "version" in params:
        item_id, version = params["scenario"][0], int(params["version"][0])
        if s.saved.get(item_id, 0) + 1 != version:
            s.errors.append(f"save gave version {version} of {item_id}, expected "
                            f"{s.saved.get(item_id, 0) + 1}")
        s.saved[item_id] = version
    else:
        s.errors.append(f"a save left no stored link (query {tab.query_string!r})")


def lost_versions(store_url: str, sessions: list[Session]) -> list[str]:
    """Saves the sessions saw finish that the store does not hold."""
    store = open_store(store_url)
    try:
        problems = []
        for s in sessions:
            for item_id, last in s.saved.items():
                held = {v.version for v in store.versions(item_id, user=TEAM_USER)}
                missing = sorted(set(range(1, last + 1)) - held)
                if missing:
                    problems.append(f"session {s.index}: {item_id} lacks versions {missing}")
        return problems
    finally:
        store.close()


def quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (nearest rank); None when there are no values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else None


async def step(url: str, n: int, seconds: float, seed: int,
               saver_every: int = SAVER_EVERY) -> list[Session]:
    """``n`` sessions, measured for ``seconds`` once all of them are on their page."""
    window = Window(n, seconds)
    sessions = [Session(i) for i in range(n)]
    await asyncio.gather(*(
        session(s, url, window, random.Random(seed * 1000 + s.index),
                saver=n >= saver_every and s.index % saver_every == saver_every - 1)
        for s in sessions))
    return sessions


def summary(n: int, sessions: list[Session], lost: list[str]) -> dict:
    reruns = [ms for s in sessions for ms in s.reruns_ms]
    replicas: dict[str, int] = {}
    for s in sessions:
        replicas[s.replica] = replicas.get(s.replica, 0) + 1
    errors = [e for s in sessions for e in s.errors] + lost
    return {"sessions": n, "reruns": len(reruns),
            "saves": sum(sum(s.saved.values()) for s in sessions),
            "p50_ms": quantile(reruns, 0.5), "p95_ms": quantile(reruns, 0.95),
            "median_ms": statistics.median(reruns) if reruns else None,
            "errors": len(errors), "error_examples": errors[:5], "lost": len(lost),
            "replicas": replicas}


def team_deployment(code: Path):
    """scripts/serve_team.py of the checkout at ``code`` (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("serve_team", code / "scripts" /
                                                  "serve_team.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def committed_code(folder: Path) -> Path:
    """The committed tree (``git archive HEAD``) in ``folder/code``, served instead of the
    working tree, which other people's edits change mid-run in a shared checkout (a page
    script is read again at every run)."""
    code = folder / "code"
    code.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    return code


def drive(steps: list[int], seconds: float, seed: int, *, saver_every: int = SAVER_EVERY,
          head: bool = False) -> list[dict]:
    """Start the team deployment (a temporary folder, a free port) of this checkout, or of
    its committed ``head``; run each step of sessions (every ``saver_every``-th one saves);
    stop it. Returns the steps' summaries."""
    folder = Path(tempfile.mkdtemp(prefix="footprint-load-"))
    folder.chmod(0o711)  # as root, PostgreSQL runs as the user postgres, inside it
    code = committed_code(folder) if head else ROOT
    serve_team = team_deployment(code)
    saved_path = os.environ.get("PYTHONPATH")
    if head:  # the replicas import the snapshot's footprint, not the editable install's
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), saved_path]))
    try:
        state = serve_team.start(folder / "team", 0)
        store_url = serve_team.store_url(folder / "team")
        rows = []
        for n in steps:
            sessions = asyncio.run(step(state["url"], n, seconds, seed, saver_every))
            row = summary(n, sessions, lost_versions(store_url, sessions))
            row["code"] = "HEAD" if head else "working tree"
            rows.append(row)
            print(json.dumps(row), flush=True)
        return rows
    finally:
        serve_team.stop(folder / "team")
        if head:
            os.environ.pop("PYTHONPATH")
            if saved_path is not None:
                os.environ["PYTHONPATH"] = saved_path
        shutil.rmtree(folder, ignore_errors=True)


def held(rows: list[dict]) -> int | None:
    """The largest N with a rerun p95 within 2x the single-session p95, zero errors and
    nothing lost (None without a clean single-session baseline)."""
    base = next((r for r in rows if r["sessions"] == 1), None)
    if base is None or base["errors"] or base["p95_ms"] is None:
        return None
    ok = [r["sessions"] for r in rows
          if not r["errors"] and r["p95_ms"] is not None and r["p95_ms"] <= 2 * base["p95_ms"]]
    return max(ok) if ok else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, nargs="+", default=list(DEFAULT_STEPS))
    parser.add_argument("--seconds", type=float, default=60.0, help="per step [s]")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--head", action="store_true",
                        help="serve the committed HEAD (git archive), not the working tree")
    args = parser.parse_args(argv)
    rows = drive(sorted(set(args.steps) | {1}), args.seconds, args.seed, head=args.head)
    base = rows[0]["p95_ms"]
    print(f"\n{'sessions':>8} {'reruns':>7} {'saves':>6} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p95/1':>6} {'errors':>6}  replicas")
    for r in rows:
        ratio = r["p95_ms"] / base if r["p95_ms"] and base else float("nan")
        print(f"{r['sessions']:>8} {r['reruns']:>7} {r['saves']:>6} {r['p50_ms'] or 0:>8.0f} "
              f"{r['p95_ms'] or 0:>8.0f} {ratio:>6.2f} {r['errors']:>6}  {r['replicas']}")
    most = held(rows)
    print(f"\nheld: {most} concurrent sessions (rerun p95 within 2x the single session's "
          f"{base:.0f} ms, zero errors, nothing lost)" if most and base else
          "\nheld: no step met the criteria")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load_protocol.json").write_text(json.dumps({"steps": rows, "held": most},
                                                           indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
