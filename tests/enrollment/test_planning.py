"""Planning: scenario defaults from the model (start-up per country and pool caps), compare,
and the optimiser with its budgets."""

from __future__ import annotations

import math

import pytest

from footprint.assumptions import MAX_OPTIMISER_EVALUATIONS
from footprint.data import model_inputs
from footprint.enrollment import forecast as fc
from footprint.enrollment import planning
from footprint.enrollment.scenario import CountryPlan, Scenario, resolve
from footprint.errors import BudgetError, Cancelled
from footprint.model import pool, scoring
from tests.enrollment.builders import at_once
from tests.enrollment.builders import scenario as build_scenario


@pytest.fixture(scope="module")
def inputs(database):
    return model_inputs.load_inputs(database.cursor())


def scenario(indication, deadline=None):
    return Scenario(
        name="t",
        indication=indication,
        target_patients=100,
        countries=(CountryPlan("BRA", 5), CountryPlan("USA", 5)),
        deadline_months=deadline,
    )


def test_startup_and_caps_come_from_the_model(inputs):
    startup, caps = planning.model_defaults(inputs, scenario("hypertension"), 0.1)
    frame = scoring.country_frame(inputs, "hypertension", 0.1)
    assert startup["BRA"] == (
        frame.loc["BRA", "startup_days_mean"],
        frame.loc["BRA", "startup_days_sd"],
    )
    assert caps["USA"] == pytest.approx(frame.loc["USA", "eligible_patients"])
    resolved = planning.resolve_with_model(inputs, scenario("hypertension"))
    assert resolved.countries[0].sources["startup_days"] == "model"
    assert resolved.countries[0].sources["pool_cap"] == "model"


def test_missing_pool_gives_no_cap_not_zero(inputs):
    _, caps = planning.model_defaults(inputs, scenario("hiv"))  # no WDI HIV figure for USA
    assert "USA" not in caps and caps["BRA"] > 0


def test_incident_pools_scale_with_the_recruitment_window(inputs):
    _, yearly = planning.model_defaults(inputs, scenario("tuberculosis", deadline=12))
    _, two_years = planning.model_defaults(inputs, scenario("tuberculosis", deadline=24))
    assert two_years["BRA"] == pytest.approx(2 * yearly["BRA"])
    _, default = planning.model_defaults(inputs, scenario("tuberculosis"))
    assert default["BRA"] == pytest.approx(planning.DEFAULT_WINDOW_MONTHS / 12 * yearly["BRA"])


def test_site_activation_assumption_moves_startup(inputs):
    fast, _ = planning.model_defaults(
        inputs, scenario("hypertension"), pool.DEFAULT_ELIGIBILITY_SHARE, 30
    )
    slow, _ = planning.model_defaults(
        inputs, scenario("hypertension"), pool.DEFAULT_ELIGIBILITY_SHARE, 120
    )
    assert slow["BRA"][0] - fast["BRA"][0] == pytest.approx(90)


SIMPLE_PLAN = resolve(build_scenario([at_once("BRA", 12), at_once("MEX", 8)], target=30))


# --- Compare -------------------------------------------------------------------------------------
def test_compare_tabulates_up_to_four_scenarios():
    one = SIMPLE_PLAN
    two = one.with_sites({"BRA": 20})
    cmp = planning.compare([one, two, one], method="closed_form")
    assert list(cmp.curves.columns) == ["scenario", "month", "p10", "p50", "p90"]
    assert list(cmp.summary["scenario"]) == ["test", "test (2)", "test (3)"]
    assert cmp.summary.loc[1, "p50_months"] < cmp.summary.loc[0, "p50_months"]
    assert cmp.curves.groupby("scenario")["month"].max().nunique() == 1  # common horizon
    with pytest.raises(ValueError, match="1 to 4"):
        planning.compare([one] * 5)


# --- Optimiser -----------------------------------------------------------------------------------
def test_optimiser_meets_the_deadline_within_caps_and_improves_on_the_base():
    days = fc.DAYS_PER_MONTH
    s = build_scenario(
        [CountryPlan("BRA", 2), CountryPlan("MEX", 1, rate=0.9), CountryPlan("ARG", 0)],
        target=250, seed=4,
    )
    base = resolve(s, startup_defaults={"BRA": (6 * days, 2 * days), "MEX": (3 * days, days),
                                         "ARG": (2 * days, 0.5 * days)})
    caps = {"BRA": 25, "MEX": 6, "ARG": 12}
    out = planning.optimise(base, deadline_months=18.0, site_caps=caps, n_sims=3000)
    sites = {c.iso3: c.sites for c in out.proposal.countries}
    assert all(sites[k] <= caps[k] for k in caps)
    assert all(sites[c.iso3] >= c.sites for c in base.countries)
    assert out.met and out.prob_by_deadline >= 0.8 > out.baseline.prob_by_deadline
    assert out.confirmed.p50 <= out.baseline.p50 and out.proposal.deadline_months == 18.0
    table = out.explanation()
    assert len(table) == out.proposal.total_sites - base.total_sites
    assert set(table.columns) >= {"iso3", "months_before", "months_after", "gain_months"}
    # The closed-form P80 falls with the sites; the Monte Carlo decides where to stop.
    assert table["months_after"].iloc[-1] < table["months_before"].iloc[0]


