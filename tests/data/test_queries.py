"""The named-query loader: header checks, parameter refusals, and every query runs."""

from __future__ import annotations

import pandas as pd
import pytest

from footprint.data import queries
from footprint.data.database import BUILD_DIR

# Sample parameters for each named query that declares some.
SAMPLE_PARAMS = {
    "latest_indicators": {"as_of_year": 2025, "max_age_years": 5},
    "subnational_units": {"iso3": "JPN"},
    "major_cities": {"iso3": "USA", "min_population": 1_000_000},
}


def write(tmp_path, name, text):
    path = tmp_path / f"{name}.sql"
    path.write_text(text)
    return path


def test_parse_reads_name_and_params(tmp_path):
    path = write(tmp_path, "answer", "-- name: answer\n-- params: $x, $y\nSELECT $x + $y\n")
    query = queries.parse(path)
    assert query.name == "answer"
    assert query.params == {"x", "y"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-- name: other\n-- params: none\nSELECT 1", "name the query after its file"),
        ("-- name: q\nSELECT 1", "declare"),
        ("-- name: q\n-- params: $a\nSELECT 1", "declares ['a'] but uses []"),
        ("-- name: q\n-- params: none\nSELECT $a", "declares [] but uses ['a']"),
    ],
)
def test_parse_refuses_inconsistent_files(tmp_path, text, message):
    with pytest.raises(queries.QueryError, match=message.replace("[", r"\[").replace("]", r"\]")):
        queries.parse(write(tmp_path, "q", text))


def test_parameters_in_comments_and_strings_are_not_parameters(tmp_path):
    text = "-- name: q\n-- params: $a\nSELECT $a, '$not_a_param' -- $nor_this\n"
    assert queries.parse(write(tmp_path, "q", text)).params == {"a"}


def test_run_refuses_missing_and_unexpected_parameters(con):
    with pytest.raises(queries.QueryError, match=r"missing \['max_age_years'\]"):
        queries.run(con, "latest_indicators", as_of_year=2025)
    with pytest.raises(queries.QueryError, match=r"unexpected \['evil'\]"):
        queries.run(con, "region_members", evil="1; DROP TABLE countries")
    with pytest.raises(queries.QueryError, match="unknown query"):
        queries.run(con, "no_such_query")


def test_values_are_bound_not_formatted(con):
    hostile = "USA' OR '1'='1"
    assert queries.run(con, "major_cities", iso3=hostile, min_population=0).empty


@pytest.mark.parametrize("name", sorted(queries.load()))
def test_every_named_query_runs(con, name):
    if name == "locate_sites":  # reads a relation the caller registers
        con.register("uploaded_sites", pd.DataFrame(
            {"site_id": [0], "latitude": [48.85], "longitude": [2.35]}))
    frame = queries.run(con, name, **SAMPLE_PARAMS.get(name, {}))
    assert len(frame) > 0


def test_build_queries_are_numbered_and_parse():
    built = queries.load(BUILD_DIR)
    order = list(built)
    # countries first: every later step joins to it; cities before the units that sum them
    assert order[0] == "build_countries"
    assert order.index("build_cities") < order.index("build_subnational_units")


@pytest.mark.parametrize(("iso3", "cities", "districts"), [
    # Tokyo's special wards beside "Tokyo"; Kawasaki (Yokohama's neighbour) and the Tama cities
    # beyond the wards are cities; Osaka's neighbour Sakai too
    ("JPN", ["Tokyo", "Hachiōji", "Kawasaki", "Yokohama", "Osaka", "Sakai"],
     ["Setagaya", "Edogawe", "Shinjuku", "Shibuya", "Asakusa"]),
    # New York's boroughs (Manhattan is also a town in Kansas) and neighbourhoods; Yonkers
    # and Jersey City are cities
    ("USA", ["New York City", "Yonkers", "Jersey City", "Newark", "Buffalo"],
     ["Brooklyn", "Queens", "The Bronx", "Staten Island", "Harlem", "Upper West Side"]),
    # Dharavi inside Mumbai, Karol Bagh inside Delhi; Navi Mumbai and Thane are cities
    ("IND", ["Mumbai", "Navi Mumbai", "Thāne", "Delhi", "Kolkata"], ["Dhārāvi", "Karol Bāgh"]),
])
def test_districts_listed_beside_their_city_are_not_cities(con, iso3, cities, districts):
    names = set(queries.run(con, "major_cities", iso3=iso3, min_population=15_000)["name"])
    assert set(cities) <= names
    assert not set(districts) & names
    listed = con.execute("SELECT count(*) FROM cities WHERE iso3 = ? AND name IN "
                         "(SELECT unnest(?))", [iso3, districts]).fetchone()[0]
    assert listed >= len(districts)  # still in the cities table, with their city


def test_each_located_place_is_counted_once_by_its_unit(con):
    units = queries.run(con, "subnational_units", iso3="USA")
    located = con.execute("SELECT count(*) FROM cities WHERE iso3 = 'USA'").fetchone()[0]
    assert (units["n_cities"] + units["n_districts"]).sum() == located
    city_of = dict(con.execute("""
        SELECT district.name, city.name FROM cities AS district
        JOIN cities AS city ON city.geonameid = district.district_of
        WHERE district.name IN ('Setagaya', 'Brooklyn', 'Dhārāvi')""").fetchall())
    assert city_of == {"Setagaya": "Tokyo", "Brooklyn": "New York City", "Dhārāvi": "Mumbai"}
