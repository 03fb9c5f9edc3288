"""The trial landscape, derived once by ``make data`` and loaded by every database build.

ClinicalTrials.gov (NLM) via AACT, snapshot 2023-10: one row per (study, country of a
location). At data-preparation time (``scripts/build_data.py``, through
:func:`footprint.data.database.derive_landscape`) :func:`load_registry` checks the registry
file and keeps its rows not removed; :func:`derive` checks the studies sample, maps every
country name (:func:`crosswalk`: an explicit override in ``data/aact_country_names.csv``
first, then pycountry's exact lookup; nothing fuzzy), fits the year map (:func:`fit_year_map`)
and counts per country (``queries/derive/landscape_counts.sql``); :func:`write_derived` writes
the three small tables of :data:`DERIVED_FILES` into data/. The database build loads them
(:func:`load_derived`, which refuses a malformed one by name); :func:`prepare_unavailable`
writes the same tables empty, with the reason, so the app starts without the landscape.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from footprint.assumptions import LANDSCAPE_WINDOW_YEARS
from footprint.data import queries
from footprint.errors import DataFileError
from footprint.paths import QUERY_DIR

REGISTRY_FILE = "aact_countries_2023-10.parquet"
SAMPLE_FILE = "aact_studies_sample_2023-10.parquet"
NAMES_FILE = "aact_country_names.csv"
SNAPSHOT = "2023-10"
"""Month of the AACT snapshot (newest NCT number NCT06108271, end of October 2023)."""
SOURCE = "ClinicalTrials.gov (NLM) via AACT, snapshot 2023-10"
UNDER_COUNT = ("ClinicalTrials.gov under-counts Japan, China, India and the EU: they register "
               "in national registries (jRCT/UMIN, ChiCTR, CTRI, EU CTR/CTIS).")
DERIVE_DIR = QUERY_DIR / "derive"
"""Queries run by ``make data`` only, never by a database build."""
DERIVED_FILES: dict[str, str] = {
    "landscape": "landscape_countries_2023-10.parquet",
    "landscape_names": "landscape_names_2023-10.parquet",
    "landscape_meta": "landscape_meta_2023-10.parquet",
}
"""The derived tables ``make data`` writes into data/ and the build loads, by table name."""
DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "landscape": {"iso3": "VARCHAR", "studies": "BIGINT", "studies_recent": "BIGINT",
                  "multinational_studies": "BIGINT", "multinational_share": "DOUBLE"},
    "landscape_names": {"registry_name": "VARCHAR", "iso3": "VARCHAR", "basis": "VARCHAR",
                        "note": "VARCHAR", "rows": "BIGINT", "place_id": "INTEGER"},
    "landscape_meta": {
        "available": "BOOLEAN", "reason": "VARCHAR", "snapshot": "VARCHAR",
        "source": "VARCHAR", "newest_nct": "VARCHAR", "window_from": "TIMESTAMP",
        "window_to": "TIMESTAMP", "recent_from_nct": "BIGINT", "fit_studies": "BIGINT",
        "median_abs_error_days": "DOUBLE", "p90_abs_error_days": "DOUBLE",
        "window_misclassified_share": "DOUBLE", "rows_without_country": "BIGINT",
        "unattributed_names": "BIGINT"},
}
"""Each derived table's columns and DuckDB types (``TIMESTAMP``: any precision), in order."""
BASES = ("override", "pycountry", "not attributed", "unmatched")
"""How a registry name got its ISO3 (or why it has none), in :func:`crosswalk`."""


class UnmatchedNamesWarning(UserWarning):
    """Registry country names that neither the override table nor pycountry know."""


YEAR_MAP_BINS = 200
"""Equal-count bins of the calibration sample, by NCT number, whose medians are the map's
knots (about 127 studies each)."""


@dataclass(frozen=True, slots=True)
class YearMap:
    """A monotone piecewise-linear map from NCT number to registration date.

    Attributes
    ----------
    numbers : knots: the median NCT number of each bin [integer part of NCTnnnnnnnn].
    days : the median first-submitted date of each bin, made non-decreasing (a running
        maximum) [days since 1970-01-01].
    """

    numbers: np.ndarray
    days: np.ndarray

    def predict(self, numbers: np.ndarray) -> np.ndarray:
        """Date [days since 1970-01-01] of each NCT number: linear between knots, the end
        knots' dates beyond them."""
        return np.interp(numbers, self.numbers, self.days)

    def first_number_from(self, day: date) -> int:
        """The smallest NCT number dated on or after ``day`` (the first knot's number when
        every knot is)."""
        target = (np.datetime64(day) - np.datetime64("1970-01-01")).astype(float)
        j = int(np.searchsorted(self.days, target, side="left"))
        if j == 0:
            return int(self.numbers[0])
        if j == len(self.days):
            return int(self.numbers[-1]) + 1
        n0, n1, d0, d1 = self.numbers[j - 1], self.numbers[j], self.days[j - 1], self.days[j]
        return int(np.ceil(n0 + (target - d0) / (d1 - d0) * (n1 - n0)))


