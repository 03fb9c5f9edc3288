"""The proposed rate CV of a new plan (Gajewski, Simon & Carlson's accrual prior)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from footprint.assumptions import MAX_RATE_CV, PRIOR_CERTAINTY
from footprint.enrollment import planning
from footprint.enrollment.scenario import resolve
from tests.enrollment.builders import at_once
from tests.enrollment.builders import scenario as build_scenario


def plan(*countries, target=400):
    return resolve(build_scenario(countries, target=target))


def test_the_whole_trial_gets_the_prior_cv_of_its_target():
    """Independent multipliers of CV 1/sqrt(P n_c) add up to a trial rate of CV
    1/sqrt(P N): sum (w_c cv_c)^2 / (sum w_c)^2 = 1 / (P N) exactly."""
    resolved = plan(at_once("BRA", 12, rate=0.6), at_once("MEX", 5, rate=0.3),
                    at_once("ARG", 3, rate=1.1, screen_fail_share=0.4))
    cv = planning.proposed_rate_cv(resolved, certainty=0.5)
    weight = {c.iso3: c.sites * c.rate * resolved.counted_share(c) for c in resolved.countries}
    total = sum(weight.values())
    trial_cv = math.sqrt(sum((weight[k] * cv[k]) ** 2 for k in cv)) / total
    assert trial_cv == pytest.approx(1 / math.sqrt(0.5 * 400), rel=1e-12)


def test_a_larger_expected_share_is_known_better_and_the_default_is_the_registry_s():
    resolved = plan(at_once("BRA", 20), at_once("MEX", 2))
    cv = planning.proposed_rate_cv(resolved)
    assert cv["BRA"] < cv["MEX"]
    n_bra = 400 * 20 / 22
    assert cv["BRA"] == pytest.approx(1 / math.sqrt(PRIOR_CERTAINTY * n_bra))


def test_tiny_shares_are_capped_and_countries_without_sites_left_out():
    resolved = plan(at_once("BRA", 300), at_once("MEX", 1, rate=0.01), at_once("ARG", 0),
                    target=20)
    cv = planning.proposed_rate_cv(resolved)
    assert set(cv) == {"BRA", "MEX"} and cv["MEX"] == MAX_RATE_CV
    assert np.isfinite(list(cv.values())).all()


@pytest.mark.parametrize("certainty", [0.0, -0.1, 1.5, math.nan])
def test_a_certainty_outside_0_1_is_refused(certainty):
    with pytest.raises(ValueError, match="certainty"):
        planning.proposed_rate_cv(plan(at_once("BRA", 2)), certainty=certainty)
