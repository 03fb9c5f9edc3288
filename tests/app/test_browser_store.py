"""Browser tests of the workspace store (issue 13): a saved scenario's link opens in another
browser and after the server restarts, and a name with markup shows as typed."""

from __future__ import annotations

import re

import pytest

from tests.app.conftest import serve, sqlite_url
from tests.app.test_browser_scenario import scenario_name

pytestmark = pytest.mark.browser

MARKUP_NAME = "<b>Stored</b> **plan** :red[x]"


def wait_for_builder(page) -> None:
    page.get_by_role("heading", name="Scenario builder").wait_for(timeout=45_000)
    page.get_by_label("Scenario name").wait_for(timeout=30_000)


def save_as(page, name: str) -> str:
    """Type ``name``, save, and return the link the address bar then holds."""
    field = page.get_by_label("Scenario name")
    field.fill(name)
    field.press("Enter")
    page.get_by_role("button", name="Save current scenario").click()
    page.wait_for_url(re.compile(r"[?&]scenario=[A-Za-z0-9_-]{16}&version=1$"), timeout=30_000)
    return page.url


def test_a_saved_link_opens_in_a_fresh_browser_and_after_a_restart(browser, tmp_path,
                                                                    browser_context_args):
    store = sqlite_url(tmp_path)
    with serve("browser-store.log", store) as server:
        page = browser.new_context(**browser_context_args).new_page()
        page.goto(f"{server}/scenario")
        wait_for_builder(page)
        link = save_as(page, MARKUP_NAME)
        toast = page.get_by_test_id("stToast").filter(has_text="Saved")
        toast.wait_for(timeout=20_000)
        assert f"Saved '{MARKUP_NAME}' in the workspace store." in toast.inner_text()
        assert page.locator("[data-testid=stToast] b").count() == 0  # text, not markup

        other = browser.new_context(**browser_context_args).new_page()  # another browser
        other.goto(link)
        wait_for_builder(other)
        other.wait_for_function(
            "name => document.querySelector('input[aria-label=\"Scenario name\"]')"
            "?.value === name", arg=MARKUP_NAME, timeout=30_000)
        assert other.get_by_test_id("stAlertContentWarning").count() == 0
        other.context.close()
        page.context.close()
        path = link.removeprefix(server)

    with serve("browser-store-restarted.log", store) as restarted:  # another port, same file
        page = browser.new_context(**browser_context_args).new_page()
        page.goto(restarted + path)
        wait_for_builder(page)
        page.wait_for_function(
            "name => document.querySelector('input[aria-label=\"Scenario name\"]')"
            "?.value === name", arg=MARKUP_NAME, timeout=30_000)
        assert scenario_name(page) == MARKUP_NAME
        chosen = page.get_by_role("combobox", name="Open a saved scenario")
        assert chosen.input_value().startswith(MARKUP_NAME + " · v1 · team · ")
        page.context.close()
