"""Scores between documented anchors: the anchors' own values, monotone, clipped."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from footprint.assumptions import DCT_ANCHORS, POOL_SCORE_ANCHORS, RISK_ANCHORS
from footprint.model.scales import anchored

ALL = [("pool", *POOL_SCORE_ANCHORS)] + [
    (name, *a) for name, a in {**RISK_ANCHORS, **DCT_ANCHORS}.items()]


@pytest.mark.parametrize(("name", "zero", "hundred", "scale"), ALL)
def test_each_documented_anchor_scores_its_end(name, zero, hundred, scale):
    out = anchored(pd.Series([zero, hundred, np.nan]), zero, hundred, scale)
    assert_allclose(out[:2], [0.0, 100.0], atol=1e-9)
    assert math.isnan(out[2])


@pytest.mark.parametrize(("name", "zero", "hundred", "scale"), ALL)
@given(a=st.floats(-1e9, 1e9), b=st.floats(-1e9, 1e9))
def test_scores_are_monotone_and_within_0_100(name, zero, hundred, scale, a, b):
    lo, hi = sorted((a, b))
    out = anchored(pd.Series([lo, hi]), zero, hundred, scale)
    assert out.between(0, 100).all()
    if hundred > zero:
        assert out[0] <= out[1]
    else:
        assert out[0] >= out[1]


def test_log_pool_scale_gives_20_points_per_factor_of_ten():
    out = anchored(pd.Series([1e3, 1e4, 3.15e6, 2.61e5]), *POOL_SCORE_ANCHORS)
    assert_allclose(out[:2], [20.0, 40.0])
    # Brazil's 3.15 M reachable hypertension patients against Chile's 261 K: twelve times
    # the patients is 21.6 points, not a percentile's 16
    assert_allclose(out[2] - out[3], 20 * math.log10(3.15e6 / 2.61e5))


def test_saturated_electricity_carries_no_risk():
    risk = anchored(pd.Series([100.0, 99.8, 50.0]), *RISK_ANCHORS["electricity"])
    assert_allclose(risk, [0.0, 0.2, 50.0], atol=1e-9)


def test_bad_scales_are_refused():
    with pytest.raises(ValueError, match="allowed: linear, log"):
        anchored(pd.Series([1.0]), 0, 1, "percentile")
    with pytest.raises(ValueError, match="differ"):
        anchored(pd.Series([1.0]), 1, 1)
    with pytest.raises(ValueError, match="positive"):
        anchored(pd.Series([1.0]), 0, 10, "log")
