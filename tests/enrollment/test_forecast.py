"""Enrollment forecast: exact negative-binomial cases, monotonicity, caps, optimiser, compare."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from footprint.enrollment import forecast as fc
from footprint.enrollment.scenario import CountryPlan, Scenario, resolve
from tests.enrollment.builders import ALPHA, BETA, at_once, scenario


def nb_sf(target, sites, t):
    """P(n(t) >= target) when all sites open at 0: n(t) ~ NegBin(C alpha, beta/(beta+t))."""
    t = np.asarray(t, dtype=float)
    return stats.nbinom.sf(target - 1, sites * ALPHA, BETA / (BETA + t))


# --- The exact special case -------------------------------------------------------------------
C, N = 20, 100
SIMPLE = resolve(scenario([at_once("BRA", 12), at_once("MEX", 8)], target=N))


def test_closed_form_equals_the_exact_negative_binomial():
    t = np.array([1.0, 5.0, 8.0, 10.0, 12.0, 20.0, 40.0])
    assert_allclose(fc.closed_form_prob_reached(SIMPLE, t), nb_sf(N, C, t), rtol=1e-9, atol=1e-14)
    # P(T_N <= t) = P(n(t) >= N): the quantiles invert the count distribution.
    qs = fc.closed_form_quantiles(SIMPLE, (0.1, 0.5, 0.9))
    assert_allclose(nb_sf(N, C, qs), (0.1, 0.5, 0.9), atol=1e-9)


def test_monte_carlo_times_follow_the_exact_distribution():
    times = fc.simulate_months_to_target(SIMPLE, n_sims=20_000, horizon_months=120)
    assert np.all(np.isfinite(times))
    ks = stats.kstest(times, lambda t: nb_sf(N, C, t))
    assert ks.pvalue > 1e-3, ks
    for t in (8.0, 10.0, 12.0):  # P(T_N <= t) = P(n(t) >= N), within 4 standard errors
        exact = float(nb_sf(N, C, t))
        assert abs(np.mean(times <= t) - exact) < 4 * math.sqrt(exact * (1 - exact) / times.size)


def test_monte_carlo_counts_follow_the_exact_distribution():
    # Counts per month straight from the simulation core (the curve's raw material).
    p = fc.model_params(SIMPLE)
    _, totals, _, _, _ = fc._simulate(p, N, 0, 20_000, 24, fc.PATH_EXACT, want_curve=True)
    for month in (3, 6, 10):
        dist = stats.nbinom(C * ALPHA, BETA / (BETA + month))
        counts = totals[:, month]
        assert counts.mean() == pytest.approx(dist.mean(), rel=0.02)
        assert counts.var() == pytest.approx(dist.var(), rel=0.06)
        # Chi-square on the decile bins of the exact distribution.
        edges = np.unique(dist.ppf(np.linspace(0.1, 0.9, 9)))
        observed = np.bincount(np.searchsorted(edges, counts, side="left"),
                               minlength=edges.size + 1)
        cdf = np.concatenate([[0.0], dist.cdf(edges), [1.0]])
        expected = np.diff(cdf) * counts.size
        assert stats.chisquare(observed, expected).pvalue > 1e-3
    result = fc.forecast_monte_carlo(SIMPLE, n_sims=20_000, horizon_months=24)
    for month in (3, 6, 10):
        dist = stats.nbinom(C * ALPHA, BETA / (BETA + month))
        assert abs(result.curve_p50[month] - dist.median()) <= 1
        assert abs(result.curve_p10[month] - dist.ppf(0.1)) <= 1
        assert abs(result.curve_p90[month] - dist.ppf(0.9)) <= 1


def reference_inversion(u, lam, clock):
    """Lambda^{-1}(clock) for one trial by walking the sorted opening times."""
    order = np.argsort(u, kind="stable")
    a = b = 0.0
    best = np.inf
    for ui, li in zip(u[order], lam[order], strict=True):
        a += li
        b += li * ui
        best = min(best, (clock + b) / a)
    return best


@pytest.mark.parametrize("horizon", [5, 12, 40])
def test_grid_inversion_equals_a_plain_sorted_inversion(horizon):
    rng = np.random.default_rng(3)
    sites, n = 40, 300
    u = rng.gamma(2.0, 2.0, size=(sites, n))
    u[:10] = np.round(u[:10])  # openings exactly on month boundaries
    u[10:15] = 1.5  # ties
    u[rng.random((sites, n)) < 0.1] = 1e9  # never open
    lam = rng.gamma(2.0, 0.25, size=(sites, n))
    clock = rng.gamma(30.0, 1.0, size=n)
    a, b, bins = fc._open_sums(u, lam, np.zeros(sites, dtype=np.intp), 1, horizon)
    got = fc._exact_times(u, lam, bins, a[:, 0], b[:, 0], clock)
    want = np.array([reference_inversion(u[:, k], lam[:, k], clock[k]) for k in range(n)])
    want[want > horizon] = np.inf
    if horizon == 5:  # some trials cross beyond the grid
        assert 0 < np.isinf(got).sum() < n
    assert_allclose(got, want, rtol=1e-12)


def test_fixed_start_up_shifts_the_distribution():
    delayed = resolve(
        scenario([at_once("BRA", 12, startup_days=fc.DAYS_PER_MONTH * 2),
                  at_once("MEX", 8, startup_days=fc.DAYS_PER_MONTH * 2)], target=N)
    )
    times = fc.simulate_months_to_target(delayed, n_sims=10_000, horizon_months=120)
    assert stats.kstest(times, lambda t: nb_sf(N, C, np.maximum(t - 2.0, 0.0))).pvalue > 1e-3
    assert_allclose(fc.closed_form_prob_reached(delayed, [12.0]), nb_sf(N, C, [10.0]), rtol=1e-9)


def test_start_up_moments_integrate_the_gamma_exactly():
    r = resolve(scenario([CountryPlan("BRA", 1, rate=1.0, rate_shape=3.0, startup_days=150.0,
                                      startup_sd_days=60.0, never_activate_share=0.2)]))
    p = fc.model_params(r)
    rng = np.random.default_rng(1)
    mean, sd = p.start_mean[0], p.start_sd[0]
    u = rng.gamma((mean / sd) ** 2, sd**2 / mean, size=2_000_000)
    active = rng.random(u.size) >= 0.2
    lam = rng.gamma(3.0, 1.0 / 3.0, size=u.size)
    for t in (3.0, 5.0, 9.0):
        x = lam * np.maximum(t - u, 0.0) * active
        m1, m2 = fc._site_moments(np.array([t]), p)
        assert m1[0, 0] == pytest.approx(x.mean(), rel=0.01)
        assert m2[0, 0] == pytest.approx((x**2).mean(), rel=0.02)


def test_closed_form_agrees_with_monte_carlo_on_a_realistic_plan():
    plan = resolve(
        scenario([CountryPlan("BRA", 15), CountryPlan("MEX", 10, rate=0.9),
                  CountryPlan("ARG", 6, startup_days=120.0, startup_sd_days=30.0)],
                 target=300, seed=3),
        startup_defaults={"BRA": (200.0, 60.0), "MEX": (150.0, 45.0)},
    )
    mc = fc.forecast(plan, "monte_carlo", n_sims=10_000)
    cf = fc.forecast(plan, "closed_form")
    assert mc.path == fc.PATH_EXACT and cf.path == fc.PATH_GAMMA
    assert_allclose(mc.months_to_target, cf.months_to_target, rtol=0.03)
    assert sum(mc.patients_at_p50.values()) == pytest.approx(300, rel=0.05)


# --- Reproducibility and monotonicity ---------------------------------------------------------
def test_seeded_runs_reproduce_and_seeds_differ():
    a = fc.forecast_monte_carlo(SIMPLE, n_sims=3000, workers=1)
    b = fc.forecast_monte_carlo(SIMPLE, n_sims=3000, workers=2)
    assert a == b
    other = resolve(scenario([at_once("BRA", 12), at_once("MEX", 8)], target=N, seed=1))
    c = fc.forecast_monte_carlo(other, n_sims=3000)
    assert c.months_to_target != a.months_to_target


plans = st.lists(
    st.tuples(
        st.integers(0, 6),  # sites
        st.floats(0.1, 3.0),  # rate
        st.floats(0.5, 5.0),  # shape
        st.floats(0.0, 300.0),  # start-up mean [days]
        st.floats(0.0, 0.6),  # sd as a share of the mean
        st.floats(0.0, 0.4),  # never activate
    ),
    min_size=1,
    max_size=3,
)


def build(rows, target, seed, scale=1.0, extra=None) -> Scenario:
    codes = ["BRA", "MEX", "ARG"]
    countries = []
    for i, (sites, rate, shape, mean, sd_share, never) in enumerate(rows):
        countries.append(CountryPlan(
            codes[i], sites + (1 if extra == i else 0), rate=rate, rate_shape=shape,
            startup_days=mean * scale, startup_sd_days=mean * sd_share * scale,
            never_activate_share=never,
        ))
    return scenario(countries, target=target, seed=seed)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans, st.integers(1, 60), st.integers(0, 1000), st.data())
def test_more_sites_never_delay_any_trial(rows, target, seed, data):
    where = data.draw(st.integers(0, len(rows) - 1))
    base = resolve(build(rows, target, seed))
    more = resolve(build(rows, target, seed, extra=where))
    t_base = fc.simulate_months_to_target(base, n_sims=300, horizon_months=600)
    t_more = fc.simulate_months_to_target(more, n_sims=300, horizon_months=600)
    # Common random numbers: per simulated trial (up to rounding of the summation order).
    assert np.all(t_more <= t_base * (1 + 1e-9) + 1e-9)
    cf_base = fc.closed_form_quantiles(base, (0.5,))[0]
    cf_more = fc.closed_form_quantiles(more, (0.5,))[0]
    assert cf_more <= cf_base + 1e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans, st.integers(1, 60), st.integers(0, 1000), st.floats(1.0, 3.0))
def test_a_longer_start_up_never_speeds_any_trial(rows, target, seed, scale):
    base = resolve(build(rows, target, seed))
    slow = resolve(build(rows, target, seed, scale=scale))
    t_base = fc.simulate_months_to_target(base, n_sims=300, horizon_months=600)
    t_slow = fc.simulate_months_to_target(slow, n_sims=300, horizon_months=600)
    assert np.all(t_slow >= t_base * (1 - 1e-9) - 1e-9)
    cf_base = fc.closed_form_quantiles(base, (0.5,))[0]
    cf_slow = fc.closed_form_quantiles(slow, (0.5,))[0]
    assert cf_slow >= cf_base - 1e-9


# --- Pool caps ----------------------------------------------------------------------------------
def brute_force_capped(countries, caps, target, n_trials, seed):
    """Reference: each country's arrivals by inverting its own Lambda_c, capped, merged."""
    rng = np.random.default_rng(seed)
    out = np.empty(n_trials)
    for k in range(n_trials):
        arrivals = []
        for (sites, rate, shape, start_mean, start_sd), cap in zip(countries, caps, strict=True):
            if start_sd > 0:
                u = rng.gamma((start_mean / start_sd) ** 2, start_sd**2 / start_mean, sites)
            else:
                u = np.full(sites, start_mean)
            lam = rng.gamma(shape, rate / shape, sites)
            order = np.argsort(u)
            u, lam = u[order], lam[order]
            slope = np.cumsum(lam)
            knots = np.concatenate([[0.0], np.cumsum(slope[:-1] * np.diff(u))])  # Lambda(u_j)
            n_max = int(min(cap, target))
            clock = np.cumsum(rng.exponential(size=n_max))
            j = np.searchsorted(knots, clock, side="right") - 1
            arrivals.append(u[j] + (clock - knots[j]) / slope[j])
        merged = np.sort(np.concatenate(arrivals))
        out[k] = merged[target - 1] if merged.size >= target else np.inf
    return out


