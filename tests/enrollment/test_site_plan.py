"""A site-level plan (``Scenario.site_list``): validated with the scenario, written to JSON,
and a listed site's historic rate used in the forecast."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from footprint.enrollment import forecast
from footprint.enrollment import scenario as sc
from footprint.enrollment.scenario import CountryPlan, Scenario, SitePlan, resolve
from footprint.errors import ScenarioError
from footprint.io.scenario_csv import scenario_to_csv, scenarios_from_csv
from footprint.io.scenario_json import scenario_from_json, scenario_to_dict, scenario_to_json

SITES = (SitePlan("Hospital das Clínicas", "BRA", city="São Paulo", latitude=-23.55,
                  longitude=-46.67, historic_rate=2.0),
         SitePlan("Moinhos de Vento", "BRA", city="Porto Alegre", historic_rate=1.5),
         SitePlan("INCMNSZ", "MEX", city="Mexico City", latitude=19.29, longitude=-99.15))
PLAN = Scenario("Sites", "hypertension", 200,
                (CountryPlan("BRA", 4, rate=0.5), CountryPlan("MEX", 3, rate=0.5)),
                site_list=SITES)


def problems(**changes) -> list[str]:
    data = scenario_to_dict(PLAN)
    data.update(changes)
    return [str(p) for p in sc.check(data)[1]]


def test_the_site_list_round_trips_through_json_with_names_cities_and_coordinates():
    back = scenario_from_json(scenario_to_json(PLAN))
    assert back == PLAN
    assert scenario_to_dict(PLAN)["site_list"][2] == {
        "site_name": "INCMNSZ", "iso3": "MEX", "city": "Mexico City", "latitude": 19.29,
        "longitude": -99.15}
    assert "site_list" not in scenario_to_dict(replace(PLAN, site_list=()))  # none: not written


def test_sites_outside_the_plan_or_past_its_counts_are_named():
    assert problems(site_list=[{"site_name": "X", "iso3": "PER"}]) == [
        "site_list[0].iso3: 'PER' is not one of the scenario's countries"]
    five = [{"site_name": f"S{i}", "iso3": "BRA"} for i in range(5)]
    assert problems(site_list=five) == [
        "countries[0].sites: must be at least the 5 sites of BRA in the site list; got 4"]
    assert problems(site_list=[{"site_name": "X", "iso3": "BRA", "historic_rate": -1,
                                "colour": "red"}]) == [
        "site_list[0].historic_rate: must be a finite number from 0.001 to 1000 "
        "[patients/site/month]; got -1",
        "site_list[0].colour: unknown field (allowed: site_name, iso3, city, latitude, "
        "longitude, historic_rate)"]
    assert problems(schema_version=1, site_list=[{"site_name": "X", "iso3": "BRA"}]) == [
        "site_list: is new in schema_version 2; set schema_version to 2 to use it"]


def test_a_site_list_past_its_limits_is_one_problem():
    (too_many,) = problems(site_list=[{"site_name": "X", "iso3": "BRA"}] * 5001)
    assert too_many.startswith("site_list: must be a list of at most 5,000 site objects; got")
    wide = {"site_name": "X", "iso3": "BRA", **{f"x{i}": 0 for i in range(100_000)}}
    assert problems(site_list=[wide]) == [
        "site_list[0]: has 100,002 fields; the format has 6 (site_name, iso3, city, latitude, "
        "longitude, historic_rate)"]


def test_a_countrys_rate_is_the_mean_of_its_sites_historic_and_other_rates():
    by_code = {c.iso3: c for c in resolve(PLAN).countries}
    assert by_code["BRA"].rate == pytest.approx((2.0 + 1.5 + 2 * 0.5) / 4)
    assert by_code["BRA"].sources["rate"] == "user"
    assert by_code["MEX"].rate == 0.5  # its listed site gives no historic rate
    # the optimiser's counts: the first listed sites keep their rates, added ones the country's
    assert resolve(PLAN).with_sites({"BRA": 1}).countries[0].rate == pytest.approx(2.0)
    assert resolve(PLAN).with_sites({"BRA": 10}).countries[0].rate == pytest.approx(
        (2.0 + 1.5 + 8 * 0.5) / 10)


def test_the_expected_enrollment_is_each_site_at_its_own_rate():
    """The closed form's mean is linear in the rates: 4 sites at the blended mean recruit as
    2.0 + 1.5 + 0.5 + 0.5 patients a month once open."""
    with_list = forecast.forecast_closed_form(resolve(PLAN), horizon_months=60)
    by_hand = replace(PLAN, site_list=(), countries=(
        CountryPlan("BRA", 4, rate=(2.0 + 1.5 + 0.5 + 0.5) / 4), CountryPlan("MEX", 3, rate=0.5)))
    assert with_list.curve_p50 == forecast.forecast_closed_form(
        resolve(by_hand), horizon_months=60).curve_p50


def test_higher_historic_rates_forecast_a_shorter_time_than_the_same_sites_without():
    fast = forecast.forecast(resolve(PLAN), n_sims=2000)
    plain = forecast.forecast(resolve(replace(PLAN, site_list=tuple(
        replace(s, historic_rate=None) for s in SITES))), n_sims=2000)
    assert fast.months_to_target[1] < plain.months_to_target[1]
    assert fast.months_to_target[2] < plain.months_to_target[2]


def test_the_site_list_round_trips_through_the_scenario_csv_one_row_per_site():
    text = scenario_to_csv(PLAN)
    assert scenarios_from_csv(text) == [PLAN]
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [(r["iso3"], r["sites"], r["site_name"]) for r in rows] == [
        ("BRA", "4", ""), ("MEX", "3", ""), ("BRA", "", "Hospital das Clínicas"),
        ("BRA", "", "Moinhos de Vento"), ("MEX", "", "INCMNSZ")]
    assert "site_name" not in scenario_to_csv(replace(PLAN, site_list=()))  # none: no columns


def test_a_bad_site_row_is_named_by_its_line():
    text = scenario_to_csv(PLAN).replace("-23.55", "south")
    with pytest.raises(ScenarioError) as err:
        scenarios_from_csv(text)
    assert err.value.problems == [
        "scenario 1, line 4, site_list[0].latitude: must be a finite number from -90 to 90 "
        "[degrees]; got 'south'"]
