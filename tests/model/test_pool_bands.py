"""Age bands and sex from the UN WPP 5-year groups: known values on hand-built structures and
on the real table, the fallback of countries with no WPP age data, and the rate step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from footprint.model import pool
from tests.tiny import make_inputs


def structure(iso3: str, groups: list[tuple[str, int, int | None, float]]) -> pd.DataFrame:
    """An age_sex frame of one country: (sex, age_low, age_high, share) rows."""
    return pd.DataFrame([{"iso3": iso3, "sex": sex, "age_low": low, "age_high": high,
                          "population": np.nan, "share": share}
                         for sex, low, high, share in groups])


# 10-year groups so that a band can end half-way inside one (WPP's are 5 years wide)
TEN_YEARS = structure("AAA", [
    ("female", 0, 10, 0.10), ("female", 10, 20, 0.15), ("female", 20, 30, 0.25),
    ("male", 0, 10, 0.20), ("male", 10, 20, 0.20), ("male", 20, None, 0.10),
])


@pytest.mark.parametrize(("low", "high", "sex", "expected"), [
    (0, 9, "both", 0.30),  # one whole group of each sex
    (0, 19, "female", 0.25),
    (20, 24, "female", 0.25 / 2),  # half a group gives half the group
    (5, 14, "male", 0.20 / 2 + 0.20 / 2),  # two halves
    (20, None, "male", 0.10),  # open band, open group
    (0, None, "both", 1.00),
    (20, 22, "female", 0.25 * 3 / 10),
])
def test_wpp_band_share_known_values(low, high, sex, expected):
    got = pool.wpp_band_share(TEN_YEARS, low, high, sex)
    assert_allclose(got["AAA"], expected)


def test_a_band_ending_inside_the_open_group_spreads_it_to_its_assumed_top():
    got = pool.wpp_band_share(TEN_YEARS, 20, 21, "male")  # [20, 22) of [20, WPP_OPEN_GROUP_TOP)
    assert_allclose(got["AAA"], 0.10 * 2 / (pool.WPP_OPEN_GROUP_TOP - 20))


def test_the_sexes_add_up_to_both():
    both = pool.wpp_band_share(TEN_YEARS, 5, 24, "both")
    parts = pool.wpp_band_share(TEN_YEARS, 5, 24, "female") + \
        pool.wpp_band_share(TEN_YEARS, 5, 24, "male")
    assert_allclose(both, parts)


def test_countries_without_wpp_data_fall_back_to_broad_bands_or_stay_missing():
    inputs = make_inputs()
    inputs = type(inputs)(**{f: getattr(inputs, f) for f in inputs.__slots__} | {
        "age_sex": TEN_YEARS})
    diabetes = pool.catalogue(inputs)["type2_diabetes"]
    shares = pool.band_shares(inputs, diabetes)
    assert_allclose(shares.at["AAA", "band_share"], 0.25 + 0.10 * 60 / 85)  # WPP
    assert shares.at["AAA", "band_basis"] == pool.WPP_BASIS
    assert_allclose(shares.at["BBB", "band_share"], pool.broad_band_share(
        inputs.values.loc[["BBB"]], 20, 79).iloc[0])  # no WPP rows: World Bank broad bands
    assert shares.at["BBB", "band_basis"] == pool.BROAD_BASIS
    women = pool.band_shares(inputs, pool.for_sex(diabetes, "female"))
    assert_allclose(women.at["AAA", "band_share"], 0.25)
    assert np.isnan(women.at["BBB", "band_share"])  # no silent zero, no guessed split
    assert women.at["BBB", "band_basis"] == pool.NO_SEX_BASIS
    funnel = pool.funnel(inputs, pool.for_sex(diabetes, "female"))
    assert np.isnan(funnel.at["BBB", "reachable_patients"])
    assert_allclose(funnel.at["AAA", "population_in_band"], 1_000_000 * 0.25)


@pytest.mark.parametrize("sex", ["female", "male"])
def test_for_sex_limits_an_indication(sex):
    inputs = make_inputs()
    diabetes = pool.catalogue(inputs)["type2_diabetes"]
    assert pool.for_sex(diabetes, sex).sex == sex
    assert pool.for_sex(diabetes, "both") is diabetes
    with pytest.raises(ValueError, match="both, female, male"):
        pool.for_sex(diabetes, "women")
    other = "male" if sex == "female" else "female"
    with pytest.raises(ValueError, match=f"limited to {sex}"):
        pool.for_sex(pool.for_sex(diabetes, sex), other)


def test_the_rate_step_says_how_the_rate_is_applied():
    inputs = make_inputs()
    known = pool.catalogue(inputs)
    f = pool.funnel(inputs, known["type2_diabetes"])
    assert "no published age pattern" in f.at["AAA", "rate_step"]
    assert_allclose(f["crude_rate"], f["rate"])  # applied as it is (visible assumption)
    tb = pool.funnel(inputs, known["tuberculosis"])
    assert tb.at["AAA", "rate_step"].startswith("crude rate")
    assert known["tuberculosis"].age_high is None  # open band: everyone
    assert_allclose(tb["band_share"], 1.0)
    women = pool.rate_step(pool.for_sex(known["tuberculosis"], "female"))
    assert "applied to females" in women


@pytest.fixture(scope="module")
def real(database):
    from footprint.data import model_inputs
    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    con.close()
    return inputs


@pytest.mark.parametrize(("iso3", "low", "high"), [("JPN", 20, 79), ("IND", 30, 79),
                                                   ("BRA", 15, 49), ("DEU", 0, 4)])
def test_real_band_share_equals_the_wpp_table_on_5_year_boundaries(real, iso3, low, high):
    rows = real.age_sex[(real.age_sex["iso3"] == iso3) & (real.age_sex["age_low"] >= low)
                        & (real.age_sex["age_low"] <= high)]
    direct = rows["population"].sum() / real.age_sex.loc[
        real.age_sex["iso3"] == iso3, "population"].sum()
    assert_allclose(pool.wpp_band_share(real.age_sex, low, high)[iso3], direct, rtol=1e-12)
    women = rows.loc[rows["sex"] == "female", "population"].sum() / real.age_sex.loc[
        real.age_sex["iso3"] == iso3, "population"].sum()
    assert_allclose(pool.wpp_band_share(real.age_sex, low, high, "female")[iso3], women,
                    rtol=1e-12)


def test_real_partial_group_takes_its_part(real):
    jpn = real.age_sex[real.age_sex["iso3"] == "JPN"]
    group = jpn.loc[jpn["age_low"] == 20, "share"].sum()  # 20-24, both sexes
    assert_allclose(pool.wpp_band_share(real.age_sex, 20, 21)["JPN"], group * 2 / 5)