def test_time_grid_path_matches_a_brute_force_capped_simulation():
    days = fc.DAYS_PER_MONTH
    s = scenario(
        [at_once("BRA", 5, rate=1.0, shape=2.0),
         CountryPlan("MEX", 5, rate=0.3, rate_shape=3.0, startup_days=2 * days,
                     startup_sd_days=0.5 * days, never_activate_share=0.0)],
        target=30, seed=5,
    )
    r = resolve(s, pool_caps={"BRA": 12.7})  # 12 patients at most
    result = fc.forecast_monte_carlo(r, n_sims=4000, horizon_months=120)
    assert result.path == fc.PATH_GRID
    assert result.capped_countries == ("BRA",)
    assert any("BRA" in w and "pool" in w for w in result.warnings)
    assert result.patients_at_p50["BRA"] <= 12.0
    sim = fc.simulate_months_to_target(r, n_sims=4000, horizon_months=120)
    ref = brute_force_capped([(5, 1.0, 2.0, 0.0, 0.0), (5, 0.3, 3.0, 2.0, 0.5)],
                             [12, math.inf], 30, 3000, seed=11)
    assert stats.ks_2samp(sim, ref).pvalue > 1e-3
    # The cap matters: without it the target comes much sooner.
    free = fc.forecast_monte_carlo(resolve(s), n_sims=4000, horizon_months=120)
    assert free.p50 < result.p50 - 2


