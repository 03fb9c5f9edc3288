"""Load driver: N concurrent browser sessions against one `streamlit run` on 127.0.0.1.

Each session (its own browser context in one headless Chromium) loops for the given time:
changes region, indication and metric on Explore, clicks a country on the map, and runs a
forecast on the Scenario builder. Interaction latency is the time from the action to the end
of the rerun it triggers (Streamlit's ``data-test-script-state`` going back to
``notRunning``). Errors are exception boxes in the page, page errors, and tracebacks in the
server log. Peak memory is the server's VmHWM. Only loopback is contacted, with a bounded
number of actions per session.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-gpu"]
MAX_ACTIONS_PER_SESSION = 400
ACTION_TIMEOUT_MS = 60_000
CLICK_TIMEOUT_MS = 15_000  # a map click that selects nothing (ocean) triggers no rerun
LOAD_TIMEOUT_MS = 180_000  # first page load: 20 software-WebGL maps share 2 cores
RAMP_UP_S = 1.5  # session i starts i x this later, as users arrive, not all in one instant
REGIONS = ["All regions", "European Union", "Latin America", "Eastern Europe", "India"]
METRICS = ["Attractiveness", "Reachable patients", "Regulatory friction",
           "Infrastructure risk"]
INDICATIONS = ["Type 2 diabetes", "Hypertension", "Tuberculosis"]

# Record every change of the script state with a timestamp (performance.now()).
OBSERVER = """
() => {
  window.__runs = [];
  const app = document.querySelector('[data-test-script-state]');
  const note = () => window.__runs.push([app.getAttribute('data-test-script-state'),
                                         performance.now()]);
  new MutationObserver(note).observe(app, {attributes: true,
                                           attributeFilter: ['data-test-script-state']});
}
"""
RERUN_DONE = """
(t0) => {
  const runs = window.__runs || [];
  const started = runs.findIndex(([s, t]) => s === 'running' && t >= t0);
  if (started < 0) return false;
  const done = runs.slice(started).find(([s]) => s !== 'running');
  return done ? done[1] - t0 : false;
}
"""


@dataclass
class LoadResult:
    """What a load run measured."""

    latencies_ms: list[float] = field(default_factory=list)
    actions: int = 0
    missed_clicks: int = 0
    errors: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    sessions: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        lat = sorted(self.latencies_ms)
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else float("nan")
        return {"sessions": self.sessions, "seconds": self.seconds, "actions": self.actions,
                "missed_clicks": self.missed_clicks,
                "errors": len(self.errors), "p50_ms": statistics.median(lat) if lat else None,
                "p95_ms": p95, "peak_rss_mb": self.peak_rss_mb}


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


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process [MB] (Linux VmHWM)."""
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else float("nan")


async def _timed(page: Page, action, result: LoadResult,
                 timeout_ms: int = ACTION_TIMEOUT_MS, optional: bool = False) -> None:
    """Run an action and record the latency of the rerun it triggers.

    ``optional``: the action may trigger no rerun (a click that lands on the ocean): then
    nothing is recorded instead of a timeout error.
    """
    t0 = await page.evaluate("performance.now()")
    await action()
    try:
        handle = await page.wait_for_function(RERUN_DONE, arg=t0, timeout=timeout_ms)
    except PlaywrightTimeout:
        if optional:
            result.missed_clicks += 1
            return
        raise
    result.latencies_ms.append(float(await handle.json_value()))
    result.actions += 1


