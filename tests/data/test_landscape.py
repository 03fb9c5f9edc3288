"""The trial landscape: the registry-name crosswalk, the NCT-number year map, the per-country
counts against a direct count over the shipped registry file, the derived files current with
the registry, ``make data`` stopping on a missing or broken registry, and a build without (or
with a broken) derived file."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pycountry
import pytest
from numpy.testing import assert_allclose

from footprint.data import landscape, queries
from footprint.data.database import LANDSCAPE_FILES, build_database, derive_landscape
from footprint.data.model_inputs import load_inputs
from footprint.errors import DataFileError
from footprint.paths import DATA_DIR

REGISTRY = DATA_DIR / landscape.REGISTRY_FILE


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return pd.read_parquet(REGISTRY)


@pytest.fixture(scope="module")
def overrides() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / landscape.NAMES_FILE, keep_default_na=False)


def direct_studies(registry: pd.DataFrame) -> pd.Series:
    """Distinct NCT ids per registry name over the rows not removed (pandas, not the build)."""
    kept = registry[~registry["removed"] & registry["country"].notna()]
    return kept.groupby("country")["nct_id"].nunique()


def test_every_registry_name_with_more_than_100_studies_maps(registry, overrides):
    studies = direct_studies(registry)
    big = studies[studies > 100].index
    table = landscape.crosswalk(big, overrides).set_index("registry_name")
    assert len(big) > 100
    assert table["iso3"].notna().all(), table[table["iso3"].isna()]
    assert set(table["basis"]) <= {"pycountry", "override"}


@pytest.mark.parametrize(("name", "iso3", "basis"), [
    ("Korea, Republic of", "KOR", "pycountry"),
    ("Russian Federation", "RUS", "pycountry"),
    ("Czech Republic", "CZE", "pycountry"),
    ("Czechia", "CZE", "pycountry"),
    ("Côte D'Ivoire", "CIV", "pycountry"),
    ("Turkey", "TUR", "override"),
    ("Kosovo", "XKX", "override"),
    ("Former Serbia and Montenegro", "SRB", "override"),
    ("Former Yugoslavia", None, "not attributed"),
    ("Atlantis", None, "unmatched"),
])
def test_crosswalk_known_names(overrides, name, iso3, basis):
    row = landscape.crosswalk([name], overrides).iloc[0]
    assert (row["iso3"], row["basis"]) == (iso3, basis)
    assert row["note"]


def test_every_override_is_needed_and_noted(registry, overrides):
    names = set(registry["country"].dropna())
    for _, row in overrides.iterrows():
        assert row["registry_name"] in names, row["registry_name"]
        assert row["note"].strip()
        try:
            found = pycountry.countries.lookup(row["registry_name"]).alpha_3
        except LookupError:
            found = None
        if row["iso3"]:  # an empty one records a decision (not attributed) with its note
            assert found != row["iso3"], f"{row['registry_name']}: pycountry knows it"
        assert row["iso3"] == "" or row["iso3"] == "XKX" or pycountry.countries.get(
            alpha_3=row["iso3"]) is not None


def test_the_build_report_lists_every_name(con, registry):
    names = queries.run(con, "landscape_names")
    kept = registry[~registry["removed"]]
    assert set(names["registry_name"]) == set(kept["country"].dropna())
    assert set(names["basis"]) <= set(landscape.BASES)
    unattributed = names[names["iso3"].isna()]
    assert set(unattributed["registry_name"]) == {"Former Yugoslavia", "Netherlands Antilles"}
    rows = kept.groupby("country").size()
    assert (names.set_index("registry_name")["rows"].reindex(rows.index) == rows).all()


def test_landscape_counts_equal_a_direct_count_over_the_file(con, registry, overrides):
    meta = queries.run(con, "landscape_meta").iloc[0]
    built = queries.run(con, "landscape").set_index("iso3")
    kept = registry[~registry["removed"] & registry["country"].notna()].copy()
    mapping = landscape.crosswalk(kept["country"].unique(), overrides)
    kept["iso3"] = kept["country"].map(mapping.set_index("registry_name")["iso3"])
    kept["place"] = kept["iso3"].fillna(kept["country"])
    pairs = kept.drop_duplicates(["nct_id", "place"])
    countries_per_study = pairs.groupby("nct_id")["place"].nunique()
    pairs = pairs[pairs["iso3"].notna()].copy()
    pairs["multinational"] = pairs["nct_id"].map(countries_per_study) >= 2
    pairs["recent"] = landscape.nct_number(pairs["nct_id"]) >= meta["recent_from_nct"]
    direct = pairs.groupby("iso3").agg(studies=("nct_id", "size"),
                                       studies_recent=("recent", "sum"),
                                       multinational_studies=("multinational", "sum"))
    on_map = direct.index.intersection(built.index)
    assert len(on_map) > 200
    for column in direct.columns:
        assert (built.loc[on_map, column] == direct.loc[on_map, column]).all(), column
    assert built.at["USA", "studies"] == kept.loc[kept["country"] == "United States",
                                                   "nct_id"].nunique()
    assert built.at["CZE", "studies"] == kept.loc[kept["country"].isin(
        ["Czech Republic", "Czechia"]), "nct_id"].drop_duplicates().size
    absent = built.index.difference(direct.index)  # on the map, no registry row: a true 0
    assert (built.loc[absent, "studies"] == 0).all()
    assert_allclose(built["studies_per_million"],
                    built["studies"] / built["population"] * 1e6)


def test_year_map_knots_are_bin_medians_made_monotone():
    days = np.array(["2001-01-01", "2001-01-03", "2001-01-31", "2001-01-29", "2001-01-11",
                     "2001-01-13", "2001-02-10", "2001-02-12"], dtype="datetime64[D]")
    fit = landscape.fit_year_map(np.array([10, 20, 30, 40, 50, 60, 70, 80]), days, bins=4)
    day = (np.datetime64("2001-01-01") - np.datetime64("1970-01-01")).astype(float)
    assert_allclose(fit.numbers, [15, 35, 55, 75])
    assert_allclose(fit.days - day, [1, 29, 29, 41])  # bin 3's median (11) lifted to 29
    assert_allclose(fit.predict(np.array([0, 25, 65, 99])) - day, [1, 15, 35, 41])
    assert fit.first_number_from(date(2001, 1, 16)) == 25  # 15 + (15 - 1) / 28 * 20
    assert fit.first_number_from(date(2000, 1, 1)) == 15


def test_a_linear_sample_is_reproduced_exactly():
    numbers = np.arange(1_000, 101_000, 100)
    days = np.datetime64("2000-01-01") + (numbers // 100).astype("timedelta64[D]")
    fit = landscape.fit_year_map(numbers, days, bins=50)
    origin = (np.datetime64("2000-01-01") - np.datetime64("1970-01-01")).astype(float)
    inside = np.array([20_000, 55_550, 80_000])
    assert_allclose(fit.predict(inside), origin + inside / 100)


def test_year_map_fits_the_sample_closely():
    sample = pd.read_parquet(DATA_DIR / landscape.SAMPLE_FILE)
    numbers = landscape.nct_number(sample["nct_id"])
    submitted = pd.to_datetime(sample["study_first_submitted_date"]).to_numpy("datetime64[D]")
    fit = landscape.fit_year_map(numbers, submitted)
    assert (np.diff(fit.days) >= 0).all()
    errors = landscape.holdout_errors(numbers, submitted, date(2018, 11, 1))
    assert errors["median_abs_error_days"] < 31
    assert errors["window_misclassified_share"] < 0.01


@pytest.mark.parametrize(("snapshot", "years", "start"), [
    ("2023-10", 5, date(2018, 11, 1)), ("2023-12", 5, date(2019, 1, 1)),
    ("2020-01", 1, date(2019, 2, 1))])
def test_window_is_the_last_whole_months(snapshot, years, start):
    assert landscape.window_from(snapshot, years) == start


def tiny_con(countries: pd.DataFrame, tmp_path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    path = tmp_path / landscape.REGISTRY_FILE
    countries.to_parquet(path)
    landscape.load_registry(con, path)
    con.execute("CREATE TABLE src_aact_studies AS SELECT * FROM read_parquet($p)",
                {"p": str(DATA_DIR / landscape.SAMPLE_FILE)})
    con.execute("CREATE TABLE src_aact_names AS SELECT * FROM read_csv($p, header = true)",
                {"p": str(DATA_DIR / landscape.NAMES_FILE)})
    return con


def test_an_unknown_name_is_warned_about_and_kept_in_the_report(tmp_path):
    con = tiny_con(pd.DataFrame({"nct_id": ["NCT00000001", "NCT00000002"],
                                 "country": ["Brazil", "Atlantis"], "removed": [False, False]}),
                   tmp_path)
    with pytest.warns(landscape.UnmatchedNamesWarning, match="Atlantis"):
        derived = landscape.derive(con)
    report = derived.landscape_names.set_index("registry_name")
    assert report.at["Atlantis", "basis"] == "unmatched" and report.at["Brazil", "iso3"] == "BRA"


@pytest.mark.parametrize(("frame", "message"), [
    (pd.DataFrame({"nct_id": ["NCT00000001"], "country": ["Brazil"], "removed": ["no"]}),
     "column removed is VARCHAR, not BOOLEAN"),
    (pd.DataFrame({"nct_id": ["NCT1", "NCT00000002"], "country": ["Brazil", "Peru"],
                   "removed": [False, False]}), "1 rows with an nct_id that is not"),
])
def test_a_malformed_registry_is_refused_by_name(frame, message, tmp_path):
    with pytest.raises(DataFileError, match=f"{landscape.REGISTRY_FILE}.*{message}"):
        tiny_con(frame, tmp_path)


def data_without(tmp_path, filename, replacement=None):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns(".cache"))
    (target / filename).unlink()
    if replacement is not None:
        replacement.to_parquet(target / filename)
    return target


def test_the_derived_files_are_current_with_the_registry(tmp_path):
    """Regenerating the derived files from the raw files in data/ gives the shipped content
    (so nobody edits them by hand or forgets ``make data``)."""
    landscape.write_derived(derive_landscape(DATA_DIR), tmp_path)
    for filename in landscape.DERIVED_FILES.values():
        pd.testing.assert_frame_equal(pd.read_parquet(DATA_DIR / filename),
                                      pd.read_parquet(tmp_path / filename), check_exact=True,
                                      obj=f"{filename} (run make data)")


@pytest.mark.parametrize(("replacement", "message"), [
    (None, "is missing"),
    (pd.DataFrame({"nct_id": ["NCT00000001"], "country": ["Brazil"]}), "lacks the column"),
    (pd.DataFrame({"nct_id": ["NCT0000001x"], "country": ["Brazil"], "removed": [False]}),
     "1 rows with an nct_id that is not"),
])
def test_make_data_stops_on_a_missing_or_malformed_registry(tmp_path, replacement, message):
    data = data_without(tmp_path, landscape.REGISTRY_FILE, replacement)
    with pytest.raises(DataFileError, match=f"{landscape.REGISTRY_FILE}.*{message}"):
        derive_landscape(data)


def broken_countries(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="studies_recent")


def retyped_countries(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(studies=frame["studies"].astype(str))


def unavailable_meta(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(available=False)


@pytest.mark.parametrize(("table", "edit", "message"), [
    ("landscape", None, "is missing"),
    ("landscape_names", None, "is missing"),
    ("landscape", broken_countries, "is malformed: columns"),
    ("landscape", retyped_countries, "column studies is VARCHAR, not BIGINT"),
    ("landscape_meta", unavailable_meta, "not one row of an available landscape"),
])
def test_the_database_builds_without_the_landscape_and_says_why(tmp_path, table, edit, message):
    filename = landscape.DERIVED_FILES[table]
    replacement = None if edit is None else edit(pd.read_parquet(DATA_DIR / filename))
    data = data_without(tmp_path, filename, replacement)
    (data / landscape.REGISTRY_FILE).unlink()  # the build never reads the registry
    con = build_database(data)
    meta = queries.run(con, "landscape_meta").iloc[0]
    assert not meta["available"]
    assert filename in meta["reason"] and message in meta["reason"]
    inputs = load_inputs(con)
    assert inputs.landscape.empty and not inputs.landscape_meta["available"]
    assert queries.run(con, "landscape_names").empty
    assert len(inputs.countries) > 200  # the rest of the database is whole


def test_every_landscape_file_is_documented():
    sources = (DATA_DIR / "SOURCES.md").read_text()
    for filename in (landscape.REGISTRY_FILE, *(s.filename for s in LANDSCAPE_FILES),
                     *landscape.DERIVED_FILES.values()):
        assert f"`{filename}`" in sources
    assert "ClinicalTrials.gov (NLM) via AACT, snapshot 2023-10" in sources
