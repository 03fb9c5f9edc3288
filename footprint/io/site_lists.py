"""Uploaded site lists: validate, locate each site to country and state, count per country.

A site list is a CSV with a header: ``site_name``; either ``country`` (ISO3 code) or
``latitude`` and ``longitude`` [decimal degrees], or both; optionally ``historic_rate``
[patients/site/month]. Header aliases (``site``, ``name``, ``iso3``, ``lat``, ``lon``,
``lng``, ``rate``) are accepted. The file is read with the one upload reader
(:mod:`footprint.io.uploads`): any usual delimiter and encoding, decimal commas in a
semicolon file, thousands separators. A scenario CSV exported by the Scenario builder is
recognised and refused with a pointer to the scenario uploader (its ``name`` and ``iso3``
columns would otherwise read as site names and countries). Sites with coordinates are located
with a DuckDB spatial join (point in country polygon; point in US state / Japanese prefecture /
Indian state); :func:`count_problems` says what a scenario planning the counted sites could
not hold, before anything offers to use them.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from footprint.assumptions import MAX_SITE_LIST_ROWS
from footprint.data import queries
from footprint.enrollment.scenario import check
from footprint.errors import SiteListError
from footprint.io.scenario_csv import CSV_COUNTRY_COLUMNS, CSV_SCENARIO_COLUMNS
from footprint.io.uploads import decode, number, read_rows

SCENARIO_UPLOADER = "Scenario file (JSON or CSV)"
"""The Scenario builder's tab that takes scenario files (named when one comes here)."""
_SCENARIO_CSV_MARKS = frozenset({CSV_SCENARIO_COLUMNS[0], *CSV_COUNTRY_COLUMNS[:2]})
"""Columns that make a CSV a scenario CSV: scenario_no, iso3, sites."""

ALIASES = {
    "site_name": ("site_name", "site", "name", "site name"),
    "country": ("country", "iso3", "country_code", "country code"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
    "historic_rate": ("historic_rate", "rate", "historic rate"),
}


class _Site(BaseModel):
    model_config = ConfigDict(extra="ignore")

    site_name: str = Field(min_length=1, max_length=200)
    country: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    historic_rate: float | None = Field(default=None, gt=0, allow_inf_nan=False)

    @field_validator("country")
    @classmethod
    def _iso3(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise ValueError("must be a 3-letter ISO3 code such as BRA")
        return code


def _rename(frame: pd.DataFrame) -> pd.DataFrame:
    mapping = {}
    for field, names in ALIASES.items():
        found = [c for c in frame.columns if c in names]
        if found:
            mapping[found[0]] = field
    return frame.rename(columns=mapping)


def parse_site_list(data: bytes, valid_iso3: Collection[str]) -> pd.DataFrame:
    """Validated sites (one row per site) from uploaded bytes.

    Raises
    ------
    UploadError
        The file cannot be read as a table.
    SiteListError
        A scenario CSV, missing columns, or bad cells; lists every problem with its row
        (1 = first data row).
    """
    rows = read_rows(decode(data))
    header = {h.strip().lower() for h in rows.header}
    if _SCENARIO_CSV_MARKS <= header:
        raise SiteListError([
            "this is a scenario CSV exported from the Scenario builder, not a site list: "
            f"upload it under '{SCENARIO_UPLOADER}'"])
    frame = _rename(rows.frame())
    has_coords = {"latitude", "longitude"} <= set(frame.columns)
    if "site_name" not in frame.columns or not ("country" in frame.columns or has_coords):
        raise SiteListError([
            "columns: need 'site_name' and either 'country' (ISO3) or 'latitude' and "
            f"'longitude'; found {', '.join(map(str, frame.columns)) or 'none'}"])
    if len(frame) == 0:
        raise SiteListError(["the file has a header but no sites"])
    if len(frame) > MAX_SITE_LIST_ROWS:
        raise SiteListError([f"{len(frame)} sites: at most {MAX_SITE_LIST_ROWS} per upload"])
    problems: list[str] = []
    records = []
    for i, row in enumerate(frame.to_dict(orient="records"), start=1):
        record: dict[str, object] = {k: None if pd.isna(row.get(k)) else row[k] for k in ALIASES}
        for key in ("latitude", "longitude", "historic_rate"):
            try:
                record[key] = number(record[key], rows.decimal_comma)  # type: ignore[arg-type]
            except ValueError:
                problems.append(f"row {i}, {key}: {record[key]!r} is not a number")
                record[key] = None
        try:
            site = _Site.model_validate(record)
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"])
                problems.append(f"row {i}, {field}: {err['msg']}")
            continue
        if site.country is None and (site.latitude is None or site.longitude is None):
            problems.append(f"row {i}: give a country code or both latitude and longitude")
        elif site.country is not None and site.country not in valid_iso3:
            problems.append(f"row {i}, country: unknown code {site.country!r}")
        records.append(site.model_dump())
    if problems:
        raise SiteListError(problems)
    return pd.DataFrame(records)


def locate(con, sites: pd.DataFrame) -> pd.DataFrame:
    """Sites with ``iso3`` (given, else from coordinates) and ``unit_code`` / ``unit_name``
    (state or prefecture, when coordinates are given and fall in one).

    ``located_country`` is the country the coordinates fall in (NULL at sea or without
    coordinates); a site whose given country disagrees with it keeps the given country and
    is listed in ``mismatch``.
    """
    frame = sites.reset_index(drop=True).assign(site_id=lambda f: range(len(f)))
    con.register("uploaded_sites", frame[["site_id", "latitude", "longitude"]])
    try:
        located = queries.run(con, "locate_sites")
    finally:
        con.unregister("uploaded_sites")
    out = frame.merge(located, on="site_id", how="left")
    out["iso3"] = out["country"].fillna(out["located_country"])
    out["mismatch"] = out["country"].notna() & out["located_country"].notna() & (
        out["country"] != out["located_country"])
    return out.drop(columns="site_id")


def count_per_country(located: pd.DataFrame) -> pd.DataFrame:
    """Sites per country with the mean historic rate where given [patients/site/month]."""
    known = located.dropna(subset=["iso3"])
    return (known.groupby("iso3")
            .agg(sites=("site_name", "size"), mean_historic_rate=("historic_rate", "mean"))
            .reset_index())


def count_problems(counts: pd.DataFrame) -> list[str]:
    """What the scenario schema refuses in a plan of these site counts (a country over its
    cap, too many sites in total), each naming its country; empty when they can be used.

    Parameters
    ----------
    counts : pandas.DataFrame
        From :func:`count_per_country` (``iso3``, ``sites``).
    """
    countries = [{"iso3": str(i), "sites": int(n)}
                 for i, n in zip(counts["iso3"], counts["sites"], strict=True)]
    if not countries:
        return []
    _, problems = check({"countries": countries})
    out = []
    for p in problems:
        if p.loc[:1] != ("countries",):
            continue  # the plan's other fields are the page's, not the list's
        if len(p.loc) >= 3 and isinstance(p.loc[1], int):
            out.append(f"{countries[p.loc[1]]['iso3']}: {p.loc[2]} {p.message}")
        else:
            out.append(f"{p.path}: {p.message}")
    return out
