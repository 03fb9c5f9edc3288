"""Re-forecast from actuals: the Anisimov-Fedorov posterior and its predictive, exactly."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from footprint.enrollment import forecast as fc
from footprint.enrollment.reforecast import SiteActual, posterior, reforecast
from footprint.enrollment.scenario import resolve
from tests.enrollment.builders import ALPHA, BETA, at_once, scenario

AS_OF = dt.date(2026, 9, 1)
K, SCREEN_FAIL = 14, 0.3
OPENED = AS_OF - dt.timedelta(days=round(6 * fc.DAYS_PER_MONTH))  # open ~6 months
TAU = (AS_OF - OPENED).days / fc.DAYS_PER_MONTH
R = 1 - SCREEN_FAIL


def one_site(target, kind="randomised", dropout=0.0):
    plan = at_once("BRA", 1, screen_fail_share=SCREEN_FAIL, dropout_share=dropout)
    return resolve(replace(scenario([plan], target=target), target_kind=kind))


def predictive_sf(n, t):
    """P(at least n more randomised within t months): the randomised rate r lambda is
    Gamma(alpha + k, beta / r + tau) a posteriori, so the count is NegBin."""
    b = BETA / R + TAU
    return stats.nbinom.sf(n - 1, ALPHA + K, b / (b + np.asarray(t, dtype=float)))


def test_the_posterior_is_gamma_alpha_plus_k_beta_plus_r_tau():
    c = one_site(40).countries[0]
    assert posterior(c, TAU, K) == pytest.approx((ALPHA + K, BETA + R * TAU))
    assert posterior(c, 0.0, 0) == pytest.approx((ALPHA, BETA))  # no data, the prior
    with pytest.raises(ValueError):
        posterior(c, -1.0, 0)


def test_one_open_site_forecasts_the_exact_posterior_predictive():
    r = one_site(K + 20)
    out = reforecast(r, [SiteActual("BRA", "S1", OPENED, K)], AS_OF, n_sims=20_000)
    assert out.remaining_target == 20 and out.counted_to_date == K
    rest = out.result
    assert rest is not None
    # Closed form of the remainder: exact here (one site open at month 0 of the remainder).
    closed = reforecast(r, [SiteActual("BRA", "S1", OPENED, K)], AS_OF, method="closed_form")
    assert_allclose(predictive_sf(20, closed.result.months_to_target), (0.1, 0.5, 0.9),
                    atol=1e-6)
    # Monte Carlo: the quantiles of the simulated times match the exact predictive.
    for q, value in zip((0.1, 0.5, 0.9), rest.months_to_target, strict=True):
        assert float(predictive_sf(20, value)) == pytest.approx(q, abs=0.015)


def test_an_evaluable_target_counts_the_completing_share_of_the_randomised():
    r = one_site(30, kind="evaluable", dropout=0.25)
    out = reforecast(r, [SiteActual("BRA", "S1", OPENED, 10)], AS_OF, method="closed_form")
    assert out.counted_to_date == 7 and out.remaining_target == 23  # floor(10 x 0.75)


def test_sites_not_open_keep_the_prior_and_open_from_the_as_of_date():
    r = resolve(scenario([at_once("BRA", 3)], target=50))
    out = reforecast(r, [SiteActual("BRA", "S1", None, 0)], AS_OF, method="closed_form")
    plain = fc.forecast_closed_form(r)  # no site open: the plan itself, from the as-of date
    assert out.result.months_to_target == pytest.approx(plain.months_to_target)
    assert out.sites_open == {"BRA": 0} and out.posteriors == ()


def test_a_reached_target_has_no_remaining_forecast():
    out = reforecast(one_site(10), [SiteActual("BRA", "S1", OPENED, 12)], AS_OF)
    assert out.remaining_target == 0 and out.result is None
