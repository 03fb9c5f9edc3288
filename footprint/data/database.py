"""Build the DuckDB database from the shipped files in ``data/``, once, and open it read-only.

Every source file is checked (present, readable, the contract's columns) and loaded as a
``src_*`` table holding exactly the columns its :class:`SourceFile` lists, so a query that
reads an undeclared column fails in the tests, never for a user; the numbered build queries
in ``queries/build/`` then derive the model tables (countries, regions, indicator_values,
subnational_units, cities). The trial landscape is derived from the registry by ``make data``
(:func:`derive_landscape`) and only its small derived files are loaded here; they are optional
(a build without them has an empty landscape that says why). Likewise the UN WPP tables are the
2025 column of the WPP files, derived by ``make data`` (:func:`derive_wpp`).

:func:`open_database` keeps the result in ``data/.cache/`` (about 20 ms to open, against about
1 s to build) and opens it read-only; :func:`build_database` builds it in memory (read-only by
convention). Callers take a cursor per thread.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from footprint.data import landscape, queries, spatial
from footprint.errors import DataFileError
from footprint.paths import DATA_DIR

BUILD_DIR = queries.QUERY_DIR / "build"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One shipped file and the columns the build and the named queries read from it."""

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
                "age_high", "sex", "unit", "rate_basis", "standard_population",
                "diagnosed_metric", "default_diagnosed_share", "diagnosed_source", "note")),
    SourceFile("src_regulatory_startup", "regulatory_startup.csv",
               ("scope", "regulator", "clock_value", "clock_unit", "clock_note",
                "approval_low_days", "approval_high_days", "approval_note", "startup_low_days",
                "startup_high_days", "startup_note", "import_permit",
                "sample_export_restriction", "local_legal_representative", "translation",
                "sequential_ethics", "war_or_sanctions", "source", "as_of")),
    SourceFile("src_country_gate", "country_gate.csv",
               ("iso3", "sanctions_level", "sanctions_regimes", "war", "war_note",
                "conflict_note", "source", "as_of")),
    SourceFile("src_regulators", "regulators.csv",
               ("iso3", "regulator", "ethics_note", "source", "as_of")),
    # UN WPP 2019 by sex and 5-year age group: the 2025 column, derived by make data
    SourceFile("src_wpp_male", "wpp2019_popM_2025.parquet", ("country_code", "age", "2025")),
    SourceFile("src_wpp_female", "wpp2019_popF_2025.parquet", ("country_code", "age", "2025")),
    SourceFile("src_wpp_m49_iso3", "wpp2019_m49_iso3.csv", ("m49", "iso3")),
    # indirect standardisation: published age patterns of prevalence, standard populations
    SourceFile("src_age_patterns", "prevalence_age_patterns.csv",
               ("indication", "pattern", "age_low", "age_high", "prevalence_pct", "standard",
                "publisher", "source", "table", "url")),
    SourceFile("src_standard_populations", "standard_populations.csv",
               ("standard", "name", "age_low", "age_high", "weight", "source")),
)


WPP_2025: dict[str, str] = {"wpp2019_popMprojMed.txt": "wpp2019_popM_2025.parquet",
                            "wpp2019_popFprojMed.txt": "wpp2019_popF_2025.parquet"}
"""The WPP projection files in data/ and the 2025 extracts :func:`derive_wpp` makes of them."""
WPP_COLUMNS = ["country_code", "name", "age", "2025"]
"""The columns of each extract (``name``: WPP's location name, for a reader of the file)."""


LANDSCAPE_FILES: tuple[SourceFile, ...] = (
    SourceFile("src_aact_studies", landscape.SAMPLE_FILE,
               ("nct_id", "study_first_submitted_date")),
    SourceFile("src_aact_names", landscape.NAMES_FILE, ("registry_name", "iso3", "note")),
)
"""The trial landscape's raw files besides the registry itself (``landscape.REGISTRY_FILE``,
loaded by :func:`~.landscape.load_registry`), read by :func:`derive_landscape` (``make data``)
only; the database build reads the derived files (``landscape.DERIVED_FILES``)."""


CACHE_DIR = ".cache"
"""Folder of ``data_dir`` that holds the built database (gitignored)."""


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
        declared = relation.select(*(duckdb.ColumnExpression(c) for c in source.columns))
        declared.to_table(source.table)  # the name comes from SOURCE_FILES, never from input
    except duckdb.Error as exc:
        raise DataFileError(f"data file {path} cannot be read: {exc}") from exc
    if con.table(source.table).count("*").fetchone() == (0,):
        raise DataFileError(f"data file {path} holds no rows")


