"""Scenario builder views of issue 12: costs with "—", the funnel, milestones, the rate CV's
effect and the comparison's text cells."""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import replace

import pandas as pd
import pytest

from footprint.enrollment import forecast as fc
from footprint.enrollment import planning, reforecast
from footprint.enrollment.scenario import CountryPlan, Scenario, resolve
from footprint.views import scenario as view
from footprint.views.format import MISSING

NAMES = {"BRA": "Brazil", "MEX": "Mexico"}
STARTUP = {"BRA": (120.0, 30.0), "MEX": (90.0, 20.0)}
PLAN = Scenario("Plan", "hypertension", 200,
                (CountryPlan("BRA", 10, screen_fail_share=0.25, dropout_share=0.2,
                             site_startup_cost=30_000.0, cost_per_patient=8_000.0),
                 CountryPlan("MEX", 5, site_startup_cost=20_000.0)),
                deadline_months=24.0, schema_version=2)


@pytest.fixture(scope="module")
def planned():
    resolved = resolve(PLAN, STARTUP)
    return resolved, fc.forecast(resolved, n_sims=1000)


def test_money_text_never_shows_nan_or_none():
    assert [view.money_text(v) for v in (None, math.nan, math.inf, 1234.5, 0.0)] == [
        MISSING, MISSING, MISSING, "1,234", "0"]  # 1234.5 rounds half to even


def test_a_cost_missing_for_one_country_is_not_counted_and_says_why(planned):
    resolved, result = planned
    cost = view.plan_cost(resolved, result)
    table = view.cost_table(cost).set_index("Component")
    # start-up is given everywhere: every planned site pays it, opened or not
    assert table.loc["Site start-up", "Expected cost [currency]"] == f"{10 * 30_000 + 5 * 20_000:,}"
    assert table.loc["Randomised patients", "Expected cost [currency]"] == MISSING
    assert table.loc["Randomised patients", "Note"] == "missing for MEX"
    assert table.loc["Site months open", "Note"] == "not given"
    total = table.iloc[-1]
    assert total["Expected cost [currency]"] == f"{cost.total:,.0f}"
    assert total["Note"] == "the components given only"
    label, value, _ = view.forecast_metrics(result, cost)[-1]
    assert label == "Expected cost to P50 (start-up only)" and value == f"{cost.total:,.0f}"


def test_no_cost_at_all_adds_no_cost_metric(planned):
    resolved, _ = planned
    bare = resolve(Scenario("Bare", "hypertension", 200, (CountryPlan("BRA", 10),),
                            deadline_months=24.0), STARTUP)
    result = fc.forecast(bare, n_sims=300)
    labels = [m[0] for m in view.forecast_metrics(result, view.plan_cost(bare, result))]
    assert not any(label.startswith("Expected cost") for label in labels)


def test_the_funnel_thins_screened_to_randomised_to_completing(planned):
    _, result = planned
    funnel = view.funnel_table(result, NAMES).set_index("ISO3")
    bra, mex = funnel.loc["BRA"], funnel.loc["MEX"]
    screened, randomised, completing = result.funnel["BRA"]
    assert randomised == pytest.approx(0.75 * screened)  # 1 - screen-failure share
    assert completing == pytest.approx(0.8 * randomised)  # 1 - dropout share
    assert (bra["Screened"], bra["Randomised"]) == (round(screened), round(randomised))
    assert mex["Screened"] == mex["Randomised"] == mex["Completing"]  # defaults: 0 and 0
    assert list(funnel.index)[-1] == "" and funnel.iloc[-1]["Country"] == "Total"


def test_milestones_table_and_csv(planned):
    _, result = planned
    table = view.milestones_table(result, NAMES)
    assert list(table.columns) == ["Where", "Milestone", "P10 [months]", "P50 [months]",
                                   "P90 [months]"]
    assert list(table["Where"].unique()) == ["Trial", "Brazil", "Mexico"]
    assert list(table["Milestone"][:5]) == list(view.MILESTONE_LABELS.values())
    last = table[(table["Where"] == "Trial") & (table["Milestone"] == "Last patient in")]
    assert last.iloc[0]["P50 [months]"] == view.months_text(result.p50, result.horizon_months)
    csv = pd.read_csv(io.BytesIO(view.milestones_csv(result, NAMES)))
    assert list(csv.columns) == ["scenario", "scope", "iso3", "milestone", "p10_months",
                                 "p50_months", "p90_months", "horizon_months"]
    first = result.milestones[0]
    assert csv.loc[0, "p50_months"] == pytest.approx(round(first.p50, 2))
    # P10 <= P50 <= P90 wherever reached
    reached = csv.dropna(subset=["p10_months", "p50_months", "p90_months"])
    assert (reached["p10_months"] <= reached["p50_months"]).all()
    assert (reached["p50_months"] <= reached["p90_months"]).all()