def test_time_grid_path_agrees_with_exact_path_when_caps_do_not_bind():
    r = resolve(scenario([at_once("BRA", 12), at_once("MEX", 8)], target=N))
    grid = fc.simulate_months_to_target(r, n_sims=6000, horizon_months=60, path=fc.PATH_GRID)
    assert stats.kstest(grid, lambda t: nb_sf(N, C, t)).pvalue > 1e-3


def test_caps_bound_every_count_and_an_unreachable_target_is_reported():
    s = scenario([at_once("BRA", 10, rate=2.0), at_once("MEX", 10, rate=2.0)], target=50)
    r = resolve(s, pool_caps={"BRA": 20, "MEX": 35})
    result = fc.forecast_monte_carlo(r, n_sims=2000, horizon_months=36)
    assert max(result.curve_p90) <= 55
    assert result.patients_at_p50["BRA"] <= 20 and result.patients_at_p50["MEX"] <= 35
    short = resolve(s, pool_caps={"BRA": 20, "MEX": 25})
    never = fc.forecast_monte_carlo(short, n_sims=1000, horizon_months=36)
    assert all(math.isinf(q) for q in never.months_to_target)
    assert never.prob_by_deadline is None
    assert any("never reached" in w for w in never.warnings)
    assert max(never.curve_p90) <= 45
    assert math.isinf(fc.forecast_closed_form(short).p50)


