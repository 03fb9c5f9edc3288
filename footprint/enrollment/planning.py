"""Planning on top of the forecast: model defaults per country, comparison, optimisation.

Model defaults: the regulatory model gives each country's start-up (mean, sd) [days]; the
patient funnel gives its eligible pool, which caps what the country can recruit. For an
incident indication (a pool per year, e.g. tuberculosis), the cap is the yearly pool times the
recruitment window: the deadline, else :data:`DEFAULT_WINDOW_MONTHS` (an assumption).

:func:`compare` forecasts up to :data:`MAX_COMPARE` scenarios on one horizon;
:func:`optimise` adds sites one at a time where they shorten the time to target most;
:func:`propose` runs it for one of the page's :data:`GOALS`.

The optimiser works within budgets (:mod:`footprint.assumptions`): at most
:data:`MAX_OPTIMISER_STEPS` steps and :data:`MAX_TOTAL_SITES` sites, at most
:data:`MAX_OPTIMISER_EVALUATIONS` closed-form evaluations (a step among ``n`` countries costs
about ``n**2``: :func:`step_work`) and :data:`MAX_OPTIMISER_SECONDS` of wall time. A site
budget that cannot fit is refused before the first step; a caller can stop a run between any
two steps (``should_stop``), e.g. when a newer click replaces it or its session ends.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from footprint.assumptions import (
    DEFAULT_ELIGIBILITY_SHARE,
    DEFAULT_N_SIMS,
    DEFAULT_SITE_ACTIVATION_DAYS,
    DEFAULT_WINDOW_MONTHS,
    MAX_COMPARE,
    MAX_HORIZON_MONTHS,
    MAX_OPTIMISER_EVALUATIONS,
    MAX_OPTIMISER_SECONDS,
    MAX_OPTIMISER_STEPS,
    MAX_SITES_PER_COUNTRY,
    MAX_TOTAL_SITES,
)
from footprint.data.model_inputs import ModelInputs
from footprint.enrollment.forecast import (
    METHOD_MONTE_CARLO,
    METHODS,
    ForecastResult,
    auto_horizon,
    check_horizon,
    check_target,
    closed_form_quantile,
    country_moments,
    forecast,
    forecast_monte_carlo,
    model_params,
    with_target,
)
from footprint.enrollment.scenario import ResolvedScenario, Scenario, resolve
from footprint.errors import BudgetError, Cancelled
from footprint.model import scoring


def model_defaults(inputs: ModelInputs, scenario: Scenario,
                   eligibility_share: float = DEFAULT_ELIGIBILITY_SHARE,
                   site_activation_days: float = DEFAULT_SITE_ACTIVATION_DAYS,
                   ) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    """(start-up mean and sd [days], eligible pool cap [patients]) per scenario country.

    A country with no pool estimate (missing prevalence) gets no cap rather than zero.
    """
    frame = scoring.country_frame(inputs, scenario.indication, eligibility_share,
                                  site_activation_days)
    indication = scoring.resolve_indication(inputs, scenario.indication)
    window = scenario.deadline_months or DEFAULT_WINDOW_MONTHS
    per_window = window / 12 if indication.unit == "incident_per_year" else 1.0
    startup: dict[str, tuple[float, float]] = {}
    caps: dict[str, float] = {}
    for plan in scenario.countries:
        row = frame.loc[plan.iso3]
        startup[plan.iso3] = (float(row["startup_days_mean"]), float(row["startup_days_sd"]))
        eligible = float(row["eligible_patients"])
        if math.isfinite(eligible):
            caps[plan.iso3] = eligible * per_window
    return startup, caps


def resolve_with_model(inputs: ModelInputs, scenario: Scenario,
                       eligibility_share: float = DEFAULT_ELIGIBILITY_SHARE,
                       site_activation_days: float = DEFAULT_SITE_ACTIVATION_DAYS,
                       ) -> ResolvedScenario:
    """The scenario with every left-out value from the model, else the documented default."""
    startup, caps = model_defaults(inputs, scenario, eligibility_share, site_activation_days)
    return resolve(scenario, startup_defaults=startup, pool_caps=caps)


# --- Compare -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, eq=False)
class Comparison:
    """Side-by-side forecasts of up to :data:`MAX_COMPARE` scenarios.

    Parameters
    ----------
    curves : pandas.DataFrame
        Tidy: scenario, month, p10, p50, p90 [patients].
    summary : pandas.DataFrame
        One row per scenario: sites, P10/P50/P90 [months], P(deadline), cost, warnings.
    results : tuple of ForecastResult
    """

    curves: pd.DataFrame
    summary: pd.DataFrame
    results: tuple[ForecastResult, ...]


def compare(
    scenarios: Sequence[ResolvedScenario],
    *,
    method: str = METHOD_MONTE_CARLO,
    n_sims: int = DEFAULT_N_SIMS,
    horizon_months: int | None = None,
) -> Comparison:
    """Forecast up to four scenarios on a common horizon and tabulate them.

    Parameters
    ----------
    scenarios : sequence of ResolvedScenario
        One to four scenarios; duplicate names get a suffix " (2)", " (3)", ...
    method : str
        One of :data:`METHODS`.
    n_sims : int
        Simulated trials per scenario.
    horizon_months : int, optional
        Common curve range [months]; default the largest automatic horizon.

    Raises
    ------
    ValueError
        More than four scenarios, none, or an unknown method.
    """
    scenarios = list(scenarios)
    if not 1 <= len(scenarios) <= MAX_COMPARE:
        raise ValueError(f"compare takes 1 to {MAX_COMPARE} scenarios, got {len(scenarios)}")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    horizon = check_horizon(horizon_months) or max(
        auto_horizon(s, model_params(s), s.deadline_months) for s in scenarios
    )
    results = tuple(
        forecast(s, method, n_sims=n_sims, horizon_months=horizon) for s in scenarios
    )
    labels: list[str] = []
    for s in scenarios:
        label, k = s.name, 1
        while label in labels:
            k += 1
            label = f"{s.name} ({k})"
        labels.append(label)
    curves = pd.concat(
        [r.curve_frame().assign(scenario=label) for r, label in zip(results, labels, strict=True)],
        ignore_index=True,
    )[["scenario", "month", "p10", "p50", "p90"]]
    summary = pd.DataFrame(
        {
            "scenario": labels,
            "countries": [sum(1 for c in s.countries if c.sites > 0) for s in scenarios],
            "sites": [s.total_sites for s in scenarios],
            "target_patients": [s.target_patients for s in scenarios],
            "p10_months": [r.p10 for r in results],
            "p50_months": [r.p50 for r in results],
            "p90_months": [r.p90 for r in results],
            "deadline_months": [r.deadline_months for r in results],
            "prob_by_deadline": [r.prob_by_deadline for r in results],
            "total_cost_at_p50": [r.total_cost_at_p50 for r in results],
            "method": [r.method for r in results],
            "path": [r.path for r in results],
            "warnings": ["; ".join(r.warnings) for r in results],
        }
    )
    return Comparison(curves=curves, summary=summary, results=results)


# --- Optimiser ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OptimiseStep:
    """One site added by the greedy optimiser.

    Parameters
    ----------
    step : int
        1-based.
    iso3 : str
        Country that received the site.
    sites_after : int
        Sites in that country after the step [sites].
    total_sites_after : int
        [sites]
    p50_before, p50_after : float
        Closed-form median months to target before/after [months].
    gain_months : float
        ``p50_before - p50_after`` [months]; inf when the target first becomes reachable.
    """

    step: int
    iso3: str
    sites_after: int
    total_sites_after: int
    p50_before: float
    p50_after: float
    gain_months: float


@dataclass(frozen=True, slots=True, eq=False)
class OptimiseResult:
    """Outcome of :func:`optimise`.

    Parameters
    ----------
    proposal : ResolvedScenario
        The base scenario with the proposed site counts.
    steps : tuple of OptimiseStep
        One per added site, in order.
    objective : str
        ``"meet_deadline"`` (fewest sites to bring P50 within the deadline) or
        ``"min_p50"`` (lowest P50 with at most ``max_total_sites``).
    stop_reason : str
    target_patients : int
    deadline_months : float or None
    baseline_p50, proposal_p50 : float
        Closed-form P50 of the base and of the proposal [months].
    baseline, confirmed : ForecastResult or None
        Monte Carlo forecasts of the base and of the proposal (same seed, same horizon).
    warnings : tuple of str
    """

    proposal: ResolvedScenario
    steps: tuple[OptimiseStep, ...]
    objective: str
    stop_reason: str
    target_patients: int
    deadline_months: float | None
    baseline_p50: float
    proposal_p50: float
    baseline: ForecastResult | None
    confirmed: ForecastResult | None
    warnings: tuple[str, ...]

    @property
    def met_deadline(self) -> bool | None:
        """Whether the Monte Carlo P50 of the proposal is within the deadline."""
        if self.deadline_months is None:
            return None
        p50 = self.confirmed.p50 if self.confirmed is not None else self.proposal_p50
        return p50 <= self.deadline_months

    def explanation(self) -> pd.DataFrame:
        """One row per added site: step, iso3, sites_after, total_sites_after, P50s, gain."""
        columns = [
            "step", "iso3", "sites_after", "total_sites_after",
            "p50_before", "p50_after", "gain_months",
        ]
        return pd.DataFrame(
            [[getattr(s, c) for c in columns] for s in self.steps], columns=columns
        )


OBJECTIVE_DEADLINE: Final = "meet_deadline"
OBJECTIVE_MIN_P50: Final = "min_p50"
_MIN_GAIN_MONTHS: Final = 1e-6
_STEP_OVERHEAD: Final = 1000
"""[country evaluations] the fixed cost of a step (its numpy and scipy calls), measured: about
10 ms here, as much as 1,000 country evaluations (bench_hostile)."""


def step_work(candidates: int, countries: int) -> int:
    """Closed-form work of one optimiser step [country evaluations].

    Parameters
    ----------
    candidates : int
        Countries that may receive the next site.
    countries : int
        Countries of the scenario (each candidate's forecast sums over all of them).
    """
    return candidates * countries + _STEP_OVERHEAD


def _refuse_site_budget(max_total_sites: int, sites: np.ndarray, caps: np.ndarray) -> None:
    """Refuse, before any step, a site budget the optimiser cannot reach within its budgets."""
    if max_total_sites > MAX_TOTAL_SITES:
        raise BudgetError(f"a budget of {max_total_sites:,} sites: a scenario has at most "
                          f"{MAX_TOTAL_SITES:,} sites in total; ask for at most that")
    room = int(np.maximum(caps - sites, 0).sum())
    steps = min(max(0, max_total_sites - int(sites.sum())), room, MAX_OPTIMISER_STEPS)
    per_step = step_work(int(np.count_nonzero(sites < caps)), sites.size)
    if steps * per_step > MAX_OPTIMISER_EVALUATIONS:
        most = MAX_OPTIMISER_EVALUATIONS // per_step
        raise BudgetError(
            f"a budget of {max_total_sites:,} sites needs up to {steps:,} optimiser steps "
            f"among {sites.size} countries; the optimiser's budget "
            f"({MAX_OPTIMISER_EVALUATIONS:,} evaluations, about 25 s) allows {most:,} steps "
            f"among {sites.size} countries: ask for at most {int(sites.sum()) + most:,} sites "
            "in total, or optimise among fewer countries (a step costs the square of their "
            "number)")


def _over_budget(steps: int, countries: int, why: str) -> BudgetError:
    return BudgetError(
        f"the optimiser stopped at its budget ({why}) after adding {steps:,} sites among "
        f"{countries} countries, before it met its goal: optimise among fewer countries (a "
        "step costs the square of their number), set Max sites, or start from the current "
        "plan rather than from 0 sites")


def _caps_for(base: ResolvedScenario, site_caps: Mapping[str, int] | None) -> np.ndarray:
    known = [c.iso3 for c in base.countries]
    site_caps = dict(site_caps or {})
    unknown = sorted(set(site_caps) - set(known))
    if unknown:
        raise ValueError(f"site_caps names countries not in the scenario: {', '.join(unknown)}")
    caps = []
    for c in base.countries:
        cap = site_caps.get(c.iso3, c.max_sites)
        if cap is None:
            cap = MAX_SITES_PER_COUNTRY
        if isinstance(cap, bool) or not isinstance(cap, int | np.integer) or cap < 0:
            raise ValueError(f"site cap of {c.iso3} must be a non-negative integer, got {cap!r}")
        caps.append(min(int(cap), MAX_SITES_PER_COUNTRY))
    return np.array(caps, dtype=np.int64)


def optimise(
    scenario_base: ResolvedScenario,
    target: int | None = None,
    deadline_months: float | None = None,
    max_total_sites: int | None = None,
    site_caps: Mapping[str, int] | None = None,
    *,
    n_sims: int = DEFAULT_N_SIMS,
    confirm: bool = True,
    should_stop: Callable[[], bool] | None = None,
) -> OptimiseResult:
    """Greedily add sites, one at a time, where they cut the median time to target most.

    Each step evaluates one more site in every country still below its cap (closed form,
    vectorised over candidates) and keeps the best. It stops when the P50 is within the
    deadline (objective ``meet_deadline``: fewest sites), when ``max_total_sites`` is used
    (objective ``min_p50``), when every country is at its cap or its eligible pool, or when
    no site shortens the P50, or at :data:`MAX_TOTAL_SITES` sites. The proposal is then
    confirmed by Monte Carlo. The run stays within the budgets of the module docstring.

    Parameters
    ----------
    scenario_base : ResolvedScenario
        Starting point; its sites are kept (the optimiser only adds).
    target : int, optional
        [patients]; defaults to the scenario's target.
    deadline_months : float, optional
        [months]; when given, the objective is the fewest sites whose P50 meets it (pass
        ``scenario_base.deadline_months`` to use the scenario's). Without it, the objective
        is the lowest P50 within ``max_total_sites``.
    max_total_sites : int, optional
        Budget of sites over all countries, including the base ones [sites].
    site_caps : mapping of str to int, optional
        iso3 -> most sites in that country; else the country's ``max_sites``; else
        unlimited (up to 2000).
    n_sims : int
        Simulated trials for the confirmation.
    confirm : bool
        Run the Monte Carlo confirmation of the base and the proposal.
    should_stop : callable, optional
        Asked before every step (and before the confirmation); True stops the run.

    Raises
    ------
    ValueError
        If neither a deadline nor a site budget is given, or inputs are out of range.
    BudgetError
        The site budget needs more work than the optimiser's budgets allow (refused before
        the first step), or a run reached them before meeting its goal.
    Cancelled
        ``should_stop`` returned True.
    """
    p = model_params(scenario_base)
    target = check_target(scenario_base.target_patients if target is None else target)
    if deadline_months is not None and not (
        math.isfinite(deadline_months) and deadline_months > 0
    ):
        raise ValueError(f"deadline_months must be positive and finite, got {deadline_months!r}")
    if max_total_sites is not None and (
        isinstance(max_total_sites, bool)
        or not isinstance(max_total_sites, int | np.integer)
        or max_total_sites < 0
    ):
        raise ValueError(f"max_total_sites must be a non-negative integer, got {max_total_sites!r}")
    if deadline_months is None and max_total_sites is None:
        raise ValueError(
            "give a deadline (fewest sites to meet it) or max_total_sites (lowest P50)"
        )
    objective = OBJECTIVE_DEADLINE if deadline_months is not None else OBJECTIVE_MIN_P50
    caps = _caps_for(scenario_base, site_caps)
    if max_total_sites is not None:
        _refuse_site_budget(int(max_total_sites), p.sites, caps)
    warnings = [
        f"{p.iso3[i]} already has {p.sites[i]} sites, above its cap {caps[i]}: none added"
        for i in range(len(p.iso3)) if p.sites[i] > caps[i]
    ]
    t_ref = float(deadline_months) if deadline_months is not None else 120.0

    sites = p.sites.copy()
    p50 = float(closed_form_quantile(0.5, p, target, sites)[0])
    baseline_p50 = p50
    steps: list[OptimiseStep] = []
    stop = ""
    started, work = time.monotonic(), 0
    while True:
        if should_stop is not None and should_stop():
            raise Cancelled("the optimiser was stopped before it finished")
        if deadline_months is not None and p50 <= deadline_months:
            stop = f"P50 {p50:.1f} months is within the {deadline_months:g}-month deadline"
            break
        if max_total_sites is not None and sites.sum() >= max_total_sites:
            stop = f"site budget of {max_total_sites} used"
            break
        if len(steps) >= MAX_OPTIMISER_STEPS:
            stop = f"stopped after {MAX_OPTIMISER_STEPS} steps"
            break
        if sites.sum() >= MAX_TOTAL_SITES:
            stop = f"the scenario limit of {MAX_TOTAL_SITES:,} sites in total is reached"
            break
        if time.monotonic() - started > MAX_OPTIMISER_SECONDS:
            raise _over_budget(len(steps), len(p.iso3), f"{MAX_OPTIMISER_SECONDS:g} s")
        at = p50 if math.isfinite(p50) else t_ref
        mu_now, _ = country_moments(np.array([at]), p, sites)
        pool_left = mu_now[0] < 0.999 * p.cap
        candidates = np.flatnonzero((sites < caps) & pool_left)
        if candidates.size == 0:
            stop = "every country is at its site cap or its eligible pool"
            break
        work += step_work(candidates.size, len(p.iso3))
        if work > MAX_OPTIMISER_EVALUATIONS:
            raise _over_budget(len(steps), len(p.iso3),
                               f"{MAX_OPTIMISER_EVALUATIONS:,} evaluations")
        trial = np.repeat(sites[None, :], candidates.size, axis=0)
        trial[np.arange(candidates.size), candidates] += 1
        hi = p50 if math.isfinite(p50) else MAX_HORIZON_MONTHS
        new_p50 = closed_form_quantile(0.5, p, target, trial, hi=hi)
        if math.isfinite(p50):
            best = int(np.argmin(new_p50))
            if p50 - new_p50[best] <= _MIN_GAIN_MONTHS:
                stop = "no further site shortens the P50"
                break
        elif np.any(np.isfinite(new_p50)):
            best = int(np.argmin(new_p50))
        else:
            # Still unreachable: prefer the site adding the most expected patients by t_ref.
            mu_ref, _ = country_moments(np.full(candidates.size, t_ref), p, trial)
            best = int(np.argmax(mu_ref.sum(axis=1)))
            if mu_ref.sum(axis=1)[best] <= mu_now[0].sum() + 1e-12:
                stop = "no site makes progress towards the target"
                break
        country = int(candidates[best])
        sites = trial[best]
        after = float(new_p50[best])
        steps.append(
            OptimiseStep(
                step=len(steps) + 1,
                iso3=p.iso3[country],
                sites_after=int(sites[country]),
                total_sites_after=int(sites.sum()),
                p50_before=p50,
                p50_after=after,
                gain_months=(p50 - after) if math.isfinite(p50) else math.inf,
            )
        )
        p50 = after

    proposal = scenario_base.with_sites(
        {iso3: int(sites[i]) for i, iso3 in enumerate(p.iso3) if sites[i] != p.sites[i]}
    )
    proposal = with_target(proposal, target)
    base_for_mc = with_target(scenario_base, target)
    baseline = confirmed = None
    if confirm and should_stop is not None and should_stop():
        raise Cancelled("the optimiser was stopped before it finished")
    if confirm:
        horizon = max(
            auto_horizon(base_for_mc, p, deadline_months),
            auto_horizon(proposal, p.with_sites(sites), deadline_months),
        )
        baseline = forecast_monte_carlo(base_for_mc, n_sims=n_sims, horizon_months=horizon)
        confirmed = forecast_monte_carlo(proposal, n_sims=n_sims, horizon_months=horizon)
        if deadline_months is not None and p50 <= deadline_months < confirmed.p50:
            warnings.append(
                f"the closed form puts P50 within the deadline ({p50:.1f} months) but the "
                f"Monte Carlo check gives {confirmed.p50:.1f} months: add a margin"
            )
    return OptimiseResult(
        proposal=proposal,
        steps=tuple(steps),
        objective=objective,
        stop_reason=stop,
        target_patients=target,
        deadline_months=deadline_months,
        baseline_p50=baseline_p50,
        proposal_p50=p50,
        baseline=baseline,
        confirmed=confirmed,
        warnings=tuple(warnings),
    )


# --- Optimiser goals, as the Scenario builder offers them ---------------------------------------
GOAL_DEADLINE: Final = "deadline"
GOAL_BUDGET: Final = "budget"
GOALS: Final = (GOAL_DEADLINE, GOAL_BUDGET)


def optimiser_base(resolved: ResolvedScenario, from_zero: bool) -> ResolvedScenario:
    """The starting point of the optimiser: the plan as is, or every country at 0 sites."""
    if not from_zero:
        return resolved
    return resolved.with_sites({c.iso3: 0 for c in resolved.countries})


def propose(
    resolved: ResolvedScenario,
    goal: str,
    *,
    deadline_months: float | None = None,
    max_total_sites: int | None = None,
    from_zero: bool = False,
    n_sims: int = DEFAULT_N_SIMS,
    should_stop: Callable[[], bool] | None = None,
) -> OptimiseResult:
    """Run the greedy site optimiser among the scenario's countries, capped by ``max_sites``.

    Parameters
    ----------
    resolved : ResolvedScenario
    goal : str
        ``"deadline"`` (fewest sites whose P50 meets ``deadline_months``) or ``"budget"``
        (lowest P50 with at most ``max_total_sites``).
    deadline_months : float, optional
        [months]
    max_total_sites : int, optional
        [sites]
    from_zero : bool
        Start every country at 0 sites instead of adding to the current plan.
    n_sims : int
        Simulated trials of the Monte Carlo confirmation.
    should_stop : callable, optional
        See :func:`optimise`.

    Raises
    ------
    ValueError
        Unknown goal (listing the allowed ones) or the goal's input missing.
    BudgetError, Cancelled
        See :func:`optimise`.
    """
    if goal not in GOALS:
        raise ValueError(f"unknown goal {goal!r}; allowed: {', '.join(GOALS)}")
    base = optimiser_base(resolved, from_zero)
    if goal == GOAL_DEADLINE:
        if deadline_months is None:
            raise ValueError("the deadline goal needs a deadline")
        return optimise(base, deadline_months=deadline_months, n_sims=n_sims,
                        should_stop=should_stop)
    if max_total_sites is None:
        raise ValueError("the budget goal needs a total number of sites")
    return optimise(base, max_total_sites=int(max_total_sites), n_sims=n_sims,
                    should_stop=should_stop)
