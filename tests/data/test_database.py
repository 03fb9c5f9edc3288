"""Data contracts on the built database (dbt-style), the crosswalk, broken-file errors, and the
kept database file (content-hashed, atomic, read-only)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pandas as pd
import pytest

from footprint.data import atlas, database, queries
from footprint.data.database import (
    DATA_DIR,
    SOURCE_FILES,
    DataFileError,
    build_database,
    open_database,
)

SIX_REGIONS = {"United States", "European Union", "Japan", "India", "Latin America",
               "Eastern Europe"}
WB_AGGREGATES = {"EUU", "LCN", "WLD", "ECS", "EAS", "SAS", "SSF", "MEA", "NAC", "HIC", "LMY",
                 "OED", "ARB", "EMU", "AFE", "AFW", "IBD", "IDA", "LDC", "FCS"}


def scalar(con, sql, params=None):
    return con.execute(sql, params or {}).fetchone()[0]


def test_keys_are_unique_and_not_null(con):
    assert scalar(con, "SELECT count(*) - count(DISTINCT iso3) FROM countries") == 0
    assert scalar(con, "SELECT count(*) FROM countries WHERE iso3 IS NULL OR geom IS NULL") == 0
    dupes = """SELECT count(*) FROM (SELECT iso3, indicator, year FROM indicator_values
               GROUP BY ALL HAVING count(*) > 1)"""
    assert scalar(con, dupes) == 0
    assert scalar(con, "SELECT count(*) - count(DISTINCT unit_code) FROM subnational_units") == 0


def test_six_regions_with_expected_sizes(con):
    members = atlas.regions(con)
    assert set(members) == SIX_REGIONS
    assert len(members["European Union"]) == 27
    assert len(members["Eastern Europe"]) == 23
    assert len(members["Latin America"]) == 20
    assert members["United States"] == ["USA"]
    assert "MLT" in members["European Union"]  # the 1:50m file has Malta
    assert "XKX" in members["Eastern Europe"]
    # a country may belong to several regions
    assert "POL" in members["European Union"] and "POL" in members["Eastern Europe"]


def test_every_region_country_has_geometry_and_population(con):
    latest = atlas.latest_indicators(con)
    population = latest[latest["indicator"] == "SP.POP.TOTL"].set_index("iso3")["value"]
    shapes = atlas.country_shapes(con).set_index("iso3")
    for region, codes in atlas.regions(con).items():
        for iso3 in codes:
            assert not shapes.loc[iso3, "geometry"].is_empty, (region, iso3)
            assert population.get(iso3, float("nan")) > 0, (region, iso3)


def test_no_world_bank_aggregate_reaches_country_tables(con):
    codes = {r[0] for r in con.execute("SELECT DISTINCT iso3 FROM indicator_values").fetchall()}
    assert not codes & WB_AGGREGATES
    assert not any(code.startswith("OWID") for code in codes)
    assert codes <= {r[0] for r in con.execute("SELECT iso3 FROM countries").fetchall()}


def test_indicator_values_lie_in_their_plausible_range(con):
    sql = """
        SELECT v.iso3, v.indicator, v.year, v.value
        FROM indicator_values v JOIN src_indicators c USING (indicator)
        WHERE v.value < c.plausible_min OR v.value > c.plausible_max
    """
    assert con.execute(sql).df().empty


@pytest.mark.parametrize(
    ("iso3", "indicator"),
    [
        ("ROU", "WGI.RQ"),  # WGI's ROM
        ("COD", "WGI.RL"),  # WGI's ZAR
        ("AND", "WGI.RQ"),  # WGI's ADO
        ("TLS", "WGI.RL"),  # WGI's TMP
        ("XKX", "WGI.RQ"),  # WGI's KSV
        ("XKX", "IT.NET.USER.ZS"),  # OWID_KOS
        ("XKX", "SP.POP.TOTL"),  # WDI's XKX
        ("FRA", "SP.POP.TOTL"),  # NE ISO_A3 is -99 for France
        ("NOR", "SP.POP.TOTL"),
        ("SSD", "SP.POP.TOTL"),  # NE's SDS
        ("PSE", "SP.POP.TOTL"),  # NE's PSX
        ("TWN", "WGI.GE"),
    ],
)
def test_crosswalk_brings_every_quirky_code_home(con, iso3, indicator):
    sql = "SELECT count(*) FROM indicator_values WHERE iso3 = $iso3 AND indicator = $ind"
    assert scalar(con, sql, {"iso3": iso3, "ind": indicator}) > 0


def test_legacy_codes_never_survive(con):
    legacy = {"ROM", "ZAR", "ADO", "TMP", "KSV", "KOS", "WBG", "SDS", "PSX"}
    codes = {r[0] for r in con.execute(
        "SELECT iso3 FROM countries UNION SELECT iso3 FROM indicator_values").fetchall()}
    assert not codes & legacy


def test_taiwan_has_geometry_and_governance_but_no_world_bank_data(con):
    latest = atlas.latest_indicators(con).set_index(["iso3", "indicator"])
    assert pd.isna(latest.loc[("TWN", "SP.POP.TOTL"), "value"])  # missing, never zero
    assert latest.loc[("TWN", "WGI.RQ"), "value"] > 0
    assert "World Bank" in atlas.country_notes(con)["TWN"]


def test_latest_value_is_the_most_recent_year_and_staleness_follows_age(con):
    latest = atlas.latest_indicators(con, as_of_year=2025, max_age_years=5)
    row = latest[(latest.iso3 == "DEU") & (latest.indicator == "SP.POP.TOTL")].iloc[0]
    newest = scalar(con, """SELECT max(year) FROM indicator_values
                            WHERE iso3 = 'DEU' AND indicator = 'SP.POP.TOTL'""")
    assert row.year == newest
    htn = latest[(latest.iso3 == "DEU") & (latest.indicator == "NCD.HTN.PREV")].iloc[0]
    assert htn.year == 2019 and htn.age_years == 6 and htn.stale
    assert not atlas.latest_indicators(con, as_of_year=2025, max_age_years=6).query(
        "iso3 == 'DEU' and indicator == 'NCD.HTN.PREV'").stale.iloc[0]


def test_hypertension_is_the_mean_of_men_and_women_in_percent(con):
    raw = con.execute("SELECT htn_x, htn_y FROM src_ncdrisc WHERE Country_code = 'JPN'").fetchone()
    value = scalar(con, """SELECT value FROM indicator_values
                           WHERE iso3 = 'JPN' AND indicator = 'NCD.HTN.PREV'""")
    assert value == pytest.approx(100 * (raw[0] + raw[1]) / 2)


def test_subnational_reach_sums_located_cities(con):
    units = atlas.subnational_units(con, "USA")
    assert len(units) == 51  # 50 states + DC
    assert len(atlas.subnational_units(con, "JPN")) == 47
    california = units.set_index("unit_code").loc["US.CA"]
    cities = atlas.major_cities(con, "USA", 15_000)
    assert california.urban_population == cities[cities.unit_code == "US.CA"].population.sum()
    # New York City lies just outside the simplified coastline: the nearest-unit rule keeps it
    nyc = cities[cities.name == "New York City"].iloc[0]
    assert nyc.unit_code == "US.NY"
    assert scalar(con, "SELECT count(*) FROM cities WHERE unit_code IS NULL") == 0


def copy_data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns(".cache"))
    return target


def test_missing_file_is_named(tmp_path):
    data = copy_data(tmp_path)
    (data / "wgi_2024.parquet").unlink()
    with pytest.raises(DataFileError, match="wgi_2024.parquet is missing"):
        build_database(data)


def test_corrupt_file_is_named(tmp_path):
    data = copy_data(tmp_path)
    (data / "wdi_indicators.parquet").write_bytes(b"this is not parquet")
    with pytest.raises(DataFileError, match="wdi_indicators.parquet cannot be read"):
        build_database(data)


def test_missing_column_is_named(tmp_path):
    data = copy_data(tmp_path)
    (data / "regions.csv").write_text("region,country\nJapan,JPN\n")
    with pytest.raises(DataFileError, match=r"regions.csv lacks the column\(s\) \['iso3'\]"):
        build_database(data)


def test_every_source_file_is_shipped_and_documented():
    sources_md = (DATA_DIR / "SOURCES.md").read_text()
    for source in SOURCE_FILES:
        assert (DATA_DIR / source.filename).is_file()
        assert source.filename in sources_md, source.filename


def test_empty_file_is_named(tmp_path):
    data = copy_data(tmp_path)
    (data / "country_notes.csv").write_text("iso3,note\n")
    with pytest.raises(DataFileError, match="country_notes.csv holds no rows"):
        build_database(data)


def test_source_tables_hold_exactly_the_contract_columns(con):
    """With test_every_named_query_runs: every column a query reads is in the contract."""
    for source in SOURCE_FILES:
        assert con.table(source.table).columns == list(source.columns), source.table


@pytest.mark.parametrize("column", ["clock_note", "approval_note", "startup_note"])
def test_a_column_only_a_named_query_reads_is_checked_at_build(tmp_path, column):
    data = copy_data(tmp_path)
    path = data / "regulatory_startup.csv"
    pd.read_csv(path).drop(columns=column).to_csv(path, index=False)
    with pytest.raises(DataFileError,
                       match=rf"regulatory_startup.csv lacks the column\(s\) \['{column}'\]"):
        build_database(data)


def regions_of(con):
    return con.execute("SELECT count(*) FROM regions").fetchone()[0]


def test_the_database_file_is_kept_and_rebuilt_when_its_inputs_change(tmp_path):
    data = copy_data(tmp_path)
    con = open_database(data)
    kept = database.database_path(data)
    assert kept.parent == data / ".cache" and kept.is_file()
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("CREATE TABLE scratch (x INTEGER)")
    assert regions_of(con) == regions_of(build_database(data))
    con.close()
    built_at = kept.stat().st_mtime_ns
    open_database(data).close()
    assert kept.stat().st_mtime_ns == built_at  # opened, not rebuilt
    notes = data / "country_notes.csv"
    notes.write_text(notes.read_text() + "ZZZ,a note added after the first build\n")
    con = open_database(data)
    assert database.database_path(data) != kept and not kept.exists()  # the old build is gone
    assert "ZZZ" in atlas.country_notes(con)
    assert [p.name for p in (data / ".cache").iterdir()] == [database.database_path(data).name]


def test_concurrent_processes_build_once_each_and_read_whole_files(tmp_path):
    data = copy_data(tmp_path)
    script = ("import sys; from pathlib import Path; "
              "from footprint.data.database import open_database; "
              "con = open_database(Path(sys.argv[1])); "
              "print(con.execute('SELECT count(*) FROM indicator_values').fetchone()[0])")
    runs = [subprocess.Popen([sys.executable, "-c", script, str(data)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1
    assert [p.name for p in (data / ".cache").iterdir()] == [database.database_path(data).name]


def test_an_unwritable_cache_folder_falls_back_to_memory(tmp_path):
    data = copy_data(tmp_path)
    (data / ".cache").write_text("a file where the folder would be")  # even root cannot mkdir
    con = open_database(data)
    assert regions_of(con) > 0


def test_a_broken_file_is_named_when_opening_too(tmp_path):
    data = copy_data(tmp_path)
    (data / "wgi_2024.parquet").unlink()
    with pytest.raises(DataFileError, match="wgi_2024.parquet is missing"):
        open_database(data)
    (data / "wgi_2024.parquet").write_bytes(b"this is not parquet")
    with pytest.raises(DataFileError, match="wgi_2024.parquet cannot be read"):
        open_database(data)
    assert not list((data / ".cache").glob("*.duckdb"))  # no half-built file left behind


SPATIAL_LOADED = "SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'spatial'"


def test_reading_shapes_needs_no_spatial_extension():
    """What lets the CLI skip it (a fresh process: the extension loads per process)."""
    script = f"""