def test_an_unreached_milestone_reads_against_the_horizon():
    never = resolve(Scenario("Slow", "hypertension", 5000, (CountryPlan("BRA", 2),),
                             schema_version=2), STARTUP)
    result = fc.forecast(never, n_sims=200, horizon_months=24)
    table = view.milestones_table(result, NAMES)
    last = table[table["Milestone"] == "Last patient in"].iloc[0]
    assert last["P50 [months]"] == "> 24"
    csv = pd.read_csv(io.BytesIO(view.milestones_csv(result, NAMES)))
    assert csv["p50_months"].isna().any() and (csv["horizon_months"] == 24).all()


def test_the_proposed_rate_cv_widens_the_interval_and_is_stated(planned):
    resolved, _ = planned
    effect = view.rate_cv_effect(resolved, n_sims=1000)
    assert effect.proposed == planning.proposed_rate_cv(resolved)  # every CV is 0 here
    width = lambda q: q[1] - q[0]  # noqa: E731
    assert width(effect.with_cv) > width(effect.without)
    text = view.rate_cv_text(effect, NAMES)
    assert "Proposed rate CVs, from Gajewski, Simon & Carlson's accrual prior" in text
    assert f"Brazil {effect.proposed['BRA']:.2f}" in text
    assert f"{width(effect.without):.1f} months wide" in text
    # a CV in the table is compared with the mean rates known, on the same trials
    uncertain = replace(resolved, countries=tuple(replace(c, rate_cv=0.5)
                                                  for c in resolved.countries))
    own = view.rate_cv_effect(uncertain, n_sims=1000)
    assert own.proposed is None and own.without == effect.without
    assert "with the rate CVs in the table" in view.rate_cv_text(own, NAMES)


def test_the_proposed_rate_cvs_fill_only_empty_or_zero_cells():
    rows = view.editor_frame(Scenario("P", "hypertension", 100, (
        CountryPlan("BRA", 5), CountryPlan("MEX", 5, rate_cv=0.4), CountryPlan("ARG", 5,
                                                                               rate_cv=0.0)),
        schema_version=2))
    filled = view.rows_with_rate_cv(rows, {"BRA": 0.123, "MEX": 0.2, "ARG": 0.3})
    assert filled["rate_cv"].tolist() == [0.12, 0.4, 0.3]


def test_comparison_cells_read_a_missing_value_as_a_dash(planned):
    resolved, _ = planned
    bare = resolve(Scenario("No deadline", "hypertension", 200, (CountryPlan("BRA", 12),)),
                   STARTUP)
    comparison = planning.compare([resolved, bare], n_sims=300)
    frame = view.comparison_table(comparison, [resolved, bare])
    assert frame.loc[1, "Deadline [months]"] == MISSING
    assert frame.loc[1, "P(by deadline)"] == MISSING
    assert frame.loc[1, "Expected cost to P50"] == MISSING
    assert frame.loc[0, "Expected cost to P50"] != MISSING  # start-up given everywhere
    assert frame.loc[0, "P(by deadline)"].endswith("%")
    assert not frame.astype(str).isin(["nan", "None", "<NA>"]).any().any()


def test_the_example_is_a_new_scenario_with_the_registry_defaults():
    example = view.default_scenario()
    assert all(c.screen_fail_share is None and c.dropout_share is None and c.rate_cv is None
               for c in example.countries)
    labels = view.resolved_table(resolve(example, STARTUP | {"ARG": (1, 0), "COL": (1, 0)}),
                                 NAMES)
    assert set(labels["Screen fail from"]) == {"default · assumption, no published figure"}
    assert set(labels["Rate CV from"]) == {"default · assumption, rate known"}


# ---- re-forecast ---------------------------------------------------------------------------------
AS_OF = dt.date(2026, 9, 1)
ACTUALS = (b"iso3,site_id,opened_on,randomised\n"
           b"BRA,B1,2026-03-02,9\nBRA,B2,2026-05-04,4\nMEX,M1,,0\n")


@pytest.fixture(scope="module")
def updated(planned):
    resolved, result = planned
    sites = view.read_actuals(ACTUALS, resolved, AS_OF)
    return resolved, result, sites, reforecast.reforecast(resolved, sites, AS_OF, n_sims=1000)


def test_the_proposed_start_puts_the_first_opening_at_the_plans_median(updated):
    _, plan, sites, _ = updated
    first = next(m.p50 for m in plan.milestones
                 if m.scope == fc.TRIAL and m.milestone == "first_site_open")
    start = view.default_start(plan, sites)
    assert start == dt.date(2026, 3, 2) - dt.timedelta(days=round(first * fc.DAYS_PER_MONTH))
    not_open = [s for s in sites if s.opened_on is None]
    assert view.default_start(plan, not_open) is None


