"""Offline for real: no request leaves the browser for a host other than the app's own.

Every request of a Chromium context is routed through a handler that lets requests to
127.0.0.1 / localhost through and aborts (and records) any other; websockets are watched the
same way. Every page is visited, the Explore map drawn and the Scenario builder's site map too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

LOCAL = {"127.0.0.1", "localhost"}
PAGES = ("", "risk-map", "scenario", "data-and-methods")
CANVAS = ".stDeckGlJsonChart canvas"
SITES = b"site_name,latitude,longitude\nSao Paulo,-23.55,-46.63\nLima,-12.05,-77.04\n"


@pytest.fixture
def offline(context):
    """The browser context, every third-party request aborted and listed in ``foreign``."""
    foreign: list[str] = []

    def route(route):
        url = route.request.url
        if urlsplit(url).hostname in LOCAL:
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    context.route("**/*", route)
    context.on("page", lambda page: page.on(
        "websocket", lambda ws: None if urlsplit(ws.url).hostname in LOCAL
        else foreign.append(ws.url)))
    context.foreign = foreign
    return context


def test_no_page_requests_a_third_party_host(offline, server, tmp_path):
    page = offline.new_page()
    for path in PAGES:
        page.goto(f"{server}/{path}")
        page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=60_000)
        page.wait_for_timeout(1500)
        if path == "":
            page.wait_for_selector(CANVAS, timeout=60_000)  # the map draws
            page.wait_for_timeout(1500)
        if path == "scenario":
            page.get_by_role("tab", name="Site list (CSV)").click()
            sites = tmp_path / "sites.csv"
            sites.write_bytes(SITES)
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
                sites)
            page.get_by_text("2 sites in 2 countries").wait_for(timeout=30_000)
            page.wait_for_selector(CANVAS, timeout=60_000)
            page.wait_for_timeout(1500)
    icon = page.locator("link[rel='shortcut icon']").get_attribute("href")
    assert icon.startswith("data:image/svg+xml"), icon  # inline: not fetched from a font CDN
    assert offline.foreign == [], offline.foreign