from footprint.data import atlas
from footprint.data.database import open_database
con = open_database(load_spatial=False)
print(len(atlas.country_shapes(con)) > 200, con.execute("{SPATIAL_LOADED}").fetchone()[0])
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "False"]


def test_spatial_queries_run_in_many_threads_at_once(database):
    """Loaded at open: loading it on demand while other threads query broke the database."""
    assert database.execute(SPATIAL_LOADED).fetchone()[0]

    def locate(site_id):
        with database.cursor() as cur:
            cur.register("uploaded_sites", pd.DataFrame(
                {"site_id": [site_id], "latitude": [48.85], "longitude": [2.35]}))
            queries.run(cur, "country_shapes")
            return queries.run(cur, "locate_sites")["located_country"].tolist()

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(locate, range(16))) == [["FRA"]] * 16


def test_spatial_queries_run_in_their_own_instance_beside_a_plain_one(tmp_path):
    """The app opens its database without the spatial extension; site lists are located in a
    separate instance that attaches the same kept file, so loading the extension there never
    touches the database other sessions read."""
    import shutil
    import threading

    import pandas as pd

    from footprint.data import queries
    from footprint.data.database import open_database, open_spatial, spatial_cursor
    from footprint.paths import DATA_DIR

    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns(".cache"))
    plain = open_database(data, load_spatial=False)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(50):
                plain.cursor().execute("SELECT count(*) FROM countries").fetchone()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    spatial = open_spatial(data)
    cur = spatial_cursor(spatial)
    cur.register("uploaded_sites", pd.DataFrame(
        {"site_id": [1, 2], "latitude": [48.85, 0.0], "longitude": [2.35, -30.0]}))
    located = queries.run(cur, "locate_sites")
    for thread in threads:
        thread.join()
    assert not errors
    assert list(located["located_country"].fillna("sea")) == ["FRA", "sea"]
    with pytest.raises(duckdb.CatalogException):
        plain.execute("SELECT ST_Point(1, 2)").fetchone()  # the plain instance never loaded it
