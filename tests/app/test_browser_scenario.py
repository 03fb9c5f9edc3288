"""Browser tests of the Scenario builder: a real `streamlit run` driven by Debian's Chromium."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from footprint.views import scenario as view

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
EXAMPLE = view.default_scenario()
EDITOR = '[data-testid="stDataFrame"]'


def open_builder(page, server):  # noqa: F811
    page.goto(f"{server}/scenario")
    page.get_by_role("heading", name="Scenario builder").wait_for(timeout=45_000)
    assert page.get_by_role("dialog").count() == 0  # no "Page not found" notice
    page.locator(EDITOR).first.locator('[role="gridcell"]').first.wait_for(
        state="attached", timeout=30_000)
    # fewer simulated trials keep the test quick: the slider's handle moves with the keyboard
    handle = page.get_by_test_id("stSlider").filter(has_text="Simulated trials").get_by_role(
        "slider")
    for _ in range(6):
        if handle.get_attribute("aria-valuetext") == "2,000":
            break
        handle.focus()
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(600)
    assert handle.get_attribute("aria-valuetext") == "2,000"


def editor_rows(page) -> list[tuple[str, str]]:
    """(ISO3, sites) of every country row the editor shows (its accessible grid)."""
    rows = page.locator(EDITOR).first.locator('[role="row"]')
    out = []
    for i in range(rows.count()):
        cells = rows.nth(i).locator('[role="gridcell"]').all_inner_texts()
        if len(cells) >= 2 and cells[0].strip():
            out.append((cells[0].strip(), cells[1].strip()))
    return out


def wait_until(condition, page, timeout_ms: int = 20_000) -> None:
    """Poll ``condition`` until it holds (a wait, not a timing assertion)."""
    for _ in range(timeout_ms // 250):
        if condition():
            return
        page.wait_for_timeout(250)
    raise AssertionError("the page did not reach the expected state")


def scenario_name(page) -> str:
    return page.get_by_label("Scenario name").input_value()


def run_forecast(page) -> dict[str, str]:
    page.get_by_role("button", name="Run forecast").click()
    page.get_by_text("Per-country contributions").wait_for(timeout=30_000)
    metrics = page.get_by_test_id("stMetric")

    def shown() -> dict[str, str]:
        return {metrics.nth(i).get_by_test_id("stMetricLabel").inner_text().strip():
                metrics.nth(i).get_by_test_id("stMetricValue").inner_text().strip()
                for i in range(metrics.count())}

    # labels are markdown, drawn a moment after the metric itself
    wait_until(lambda: {f"P{q} [months to target]" for q in (10, 50, 90)} <= set(shown()), page)
    return shown()


def shown_table(page) -> pd.DataFrame:
    """The per-country contributions as the page shows them (an HTML table)."""
    table = page.get_by_test_id("stTable").locator("table")
    # header cells are markdown, drawn a moment after the table itself
    wait_until(lambda: "Country" in table.locator("thead th").all_inner_texts(), page)
    header = [c.strip() for c in table.locator("thead th").all_inner_texts()]
    body = [[c.strip() for c in row.locator("th, td").all_inner_texts()]
            for row in table.locator("tbody tr").all()]
    if len(body[0]) == len(header) + 1:  # an index column without a header
        body = [row[1:] for row in body]
    return pd.DataFrame(body, columns=header[-len(body[0]):])


def upload_scenario_file(page, name: str, data: bytes) -> None:
    page.get_by_role("tab", name="Scenario file (JSON or CSV)").click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Scenario file")
    uploader.locator('input[type="file"]').set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data})


def test_forecast_and_csv_download_match_what_is_shown(server, page):  # noqa: F811
    open_builder(page, server)
    assert editor_rows(page) == [("BRA", "14"), ("MEX", "10"), ("ARG", "8"), ("COL", "6")]
    metrics = run_forecast(page)
    p10, p50, p90 = (float(metrics[f"P{q} [months to target]"]) for q in (10, 50, 90))
    assert p10 < p50 < p90
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
                 ).first.wait_for()
    shown = shown_table(page)

    with page.expect_download(timeout=20_000) as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == "latam-hypertension-phase-iii.csv"
    csv = pd.read_csv(io.BytesIO(Path(download.path()).read_bytes()), encoding="utf-8-sig")
    assert list(csv["iso3"]) == list(shown["ISO3"]) == ["BRA", "MEX", "ARG", "COL"]
    assert list(csv["sites"]) == [int(s) for s in shown["Sites"]]
    shown_patients = shown["Expected patients at P50"].str.replace(",", "").astype(float)
    assert (csv["expected_patients_at_p50"] - shown_patients).abs().max() <= 0.051
    assert csv["months_to_target_p50"].round(1).eq(p50).all()
    assert (csv["forecast_method"] == "monte_carlo").all()
    assert (csv["name"] == EXAMPLE.name).all() and (csv["seed"] == EXAMPLE.seed).all()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("heading", name="Scenario builder").scroll_into_view_if_needed()
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.wait_for_timeout(1500)
    page.screenshot(path=SCREENSHOTS / "scenario.png", full_page=True)


def test_bad_upload_keeps_the_scenario_and_the_example_restores_it(server, page):  # noqa: F811
    open_builder(page, server)
    other = json.dumps({"schema_version": 1, "name": "Other plan", "indication": "hiv",
                        "target_patients": 90, "countries": [{"iso3": "ZAF", "sites": 7},
                                                             {"iso3": "KEN", "sites": 3}]})
    upload_scenario_file(page, "other.json", other.encode())
    page.get_by_text("Restored 'Other plan' from other.json").wait_for(timeout=20_000)
    other_rows = [("ZAF", "7"), ("KEN", "3")]
    wait_until(lambda: editor_rows(page) == other_rows, page)
    assert scenario_name(page) == "Other plan"

    upload_scenario_file(page, "plan.xlsx", b"PK\x03\x04" + b"\x00" * 200)
    error = page.get_by_test_id("stAlertContentError").filter(has_text="plan.xlsx")
    error.wait_for(timeout=20_000)
    assert "was not loaded" in error.inner_text() and "Excel workbook" in error.inner_text()
    broken = json.dumps({"schema_version": 1, "name": "x", "indication": "hiv",
                         "target_patients": 5, "countries": [{"iso3": "ZAF", "sites": -1},
                                                             {"iso3": "XXX", "sites": 2}]})
    upload_scenario_file(page, "broken.json", broken.encode())
    error = page.get_by_test_id("stAlertContentError").filter(has_text="broken.json")
    error.wait_for(timeout=20_000)
    text = error.inner_text()
    assert "countries[0].sites" in text and "unknown country code 'XXX'" in text
    assert scenario_name(page) == "Other plan"  # the scenario is untouched
    assert editor_rows(page) == other_rows

    upload_scenario_file(page, "scenario_latam_hypertension.json",
                         view.EXAMPLE_PATH.read_bytes())
    page.get_by_text(f"Restored '{EXAMPLE.name}'").wait_for(timeout=20_000)
    example_rows = [("BRA", "14"), ("MEX", "10"), ("ARG", "8"), ("COL", "6")]
    wait_until(lambda: editor_rows(page) == example_rows, page)
    assert scenario_name(page) == EXAMPLE.name
    assert page.get_by_label("Target patients").input_value() == "480"
    assert page.get_by_test_id("stException").count() == 0


def test_site_list_is_mapped_and_counted(server, page):  # noqa: F811
    open_builder(page, server)
    page.get_by_role("tab", name="Site list (CSV)").click()
    data = (b"site_name,country,latitude,longitude\n"
            b"Sao Paulo,BRA,-23.55,-46.63\nRio,BRA,-22.91,-43.17\n"
            b"Mexico City,,19.43,-99.13\nBuenos Aires,ARG,-34.6,-58.38\n"
            b"Tokyo?,ARG,35.68,139.69\n")
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Site list")
    uploader.locator('input[type="file"]').set_input_files(
        {"name": "sites.csv", "mimeType": "text/csv", "buffer": data})
    page.get_by_text("5 sites in 3 countries").wait_for(timeout=20_000)
    page.locator(".stDeckGlJsonChart canvas").wait_for(timeout=30_000)
    page.get_by_text("given country ARG but the coordinates fall in JPN").wait_for()
    page.get_by_role("button", name="Use these site counts").click()
    expected = [("BRA", "2"), ("MEX", "1"), ("ARG", "2")]  # the table's order; COL dropped
    wait_until(lambda: editor_rows(page) == expected, page)
    assert editor_rows(page) == expected
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("tab", name="Site list (CSV)").click()  # the rerun shows the first tab
    page.get_by_text("5 sites in 3 countries").scroll_into_view_if_needed()
    page.wait_for_timeout(1200)  # deck.gl draws a frame or two after the canvas appears
    page.screenshot(path=SCREENSHOTS / "scenario-site-list.png")
