"""Enrollment forecast: the Poisson-gamma recruitment model, Monte Carlo and closed form.

Model (Anisimov & Fedorov 2007, Statistics in Medicine 26(27):4958-4975). Times are in
months from the scenario start; a month is :data:`DAYS_PER_MONTH` = 365.25 / 12 = 30.4375
days. Each site ``i`` of country ``c``:

- opens at ``u_i`` drawn from a gamma distribution with the country's start-up mean and sd
  (days converted to months); sd 0 (or mean 0) means every site opens exactly at the mean;
- with probability ``never_activate_share`` never opens;
- screens at ``lambda_i ~ Gamma(shape alpha = rate_shape, rate beta = alpha / rate)``, i.e.
  mean ``rate`` [patients screened/site/month], times the country's mean-rate multiplier ``M_c``
  (below);
- has screened ``n_i(t) ~ Poisson(lambda_i * max(0, t - u_i))`` by time ``t``.

Screen failure and dropout thin the screened process: each screened patient is randomised
with probability ``r = 1 - screen_fail_share`` and then completes with probability
``1 - dropout_share``, independently. Thinning a Poisson process of intensity ``lambda`` by a
probability ``s`` gives a Poisson process of intensity ``s lambda``, and ``s lambda ~
Gamma(alpha, beta / s)``: the randomised (and the completing) patients follow the same
Poisson-gamma model with the mean rate scaled by ``s``. The forecast simulates the patients
the target counts (``target_kind``): randomised (``s = r``) or evaluable
(``s = r (1 - dropout_share)``); ``ForecastResult.funnel`` gives screened -> randomised ->
completing. Pool caps count patients *screened*: the closed form caps the screened mean (as
before) and thins it; the Monte Carlo stops a country's counted patients at
``floor(s x pool)``, the expected count when the pool is screened out (exact when ``s`` is 1;
otherwise off by a relative ``1/sqrt(pool)`` at most, negligible for the pools of the
patient funnel).

Uncertainty of the mean rate (Mountain & Sherlock 2022; Urbas & Sherlock 2022): with
``rate_cv > 0`` a country's site rates are all multiplied by ``M_c ~ Gamma(1/cv^2, 1/cv^2)``
(mean 1, coefficient of variation ``cv``), drawn once per simulated trial; ``rate_cv`` 0 is
the model without it, draw for draw. The closed form keeps the gamma approximation of
``Lambda`` with the exact moments: the mean is unchanged and a country's variance becomes
``(1 + cv^2)(var + mu^2) - mu^2``.

The trial total ``n(t)`` is a Poisson process with random cumulative intensity
``Lambda(t) = sum_i lambda_i max(0, t - u_i)``, piecewise linear and convex in ``t``. A country
with an eligible pool ``pool_cap`` stops recruiting once it has ``floor(pool_cap)`` patients.

Two methods (:data:`METHODS`):

``"monte_carlo"``
    Vectorised simulation, reproducible from ``scenario.seed`` (same scenario, same numbers).
    Two paths (:data:`MC_PATHS`), reported in ``ForecastResult.path``:

    ``"exact_inversion"`` (no pool cap can bind before the target, i.e. every cap >= target):
        the N-th arrival time is ``Lambda^{-1}(G)`` with ``G ~ Gamma(N, 1)``. Because
        ``Lambda(t) = max_k (A_k t - B_k)`` over the prefixes ``k`` of the sites sorted by
        opening time (``A_k = sum lambda``, ``B_k = sum lambda u``), the inverse is exactly
        ``min_k (G + B_k) / A_k``. The sums of lambda and lambda u over the sites open by
        each whole month (histograms, no sort) locate the crossing month; only the sites
        opening inside that month are sorted. Cost O(sites x trials).
    ``"time_grid"`` (some cap < target; slower): monthly Poisson increments per capped
        country (the others pooled), counts clipped at the caps, then the crossing month is
        bisected with exact Poisson-bridge (binomial) splits down to
        :data:`GRID_RESOLUTION_MONTHS`. Exact in distribution up to that resolution.

    The cumulative curve band is made of the per-month quantiles of the simulated counts
    (clipped at the pools). On the exact path each month's count is drawn on its own
    (Poisson given Lambda(m)): right marginals, which is all a per-month band uses.

    Common random numbers: every country draws from its own streams keyed by
    ``(seed, iso3, quantity, chunk)`` and a site's draws do not depend on how many sites
    follow it, so adding a site never delays any simulated trial on the exact path.

``"closed_form"``
    ``Lambda(t)`` of the counted patients approximated by a gamma with the exact mean and
    variance (thinning and ``rate_cv`` included, above), which makes ``n(t)`` negative
    binomial; ``P(T_N <= t) = P(n(t) >= N)`` is inverted by bisection.
    The start-up distribution and never-activation are integrated exactly into the moments
    (``E[(t-u)^+]`` and ``E[((t-u)^+)^2]`` of a gamma ``u`` have closed forms). Pool caps are
    a heuristic here: a country's mean is capped at its pool and its variance scaled down.

A quantile of the time to target is ``inf`` when fewer than that share of simulated trials
reach the target within ``horizon_months`` (neither method looks past the horizon); the default
horizon is 1.5 x the closed-form P90 + 6 months (at least 12 and 1.2 x the deadline, at most
:data:`MAX_HORIZON_MONTHS`).

References
----------
Anisimov V.V., Fedorov V.V. (2007) Modelling, prediction and adaptive adjustment of
recruitment in multicentre trials. Statistics in Medicine 26, 4958-4975.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import pandas as pd
from scipy import special, stats

from footprint.assumptions import (
    DEFAULT_N_SIMS,
    MAX_FORECAST_BYTES,
    MAX_HORIZON_MONTHS,
    MAX_N_SIMS,
    MILESTONE_SIMS,
    MIN_HORIZON_MONTHS,
)
from footprint.enrollment.scenario import ResolvedCountry, ResolvedScenario
from footprint.errors import BudgetError

DAYS_PER_MONTH: Final = 365.25 / 12
"""[days/month] 30.4375: start-up days are divided by this."""

METHOD_MONTE_CARLO: Final = "monte_carlo"
METHOD_CLOSED_FORM: Final = "closed_form"
METHODS: Final = (METHOD_MONTE_CARLO, METHOD_CLOSED_FORM)

PATH_AUTO: Final = "auto"
PATH_EXACT: Final = "exact_inversion"
PATH_GRID: Final = "time_grid"
PATH_GAMMA: Final = "gamma_approximation"
MC_PATHS: Final = (PATH_AUTO, PATH_EXACT, PATH_GRID)

QUANTILES: Final = (0.1, 0.5, 0.9)
CHUNK_SIMS: Final = 1024
"""Simulated trials per random-number chunk (fixed: it is part of what the seed means)."""
GRID_BISECTION_LEVELS: Final = 14
GRID_RESOLUTION_MONTHS: Final = 2.0**-GRID_BISECTION_LEVELS
"""[months] Time resolution of the ``time_grid`` path (about 2.7 minutes)."""
DEFAULT_WORKERS: Final = max(1, min(4, os.cpu_count() or 1))
"""Threads for the Monte Carlo chunks; results do not depend on it."""

MIN_STARTUP_CV: Final = 1e-6
"""A start-up whose sd is below this share of its mean is treated as fixed."""
_MIN_RANDOM_START_MONTHS: Final = 1e-9
_NEVER_MONTHS: Final = 1e9  # opening time of a site that never opens (far past any horizon)
_GRID_BLOCK_ELEMENTS: Final = 4_000_000  # memory bound for the (trials, groups, months) grids
_SITE_TRIAL_BYTES: Final = 40  # per site and trial of a chunk: u, lam, bins, idx, weight
_GRID_ELEMENT_BYTES: Final = 32  # per (trial, group, month) element of a block's grids
_Q_E, _Q_CURVE, _Q_GRID, _Q_BRIDGE = 10, 11, 12, 13  # stream ids of trial-level quantities
_Q_START, _Q_NEVER, _Q_RATE = 1, 2, 3  # stream ids of site-level quantities
_Q_CV, _Q_FPI = 4, 5  # stream ids of country-level quantities (new streams: old ones unchanged)

MILESTONES: Final = ("first_site_open", "sites_50pct_open", "sites_90pct_open",
                     "first_patient_in", "last_patient_in")
"""Milestones of :attr:`ForecastResult.milestones`, in order: the first, 50 % and 90 % of
the *planned* sites open (a site that never opens never counts), the first patient
randomised, the last patient in (the target reached; the same for every country, since
recruitment stops everywhere then)."""
TRIAL: Final = "trial"
"""The ``scope`` of a trial-level milestone (else the country's iso3)."""


@dataclass(frozen=True, slots=True)
class Milestone:
    """One milestone with its P10/P50/P90 [months from the start]; ``inf`` = not reached
    within the horizon in that share of simulated trials.

    Parameters
    ----------
    scope : str
        ``"trial"`` or an iso3.
    milestone : str
        One of :data:`MILESTONES`.
    p10, p50, p90 : float
        [months]
    """

    scope: str
    milestone: str
    p10: float
    p50: float
    p90: float


# --- Results -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ForecastResult:
    """A forecast of one scenario.

    Parameters
    ----------
    scenario_name : str
    target_patients : int
        [patients]
    method : str
        One of :data:`METHODS`.
    path : str
        Algorithm that ran: ``exact_inversion``, ``time_grid`` or ``gamma_approximation``.
    n_sims : int
        Simulated trials (0 for the closed form).
    seed : int
    horizon_months : int
        [months] Curve range; a trial that has not reached the target by then counts as never.
    months_to_target : tuple of float
        P10, P50, P90 of the time to reach the target [months]; ``inf`` = not within horizon.
    months : tuple of int
        0..horizon [months].
    curve_p10, curve_p50, curve_p90 : tuple of float
        Cumulative patients recruited at each month, 10/50/90 % quantiles [patients].
    patients_at_p50 : dict
        iso3 -> expected patients recruited at ``patients_at_months`` [patients].
    patients_at_months : float
        P50 of the time to target, or the horizon if P50 is inf [months].
    cost_by_country : dict
        iso3 -> expected patients x cost per patient, None when the cost is unknown.
    total_cost_at_p50 : float or None
        Sum of ``cost_by_country``; None if a country with sites has no cost.
    deadline_months : float or None
    prob_by_deadline : float or None
        P(target reached by the deadline) [0-1].
    capped_countries : tuple of str
        Countries whose pool cap bound before the target in at least 1 % of trials.
    warnings : tuple of str
    milestones : tuple of Milestone
        Trial first, then each country with sites (Monte Carlo; empty for the closed form).
    funnel : dict
        iso3 and ``"total"`` -> (screened, randomised, completing), expected patients at
        ``patients_at_months`` [patients].
    """

    scenario_name: str
    target_patients: int
    method: str
    path: str
    n_sims: int
    seed: int
    horizon_months: int
    months_to_target: tuple[float, float, float]
    months: tuple[int, ...]
    curve_p10: tuple[float, ...]
    curve_p50: tuple[float, ...]
    curve_p90: tuple[float, ...]
    patients_at_p50: dict[str, float] = field(hash=False)
    patients_at_months: float
    cost_by_country: dict[str, float | None] = field(hash=False)
    total_cost_at_p50: float | None
    deadline_months: float | None
    prob_by_deadline: float | None
    capped_countries: tuple[str, ...]
    warnings: tuple[str, ...]
    milestones: tuple[Milestone, ...] = ()
    funnel: dict[str, tuple[float, float, float]] = field(default_factory=dict, hash=False)

    @property
    def p10(self) -> float:
        """P10 of the months to target [months]."""
        return self.months_to_target[0]

    @property
    def p50(self) -> float:
        """Median months to target [months]."""
        return self.months_to_target[1]

    @property
    def p90(self) -> float:
        """P90 of the months to target [months]."""
        return self.months_to_target[2]

    def curve_frame(self) -> pd.DataFrame:
        """Return the cumulative curve as a frame with columns month, p10, p50, p90."""
        return pd.DataFrame(
            {
                "month": np.asarray(self.months, dtype=np.int64),
                "p10": np.asarray(self.curve_p10, dtype=float),
                "p50": np.asarray(self.curve_p50, dtype=float),
                "p90": np.asarray(self.curve_p90, dtype=float),
            }
        )


# --- Parameters ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Params:
    """One country's model inputs in months, arrays aligned across countries."""

    iso3: tuple[str, ...]
    sites: np.ndarray  # [sites]
    rate: np.ndarray  # [patients/site/month]
    shape: np.ndarray  # [-]
    start_mean: np.ndarray  # [months]
    start_sd: np.ndarray  # [months]
    never: np.ndarray  # [0-1)
    cap: np.ndarray  # [patients screened], floor of the pool, inf when uncapped
    key: tuple[int, ...]
    share: np.ndarray  # [0-1] share of screened patients the target counts
    randomised: np.ndarray  # [0-1] share of screened patients randomised
    cv: np.ndarray  # [-] coefficient of variation of the mean-rate multiplier

    def with_sites(self, sites: np.ndarray) -> _Params:
        return replace(self, sites=np.asarray(sites))

    @property
    def thinned(self) -> bool:
        """Whether any country thins its screened patients or has an uncertain mean rate."""
        return bool(np.any(self.share != 1.0) or np.any(self.cv > 0))

    @property
    def counted_cap(self) -> np.ndarray:
        """Cap of the counted patients [patients]: ``floor(share x pool)`` (module notes)."""
        if not np.any(self.share != 1.0):
            return self.cap
        return np.floor(self.share * self.cap)


def _iso_key(iso3: str) -> int:
    """Stable stream id of a country (independent of its position in the scenario)."""
    return 1 + int.from_bytes(iso3.encode("utf-8"), "big")


def model_params(resolved: ResolvedScenario) -> _Params:
    if not isinstance(resolved, ResolvedScenario):
        raise TypeError(
            f"expected a ResolvedScenario (see footprint.scenario.resolve), "
            f"got {type(resolved).__name__}"
        )
    cs: tuple[ResolvedCountry, ...] = resolved.countries
    return _Params(
        iso3=tuple(c.iso3 for c in cs),
        sites=np.array([c.sites for c in cs], dtype=np.int64),
        rate=np.array([c.rate for c in cs], dtype=float),
        shape=np.array([c.rate_shape for c in cs], dtype=float),
        start_mean=np.array([c.startup_days for c in cs], dtype=float) / DAYS_PER_MONTH,
        start_sd=np.array([c.startup_sd_days for c in cs], dtype=float) / DAYS_PER_MONTH,
        never=np.array([c.never_activate_share for c in cs], dtype=float),
        cap=np.array(
            [math.inf if c.pool_cap is None else math.floor(c.pool_cap) for c in cs],
            dtype=float,
        ),
        key=tuple(_iso_key(c.iso3) for c in cs),
        share=np.array([resolved.counted_share(c) for c in cs], dtype=float),
        randomised=np.array([c.randomised_share for c in cs], dtype=float),
        cv=np.array([c.rate_cv for c in cs], dtype=float),
    )


def with_target(resolved: ResolvedScenario, target: int) -> ResolvedScenario:
    if resolved.target_patients == target:
        return resolved
    scenario = replace(resolved.scenario, target_patients=target)
    return replace(resolved, target_patients=target, scenario=scenario)


def check_target(target: int) -> int:
    if isinstance(target, bool) or not isinstance(target, int | np.integer) or target < 1:
        raise ValueError(f"target must be a positive integer, got {target!r}")
    return int(target)


# --- Closed form (gamma approximation of Lambda) ----------------------------------------------
def _random_start(mean: np.ndarray | float, sd: np.ndarray | float) -> np.ndarray | bool:
    """Whether a start-up is drawn from a gamma (else fixed at its mean).

    A spread below :data:`MIN_STARTUP_CV` of the mean, or a mean under 1e-9 months, is
    treated as fixed (it also keeps the gamma parameters finite).
    """
    mean, sd = np.asarray(mean), np.asarray(sd)
    return (mean > _MIN_RANDOM_START_MONTHS) & (sd > MIN_STARTUP_CV * mean)


def _site_moments(t: np.ndarray, p: _Params) -> tuple[np.ndarray, np.ndarray]:
    """E[lambda tau] and E[(lambda tau)^2] of one site per country at times ``t``.

    ``t`` has shape (K,); results have shape (K, C). ``tau = (t - u)^+`` with a gamma ``u``
    (or a fixed one), averaged over never-activation.
    """
    t2 = np.asarray(t, dtype=float)[:, None]
    mean, sd = p.start_mean[None, :], p.start_sd[None, :]
    gamma_u = _random_start(mean, sd)
    safe_sd = np.where(gamma_u, sd, 1.0)
    safe_mean = np.where(gamma_u, mean, 1.0)
    k = (safe_mean / safe_sd) ** 2
    theta = safe_sd * (safe_sd / safe_mean)
    x = np.maximum(t2, 0.0) / theta
    f0 = special.gammainc(k, x)
    f1 = special.gammainc(k + 1, x)
    f2 = special.gammainc(k + 2, x)
    e1_gamma = t2 * f0 - k * theta * f1
    e2_gamma = t2**2 * f0 - 2 * t2 * k * theta * f1 + k * (k + 1) * theta**2 * f2
    e1_fixed = np.maximum(t2 - mean, 0.0)
    e1 = np.maximum(np.where(gamma_u, e1_gamma, e1_fixed), 0.0)
    e2 = np.maximum(np.where(gamma_u, e2_gamma, e1_fixed**2), e1**2)
    active = 1.0 - p.never[None, :]
    m1 = p.rate * active * e1
    m2 = p.rate**2 * (1.0 + 1.0 / p.shape) * active * e2
    return m1, m2


def country_moments(
    t: np.ndarray, p: _Params, sites: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of each country's Lambda_c(t), pool caps applied heuristically.

    ``sites`` has shape (C,) or (K, C); results have shape (K, C).
    """
    m1, m2 = _site_moments(t, p)
    n = p.sites if sites is None else sites
    mu = n * m1
    var = n * np.maximum(m2 - m1**2, 0.0)
    over = mu > p.cap
    if np.any(over):
        scale = np.where(over, p.cap / np.where(over, mu, 1.0), 1.0)
        mu = np.where(over, p.cap, mu)
        var = var * scale**2
    return mu, var


def counted_moments(
    t: np.ndarray, p: _Params, sites: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of each country's intensity of *counted* patients at ``t``.

    The screened moments of :func:`country_moments` (pools capped there), thinned by the
    counted share ``s`` (mean x s, variance x s^2) and widened by the mean-rate multiplier:
    ``(1 + cv^2)(var + mu^2) - mu^2``. Shapes as in :func:`country_moments`.
    """
    mu, var = country_moments(t, p, sites)
    if not p.thinned:
        return mu, var
    mu, var = mu * p.share, var * p.share**2
    cv2 = p.cv**2
    return mu, var + cv2 * (var + mu**2)


def _prob_at_least(target: int, mu: np.ndarray, var: np.ndarray) -> np.ndarray:
    """P(n >= target) for n ~ Poisson(Gamma(mean mu, variance var)) = negative binomial."""
    mu = np.asarray(mu, dtype=float)
    var = np.asarray(var, dtype=float)
    out = np.zeros(np.broadcast(mu, var).shape)
    pos = mu > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        shape = np.where(pos, mu**2 / np.where(var > 0, var, 1.0), 0.0)
        poisson = pos & ((var <= 0) | (shape > 1e10))
        nb = pos & ~poisson
        theta = np.where(nb, var / np.where(pos, mu, 1.0), 1.0)
        # NegBin(k, p = 1/(1+theta)): P(X >= N) = I_{theta/(1+theta)}(N, k).
        nb_tail = special.betainc(target, np.where(nb, shape, 1.0), theta / (1 + theta))
        out = np.where(nb, nb_tail, out)
        out = np.where(poisson, special.gammainc(target, np.where(poisson, mu, 1.0)), out)
    return np.clip(out, 0.0, 1.0)


def _cf_prob(t: np.ndarray, p: _Params, target: int, sites: np.ndarray | None = None) -> np.ndarray:
    mu, var = counted_moments(t, p, sites)
    return _prob_at_least(target, mu.sum(axis=1), var.sum(axis=1))


def closed_form_quantile(
    q: float,
    p: _Params,
    target: int,
    sites: np.ndarray | None = None,
    hi: float = MAX_HORIZON_MONTHS,
    iterations: int = 44,
) -> np.ndarray:
    """Bisection for t with P(n(t) >= target) = q; vectorised over rows of ``sites``.

    Returns inf where the probability stays below ``q`` up to ``hi`` [months].
    """
    site_rows = np.atleast_2d(p.sites if sites is None else sites)
    k = site_rows.shape[0]
    lo_t = np.zeros(k)
    hi_t = np.full(k, float(hi))
    reachable = _cf_prob(hi_t, p, target, site_rows) >= q
    for _ in range(iterations):
        mid = 0.5 * (lo_t + hi_t)
        ok = _cf_prob(mid, p, target, site_rows) >= q
        hi_t = np.where(ok, mid, hi_t)
        lo_t = np.where(ok, lo_t, mid)
    return np.where(reachable, hi_t, np.inf)


def closed_form_prob_reached(
    resolved: ResolvedScenario, months: float | Sequence[float], target: int | None = None
) -> np.ndarray:
    """P(target reached by ``months``) under the gamma approximation.

    Parameters
    ----------
    resolved : ResolvedScenario
    months : float or sequence of float
        Times from the scenario start [months].
    target : int, optional
        [patients]; defaults to the scenario's target.

    Returns
    -------
    numpy.ndarray
        Probabilities [0-1], one per time.
    """
    p = model_params(resolved)
    n = check_target(resolved.target_patients if target is None else target)
    t = np.atleast_1d(np.asarray(months, dtype=float))
    return _cf_prob(t, p, n, np.broadcast_to(p.sites, (t.size, p.sites.size)))


def closed_form_quantiles(
    resolved: ResolvedScenario,
    quantiles: Sequence[float] = QUANTILES,
    target: int | None = None,
    max_months: float = MAX_HORIZON_MONTHS,
) -> tuple[float, ...]:
    """Quantiles of the months to target under the gamma approximation.

    Parameters
    ----------
    resolved : ResolvedScenario
    quantiles : sequence of float
        Probabilities in (0, 1).
    target : int, optional
        [patients]; defaults to the scenario's target.
    max_months : float
        Search limit [months]; a quantile not reached by then is inf.
    """
    p = model_params(resolved)
    n = check_target(resolved.target_patients if target is None else target)
    for q in quantiles:
        if not 0 < q < 1:
            raise ValueError(f"quantiles must be in (0, 1), got {q!r}")
    return tuple(float(closed_form_quantile(q, p, n, hi=max_months)[0]) for q in quantiles)


def auto_horizon(resolved: ResolvedScenario, p: _Params, deadline: float | None) -> int:
    p90 = float(closed_form_quantile(0.9, p, resolved.target_patients)[0])
    h = 1.5 * p90 + 6 if math.isfinite(p90) else 120.0
    h = max(h, MIN_HORIZON_MONTHS, 1.2 * deadline if deadline else 0.0)
    return int(min(math.ceil(h), MAX_HORIZON_MONTHS))


def check_horizon(horizon_months: int | None) -> int | None:
    if horizon_months is None:
        return None
    if (
        isinstance(horizon_months, bool)
        or not isinstance(horizon_months, int | np.integer)
        or not 1 <= horizon_months <= MAX_HORIZON_MONTHS
    ):
        raise ValueError(
            f"horizon_months must be an integer in 1..{MAX_HORIZON_MONTHS}, got {horizon_months!r}"
        )
    return int(horizon_months)


def _country_outputs(
    resolved: ResolvedScenario, patients: dict[str, float]
) -> tuple[dict[str, float | None], float | None, list[str]]:
    """Costs per country from the expected *randomised* patients [currency]."""
    cost: dict[str, float | None] = {}
    missing = []
    for c in resolved.countries:
        if c.cost_per_patient is None:
            cost[c.iso3] = None
            if c.sites > 0:
                missing.append(c.iso3)
        else:
            cost[c.iso3] = patients[c.iso3] * c.cost_per_patient
    warnings = []
    given = any(c.cost_per_patient is not None for c in resolved.countries)
    if missing and given:
        warnings.append(f"no cost per patient for {', '.join(missing)}: total cost not computed")
    total = None if missing else float(sum(v for v in cost.values() if v is not None))
    if not given:
        total = None
    return cost, total, warnings


def _common_warnings(resolved: ResolvedScenario, p: _Params, horizon: int) -> list[str]:
    warnings = []
    deadline = resolved.deadline_months
    if deadline is not None and deadline > horizon:
        warnings.append(
            f"the deadline ({deadline:g} months) is beyond the {horizon}-month horizon: "
            "P(deadline) only counts trials that reach the target within the horizon"
        )
    if int(p.sites.sum()) == 0:
        warnings.append("the scenario has no site: the target is never reached")
    finite = np.isfinite(p.cap)
    if np.any(finite) and np.all(finite | (p.sites == 0)):
        pooled = float(np.sum(np.where(p.sites > 0, p.counted_cap, 0.0)))
        if pooled < resolved.target_patients:
            counted = "" if not np.any(p.share != 1.0) else f" ({resolved.target_kind})"
            warnings.append(
                f"the eligible pools of the countries with sites total {pooled:g} "
                f"patients{counted}, below the target {resolved.target_patients}: the "
                "target is never reached"
            )
    return warnings


def forecast_closed_form(
    resolved: ResolvedScenario, horizon_months: int | None = None
) -> ForecastResult:
    """Forecast with the gamma approximation of Lambda (negative binomial counts).

    Parameters
    ----------
    resolved : ResolvedScenario
    horizon_months : int, optional
        Curve range [months]; default as described in the module docstring.
    """
    p = model_params(resolved)
    target = resolved.target_patients
    deadline = resolved.deadline_months
    horizon = check_horizon(horizon_months) or auto_horizon(resolved, p, deadline)
    quants = [float(closed_form_quantile(q, p, target, hi=horizon)[0]) for q in QUANTILES]
    months = np.arange(horizon + 1)
    mu_c, var_c = counted_moments(months.astype(float), p)
    mu, var = mu_c.sum(axis=1), var_c.sum(axis=1)
    curves = []
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(var > 0, mu**2 / np.where(var > 0, var, 1.0), np.inf)
        prob = np.where(var > 0, mu / np.where(var > 0, var + mu, 1.0), 1.0)  # 1/(1+theta)
        for q in QUANTILES:
            nb = stats.nbinom.ppf(q, np.where(np.isfinite(k), k, 1.0), prob)
            po = stats.poisson.ppf(q, mu)
            curve = np.where(mu <= 0, 0.0, np.where(np.isfinite(k) & (k < 1e10), nb, po))
            curves.append(curve)
    total_cap = float(np.sum(np.where(p.sites > 0, p.counted_cap, 0.0)))
    curves = [np.minimum(c, total_cap) for c in curves]
    at = quants[1] if math.isfinite(quants[1]) else float(horizon)
    mu_at, _ = counted_moments(np.array([at]), p)
    patients = {iso3: float(mu_at[0, i]) for i, iso3 in enumerate(p.iso3)}
    warnings = []
    if np.any(np.isfinite(p.cap) & (p.sites > 0)):
        warnings.append("closed form: pool caps are approximated (mean capped at the pool)")
    if not math.isfinite(quants[2]):
        warnings.append(f"P90 of the time to target is beyond the {horizon}-month horizon")
    capped = tuple(
        iso3 for i, iso3 in enumerate(p.iso3)
        if p.sites[i] > 0 and math.isfinite(p.cap[i])
        and mu_at[0, i] >= p.counted_cap[i] * 0.999
    )
    prob_deadline = (
        None
        if deadline is None
        else float(_cf_prob(np.array([min(deadline, horizon)]), p, target)[0])
    )
    return _result(
        resolved, p, method=METHOD_CLOSED_FORM, path=PATH_GAMMA, n_sims=0, horizon=horizon,
        quants=quants, curves=curves, patients=patients, at=at,
        prob_deadline=prob_deadline, capped=capped, extra_warnings=warnings,
    )


def _result(
    resolved: ResolvedScenario,
    p: _Params,
    *,
    method: str,
    path: str,
    n_sims: int,
    horizon: int,
    quants: Sequence[float] | np.ndarray,
    curves: Sequence[np.ndarray] | np.ndarray,
    patients: dict[str, float],
    at: float,
    prob_deadline: float | None,
    capped: Sequence[str],
    extra_warnings: Sequence[str],
    milestones: Sequence[Milestone] = (),
) -> ForecastResult:
    """Assemble a :class:`ForecastResult` (both methods): the funnel and costs at the median,
    then the warnings every method shares, then the method's own."""
    funnel = _funnel(resolved, p, patients)
    randomised = {iso3: f[1] for iso3, f in funnel.items()}
    cost, total_cost, cost_warnings = _country_outputs(resolved, randomised)
    warnings = _common_warnings(resolved, p, horizon) + cost_warnings + list(extra_warnings)
    return ForecastResult(
        scenario_name=resolved.name,
        target_patients=resolved.target_patients,
        method=method,
        path=path,
        n_sims=n_sims,
        seed=resolved.seed,
        horizon_months=horizon,
        months_to_target=(float(quants[0]), float(quants[1]), float(quants[2])),
        months=tuple(range(horizon + 1)),
        curve_p10=tuple(float(v) for v in curves[0]),
        curve_p50=tuple(float(v) for v in curves[1]),
        curve_p90=tuple(float(v) for v in curves[2]),
        patients_at_p50=patients,
        patients_at_months=at,
        cost_by_country=cost,
        total_cost_at_p50=total_cost,
        deadline_months=resolved.deadline_months,
        prob_by_deadline=prob_deadline,
        capped_countries=tuple(capped),
        warnings=tuple(warnings),
        milestones=tuple(milestones),
        funnel=funnel,
    )


def _funnel(resolved: ResolvedScenario, p: _Params,
            counted: dict[str, float]) -> dict[str, tuple[float, float, float]]:
    """Expected screened, randomised and completing patients from the counted ones."""
    out = {}
    for i, c in enumerate(resolved.countries):
        screened = counted[c.iso3] / p.share[i] if p.share[i] != 1.0 else counted[c.iso3]
        randomised = screened * p.randomised[i] if p.randomised[i] != 1.0 else screened
        out[c.iso3] = (screened, randomised, randomised * (1.0 - c.dropout_share))
    out[TRIAL_TOTAL] = tuple(float(sum(f[k] for f in out.values())) for k in range(3))
    return out


TRIAL_TOTAL: Final = "total"
"""The key of the trial's totals in :attr:`ForecastResult.funnel`."""


# --- Monte Carlo -------------------------------------------------------------------------------
def _rng(seed: int, key: int, quantity: int, chunk: int) -> np.random.Generator:
    return np.random.default_rng([seed, key, quantity, chunk])


def _sample_sites(
    p: _Params, order: Sequence[int], seed: int, chunk: int, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Opening times u [months] and rates lambda [patients/month], shape (sites, n trials).

    Sites are laid out country by country in ``order``. Each country's draws come from its own
    streams, site-major, so a site's draws do not change when sites are added after it.
    """
    total = int(sum(p.sites[i] for i in order))
    u = np.empty((total, n))
    lam = np.empty((total, n))
    row = 0
    for i in order:
        m = int(p.sites[i])
        if m == 0:
            continue
        rows = slice(row, row + m)
        row += m
        mean, sd = p.start_mean[i], p.start_sd[i]
        if _random_start(mean, sd):
            _rng(seed, p.key[i], _Q_START, chunk).standard_gamma(
                (mean / sd) ** 2, size=(m, n), out=u[rows]
            )
            u[rows] *= sd * (sd / mean)
        else:
            u[rows] = mean
        if p.never[i] > 0:
            closed = _rng(seed, p.key[i], _Q_NEVER, chunk).random((m, n)) < p.never[i]
            u[rows][closed] = _NEVER_MONTHS
        _rng(seed, p.key[i], _Q_RATE, chunk).standard_gamma(p.shape[i], size=(m, n), out=lam[rows])
        lam[rows] *= p.rate[i] * p.share[i] / p.shape[i]  # counted patients: thinned
        if p.cv[i] > 0:
            k = 1.0 / p.cv[i] ** 2
            multiplier = _rng(seed, p.key[i], _Q_CV, chunk).standard_gamma(k, size=n) / k
            lam[rows] *= multiplier[None, :]
    return u, lam


def _milestone_draws(p: _Params, order: Sequence[int], u: np.ndarray, lam: np.ndarray,
                    seed: int, chunk: int, out: np.ndarray) -> None:
    """Per trial: the first, 50 % and 90 % of the planned sites open and the first patient
    randomised [months], per country (``out[:, i]``) and for the trial (``out[:, -1]``).

    ``u`` and ``lam`` (counted patients) have shape (sites, n), laid out in ``order``. The
    first randomisation in a country is ``Lambda_c^{-1}(E)``, ``E ~ Exp(1)``, with the
    randomised intensity ``Lambda_c(t) = max_k (A_k t - B_k)`` over the prefixes of its sites
    sorted by opening (exact); the trial's is the earliest of its countries'.
    """
    n = u.shape[1]
    out[:] = np.inf
    ut, lt = np.ascontiguousarray(u.T), np.ascontiguousarray(lam.T)  # (n, sites): fast sorts
    row = 0
    for i in order:
        m = int(p.sites[i])
        cols = slice(row, row + m)
        row += m
        order_u = np.argsort(ut[:, cols], axis=1)
        us = np.take_along_axis(ut[:, cols], order_u, axis=1)
        for j, share in enumerate((0.0, 0.5, 0.9)):
            out[:, i, j] = us[:, max(0, math.ceil(share * m) - 1)]
        ls = np.take_along_axis(lt[:, cols], order_u, axis=1) * (p.randomised[i] / p.share[i])
        e = _rng(seed, p.key[i], _Q_FPI, chunk).standard_exponential(n)
        with np.errstate(divide="ignore", invalid="ignore"):
            cand = (e[:, None] + np.cumsum(ls * us, axis=1)) / np.cumsum(ls, axis=1)
        out[:, i, 3] = np.nanmin(np.where(us < _NEVER_MONTHS, cand, np.inf), axis=1)
    total = u.shape[0]
    if total:
        ut.sort(axis=1)
        for j, share in enumerate((0.0, 0.5, 0.9)):
            out[:, -1, j] = ut[:, max(0, math.ceil(share * total) - 1)]
    out[:, -1, 3] = out[:, :-1, 3].min(axis=1)
    out[out >= _NEVER_MONTHS] = np.inf


def _open_sums(
    u: np.ndarray, lam: np.ndarray, group: np.ndarray, n_groups: int, horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sums over the sites open by each month: A = sum lambda, B = sum lambda u.

    ``u`` and ``lam`` have shape (sites, n). Returns ``A`` and ``B`` of shape
    (n, groups, horizon+1) for months m = 0..horizon (sites with u <= m), and the opening
    month ``ceil(u)`` of each site (capped at horizon+1), shape (sites, n). Then
    ``Lambda_g(m) = m A_g(m) - B_g(m)``: histograms over the opening month and cumsums, O(sites).
    """
    _, n = u.shape
    width = horizon + 2
    bins = np.ceil(u)
    np.minimum(bins, horizon + 1, out=bins)
    bins = bins.astype(np.intp)
    idx = bins + (np.arange(n, dtype=np.intp) * (n_groups * width))[None, :]
    if n_groups > 1:
        idx += (group * width)[:, None]
    size = n * n_groups * width
    weight = np.minimum(u, horizon + 1)
    weight *= lam
    a = np.bincount(idx.ravel(), weights=lam.ravel(), minlength=size)
    b = np.bincount(idx.ravel(), weights=weight.ravel(), minlength=size)
    a = np.cumsum(a.reshape(n, n_groups, width), axis=2)[:, :, : horizon + 1]
    b = np.cumsum(b.reshape(n, n_groups, width), axis=2)[:, :, : horizon + 1]
    return a, b, bins


def _lambda_grid(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Lambda(m) = m A(m) - B(m) on the month grid (last axis), cleaned of rounding."""
    grid = a * np.arange(a.shape[-1], dtype=float) - b
    np.maximum(grid, 0.0, out=grid)
    np.maximum.accumulate(grid, axis=-1, out=grid)
    return grid


def _exact_times(
    u: np.ndarray,
    lam: np.ndarray,
    bins: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    gamma_n: np.ndarray,
) -> np.ndarray:
    """Time of the N-th arrival, Lambda^{-1}(Gamma(N, 1)), for each trial (column of ``u``).

    ``Lambda(t) = max_k (A_k t - B_k)`` over the prefixes ``k`` of the sites sorted by opening
    time, so ``Lambda(t) >= G`` iff ``t >= min_k (G + B_k) / A_k``. The month grid ``a``,
    ``b`` (shape (n, horizon+1), see :func:`_open_sums`) locates the crossing month ``j``;
    the optimal prefix is then "open by j-1" plus some of the sites opening in month j, so
    only those few sites are sorted. Trials not reached by the last grid month get inf.
    """
    n, width = a.shape
    times = np.full(n, np.inf)
    lam_grid = _lambda_grid(a, b)
    j = np.count_nonzero(lam_grid < gamma_n[:, None], axis=1)  # first month with Lambda >= G
    hit = np.flatnonzero(j < width)
    if hit.size == 0:
        return times
    jh = j[hit]
    base_a = a[hit, jh - 1]
    base_b = b[hit, jh - 1] + gamma_n[hit]
    with np.errstate(divide="ignore", invalid="ignore"):
        times[hit] = base_b / base_a  # prefix "open by month j-1" (inf if none open)
        month = np.full(n, -1, dtype=np.intp)
        month[hit] = jh
        site_i, trial_i = np.nonzero(bins == month[None, :])
        if site_i.size:
            us = u[site_i, trial_i]
            order = np.lexsort((us, trial_i))
            site_i, trial_i, us = site_i[order], trial_i[order], us[order]
            ls = lam[site_i, trial_i]
            starts = np.flatnonzero(np.r_[True, trial_i[1:] != trial_i[:-1]])
            lens = np.diff(np.r_[starts, trial_i.size])
            ca = np.cumsum(ls)
            cb = np.cumsum(ls * us)
            row_of = np.full(n, -1, dtype=np.intp)
            row_of[hit] = np.arange(hit.size)
            rows = row_of[trial_i]
            ca += np.repeat(base_a[rows[starts]] - (ca[starts] - ls[starts]), lens)
            cb += np.repeat(base_b[rows[starts]] - (cb[starts] - ls[starts] * us[starts]), lens)
            cand = cb / ca
            best = np.minimum.reduceat(cand, starts)
            trials = trial_i[starts]
            times[trials] = np.minimum(times[trials], best)
    times[np.isnan(times)] = np.inf
    return times


@dataclass(frozen=True, slots=True)
class _Groups:
    """Sites pooled for the count simulation: one group per capped country, one for the rest."""

    order: tuple[int, ...]  # countries in site layout order (grouped)
    site_group: np.ndarray  # group of each site column
    starts: np.ndarray  # first site column of each group
    cap: np.ndarray  # cap of each group (inf for the pooled uncapped group)
    members: tuple[tuple[int, ...], ...]  # countries of each group


def _groups(p: _Params) -> _Groups:
    with_sites = [i for i in range(len(p.iso3)) if p.sites[i] > 0]
    counted_cap = p.counted_cap
    uncapped = tuple(i for i in with_sites if not math.isfinite(counted_cap[i]))
    capped = [(i,) for i in with_sites if math.isfinite(counted_cap[i])]
    members = ([uncapped] if uncapped else []) + capped
    order = tuple(i for grp in members for i in grp)
    sizes = [int(sum(p.sites[i] for i in grp)) for grp in members]
    site_group = np.repeat(np.arange(len(members)), sizes).astype(np.intp)
    starts = (np.cumsum(sizes, dtype=np.intp) - np.asarray(sizes, dtype=np.intp)).astype(np.intp)
    cap = np.array(
        [counted_cap[grp[0]] if grp != uncapped else np.inf for grp in members], dtype=float
    )
    return _Groups(order, site_group, starts, cap, tuple(members))


def _grid_bridge(
    u: np.ndarray,
    lam: np.ndarray,
    grp: _Groups,
    grid: np.ndarray,
    counts: np.ndarray,
    target: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Crossing time of the capped count, by binomial bisection inside the crossing month.

    ``u`` and ``lam`` have shape (sites, n), sites grouped as in ``grp``; ``grid`` and
    ``counts`` have shape (n, groups, months). Given a group's ``m`` arrivals in ``(a, b]``,
    the number in ``(a, mid]`` is Binomial(m, (Lambda(mid) - Lambda(a)) / (Lambda(b) -
    Lambda(a))) exactly (Poisson bridge). Returns the time per trial (inf if not reached
    within the grid) and, per trial and group, whether the group's cap was reached by then.
    """
    n, n_groups, width = counts.shape
    capped = np.minimum(counts, grp.cap[None, :, None]).sum(axis=1)
    reached = capped[:, -1] >= target
    times = np.full(n, np.inf)
    at_cap = np.zeros((n, n_groups), dtype=bool)
    rows = np.flatnonzero(reached)
    if rows.size == 0:
        return times, at_cap
    j = np.argmax(capped[rows] >= target, axis=1)  # first month at/over target, >= 1
    a = (j - 1).astype(float)
    b = j.astype(float)
    n_a = counts[rows, :, j - 1].astype(np.int64)
    m = counts[rows, :, j].astype(np.int64) - n_a
    l_a = grid[rows, :, j - 1]
    l_b = grid[rows, :, j]
    ur, lr = u[:, rows], lam[:, rows]  # (sites, reached trials)
    cap = grp.cap[None, :]
    for _ in range(GRID_BISECTION_LEVELS):
        mid = 0.5 * (a + b)
        open_for = np.maximum(mid[None, :] - ur, 0.0)
        open_for *= lr
        l_m = np.add.reduceat(open_for, grp.starts, axis=0).T
        l_m = np.clip(l_m, l_a, l_b)
        span = l_b - l_a
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(span > 0, (l_m - l_a) / span, 0.0)
        k = rng.binomial(m, np.clip(share, 0.0, 1.0))
        left = np.minimum(n_a + k, cap).sum(axis=1) >= target
        b = np.where(left, mid, b)
        a = np.where(left, a, mid)
        lc = left[:, None]
        n_a = np.where(lc, n_a, n_a + k)
        m = np.where(lc, k, m - k)
        l_b = np.where(lc, l_m, l_b)
        l_a = np.where(lc, l_a, l_m)
    times[rows] = 0.5 * (a + b)
    at_cap[rows] = (n_a + m) >= cap
    return times, at_cap


def _chunks(n_sims: int) -> list[tuple[int, int, int]]:
    return [
        (c, start, min(CHUNK_SIMS, n_sims - start))
        for c, start in enumerate(range(0, n_sims, CHUNK_SIMS))
    ]


def _check_n_sims(n_sims: int) -> int:
    if (
        isinstance(n_sims, bool)
        or not isinstance(n_sims, int | np.integer)
        or not 1 <= n_sims <= MAX_N_SIMS
    ):
        raise ValueError(f"n_sims must be an integer in 1..{MAX_N_SIMS}, got {n_sims!r}")
    return int(n_sims)


def _choose_path(p: _Params, target: int, path: str) -> str:
    if path not in MC_PATHS:
        raise ValueError(f"unknown path {path!r}; allowed: {', '.join(MC_PATHS)}")
    binding = bool(np.any((p.sites > 0) & (p.counted_cap < target)))
    if path == PATH_EXACT and binding:
        raise ValueError(
            "path 'exact_inversion' cannot honour a pool cap below the target; "
            "use 'auto' or 'time_grid'"
        )
    if path == PATH_AUTO:
        return PATH_GRID if binding else PATH_EXACT
    return path


def _check_workers(workers: int | None) -> int:
    if workers is None:
        return DEFAULT_WORKERS
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    return workers


def memory_bytes(total_sites: int, n_sims: int, horizon: int, n_groups: int,
                 want_curve: bool, workers: int) -> int:
    """Peak memory of :func:`_simulate` [bytes], an upper estimate from its array shapes.

    Each thread holds one chunk's site draws (sites x :data:`CHUNK_SIMS` trials) and one block
    of month grids; the curve keeps every trial's monthly totals, and their quantiles a copy.
    """
    chunk = min(n_sims, CHUNK_SIMS)
    grid = min(_GRID_BLOCK_ELEMENTS, chunk * n_groups * (horizon + 2))
    per_thread = total_sites * chunk * _SITE_TRIAL_BYTES + grid * _GRID_ELEMENT_BYTES
    curve = 2 * n_sims * (horizon + 1) * 8 if want_curve else 0
    return workers * per_thread + curve + 2 * n_sims * 8


def _fit_budget(total_sites: int, n_sims: int, horizon: int, n_groups: int,
                want_curve: bool, workers: int) -> int:
    """Threads that keep a simulation within :data:`MAX_FORECAST_BYTES`.

    Raises
    ------
    BudgetError
        Even one thread would need more; the message gives the figures and the way out.
    """
    for w in range(workers, 0, -1):
        if memory_bytes(total_sites, n_sims, horizon, n_groups, want_curve, w) \
                <= MAX_FORECAST_BYTES:
            return w
    need = memory_bytes(total_sites, n_sims, horizon, n_groups, want_curve, 1)
    fixed = memory_bytes(0, n_sims, horizon, n_groups, want_curve, 1)
    per_site = min(n_sims, CHUNK_SIMS) * _SITE_TRIAL_BYTES
    most_sites = max(0, (MAX_FORECAST_BYTES - fixed) // per_site)
    raise BudgetError(
        f"this forecast would need about {need / 1024**2:,.0f} MB of memory "
        f"({total_sites:,} sites x {n_sims:,} simulated trials over {horizon} months); "
        f"the limit is {MAX_FORECAST_BYTES / 1024**2:,.0f} MB. Plan at most about "
        f"{most_sites:,} sites, or simulate fewer trials or a shorter horizon.")


def _simulate(
    p: _Params,
    target: int,
    seed: int,
    n_sims: int,
    horizon: int,
    path: str,
    want_curve: bool,
    workers: int = 1,
    milestones: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray, _Groups]:
    """Run the simulation; returns times, totals per month, mean capped counts, cap hits.

    Chunks run on ``workers`` threads (numpy releases the GIL in the heavy loops); every
    chunk has its own random streams, so the numbers do not depend on ``workers``. A
    ``milestones`` array of shape (n_sims, countries + 1, 4) is filled with the milestone
    draws of :func:`_milestone_draws` (country index as in ``p``, the trial last).
    """
    grp = _groups(p)
    n_groups = len(grp.members)
    workers = _fit_budget(int(p.sites.sum()), n_sims, horizon, n_groups, want_curve, workers)
    times = np.empty(n_sims)
    totals = np.empty((n_sims, horizon + 1), dtype=np.int64) if want_curve else None
    block = max(1, _GRID_BLOCK_ELEMENTS // max(1, n_groups * (horizon + 2)))

    def run(chunk: int, start: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        counts_sum = np.zeros((n_groups, horizon + 1))
        hits = np.zeros(n_groups, dtype=np.int64)
        u, lam = _sample_sites(p, grp.order, seed, chunk, n)  # (sites, n)
        if milestones is not None and start < milestones.shape[0]:
            k = min(n, milestones.shape[0] - start)
            _milestone_draws(p, grp.order, u[:, :k], lam[:, :k], seed, chunk,
                             milestones[start : start + k])
        gamma_n = None
        if path == PATH_EXACT:
            gamma_n = _rng(seed, 0, _Q_E, chunk).standard_gamma(float(target), size=n)
        rng_curve = _rng(seed, 0, _Q_CURVE if path == PATH_EXACT else _Q_GRID, chunk)
        rng_bridge = _rng(seed, 0, _Q_BRIDGE, chunk)
        # Without a curve the exact path needs only the all-sites sums: one group.
        groups = n_groups if (want_curve or path == PATH_GRID) else min(n_groups, 1)
        site_group = grp.site_group if groups == n_groups else np.zeros_like(grp.site_group)
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            us, ls = u[:, lo:hi], lam[:, lo:hi]
            if groups == 0:
                times[start + lo : start + hi] = np.inf
                counts = np.zeros((hi - lo, 0, horizon + 1), dtype=np.int64)
                grid = np.zeros((hi - lo, 0, horizon + 1))
            else:
                a, b, bins = _open_sums(us, ls, site_group, groups, horizon)
                if gamma_n is not None:
                    a_all = a[:, 0] if groups == 1 else a.sum(axis=1)
                    b_all = b[:, 0] if groups == 1 else b.sum(axis=1)
                    times[start + lo : start + hi] = _exact_times(
                        us, ls, bins, a_all, b_all, gamma_n[lo:hi]
                    )
                if not want_curve and path == PATH_EXACT:
                    continue
                grid = _lambda_grid(a, b)
                if path == PATH_EXACT:
                    # Marginal counts per month suffice for the quantile band.
                    counts = rng_curve.poisson(grid)
                else:
                    steps = rng_curve.poisson(np.diff(grid, axis=2))
                    counts = np.zeros(grid.shape, dtype=np.int64)
                    np.cumsum(steps, axis=2, out=counts[:, :, 1:])
            if path == PATH_GRID:
                t, hit = _grid_bridge(us, ls, grp, grid, counts, target, rng_bridge)
                times[start + lo : start + hi] = t
                hits += hit.sum(axis=0)
            clipped = np.minimum(counts, grp.cap[None, :, None])
            counts_sum += clipped.sum(axis=0)
            if totals is not None:
                totals[start + lo : start + hi] = clipped.sum(axis=1)
        return counts_sum, hits

    chunks = _chunks(n_sims)
    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=min(workers, len(chunks))) as pool:
            parts = list(pool.map(lambda c: run(*c), chunks))
    else:
        parts = [run(*c) for c in chunks]
    mean_counts = np.zeros((n_groups, horizon + 1))
    cap_hits = np.zeros(n_groups, dtype=np.int64)
    for counts_sum, hits in parts:  # in chunk order: the sums do not depend on threading
        mean_counts += counts_sum
        cap_hits += hits
    mean_counts /= n_sims
    return times, totals, mean_counts, cap_hits, grp


def simulate_months_to_target(
    resolved: ResolvedScenario,
    n_sims: int = DEFAULT_N_SIMS,
    horizon_months: int | None = None,
    path: str = PATH_AUTO,
    target: int | None = None,
    workers: int | None = None,
) -> np.ndarray:
    """Simulated months to reach the target, one per trial (inf if beyond the horizon).

    Parameters
    ----------
    resolved : ResolvedScenario
    n_sims : int
        Simulated trials.
    horizon_months : int, optional
        [months]; default as in the module docstring.
    path : str
        One of :data:`MC_PATHS`.
    target : int, optional
        [patients]; defaults to the scenario's target.
    workers : int, optional
        Threads; default :data:`DEFAULT_WORKERS`. The numbers do not depend on it.
    """
    p = model_params(resolved)
    n = check_target(resolved.target_patients if target is None else target)
    n_sims = _check_n_sims(n_sims)
    workers = _check_workers(workers)
    chosen = _choose_path(p, n, path)
    horizon = check_horizon(horizon_months) or auto_horizon(resolved, p, resolved.deadline_months)
    times, *_ = _simulate(
        p, n, resolved.seed, n_sims, horizon, chosen, want_curve=False, workers=workers
    )
    return times


def _quantiles(values: np.ndarray, qs: Sequence[float], axis: int = 0) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        out = np.quantile(values, qs, axis=axis)
    out[np.isnan(out)] = np.inf
    return out


def forecast_monte_carlo(
    resolved: ResolvedScenario,
    n_sims: int = DEFAULT_N_SIMS,
    horizon_months: int | None = None,
    path: str = PATH_AUTO,
    workers: int | None = None,
    with_milestones: bool = True,
) -> ForecastResult:
    """Forecast by vectorised Monte Carlo simulation (see the module docstring).

    Parameters
    ----------
    resolved : ResolvedScenario
    n_sims : int
        Simulated trials.
    horizon_months : int, optional
        Curve range and simulation limit [months].
    path : str
        One of :data:`MC_PATHS`; ``"auto"`` takes the exact path unless a pool cap is below
        the target.
    workers : int, optional
        Threads; default :data:`DEFAULT_WORKERS`. The numbers do not depend on it.
    with_milestones : bool
        Compute :attr:`ForecastResult.milestones` (they do not change the other numbers)
        from the first :data:`~footprint.assumptions.MILESTONE_SIMS` simulated trials (the
        last patient in is the forecast's own quantiles, from all of them).
    """
    p = model_params(resolved)
    target = resolved.target_patients
    deadline = resolved.deadline_months
    n_sims = _check_n_sims(n_sims)
    chosen = _choose_path(p, target, path)
    horizon = check_horizon(horizon_months) or auto_horizon(resolved, p, deadline)
    # The milestones of the first MILESTONE_SIMS trials (at most a quarter of the memory
    # budget's worth).
    kept = min(n_sims, MILESTONE_SIMS, MAX_FORECAST_BYTES // (4 * (len(p.iso3) + 1) * 4 * 8))
    draws = np.empty((kept, len(p.iso3) + 1, 4)) if with_milestones else None
    times, totals, mean_counts, cap_hits, grp = _simulate(
        p, target, resolved.seed, n_sims, horizon, chosen, want_curve=True,
        workers=_check_workers(workers), milestones=draws,
    )
    assert totals is not None
    quants = _quantiles(times, QUANTILES)
    curve = _quantiles(totals, QUANTILES, axis=0)
    p50 = float(quants[1])
    at = p50 if math.isfinite(p50) else float(horizon)

    # Expected patients per country at the median time: exact E[Lambda_c] for uncapped
    # countries; the simulated mean of the capped count, interpolated between months, else.
    mu_at, _ = counted_moments(np.array([at]), p)
    patients = {iso3: float(mu_at[0, i]) for i, iso3 in enumerate(p.iso3)}
    months = np.arange(horizon + 1, dtype=float)
    for g, members in enumerate(grp.members):
        if math.isfinite(grp.cap[g]):
            patients[p.iso3[members[0]]] = float(np.interp(at, months, mean_counts[g]))

    warnings = []
    not_reached = float(np.mean(~np.isfinite(times)))
    if 0 < not_reached and int(p.sites.sum()) > 0:
        warnings.append(
            f"target not reached within the {horizon}-month horizon in "
            f"{100 * not_reached:.1f} % of simulated trials"
            + ("; quantiles above that share are inf" if not_reached > 0.1 else "")
        )
    capped = []
    if chosen == PATH_GRID:
        shares = cap_hits / n_sims
        notes = []
        for g, members in enumerate(grp.members):
            if math.isfinite(grp.cap[g]) and shares[g] >= 0.01:
                iso3 = p.iso3[members[0]]
                capped.append(iso3)
                notes.append(f"{iso3} ({int(grp.cap[g])} patients, {100 * shares[g]:.0f} %)")
        if notes:
            warnings.append(
                "eligible pool exhausted before the target (share of trials) in "
                + ", ".join(notes)
            )
    prob_deadline = None if deadline is None else float(np.mean(times <= deadline))
    milestones = [] if draws is None else _milestones(p, draws, quants, horizon)
    return _result(
        resolved, p, method=METHOD_MONTE_CARLO, path=chosen, n_sims=n_sims, horizon=horizon,
        quants=quants, curves=curve, patients=patients, at=at,
        prob_deadline=prob_deadline, capped=capped, extra_warnings=warnings,
        milestones=milestones,
    )


def _milestones(p: _Params, draws: np.ndarray, quants: np.ndarray,
                horizon: int) -> list[Milestone]:
    """P10/P50/P90 of the milestone draws; past the horizon counts as not reached (inf)."""
    draws[draws > horizon] = np.inf
    q = _quantiles(draws, QUANTILES, axis=0)  # (3, countries + 1, 4)
    last = tuple(float(v) for v in quants)
    scopes = [(len(p.iso3), TRIAL)] + [(i, c) for i, c in enumerate(p.iso3) if p.sites[i] > 0]
    out = []
    for index, scope in scopes:
        for j, name in enumerate(MILESTONES[:4]):
            out.append(Milestone(scope, name, *(float(q[k, index, j]) for k in range(3))))
        out.append(Milestone(scope, MILESTONES[4], *last))
    return out


def forecast(
    resolved: ResolvedScenario,
    method: str = METHOD_MONTE_CARLO,
    *,
    n_sims: int = DEFAULT_N_SIMS,
    horizon_months: int | None = None,
) -> ForecastResult:
    """Forecast a scenario with the named method.

    Parameters
    ----------
    resolved : ResolvedScenario
    method : str
        One of :data:`METHODS`.
    n_sims : int
        Simulated trials (Monte Carlo only).
    horizon_months : int, optional
        Curve range [months].

    Raises
    ------
    ValueError
        For an unknown method, listing the allowed names.
    """
    if method == METHOD_MONTE_CARLO:
        return forecast_monte_carlo(resolved, n_sims=n_sims, horizon_months=horizon_months)
    if method == METHOD_CLOSED_FORM:
        return forecast_closed_form(resolved, horizon_months=horizon_months)
    raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
