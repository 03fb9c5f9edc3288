"""App figures (issue 5): Explore reruns, map payloads, cold start to a drawn map.

- server-side rerun of Explore after a metric change (AppTest, caches warm): median <= 300 ms;
  region and weight changes reported against the same target;
- browser payload of the world maps (compact deck JSON): <= 1.5 MB;
- cold start: a fresh `streamlit run` to the Explore map drawn in headless Chromium (Debian's
  chromium, SwiftShader): <= 6 s; a second visit to the running server: reported. "Drawn"
  means a screenshot of the map's canvas shows the ocean and land, not only that the canvas
  exists: deck.gl inserts the canvas before its first draw, which took up to 2.5 s more.
- the same cold start of a trivial one-file app drawing one world GeoJsonLayer, interleaved
  with Explore's (A, B, A, B, ...; 6 pairs): Explore / trivial, ratio of medians <= 1.15x.
Run: .venv/bin/python -m bench.bench_app [--cold-only] [--pairs N] [--root DIR]
(--cold-only: the cold-start comparison alone, without importing footprint.)
"""

from __future__ import annotations

import argparse
import itertools
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest

from bench.common import figure, ratio_figure, report

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update"]
CANVAS = ".stDeckGlJsonChart canvas"
COLD_RATIO_TARGET = 1.15
# Both apps' servers as a deployment runs them (scripts/serve_team.py): headless, and without
# the file watcher, which in a checkout being edited re-imports changed modules under a running
# script (serve_team's load runs failed so); a run of this bench with it lost one Explore map.
SERVER_ARGS = ["--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]


def rerun_timings(root: Path, widget: str, values: list, repeat: int) -> list[float]:
    """Seconds per AppTest rerun of Explore (``root``/app.py) after setting ``widget``
    (cycling ``values``)."""
    at = AppTest.from_file(str(root / "app.py"), default_timeout=120)
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


def payload_sizes() -> tuple[dict[str, int], int]:
    """Compact JSON bytes of the Explore (default view) and Executive world maps, and the
    payload budget [bytes]. Imports footprint here, not at module level (see --cold-only)."""
    from footprint.data import atlas
    from footprint.data.database import open_database
    from footprint.data.model_inputs import load_inputs
    from footprint.model import scoring
    from footprint.views import executive, explore, maps, metrics
    from footprint.views.regions import scope

    con = open_database()
    shapes = atlas.country_shapes(con)
    regions = atlas.regions(con)
    inputs = load_inputs(con)
    frame = scoring.country_frame(inputs, "type2_diabetes")
    scored = scoring.score(frame, scoring.Weights(), list(frame.index))
    metric = metrics.model_metrics()["attractiveness"]
    in_scope = scope((), (), regions)
    geometry = maps.geometries(shapes, simplify=maps.WORLD_SIMPLIFY)
    borders = maps.border_layer("borders", maps.border_bands(
        maps.ring_segments(geometry, shared_only=True), maps.WORLD_VIEW.zoom))
    props, *_ = explore.map_properties(shapes, metrics.model_values(scored, metric), metric,
                                       in_scope)
    explore_map = maps.deck([maps.polygon_layer("countries", maps.feature_collection(
        props, ["iso3", "name", "value_text", "detail_text", "fill"], geometry=geometry)),
        borders], maps.TOOLTIP_HTML)
    tiers, *_ = executive.tier_properties(shapes, frame, in_scope)
    executive_map = maps.deck([maps.polygon_layer("countries", maps.feature_collection(
        tiers, ["iso3", "name", "risk_tier", "value_text", "detail_text", "fill"],
        geometry=geometry)), borders], maps.TOOLTIP_HTML)
    assert tuple(maps.OCEAN[:3]) == OCEAN, "bench OCEAN is stale"
    sizes = {"Explore": maps.payload_size(explore_map),
             "Executive": maps.payload_size(executive_map),
             "Executive HTML download": len(maps.standalone_html(executive_map).encode())}
    return sizes, maps.PAYLOAD_BUDGET


# Colours of the pixel check. OCEAN is footprint.maps.OCEAN (checked in payload_sizes; not
# imported, so that --cold-only runs without importing footprint).
OCEAN = (222, 233, 242)
WHITE = (255, 255, 255)  # the page behind a canvas where nothing is drawn
# The baseline: one file, one world GeoJsonLayer of the same shapes, simplified and rounded
# like the real world maps (coverage simplification at 0.1 degrees, 2 decimals), pydeck's own
# Deck and serialisation, no base map. Fill only: a GeoJsonLayer's default outline is a
# PathLayer, ~2 s of first draw in SwiftShader, which would make the baseline slow and the
# ratio lenient. Same page layout and map height as Explore.
TRIVIAL_APP = '''\
import geopandas as gpd
import numpy as np
import pydeck as pdk
import shapely
import streamlit as st

st.set_page_config(page_title="Trivial map", layout="wide")


@st.cache_data
def world() -> dict:
    geoms = gpd.read_parquet({data!r}).geometry.to_numpy()
    geoms = shapely.coverage_simplify(geoms, 0.1)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, 2))
    return {{"type": "FeatureCollection", "features": [
        {{"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": {{}}}}
        for g in geoms]}}


st.title("Trivial map")
layer = pdk.Layer("GeoJsonLayer", id="world", data=world(), stroked=False, filled=True,
                  get_fill_color=[150, 170, 130])
st.pydeck_chart(pdk.Deck(layers=[layer], map_provider=None,
                         initial_view_state=pdk.ViewState(latitude=15, longitude=10, zoom=1)),
                height=520)
'''


def write_trivial_app(folder: Path, root: Path) -> Path:
    """Write the baseline app into ``folder`` (reading ``root``/data); return its path."""
    path = folder / "trivial_app.py"
    path.write_text(TRIVIAL_APP.format(data=str(root / "data" / "ne_admin0_50m.parquet")))
    return path


def map_drawn(rgb: np.ndarray, background: Sequence[tuple[int, int, int]],
              need: Sequence[tuple[int, int, int]] = ()) -> bool:
    """Whether a canvas screenshot shows a drawn map: over 5 % of its pixels are of none of
    the ``background`` colours (land), and each colour of ``need`` covers over 5 % too."""
    masks = {color: np.all(rgb == color, axis=-1) for color in background}
    land = ~np.logical_or.reduce(list(masks.values()))
    return land.mean() > 0.05 and all(masks[color].mean() > 0.05 for color in need)


def wait_for_map(page, background: Sequence[tuple[int, int, int]] = (OCEAN, WHITE),
                 need: Sequence[tuple[int, int, int]] = (OCEAN,),
                 timeout_s: float = 60.0) -> None:
    """Return once the first map canvas on ``page`` is drawn (see :func:`map_drawn`; by
    default: the ocean and some land)."""
    page.wait_for_selector(CANVAS, timeout=timeout_s * 1000)
    canvas = page.locator(CANVAS).first
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        rgb = np.asarray(Image.open(BytesIO(canvas.screenshot())).convert("RGB"))
        if map_drawn(rgb, background, need):
            return
    raise TimeoutError("the map did not draw")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True, slots=True)