def nct_number(nct_id: pd.Series) -> np.ndarray:
    """The integer of each NCT id (``NCT06108271`` -> 6108271)."""
    return nct_id.str.slice(3).astype("int64").to_numpy()


def fit_year_map(numbers: np.ndarray, submitted: np.ndarray,
                 bins: int = YEAR_MAP_BINS) -> YearMap:
    """Monotone interpolation of quantiles: the sample sorted by NCT number, cut into
    ``bins`` equal-count bins, each bin's median NCT number and median submitted date a knot,
    the dates made non-decreasing by a running maximum.

    Parameters
    ----------
    numbers : NCT numbers of the sample.
    submitted : their ``study_first_submitted_date`` [datetime64].
    bins : how many knots (at most one per study).
    """
    order = np.argsort(numbers, kind="stable")
    days = (submitted[order] - np.datetime64("1970-01-01")).astype("timedelta64[D]")
    parts = np.array_split(np.arange(len(order)), min(bins, len(order)))
    knots_n = np.array([np.median(numbers[order][p]) for p in parts])
    knots_d = np.array([np.median(days[p].astype(float)) for p in parts])
    return YearMap(numbers=knots_n, days=np.maximum.accumulate(knots_d))


def window_from(snapshot: str = SNAPSHOT, years: int = LANDSCAPE_WINDOW_YEARS) -> date:
    """First day of the last ``years`` years of a snapshot month ('2023-10', 5 -> 2018-11-01)."""
    year, month = (int(p) for p in snapshot.split("-"))
    month += 1
    if month == 13:
        year, month = year + 1, 1
    return date(year - years, month, 1)


