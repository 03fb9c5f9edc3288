"""Link state: parsing query parameters with warnings, and writing them back."""

from __future__ import annotations

import pytest

from footprint.views.regions import REGION_ALL, region_choices
from footprint.views.url_state import ViewState, parse_view_params, view_params

REGIONS = {"Latin America": ["ARG", "BRA"], "Japan": ["JPN"]}
DEFAULT = ViewState(region=REGION_ALL, metric="attractiveness", indication="hiv")
CHOICES = dict(regions=region_choices(REGIONS), metrics=["attractiveness", "WGI.RQ"],
               indications=["hiv", "type2_diabetes"], countries={"ARG", "BRA", "JPN"})


@pytest.mark.parametrize("params, expected", [
    ({}, DEFAULT),
    ({"region": "latin-america"}, ViewState("Latin America", "attractiveness", "hiv")),
    ({"region": "Latin America"}, ViewState("Latin America", "attractiveness", "hiv")),
    ({"region": ["japan", "latin-america"]},  # repeated: the last one wins
     ViewState("Latin America", "attractiveness", "hiv")),
    ({"metric": "wgi.rq", "country": "bra", "indication": "TYPE2_DIABETES"},
     ViewState(REGION_ALL, "WGI.RQ", "type2_diabetes", "BRA")),
    ({"utm_source": "mail", "embed": "true"}, DEFAULT),  # foreign parameters are ignored
])
def test_parse_view_params_accepts_names_slugs_and_any_case(params, expected):
    state, warnings = parse_view_params(params, default=DEFAULT, **CHOICES)
    assert state == expected and warnings == []


@pytest.mark.parametrize("param, value, reason", [
    ("region", "Atlantis", "is not a region this app knows"),
    ("region", "", "is empty"),
    ("metric", "x" * 65, "is longer than 64 characters"),
    ("metric", "<script>alert(1)</script>", "contains characters no valid value has"),
    ("country", "BRA\"><img src=x>", "contains characters no valid value has"),
    ("indication", "javascript:alert(1)", "contains characters no valid value has"),
    ("country", "USA", "is not a mapped country (ISO3 code) this app knows"),
])
def test_parse_view_params_falls_back_and_names_the_parameter(param, value, reason):
    state, warnings = parse_view_params({param: value}, default=DEFAULT, **CHOICES)
    assert state == DEFAULT
    assert warnings == [f"Link parameter '{param}' {reason}; showing "
                        f"{getattr(DEFAULT, param) or 'none'} instead."]
    assert value not in warnings[0] or value == ""


def test_view_params_round_trip_and_leave_defaults_out():
    state = ViewState("Latin America", "WGI.RQ", "type2_diabetes", "BRA")
    params = view_params(state, DEFAULT)
    assert params == {"region": "latin-america", "metric": "WGI.RQ",
                      "indication": "type2_diabetes", "country": "BRA"}
    assert parse_view_params(params, default=DEFAULT, **CHOICES) == (state, [])
    assert view_params(DEFAULT, DEFAULT) == {}
