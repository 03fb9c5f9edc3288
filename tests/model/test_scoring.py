"""Scores: weights, attractiveness, ranks, tiers, rank stability, properties."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from footprint.model import scoring
from tests.tiny import gate_row, make_inputs, regulatory_row

weights = st.tuples(*[st.floats(0, 10, allow_nan=False)] * 3).filter(lambda w: sum(w) > 1e-6)


@settings(max_examples=80, deadline=None)
@given(w=weights)
def test_weights_are_normalised(w):
    n = scoring.Weights(*w).normalised()
    assert_allclose(n.sum(), 1.0)
    assert (n >= 0).all()


@pytest.mark.parametrize("w", [(0, 0, 0), (-1, 1, 1), (np.nan, 1, 1), (np.inf, 1, 1)])
def test_invalid_weights_are_refused(w):
    with pytest.raises(ValueError):
        scoring.Weights(*w).normalised()


def test_attractiveness_known_values_and_reweighting():
    scores = pd.DataFrame({"pool_score": [80, np.nan], "friction_score": [60, 60],
                           "infrastructure_score": [40, 40]}, index=["A", "B"])
    attr, used = scoring.attractiveness(scores, scoring.Weights(2, 1, 1))
    assert_allclose(attr["A"], (2 * 80 + 60 + 40) / 4)
    assert_allclose(attr["B"], (60 + 40) / 2)  # pool missing: dropped, never zero
    assert list(used) == [3, 2]


@settings(max_examples=60, deadline=None)
@given(w=weights, data=st.lists(st.tuples(*[st.one_of(st.none(), st.floats(0, 100))] * 3),
                                min_size=1, max_size=12))
def test_scores_stay_in_range(w, data):
    scores = pd.DataFrame(data, columns=list(scoring.SCORES), dtype=float)
    attr, _ = scoring.attractiveness(scores, scoring.Weights(*w))
    finite = attr.dropna()
    assert ((finite >= -1e-9) & (finite <= 100 + 1e-9)).all()


def test_score_table_ranks_and_tiers_on_the_tiny_world():
    inputs = make_inputs(
        values={"AAA": {"WGI.RQ": 2.0, "WGI.RL": 2.0}, "CCC": {"WGI.RQ": -2.0, "WGI.RL": -2.0}},
        regulatory={"CCC": regulatory_row(clock_value=200, clock_unit="calendar_days")},
        gate={"CCC": gate_row("sanctions", war=True)},
    )
    params = scoring.ScoreParams("type2_diabetes", scoring.Weights(0, 1, 0))
    table = scoring.score_table(inputs, params)
    assert list(table.index) == ["AAA", "BBB"]  # the gated CCC is left out by default
    included = scoring.score_table(inputs, replace(params, include_gated=True))
    assert list(included.index) == ["AAA", "BBB", "CCC"]
    assert list(included["rank"]) == [1, 2, 3]
    assert included.loc["CCC", "risk_tier"] == "high"
    assert included.loc["CCC", "flags"].startswith("sanctions + war")
    assert "slow approval" in included.loc["CCC", "flags"]
    # AAA has no row: its approval is the region median of sourced countries (CCC), assumed
    assert table.loc["AAA", "flags"] == ("slow approval (~200 days, assumed); "
                                         "regulatory flags unknown")
    # the penalty: CCC ranks as its unpenalised score minus the documented points
    plain = scoring.score(scoring.country_frame(inputs, "type2_diabetes"),
                          scoring.Weights(0, 1, 0), ["CCC"], include_gated=True)
    assert scoring.left_out(scoring.country_frame(inputs, "type2_diabetes"),
                            ["AAA", "CCC"]) == ["CCC"]
    assert plain.loc["CCC", "attractiveness"] == included.loc["CCC", "attractiveness"]


def test_unknown_indication_and_region_list_choices():
    inputs = make_inputs()
    with pytest.raises(ValueError, match="type2_diabetes"):
        scoring.score_table(inputs, scoring.ScoreParams("flu"))
    with pytest.raises(ValueError, match="Testland"):
        scoring.score_table(inputs, scoring.ScoreParams("type2_diabetes", region="Atlantis"))


def test_rank_stability_is_certain_for_a_dominant_country_and_sums_to_k():
    table = pd.DataFrame({"pool_score": [90, 50, 49, 10], "friction_score": [90, 50, 51, 10],
                          "infrastructure_score": [90, 50, 50, 10]}, index=list("ABCD"))
    p = scoring.rank_stability(table, scoring.Weights(), top_k=2, n_draws=500)
    assert p["A"] == 1.0 and p["D"] == 0.0
    assert 0 < p["B"] < 1 and 0 < p["C"] < 1  # B and C trade places as weights move
    assert_allclose(p.sum(), 2.0)


def test_rank_stability_is_reproducible():
    table = pd.DataFrame({"pool_score": [90, 50, 49], "friction_score": [10, 50, 51],
                          "infrastructure_score": [40, 50, 50]}, index=list("ABC"))
    a = scoring.rank_stability(table, scoring.Weights(1, 2, 3), top_k=1, seed=7)
    b = scoring.rank_stability(table, scoring.Weights(1, 2, 3), top_k=1, seed=7)
    pd.testing.assert_series_equal(a, b)


def test_real_scores_for_every_indication_and_region(con):
    from footprint.data import model_inputs
    inputs = model_inputs.load_inputs(con)
    for indication in inputs.indications.index:
        frame = scoring.country_frame(inputs, indication)
        for region, members in inputs.region_members.items():
            table = scoring.score(frame, scoring.Weights(), members)
            gated = set(scoring.left_out(frame, members))
            assert set(table.index) == set(members) - gated, region
            assert not table["risk_tier"].isin(["low", "medium"])[table["gated"]].any()
            scored = table["attractiveness"].dropna()
            assert scored.between(0, 100).all()
            assert table["rank"].dropna().min() == 1
    assert frame.loc["UKR", "risk_tier"] == "high" and frame.loc["RUS", "risk_tier"] == "high"
    assert {"RUS", "BLR", "UKR", "VEN", "CUB"} <= set(
        scoring.left_out(frame, list(frame.index)))


def test_rank_stability_carries_the_gate_penalty():
    table = pd.DataFrame({"pool_score": [90.0, 80.0], "friction_score": [90.0, 80.0],
                          "infrastructure_score": [90.0, 80.0], "gated": [True, False]},
                         index=["GGG", "OKK"])
    p = scoring.rank_stability(table, scoring.Weights(), top_k=1, n_draws=200)
    assert p["OKK"] == 1.0 and p["GGG"] == 0.0  # 90 - 30 ranks below 80 in every draw