def test_optimiser_uses_a_site_budget_and_respects_pools():
    s = build_scenario([at_once("BRA", 0), at_once("MEX", 0), at_once("ARG", 0)], target=150,
                       seed=2)
    base = resolve(s, pool_caps={"MEX": 40})
    out = planning.optimise(base, max_total_sites=15, site_caps={"BRA": 6, "MEX": 20, "ARG": 20},
                      n_sims=2000)
    sites = {c.iso3: c.sites for c in out.proposal.countries}
    assert out.proposal.total_sites == 15 and sites["BRA"] <= 6
    assert out.objective == planning.OBJECTIVE_MIN_P50 and math.isfinite(out.proposal_p50)
    assert math.isinf(out.steps[0].gain_months)  # from unreachable to reachable
    assert out.confirmed.p50 <= out.baseline.p50
    with pytest.raises(ValueError, match="deadline"):
        planning.optimise(base)
    with pytest.raises(ValueError, match="not in the scenario"):
        planning.optimise(base, max_total_sites=3, site_caps={"PER": 2})


def test_propose_runs_the_optimiser_for_a_goal():
    s = build_scenario([at_once("BRA", 2, max_sites=20), at_once("MEX", 1, max_sites=20)],
                       target=200)
    resolved = resolve(s)
    opt = planning.propose(resolved, planning.GOAL_DEADLINE, deadline_months=24.0,
                           confidence=0.9, n_sims=2000)
    assert opt.objective == planning.OBJECTIVE_DEADLINE and opt.confidence == 0.9
    assert opt.met and opt.prob_by_deadline >= 0.9
    budget = planning.propose(resolved, planning.GOAL_BUDGET, max_total_sites=8,
                              from_zero=True, n_sims=200)
    assert budget.proposal.total_sites == 8 and budget.objective == planning.OBJECTIVE_MIN_P50
    base = planning.optimiser_base(resolved, from_zero=True)
    assert base.total_sites == 0 and planning.optimiser_base(resolved, False) is resolved


def test_unknown_goal_and_missing_goal_inputs_are_refused():
    resolved = resolve(build_scenario([at_once("BRA", 2)]))
    with pytest.raises(ValueError, match="allowed: deadline, budget"):
        planning.propose(resolved, "cheapest")
    with pytest.raises(ValueError, match="needs a deadline"):
        planning.propose(resolved, planning.GOAL_DEADLINE)
    with pytest.raises(ValueError, match="total number of sites"):
        planning.propose(resolved, planning.GOAL_BUDGET)


# --- Budgets and cancelling (issue 15) ---------------------------------------------------------
def many_countries(n: int, sites: int = 1):
    codes = [f"Q{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(n)]
    return resolve(build_scenario([at_once(code, sites) for code in codes], target=100_000))


def test_a_site_budget_past_the_work_budget_is_refused_before_the_first_step():
    """241 countries and a 10,000-site budget ran about 50 minutes per click."""
    base = many_countries(241)
    with pytest.raises(BudgetError, match="a scenario has at most 5,000 sites in total"):
        planning.optimise(base, max_total_sites=10_000, confirm=False)
    per_step = planning.step_work(241, 241)
    most = MAX_OPTIMISER_EVALUATIONS // per_step
    with pytest.raises(BudgetError) as err:
        planning.optimise(base, max_total_sites=5_000, confirm=False)
    assert str(err.value) == (
        f"a budget of 5,000 sites needs up to 4,759 optimiser steps among 241 countries; the "
        f"optimiser's budget (2,000,000 evaluations, about 25 s) allows {most} steps among 241 "
        f"countries: ask for at most {241 + most} sites in total, or optimise among fewer "
        "countries (a step costs the square of their number)")
    assert planning.optimise(base, max_total_sites=241 + 2, confirm=False).proposal \
        .total_sites == 243


def test_the_steps_allowed_shrink_with_the_square_of_the_countries():
    allowed = {n: MAX_OPTIMISER_EVALUATIONS // planning.step_work(n, n) for n in (10, 50, 241)}
    assert allowed == {10: 1818, 50: 571, 241: 33}


def test_a_run_that_reaches_its_time_budget_says_so(monkeypatch):
    base = many_countries(5, sites=0)
    monkeypatch.setattr(planning, "MAX_OPTIMISER_SECONDS", 0.0)
    with pytest.raises(BudgetError, match=r"stopped at its budget \(0 s\) after adding 0"):
        planning.optimise(base, max_total_sites=4, confirm=False)
    with pytest.raises(BudgetError, match=r"stopped at its budget \(0 s\)"):
        planning.optimise(base, deadline_months=1.0, confirm=False, n_sims=100)


def test_the_optimiser_stops_at_the_scenario_limit_of_sites(monkeypatch):
    monkeypatch.setattr(planning, "MAX_TOTAL_SITES", 12)
    out = planning.optimise(many_countries(3, sites=0), deadline_months=1.0, confirm=False,
                            n_sims=100)
    assert out.proposal.total_sites == 12 and out.met is False
    assert "the scenario limit of 12 sites in total is reached" in out.reason


def test_a_caller_can_stop_a_run_between_any_two_steps():
    base = many_countries(3, sites=0)
    asked = []

    def after_four() -> bool:
        asked.append(1)
        return len(asked) > 4

    with pytest.raises(Cancelled):
        planning.propose(base, planning.GOAL_DEADLINE, deadline_months=1.0, n_sims=100,
                         should_stop=after_four)
    assert len(asked) == 5  # once per step: four steps ran

    class Rerun(Exception):
        """What Streamlit raises at a yield point when the session asks for a new run."""

    def session_ended() -> bool:
        raise Rerun

    with pytest.raises(Rerun):
        planning.propose(base, planning.GOAL_BUDGET, max_total_sites=5, n_sims=100,
                         should_stop=session_ended)
