"""Hostile and messy inputs, as users send them to the Scenario builder (issue 6).

Each one is answered by a clear message, and the scenario on screen (name, country rows,
forecast) is exactly what it was before.
"""

from __future__ import annotations

import json

import pytest

from footprint.enrollment.scenario import CountryPlan, Scenario
from footprint.io.scenario_csv import scenario_to_csv
from footprint.views import scenario as view
from tests.app.test_scenario_page import (
    errors,
    forecast,
    load,
    metrics,
    sites_of,
    upload,
)

EXAMPLE = json.loads(view.EXAMPLE_PATH.read_text())
MINE = Scenario("Mine", "hypertension", 300, (CountryPlan("FRA", 5, rate=0.9),),
                deadline_months=30.0)


def example(**changes) -> bytes:
    return json.dumps({**EXAMPLE, **changes}).encode()


SCENARIO_FILES = [
    ("empty.json", b"", "empty"),
    ("blank.csv", b"  \n \n", "empty"),
    ("plan.xlsx", b"PK\x03\x04" + b"\x00" * 64, "Excel"),
    ("photo.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("huge.json", b"[" + b"1," * (26 * 1024 * 1024) + b"1]", "limit"),
    ("broken.json", b'{"name": "x", ', "JSON"),
    ("types.json", example(target_patients="four hundred", seed=1.5), "target_patients"),
    ("extra.json", example(sponsor="ACME"), "unknown field"),
    ("missing.json", json.dumps({"schema_version": 1, "name": "x"}).encode(),
     "required field is missing"),
    ("future.json", example(schema_version=2), "newer"),
    ("dupes.json", example(countries=[{"iso3": "BRA", "sites": 2}, {"iso3": "BRA", "sites": 3}]),
     "BRA"),
    ("numbers.json", example(countries=[{"iso3": "BRA", "sites": 2, "rate": -1},
                                        {"iso3": "MEX", "sites": 2, "rate_shape": 0}]),
     "rate"),
    ("nan.json", b'{"schema_version": 1, "name": "x", "indication": "hiv", '
                 b'"target_patients": NaN, "countries": [{"iso3": "BRA", "sites": Infinity}]}',
     "target_patients"),
    ("site-list.csv", b"site_name;country\nHospital A;BRA\n", "columns"),
]


@pytest.mark.parametrize(("name", "data", "expected"), SCENARIO_FILES,
                         ids=[f[0] for f in SCENARIO_FILES])
def test_bad_scenario_files_get_a_clear_message_and_keep_the_scenario(app, name, data,
                                                                       expected):
    load(app, MINE)
    before = forecast(app)
    upload(app, name, data)
    text = errors(app)
    assert f"{name} was not loaded" in text, text
    assert expected.lower() in text.lower(), text
    assert app.text_input(key="scenario_name").value == "Mine"
    assert sites_of(app) == {"FRA": 5}
    assert metrics(app) == before
    assert "Traceback" not in text


def test_a_latin1_semicolon_csv_exported_then_resaved_still_restores(app):
    """Excel on a French or German machine re-saves our CSV as Windows-1252 with ';'."""
    mine = Scenario("Essai Hôpital Nord", "hypertension", 200, (CountryPlan("FRA", 4),))
    resaved = scenario_to_csv(mine).lstrip("\ufeff").replace(",", ";").encode("cp1252")
    load(app, MINE)
    upload(app, "essai.csv", resaved)
    assert not errors(app), errors(app)
    assert app.text_input(key="scenario_name").value == "Essai Hôpital Nord"
    assert sites_of(app) == {"FRA": 4}