def holdout_errors(numbers: np.ndarray, submitted: np.ndarray, cut: date) -> dict[str, float]:
    """Two-fold error of the map on the sample (fit on every other study by NCT number, test
    on the rest, and back): median and 90th-percentile absolute error [days] and the share
    of studies put on the wrong side of ``cut``; each fold has half the sample, so half the
    bins."""
    order = np.argsort(numbers, kind="stable")
    numbers, submitted = numbers[order], submitted[order]
    day = (submitted - np.datetime64("1970-01-01")).astype("timedelta64[D]").astype(float)
    cut_day = (np.datetime64(cut) - np.datetime64("1970-01-01")).astype(float)
    errors, wrong = [], []
    for fold in (0, 1):
        train = np.arange(len(numbers)) % 2 == fold
        model = fit_year_map(numbers[train], submitted[train], YEAR_MAP_BINS // 2)
        fitted = model.predict(numbers[~train])
        errors.append(np.abs(fitted - day[~train]))
        wrong.append((numbers[~train] >= model.first_number_from(cut)) != (day[~train] >= cut_day))
    err = np.concatenate(errors)
    return {"median_abs_error_days": float(np.median(err)),
            "p90_abs_error_days": float(np.quantile(err, 0.9)),
            "window_misclassified_share": float(np.concatenate(wrong).mean())}


def crosswalk(names: Iterable[str], overrides: pd.DataFrame) -> pd.DataFrame:
    """ISO3 of each registry country name: the override table's row if there is one (an
    empty iso3 there means *not attributed*, with its note), else pycountry's exact lookup
    (name, official or common name, codes; case-insensitive), else *unmatched*.

    Parameters
    ----------
    names : the registry's country names.
    overrides : columns registry_name, iso3 ('' = not attributed), note.

    Returns
    -------
    DataFrame registry_name, iso3 (None when there is none), basis (one of :data:`BASES`),
    note.
    """
    import pycountry  # only a build needs it

    table = overrides.set_index("registry_name")
    rows = []
    for name in dict.fromkeys(names):
        if name in table.index:
            iso3, note = str(table.at[name, "iso3"]).strip(), str(table.at[name, "note"])
            rows.append((name, iso3 or None, "override" if iso3 else "not attributed", note))
            continue
        try:
            found = pycountry.countries.lookup(name)
        except LookupError:
            rows.append((name, None, "unmatched", "not in the override table nor in pycountry"))
            continue
        rows.append((name, found.alpha_3, "pycountry", f"pycountry: {found.name}"))
    return pd.DataFrame(rows, columns=["registry_name", "iso3", "basis", "note"])


def load_registry(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Check the registry file and load it, read once, as the temporary table
    ``src_aact_countries`` (``nct_number`` INTEGER, ``country``, ``removed``, ``id_ok``) with
    its rows not removed counted per country name in ``src_aact_rows`` (name, rows, newest
    NCT number); only :func:`derive` reads them (``make data``), never a database build.

    Raises
    ------
    DataFileError
        The file is missing, unreadable, empty, lacks a column, or has a ``removed`` that is
        not BOOLEAN or an ``nct_id`` that is not NCT and 8 digits (named).
    """
    if not path.is_file():
        raise DataFileError(f"data file {path} is missing (expected {path.name} in data/)")
    try:
        relation = con.read_parquet(str(path))
        types = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
        missing = [c for c in ("nct_id", "country", "removed") if c not in types]
        if missing:
            raise DataFileError(f"data file {path} lacks the column(s) {missing}")
        if types["removed"] != "BOOLEAN":
            raise DataFileError(f"data file {path} is malformed: column removed is "
                                f"{types['removed']}, not BOOLEAN")
        con.execute(  # one read of the file; the checks and counts use this table
            "CREATE TEMP TABLE src_aact_countries AS SELECT "
            "TRY_CAST(substr(nct_id, 4) AS INTEGER) AS nct_number, country, removed, "
            "coalesce(starts_with(nct_id, 'NCT') AND length(nct_id) = 11, false) AS id_ok "
            "FROM read_parquet($path)", {"path": str(path)})
        rows, bad_ids, no_flag = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT id_ok OR nct_number IS NULL), "
            "count(*) FILTER (WHERE removed IS NULL) FROM src_aact_countries").fetchone()
        if not rows:
            raise DataFileError(f"data file {path} holds no rows")
        for count, what in ((bad_ids, "an nct_id that is not NCT and 8 digits"),
                            (no_flag, "no removed flag")):
            if count:
                raise DataFileError(f"data file {path} is malformed: {count:,} rows with {what}")
        con.execute("CREATE TEMP TABLE src_aact_rows AS SELECT country, count(*) AS rows, "
                    "max(nct_number) AS newest FROM src_aact_countries WHERE NOT removed "
                    "GROUP BY country")
    except duckdb.Error as exc:
        raise DataFileError(f"data file {path} cannot be read: {exc}") from exc


def _check_sample(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a loaded studies sample whose dates are not dates or whose ids are not NCT."""
    found = con.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = "
                        "'src_aact_studies' AND column_name = 'study_first_submitted_date'"
                        ).fetchone()
    if not found or found[0] != "DATE":
        raise DataFileError(f"data file {SAMPLE_FILE} is malformed: column "
                            f"study_first_submitted_date is {found[0] if found else 'missing'}"
                            ", not DATE")
    bad = con.execute("SELECT count(*) FROM src_aact_studies WHERE study_first_submitted_date "
                      "IS NULL OR NOT coalesce(regexp_full_match(nct_id, 'NCT[0-9]{8}'), false)"
                      ).fetchone()
    if bad and bad[0]:
        raise DataFileError(f"data file {SAMPLE_FILE} is malformed: {bad[0]:,} rows with no "
                            "date or an nct_id that is not NCT and 8 digits")


@dataclass(frozen=True, slots=True)
class Derived:
    """The landscape's derived tables (the frames of :data:`DERIVED_FILES`).

    Attributes
    ----------
    landscape : per ISO3: studies, studies_recent (an estimate), multinational_studies
        [studies] and multinational_share [0-1].
    landscape_names : the build report: every registry name, its ISO3 or why none, its rows.
    landscape_meta : one row: snapshot, window, the year map's first NCT number of the window
        and its two-fold error.
    """

    landscape: pd.DataFrame
    landscape_names: pd.DataFrame
    landscape_meta: pd.DataFrame


def derive(con: duckdb.DuckDBPyConnection) -> Derived:
    """The landscape's tables from the loaded ``src_aact_*`` tables (:func:`load_registry`
    first, the sample and the override table as ``src_aact_studies``, ``src_aact_names``).

    Raises
    ------
    DataFileError
        The sample's date column is not a date, or a value is not an NCT id / a date.
    """
    _check_sample(con)
    counts = con.execute("SELECT country, rows FROM src_aact_rows WHERE country IS NOT NULL "
                         "AND rows > 0 ORDER BY rows DESC, country").df()
    overrides = con.table("src_aact_names").df().fillna("")
    names = crosswalk(counts["country"], overrides)
    names["rows"] = counts["rows"].to_numpy()
    names["place_id"] = names["iso3"].fillna(names["registry_name"]).rank(
        method="dense").astype("int32")
    unmatched = names.loc[names["basis"] == "unmatched", "registry_name"]
    if len(unmatched):
        warnings.warn(f"{len(unmatched)} registry country names have no ISO3 (add them to "
                      f"data/{NAMES_FILE}): " + "; ".join(unmatched),
                      UnmatchedNamesWarning, stacklevel=2)

    sample = con.execute("SELECT nct_id, study_first_submitted_date AS submitted "
                         "FROM src_aact_studies").df()
    numbers = nct_number(sample["nct_id"])
    submitted = pd.to_datetime(sample["submitted"]).to_numpy("datetime64[D]")
    cut = window_from()
    errors = holdout_errors(numbers, submitted, cut)
    newest, no_country = con.execute(
        "SELECT max(newest), coalesce(sum(rows) FILTER (WHERE country IS NULL), 0) "
        "FROM src_aact_rows").fetchone()
    recent_from = fit_year_map(numbers, submitted).first_number_from(cut)
    meta = pd.DataFrame([{
        "available": True, "reason": "", "snapshot": SNAPSHOT, "source": SOURCE,
        "newest_nct": f"NCT{newest:08d}", "window_from": pd.Timestamp(cut),
        "window_to": pd.Timestamp(SNAPSHOT + "-01") + pd.offsets.MonthEnd(0),
        "recent_from_nct": recent_from, "fit_studies": len(sample), **errors,
        "rows_without_country": int(no_country),
        "unattributed_names": int((names["iso3"].isna()).sum())}])
    con.register("_landscape_names", names)
    try:
        counted = con.execute(queries.load(DERIVE_DIR)["landscape_counts"].sql,
                              {"recent_from_nct": recent_from}).df()
    finally:
        con.unregister("_landscape_names")
    return Derived(landscape=counted, landscape_names=names, landscape_meta=meta)


def write_derived(derived: Derived, data_dir: Path) -> None:
    """Write the derived tables into ``data_dir`` (:data:`DERIVED_FILES`, Parquet)."""
    for table, filename in DERIVED_FILES.items():
        frame = getattr(derived, table)
        frame.to_parquet(data_dir / filename, index=False)


def _check_columns(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    found = con.execute("SELECT column_name, data_type FROM duckdb_columns() "
                        "WHERE table_name = $t ORDER BY column_index", {"t": table}).fetchall()
    expected = DERIVED_COLUMNS[table]
    if [c for c, _ in found] != list(expected):
        raise DataFileError(f"data file {path} is malformed: columns {[c for c, _ in found]}, "
                            f"expected {list(expected)} (run make data)")
    for column, kind in found:
        if not kind.startswith(expected[column]):
            raise DataFileError(f"data file {path} is malformed: column {column} is {kind}, "
                                f"not {expected[column]} (run make data)")


def load_derived(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    """Load the derived tables of ``data_dir`` as ``landscape``, ``landscape_names`` and
    ``landscape_meta``.

    Raises
    ------
    DataFileError
        A derived file is missing, unreadable, has other columns or types than
        :data:`DERIVED_COLUMNS`, or its meta is not one row of an available landscape
        (named); no table is left behind.
    """
    try:
        for table, filename in DERIVED_FILES.items():
            path = data_dir / filename
            if not path.is_file():
                raise DataFileError(f"data file {path} is missing (expected {filename} in "
                                    "data/; make data derives it from the registry)")
            try:
                con.read_parquet(str(path)).to_table(table)  # table: a DERIVED_FILES key
            except duckdb.Error as exc:
                raise DataFileError(f"data file {path} cannot be read: {exc}") from exc
            _check_columns(con, table, path)
        meta = con.execute("SELECT count(*), bool_and(available) FROM landscape_meta"
                           ).fetchone()
        if meta != (1, True):
            raise DataFileError(f"data file {data_dir / DERIVED_FILES['landscape_meta']} is "
                                "malformed: not one row of an available landscape")
    except DataFileError:
        for table in DERIVED_FILES:
            con.execute(f"DROP TABLE IF EXISTS {table}")  # names from DERIVED_FILES
        raise


def prepare_unavailable(con: duckdb.DuckDBPyConnection, exc: DataFileError) -> None:
    """The landscape's tables, empty, with ``exc`` as the reason (the app says so)."""
    for table, columns in DERIVED_COLUMNS.items():
        if table != "landscape_meta":
            kinds = ", ".join(f"{c} {k}" for c, k in columns.items())
            con.execute(f"CREATE TABLE {table} ({kinds})")  # names and types are ours
    meta = pd.DataFrame([{
        "available": False, "reason": "; ".join(exc.problems), "snapshot": SNAPSHOT,
        "source": SOURCE, "newest_nct": None, "window_from": pd.Timestamp(window_from()),
        "window_to": pd.Timestamp(SNAPSHOT + "-01") + pd.offsets.MonthEnd(0),
        "recent_from_nct": 0, "fit_studies": 0, "median_abs_error_days": np.nan,
        "p90_abs_error_days": np.nan, "window_misclassified_share": np.nan,
        "rows_without_country": 0, "unattributed_names": 0}])
    con.register("_landscape_meta", meta)
    con.execute("CREATE TABLE landscape_meta AS SELECT * FROM _landscape_meta")
    con.unregister("_landscape_meta")
