"""Build the in-memory DuckDB database from the shipped files in ``data/``.

Every source file is checked (present, readable, expected columns) and loaded as a ``src_*``
table; the numbered build queries in ``queries/build/`` then derive the model tables
(countries, regions, indicator_values, subnational_units, cities). The connection is
read-only by convention: callers take a :func:`cursor` per thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import duckdb_extension_spatial

from footprint.data import queries
from footprint.errors import DataFileError
from footprint.paths import DATA_DIR

BUILD_DIR = queries.QUERY_DIR / "build"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One shipped file and the columns the build relies on."""

    table: str
    filename: str
    columns: tuple[str, ...]


SOURCE_FILES: tuple[SourceFile, ...] = (
    SourceFile("src_admin0", "ne_admin0_50m.parquet",
               ("ADM0_A3", "ISO_A2", "NAME", "NAME_LONG", "TYPE", "SOVEREIGNT", "CONTINENT",
                "SUBREGION", "geometry")),
    SourceFile("src_admin1", "ne_admin1.parquet",
               ("adm0_a3", "code_hasc", "iso_3166_2", "name", "type_en", "geometry")),
    SourceFile("src_cities", "geonames_cities15000.parquet",
               ("geonameid", "name", "countrycode", "population", "latitude", "longitude")),
    SourceFile("src_wdi", "wdi_indicators.parquet", ("iso3", "indicator", "year", "value")),
    SourceFile("src_wdi_meta", "wdi_indicators_meta.csv", ("indicator", "title", "description")),
    SourceFile("src_wgi", "wgi_2024.parquet", ("code", "year", "indicator", "estimate")),
    SourceFile("src_owid_physicians", "owid_physicians_per_1000.parquet",
               ("Code", "Year", "phy")),
    SourceFile("src_owid_internet", "owid_internet_users.parquet",
               ("Code", "Year", "internet_users_pct")),
    SourceFile("src_ncdrisc", "ncdrisc_hypertension_2019.parquet",
               ("Country_code", "Year_x", "htn_x", "htn_y", "diag(%)", "diag")),
    SourceFile("src_regions", "regions.csv", ("region", "iso3")),
    SourceFile("src_code_crosswalk", "code_crosswalk.csv", ("source", "source_code", "iso3")),
    SourceFile("src_indicators", "indicators.csv",
               ("indicator", "source_id", "title", "unit", "plausible_min", "plausible_max")),
    SourceFile("src_sources", "sources.csv",
               ("source_id", "publisher", "title", "licence", "version", "years", "url")),
    SourceFile("src_country_notes", "country_notes.csv", ("iso3", "note")),
    SourceFile("src_indications", "indications.csv",
               ("indication", "name", "kind", "metric", "metric_denominator", "age_low",
                "age_high", "unit", "diagnosed_metric", "default_diagnosed_share",
                "diagnosed_source", "note")),
    SourceFile("src_regulatory_startup", "regulatory_startup.csv",
               ("scope", "regulator", "clock_value", "clock_unit", "approval_low_days",
                "approval_high_days", "startup_low_days", "startup_high_days", "import_permit",
                "sample_export_restriction", "local_legal_representative", "translation",
                "sequential_ethics", "war_or_sanctions", "source", "as_of")),
)


def spatial_extension_path() -> Path:
    """The spatial extension shipped in the duckdb-extension-spatial wheel (no network)."""
    root = Path(duckdb_extension_spatial.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    return root / "spatial.duckdb_extension"


def _load_source(con: duckdb.DuckDBPyConnection, source: SourceFile, data_dir: Path) -> None:
    path = data_dir / source.filename
    if not path.is_file():
        raise DataFileError(f"data file {path} is missing (expected {source.filename} in data/)")
    try:
        relation = (con.read_parquet(str(path)) if path.suffix == ".parquet"
                    else con.read_csv(str(path), header=True))
        missing = [c for c in source.columns if c not in relation.columns]
        if missing:
            raise DataFileError(f"data file {path} lacks the column(s) {missing}")
        relation.to_table(source.table)  # the name comes from SOURCE_FILES, never from input
    except duckdb.Error as exc:
        raise DataFileError(f"data file {path} cannot be read: {exc}") from exc
    if con.table(source.table).count("*").fetchone() == (0,):
        raise DataFileError(f"data file {path} holds no rows")


def build_database(data_dir: Path = DATA_DIR) -> duckdb.DuckDBPyConnection:
    """Build the whole database in memory from ``data_dir`` (about 1 s cold).

    Raises
    ------
    DataFileError
        A file is missing, unreadable, empty or lacks a needed column.
    """
    con = duckdb.connect(":memory:")
    # The path comes from the installed wheel, not from user input (LOAD cannot be bound).
    con.execute(f"LOAD '{spatial_extension_path()}'")
    for source in SOURCE_FILES:
        _load_source(con, source, data_dir)
    for query in queries.load(BUILD_DIR).values():
        con.execute(query.sql)
    return con
