"""Browser tests: a real `streamlit run` on 127.0.0.1 driven by Debian's Chromium."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect
from streamlit.testing.v1 import AppTest

from footprint.data import atlas
from footprint.data.database import open_database
from footprint.views import format as fmt
from footprint.views import maps
from footprint.views.regions import region_view

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
CANVAS = ".stDeckGlJsonChart canvas"


def screenshot(page, name: str, height: int = 2400) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the viewport."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(1500)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    page.set_viewport_size(size)


def wait_for_map(page, timeout: float = 45_000):
    page.wait_for_selector(CANVAS, timeout=timeout)
    page.wait_for_timeout(1200)  # deck.gl draws a frame or two after the canvas appears
    box = page.locator(CANVAS).first.bounding_box()
    assert box and box["width"] > 700 and box["height"] > 400
    return box


def pixel(box: dict, view, lon: float, lat: float) -> tuple[float, float]:
    """Where a longitude/latitude lands on a deck.gl Web-Mercator canvas."""
    dx, dy = maps.pixel_offset(view, lon, lat)
    return box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy


def selected(page) -> dict[str, str]:
    """Label -> shown value of every selectbox on the page."""
    pairs = page.locator('[data-testid="stSelectbox"] input').evaluate_all(
        "els => els.map(e => [e.getAttribute('aria-label'), e.value])")
    return dict(pairs)


def six_regions_view():
    """The Explore map's view of all six regions, as the page frames it."""
    con = open_database()
    try:
        boxes = maps.main_bounds_by_country(atlas.country_shapes(con))
        return region_view((), (), boxes, atlas.regions(con))
    finally:
        con.close()


def ranking_rows(page) -> list[str]:
    """The ranking's Country column as drawn (glide-data-grid cells), top to bottom."""
    grid = page.locator('[data-testid="stDataFrame"]').first  # the legend is HTML now
    grid.wait_for()
    return grid.locator('[role="gridcell"][aria-colindex="2"]').all_inner_texts()