def _build(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    con.execute("SET enable_progress_bar = false")  # a slow build query would print one
    spatial.load(con)
    for source in SOURCE_FILES:
        _load_source(con, source, data_dir)
    try:
        landscape.load_derived(con, data_dir)
    except DataFileError as exc:
        landscape.prepare_unavailable(con, exc)
    for query in queries.load(BUILD_DIR).values():
        con.execute(query.sql)


def derive_landscape(data_dir: Path = DATA_DIR) -> landscape.Derived:
    """The trial landscape's derived tables from the registry, the studies sample and the
    override table in ``data_dir``, in a scratch database (``make data``; about 1 s).

    Raises
    ------
    DataFileError
        A landscape file is missing, unreadable, empty, lacks a column or is malformed.
    """
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        landscape.load_registry(con, data_dir / landscape.REGISTRY_FILE)
        for source in LANDSCAPE_FILES:
            _load_source(con, source, data_dir)
        return landscape.derive(con)
    finally:
        con.close()


def derive_wpp(data_dir: Path = DATA_DIR) -> dict[str, pd.DataFrame]:
    """The 2025 column of each WPP projection file in ``data_dir`` (:data:`WPP_2025`), every
    row, values unchanged [thousands], by extract file name (``make data``).

    Raises
    ------
    DataFileError
        A WPP file is missing or lacks a column.
    """
    out = {}
    for raw, extract in WPP_2025.items():
        path = data_dir / raw
        if not path.is_file():
            raise DataFileError(f"data file {path} is missing (expected {raw} in data/)")
        frame = pd.read_csv(path, sep="\t")
        missing = [c for c in WPP_COLUMNS if c not in frame.columns]
        if missing:
            raise DataFileError(f"data file {path} lacks the column(s) {missing}")
        out[extract] = frame[WPP_COLUMNS]
    return out


def build_database(data_dir: Path = DATA_DIR) -> duckdb.DuckDBPyConnection:
    """Build the whole database in memory from ``data_dir`` (about 1 s).

    Raises
    ------
    DataFileError
        A file is missing, unreadable, empty or lacks a needed column.
    """
    con = duckdb.connect(":memory:")
    _build(con, data_dir)
    return con


def database_path(data_dir: Path = DATA_DIR) -> Path:
    """Where the database built from ``data_dir`` is kept: its name holds a content hash of
    the source files, the build queries, this module and the duckdb version.

    Raises
    ------
    OSError
        A source file cannot be read.
    """
    digest = hashlib.sha256(duckdb.__version__.encode())
    inputs = [Path(__file__), Path(landscape.__file__), *sorted(BUILD_DIR.glob("*.sql")),
              *(data_dir / source.filename for source in SOURCE_FILES)]
    for path in inputs:
        with path.open("rb") as handle:
            digest.update(path.name.encode() + hashlib.file_digest(handle, "sha256").digest())
    optional = landscape.DERIVED_FILES.values()
    for path in (data_dir / name for name in optional):
        if path.is_file():
            with path.open("rb") as handle:
                digest.update(path.name.encode() + hashlib.file_digest(handle, "sha256")
                              .digest())
        else:
            digest.update(path.name.encode() + b"missing")
    return data_dir / CACHE_DIR / f"footprint-{digest.hexdigest()[:16]}.duckdb"


def _write(data_dir: Path, path: Path) -> None:
    """Build into a temporary file beside ``path``, then rename it into place (atomic: a
    concurrent process opens the old file or the whole new one); drop older builds."""
    path.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix="building-") as scratch:
        target = Path(scratch) / path.name
        con = duckdb.connect(str(target))
        try:
            _build(con, data_dir)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(target, path)
    for old in path.parent.glob("footprint-*.duckdb"):
        if old != path:
            old.unlink(missing_ok=True)


def open_database(data_dir: Path = DATA_DIR, *,
                  load_spatial: bool = True) -> duckdb.DuckDBPyConnection:
    """The database built from ``data_dir``, opened read-only (about 20 ms once built).

    It is built into ``data_dir/.cache/`` on first use and again whenever a source file, a
    build query, this module or the duckdb version changes (:func:`database_path`); when
    that folder cannot be written, it is built in memory (:func:`build_database`).

    Parameters
    ----------
    data_dir : the folder of the source files.
    load_spatial : load the spatial extension (about 0.3 s), which queries calling spatial
        functions need (``locate_sites``); only a caller that runs none of them (the CLI)
        skips it, as it cannot be loaded later while other threads query
        (:mod:`footprint.data.spatial`).

    Raises
    ------
    DataFileError
        A file is missing, unreadable, empty or lacks a needed column.
    """
    try:
        path = database_path(data_dir)
        if not path.is_file():
            _write(data_dir, path)
        con = duckdb.connect(str(path), read_only=True)
    except (OSError, duckdb.IOException):  # a missing file, or a folder we cannot write
        return build_database(data_dir)
    if load_spatial:
        spatial.load(con)
    return con


SPATIAL_CATALOG = "footprint"
"""Name under which :func:`open_spatial` attaches the kept database."""


def open_spatial(data_dir: Path = DATA_DIR) -> duckdb.DuckDBPyConnection:
    """A connection for the queries that call spatial functions (``locate_sites``).

    Its own in-memory DuckDB instance with the spatial extension loaded and the kept database
    attached read-only as :data:`SPATIAL_CATALOG`: loading the extension (about 0.3 s) never
    touches the instance other threads read, so the app can open that one without it and
    load spatial only when a site list is first located. Take cursors with
    :func:`spatial_cursor`. Falls back to :func:`build_database` like :func:`open_database`.
    """
    try:
        path = database_path(data_dir)
        if not path.is_file():
            _write(data_dir, path)
    except (OSError, duckdb.IOException):
        return build_database(data_dir)
    con = duckdb.connect(":memory:")
    spatial.load(con)
    # The path is our own cache file (database_path), never user input; ATTACH cannot bind.
    attach = "ATTACH '" + str(path).replace("'", "''") + "' AS " + SPATIAL_CATALOG
    con.execute(attach + " (READ_ONLY)")
    return con


def spatial_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of :func:`open_spatial`'s connection that reads the attached database."""
    cur = con.cursor()
    attached = cur.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = $n",
                           {"n": SPATIAL_CATALOG}).fetchone()
    if attached and attached[0]:
        cur.execute("USE " + SPATIAL_CATALOG)
    return cur
