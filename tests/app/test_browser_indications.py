"""Browser test of the "Your indications" page: a rates CSV uploaded, saved, and listed."""

from __future__ import annotations

import pytest

from footprint.store.indications import list_indications
from footprint.store.workspace import TEAM_USER, open_store
from tests.app.conftest import serve, sqlite_url

pytestmark = pytest.mark.browser

RATES = (b"country,rate,unit,year,source\n"
         b"Brazil,2.5,per_100000,2020,INCA 2020\n"
         b"USA,3.2,per_100000,2022,CBTRUS 2022\n")


def settled(page) -> None:
    """Wait until the app's script run has finished (Streamlit marks its root element)."""
    page.wait_for_timeout(300)  # the rerun a change starts
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=60_000)


def test_a_rates_csv_is_uploaded_saved_and_listed(browser, tmp_path, browser_context_args):
    url = sqlite_url(tmp_path)
    with serve("browser-indications.log", url) as server:
        page = browser.new_context(**browser_context_args).new_page()
        page.goto(f"{server}/indications")
        page.get_by_role("heading", name="Your indications").wait_for(timeout=45_000)
        for field, value in (("Age band: lowest age [years]", "18"),
                             ("Diagnosed share [0-1]", "0.9")):
            # one field at a time, each rerun finished: a rerun still running when the next
            # field is typed redraws that field with its old value
            box = page.get_by_role("spinbutton", name=field)
            box.fill(value)
            box.press("Enter")
            settled(page)
        page.get_by_label("Name").fill("Glioblastoma")
        page.get_by_label("Name").press("Enter")
        settled(page)
        page.get_by_text("A rate per country (CSV upload)").click()
        settled(page)
        uploader = page.get_by_test_id("stFileUploader").filter(has_text="Rates per country")
        uploader.locator('input[type="file"]').set_input_files(
            {"name": "rates.csv", "mimeType": "text/csv", "buffer": RATES})
        page.get_by_text("rates.csv").wait_for(timeout=20_000)
        settled(page)
        page.get_by_role("button", name="Save indication").click()
        errors = page.get_by_test_id("stAlertContentError")
        page.get_by_text("Saved 'Glioblastoma'").or_(errors).first.wait_for(timeout=60_000)
        assert errors.count() == 0, errors.all_inner_texts()
        page.get_by_text("Saved 'Glioblastoma'").wait_for(timeout=10_000)
        page.get_by_role("heading", name="Saved indications").wait_for(timeout=10_000)
        page.context.close()
    store = open_store(url)
    try:
        (item,) = list_indications(store, user=TEAM_USER)
    finally:
        store.close()
    assert item.definition.name == "Glioblastoma" and item.info.version == 1
    assert [iso3 for iso3, _ in item.definition.rates] == ["BRA", "USA"]
    assert item.definition.sources == "your data: INCA 2020, 2020; CBTRUS 2022, 2022"
