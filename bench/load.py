"""Load driver: N concurrent browser sessions against one `streamlit run` on 127.0.0.1.

Each session (its own browser context in one headless Chromium) loops for the given time:
changes region, indication and metric on Explore, clicks a country on the map, and runs a
forecast on the Scenario builder, pausing 3-8 s between actions as a user reads the result
(``--think``). Figures:

- interaction latency: from the action until the rerun it triggers has finished on the
  server (its ``script_finished`` message on the websocket) and the page shows it
  (Streamlit's ``data-test-script-state`` back to ``notRunning``);
- run finished: until the server's message alone, apart from the page drawing it;
- health: the latency of ``/_stcore/health``, polled twice a second;
- errors: exception boxes in the page, page errors, time-outs, tracebacks in the server log;
- the server's peak memory (VmHWM) and its share of all CPU time used during the run (the
  browsers take the rest).

Only loopback is contacted, with a bounded number of actions per session.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import shapely
from playwright.async_api import Page, async_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent

from footprint.data import atlas  # noqa: E402
from footprint.data.database import build_database  # noqa: E402
from footprint.views import maps  # noqa: E402
from footprint.views import regions as region_views  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-gpu"]
MAX_ACTIONS_PER_SESSION = 400
ACTION_TIMEOUT_MS = 60_000
CLICK_TIMEOUT_MS = 15_000  # a map click that selects nothing (ocean) triggers no rerun
LOAD_TIMEOUT_MS = 180_000  # first page load: 20 software-WebGL maps share 2 cores
RAMP_UP_S = 1.5  # session i starts i x this later, as users arrive, not all in one instant
THINK_S = (3.0, 8.0)  # pause after each action [s], uniform: a user reads the map and table
ALL_REGIONS = "All regions"  # the scope selector left empty
REGIONS = [ALL_REGIONS, "European Union", "Latin America", "Eastern Europe", "India"]
SCOPE_LABEL = "Regions or countries"
METRICS = ["Attractiveness", "Reachable patients", "Regulatory friction",
           "Infrastructure risk"]
INDICATIONS = ["Type 2 diabetes", "Hypertension", "Tuberculosis"]


@dataclass
class LoadResult:
    """What a load run measured."""

    latencies_ms: list[float] = field(default_factory=list)
    finished_ms: list[float] = field(default_factory=list)
    health_ms: list[float] = field(default_factory=list)
    actions: int = 0
    missed_clicks: int = 0
    errors: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    server_cpu_s: float = 0.0
    machine_cpu_s: float = 0.0
    sessions: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        return {"sessions": self.sessions, "seconds": self.seconds, "actions": self.actions,
                "missed_clicks": self.missed_clicks, "errors": len(self.errors),
                "p50_ms": _quantile(self.latencies_ms, 0.5),
                "p95_ms": _quantile(self.latencies_ms, 0.95),
                "run_finished_p50_ms": _quantile(self.finished_ms, 0.5),
                "run_finished_p95_ms": _quantile(self.finished_ms, 0.95),
                "health_p50_ms": _quantile(self.health_ms, 0.5),
                "health_p95_ms": _quantile(self.health_ms, 0.95),
                "peak_rss_mb": self.peak_rss_mb,
                "server_cpu_s": round(self.server_cpu_s, 1),
                "all_cpu_s": round(self.machine_cpu_s, 1),
                "server_cpu_share": round(self.server_cpu_s / self.machine_cpu_s, 3)
                if self.machine_cpu_s else None}


class ScriptRuns:
    """When the server finished each script run of one page, read from its websocket frames.

    The page's own "running" indicator is not enough: a starved browser handles a short run's
    start and end messages in one task, React renders them at once, and the run never shows.
    """

    def __init__(self, page: Page) -> None:
        self.finished: list[float] = []  # time.monotonic() of each finished run
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes) and len(payload) < 1000:  # script_finished is tiny
            msg = ForwardMsg.FromString(payload)
            if (msg.WhichOneof("type") == "script_finished"
                    and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN):
                self.finished.append(time.monotonic())

    async def finished_after(self, t0: float, timeout_s: float) -> bool:
        """Wait until a run finishes after ``t0``; False when none does within the time."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.finished and self.finished[-1] >= t0:
                return True
            await asyncio.sleep(0.05)
        return False


def _quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (nearest rank) of ``values``; None when there are none."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else None