class ColdApp:
    """A Streamlit script measured from a fresh server, and how to tell its map is drawn."""

    name: str
    script: Path
    cwd: Path
    background: tuple[tuple[int, int, int], ...]
    need: tuple[tuple[int, int, int], ...]


@dataclass(slots=True)
class ColdSamples:
    """Per fresh server [s]: start to HTTP 200 of /_stcore/health, start to map drawn on a
    first visit, a second visit's page load to map drawn; [bytes]: WebSocket bytes the
    server sent to the first visit until its map was drawn."""

    http: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    ws_bytes: list[float] = field(default_factory=list)


class _FrameBytes:
    """Counts the bytes of the WebSocket frames a page receives."""

    def __init__(self) -> None:
        self.total = 0

    def watch(self, ws) -> None:
        ws.on("framereceived", self._add)

    def _add(self, payload: str | bytes) -> None:
        self.total += len(payload)


def cold_start(browser, app: ColdApp, out: ColdSamples) -> None:
    """One fresh ``streamlit run`` of ``app``: append its figures to ``out``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app.script),
         "--server.address", "127.0.0.1", "--server.port", str(port),
         *SERVER_ARGS], cwd=app.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"{app.name}: streamlit exited with {proc.returncode}") from None
                time.sleep(0.05)
        out.http.append(time.perf_counter() - start)
        for samples in (out.cold, out.warm):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            counter = _FrameBytes()
            if samples is out.cold:
                page.on("websocket", counter.watch)
            begin = start if samples is out.cold else time.perf_counter()
            page.goto(url)
            wait_for_map(page, app.background, app.need)
            samples.append(time.perf_counter() - begin)
            if samples is out.cold:
                out.ws_bytes.append(float(counter.total))
            page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def cold_starts(apps: Sequence[ColdApp], pairs: int) -> dict[str, ColdSamples]:
    """``pairs`` fresh servers of each app, interleaved (A, B, A, B, ...), in one browser."""
    from playwright.sync_api import sync_playwright

    samples = {app.name: ColdSamples() for app in apps}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(pairs):
                for app in apps:
                    cold_start(browser, app, samples[app.name])
        finally:
            browser.close()
    return samples


def cold_figures(root: Path, pairs: int) -> list[dict]:
    """The cold start of Explore against the trivial one-map app, interleaved."""
    with tempfile.TemporaryDirectory(prefix="bench_trivial_") as tmp:
        trivial = write_trivial_app(Path(tmp), root)
        apps = [ColdApp("Explore", root / "app.py", root, (OCEAN, WHITE), (OCEAN,)),
                ColdApp("trivial", trivial, Path(tmp), (WHITE,), ())]
        s = cold_starts(apps, pairs)
    real, base = s["Explore"], s["trivial"]
    return [
        ratio_figure("cold start Explore / trivial one-map app", real.cold, base.cold,
                     COLD_RATIO_TARGET),
        figure("cold start: streamlit run to Explore map drawn", real.cold, 6.0),
        figure("cold start: trivial one-map app drawn", base.cold, float("inf")),
        figure("cold start: streamlit run to HTTP 200", real.http, float("inf")),
        figure("cold start: trivial app to HTTP 200", base.http, float("inf")),
        figure("second visit: page load to Explore map drawn", real.warm, float("inf")),
        figure("second visit: trivial app map drawn", base.warm, float("inf")),
        figure("first visit WebSocket bytes: Explore", real.ws_bytes, float("inf"), "bytes"),
        figure("first visit WebSocket bytes: trivial app", base.ws_bytes, float("inf"),
               "bytes"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold-only", action="store_true",
                        help="only the cold-start comparison (imports nothing from footprint); "
                             "writes results/app_cold.json")
    parser.add_argument("--pairs", type=int, default=6,
                        help="fresh servers of each app in the cold-start comparison")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the checkout whose app.py is measured (default: this one)")
    args = parser.parse_args()
    root = args.root.resolve()
    if args.cold_only:
        report("app_cold", cold_figures(root, args.pairs))
        assert not any(m.split(".")[0] == "footprint" for m in sys.modules), "imported footprint"
        return
    if root != ROOT:  # footprint of the same checkout as app.py (ahead of the installed one)
        sys.path.insert(0, str(root))
    figures = [
        figure("Explore rerun after a metric change (AppTest)",
               rerun_timings(root, "explore_metric",
                             ["attractiveness", "SP.POP.TOTL", "WGI.RQ", "friction_index",
                              "reachable_patients"], 15), 0.3),
        figure("Explore rerun after a region change (AppTest)",
               rerun_timings(root, "explore_scope", [[], ["Latin America"],
                                                     ["European Union"], ["India"]], 12), 0.3),
        figure("Explore rerun after a weight change (AppTest)",
               rerun_timings(root, "explore_w_pool", [5, 8, 2], 12), 0.3),
    ]
    sizes, budget = payload_sizes()
    for name, size in sizes.items():
        target = budget if "HTML" not in name else float("inf")
        figures.append(figure(f"{name} world map payload", [float(size)], target, "bytes"))
    figures += cold_figures(root, args.pairs)
    report("app", figures)


if __name__ == "__main__":
    main()
