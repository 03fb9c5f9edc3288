"""Re-forecast from actual enrollment: each open site's rate updated by its own record.

A site of country ``c`` screens at ``lambda ~ Gamma(alpha, beta)``, ``beta = alpha / rate``
(:mod:`footprint.enrollment.forecast`), and randomises a share ``r = 1 - screen_fail_share``
of them: its randomised patients are a Poisson process of rate ``r lambda``. A site open
``tau`` months that has randomised ``k`` patients has the posterior (Anisimov & Fedorov 2007)

    lambda | k  ~  Gamma(alpha + k, beta + r tau)    (screened rate)

i.e. ``r lambda | k ~ Gamma(alpha + k, beta / r + tau)`` for its randomised rate: the
actuals count randomised patients and the model's rate counts screened ones, so the exposure
is ``r tau``. Its future patients are then negative binomial by any time. Sites not open at
the as-of date keep the prior rate and their start-up, counted from the as-of date (the
actuals give no scenario start), and may still never open (``never_activate_share``).

The remaining forecast starts at the as-of date (month 0 = the as-of date) and counts the
patients still needed: the target less those randomised so far, or, for an evaluable target,
less the randomised so far times ``1 - dropout_share`` (rounded down: the actuals do not say
who completed). Open sites keep ``rate_cv`` 0 (their own data is their rate's uncertainty);
not-yet-open ones keep the country's. Pool caps are not applied to the remainder (a warning
names a country whose pool left is below the patients still needed); the deadline, counted
from the scenario start, is not evaluated.

References
----------
Anisimov V.V., Fedorov V.V. (2007) Modelling, prediction and adaptive adjustment of
recruitment in multicentre trials. Statistics in Medicine 26, 4958-4975.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from footprint.assumptions import DEFAULT_N_SIMS
from footprint.enrollment.forecast import (
    DAYS_PER_MONTH,
    METHOD_CLOSED_FORM,
    METHOD_MONTE_CARLO,
    METHODS,
    ForecastResult,
    forecast_closed_form,
    forecast_monte_carlo,
)
from footprint.enrollment.scenario import (
    SOURCE_USER,
    TARGET_EVALUABLE,
    ResolvedCountry,
    ResolvedScenario,
)

NOT_OPEN: Final = "not open"
"""The site label of a country's sites not open at the as-of date."""


@dataclass(frozen=True, slots=True)
class SiteActual:
    """One site's enrollment to date.

    Parameters
    ----------
    iso3 : str
    site_id : str
    opened_on : datetime.date or None
        None when the site is not open yet.
    randomised : int
        Patients randomised to date [patients].
    """

    iso3: str
    site_id: str
    opened_on: dt.date | None
    randomised: int


@dataclass(frozen=True, slots=True)
class SitePosterior:
    """The updated rate of one open site.

    Parameters
    ----------
    iso3, site_id : str
    months_open : float
        ``tau`` [months].
    randomised : int
        ``k`` [patients].
    shape, rate_beta : float
        Posterior Gamma(shape, rate beta) of the *screened* rate [-, months].
    """

    iso3: str
    site_id: str
    months_open: float
    randomised: int
    shape: float
    rate_beta: float

    @property
    def mean_rate(self) -> float:
        """Posterior mean of the screened rate [patients/site/month]."""
        return self.shape / self.rate_beta


@dataclass(frozen=True, slots=True)
class Reforecast:
    """A re-forecast: the remaining forecast and what the actuals said.

    Parameters
    ----------
    as_of : datetime.date
    randomised_to_date : dict
        iso3 -> patients randomised so far [patients].
    counted_to_date : int
        Patients of the target's kind so far [patients].
    remaining_target : int
        Patients still needed [patients]; 0 when the target is reached.
    sites_open : dict
        iso3 -> sites open at the as-of date [sites].
    posteriors : tuple of SitePosterior
    result : ForecastResult or None
        The remaining forecast, months counted from the as-of date (None when reached).
    patients_at_p50 : dict
        iso3 -> further patients of the target's kind expected by the remaining P50.
    warnings : tuple of str
    """

    as_of: dt.date
    randomised_to_date: dict[str, int]
    counted_to_date: int
    remaining_target: int
    sites_open: dict[str, int]
    posteriors: tuple[SitePosterior, ...]
    result: ForecastResult | None
    patients_at_p50: dict[str, float]
    warnings: tuple[str, ...]