def test_a_cap_above_the_target_keeps_the_exact_path():
    r = resolve(scenario([at_once("BRA", 12), at_once("MEX", 8)], target=N), pool_caps={"BRA": N})
    result = fc.forecast_monte_carlo(r, n_sims=1000)
    assert result.path == fc.PATH_EXACT and result.capped_countries == ()
    with pytest.raises(ValueError, match="cannot honour a pool cap"):
        fc.forecast_monte_carlo(resolve(r.scenario, pool_caps={"BRA": 5}), path=fc.PATH_EXACT)


# --- Outputs -------------------------------------------------------------------------------------
def test_costs_deadline_and_curve_outputs():
    s = scenario([at_once("BRA", 12, cost_per_patient=100.0), at_once("MEX", 8,
                  cost_per_patient=50.0)], target=N, deadline=10.0)
    result = fc.forecast_monte_carlo(resolve(s), n_sims=4000)
    assert result.total_cost_at_p50 == pytest.approx(
        100.0 * result.patients_at_p50["BRA"] + 50.0 * result.patients_at_p50["MEX"]
    )
    assert result.prob_by_deadline == pytest.approx(float(nb_sf(N, C, 10.0)), abs=0.03)
    frame = result.curve_frame()
    assert list(frame.columns) == ["month", "p10", "p50", "p90"]
    assert frame["month"].iloc[-1] == result.horizon_months
    assert (frame["p10"] <= frame["p50"]).all() and (frame["p50"] <= frame["p90"]).all()
    assert frame["p50"].is_monotonic_increasing
    partial = scenario([at_once("BRA", 12, cost_per_patient=100.0), at_once("MEX", 8)], target=N)
    missing = fc.forecast_closed_form(resolve(partial))
    assert missing.total_cost_at_p50 is None and missing.cost_by_country["MEX"] is None
    assert any("no cost per patient for MEX" in w for w in missing.warnings)


def test_no_site_means_never_and_bad_arguments_are_refused():
    empty = resolve(scenario([at_once("BRA", 0)], target=10))
    result = fc.forecast_monte_carlo(empty, n_sims=100)
    assert math.isinf(result.p10) and any("no site" in w for w in result.warnings)
    with pytest.raises(ValueError, match="allowed: monte_carlo, closed_form"):
        fc.forecast(SIMPLE, "bayes")
    with pytest.raises(ValueError, match="allowed: auto, exact_inversion, time_grid"):
        fc.forecast_monte_carlo(SIMPLE, path="fast")
    with pytest.raises(ValueError, match="n_sims"):
        fc.forecast_monte_carlo(SIMPLE, n_sims=0)
    with pytest.raises(ValueError, match="horizon_months"):
        fc.forecast_monte_carlo(SIMPLE, horizon_months=10_000)
    with pytest.raises(TypeError, match="ResolvedScenario"):
        fc.forecast_monte_carlo(SIMPLE.scenario)
