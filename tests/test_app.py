"""AppTest: every page runs as users meet it, without exceptions."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

APP = "../app.py"  # AppTest paths are relative to this file


@pytest.fixture
def app():
    at = AppTest.from_file(APP, default_timeout=60)
    return at


def test_explore_draws_the_six_regions(app):
    app.run()
    assert not app.exception
    chart = app.get("deck_gl_json_chart")[0]
    spec = json.loads(chart.proto.json)
    countries = next(layer for layer in spec["layers"] if layer["id"] == "countries")
    features = countries["data"]["features"]
    labels = {f["properties"]["region_label"] for f in features}
    assert {"United States", "Japan", "India", "Latin America"} <= labels
    assert "Eastern Europe + European Union" in labels
    assert spec.get("mapProvider") in (None, "")  # no base map: no network needed
