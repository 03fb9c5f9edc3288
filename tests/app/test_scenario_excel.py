"""The Scenario builder's Excel round trip: download the report workbook of the scenario (or of
a comparison), upload it back, edited or not, and the scenarios are restored."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from footprint.enrollment.scenario import CountryPlan, Scenario
from footprint.io import report_xlsx as rx
from footprint.views import scenario as view
from tests.app.test_browser_scenario import open_builder, scenario_name, wait_until
from tests.app.test_scenario_page import errors, load, rows, run, sites_of, upload

EXAMPLE = view.default_scenario()
MINE = Scenario("Mine", "hypertension", 300, (CountryPlan("FRA", 5, rate=0.9),),
                deadline_months=30.0)


@pytest.fixture
def downloads(monkeypatch) -> dict[str, object]:
    """The deferred downloads the page registers, by file name -> the callable building it
    (what the browser's click runs)."""
    found: dict[str, object] = {}
    register = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        found[file_name] = data_callable
        return register(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return found


def test_the_excel_download_is_the_scenario_and_uploads_back(downloads, app):
    button = next(b for b in app.get("download_button") if b.proto.label == "Download Excel")
    assert button.proto.deferred_file_id  # built when clicked, not on every rerun
    name = "latam-hypertension-phase-iii-report.xlsx"
    assert name in downloads, list(downloads)
    data = downloads[name]()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[:3] == [rx.SCENARIO_SHEET, rx.COUNTRIES_SHEET, rx.FORECAST_SHEET]
    load(app, MINE)
    assert sites_of(app) == {"FRA": 5}
    upload(app, name, data)
    assert app.text_input(key="scenario_name").value == EXAMPLE.name
    assert sites_of(app) == {"BRA": 14, "MEX": 10, "ARG": 8, "COL": 6}
    assert rows(app).set_index("iso3").loc["MEX", "rate"] == 0.7
    assert any(f"Restored 'LatAm hypertension, phase III' from {name}" in s.value.replace(
        "\\", "") for s in app.success)


def test_a_comparison_workbook_downloads_and_restores_every_scenario(downloads, app):
    other = replace(EXAMPLE, name="Fewer sites", countries=EXAMPLE.countries[:2])
    for s in (EXAMPLE, other):
        load(app, s)
        app.button(key="scenario_save").click()
        run(app)
    name = "comparison-of-2-latam-hypertension-phase-vs-fewer-sites.xlsx"
    assert name in downloads, list(downloads)
    data = downloads[name]()
    assert rx.scenarios_from_workbook(data) == (EXAMPLE, other)
    load(app, MINE)
    upload(app, "comparison.xlsx", data)
    assert app.text_input(key="scenario_name").value == EXAMPLE.name  # the first is loaded
    (restored,) = (s.value.replace("\\", "") for s in app.success)
    assert "Restored 'LatAm hypertension, phase III', 'Fewer sites'" in restored
    assert "also kept in this tab for comparing" in restored


def test_a_badly_edited_workbook_keeps_the_scenario(downloads, app):
    data = downloads["latam-hypertension-phase-iii-report.xlsx"]()
    book = openpyxl.load_workbook(io.BytesIO(data))
    del book[rx.SCENARIO_SHEET]
    broken = io.BytesIO()
    book.save(broken)
    load(app, MINE)
    upload(app, "edited.xlsx", broken.getvalue())
    text = errors(app)
    assert "edited.xlsx was not loaded" in text and "no sheet named 'Scenario'" in text
    assert sites_of(app) == {"FRA": 5} and app.text_input(key="scenario_name").value == "Mine"


@pytest.mark.browser
def test_browser_downloads_the_workbook_and_uploads_it_back(server, page, tmp_path):
    open_builder(page, server)
    name_box = page.get_by_label("Scenario name")
    name_box.fill("Excel round trip")
    name_box.press("Enter")
    wait_until(lambda: page.get_by_role("button", name="Download Excel").is_enabled(), page)
    page.wait_for_timeout(1000)  # the rerun with the new name registers the new file name
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download Excel").click()
    download = info.value
    assert download.suggested_filename == "excel-round-trip-report.xlsx"
    data = Path(download.path()).read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[:3] == ["Scenario", "Countries", "Forecast"]
    header = [c.value for c in book["Scenario"][1]]
    assert book["Scenario"].cell(2, header.index("name") + 1).value == "Excel round trip"
    name_box.fill("Something else")
    name_box.press("Enter")
    wait_until(lambda: scenario_name(page) == "Something else", page)
    page.get_by_role("tab", name="Scenario file (JSON or CSV)").click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Scenario file")
    uploader.locator('input[type="file"]').set_input_files(
        {"name": download.suggested_filename, "buffer": data,
         "mimeType": rx.XLSX_MIME})
    page.get_by_text("Restored 'Excel round trip'").wait_for(timeout=30_000)
    wait_until(lambda: scenario_name(page) == "Excel round trip", page)
