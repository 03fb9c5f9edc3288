"""Link state: parsing query parameters with notices, and writing them back."""

from __future__ import annotations

import pytest

from footprint.views.url_state import (
    MAX_LIST_ITEMS,
    SETTINGS,
    Choices,
    ViewState,
    parse_view_params,
    view_params,
)

DEFAULT = ViewState(metric="attractiveness", indication="hiv", drill="urban_population")
CHOICES = Choices(regions=["Japan", "Latin America"], metrics=["attractiveness", "WGI.RQ"],
                  indications=["hiv", "type2_diabetes"], countries={"ARG", "BRA", "JPN"},
                  drills=["urban_population", "eligible_patients"])


def parse(params, **kw):
    return parse_view_params(params, choices=CHOICES, default=DEFAULT, **kw)


def state(**changes) -> ViewState:
    fields = {f: getattr(DEFAULT, f) for f in ViewState.__slots__}
    return ViewState(**{**fields, **changes})


@pytest.mark.parametrize("params, expected", [
    ({}, DEFAULT),
    ({"region": "latin-america"}, state(regions=("Latin America",))),
    ({"region": "Latin America"}, state(regions=("Latin America",))),
    ({"region": ["latin-america"]}, state(regions=("Latin America",))),  # get_all's list
    ({"region": "latin-america,japan"}, state(regions=("Latin America", "Japan"))),
    ({"region": "all-regions"}, DEFAULT),
    ({"countries": "bra,ARG"}, state(countries=("BRA", "ARG"))),
    ({"metric": "wgi.rq", "country": "bra", "indication": "TYPE2_DIABETES"},
     state(metric="WGI.RQ", indication="type2_diabetes", country="BRA")),
    ({"weights": "10,2,5", "eligibility": "25", "activation": "120", "include_gated": "1",
      "drill": "eligible_patients"},
     state(weights=(10, 2, 5), eligibility=25, activation=120, include_gated=True,
           drill="eligible_patients")),
    ({"include_gated": "false"}, DEFAULT),
    ({"utm_source": "mail", "embed": "true"}, DEFAULT),  # foreign parameters are ignored
])
def test_parse_view_params_accepts_names_slugs_lists_and_any_case(params, expected):
    assert parse(params) == (expected, [])


@pytest.mark.parametrize("param, value, reason", [
    ("region", "Atlantis", "names nothing this app knows as a region"),
    ("region", "", "is empty or has an empty item"),
    ("region", ["japan", "latin-america"], "is given more than once"),
    ("metric", "x" * 65, "is longer than 64 characters"),
    ("metric", "<script>alert(1)</script>", "contains characters no valid value has"),
    ("country", "BRA\"><img src=x>", "contains characters no valid value has"),
    ("country", "USA", "is not a mapped country (ISO3 code) this app knows"),
    ("countries", ",".join(["BRA"] * (MAX_LIST_ITEMS + 1)), "lists more than 100 items"),
    ("countries", "BRA,<b>", "has an item with characters no valid value has"),
    ("indication", "javascript:alert(1)", "contains characters no valid value has"),
    ("weights", "10,2", "is not three weights from 0 to 10 (like 10,2,5)"),
    ("weights", "11,2,5", "is not three weights from 0 to 10 (like 10,2,5)"),
    ("weights", "-1,2,5", "is not three weights from 0 to 10 (like 10,2,5)"),
    ("weights", "1,\u00b2,5", "is not three weights from 0 to 10 (like 10,2,5)"),  # isdigit
    ("eligibility", "0", "is not a whole number of per cent from 1 to 100"),
    ("eligibility", "\u00b2", "is not a whole number of per cent from 1 to 100"),
    ("activation", "93", "is not a whole number of days from 0 to 365 in steps of 5"),
    ("activation", "9" * 70, "is not a whole number of days from 0 to 365 in steps of 5"),
    ("include_gated", "maybe", "is not 1 or 0"),
    ("drill", "population", "is not a drill-down metric this app knows"),
])
def test_parse_view_params_falls_back_with_a_notice_naming_the_parameter(param, value, reason):
    got, notices = parse({param: value})
    assert got == DEFAULT
    assert len(notices) == 1
    assert notices[0].startswith(f"Link parameter '{param}' {reason}; showing ")
    assert "<" not in notices[0] and "Atlantis" not in notices[0]  # the value is never echoed


def test_a_list_keeps_what_it_knows_and_says_what_it_left_out():
    got, notices = parse({"countries": "BRA,ZZZ,BRA,QQQ"})
    assert got.countries == ("BRA",)
    assert notices == ["Link parameter 'countries' has 2 items that are not a mapped country "
                       "(ISO3 code) this app knows (left out); repeats an item (kept once)."]


def test_fallbacks_name_what_is_shown_instead():
    _, notices = parse({"weights": "x", "region": "nowhere", "include_gated": "2"})
    assert "showing All regions instead" in notices[0]
    assert "showing 5,5,5 instead" in notices[1]
    assert "showing gated countries left out instead" in notices[2]


def test_only_the_named_parameters_are_read():
    got, notices = parse({"region": "Atlantis", "weights": "1,2,3"}, names=SETTINGS)
    assert got == state(weights=(1, 2, 3)) and notices == []


def test_view_params_round_trip_and_leave_defaults_out():
    view = state(regions=("Latin America", "Japan"), countries=("BRA",), metric="WGI.RQ",
                 indication="type2_diabetes", country="BRA", weights=(10, 2, 5), eligibility=20,
                 activation=60, include_gated=True, drill="eligible_patients")
    params = view_params(view, DEFAULT)
    assert params == {"region": "latin-america,japan", "countries": "BRA", "metric": "WGI.RQ",
                      "indication": "type2_diabetes", "country": "BRA", "weights": "10,2,5",
                      "eligibility": "20", "activation": "60", "include_gated": "1",
                      "drill": "eligible_patients"}
    assert parse(params) == (view, [])
    assert view_params(DEFAULT, DEFAULT) == {}
    assert view_params(view, DEFAULT, names=SETTINGS) == {
        "indication": "type2_diabetes", "weights": "10,2,5", "eligibility": "20",
        "activation": "60", "include_gated": "1"}