def ranking_from_apptest(**params) -> pd.DataFrame:
    at = AppTest.from_file("../../app.py", default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return next(f.value for f in at.dataframe if "Rank" in f.value.columns)


def test_explore_click_on_brazil_opens_its_details(server, page):
    page.goto(server)
    box = wait_for_map(page)
    assert page.get_by_role("heading", name="Explore").is_visible()
    # the map fills the main column (no narrow world floating in white)
    row = page.locator('[data-testid="stHorizontalBlock"]').first.bounding_box()
    assert box["width"] >= 0.98 * row["width"]  # as wide as the row of selectors above
    x, y = pixel(box, six_regions_view(), -50.0, -10.0)  # central Brazil
    page.mouse.click(x, y)
    summary = page.get_by_text("Brazil (BRA) · Latin America")
    summary.wait_for(timeout=20_000)
    page.wait_for_url(lambda url: "country=BRA" in url, timeout=20_000)  # written at run end
    assert "country=BRA" in page.url
    page.get_by_role("tab", name="Patient funnel").wait_for()
    # the page scrolls to the details: wait for it (a loaded machine takes more than 1.5 s)
    expect(summary).to_be_in_viewport(timeout=20_000)
    assert page.get_by_role("heading", name="Country details").is_visible()
    top = summary.bounding_box()["y"]
    assert 0 <= top <= page.viewport_size["height"]  # the details are in view, not below
    screenshot(page, "explore")


def test_explore_csv_download_matches_the_table(server, page):
    page.goto(f"{server}/?region=latin-america&metric=SP.POP.TOTL")
    wait_for_map(page)
    with page.expect_download(timeout=20_000) as info:
        page.get_by_role("button", name="Download the ranking (CSV)").click()
    download = info.value
    assert download.suggested_filename == "trial-footprint-ranking-population-latin-america.csv"
    csv = pd.read_csv(io.BytesIO(Path(download.path()).read_bytes()))
    table = ranking_from_apptest(region="latin-america", metric="SP.POP.TOTL")
    assert list(csv.columns[:len(table.columns)]) == list(table.columns)
    assert {"Indication", "Weights (pool / friction / infrastructure)", "Eligible share [%]",
            "Site activation [days]", "Gated countries"} <= set(csv.columns)
    assert len(csv) == len(table) == 20 - 3  # Cuba, Haiti and Venezuela are left out
    assert list(csv["ISO3"]) == list(table["ISO3"])
    exact = csv["Population, total [people]"]
    assert (exact == exact.round()).all()  # whole people in the file
    shown = table["Population, total [people]"].astype(float)  # three figures on the page
    assert list(exact.map(fmt.significant)) == pytest.approx(list(shown))


def test_deep_link_restores_the_view(server, page):
    page.goto(f"{server}/?region=india&metric=WGI.RQ&country=IND&indication=hypertension")
    wait_for_map(page)
    page.get_by_text("India (IND) · India").wait_for(timeout=20_000)
    assert selected(page) == {
        "Indication": "Hypertension", "Country": "India",
        "Metric": "Indicator · Regulatory quality [estimate (-2.5 weak to 2.5 strong)]"}
    assert page.locator('[data-testid="stMultiSelect"]').get_by_text("India").count() == 1
    page.get_by_text("Drill-down: India").wait_for()
    assert page.locator(CANVAS).count() == 2  # the world and India's states
    screenshot(page, "explore-india-drill-down", 3400)


def test_a_link_with_weights_and_a_custom_set_reopens_the_ranking_in_a_fresh_context(
        server, page, browser):
    link = f"{server}/?region=japan&countries=DEU,FRA,BRA,MEX&weights=10,2,5"
    expected = ranking_from_apptest(region="japan", countries="DEU,FRA,BRA,MEX",
                                    weights="10,2,5")
    page.goto(link)
    wait_for_map(page)
    page.get_by_text("Ranking: Japan + 4 countries").wait_for(timeout=20_000)
    first = ranking_rows(page)
    assert first == list(expected["Country"])
    fresh = browser.new_context(viewport={"width": 1280, "height": 800})  # nothing remembered
    try:
        again = fresh.new_page()
        again.goto(page.url)  # the address as the page rewrote it
        wait_for_map(again)
        again.get_by_text("Ranking: Japan + 4 countries").wait_for(timeout=20_000)
        assert ranking_rows(again) == first
        assert again.get_by_text("pool 59 % · friction 12 % · infrastructure 29 %").count() >= 1
        screenshot(again, "explore-link-1280")
    finally:
        fresh.close()


def test_a_fresh_servers_first_visit_to_the_risk_map_opens_it(fresh_server, page):
    page.goto(f"{fresh_server}/risk-map")  # a deep link before any other page has run
    page.get_by_role("heading", name="Executive risk map").wait_for(timeout=60_000)
    wait_for_map(page)
    assert page.get_by_role("dialog").count() == 0
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_role("heading", name="Explore").count() == 0


def test_executive_map_renders_and_its_html_opens_offline(server, page, context, tmp_path):
    page.goto(f"{server}/risk-map")
    wait_for_map(page)
    page.get_by_role("heading", name="Executive risk map").wait_for()
    assert page.get_by_role("dialog").count() == 0
    page.get_by_text("Top countries per region").wait_for()
    screenshot(page, "executive")
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Risk map (HTML)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".html" and path.stat().st_size < 8_000_000
    offline = context.new_page()
    offline.route("http*://**", lambda route: route.abort())  # no network at all
    offline.goto(path.as_uri())
    offline.wait_for_selector("#deck-container canvas", timeout=20_000)
    offline.close()


def test_methods_page_lists_sources_and_caveats(server, page):
    page.goto(f"{server}/data-and-methods")
    page.get_by_role("heading", name="Data & methods").wait_for(timeout=45_000)
    page.get_by_text("Known caveats").wait_for()
    page.wait_for_timeout(1500)
    assert page.get_by_text("Telangana", exact=False).count() >= 1
    screenshot(page, "methods", 3600)
