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
        (65, None, 0.20),  # an open band
        (0, 120, 1.00),
        (20, 79, 0.50 * 45 / 50 + 0.20 * 15 / 25),  # diabetes band
        (30, 79, 0.50 * 35 / 50 + 0.20 * 15 / 25),  # hypertension band
        (15, 49, 0.50 * 35 / 50),
    ],
)
def test_broad_band_share_known_values(low, high, expected):
    assert_allclose(pool.broad_band_share(shares(30, 50, 20), low, high).iloc[0], expected)


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
     dict(kind="custom"), dict(diagnosed_share=1.5), dict(sex="women"),
     dict(rate_basis="standardised"), dict(age_low=-1, age_high=None)],
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
def test_broad_band_share_is_a_share_and_grows_with_the_band(s0, s2, low, width):
    s1 = max(0.0, 100 - s0 - s2)
    frame = shares(s0, s1, s2)
    narrow = pool.broad_band_share(frame, low, low + width).iloc[0]
    wide = pool.broad_band_share(frame, low, low + width + 5).iloc[0]
    assert -1e-12 <= narrow <= wide + 1e-12 <= 1 + 1e-9


def test_real_data_funnel_is_ordered(con):
    from footprint.data import model_inputs
    inputs = model_inputs.load_inputs(con)
    for indication in pool.catalogue(inputs).values():
        f = pool.funnel(inputs, indication).dropna(subset=["reachable_patients"])
        assert len(f) > 100, indication.id
        for upper, lower in zip(pool.FUNNEL, pool.FUNNEL[1:], strict=False):
            assert (f[lower] <= f[upper] + 1e-6).all(), (indication.id, lower)


def tiny_country(population=1e6, urban_share=0.5):
    """Country AAA's funnel with its population [people] and urban share [0-1] set."""
    inputs = make_inputs()
    country = pool.funnel(inputs, pool.catalogue(inputs)["type2_diabetes"], 0.2).loc["AAA"]
    country["population"], country["urban_share"] = population, urban_share
    return country


def test_subnational_funnel_shares_the_country_out_by_reach():
    import pandas as pd
    country = tiny_country()
    units = pd.DataFrame({"unit_code": ["X.A", "X.B", "X.C"],
                          "urban_population": [300_000.0, 100_000.0, 0.0]})
    out = pool.subnational_funnel(country, units)
    assert_allclose(out["share"], [0.75, 0.25, 0.0])
    for column in pool.FUNNEL:  # the units add up to the country, each by its share
        assert_allclose(out[column], country[column] * out["share"])
        assert_allclose(out[column].sum(), country[column])
    assert_allclose(out["reach"], units["urban_population"])  # below the urban 500,000
    assert (out["rate"] == country["rate"]).all()
    assert list(out["unit_code"]) == ["X.A", "X.B", "X.C"]


def test_reach_is_scaled_down_to_the_urban_population_never_up():
    import pandas as pd
    units = pd.DataFrame({"unit_code": ["X.A", "X.B"], "urban_population": [600_000.0, 200_000.0]})
    out = pool.subnational_funnel(tiny_country(1e6, 0.5), units)
    assert_allclose(out["reach"], [375_000.0, 125_000.0])  # 800,000 places > 500,000 urban
    assert_allclose(out["share"], [0.75, 0.25])  # the key is unchanged by the scale
    none = pool.subnational_funnel(tiny_country(), units.assign(urban_population=0.0))
    assert none["share"].isna().all() and none["eligible_patients"].isna().all()


TOKYO_CENSUS_2020 = 14_047_594  # Statistics Bureau of Japan, 2020 Population Census
NEW_YORK_CENSUS_2020 = 20_201_249  # US Census Bureau, 2020 Census apportionment counts


@pytest.fixture(scope="module")
def shared_out(database):
    from footprint.data import atlas, model_inputs
    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    country = pool.funnel(inputs, pool.catalogue(inputs)["type2_diabetes"])
    units = {iso3: pool.subnational_funnel(country.loc[iso3], atlas.subnational_units(con, iso3))
             for iso3 in pool.SUBNATIONAL_COUNTRIES}
    con.close()
    return country, units


@pytest.mark.parametrize("iso3", pool.SUBNATIONAL_COUNTRIES)
def test_real_units_add_up_to_their_country(shared_out, iso3):
    country, units = shared_out
    frame = units[iso3].set_index("unit_code")
    for column in pool.FUNNEL:
        assert_allclose(frame[column].sum(), country.at[iso3, column], rtol=1e-9)
    urban = country.at[iso3, "population"] * country.at[iso3, "urban_share"]
    assert frame["reach"].sum() <= urban * (1 + 1e-9)  # no more than the urban population


def test_real_reach_stays_below_the_census(shared_out):
    _, units = shared_out
    reach = {iso3: frame.set_index("unit_code")["reach"] for iso3, frame in units.items()}
    assert 10e6 < reach["JPN"]["JP.TK"] < TOKYO_CENSUS_2020  # raw GeoNames sum: 23.4 M
    assert 10e6 < reach["USA"]["US.NY"] < NEW_YORK_CENSUS_2020  # raw GeoNames sum: 27.7 M
    assert reach["JPN"].sum() < 124e6  # Japan's places summed 141 M before districts went