def posterior(country: ResolvedCountry, months_open: float, randomised: int) -> tuple[float,
                                                                                       float]:
    """Posterior (shape, rate beta) of a site's screened rate after ``k`` randomised in
    ``tau`` months: ``(alpha + k, alpha / rate + r tau)`` (module docstring).

    Parameters
    ----------
    country : ResolvedCountry
        The prior (``rate``, ``rate_shape``, ``screen_fail_share``).
    months_open : float
        [months], >= 0.
    randomised : int
        [patients], >= 0.
    """
    if not months_open >= 0 or randomised < 0:
        raise ValueError(f"months_open and randomised must be >= 0, got {months_open!r}, "
                         f"{randomised!r}")
    alpha = country.rate_shape
    beta = alpha / country.rate
    return alpha + randomised, beta + country.randomised_share * months_open


def _months_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / DAYS_PER_MONTH


def reforecast(
    resolved: ResolvedScenario,
    actuals: Sequence[SiteActual],
    as_of: dt.date,
    *,
    n_sims: int = DEFAULT_N_SIMS,
    method: str = METHOD_MONTE_CARLO,
) -> Reforecast:
    """Forecast the rest of the trial from the actual enrollment at ``as_of``.

    Parameters
    ----------
    resolved : ResolvedScenario
        The plan (its priors, sites, shares and target).
    actuals : sequence of SiteActual
        Validated (:func:`footprint.io.actuals.actuals_from_csv`): known countries, no
        duplicate sites, no more sites than planned, no date after ``as_of``.
    as_of : datetime.date
    n_sims : int
        Simulated trials.
    method : str
        One of :data:`~footprint.enrollment.forecast.METHODS`.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    by_iso3 = {c.iso3: c for c in resolved.countries}
    randomised = dict.fromkeys(by_iso3, 0)
    opened = dict.fromkeys(by_iso3, 0)
    posteriors = []
    pseudo: list[ResolvedCountry] = []
    for a in actuals:
        country = by_iso3[a.iso3]
        randomised[a.iso3] += a.randomised
        if a.opened_on is None:
            continue
        opened[a.iso3] += 1
        tau = _months_between(a.opened_on, as_of)
        shape, beta = posterior(country, tau, a.randomised)
        posteriors.append(SitePosterior(a.iso3, a.site_id, tau, a.randomised, shape, beta))
        pseudo.append(replace(
            country, iso3=f"{a.iso3}/{a.site_id}", sites=1, rate=shape / beta,
            rate_shape=shape, rate_cv=0.0, startup_days=0.0, startup_sd_days=0.0,
            never_activate_share=0.0, pool_cap=None, cost_per_patient=None, max_sites=None,
            min_sites=0, site_startup_cost=None, site_monthly_cost=None,
            sources={"rate": SOURCE_USER}))
    for c in resolved.countries:
        waiting = c.sites - opened[c.iso3]
        if waiting > 0:
            pseudo.append(replace(c, iso3=f"{c.iso3}/{NOT_OPEN}", sites=waiting, pool_cap=None,
                                  cost_per_patient=None))
    evaluable = resolved.target_kind == TARGET_EVALUABLE
    counted = sum(math.floor(k * (1.0 - by_iso3[i].dropout_share)) if evaluable else k
                  for i, k in randomised.items())
    remaining = max(0, resolved.target_patients - counted)
    warnings = []
    for c in resolved.countries:
        if c.pool_cap is not None:
            left = c.pool_cap - randomised[c.iso3] / c.randomised_share
            if left < remaining / resolved.counted_share(c):
                warnings.append(f"{c.iso3}: about {max(left, 0):,.0f} patients of the pool are "
                                f"left to screen; the remaining forecast does not cap them")
    result = None
    patients: dict[str, float] = dict.fromkeys(by_iso3, 0.0)
    if remaining > 0:
        rest = replace(resolved, countries=tuple(pseudo), target_patients=remaining,
                       deadline_months=None)
        if method == METHOD_CLOSED_FORM:
            result = forecast_closed_form(rest)
        else:
            result = forecast_monte_carlo(rest, n_sims=n_sims, with_milestones=False)
        for key, value in result.patients_at_p50.items():
            patients[key.split("/", 1)[0]] += value
    return Reforecast(as_of=as_of, randomised_to_date=randomised, counted_to_date=counted,
                      remaining_target=remaining, sites_open=opened,
                      posteriors=tuple(posteriors), result=result, patients_at_p50=patients,
                      warnings=tuple(warnings))
