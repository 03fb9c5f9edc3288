"""The optional fourth score (trial experience) and the crowding indicator."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from footprint.model import scoring
from tests.tiny import make_inputs

LANDSCAPE = pd.DataFrame({"studies": [1_000.0, 10.0, 0.0],
                          "studies_recent": [400.0, 2.0, 0.0],
                          "multinational_share": [0.5, 0.1, np.nan],
                          "studies_per_million": [1_000.0, 31.6227766, 0.0]},
                         index=["AAA", "BBB", "CCC"])


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    inputs = replace(make_inputs(), landscape=LANDSCAPE)
    return scoring.country_frame(inputs, "type2_diabetes")


def test_experience_score_is_read_off_its_anchors(frame):
    # 1 study per million scores 0, 1,000 scores 100, log scale: 10^1.5 is half way
    assert_allclose(frame.loc[["AAA", "BBB", "CCC"], scoring.EXPERIENCE], [100, 50, 0])


def test_crowding_is_studies_per_100000_eligible_patients(frame):
    assert_allclose(frame["crowding"], frame["studies"] / frame["eligible_patients"] * 1e5)
    assert frame["crowding"].notna().all()


def test_weight_zero_leaves_the_scores_exactly_unchanged(frame):
    codes = list(frame.index)
    base = scoring.score(frame, scoring.Weights(3, 1, 2), codes, include_gated=True)
    other = frame.assign(**{scoring.EXPERIENCE: [0.0, 100.0, np.nan]})
    again = scoring.score(other, scoring.Weights(3, 1, 2, 0), codes, include_gated=True)
    assert base["attractiveness"].tolist() == again["attractiveness"].tolist()  # exact
    assert base["score_components_used"].tolist() == again["score_components_used"].tolist()
    assert (base["score_components_total"] == 3).all()


def test_a_positive_weight_adds_the_fourth_component(frame):
    w = scoring.Weights(1, 1, 1, 1)
    table = scoring.score(frame, w, list(frame.index), include_gated=True)
    row = table.loc["AAA"]
    parts = [row[c] for c in (*scoring.SCORES, scoring.EXPERIENCE)]
    assert_allclose(row["attractiveness"], np.mean(parts))
    assert row["score_components_total"] == 4 and row["score_components_used"] == 4


def test_missing_experience_is_left_out_and_the_rest_reweighted(frame):
    gap = frame.assign(**{scoring.EXPERIENCE: np.nan})
    with_gap = scoring.score(gap, scoring.Weights(1, 1, 1, 5), ["AAA"], include_gated=True)
    without = scoring.score(frame, scoring.Weights(1, 1, 1), ["AAA"], include_gated=True)
    assert_allclose(with_gap["attractiveness"], without["attractiveness"])
    assert with_gap["score_components_used"].tolist() == [3]


@settings(max_examples=40, deadline=None)
@given(w=st.floats(0.01, 10), low=st.floats(0, 100), high=st.floats(0, 100))
def test_attractiveness_is_monotone_in_experience(frame, w, low, high):
    low, high = sorted((low, high))
    weights = scoring.Weights(1, 1, 1, w)
    scored = [scoring.score(frame.assign(**{scoring.EXPERIENCE: x}), weights, ["AAA"],
                            include_gated=True)["attractiveness"].iloc[0] for x in (low, high)]
    assert scored[0] <= scored[1] + 1e-9


@pytest.mark.parametrize(("weights", "components"), [
    (scoring.Weights(), scoring.SCORES),
    (scoring.Weights(1, 1, 1, 0.5), (*scoring.SCORES, scoring.EXPERIENCE)),
    (scoring.Weights(0, 0, 0, 1), (*scoring.SCORES, scoring.EXPERIENCE)),
])
def test_components_follow_the_experience_weight(weights, components):
    assert weights.components() == components
    assert len(weights.normalised()) == len(components)
    assert_allclose(weights.normalised().sum(), 1.0)


@pytest.mark.parametrize("experience", [-1.0, np.nan, np.inf])
def test_a_bad_experience_weight_is_refused(experience):
    with pytest.raises(ValueError, match="finite and non-negative"):
        scoring.Weights(1, 1, 1, experience).normalised()


def test_rank_stability_draws_over_the_weighted_components(frame):
    table = scoring.score(frame, scoring.Weights(1, 1, 1, 2), list(frame.index))
    p = scoring.rank_stability(table, scoring.Weights(1, 1, 1, 2), top_k=1, n_draws=200)
    assert_allclose(p.sum(), 1.0)


def test_without_a_landscape_experience_and_crowding_are_missing():
    frame = scoring.country_frame(make_inputs(), "type2_diabetes")
    assert frame[scoring.EXPERIENCE].isna().all() and frame["crowding"].isna().all()
