"""Screen failure, dropout and rate uncertainty (issue 12): exact thinning, widened intervals,
milestones."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from footprint.enrollment import forecast as fc
from footprint.enrollment.scenario import resolve
from tests.enrollment.builders import ALPHA, BETA, at_once, scenario

C, N = 20, 100
SCREEN_FAIL, DROPOUT = 0.3, 0.2


def thinned(target_kind="randomised", **kw):
    plans = [at_once("BRA", 12, screen_fail_share=SCREEN_FAIL, dropout_share=DROPOUT, **kw),
             at_once("MEX", 8, screen_fail_share=SCREEN_FAIL, dropout_share=DROPOUT, **kw)]
    return resolve(replace(scenario(plans, target=N), target_kind=target_kind))


def nb_sf_scaled(target, t, share):
    """P(n(t) >= target): sites open at 0, rates thinned by ``share`` are Gamma(alpha,
    beta/share), so n(t) ~ NegBin(C alpha, (beta/share) / (beta/share + t))."""
    b = BETA / share
    return stats.nbinom.sf(target - 1, C * ALPHA, b / (b + np.asarray(t, dtype=float)))


@pytest.mark.parametrize(("kind", "share"), [
    ("randomised", 1 - SCREEN_FAIL), ("evaluable", (1 - SCREEN_FAIL) * (1 - DROPOUT))])
def test_thinned_closed_form_is_the_negative_binomial_of_the_scaled_rate(kind, share):
    r = thinned(kind)
    t = np.array([2.0, 8.0, 14.0, 20.0, 40.0])
    assert_allclose(fc.closed_form_prob_reached(r, t), nb_sf_scaled(N, t, share), rtol=1e-9,
                    atol=1e-14)


@pytest.mark.parametrize(("kind", "share"), [
    ("randomised", 1 - SCREEN_FAIL), ("evaluable", (1 - SCREEN_FAIL) * (1 - DROPOUT))])
def test_thinned_monte_carlo_follows_the_scaled_negative_binomial(kind, share):
    times = fc.simulate_months_to_target(thinned(kind), n_sims=20_000, horizon_months=200)
    ks = stats.kstest(times, lambda t: nb_sf_scaled(N, t, share))
    assert ks.pvalue > 1e-3, ks
    slower = fc.simulate_months_to_target(thinned(kind), n_sims=2000, horizon_months=200)
    base = fc.simulate_months_to_target(resolve(scenario(
        [at_once("BRA", 12), at_once("MEX", 8)], target=N)), n_sims=2000, horizon_months=200)
    assert np.median(slower) > np.median(base)


def test_the_funnel_shows_screened_randomised_and_completing():
    result = fc.forecast_monte_carlo(thinned(), n_sims=2000)
    screened, randomised, completing = result.funnel["BRA"]
    assert randomised == pytest.approx(result.patients_at_p50["BRA"])  # the target counts these
    assert randomised == pytest.approx(screened * (1 - SCREEN_FAIL))
    assert completing == pytest.approx(randomised * (1 - DROPOUT))
    total = result.funnel[fc.TRIAL_TOTAL]
    assert total[1] == pytest.approx(result.funnel["BRA"][1] + result.funnel["MEX"][1])
    assert total[1] == pytest.approx(N, rel=0.1)  # about the target at the median time


def test_rate_cv_widens_the_interval_and_keeps_the_mean():
    base = resolve(scenario([at_once("BRA", 12), at_once("MEX", 8)], target=N))
    wide = resolve(scenario([at_once("BRA", 12, rate_cv=0.5), at_once("MEX", 8, rate_cv=0.5)],
                            target=N))
    t_base = fc.simulate_months_to_target(base, n_sims=20_000, horizon_months=300)
    t_wide = fc.simulate_months_to_target(wide, n_sims=20_000, horizon_months=300)
    spread = np.subtract(*np.quantile(t_wide, [0.9, 0.1]))
    assert spread > 1.5 * np.subtract(*np.quantile(t_base, [0.9, 0.1]))
    # The mean rate is kept: the expected count by month 10 is the same (a multiplier of mean 1).
    p_wide, p_base = fc.model_params(wide), fc.model_params(base)
    _, counts_wide, *_ = fc._simulate(p_wide, N, 0, 20_000, 12, fc.PATH_EXACT, want_curve=True)
    _, counts_base, *_ = fc._simulate(p_base, N, 0, 20_000, 12, fc.PATH_EXACT, want_curve=True)
    expected = C * ALPHA / BETA * 10
    assert counts_base[:, 10].mean() == pytest.approx(expected, rel=0.01)
    assert counts_wide[:, 10].mean() == pytest.approx(expected, rel=0.03)
    # Exact variance: per country (one multiplier M_c each, cv 0.5) Var = E[M^2] E[S^2] -
    # E[S]^2, S = sum of its sites' lambda t; plus E[n] for the Poisson counts.
    def country(sites):
        s_mean, s_var = sites * ALPHA / BETA * 10, sites * ALPHA / BETA**2 * 100
        return (1 + 0.25) * (s_var + s_mean**2) - s_mean**2
    exact = country(12) + country(8) + expected
    assert counts_wide[:, 10].var() == pytest.approx(exact, rel=0.06)
    # The closed form widens too: its variance is the same moment formula.
    mu, var = fc.counted_moments(np.array([10.0]), p_wide)
    assert var.sum() == pytest.approx(exact - expected)


def test_rate_cv_zero_and_shares_zero_are_todays_model_draw_for_draw():
    base = resolve(scenario([at_once("BRA", 12), at_once("MEX", 8)], target=N))
    zeros = resolve(scenario([at_once("BRA", 12, rate_cv=0.0, screen_fail_share=0.0,
                                      dropout_share=0.0),
                              at_once("MEX", 8, rate_cv=0.0, screen_fail_share=0.0,
                                      dropout_share=0.0)], target=N))
    assert np.array_equal(fc.simulate_months_to_target(base, n_sims=3000),
                          fc.simulate_months_to_target(zeros, n_sims=3000))


def test_milestones_of_sites_that_open_at_once_are_exact():
    r = resolve(scenario([at_once("BRA", 10, startup_days=fc.DAYS_PER_MONTH * 3),
                          at_once("MEX", 10, startup_days=fc.DAYS_PER_MONTH * 5)], target=N))
    result = fc.forecast_monte_carlo(r, n_sims=20_000)
    got = {(m.scope, m.milestone): (m.p10, m.p50, m.p90) for m in result.milestones}
    assert got[("BRA", "first_site_open")] == pytest.approx((3.0, 3.0, 3.0))
    assert got[("MEX", "sites_90pct_open")] == pytest.approx((5.0, 5.0, 5.0))
    assert got[("trial", "sites_50pct_open")] == pytest.approx((3.0, 3.0, 3.0))
    assert got[("trial", "sites_90pct_open")] == pytest.approx((5.0, 5.0, 5.0))
    assert got[("trial", "last_patient_in")] == result.months_to_target
    # First patient in BRA: 3 months + the first arrival of NegBin(10 alpha, beta/(beta+t)):
    # P(FPI - 3 <= t) = 1 - (beta/(beta+t))^(10 alpha).
    for q, value in zip((0.1, 0.5, 0.9), got[("BRA", "first_patient_in")], strict=True):
        t = BETA * ((1 - q) ** (-1 / (10 * ALPHA)) - 1)
        assert value - 3.0 == pytest.approx(t, rel=0.03)
    # The trial's first patient: both countries' first arrivals, the earlier one.
    assert got[("trial", "first_patient_in")][1] <= got[("BRA", "first_patient_in")][1]


def test_milestones_not_reached_are_inf():
    half = replace(at_once("BRA", 10), never_activate_share=0.5)
    r = resolve(scenario([half], target=10))
    result = fc.forecast_monte_carlo(r, n_sims=2000)
    got = {(m.scope, m.milestone): m.p50 for m in result.milestones}
    assert math.isinf(got[("BRA", "sites_90pct_open")])  # half the sites never open
    assert math.isfinite(got[("BRA", "first_site_open")])
    assert fc.forecast_closed_form(r).milestones == ()
