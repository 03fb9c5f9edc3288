"""Patient pool: known values on a tiny world, properties with Hypothesis, the real data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from footprint.model import pool
from tests.tiny import make_inputs


def shares(s0, s1, s2):
    import pandas as pd
    return pd.DataFrame({"SP.POP.0014.TO.ZS": [s0], "SP.POP.1564.TO.ZS": [s1],
                         "SP.POP.65UP.TO.ZS": [s2]})


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 14, 0.30),  # exactly the first broad band
        (15, 64, 0.50),
        (65, 120, 0.20),  # the open band is all of 65+
        (0, 120, 1.00),
        (20, 79, 0.50 * 45 / 50 + 0.20 * 15 / 25),  # diabetes band
        (30, 79, 0.50 * 35 / 50 + 0.20 * 15 / 25),  # hypertension band
        (15, 49, 0.50 * 35 / 50),
    ],
)
def test_band_share_known_values(low, high, expected):
    assert_allclose(pool.band_share(shares(30, 50, 20), low, high).iloc[0], expected)


def test_funnel_known_values_for_diabetes():
    inputs = make_inputs()
    f = pool.funnel(inputs, pool.catalogue(inputs)["type2_diabetes"], eligibility_share=0.2)
    row = f.loc["AAA"]
    in_band = 1_000_000 * (0.5 * 45 / 50 + 0.2 * 15 / 25)
    assert_allclose(row["population_in_band"], in_band)
    assert_allclose(row["prevalent_patients"], in_band * 0.10)
    assert_allclose(row["diagnosed_patients"], in_band * 0.10 * 0.5)
    assert_allclose(row["eligible_patients"], in_band * 0.10 * 0.5 * 0.2)
    assert_allclose(row["reachable_patients"], in_band * 0.10 * 0.5 * 0.2 * 0.5)
    assert row["pool_year"] == 2024


def test_hypertension_uses_the_per_country_diagnosed_share():
    inputs = make_inputs({"BBB": {"NCD.HTN.DIAG": 80}})
    f = pool.funnel(inputs, pool.catalogue(inputs)["hypertension"])
    assert_allclose(f.loc["AAA", "diagnosed_share"], 0.5)
    assert_allclose(f.loc["BBB", "diagnosed_share"], 0.8)


def test_tuberculosis_is_an_incident_pool_per_100k_of_everyone():
    inputs = make_inputs()
    f = pool.funnel(inputs, pool.catalogue(inputs)["tuberculosis"])
    assert_allclose(f.loc["AAA", "prevalent_patients"], 1_000_000 * 100 / 100_000)


def test_missing_prevalence_stays_missing_not_zero():
    inputs = make_inputs({"CCC": {"SH.STA.DIAB.ZS": np.nan}})
    f = pool.funnel(inputs, pool.catalogue(inputs)["type2_diabetes"])
    assert np.isnan(f.loc["CCC", "prevalent_patients"])
    assert np.isnan(f.loc["CCC", "reachable_patients"])
    assert f.loc["AAA", "prevalent_patients"] > 0


def test_custom_and_age_driven_indications():
    inputs = make_inputs({"BBB": {"SP.POP.65UP.TO.ZS": 10, "SP.POP.1564.TO.ZS": 60}})
    custom = pool.Indication("x", "X", "custom", 18, 64, prevalence_pct=2.0,
                             prevalence_by_country={"BBB": 4.0})
    f = pool.funnel(inputs, custom)
    assert_allclose(f.loc["AAA", "rate"], 0.02)
    assert_allclose(f.loc["BBB", "rate"], 0.04)
    aged = pool.Indication("onc", "Oncology", "age_driven", 40, 100, prevalence_pct=1.0)
    g = pool.funnel(inputs, aged)
    ref = pool.reference_share65(inputs)  # population-weighted: (20 + 20 + 10) / 3
    assert_allclose(ref, 50 / 3)
    assert_allclose(g.loc["AAA", "rate"], 0.01 * 20 / ref)
    assert g.loc["AAA", "rate"] > g.loc["BBB", "rate"]  # older country, larger prevalence


@pytest.mark.parametrize(
    "kwargs",
    [dict(kind="nonsense"), dict(unit="weekly"), dict(age_low=50, age_high=40),
     dict(kind="custom"), dict(diagnosed_share=1.5)],
)
def test_invalid_indications_are_refused(kwargs):
    base = dict(id="x", name="X", kind="indicator", age_low=0, age_high=10, metric="M")
    with pytest.raises(ValueError):
        pool.Indication(**(base | kwargs))


@settings(max_examples=60, deadline=None)
@given(low=st.floats(0.01, 50), factor=st.floats(1.0, 3.0),
       eligibility=st.floats(0.0, 1.0))
def test_a_larger_prevalence_never_shrinks_the_pool(low, factor, eligibility):
    inputs = make_inputs()
    small = pool.Indication("a", "A", "custom", 18, 80, prevalence_pct=low)
    large = pool.Indication("b", "B", "custom", 18, 80, prevalence_pct=min(low * factor, 100))
    fs = pool.funnel(inputs, small, eligibility)
    fl = pool.funnel(inputs, large, eligibility)
    for step in pool.FUNNEL:
        assert (fl[step] >= fs[step] - 1e-9).all(), step


@settings(max_examples=60, deadline=None)
@given(s0=st.floats(0, 60), s2=st.floats(0, 40), low=st.integers(0, 100),
       width=st.integers(0, 100))
def test_band_share_is_a_share_and_grows_with_the_band(s0, s2, low, width):
    s1 = max(0.0, 100 - s0 - s2)
    frame = shares(s0, s1, s2)
    narrow = pool.band_share(frame, low, low + width).iloc[0]
    wide = pool.band_share(frame, low, low + width + 5).iloc[0]
    assert -1e-12 <= narrow <= wide + 1e-12 <= 1 + 1e-9


def test_real_data_funnel_is_ordered(con):
    from footprint.data import model_inputs
    inputs = model_inputs.load_inputs(con)
    for indication in pool.catalogue(inputs).values():
        f = pool.funnel(inputs, indication).dropna(subset=["reachable_patients"])
        assert len(f) > 100, indication.id
        for upper, lower in zip(pool.FUNNEL, pool.FUNNEL[1:], strict=False):
            assert (f[lower] <= f[upper] + 1e-6).all(), (indication.id, lower)


def test_subnational_funnel_applies_the_country_rates_to_urban_reach():
    import pandas as pd
    inputs = make_inputs()
    country = pool.funnel(inputs, pool.catalogue(inputs)["type2_diabetes"], 0.2).loc["AAA"]
    units = pd.DataFrame({"unit_code": ["X.A", "X.B"], "urban_population": [1000.0, 0.0]})
    out = pool.subnational_funnel(country, units)
    band = 0.5 * 45 / 50 + 0.2 * 15 / 25
    assert_allclose(out["eligible_patients"], [1000 * band * 0.10 * 0.5 * 0.2, 0.0])
    assert list(out["unit_code"]) == ["X.A", "X.B"]
