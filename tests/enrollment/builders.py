"""Tiny scenario builders shared by the enrollment tests (known-value cases)."""

from __future__ import annotations

from footprint.enrollment.scenario import CountryPlan, Scenario

ALPHA, RATE = 2.0, 0.5  # per site; beta = alpha / rate = 4 per month
BETA = ALPHA / RATE


def scenario(countries, target=100, seed=0, deadline=None, name="test") -> Scenario:
    return Scenario(
        name=name,
        indication="hypertension",
        target_patients=target,
        countries=tuple(countries),
        seed=seed,
        deadline_months=deadline,
    )


def at_once(iso3, sites, rate=RATE, shape=ALPHA, startup_days=0.0, **kw) -> CountryPlan:
    """Sites that all open at a fixed time and never fail to activate."""
    return CountryPlan(
        iso3=iso3,
        sites=sites,
        rate=rate,
        rate_shape=shape,
        startup_days=startup_days,
        startup_sd_days=0.0,
        never_activate_share=0.0,
        **kw,
    )
