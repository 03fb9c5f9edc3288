"""The downloadable HTML map: a title, legend, date and attribution, and nothing loaded from
the network: checked in the text and by opening it in Chromium with every request that is not
the file itself refused."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image

from footprint.data import atlas, model_inputs
from footprint.io.report_meta import ATTRIBUTION
from footprint.model import scoring
from footprint.views import executive, maps

WHEN = datetime(2026, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture(scope="module")
def html_map(database):
    con = database.cursor()
    shapes, regions = atlas.country_shapes(con), atlas.regions(con)
    frame = scoring.country_frame(model_inputs.load_inputs(con), "type2_diabetes")
    in_scope = sorted({c for members in regions.values() for c in members})
    props, legend, counts = executive.tier_properties(shapes, frame, in_scope)
    geometry = maps.geometries(shapes, simplify=maps.WORLD_SIMPLIFY)
    chart = maps.deck([maps.polygon_layer("countries", maps.feature_collection(
        props, ["iso3", "name", "risk_tier", "value_text", "detail_text", "fill"],
        geometry=geometry))], maps.TOOLTIP_HTML)
    return maps.standalone_html(chart, title="Risk <tiers> & flags", legend=legend,
                                counts=counts, notes=["Beige: outside the six regions."],
                                generated=WHEN)


def test_the_page_says_what_when_and_from_whom(html_map):
    assert "<title>Risk &lt;tiers&gt; &amp; flags</title>" in html_map
    assert "<h1>Risk &lt;tiers&gt; &amp; flags</h1>" in html_map
    assert "2026-04-05 (UTC)" in html_map
    assert re.search(r'class="swatch" style="background:#009e73"></span>low \(\d+\)', html_map)
    assert "Beige: outside the six regions." in html_map
    assert ATTRIBUTION in html_map


def test_nothing_on_the_network_is_referenced(html_map):
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html_map, flags=re.I)
    assert tags and all(not re.search(r"\b(src|href)\s*=", tag, flags=re.I) for tag in tags)
    markup = re.sub(r"<script>.*?</script>", "", html_map, flags=re.S)  # deck.gl's code aside
    assert not re.search(r"(https?:)?//", markup.replace("http://www.w3.org", ""))
    assert "@import" not in html_map and "sourceMappingURL" not in html_map
    assert "default-src 'none'" in html_map  # and the browser refuses any request


@pytest.mark.browser
def test_it_draws_offline_in_chromium(html_map, page, tmp_path):
    path = tmp_path / "map.html"
    path.write_text(html_map, encoding="utf-8")
    refused, problems = [], []

    def route(request_route):
        if request_route.request.url == path.as_uri():
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(path.as_uri())
    canvas = page.locator("#deck-container canvas")
    canvas.wait_for(timeout=60_000)
    page.wait_for_function("""() => {
        const c = document.querySelector('#deck-container canvas');
        return c && c.width > 0 && c.height > 0;
    }""", timeout=60_000)
    page.wait_for_timeout(3000)
    shot = np.asarray(Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")).astype(int)
    low = np.abs(shot - maps.TIER_COLORS["low"][:3]).sum(axis=2) < 25
    assert low.mean() > 0.005, "the low-risk countries are drawn"
    assert page.get_by_role("heading", name="Risk <tiers> & flags").is_visible()
    assert page.get_by_text("Natural Earth (public domain)").is_visible()
    assert refused == [] and problems == []
