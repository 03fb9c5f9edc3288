"""Browser test of planning on the Scenario builder (issue 12): upload actual enrollment,
re-forecast, and see the plan against the actuals on one chart (Debian's Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from footprint.views import scenario as view

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
ACTUALS = view.EXAMPLE_PATH.parent / "actuals_latam_hypertension.csv"
CHART = '[data-testid="stVegaLiteChart"]'


def shoot(page, heading: str, name: str) -> None:
    """A 1280x800 screenshot with ``heading`` at the top."""
    page.get_by_role("heading", name=heading).first.scroll_into_view_if_needed()
    page.get_by_role("heading", name=heading).first.evaluate("e => e.scrollIntoView()")
    page.wait_for_timeout(1200)  # vega draws after its element appears
    page.screenshot(path=SCREENSHOTS / name)


def test_actuals_upload_shows_the_plan_against_the_actuals(server, page):  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server}/scenario")
    page.get_by_role("heading", name="Scenario builder").wait_for(timeout=45_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("button", name="Run forecast").click()
    page.get_by_role("heading", name="Milestones").wait_for(timeout=60_000)
    shoot(page, "Forecast", "planning-forecast.png")
    shoot(page, "Milestones", "planning-milestones.png")

    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Actual enrollment")
    uploader.locator('input[type="file"]').set_input_files(str(ACTUALS))
    button = page.get_by_role("button", name="Re-forecast", exact=True)
    button.wait_for(timeout=30_000)
    charts_before = page.locator(CHART).count()
    button.click()
    page.get_by_text("Blue: the plan's P10-P90 band").wait_for(timeout=60_000)
    chart = page.locator(CHART).filter(has=page.locator("canvas, svg")).nth(charts_before)
    chart.wait_for(timeout=30_000)
    assert page.locator(CHART).count() == charts_before + 1
    assert page.get_by_test_id("stMetricLabel").filter(has_text="Patients so far").count() == 1
    assert page.get_by_test_id("stException").count() == 0
    shoot(page, "Re-forecast from actual enrollment", "planning-reforecast.png")
