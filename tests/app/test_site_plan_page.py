"""AppTest: a site list's sites stay in the scenario (a site-level plan): shown, mapped,
downloadable, and their historic rates used."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from footprint.enrollment.scenario import CountryPlan, Scenario, SitePlan

LIST = ("site_name,city,country,latitude,longitude,historic_rate\n"
        "Hospital das Clínicas,São Paulo,Brasil,-23.55,-46.67,2.0\n"
        "Moinhos de Vento,Porto Alegre,Brazil,,,\n"
        "INCMNSZ,Mexico City,México,19.29,-99.15,1.0\n").encode()


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def deck_ids(at: AppTest) -> list[str]:
    return [e.proto.id for e in at.get("deck_gl_json_chart")]


def test_the_listed_sites_stay_in_the_scenario_with_their_rates(app):
    app.file_uploader(key="scenario_site_file").set_value(("sites.csv", LIST, "text/csv"))
    run(app)
    app.button(key="scenario_use_sites").click()
    run(app)
    sites = table_with(app, "Historic rate [patients/site/month]")
    assert list(sites["Site"]) == ["Hospital das Clínicas", "Moinhos de Vento", "INCMNSZ"]
    assert list(sites["City"]) == ["São Paulo", "Porto Alegre", "Mexico City"]
    resolved = table_with(app, "Rate from").set_index("ISO3")
    assert resolved.loc["BRA", "Rate [patients/site/month]"] == pytest.approx(
        (2.0 + 0.6) / 2)  # one listed rate, the other site at the default 0.6
    assert resolved.loc["MEX", "Rate [patients/site/month]"] == pytest.approx(1.0)
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Download the sites (CSV)" in labels
    plan = app.session_state["scenario_page"]["current"]
    assert [s.site_name for s in plan.site_list] == list(sites["Site"])


def test_a_scenario_with_a_site_list_opens_with_its_sites(app):
    plan = Scenario("Sites", "hypertension", 200, (CountryPlan("BRA", 3),),
                    site_list=(SitePlan("A", "BRA", city="Recife", latitude=-8.05,
                                        longitude=-34.9, historic_rate=1.2),))
    app.session_state["scenario_load"] = plan
    run(app)
    sites = table_with(app, "Historic rate [patients/site/month]")
    assert list(sites["City"]) == ["Recife"]
    assert app.session_state["scenario_page"]["current"].site_list == plan.site_list
    deck = next(e for e in app.get("deck_gl_json_chart")
                if "sites" in {x["id"] for x in json.loads(e.proto.json)["layers"]})
    points = next(x for x in json.loads(deck.proto.json)["layers"] if x["id"] == "sites")
    assert [p["name"] for p in points["data"]] == ["A"]