async def _choose(page: Page, label: str, option: str) -> None:
    """Open the select box labelled ``label`` and click the option containing ``option``."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    await box.click()
    await page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


async def _wait_idle(page: Page) -> None:
    await page.wait_for_selector('[data-test-script-state="notRunning"]',
                                 timeout=ACTION_TIMEOUT_MS)


async def session(browser, url: str, seconds: float, seed: int, result: LoadResult) -> None:
    """One user exploring and forecasting until the time is up."""
    rng = random.Random(seed)
    await asyncio.sleep(seed * RAMP_UP_S)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)  # clicks too, not Playwright's 30 s default
    page.on("pageerror", lambda exc: result.errors.append(f"pageerror: {exc}"))
    try:
        await page.goto(url, timeout=LOAD_TIMEOUT_MS)
        await page.wait_for_selector(".stDeckGlJsonChart canvas", timeout=LOAD_TIMEOUT_MS)
        await _wait_idle(page)
        await page.evaluate(OBSERVER)
        end = time.monotonic() + seconds
        # each change picks the next value in a shuffled cycle, so it always differs from the
        # current one (choosing the current value would trigger no rerun)
        cycles = {label: _cycle(values, rng) for label, values in
                  [("Region", REGIONS), ("Indication", INDICATIONS), ("Metric", METRICS)]}
        n = 0
        while time.monotonic() < end and n < MAX_ACTIONS_PER_SESSION:
            n += 1
            step = n % 5
            if step in (1, 2, 3):
                label = ("Region", "Indication", "Metric")[step - 1]
                option = next(cycles[label])
                await _timed(page, lambda lb=label, op=option: _choose(page, lb, op), result)
            elif step == 4:
                canvas = page.locator(".stDeckGlJsonChart canvas").first
                box = await canvas.bounding_box()
                # South America / India / Europe, roughly, in the world view
                x, y = rng.choice([(0.33, 0.68), (0.68, 0.55), (0.52, 0.35)])
                await _timed(page, lambda b=box, x=x, y=y: page.mouse.click(
                    b["x"] + b["width"] * x, b["y"] + b["height"] * y), result,
                    timeout_ms=CLICK_TIMEOUT_MS, optional=True)
            else:
                await _forecast(page, url, result)
            if await page.locator('[data-testid="stException"]').count():
                result.errors.append(f"session {seed}: exception shown in the page")
                break
    except Exception as exc:  # a timeout or a crash is a load-test error, reported
        result.errors.append(f"session {seed}: {type(exc).__name__}: {exc}"[:300])
    finally:
        await context.close()


def _cycle(values: list[str], rng: random.Random):
    """Endless shuffled cycle that never repeats a value twice in a row."""
    order = values[1:]  # values[0] is the page default: start elsewhere, end on it
    rng.shuffle(order)
    order.append(values[0])
    while True:
        yield from order


async def _forecast(page: Page, url: str, result: LoadResult) -> None:
    """Open the Scenario builder, run the forecast, come back to Explore."""
    await page.goto(f"{url}/scenario", timeout=ACTION_TIMEOUT_MS)
    await _wait_idle(page)
    await page.evaluate(OBSERVER)
    button = page.get_by_role("button", name=re.compile("forecast", re.I)).first
    await _timed(page, button.click, result)
    await page.goto(url, timeout=ACTION_TIMEOUT_MS)
    await page.wait_for_selector(".stDeckGlJsonChart canvas", timeout=ACTION_TIMEOUT_MS)
    await _wait_idle(page)
    await page.evaluate(OBSERVER)


async def run_load(url: str, sessions: int, seconds: float) -> LoadResult:
    """Drive ``sessions`` concurrent users for ``seconds`` against ``url``."""
    result = LoadResult(sessions=sessions, seconds=seconds)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(*[session(browser, url, seconds, i, result)
                                   for i in range(sessions)])
        finally:
            await browser.close()
    return result


def load_test(sessions: int, seconds: float) -> LoadResult:
    """Start a server, run the load, collect server errors and peak memory."""
    log_path = ROOT / "bench" / "results" / "load-server.log"
    log_path.parent.mkdir(exist_ok=True)
    proc, url = start_server(log_path)
    try:
        result = asyncio.run(run_load(url, sessions, seconds))
        result.peak_rss_mb = peak_rss_mb(proc.pid)
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
    opts = args.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    res = load_test(opts.sessions, opts.seconds)
    print(json.dumps({**res.summary(), "error_messages": res.errors[:20]}, indent=2))
    sys.exit(1 if res.errors else 0)
