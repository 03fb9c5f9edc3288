"""UN WPP 2019 age-sex table: the M49 -> ISO3 crosswalk, the 2025 extracts current with the WPP
files, and the built population_age_sex against the WPP files."""

from __future__ import annotations

import duckdb
import pandas as pd
import pycountry
import pytest
from numpy.testing import assert_allclose

from footprint.data import database, queries
from footprint.paths import DATA_DIR

NO_WPP_AGE_DATA = {"XKX"}
"""Region members WPP 2019 gives no age structure of (Kosovo is counted within Serbia)."""


@pytest.fixture(scope="module")
def crosswalk() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "wpp2019_m49_iso3.csv")


def test_crosswalk_is_pycountry_numeric_for_every_wpp_country(crosswalk):
    locations = duckdb.sql(
        "SELECT country_code, name FROM read_csv($p, delim='\t', header=true) "
        "WHERE location_type = 4", params={"p": str(DATA_DIR / "wpp2019_UNlocations.txt")}).df()
    assert crosswalk["m49"].is_unique and crosswalk["iso3"].is_unique
    unmapped = set(locations["country_code"]) - set(crosswalk["m49"])
    assert unmapped == {830}  # Channel Islands: no ISO 3166-1 code (WDI's CHI is not ISO)
    for m49, iso3 in zip(crosswalk["m49"], crosswalk["iso3"], strict=True):
        assert pycountry.countries.get(numeric=f"{m49:03d}").alpha_3 == iso3


def test_every_region_member_has_an_age_structure(con):
    members = set(pd.read_csv(DATA_DIR / "regions.csv")["iso3"])
    table = queries.run(con, "population_age_sex")
    assert members - set(table["iso3"]) == NO_WPP_AGE_DATA


def test_population_age_sex_contract(con):
    table = queries.run(con, "population_age_sex")
    assert not table.duplicated(["iso3", "sex", "age_low"]).any()
    assert table[["iso3", "sex", "age_low", "population", "share"]].notna().all().all()
    assert set(table["sex"]) == {"female", "male"}
    per_country = table.groupby("iso3")
    assert (per_country.size() == 2 * 21).all()  # 0-4 ... 95-99, 100+ for each sex
    assert_allclose(per_country["share"].sum(), 1.0, rtol=1e-12)
    assert table.loc[table["age_high"].isna(), "age_low"].eq(100).all()
    closed = table.dropna(subset=["age_high"])
    assert (closed["age_high"] - closed["age_low"]).eq(5).all()


def test_population_age_sex_equals_the_file(con):
    """Japan's women aged 75-79 in 2025: the 2025 column of popFprojMed (thousands)."""
    raw = duckdb.sql(
        "SELECT \"2025\" FROM read_csv($p, delim='\t', header=true) "
        "WHERE country_code = 392 AND age = '75-79'",
        params={"p": str(DATA_DIR / "wpp2019_popFprojMed.txt")}).fetchone()[0]
    table = queries.run(con, "population_age_sex").set_index(["iso3", "sex", "age_low"])
    assert_allclose(table.at[("JPN", "female", 75), "population"], 1000 * raw)


def test_the_2025_extracts_are_current_with_the_wpp_files():
    """Regenerating the extracts the build loads from the WPP files in data/ gives the shipped
    content (so nobody edits them by hand or forgets ``make data``)."""
    derived = database.derive_wpp(DATA_DIR)
    assert set(derived) == set(database.WPP_2025.values())
    for filename, frame in derived.items():
        pd.testing.assert_frame_equal(pd.read_parquet(DATA_DIR / filename), frame,
                                      check_exact=True, obj=f"{filename} (run make data)")
        assert len(frame) == 5250  # 250 locations x 21 age groups, every row of the file


def test_the_world_standard_is_the_sum_of_both_sexes_in_the_files(con):
    """UN world population 2025 (location 900), 65-69: men + women of the WPP files."""
    raw = sum(duckdb.sql(
        "SELECT \"2025\" FROM read_csv($p, delim='\t', header=true) "
        "WHERE country_code = 900 AND age = '65-69'",
        params={"p": str(DATA_DIR / name)}).fetchone()[0] for name in database.WPP_2025)
    weights = con.execute("SELECT weight FROM standard_weights WHERE standard = "
                          "'un_world_2025' AND age_low = 65").fetchone()[0]
    assert_allclose(weights, raw)
