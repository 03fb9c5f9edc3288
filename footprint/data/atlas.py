"""Read the built database: regions, latest indicators, shapes, sub-national units, cities.

All functions take a DuckDB connection or cursor (one per thread) and return fresh frames.
The shape readers import geopandas and shapely when called: the CLI never pays for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from footprint.assumptions import DATA_AS_OF_YEAR, STALE_AFTER_YEARS
from footprint.data import queries

if TYPE_CHECKING:
    import geopandas as gpd


def regions(con) -> dict[str, list[str]]:
    """Region name -> sorted ISO3 codes of its members."""
    frame = queries.run(con, "region_members")
    return {name: sorted(group["iso3"]) for name, group in frame.groupby("region", sort=True)}


def country_names(con) -> dict[str, str]:
    """ISO3 -> display name for every mapped country or territory."""
    frame = queries.run(con, "country_shapes")
    return dict(zip(frame["iso3"], frame["name"], strict=True))


def latest_indicators(
    con, as_of_year: int = DATA_AS_OF_YEAR, max_age_years: int = STALE_AFTER_YEARS
) -> pd.DataFrame:
    """Latest value, year, source and staleness per country x indicator (long frame)."""
    return queries.run(con, "latest_indicators", as_of_year=as_of_year,
                       max_age_years=max_age_years)


def indicator_catalogue(con) -> pd.DataFrame:
    """Indicators with title, unit, plausible range and source details, indexed by code."""
    return queries.run(con, "indicator_catalogue").set_index("indicator")


def data_sources(con) -> pd.DataFrame:
    """Every shipped source with publisher, licence, version, years and origin."""
    return queries.run(con, "data_sources")


def country_notes(con) -> dict[str, str]:
    """ISO3 -> known data caveat."""
    frame = queries.run(con, "country_notes")
    return dict(zip(frame["iso3"], frame["note"], strict=True))


def _to_geo(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import shapely

    geometry = shapely.from_wkb(frame.pop("geometry_wkb").map(bytes).to_numpy())
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def country_shapes(con) -> gpd.GeoDataFrame:
    """Every mapped country with its regions (list) and polygon geometry (EPSG:4326)."""
    frame = queries.run(con, "country_shapes")
    frame["regions"] = frame["regions"].map(list)
    return _to_geo(frame)


def subnational_units(con, iso3: str) -> gpd.GeoDataFrame:
    """States / prefectures of one country with their reachable urban population [people]."""
    return _to_geo(queries.run(con, "subnational_units", iso3=iso3))


def major_cities(con, iso3: str, min_population: int) -> pd.DataFrame:
    """Cities of a country with at least ``min_population`` inhabitants [people]."""
    return queries.run(con, "major_cities", iso3=iso3, min_population=min_population)
