"""Scenario JSON: exact round trips, the shipped example, syntax errors, duplicate keys."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from footprint.enrollment.scenario import CountryPlan
from footprint.errors import ScenarioError
from footprint.io.scenario_json import scenario_from_json, scenario_to_dict, scenario_to_json
from tests.scenarios import EXAMPLE, NASTY_NAMES, good_dict, scenarios, small


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_json_round_trip_is_exact(s):
    assert scenario_from_json(scenario_to_json(s)) == s


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_nasty_names_round_trip(name):
    s = small(name=name, indication=name)
    assert scenario_from_json(scenario_to_json(s)) == s


def test_example_file_is_valid_and_round_trips():
    text = EXAMPLE.read_text(encoding="utf-8")
    s = scenario_from_json(
        text, valid_iso3={"BRA", "MEX", "ARG", "COL"}, valid_indications={"hypertension"}
    )
    assert [c.iso3 for c in s.countries] == ["BRA", "MEX", "ARG", "COL"]
    assert s.indication == "hypertension"
    assert scenario_from_json(scenario_to_json(s)) == s
    # version 1 is written as version 2: the same values, the new fields explicit
    v1 = json.loads(text)
    zeros = {"rate_cv": 0.0, "screen_fail_share": 0.0, "dropout_share": 0.0}
    expected = {**v1, "schema_version": 2, "target_kind": "randomised",
                "countries": [{**c, **zeros} for c in v1["countries"]]}
    assert json.loads(scenario_to_json(s)) == expected
    assert list(json.loads(scenario_to_json(s))) == [
        "schema_version", "name", "indication", "target_patients", "target_kind", "seed",
        "deadline_months", "countries"]


def test_json_syntax_errors_and_duplicate_keys():
    with pytest.raises(ScenarioError, match="not valid JSON at line 1"):
        scenario_from_json("{")
    with pytest.raises(ScenarioError, match="key 'sites' appears twice"):
        scenario_from_json(
            '{"schema_version": 1, "name": "a", "indication": "b", "target_patients": 1,'
            ' "countries": [{"iso3": "BRA", "sites": 1, "sites": 2}]}'
        )
    data = good_dict()
    data["countries"][0]["rate"] = float("nan")
    with pytest.raises(ScenarioError, match=r"countries\[0\].rate"):
        scenario_from_json(json.dumps(data))  # Python's json writes NaN; it must be refused
    with pytest.raises(TypeError, match="takes text"):
        scenario_from_json(b"{}")  # type: ignore[arg-type]


def test_a_bom_is_ignored():
    assert scenario_from_json("\ufeff" + json.dumps(good_dict())) == scenario_from_json(
        json.dumps(good_dict()))


def test_scenario_built_in_code_is_validated_on_export():
    with pytest.raises(ScenarioError, match="target_patients"):
        scenario_to_json(small(target_patients=-5))


def test_dict_omits_left_out_fields():
    out = scenario_to_dict(small())
    assert out["countries"][0] == {"iso3": "BRA", "sites": 5}
    assert "deadline_months" not in out
    assert list(out) == ["schema_version", "name", "indication", "target_patients",
                         "target_kind", "seed", "countries"]
    assert scenario_to_dict(small(countries=(CountryPlan("BRA", 1, max_sites=3),)))[
        "countries"] == [{"iso3": "BRA", "sites": 1, "max_sites": 3}]


def test_an_integer_literal_longer_than_twenty_digits_is_refused():
    """A seed of more than 4,300 digits raised an uncaught ValueError and reset the page."""
    for digits in (21, 4301, 100_000):
        with pytest.raises(ScenarioError) as err:
            scenario_from_json(json.dumps(good_dict())[:-1] + f', "x": {"9" * digits}}}')
        assert err.value.problems == [f"(json): an integer of {digits:,} digits; integers in "
                                      "a scenario have at most 20"]


def test_a_deeply_nested_document_is_refused():
    with pytest.raises(ScenarioError, match="nested too deeply"):
        scenario_from_json("[" * 100_000 + "]" * 100_000)


def test_three_hundred_thousand_countries_are_one_problem():
    """They produced 600,000 problems (36 MB of markdown) and crashed the user's tab."""
    data = good_dict(countries=[{"iso3": "BRA", "sites": 1}] * 300_000)
    with pytest.raises(ScenarioError) as err:
        scenario_from_json(json.dumps(data))
    assert len(err.value.problems) == 1
    assert err.value.problems[0].startswith(
        "countries: must be a non-empty list of at most 250 country objects")
