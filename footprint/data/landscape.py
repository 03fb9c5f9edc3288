"""The trial landscape's Python build step: registry country names -> ISO3, and the NCT
number -> registration date map that dates every study of the registry.

ClinicalTrials.gov (NLM) via AACT, snapshot 2023-10: one row per (study, country of a
location). :func:`prepare` checks the loaded ``src_aact_*`` tables, maps every country name
(:func:`crosswalk`: an explicit override in ``data/aact_country_names.csv`` first, then
pycountry's exact lookup; nothing fuzzy), fits the year map (:func:`fit_year_map`) and writes
``landscape_names`` (the build report: every name, its ISO3 or why none) and
``landscape_meta`` (one row: snapshot, window, fit error). The SQL step
``queries/build/07_build_landscape.sql`` then counts per country. :func:`prepare_unavailable`
writes the same tables empty, with the reason, so the app starts without the landscape.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from footprint.assumptions import LANDSCAPE_WINDOW_YEARS
from footprint.errors import DataFileError

REGISTRY_FILE = "aact_countries_2023-10.parquet"
SAMPLE_FILE = "aact_studies_sample_2023-10.parquet"
NAMES_FILE = "aact_country_names.csv"
SNAPSHOT = "2023-10"
"""Month of the AACT snapshot (newest NCT number NCT06108271, end of October 2023)."""
SOURCE = "ClinicalTrials.gov (NLM) via AACT, snapshot 2023-10"
UNDER_COUNT = ("ClinicalTrials.gov under-counts Japan, China, India and the EU: they register "
               "in national registries (jRCT/UMIN, ChiCTR, CTRI, EU CTR/CTIS).")
BASES = ("override", "pycountry", "not attributed", "unmatched")
"""How a registry name got its ISO3 (or why it has none), in :func:`crosswalk`."""


class UnmatchedNamesWarning(UserWarning):
    """Registry country names that neither the override table nor pycountry know."""


@dataclass(frozen=True, slots=True)
class YearMap:
    """A monotone step map from NCT number to registration date.

    Attributes
    ----------
    numbers : sorted NCT numbers of the calibration sample [integer part of NCTnnnnnnnn].
    days : fitted first-submitted date of each [days since 1970-01-01], non-decreasing.
    """

    numbers: np.ndarray
    days: np.ndarray

    def first_number_from(self, day: date) -> int:
        """The smallest sample NCT number whose fitted date is on or after ``day``."""
        target = (np.datetime64(day) - np.datetime64("1970-01-01")).astype(float)
        pos = int(np.searchsorted(self.days, target, side="left"))
        return int(self.numbers[min(pos, len(self.numbers) - 1)])

    def predict(self, numbers: np.ndarray) -> np.ndarray:
        """Fitted date [days since 1970-01-01] of each NCT number (the step of the largest
        sample number at or below it; the first step below the sample)."""
        pos = np.searchsorted(self.numbers, numbers, side="right") - 1
        return self.days[np.clip(pos, 0, len(self.days) - 1)]


def nct_number(nct_id: pd.Series) -> np.ndarray:
    """The integer of each NCT id (``NCT06108271`` -> 6108271)."""
    return nct_id.str.slice(3).astype("int64").to_numpy()


def fit_year_map(numbers: np.ndarray, submitted: np.ndarray) -> YearMap:
    """Isotonic (least-squares monotone) regression of submitted date on NCT number.

    Parameters
    ----------
    numbers : NCT numbers of the sample.
    submitted : their ``study_first_submitted_date`` [datetime64].
    """
    from scipy.optimize import isotonic_regression  # only a build needs it (0.3 s to import)

    order = np.argsort(numbers, kind="stable")
    days = (submitted[order] - np.datetime64("1970-01-01")).astype("timedelta64[D]")
    fit = isotonic_regression(days.astype(float), increasing=True).x
    return YearMap(numbers=numbers[order], days=fit)


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
    of studies put on the wrong side of ``cut``."""
    order = np.argsort(numbers, kind="stable")
    numbers, submitted = numbers[order], submitted[order]
    day = (submitted - np.datetime64("1970-01-01")).astype("timedelta64[D]").astype(float)
    cut_day = (np.datetime64(cut) - np.datetime64("1970-01-01")).astype(float)
    errors, wrong = [], []
    for fold in (0, 1):
        train = np.arange(len(numbers)) % 2 == fold
        model = fit_year_map(numbers[train], submitted[train])
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


# Every row check of the loaded registry files: (file, what is wrong, rows failing it).
_ROW_CHECKS = (
    (REGISTRY_FILE, "an nct_id that is not NCT and 8 digits",
     "SELECT count(*) FROM src_aact_countries "
     "WHERE NOT coalesce(regexp_full_match(nct_id, 'NCT[0-9]{8}'), false)"),
    (REGISTRY_FILE, "no removed flag",
     "SELECT count(*) FROM src_aact_countries WHERE removed IS NULL"),
    (SAMPLE_FILE, "an nct_id that is not NCT and 8 digits",
     "SELECT count(*) FROM src_aact_studies "
     "WHERE NOT coalesce(regexp_full_match(nct_id, 'NCT[0-9]{8}'), false)"),
    (SAMPLE_FILE, "no first-submitted date",
     "SELECT count(*) FROM src_aact_studies WHERE study_first_submitted_date IS NULL"),
)
_TYPES = (
    (REGISTRY_FILE, "src_aact_countries", "removed", "BOOLEAN"),
    (SAMPLE_FILE, "src_aact_studies", "study_first_submitted_date", "DATE"),
)