def click_targets(regions: list[str], per_region: int = 3) -> dict[str, list[tuple[float, float]]]:
    """Pixel offsets from the map centre of the largest in-scope countries of each region.

    A click there selects a country (a fixed spot of the canvas often hits the sea once the
    map frames another region, and a missed click waits out its time-out).
    """
    con = build_database()
    shapes = atlas.country_shapes(con).set_index("iso3", drop=False)
    members = atlas.regions(con)
    boxes = maps.main_bounds_by_country(shapes)
    targets = {}
    for region in regions:
        selected = () if region == ALL_REGIONS else (region,)
        view = region_views.region_view(selected, (), boxes, members)
        parts = maps.main_parts(shapes.loc[shapes.index.intersection(
            region_views.scope(selected, (), members))])
        area = pd.Series(shapely.area(parts.to_numpy()), index=parts.index)  # square degrees
        largest = area.sort_values(ascending=False).index[:per_region]
        points = shapely.point_on_surface(parts.loc[largest].to_numpy())
        targets[region] = [maps.pixel_offset(view, p.x, p.y) for p in points]
    return targets


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log_path: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free loopback port; returns (process, url)."""
    port = free_port()
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start within 60 s")


def process_cpu_s(pid: int) -> float:
    """User + system CPU time of a process so far [s] (Linux /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_s() -> float:
    """CPU time spent by all processes on all cores so far, idle excluded [s]."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process [MB] (Linux VmHWM)."""
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else float("nan")


async def _timed(page: Page, runs: ScriptRuns, name: str, action, result: LoadResult,
                 timeout_ms: int = ACTION_TIMEOUT_MS, optional: bool = False) -> None:
    """Run an action; record the time until the rerun it triggers has finished on the server
    and the page shows it (Streamlit's script state back to ``notRunning``).

    ``optional``: the action may trigger no rerun (a click that lands on the sea): then
    nothing is recorded instead of a timeout error.
    """
    t0 = time.monotonic()
    await action()
    if not await runs.finished_after(t0, timeout_ms / 1000):
        if optional:
            result.missed_clicks += 1
            return
        raise TimeoutError(f"{name}: no rerun finished within {timeout_ms / 1000:.0f} s "
                           f"(at {page.url})")
    result.finished_ms.append((runs.finished[-1] - t0) * 1000)
    await _wait_idle(page)
    result.latencies_ms.append((time.monotonic() - t0) * 1000)
    result.actions += 1


async def _choose(page: Page, label: str, option: str) -> None:
    """Open the select box labelled ``label`` and click the option containing ``option``."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    await box.click()
    await page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def _scope_box(page: Page):
    return page.locator('[data-testid="stMultiSelect"]').filter(has_text=SCOPE_LABEL).first


async def _scope_shown(page: Page) -> str:
    """The region the scope selector holds, or :data:`ALL_REGIONS` when it is empty."""
    tags = _scope_box(page).locator('[data-baseweb="tag"]')
    return (await tags.first.inner_text()).strip() if await tags.count() else ALL_REGIONS


async def _set_scope(page: Page, region: str) -> None:
    """One change of the scope selector, as a keyboard user makes it: a held region is
    removed (Backspace), else ``region`` is typed and chosen (Enter); one rerun either way."""
    box = _scope_box(page)
    await box.locator("input").click()
    if region == ALL_REGIONS:
        await page.keyboard.press("Backspace")
    else:
        await page.keyboard.type(region)
        await page.keyboard.press("Enter")
    await page.keyboard.press("Escape")


async def _wait_idle(page: Page) -> None:
    await page.wait_for_selector('[data-test-script-state="notRunning"]',
                                 timeout=ACTION_TIMEOUT_MS)


async def session(browser, url: str, seconds: float, seed: int, result: LoadResult,
                  targets: dict[str, list[tuple[float, float]]], think_s: tuple[float, float]
                  ) -> None:
    """One user exploring and forecasting until the time is up."""
    rng = random.Random(seed)
    await asyncio.sleep(seed * RAMP_UP_S)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    runs = ScriptRuns(page)
    page.set_default_timeout(ACTION_TIMEOUT_MS)  # clicks too, not Playwright's 30 s default
    page.on("pageerror", lambda exc: result.errors.append(f"pageerror: {exc}"))
    try:
        await page.goto(url, timeout=LOAD_TIMEOUT_MS)
        await page.wait_for_selector(".stDeckGlJsonChart canvas", timeout=LOAD_TIMEOUT_MS)
        await _wait_idle(page)
        end = time.monotonic() + seconds
        n = 0
        last_click = (0.0, 0.0)
        choices = {"Indication": INDICATIONS, "Metric": METRICS}
        while time.monotonic() < end and n < MAX_ACTIONS_PER_SESSION:
            n += 1
            step = n % 5
            if step == 1:
                shown = await _scope_shown(page)
                region = ALL_REGIONS if shown != ALL_REGIONS else rng.choice(REGIONS[1:])
                await _timed(page, runs, f"scope {region}",
                             lambda r=region: _set_scope(page, r), result)
            elif step in (2, 3):
                label = ("Region", "Indication", "Metric")[step - 1]
                shown = await _shown(page, label)
                # another value than the one shown: choosing the shown one triggers no rerun
                option = rng.choice([v for v in choices[label] if v not in shown])
                await _timed(page, runs, f"choose {label} {option}",
                             lambda lb=label, op=option: _choose(page, lb, op), result)
            elif step == 4:
                region = await _scope_shown(page)
                canvas = page.locator(".stDeckGlJsonChart canvas").first
                box = await canvas.bounding_box()
                # a target inside the canvas, not the one clicked last (already selected: no rerun)
                inside = [(dx, dy) for dx, dy in targets[region]
                          if abs(dx) < box["width"] / 2 - 10 and abs(dy) < box["height"] / 2 - 10
                          and (dx, dy) != last_click]
                if inside:
                    dx, dy = last_click = rng.choice(inside)
                    x, y = box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy
                    await _timed(page, runs, f"click the map in {region}",
                                 lambda x=x, y=y: page.mouse.click(x, y), result,
                                 timeout_ms=CLICK_TIMEOUT_MS, optional=True)
            else:
                await _forecast(page, runs, result)
            await asyncio.sleep(rng.uniform(*think_s))
            if await page.locator('[data-testid="stException"]').count():
                result.errors.append(f"session {seed}: exception shown in the page")
                break
    except Exception as exc:  # a timeout or a crash is a load-test error, reported
        result.errors.append(f"session {seed}: {type(exc).__name__}: {exc}"[:600])
        await page.screenshot(path=ROOT / "bench" / "results" / f"load-error-{seed}.png",
                              full_page=True)
    finally:
        await context.close()


async def _shown(page: Page, label: str) -> str:
    """The value the select box labelled ``label`` shows."""
    return await page.get_by_role("combobox", name=label).first.input_value()


async def _forecast(page: Page, runs: ScriptRuns, result: LoadResult) -> None:
    """Open the Scenario builder from the sidebar, run the forecast, go back to Explore, as
    a user does (no page reload: the session and its widgets stay)."""
    nav = page.locator('[data-testid="stSidebarNav"]')
    await _timed(page, runs, "open the Scenario builder",
                 nav.get_by_role("link", name="Scenario builder").click, result)
    button = page.get_by_role("button", name=re.compile("forecast", re.I)).first
    await _timed(page, runs, "run the forecast", button.click, result)
    await _timed(page, runs, "back to Explore", nav.get_by_role("link", name="Explore").click,
                 result)
    await page.wait_for_selector(".stDeckGlJsonChart canvas", timeout=ACTION_TIMEOUT_MS)


async def probe_health(url: str, result: LoadResult, stop: asyncio.Event) -> None:
    """Time ``/_stcore/health`` twice a second until ``stop``: the server's own
    responsiveness, apart from how fast the browsers draw."""
    def once() -> float:
        start = time.perf_counter()
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=30):
            return (time.perf_counter() - start) * 1000
    while not stop.is_set():
        result.health_ms.append(await asyncio.to_thread(once))
        await asyncio.sleep(0.5)


async def run_load(url: str, sessions: int, seconds: float,
                   think_s: tuple[float, float] = THINK_S) -> LoadResult:
    """Drive ``sessions`` concurrent users for ``seconds`` against ``url``."""
    result = LoadResult(sessions=sessions, seconds=seconds)
    targets = click_targets(REGIONS)
    stop = asyncio.Event()
    probe = asyncio.create_task(probe_health(url, result, stop))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(*[session(browser, url, seconds, i, result, targets, think_s)
                                   for i in range(sessions)])
        finally:
            stop.set()
            await probe
            await browser.close()
    return result


def load_test(sessions: int, seconds: float, think_s: tuple[float, float] = THINK_S,
              nice: int = 0) -> LoadResult:
    """Start a server, run the load, collect server errors, peak memory and CPU time.

    ``nice`` > 0 lowers the priority of this driver and the browsers it starts (not of the
    server, started first), as if the users' browsers ran on their own machines.
    """
    log_path = ROOT / "bench" / "results" / "load-server.log"
    log_path.parent.mkdir(exist_ok=True)
    proc, url = start_server(log_path)
    if nice > 0:
        os.nice(nice)  # inherited by Playwright's driver and Chromium, started after this
    try:
        server_cpu, all_cpu = process_cpu_s(proc.pid), machine_cpu_s()
        result = asyncio.run(run_load(url, sessions, seconds, think_s))
        result.peak_rss_mb = peak_rss_mb(proc.pid)
        result.server_cpu_s = process_cpu_s(proc.pid) - server_cpu
        result.machine_cpu_s = machine_cpu_s() - all_cpu
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    log = log_path.read_text()
    if "Traceback" in log:
        result.errors.append("server log has a traceback: see bench/results/load-server.log")
    return result


if __name__ == "__main__":
    import argparse
    import json

    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--sessions", type=int, default=20)
    args.add_argument("--seconds", type=float, default=60)
    args.add_argument("--nice", type=int, default=0,
                      help="run the browsers at this lower priority than the server (0-19)")
    args.add_argument("--think", type=float, nargs=2, default=THINK_S, metavar=("MIN", "MAX"),
                      help="pause after each action, uniform between MIN and MAX seconds")
    opts = args.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    res = load_test(opts.sessions, opts.seconds, tuple(opts.think), opts.nice)
    print(json.dumps({**res.summary(), "error_messages": res.errors[:20]}, indent=2))
    sys.exit(1 if res.errors else 0)
