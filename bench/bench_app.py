"""App figures (issue 5): Explore reruns, map payloads, cold start to a drawn map.

- server-side rerun of Explore after a metric change (AppTest, caches warm): median <= 300 ms;
  region and weight changes reported against the same target;
- browser payload of the world maps (compact deck JSON): <= 1.5 MB;
- cold start: a fresh `streamlit run` to the Explore map drawn in headless Chromium (Debian's
  chromium, SwiftShader): <= 6 s; a second visit to the running server: reported. "Drawn"
  means a screenshot of the map's canvas shows the ocean and land, not only that the canvas
  exists: deck.gl inserts the canvas before its first draw, which took up to 2.5 s more.
Run: .venv/bin/python bench/bench_app.py
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import time
import urllib.request
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.common import figure, report  # noqa: E402
from footprint.data import atlas, model_inputs  # noqa: E402
from footprint.data.database import build_database  # noqa: E402
from footprint.model import scoring  # noqa: E402
from footprint.views import maps  # noqa: E402
from footprint.views import pages_tmp as views

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update"]
CANVAS = ".stDeckGlJsonChart canvas"


def rerun_timings(widget: str, values: list, repeat: int) -> list[float]:
    """Seconds per AppTest rerun of Explore after setting ``widget`` (cycling ``values``)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    cycle = itertools.cycle(values)
    for _ in range(len(values)):  # warm every cache the cycle touches
        _set(at, widget, next(cycle))
        at.run()
    out = []
    for _ in range(repeat):
        _set(at, widget, next(cycle))
        start = time.perf_counter()
        at.run()
        out.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return out


def _set(at: AppTest, key: str, value) -> None:
    kind = at.slider if key.startswith("explore_w_") else at.selectbox
    kind(key=key).set_value(value)


def payload_sizes() -> dict[str, int]:
    """Compact JSON bytes of the Explore (default view) and Executive world maps."""
    con = build_database()
    shapes = atlas.country_shapes(con)
    regions = atlas.regions(con)
    inputs = model_inputs.load_inputs(con)
    frame = scoring.country_frame(inputs, "type2_diabetes")
    scored = scoring.score(frame, scoring.Weights(), list(frame.index))
    metric = views.model_metrics()["attractiveness"]
    in_scope = views.scope(views.REGION_ALL, regions)
    geometry = maps.geometries(shapes, simplify=maps.WORLD_SIMPLIFY)
    borders = maps.border_layer("borders", maps.ring_segments(geometry, shared_only=True))
    props, *_ = views.map_properties(shapes, views.model_values(scored, metric), metric,
                                     in_scope)
    explore = maps.deck([maps.polygon_layer("countries", maps.feature_collection(
        props, ["iso3", "name", "value_text", "detail_text", "fill"], geometry=geometry)),
        borders], views.TOOLTIP_HTML)
    tiers, *_ = views.tier_properties(shapes, frame, in_scope)
    executive = maps.deck([maps.polygon_layer("countries", maps.feature_collection(
        tiers, ["iso3", "name", "risk_tier", "value_text", "detail_text", "fill"],
        geometry=geometry)), borders], views.TIER_TOOLTIP_HTML)
    return {"Explore": maps.payload_size(explore), "Executive": maps.payload_size(executive),
            "Executive HTML download": len(maps.standalone_html(executive).encode())}


def wait_for_map(page, timeout_s: float = 60.0) -> None:
    """Return once the first map canvas on ``page`` shows the ocean and some land."""
    page.wait_for_selector(CANVAS, timeout=timeout_s * 1000)
    canvas = page.locator(CANVAS).first
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        rgb = np.asarray(Image.open(BytesIO(canvas.screenshot())).convert("RGB"))
        ocean = np.all(rgb == maps.OCEAN[:3], axis=-1)
        land = ~ocean & ~np.all(rgb == 255, axis=-1)  # neither ocean nor blank page
        if ocean.mean() > 0.05 and land.mean() > 0.05:
            return
    raise TimeoutError("the map did not draw")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cold_starts(n: int) -> tuple[list[float], list[float], list[float]]:
    """(server start to HTTP 200, server start to drawn map, warm second visit to drawn map)
    [s]."""
    from playwright.sync_api import sync_playwright

    http, cold, warm = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(n):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            start = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                 "--server.address", "127.0.0.1", "--server.port", str(port),
                 "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                while True:
                    try:
                        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                            break
                    except OSError:
                        time.sleep(0.05)
                http.append(time.perf_counter() - start)
                for samples in (cold, warm):
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    begin = start if samples is cold else time.perf_counter()
                    page.goto(url)
                    wait_for_map(page)
                    samples.append(time.perf_counter() - begin)
                    page.close()
            finally:
                proc.terminate()
                proc.wait(timeout=20)
        browser.close()
    return http, cold, warm


def main() -> None:
    figures = [
        figure("Explore rerun after a metric change (AppTest)",
               rerun_timings("explore_metric", ["attractiveness", "SP.POP.TOTL", "WGI.RQ",
                                                "friction_index", "reachable_patients"], 15),
               0.3),
        figure("Explore rerun after a region change (AppTest)",
               rerun_timings("explore_region", ["All regions", "Latin America",
                                                "European Union", "India"], 12), 0.3),
        figure("Explore rerun after a weight change (AppTest)",
               rerun_timings("explore_w_pool", [5, 8, 2], 12), 0.3),
    ]
    for name, size in payload_sizes().items():
        target = maps.PAYLOAD_BUDGET if "HTML" not in name else float("inf")
        figures.append(figure(f"{name} world map payload", [float(size)], target, "bytes"))
    http, cold, warm = cold_starts(3)
    figures += [figure("cold start: streamlit run to HTTP 200", http, float("inf")),
                figure("cold start: streamlit run to Explore map drawn", cold, 6.0),
                figure("second visit: page load to Explore map drawn", warm, float("inf"))]
    report("app", figures)


if __name__ == "__main__":
    main()