def test_the_re_forecast_band_adds_the_patients_so_far_from_the_as_of_date(updated):
    _, plan, _, rf = updated
    start = dt.date(2026, 1, 1)
    bands, actual = view.plan_vs_actual(plan, rf, start)
    again = bands[bands["series"] == "Re-forecast"].reset_index(drop=True)
    rest = rf.result.curve_frame()
    assert again.loc[0, "date"] == pd.Timestamp(AS_OF)
    assert (again["p50"] == rest["p50"][:len(again)] + rf.counted_to_date).all()
    assert actual["patients"].tolist() == [13] and rf.counted_to_date == 13
    first = bands[bands["series"] == "Plan"].iloc[0]
    assert first["date"] == pd.Timestamp(start) and first["p50"] == 0
    # each band ends two months after its P10 reaches the target
    for _, band in bands.groupby("series"):
        reached = band[band["p10"] >= plan.target_patients]
        assert len(reached) <= 3


@pytest.mark.parametrize(("left", "expected"), [(1e6, "≥ 90 %"), (-1.0, "< 10 %")])
def test_the_deadline_chance_is_bracketed_by_the_quantiles(updated, left, expected):
    _, _, _, rf = updated
    assert view.deadline_chance_text(rf.result, left) == expected
    p10, p50, p90 = rf.result.months_to_target
    assert view.deadline_chance_text(rf.result, (p50 + p90) / 2) == "50-90 %"
    assert view.deadline_chance_text(rf.result, (p10 + p50) / 2) == "10-50 %"


def test_the_actuals_table_per_country(updated):
    resolved, _, _, rf = updated
    table = view.actuals_table(rf, resolved, NAMES).set_index("ISO3")
    updated = "Updated rate, open sites [pt/site/month]"
    assert table.loc["BRA", "Sites open"] == "2 of 10"
    assert table.loc["BRA", "Randomised to date"] == 13
    assert table.loc["MEX", updated] == MISSING  # none open
    own = [p.mean_rate for p in rf.posteriors]
    assert table.loc["BRA", updated] == f"{sum(own) / len(own):.2f}"
    metrics = dict((label, value) for label, value, _ in view.reforecast_metrics(
        rf, dt.date(2026, 1, 1), 24.0))
    assert metrics["Patients so far"] == "13" and metrics["Still needed"] == "187"
    assert metrics["P(target by 24 months)"] in ("≥ 90 %", "50-90 %", "10-50 %", "< 10 %")


def test_the_proposal_reports_its_own_monte_carlo_chance_spread_and_cost(planned):
    resolved, _ = planned
    opt = planning.propose(resolved, planning.GOAL_DEADLINE, deadline_months=24.0, n_sims=500)
    shown = {label: value for label, value, _ in view.optimiser_metrics(opt)}
    assert shown["P(target by 24 months), proposal"] == f"{opt.prob_by_deadline:.0%}"
    h = opt.confirmed.horizon_months
    assert shown["P10-P90 with the proposal [months]"] == (
        f"{view.months_text(opt.confirmed.p10, h)}-{view.months_text(opt.confirmed.p90, h)}")
    assert shown["Expected cost to its P50"] == view.money_text(opt.cost.total)
    assert shown["Expected cost to its P50"] != MISSING  # start-up is given everywhere


def test_the_report_workbook_has_a_milestones_sheet_people_can_read(database):
    import openpyxl

    from footprint.data import atlas, model_inputs
    from footprint.model import scoring

    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    example = view.default_scenario()
    resolved = planning.resolve_with_model(inputs, example, 0.1, 90.0)
    result = fc.forecast(resolved, n_sims=500)
    build = view.workbook_builder(
        [resolved], eligibility=0.1, activation=90.0, result=result, n_sims=500,
        frame=scoring.country_frame(inputs, example.indication, 0.1, 90.0),
        sources=atlas.data_sources(con))
    sheet = openpyxl.load_workbook(io.BytesIO(build()))["Milestones"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Scenario", "Where", "Milestone", "P10 [months]", "P50 [months]",
                       "P90 [months]")
    assert rows[1][1:3] == ("Trial", "First site open")
    assert rows[1][4] == pytest.approx(result.milestones[0].p50)
    assert len(rows) == len(result.milestones) + 1
    unreached = [r for r in rows[1:] if isinstance(r[5], str)]
    assert all(r[5] == f"not reached within {result.horizon_months} months" for r in unreached)
    assert not any(v == "inf" for r in rows for v in r)