def _check(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse loaded registry tables with a column of the wrong type or a bad row."""
    for filename, table, column, expected in _TYPES:
        found = con.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = $t "
                            "AND column_name = $c", {"t": table, "c": column}).fetchone()
        if not found or found[0] != expected:
            raise DataFileError(f"data file {filename} is malformed: column {column} is "
                                f"{found[0] if found else 'missing'}, not {expected}")
    for filename, what, sql in _ROW_CHECKS:
        bad = con.execute(sql).fetchone()
        if bad and bad[0]:
            raise DataFileError(f"data file {filename} is malformed: {bad[0]:,} rows with {what}")


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Write ``landscape_names`` and ``landscape_meta`` from the loaded ``src_aact_*`` tables.

    Raises
    ------
    DataFileError
        A file's column has the wrong type or a value that is not an NCT id / a date.
    """
    _check(con)
    counts = con.execute(
        "SELECT country, count(DISTINCT CAST(substr(nct_id, 4) AS INTEGER)) "
        "FILTER (WHERE NOT removed) AS studies "
        "FROM src_aact_countries WHERE country IS NOT NULL GROUP BY country "
        "ORDER BY studies DESC, country").df()
    overrides = con.table("src_aact_names").df().fillna("")
    names = crosswalk(counts["country"], overrides)
    names["studies"] = counts["studies"].to_numpy()
    unmatched = names[names["basis"] == "unmatched"]
    if len(unmatched):
        warnings.warn(f"{len(unmatched)} registry country names have no ISO3 (add them to "
                      f"data/{NAMES_FILE}): " + "; ".join(
                          f"{n} ({s:,} studies)" for n, s in zip(
                              unmatched["registry_name"], unmatched["studies"], strict=True)),
                      UnmatchedNamesWarning, stacklevel=2)

    sample = con.execute("SELECT nct_id, study_first_submitted_date AS submitted "
                         "FROM src_aact_studies").df()
    numbers = nct_number(sample["nct_id"])
    submitted = pd.to_datetime(sample["submitted"]).to_numpy("datetime64[D]")
    cut = window_from()
    errors = holdout_errors(numbers, submitted, cut)
    newest, no_country = con.execute(
        "SELECT max(nct_id), count(*) FILTER (WHERE country IS NULL AND NOT removed) "
        "FROM src_aact_countries").fetchone()
    meta = pd.DataFrame([{
        "available": True, "reason": "", "snapshot": SNAPSHOT, "source": SOURCE,
        "newest_nct": newest, "window_from": pd.Timestamp(cut),
        "window_to": pd.Timestamp(SNAPSHOT + "-01") + pd.offsets.MonthEnd(0),
        "recent_from_nct": fit_year_map(numbers, submitted).first_number_from(cut),
        "fit_studies": len(sample), **errors, "rows_without_country": int(no_country),
        "unattributed_names": int((names["iso3"].isna()).sum())}])
    _write(con, names, meta)


def prepare_unavailable(con: duckdb.DuckDBPyConnection, exc: DataFileError) -> None:
    """The landscape's tables, empty, with ``exc`` as the reason (the app says so)."""
    con.execute("DROP TABLE IF EXISTS src_aact_countries")
    con.execute("DROP TABLE IF EXISTS src_aact_studies")
    con.execute("DROP TABLE IF EXISTS src_aact_names")
    con.execute("CREATE TABLE src_aact_countries (nct_id VARCHAR, country VARCHAR, "
                "removed BOOLEAN)")
    names = pd.DataFrame({"registry_name": pd.Series(dtype=str), "iso3": pd.Series(dtype=str),
                          "basis": pd.Series(dtype=str), "note": pd.Series(dtype=str),
                          "studies": pd.Series(dtype="int64")})
    meta = pd.DataFrame([{
        "available": False, "reason": "; ".join(exc.problems), "snapshot": SNAPSHOT,
        "source": SOURCE, "newest_nct": None, "window_from": pd.Timestamp(window_from()),
        "window_to": pd.Timestamp(SNAPSHOT + "-01") + pd.offsets.MonthEnd(0),
        "recent_from_nct": 0, "fit_studies": 0, "median_abs_error_days": np.nan,
        "p90_abs_error_days": np.nan, "window_misclassified_share": np.nan,
        "rows_without_country": 0, "unattributed_names": 0}])
    _write(con, names, meta)


def _write(con: duckdb.DuckDBPyConnection, names: pd.DataFrame, meta: pd.DataFrame) -> None:
    con.register("_landscape_names", names)
    con.register("_landscape_meta", meta)
    con.execute("CREATE TABLE landscape_names AS SELECT * FROM _landscape_names")
    con.execute("CREATE TABLE landscape_meta AS SELECT * FROM _landscape_meta")
    con.unregister("_landscape_names")
    con.unregister("_landscape_meta")

