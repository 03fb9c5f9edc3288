"""A custom indication with the same rate table as a built-in one gives the same funnel
(exactly), and its pool is labelled with the user's source."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from footprint.data.model_inputs import load_inputs
from footprint.io import indications as io
from footprint.model import pool

SAME = [*pool.FUNNEL, "population", "band_share", "band_basis", "rate", "crude_rate",
        "rate_step", "diagnosed_share", "urban_share", "pool_year", "population_year"]


@pytest.fixture(scope="module")
def inputs(database):
    return load_inputs(database.cursor())


def as_custom(inputs, built_in: pool.Indication, unit: str) -> pool.Indication:
    """The built-in indication's own rate table, uploaded as a user's definition."""
    values = inputs.values[built_in.metric].dropna()
    years = inputs.years[built_in.metric]
    rows = [{"iso3": iso3, "rate": float(v), "unit": unit, "year": int(years[iso3]),
             "source": "copied from the World Bank"} for iso3, v in values.items()]
    definition = io.definition_from_dict(
        {"id": "my_copy_abc123", "name": built_in.name, "age_low": built_in.age_low,
         "age_high": built_in.age_high, "sex": built_in.sex, "kind": built_in.unit,
         "diagnosed_share": built_in.diagnosed_share, "rates": rows},
        set(inputs.countries.index))
    return io.to_indication(io.from_json(io.to_json(definition)))  # as stored and read back


@pytest.mark.parametrize(("indication", "unit"), [("tuberculosis", "per_100000"),
                                                   ("hiv", "percent")])
def test_the_same_rate_table_gives_the_same_funnel(inputs, indication, unit):
    built_in = pool.catalogue(inputs)[indication]
    assert built_in.rate_basis == "crude" and built_in.diagnosed_metric is None
    custom = as_custom(inputs, built_in, unit)
    expected = pool.funnel(inputs, built_in, 0.3)
    got = pool.funnel(inputs, custom, 0.3)
    assert expected["reachable_patients"].notna().sum() > 100
    pd.testing.assert_frame_equal(got[SAME], expected[SAME], check_exact=True,
                                  check_dtype=False)
    listed = expected["rate"].notna()
    assert (got.loc[listed, "pool_source"] == "your data: copied from the World Bank, "
            + got.loc[listed, "pool_year"].astype(int).astype(str)).all()
    assert (got.loc[~listed, "pool_source"]
            == "missing: this country is not in your table").all()


def test_one_rate_for_all_countries_carries_its_source_and_year(inputs):
    definition = io.definition_from_dict(
        {"name": "Glioblastoma", "age_low": 18, "age_high": None, "sex": "female",
         "kind": "incident_per_year", "diagnosed_share": 0.9, "rate": 3.2,
         "unit": "per_100000", "year": 2022, "source": "CBTRUS 2022"},
        set(inputs.countries.index))
    got = pool.funnel(inputs, io.to_indication(definition), 1.0)
    assert (got["pool_source"] == "your data: CBTRUS 2022, 2022").all()
    assert (got["pool_year"] == 2022).all()
    np.testing.assert_allclose(got["rate"], 3.2e-5)
    bra = got.loc["BRA"]
    np.testing.assert_allclose(bra["prevalent_patients"],
                               bra["population"] * bra["band_share"] * 3.2e-5)
    np.testing.assert_allclose(bra["diagnosed_patients"], bra["prevalent_patients"] * 0.9)


def test_with_indications_puts_a_custom_one_in_the_catalogue(inputs):
    built_in = pool.catalogue(inputs)["tuberculosis"]
    custom = as_custom(inputs, built_in, "per_100000")
    extended = pool.with_indications(inputs, [custom])
    assert pool.catalogue(extended)["my_copy_abc123"] == custom
    assert list(pool.catalogue(extended))[:-1] == list(pool.catalogue(inputs))
    assert pool.with_indications(inputs, []) is inputs
    with pytest.raises(ValueError, match="given twice"):
        pool.with_indications(extended, [custom])
