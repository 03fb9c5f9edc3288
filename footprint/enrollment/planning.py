"""Planning on top of the forecast: model defaults per country, comparison, optimisation.

Model defaults: the regulatory model gives each country's start-up (mean, sd) [days]; the
patient funnel gives its eligible pool, which caps what the country can recruit. For an
incident indication (a pool per year, e.g. tuberculosis), the cap is the yearly pool times the
recruitment window: the deadline, else :data:`DEFAULT_WINDOW_MONTHS` (an assumption).

:func:`compare` forecasts up to :data:`MAX_COMPARE` scenarios on one horizon;
:func:`optimise` plans to a chance of success; :func:`propose` runs it for one of the page's
:data:`GOALS`.

Goal (issue 12): the fewest sites or, when costs are given, the lowest expected cost
(:func:`plan_cost`) whose **Monte Carlo** probability of reaching the target by the deadline
is at least the confidence (:data:`~footprint.assumptions.DEFAULT_CONFIDENCE` 0.8), from
``max(sites, min_sites)`` up to each country's ``max_sites`` and its eligible pool, within an
optional site budget. A closed form ranks the sites into nested plans; the Monte Carlo (the
forecast's own, with its screen failure, dropout and rate uncertainty; the scenario's seed, so
every plan is judged on the same simulated trials) then picks the first plan that meets the
confidence and checks that the one before it does not. A proposal never claims the goal
unless its Monte Carlo forecast says so; when no plan can, :attr:`OptimiseResult.reason`
says why (pools too small, deadline before every start-up, caps or budget too low, with the
best chance reached). Without a deadline the optimiser gives the fastest plan (lowest P50)
within a site budget.

The optimiser works within budgets (:mod:`footprint.assumptions`): at most
:data:`MAX_OPTIMISER_STEPS` steps and :data:`MAX_TOTAL_SITES` sites,
:data:`MAX_OPTIMISER_CHECKS` Monte Carlo checks, for the fastest plan at most
:data:`MAX_OPTIMISER_EVALUATIONS` closed-form evaluations (a step among ``n`` countries costs
about ``n**2``: :func:`step_work`), and :data:`MAX_OPTIMISER_SECONDS` of wall time. A site
budget that cannot fit is refused before the first step; a caller can stop a run between any
two steps or checks (``should_stop``), e.g. when a newer click replaces it or its session ends.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import pandas as pd
from scipy import special, stats

from footprint.assumptions import (
    DEFAULT_CONFIDENCE,
    DEFAULT_ELIGIBILITY_SHARE,
    DEFAULT_N_SIMS,
    DEFAULT_SITE_ACTIVATION_DAYS,
    DEFAULT_WINDOW_MONTHS,
    MAX_COMPARE,
    MAX_HORIZON_MONTHS,
    MAX_OPTIMISER_CHECKS,
    MAX_OPTIMISER_EVALUATIONS,
    MAX_OPTIMISER_SECONDS,
    MAX_OPTIMISER_STEPS,
    MAX_RATE_CV,
    MAX_SITES_PER_COUNTRY,
    MAX_TOTAL_SITES,
    PRIOR_CERTAINTY,
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
    counted_moments,
    country_moments,
    forecast,
    forecast_monte_carlo,
    model_params,
    simulate_months_to_target,
    with_target,
)
from footprint.enrollment.scenario import ResolvedScenario, Scenario, resolve
from footprint.errors import BudgetError, Cancelled, ScenarioError, UsageError
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
    """One site added by the optimiser.

    Parameters
    ----------
    step : int
        1-based.
    iso3 : str
        Country that received the site.
    sites_after : int
        Sites in that country after the step [sites].
    total_sites_after : int
        Sites over all countries after the step [sites].
    months_before, months_after : float
        Closed-form quantile of the months to target at the optimiser's level
        (:attr:`OptimiseResult.level`) before and after the site [months]; inf: not reached
        within the horizon.
    gain_months : float
        ``months_before - months_after`` [months]; inf while the target is not yet reachable.
    """

    step: int
    iso3: str
    sites_after: int
    total_sites_after: int
    months_before: float
    months_after: float
    gain_months: float


@dataclass(frozen=True, slots=True)
class PlanCost:
    """Expected cost of a plan up to a time (see :func:`plan_cost`); None = not counted.

    Parameters
    ----------
    total : float or None
        Sum of the counted components [currency]; None when none is counted.
    startup, monthly, patients : float or None
        Site start-up, site months open and randomised patients [currency].
    at_months : float
        The time the costs run to [months].
    not_counted : tuple of str
        One note per component left out and why.
    """

    total: float | None
    startup: float | None
    monthly: float | None
    patients: float | None
    at_months: float
    not_counted: tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class OptimiseResult:
    """Outcome of :func:`optimise`.

    Parameters
    ----------
    proposal : ResolvedScenario
        The base plus the added sites (with the optimiser's target and deadline).
    steps : tuple of OptimiseStep
        The added sites, in the order the optimiser ranked them.
    objective : str
        :data:`OBJECTIVE_DEADLINE`, :data:`OBJECTIVE_COST` or :data:`OBJECTIVE_MIN_P50`.
    stop_reason : str
        Why the search ended where it did (its last Monte Carlo checks).
    target_patients : int
    deadline_months : float or None
    baseline_p50, proposal_p50 : float
        Closed-form P50 of the base and of the proposal [months].
    baseline, confirmed : ForecastResult or None
        Monte Carlo forecasts of the base and of the proposal (same seed).
    warnings : tuple of str
    confidence : float or None
        Chance of success asked for [0-1] (None for the fastest plan within a site budget).
    prob_by_deadline : float or None
        Monte Carlo chance that the proposal reaches the target by the deadline [0-1].
    met : bool or None
        ``prob_by_deadline >= confidence`` (None without a confidence goal).
    reason : str
        Why the goal is not met ("" when it is).
    cost : PlanCost or None
        Expected cost of the proposal up to its Monte Carlo P50 (None when not confirmed).
    checks : tuple of (int, float)
        Monte Carlo checks of the search: total sites, chance of success [sites, 0-1].
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
    confidence: float | None = None
    prob_by_deadline: float | None = None
    met: bool | None = None
    reason: str = ""
    cost: PlanCost | None = None
    checks: tuple[tuple[int, float], ...] = ()

    @property
    def level(self) -> float:
        """Quantile the steps' months are at: the confidence, else 0.5 [0-1]."""
        return 0.5 if self.confidence is None else self.confidence

    def explanation(self) -> pd.DataFrame:
        """One row per added site: step, iso3, sites after, months before/after and gain."""
        columns = [
            "step", "iso3", "sites_after", "total_sites_after",
            "months_before", "months_after", "gain_months",
        ]
        return pd.DataFrame(
            [[getattr(s, c) for c in columns] for s in self.steps], columns=columns
        )


OBJECTIVE_DEADLINE: Final = "meet_deadline"
OBJECTIVE_COST: Final = "min_cost"
OBJECTIVE_MIN_P50: Final = "min_p50"
COST_FIELDS: Final = ("site_startup_cost", "site_monthly_cost", "cost_per_patient")
"""The cost components of :func:`plan_cost`, as the scenario's country fields name them."""
_MIN_GAIN_MONTHS: Final = 1e-6
_STEP_OVERHEAD: Final = 1000
"""[country evaluations] the fixed cost of a step (its numpy and scipy calls), measured: about
10 ms here, as much as 1,000 country evaluations (bench_hostile)."""
_QUANTILE_CELLS: Final = 200_000
"""Most (plans x countries) whose closed-form quantiles the steps' table computes (about 1 s)."""


def step_work(candidates: int, countries: int) -> int:
    """Closed-form work of one step of the fastest-plan optimiser [country evaluations].

    Parameters
    ----------
    candidates : int
        Countries that may receive the next site.
    countries : int
        Countries of the scenario (each candidate's forecast sums over all of them).
    """
    return candidates * countries + _STEP_OVERHEAD


def proposed_rate_cv(resolved: ResolvedScenario,
                     certainty: float = PRIOR_CERTAINTY) -> dict[str, float]:
    """A rate CV per country for a new plan, from how sure the planners are of the rates.

    A country expected to recruit ``n_c`` of the target (its share of the plan's counted
    rate once its sites are open: sites x rate x counted share x activating share) gets
    ``1 / sqrt(certainty x n_c)`` [-], capped at :data:`MAX_RATE_CV`. Independent per-country
    multipliers then give the whole trial's rate the CV ``1 / sqrt(certainty x target)`` of
    Gajewski, Simon & Carlson's accrual prior. Countries without sites are left out.

    Parameters
    ----------
    resolved : the plan (its target, sites and rates).
    certainty : the prior's worth as a share of the target [0-1], above 0.

    References
    ----------
    Gajewski BJ, Simon SD, Carlson SE. Predicting accrual in clinical trials with Bayesian
    posterior predictive distributions. Stat Med 27 (2008) 2328-2340.
    """
    if not 0 < certainty <= 1:
        raise ValueError(f"certainty must be above 0 and at most 1, got {certainty}")
    weight = {c.iso3: c.sites * c.rate * resolved.counted_share(c) * (1 - c.never_activate_share)
              for c in resolved.countries if c.sites > 0}
    total = sum(weight.values())
    if total <= 0:
        return {}
    return {iso3: min(MAX_RATE_CV, 1 / math.sqrt(certainty * resolved.target_patients * w / total))
            for iso3, w in weight.items() if w > 0}


def check_confidence(confidence: float) -> float:
    """The confidence checked: a number strictly between 0 and 1 [0-1].

    Raises
    ------
    UsageError
        Outside (0, 1), not finite or not a number; the message gives the allowed range.
    """
    if (isinstance(confidence, bool) or not isinstance(confidence, int | float | np.floating)
            or not 0 < confidence < 1):
        raise UsageError(f"the confidence must be a number strictly between 0 and 1 (e.g. "
                         f"{DEFAULT_CONFIDENCE:g} for {100 * DEFAULT_CONFIDENCE:g} %); got "
                         f"{confidence!r}")
    return float(confidence)


def _check_total_budget(max_total_sites: int) -> None:
    if max_total_sites > MAX_TOTAL_SITES:
        raise BudgetError(f"a budget of {max_total_sites:,} sites: a scenario has at most "
                          f"{MAX_TOTAL_SITES:,} sites in total; ask for at most that")


def _refuse_site_budget(max_total_sites: int, sites: np.ndarray, caps: np.ndarray) -> None:
    """Refuse, before any step, a site budget the optimiser cannot reach within its budgets."""
    _check_total_budget(max_total_sites)
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


def _check_plan(base: ResolvedScenario, caps: np.ndarray) -> np.ndarray:
    """The per-country minimum sites, after refusing a minimum above the cap or a negative
    cost (every problem at once, with the allowed range).

    Raises
    ------
    ScenarioError
    """
    problems = []
    for i, c in enumerate(base.countries):
        if not 0 <= c.min_sites <= caps[i]:
            problems.append(f"countries[{i}] ({c.iso3}).min_sites: must be from 0 to the "
                            f"country's max sites ({caps[i]}), got {c.min_sites}")
        for name in COST_FIELDS:
            value = getattr(c, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                problems.append(f"countries[{i}] ({c.iso3}).{name}: must be a finite number "
                                f">= 0, got {value!r}")
    if problems:
        raise ScenarioError(problems)
    return np.array([c.min_sites for c in base.countries], dtype=np.int64)


def _with_goal(resolved: ResolvedScenario, target: int,
               deadline: float | None) -> ResolvedScenario:
    """The plan with the optimiser's target and (when given) its deadline."""
    out = with_target(resolved, target)
    if deadline is None or out.deadline_months == deadline:
        return out
    return replace(out, deadline_months=deadline,
                   scenario=replace(out.scenario, deadline_months=deadline))


def _plan(base: ResolvedScenario, iso3: Sequence[str], sites: np.ndarray) -> ResolvedScenario:
    return base.with_sites({code: int(sites[i]) for i, code in enumerate(iso3)
                            if sites[i] != base.countries[i].sites})


# --- Costs ---------------------------------------------------------------------------------------
def _cost_rates(resolved: ResolvedScenario, may_have_sites: np.ndarray,
                ) -> tuple[dict[str, np.ndarray], list[str]]:
    """Per counted component, its value per country; and a note per component left out.

    A component is counted when every country that has or may get sites gives it: one missing
    country leaves the whole component out (a missing cost is unknown, not 0).
    """
    counted: dict[str, np.ndarray] = {}
    notes = []
    for name in COST_FIELDS:
        values = [getattr(c, name) for c in resolved.countries]
        missing = [c.iso3 for c, v, m in zip(resolved.countries, values, may_have_sites,
                                             strict=True) if m and v is None]
        if not missing:
            counted[name] = np.array([0.0 if v is None else float(v) for v in values])
        elif len(missing) < int(np.count_nonzero(may_have_sites)):
            notes.append(f"{name} not counted: missing for {', '.join(missing)}")
    return counted, notes


def _open_months(p, t: float) -> np.ndarray:
    """Expected months one site of each country is open by ``t`` (never-opening sites count
    0) [months]."""
    free = replace(p, cap=np.full(len(p.iso3), math.inf))
    mu, _ = country_moments(np.array([t]), free, np.ones(len(p.iso3), dtype=np.int64))
    return mu[0] / p.rate


def plan_cost(resolved: ResolvedScenario, months: float) -> PlanCost:
    """Expected cost of a plan up to ``months`` (the optimiser uses its Monte Carlo P50).

    Per country ``c`` with ``n_c`` sites: ``n_c x site_startup_cost`` (every planned site,
    also one that never opens: selection and contracts are spent first) + ``site_monthly_cost
    x n_c x E[months open by t]`` (start-up distribution and never-activation integrated
    exactly) + ``cost_per_patient x`` the expected randomised patients by ``t`` (screened
    patients, capped at the pool, times ``1 - screen_fail_share``). A component some country
    with sites does not give is not counted (and said so), never taken as 0.

    Parameters
    ----------
    resolved : ResolvedScenario
    months : float
        Time the costs run to [months].
    """
    p = model_params(resolved)
    rates, notes = _cost_rates(resolved, p.sites > 0)
    mu, _ = country_moments(np.array([months]), p)
    randomised = mu[0] * np.array([c.randomised_share for c in resolved.countries])
    parts = {
        "site_startup_cost": p.sites.astype(float),
        "site_monthly_cost": p.sites * _open_months(p, months),
        "cost_per_patient": randomised,
    }
    values = {k: float(parts[k] @ v) for k, v in rates.items()}
    total = float(sum(values.values())) if values else None
    return PlanCost(total=total, startup=values.get("site_startup_cost"),
                    monthly=values.get("site_monthly_cost"),
                    patients=values.get("cost_per_patient"), at_months=float(months),
                    not_counted=tuple(notes))


# --- The guide: a closed form of the chance of success, for ranking sites -------------------------
def _nb_at_least(target: int, mu: np.ndarray, var: np.ndarray) -> np.ndarray:
    """P(n >= target) for n ~ Poisson(Lambda), Lambda with mean ``mu`` and variance ``var``
    taken as a gamma (a negative binomial count; Poisson when ``var`` is 0)."""
    out = np.zeros_like(mu)
    nb = (mu > 0) & (var > 1e-12 * mu)
    poisson = (mu > 0) & ~nb
    out[nb] = stats.nbinom.sf(target - 1, mu[nb] ** 2 / var[nb], mu[nb] / (mu[nb] + var[nb]))
    out[poisson] = stats.poisson.sf(target - 1, mu[poisson])
    return out


def _probit(prob: float, floor: float) -> float:
    return float(special.ndtri(min(max(prob, floor), 1.0 - floor)))


class _Guide:
    """The forecast's closed form at the deadline, for many site counts at once.

    :func:`counted_moments` gives the mean and variance of the counted patients' intensity
    (pools capped on the screened, thinned by the counted share, widened by ``rate_cv``), so
    the count is negative binomial; :func:`country_moments` the screened mean, which the pools
    cap and the cost per randomised patient uses.
    """

    def __init__(self, base: ResolvedScenario, p, deadline: float,
                 rates: Mapping[str, np.ndarray]):
        self.p, self.t = p, np.array([deadline])
        self.target = base.target_patients
        self.open_months = _open_months(p, deadline)
        self.rates = rates

    def moments(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Screened means per country (K, C); counted mean and variance per row (K,)."""
        screened, _ = country_moments(self.t, self.p, rows)
        mu, var = counted_moments(self.t, self.p, rows)
        return screened, mu.sum(axis=1), var.sum(axis=1)

    def z(self, mu: np.ndarray, var: np.ndarray) -> np.ndarray:
        """Standardised margin of the count over the target (smooth where P is 0 or 1)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (mu - self.target) / np.sqrt(var + mu)
        return np.where(mu > 0, z, -np.inf)

    def cost(self, rows: np.ndarray, screened: np.ndarray) -> np.ndarray:
        """Guide cost of each row up to the deadline (as :func:`plan_cost`) [currency]."""
        parts = {
            "site_startup_cost": rows.astype(float),
            "site_monthly_cost": rows * self.open_months,
            "cost_per_patient": screened * self.p.randomised,
        }
        total = np.zeros(rows.shape[0])
        for name, values in self.rates.items():
            total += parts[name] @ values
        return total


class _Path:
    """Plans nested one site at a time, in the guide's greedy order, grown on demand.

    A step adds the site with the largest gain of the guide's margin ``z`` (per unit of the
    guide's cost when costs are counted); where no site raises ``z``, the largest gain of
    expected counted patients. The path ends at the caps, the pools, the site budget or the
    limits.
    """

    def __init__(self, guide: _Guide, start: np.ndarray, caps: np.ndarray,
                 budget: int | None, by_cost: bool, tick: Callable[[], None]):
        self.guide, self.caps, self.budget, self.by_cost, self.tick = (
            guide, caps, budget, by_cost, tick)
        self.rows = [start]
        self.added: list[int] = []
        screened, mu, var = guide.moments(start[None, :])
        self.probs = [float(_nb_at_least(guide.target, mu, var)[0])]
        self.now = (screened, mu, guide.z(mu, var), guide.cost(start[None, :], screened))
        self.ended = ""

    @property
    def last(self) -> int:
        return len(self.rows) - 1

    def grow(self) -> bool:
        """Add one site; False (and ``ended`` says why) when none can be added."""
        if self.ended:
            return False
        self.tick()
        s = self.rows[-1]
        total = int(s.sum())
        if self.budget is not None and total >= self.budget:
            self.ended = f"the site budget of {self.budget:,} sites is used"
        elif total >= MAX_TOTAL_SITES:
            self.ended = f"the scenario limit of {MAX_TOTAL_SITES:,} sites in total is reached"
        elif len(self.added) >= MAX_OPTIMISER_STEPS:
            self.ended = f"the optimiser's limit of {MAX_OPTIMISER_STEPS:,} steps is reached"
        if self.ended:
            return False
        screened_now, mu_now, z_now, cost_now = self.now
        candidates = np.flatnonzero((s < self.caps)
                                    & (screened_now[0] < 0.999 * self.guide.p.cap))
        if candidates.size == 0:
            self.ended = "every country is at its max sites or its eligible pool"
            return False
        rows = np.repeat(s[None, :], candidates.size, axis=0)
        rows[np.arange(candidates.size), candidates] += 1
        screened, mu, var = self.guide.moments(rows)
        z = self.guide.z(mu, var)
        gain = z - z_now if math.isfinite(z_now[0]) else mu - mu_now
        if not np.any(gain > 0):
            gain = mu - mu_now
        cost = self.guide.cost(rows, screened)
        score = gain
        if self.by_cost:
            extra = cost - cost_now
            with np.errstate(divide="ignore", invalid="ignore"):
                score = np.where(extra > 0, gain / extra, np.where(gain > 0, np.inf, -np.inf))
        best = int(np.argmax(score))
        self.rows.append(rows[best])
        self.added.append(int(candidates[best]))
        self.probs.append(float(_nb_at_least(self.guide.target, mu[best:best + 1],
                                             var[best:best + 1])[0]))
        pick = slice(best, best + 1)
        self.now = (screened[pick], mu[pick], z[pick], cost[pick])
        return True

    def first_at(self, level: float, shift: float) -> int:
        """First plan whose guide probit, shifted by ``shift``, reaches ``level`` (growing the
        path as needed); the last plan when none does."""
        k = 0
        while True:
            while k < len(self.rows):
                if _probit(self.probs[k], 1e-12) + shift >= level:
                    return k
                k += 1
            if not self.grow():
                return self.last


def _hopeless(base: ResolvedScenario, p, may_have_sites: np.ndarray, deadline: float) -> str:
    """Why no plan among the allowed sites can reach the target by the deadline ("" if one
    may): pools too small for the target, or every allowed site opens after the deadline."""
    counted = float(np.sum(p.counted_cap[may_have_sites]))
    if counted < base.target_patients:
        return (f"the eligible pools of the countries that may get sites hold {counted:,.0f} "
                f"patients {base.target_kind} (pools count patients screened), below the "
                f"target of {base.target_patients:,}: no number of sites reaches it")
    allowed = np.flatnonzero(may_have_sites)
    fixed = all(p.start_sd[i] <= 0 or p.start_mean[i] <= 0 for i in allowed)
    earliest = int(allowed[np.argmin(p.start_mean[allowed])]) if allowed.size else -1
    if allowed.size and fixed and p.start_mean[earliest] >= deadline:
        return (f"the deadline ({deadline:g} months) is before the earliest site can open "
                f"({p.start_mean[earliest]:.1f} months, in {p.iso3[earliest]})")
    return ""


def _step_table(path: _Path, p, target: int, level: float, chosen: int) -> list[OptimiseStep]:
    """The first ``chosen`` steps of the path with their closed-form months at ``level``."""
    rows = np.array(path.rows[: chosen + 1])
    if rows.size > _QUANTILE_CELLS:
        months = np.full(len(rows), math.nan)
    else:
        months = closed_form_quantile(level, p, target, rows)
    steps = []
    for k in range(chosen):
        country, before, after = path.added[k], float(months[k]), float(months[k + 1])
        steps.append(OptimiseStep(
            step=k + 1, iso3=p.iso3[country], sites_after=int(rows[k + 1][country]),
            total_sites_after=int(rows[k + 1].sum()), months_before=before,
            months_after=after,
            gain_months=before - after if math.isfinite(before) else math.inf))
    return steps


def optimise(
    scenario_base: ResolvedScenario,
    target: int | None = None,
    deadline_months: float | None = None,
    max_total_sites: int | None = None,
    site_caps: Mapping[str, int] | None = None,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    n_sims: int = DEFAULT_N_SIMS,
    confirm: bool = True,
    should_stop: Callable[[], bool] | None = None,
) -> OptimiseResult:
    """The fewest sites (or the lowest expected cost) reaching the target by the deadline
    with a Monte Carlo chance of at least ``confidence``; without a deadline, the fastest plan
    (lowest P50) within ``max_total_sites``.

    With a deadline (objectives ``meet_deadline``, or ``min_cost`` when a cost component is
    counted, see :func:`plan_cost`): a closed-form guide ranks the sites one at a time into
    nested plans (:class:`_Path`); a search over them with the Monte Carlo (the scenario's
    seed, so common random numbers: on the exact path a plan with one more site reaches the
    target no later in any simulated trial) finds the first plan whose simulated chance
    reaches the confidence, and certifies that the plan one site before it does not. The
    guide only chooses where to look: every answer is the Monte Carlo's. Between checks the
    next plan is where the guide, shifted by the last check's gap (in probit), crosses the
    confidence, and a bisection once that stalls. Without a deadline: greedy closed-form P50
    steps up to the site budget, confirmed by Monte Carlo. Sites are only added, from
    ``max(sites, min_sites)``, up to each country's cap and its eligible pool.

    Parameters
    ----------
    scenario_base : ResolvedScenario
        Starting point; its sites are kept (the optimiser only adds).
    target : int, optional
        [patients]; defaults to the scenario's target.
    deadline_months : float, optional
        [months]; the goal's deadline (pass ``scenario_base.deadline_months`` for the
        scenario's).
    max_total_sites : int, optional
        Budget of sites over all countries, including the base ones [sites].
    site_caps : mapping of str to int, optional
        iso3 -> most sites in that country; else the country's ``max_sites``; else
        :data:`MAX_SITES_PER_COUNTRY`.
    confidence : float
        Chance of success to reach, strictly between 0 and 1 [0-1].
    n_sims : int
        Simulated trials of every check and of the confirmation.
    confirm : bool
        Run the full Monte Carlo forecasts of the base and of the proposal.
    should_stop : callable, optional
        Asked before every step and every Monte Carlo run; True stops the run.

    Raises
    ------
    ValueError
        Neither a deadline nor a site budget, or inputs out of range.
    UsageError
        The confidence is not strictly between 0 and 1.
    ScenarioError
        A minimum above the country's cap, or a negative cost.
    BudgetError
        A budget the optimiser's limits cannot hold (refused before the first step), or a
        run that reached them before meeting its goal.
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
    confidence = check_confidence(confidence)
    caps = _caps_for(scenario_base, site_caps)
    start = np.maximum(p.sites, _check_plan(scenario_base, caps))
    warnings = [
        f"{p.iso3[i]} already has {p.sites[i]} sites, above its cap {caps[i]}: none added"
        for i in range(len(p.iso3)) if p.sites[i] > caps[i]
    ]
    if max_total_sites is not None and start.sum() > max_total_sites:
        raise UsageError(f"the plan's sites and minimums ({int(start.sum()):,} in total) are "
                         f"above the site budget ({max_total_sites:,}): allowed budgets are "
                         f"{int(start.sum()):,} to {MAX_TOTAL_SITES:,} sites")
    started = time.monotonic()

    def tick() -> None:
        if should_stop is not None and should_stop():
            raise Cancelled("the optimiser was stopped before it finished")

    if deadline_months is None:
        assert max_total_sites is not None
        _refuse_site_budget(int(max_total_sites), start, caps)
        return _fastest_within(scenario_base, p, start, caps, target, int(max_total_sites),
                               warnings, n_sims=n_sims, confirm=confirm, tick=tick,
                               started=started)
    if max_total_sites is not None:
        _check_total_budget(int(max_total_sites))
    deadline = float(deadline_months)
    base = _with_goal(scenario_base, target, deadline)
    may_have_sites = (caps > 0) | (start > 0)
    rates, cost_notes = _cost_rates(base, may_have_sites)
    warnings += cost_notes
    objective = OBJECTIVE_COST if rates else OBJECTIVE_DEADLINE
    path = _Path(_Guide(base, p, deadline, rates), start, caps, max_total_sites,
                 bool(rates), tick)
    horizon = max(1, min(math.ceil(deadline), MAX_HORIZON_MONTHS))
    checks: dict[int, float] = {}

    def check(k: int) -> float:
        tick()
        if time.monotonic() - started > MAX_OPTIMISER_SECONDS:
            raise _over_budget(k, len(p.iso3), f"{MAX_OPTIMISER_SECONDS:g} s")
        times = simulate_months_to_target(_plan(base, p.iso3, path.rows[k]), n_sims=n_sims,
                                          horizon_months=horizon)
        checks[k] = float(np.mean(times <= deadline))
        return checks[k]

    reason = _hopeless(base, p, may_have_sites, deadline)
    level = _probit(confidence, 0.0)
    floor = 0.5 / n_sims
    # lo: the largest plan known to fall short; hi: the smallest known to meet the confidence
    lo, hi = -1, None
    if reason:
        chosen, stop = 0, "no plan can meet the goal"
    else:
        k, ups, guided = path.first_at(level, 0.0), 0, 0
        while True:
            prob = check(k)
            shift = _probit(prob, floor) - _probit(path.probs[k], 1e-12)
            if prob >= confidence:
                hi = k
            else:
                lo = k
            if (hi is not None and hi - lo <= 1) or (hi is None and lo == path.last
                                                     and not path.grow()):
                break
            if len(checks) >= MAX_OPTIMISER_CHECKS:
                break
            guess = path.first_at(level, shift)
            if hi is None:
                ups += 1
                while path.last < lo + 2**ups and path.grow():
                    pass
                k = min(max(guess, lo + 2**ups if ups > 2 else lo + 1), path.last)
            else:
                guided += 1
                k = (lo + hi) // 2 if guided > 2 else min(max(guess, lo + 1), hi - 1)
        chosen = hi if hi is not None else lo
        stop = _stop_text(checks, path, chosen, lo, hi, confidence, deadline)
    proposal = _plan(base, p.iso3, path.rows[chosen])
    steps = _step_table(path, p, target, confidence, chosen)
    baseline = confirmed = None
    prob = checks.get(chosen)
    if confirm:
        tick()
        horizon_mc = max(auto_horizon(base, p, deadline),
                         auto_horizon(proposal, p.with_sites(path.rows[chosen]), deadline))
        baseline = forecast_monte_carlo(_with_goal(scenario_base, target, deadline),
                                        n_sims=n_sims, horizon_months=horizon_mc)
        tick()
        confirmed = forecast_monte_carlo(proposal, n_sims=n_sims, horizon_months=horizon_mc)
        prob = confirmed.prob_by_deadline
    met = prob is not None and prob >= confidence
    if not met and not reason:
        reason = _short_text(prob, confidence, deadline, path, p, may_have_sites,
                             max_total_sites, len(checks))
    at = confirmed.p50 if confirmed is not None else float(
        closed_form_quantile(0.5, p, target, path.rows[chosen])[0])
    cost = plan_cost(proposal, at if math.isfinite(at) else float(horizon)) if rates else None
    return OptimiseResult(
        proposal=proposal, steps=tuple(steps), objective=objective, stop_reason=stop,
        target_patients=target, deadline_months=deadline,
        baseline_p50=float(closed_form_quantile(0.5, p, target, p.sites)[0]),
        proposal_p50=float(closed_form_quantile(0.5, p, target, path.rows[chosen])[0]),
        baseline=baseline, confirmed=confirmed, warnings=tuple(warnings),
        confidence=confidence, prob_by_deadline=prob, met=met, reason=reason, cost=cost,
        checks=tuple((int(path.rows[k].sum()), v) for k, v in checks.items()),
    )


def _stop_text(checks: Mapping[int, float], path: _Path, chosen: int, lo: int,
               hi: int | None, confidence: float, deadline: float) -> str:
    def sites(k: int) -> str:
        return f"{int(path.rows[k].sum()):,} sites reach the target by {deadline:g} months " \
               f"in {100 * checks[k]:.1f} % of simulated trials"

    if hi is None:
        return f"Monte Carlo: at most {sites(chosen)}, below {100 * confidence:g} %"
    text = f"Monte Carlo: {sites(hi)} (at least {100 * confidence:g} %)"
    if lo >= 0 and hi - lo == 1:
        return text + f"; one site fewer on the optimiser's path, {sites(lo)}"
    if hi == 0:
        return text + ": the plan already meets the goal"
    return text + f"; the search stopped at its limit of {MAX_OPTIMISER_CHECKS} checks, so " \
                  "a few sites fewer may also meet it"


def _short_text(prob: float | None, confidence: float, deadline: float, path: _Path, p,
                may_have_sites: np.ndarray, budget: int | None, n_checks: int) -> str:
    """Why a search ended short of the confidence."""
    shown = "unknown" if prob is None else f"{100 * prob:.1f} %"
    if not path.ended:
        return (f"the search stopped at its limit of {MAX_OPTIMISER_CHECKS} Monte Carlo checks "
                f"({n_checks} run) before a plan reached {100 * confidence:g} %; the best "
                f"checked reaches {shown}")
    text = (f"with every site the optimiser may add ({path.ended}: "
            f"{int(path.rows[-1].sum()):,} sites) the Monte Carlo chance of reaching the "
            f"target by {deadline:g} months is {shown}, below the {100 * confidence:g} % asked")
    allowed = np.flatnonzero(may_have_sites)
    earliest = int(allowed[np.argmin(p.start_mean[allowed])])
    if p.start_mean[earliest] >= deadline:
        text += (f"; the deadline is before the earliest mean start-up "
                 f"({p.start_mean[earliest]:.1f} months, in {p.iso3[earliest]})")
    how = "raise the site budget" if budget is not None and path.ended.startswith("the site") \
        else "raise Max sites"
    return text + f": {how}, move the deadline or lower the confidence"


def _fastest_within(scenario_base: ResolvedScenario, p, sites: np.ndarray, caps: np.ndarray,
                    target: int, max_total_sites: int, warnings: list[str], *, n_sims: int,
                    confirm: bool, tick: Callable[[], None], started: float) -> OptimiseResult:
    """Greedy closed-form P50 steps up to the site budget (objective ``min_p50``); its work
    is bounded before it starts (:func:`_refuse_site_budget`)."""
    p50 = float(closed_form_quantile(0.5, p, target, sites)[0])
    baseline_p50 = p50
    steps: list[OptimiseStep] = []
    stop = ""
    t_ref = 120.0
    while True:
        tick()
        if sites.sum() >= max_total_sites:
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
        steps.append(OptimiseStep(
            step=len(steps) + 1, iso3=p.iso3[country], sites_after=int(sites[country]),
            total_sites_after=int(sites.sum()), months_before=p50, months_after=after,
            gain_months=(p50 - after) if math.isfinite(p50) else math.inf))
        p50 = after
    proposal = with_target(_plan(scenario_base, p.iso3, sites), target)
    base_for_mc = with_target(scenario_base, target)
    baseline = confirmed = None
    if confirm:
        tick()
        horizon = max(auto_horizon(base_for_mc, p, None),
                      auto_horizon(proposal, p.with_sites(sites), None))
        baseline = forecast_monte_carlo(base_for_mc, n_sims=n_sims, horizon_months=horizon)
        confirmed = forecast_monte_carlo(proposal, n_sims=n_sims, horizon_months=horizon)
    return OptimiseResult(
        proposal=proposal, steps=tuple(steps), objective=OBJECTIVE_MIN_P50, stop_reason=stop,
        target_patients=target, deadline_months=None, baseline_p50=baseline_p50,
        proposal_p50=p50, baseline=baseline, confirmed=confirmed, warnings=tuple(warnings),
    )


# --- Optimiser goals, as the Scenario builder offers them ---------------------------------------
GOAL_DEADLINE: Final = "deadline"
GOAL_BUDGET: Final = "budget"
GOALS: Final = (GOAL_DEADLINE, GOAL_BUDGET)


def optimiser_base(resolved: ResolvedScenario, from_zero: bool) -> ResolvedScenario:
    """The starting point of the optimiser: the plan as is, or every country at its minimum
    sites (0 when it gives none)."""
    if not from_zero:
        return resolved
    return resolved.with_sites({c.iso3: c.min_sites for c in resolved.countries})


def propose(
    resolved: ResolvedScenario,
    goal: str,
    *,
    deadline_months: float | None = None,
    max_total_sites: int | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    from_zero: bool = False,
    n_sims: int = DEFAULT_N_SIMS,
    should_stop: Callable[[], bool] | None = None,
) -> OptimiseResult:
    """Run the optimiser among the scenario's countries, capped by ``max_sites``.

    Parameters
    ----------
    resolved : ResolvedScenario
    goal : str
        ``"deadline"`` (fewest sites, or lowest expected cost, whose Monte Carlo chance of
        meeting ``deadline_months`` is at least ``confidence``) or ``"budget"`` (lowest P50
        with at most ``max_total_sites``).
    deadline_months : float, optional
        [months]
    max_total_sites : int, optional
        [sites]
    confidence : float
        [0-1], strictly between 0 and 1.
    from_zero : bool
        Start every country at its minimum sites instead of adding to the current plan.
    n_sims : int
        Simulated trials of the Monte Carlo checks and confirmation.
    should_stop : callable, optional
        See :func:`optimise`.

    Raises
    ------
    ValueError
        Unknown goal (listing the allowed ones) or the goal's input missing.
    UsageError, ScenarioError, BudgetError, Cancelled
        See :func:`optimise`.
    """
    if goal not in GOALS:
        raise ValueError(f"unknown goal {goal!r}; allowed: {', '.join(GOALS)}")
    base = optimiser_base(resolved, from_zero)
    if goal == GOAL_DEADLINE:
        if deadline_months is None:
            raise ValueError("the deadline goal needs a deadline")
        return optimise(base, deadline_months=deadline_months, confidence=confidence,
                        n_sims=n_sims, should_stop=should_stop)
    if max_total_sites is None:
        raise ValueError("the budget goal needs a total number of sites")
    return optimise(base, max_total_sites=int(max_total_sites), n_sims=n_sims,
                    should_stop=should_stop)
