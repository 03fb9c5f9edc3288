"""Enrollment charts: the forecast band, median, target and deadline; compared curves."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from footprint.enrollment import forecast as fc
from footprint.enrollment import planning
from footprint.enrollment.scenario import CountryPlan, Scenario, resolve
from footprint.model import scoring
from footprint.views import charts, country_details

PLAN = Scenario("Plan", "hypertension", 200, (CountryPlan("BRA", 10), CountryPlan("MEX", 5)),
                deadline_months=24.0)


@pytest.fixture(scope="module")
def result():
    return fc.forecast(resolve(PLAN), n_sims=500)


def test_attractiveness_chart_stacks_the_parts_and_shows_the_penalty():
    row = pd.Series({"pool_score": 60.0, "friction_score": 40.0, "infrastructure_score": 20.0,
                     "attractiveness": 10.0})  # 40 from the parts, 30 off for the gate
    parts = country_details.attractiveness_parts(row, scoring.Weights(1, 1, 1))
    spec = charts.attractiveness_chart(parts).to_dict()
    rows = next(iter(spec["datasets"].values()))
    stacked = [r for r in rows if r["row"] == "Weighted parts"]
    assert [r["start"] for r in stacked] == pytest.approx([0, 20, 100 / 3])
    assert stacked[-1]["end"] == pytest.approx(40)
    penalty = [r for r in rows if r["row"] == "After the gate penalty"]
    assert penalty[0]["start"] == pytest.approx(10) and penalty[0]["end"] == pytest.approx(40)
    no_gate = charts.attractiveness_chart(parts[parts["Part"] != "Gate penalty"]).to_dict()
    assert {r["row"] for r in next(iter(no_gate["datasets"].values()))} == {"Weighted parts"}


def test_curve_chart_draws_the_band_the_median_target_and_deadline(result):
    spec = charts.curve_chart(result).to_dict()
    marks = json.dumps(spec["layer"])
    assert '"area"' in marks and '"line"' in marks and marks.count('"rule"') == 2
    rows = next(iter(spec["datasets"].values()))
    assert {"month", "p10", "p50", "p90"} <= set(rows[0])
    assert len(rows) == result.horizon_months + 1
    assert spec["height"] == 320


def test_curve_chart_without_a_deadline_has_only_the_target_rule():
    no_deadline = fc.forecast(resolve(Scenario("P", "hypertension", 200, PLAN.countries)),
                              n_sims=300)
    marks = json.dumps(charts.curve_chart(no_deadline).to_dict()["layer"])
    assert marks.count('"rule"') == 1


def test_comparison_chart_colours_each_scenario():
    a = resolve(PLAN)
    b = resolve(Scenario("More Brazil", "hypertension", 200,
                         (CountryPlan("BRA", 30), CountryPlan("MEX", 5)), deadline_months=24.0))
    spec = charts.comparison_chart(planning.compare([a, b], n_sims=300)).to_dict()
    layers = json.dumps(spec["layer"])
    assert '"scenario"' in layers and '"area"' in layers and '"line"' in layers
    rows = next(iter(spec["datasets"].values()))
    assert {r["scenario"] for r in rows} == {"Plan", "More Brazil"}


def test_milestone_chart_bars_from_p10_to_p90_with_a_p50_tick_and_the_deadline(result):
    from footprint.views import scenario as view

    frame = view.milestones_frame(result, {"BRA": "Brazil", "MEX": "Mexico"})
    spec = charts.milestone_chart(frame, result.horizon_months, 24.0, 200).to_dict()
    marks = json.dumps(spec["layer"])
    assert '"bar"' in marks and '"tick"' in marks and marks.count('"rule"') == 1
    rows = max((r for r in spec["datasets"].values() if "p50_x" in r[0]), key=len)
    # the countries leave out the last patient in: it is the trial's
    assert len(rows) == len(result.milestones) - 2
    assert [r["row"] for r in rows if r["milestone"] == "Last patient in"] == [
        "Trial · Last patient in"]
    end = spec["layer"][0]["encoding"]["x"]["scale"]["domain"][1]
    assert end <= result.horizon_months
    assert all(r["p10_x"] <= r["p50_x"] <= r["p90_x"] <= end for r in rows)
    # a P90 not reached runs to the axis' end, and its tooltip says not reached
    past = [r for r in rows if r["p90"] is None]  # inf travels as null
    assert past and all(r["p90_x"] == end and "not reached" in r["p90_text"] for r in past)
    assert rows[0]["row"] == "Trial · First site open"


@pytest.fixture(scope="module")
def comparison():
    a = resolve(PLAN)
    b = resolve(Scenario("No deadline", "hypertension", 200,
                         (CountryPlan("BRA", 30), CountryPlan("MEX", 5))))
    return planning.compare([a, b], n_sims=300)


def test_probability_chart_one_bar_per_scenario_and_the_confidence_line(comparison):
    spec = charts.probability_chart(comparison, 0.8).to_dict()
    marks = json.dumps(spec["layer"])
    assert '"bar"' in marks and marks.count('"rule"') == 1
    rows = next(r for r in spec["datasets"].values() if "prob" in r[0])
    by = {r["scenario"]: r for r in rows}
    assert by["Plan"]["prob"] == pytest.approx(100 * comparison.results[0].prob_by_deadline)
    assert by["No deadline"]["text"] == "no deadline"
    assert spec["layer"][0]["encoding"]["color"]["scale"]["range"] == list(
        charts.SCENARIO_COLOURS[:2])


def test_time_to_target_chart_p10_to_p90_and_p50_per_scenario(comparison):
    spec = charts.time_to_target_chart(comparison).to_dict()
    rows = next(r for r in spec["datasets"].values() if "p50" in r[0])
    assert [r["scenario"] for r in rows] == ["Plan", "No deadline"]
    first = comparison.results[0]
    assert rows[0]["p50"] == pytest.approx(first.p50)
    assert all(r["p10"] <= r["p50"] <= r["p90"] for r in rows)


def test_comparison_chart_draws_each_target_and_deadline(comparison):
    marks = json.dumps(charts.comparison_chart(comparison).to_dict()["layer"])
    assert marks.count('"rule"') == 2  # the one target, and the one deadline given
    assert charts.TARGET_COLOUR in marks  # one target for both: the red line


def test_plan_vs_actual_draws_both_bands_the_actual_target_deadline_and_as_of(result):
    import datetime as dt

    from footprint.enrollment import reforecast
    from footprint.views import scenario as view

    resolved = resolve(PLAN)
    as_of = dt.date(2026, 9, 1)
    sites = view.read_actuals(b"iso3,site_id,opened_on,randomised\nBRA,B1,2026-03-02,9\n",
                              resolved, as_of)
    rf = reforecast.reforecast(resolved, sites, as_of, n_sims=300)
    bands, actual = view.plan_vs_actual(result, rf, dt.date(2026, 1, 1))
    spec = charts.plan_vs_actual_chart(bands, actual, 200, dt.date(2028, 1, 1), as_of).to_dict()
    marks = json.dumps(spec["layer"])
    assert '"area"' in marks and '"point"' in marks
    assert marks.count('"rule"') == 3  # target, as-of date, deadline
    rows = max(spec["datasets"].values(), key=len)
    assert {r["series"] for r in rows} == {"Plan", "Re-forecast"}
    assert spec["layer"][0]["encoding"]["x"]["type"] == "temporal"
