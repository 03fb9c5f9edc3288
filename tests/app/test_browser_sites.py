"""Browser test of site lists as people keep them: country names, not codes."""

from __future__ import annotations

import pytest

from tests.app.test_browser_scenario import editor_rows, open_builder, wait_until

pytestmark = pytest.mark.browser


def test_a_site_list_with_country_names_is_accepted(server, page):  # noqa: F811
    """A list with 'Brasil', 'United States' and 'South Korea' was refused row by row
    ("must be a 3-letter ISO3 code such as BRA")."""
    open_builder(page, server)
    page.get_by_role("tab", name="Site list (CSV)").click()
    data = ("site_name,city,country,latitude,longitude\n"
            "Hospital das Clínicas,São Paulo,Brasil,-23.55,-46.67\n"
            "Hospital Moinhos de Vento,Porto Alegre,Brazil,,\n"
            "Mass General,Boston,United States,42.36,-71.07\n"
            "Mayo Clinic,Rochester,U.S.,,\n"
            "Severance,Seoul,\"Korea, Republic of\",,\n"
            "Seoul National University Hospital,Seoul,South Korea,37.58,127.0\n").encode()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Site list")
    uploader.locator('input[type="file"]').set_input_files(
        {"name": "sites.csv", "mimeType": "text/csv", "buffer": data})
    page.get_by_text("6 sites in 3 countries").wait_for(timeout=20_000)
    assert page.get_by_test_id("stAlertContentError").count() == 0
    page.get_by_role("button", name="Use these site counts").click()
    expected = [("BRA", "2"), ("USA", "2"), ("KOR", "2")]
    wait_until(lambda: sorted(editor_rows(page)) == sorted(expected), page)
    assert sorted(editor_rows(page)) == sorted(expected)
