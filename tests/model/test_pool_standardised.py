"""Indirect standardisation: an age-standardised rate to each country's crude rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from footprint.data import model_inputs, queries
from footprint.model import pool

GROUPS = [(0, 10), (10, 20), (20, 30)]


def groups(values, column):
    return pd.DataFrame({"age_low": [lo for lo, _ in GROUPS],
                         "age_high": [hi for _, hi in GROUPS], column: values})


def population(**countries):
    """Long age-sex frame: each country's people per group, half of them women."""
    rows = [{"iso3": iso3, "sex": sex, "age_low": lo, "age_high": hi, "population": n / 2}
            for iso3, people in countries.items()
            for (lo, hi), n in zip(GROUPS, people, strict=True) for sex in ("female", "male")]
    return pd.DataFrame(rows)


PATTERN = groups([0.1, 0.2, 0.4], "prevalence")
STANDARD = groups([1.0, 1.0, 2.0], "weight")


def crude(rate, people, pattern=PATTERN, standard=STANDARD):
    return pool.standardised_to_crude(pd.Series(rate), people, pattern, standard, 0, 29)


def test_a_country_with_the_standard_age_structure_gets_the_standardised_rate():
    out = crude({"STD": 0.11, "BIG": 0.2}, population(STD=[10, 10, 20], BIG=[1e6, 1e6, 2e6]))
    assert_allclose(out, [0.2, 0.11], rtol=1e-12)  # sorted by iso3: BIG, STD


def test_a_pattern_flat_in_age_gives_the_standardised_rate_to_every_country():
    flat = groups([0.3, 0.3, 0.3], "prevalence")
    out = crude({"OLD": 0.08, "YNG": 0.15}, population(OLD=[1, 2, 50], YNG=[50, 2, 1]), flat)
    assert_allclose(out[["OLD", "YNG"]], [0.08, 0.15], rtol=1e-12)


def test_an_older_country_has_a_higher_crude_rate_and_a_younger_one_lower():
    out = crude({"OLD": 0.11, "YNG": 0.11}, population(OLD=[10, 10, 60], YNG=[60, 10, 10]))
    assert out["OLD"] > 0.11 > out["YNG"]


def test_three_groups_by_hand():
    """S = (0.1 + 0.2 + 2 * 0.4) / 4 = 0.275; k = 0.11 / 0.275 = 0.4; the country's rates
    are 0.04, 0.08, 0.16 on 30, 20, 10 people: (1.2 + 1.6 + 1.6) / 60."""
    out = crude({"AAA": 0.11}, population(AAA=[30, 20, 10]))
    assert_allclose(out["AAA"], 4.4 / 60, rtol=1e-12)


def test_one_sex_counts_that_sex_only():
    people = population(AAA=[30, 20, 10])
    people.loc[(people["sex"] == "female") & (people["age_low"] == 20), "population"] = 50
    women = pool.standardised_to_crude(pd.Series({"AAA": 0.11}), people, PATTERN, STANDARD,
                                       0, 29, "female")
    assert_allclose(women["AAA"], (15 * 0.04 + 10 * 0.08 + 50 * 0.16) / 75, rtol=1e-12)


def test_the_age_specific_rate_is_capped_at_one():
    out = crude({"AAA": 0.9}, population(AAA=[0, 0, 10]))  # k p = 0.9 / 0.275 * 0.4 > 1
    assert_allclose(out["AAA"], 1.0)


def test_a_missing_rate_stays_missing_and_an_uncovered_band_is_refused():
    out = crude({"AAA": np.nan}, population(AAA=[1, 1, 1]))
    assert np.isnan(out["AAA"])
    with pytest.raises(ValueError, match="does not cover ages 0-39"):
        pool.standardised_to_crude(pd.Series({"AAA": 0.1}), population(AAA=[1, 1, 1]),
                                   PATTERN, STANDARD, 0, 39)


@pytest.fixture(scope="module")
def inputs(database):
    return model_inputs.load_inputs(database.cursor())


def test_the_shipped_patterns_cover_their_bands_and_name_their_standard(con):
    patterns = queries.run(con, "age_patterns")
    weights = queries.run(con, "standard_weights")
    assert set(patterns["standard"]) <= set(weights["standard"])
    assert patterns["prevalence"].between(0, 1).all()
    assert patterns[["publisher", "source", "table", "url"]].notna().all().all()
    world = weights[weights["standard"] == "un_world_2025"]
    assert len(world) == 21 and (world["weight"] > 0).all()  # 0-4 ... 95-99, 100+


@pytest.mark.parametrize("indication", ["type2_diabetes", "hypertension"])
def test_old_japan_counts_more_and_young_india_fewer_than_the_standardised_rate(inputs,
                                                                              indication):
    f = pool.funnel(inputs, pool.catalogue(inputs)[indication])
    assert f.at["JPN", "crude_rate"] > f.at["JPN", "rate"]
    assert f.at["IND", "crude_rate"] < f.at["IND", "rate"]
    assert_allclose(f["prevalent_patients"], f["population_in_band"] * f["crude_rate"])
    assert "-> crude" in f.at["JPN", "rate_step"] and "NHANES" in f.at["JPN", "rate_step"]
    no_wpp = f.index.difference(inputs.age_sex["iso3"].unique())
    assert len(no_wpp) > 0
    assert_allclose(f.loc[no_wpp, "crude_rate"], f.loc[no_wpp, "rate"])
    assert f.loc[no_wpp, "rate_step"].str.contains("no WPP age data").all()
