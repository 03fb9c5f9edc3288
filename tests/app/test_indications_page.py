"""AppTest: a custom indication in the workspace store is offered wherever an indication is
chosen, and its pool says whose numbers it is."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from footprint.io import indications as io
from footprint.store.indications import save_indication
from footprint.store.workspace import TEAM_USER, open_store

APP = "../../app.py"  # relative to this file


@pytest.fixture
def custom_id(workspace_url) -> str:
    definition = io.definition_from_dict(
        {"name": "Glioblastoma", "age_low": 18, "age_high": None, "sex": "both",
         "kind": "incident_per_year", "diagnosed_share": 0.9,
         "rates": [{"iso3": "BRA", "rate": 2.5, "unit": "per_100000", "year": 2020,
                    "source": "INCA 2020"},
                   {"iso3": "USA", "rate": 3.2, "unit": "per_100000", "year": 2022,
                    "source": "CBTRUS 2022"}]}, {"BRA", "USA"})
    store = open_store(workspace_url)
    try:
        return save_indication(store, definition, user=TEAM_USER).definition.id
    finally:
        store.close()


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_explore_offers_it_and_its_funnel_shows_the_users_source(custom_id):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(indication=custom_id, country="BRA")
    run(at)
    box = at.selectbox(key="explore_indication")
    assert "Glioblastoma (your data)" in box.options  # AppTest lists the shown names
    assert box.value == custom_id and not at.warning
    cells = [str(v) for t in at.dataframe for v in t.value.astype(str).to_numpy().ravel()]
    assert any("your data: INCA 2020, 2020" in c for c in cells), cells[:40]


def test_the_executive_page_and_the_scenario_builder_offer_it(custom_id):
    at = AppTest.from_file(APP, default_timeout=60)
    run(at)
    at.switch_page("app_pages/executive.py")
    run(at)
    at.selectbox(key="executive_indication").set_value(custom_id)
    run(at)
    assert any("Glioblastoma (your data)" in c.value for c in at.caption)
    at.switch_page("app_pages/scenario_builder.py")
    run(at)
    at.selectbox(key="scenario_indication").set_value(custom_id)
    run(at)
    assert at.selectbox(key="scenario_indication").value == custom_id
