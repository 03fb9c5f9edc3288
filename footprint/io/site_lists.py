"""Uploaded site lists: validate, locate each site to country and state, count per country.

A site list is a CSV with a header: ``site_name``; either ``country`` or ``latitude`` and
``longitude`` [decimal degrees], or both; optionally ``city`` and ``historic_rate``
[patients/site/month]. Header aliases (``site``, ``name``, ``iso3``, ``town``, ``site_city``,
``lat``, ``lon``, ``lng``, ``rate``) are accepted. A country is named as people write it: an
ISO3 or ISO2 code, or an English name or common variant ("Brasil", "USA", "U.S.", "South
Korea", "Korea, Republic of", "Czech Republic", "Turkey"), matched by :func:`country_code`
against pycountry's ISO 3166 names. The file is read with the one upload reader
(:mod:`footprint.io.uploads`): any usual delimiter and encoding, decimal commas in a
semicolon file, thousands separators. A scenario CSV exported by the Scenario builder is
recognised and refused with a pointer to the scenario uploader (its ``name`` and ``iso3``
columns would otherwise read as site names and countries). Sites with coordinates are located
with a DuckDB spatial join (point in country polygon; point in US state / Japanese prefecture /
Indian state); :func:`count_problems` says what a scenario planning the counted sites could
not hold, before anything offers to use them.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import functools
import io
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Final

import pandas as pd
import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from footprint.assumptions import MAX_PROBLEMS_SHOWN, MAX_RATE, MAX_SITE_LIST_ROWS, MIN_RATE
from footprint.data import queries
from footprint.enrollment.scenario import Scenario, SitePlan, check, validate_scenario
from footprint.errors import SiteListError
from footprint.io.cells import csv_cell
from footprint.io.scenario_csv import CSV_COUNTRY_COLUMNS, CSV_SCENARIO_COLUMNS
from footprint.io.uploads import decode, number, read_rows

SCENARIO_UPLOADER = "Scenario file (JSON or CSV)"
"""The Scenario builder's tab that takes scenario files (named when one comes here)."""
_SCENARIO_CSV_MARKS = frozenset({CSV_SCENARIO_COLUMNS[0], *CSV_COUNTRY_COLUMNS[:2]})
"""Columns that make a CSV a scenario CSV: scenario_no, iso3, sites."""

ALIASES = {
    "site_name": ("site_name", "site", "name", "site name"),
    "city": ("city", "town", "site_city", "site city"),
    "country": ("country", "iso3", "country_code", "country code"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
    "historic_rate": ("historic_rate", "rate", "historic rate"),
}

# --- Country names -------------------------------------------------------------------------------
COUNTRY_ALIASES: Final[dict[str, str]] = {
    # Common ways of writing a country that pycountry (ISO 3166 English names, 26.2.16)
    # does not know, keyed by their folded form (see _fold). Only unambiguous variants.
    "brasil": "BRA",  # the Portuguese spelling, usual in Brazilian site lists
    "turkey": "TUR",  # ISO renamed it Türkiye (2022); pycountry keeps no old name
    "uk": "GBR",  # reserved by ISO for the United Kingdom, whose code is GB
    "england": "GBR", "scotland": "GBR", "wales": "GBR",  # ISO 3166-2 subdivisions of GB
    "northern ireland": "GBR",
    "holland": "NLD",
    "ivory coast": "CIV", "cape verde": "CPV", "east timor": "TLS", "swaziland": "SWZ",
    "burma": "MMR",  # names ISO has replaced
    "dr congo": "COD", "drc": "COD", "congo kinshasa": "COD", "congo brazzaville": "COG",
    "uae": "ARE",
    "kosovo": "XKX",  # the World Bank's code; ISO 3166 assigns none (pycountry: none)
}
_STOP_WORDS: Final = frozenset({"the", "of", "and"})
_PARTIAL_MIN_CHARS: Final = 4
"""A name shorter than this is not matched as part of a longer name ('uk', 'in') [chars]."""


def _fold(text: str) -> str:
    """Casefolded, accents and dots removed, '&' as 'and', spaces collapsed."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                    if not unicodedata.combining(ch))
    plain = plain.casefold().replace(".", "").replace("&", " and ").replace("-", " ")
    return " ".join(plain.split())


def _words(folded: str) -> frozenset[str]:
    return frozenset(re.findall(r"[^\W_]+", folded)) - _STOP_WORDS


@dataclass(frozen=True, slots=True)
class CountryMatch:
    """What a country cell names: ``iso3`` when one country, else the ``candidates``
    (several countries it could be, or close spellings of an unknown name)."""

    iso3: str | None
    candidates: tuple[str, ...] = ()
    ambiguous: bool = False


@functools.cache
def _names() -> tuple[dict[str, str], dict[frozenset[str], str | None], dict[str, str]]:
    """pycountry's countries as (folded name -> iso3, word set -> iso3 or None when two
    countries share it, iso3 -> display name)."""
    folded: dict[str, str] = {}
    by_words: dict[frozenset[str], str | None] = {}
    shown: dict[str, str] = {}
    for c in pycountry.countries:
        shown[c.alpha_3] = getattr(c, "common_name", None) or c.name
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                key = _fold(value)
                folded[key] = c.alpha_3
                words = _words(key)
                if by_words.setdefault(words, c.alpha_3) != c.alpha_3:
                    by_words[words] = None  # two countries' names have these words
    return folded, by_words, shown


@functools.cache
def _all_names() -> str:
    """Every folded country name in one text, one a line (rules out most junk at once)."""
    return "\n".join(_names()[0])


@functools.lru_cache(maxsize=4096)
def _match(text: str) -> CountryMatch:
    key = _fold(text)
    if key in COUNTRY_ALIASES:
        return CountryMatch(COUNTRY_ALIASES[key])
    try:  # ISO2, ISO3, numeric codes and the exact names, any case
        return CountryMatch(pycountry.countries.lookup(key).alpha_3)
    except LookupError:
        pass
    folded, by_words, _ = _names()
    if key in folded:  # an exact name without its accents ('Turkiye', 'Cote d'Ivoire')
        return CountryMatch(folded[key])
    words = _words(key)
    if by_words.get(words):  # the same words in another order ('Republic of Korea')
        return CountryMatch(by_words[words])
    if len(key) >= _PARTIAL_MIN_CHARS and key in _all_names():
        # part of a country's name ('Russia', 'Macedonia', 'Great Britain'): pycountry's
        # search_fuzzy without its subdivision names, which map 'Paris' to France and
        # 'Republic of Korea' to North Korea, and cost ~30 ms a call
        found = sorted({iso3 for name, iso3 in folded.items() if key in name})
        if len(found) == 1:
            return CountryMatch(found[0])
        if found:
            return CountryMatch(None, tuple(found), ambiguous=True)
    return CountryMatch(None)


def _close(text: str) -> tuple[str, ...]:
    """ISO3 codes of countries spelt like ``text`` (at most three)."""
    folded, _, _ = _names()
    spellings = {**folded, **COUNTRY_ALIASES}
    near = difflib.get_close_matches(_fold(text), list(spellings), n=6, cutoff=0.75)
    return tuple(dict.fromkeys(spellings[n] for n in near))[:3]


def country_name(iso3: str) -> str:
    """The English short name of a country (pycountry's common name where it has one)."""
    return _names()[2].get(iso3, iso3)


def country_code(text: str, valid_iso3: Collection[str], *, hint: bool = True) -> str:
    """The ISO3 code of a country as written in a file, or why it is not one.

    Tried in turn: a code of ``valid_iso3`` (any case), a variant of
    :data:`COUNTRY_ALIASES`, pycountry's ``countries.lookup`` (ISO2, ISO3, numeric, English
    names), the names without accents or in another word order, then a part of exactly one
    country's name.

    Parameters
    ----------
    text : str
        The cell as written.
    valid_iso3 : collection of str
        The countries the app has data for.
    hint : bool
        Name close spellings of an unknown name (a few ms each: off past the problems shown).

    Raises
    ------
    ValueError
        Not a country, one the app has no data for, or several; the message quotes ``text``
        and names the close matches.
    """
    code = text.strip().upper()
    if code in valid_iso3:
        return code
    found = _match(text.strip())
    if found.iso3 in valid_iso3:
        return found.iso3
    if found.iso3 is not None:
        raise ValueError(f"{text!r} is {country_name(found.iso3)} ({found.iso3}), which this "
                         "app has no data for")
    if found.ambiguous:
        options = " or ".join(f"{country_name(c)} ({c})" for c in found.candidates[:4])
        raise ValueError(f"{text!r} could be {options}: write the country's name or ISO3 code")
    near = [c for c in _close(text) if c in valid_iso3] if hint else []
    hint = (f"; did you mean {' or '.join(f'{country_name(c)} ({c})' for c in near)}?"
            if near else "")
    raise ValueError(f"{text!r} is not a country we know{hint}")


class _Site(BaseModel):
    model_config = ConfigDict(extra="ignore")

    site_name: str = Field(min_length=1, max_length=200)
    city: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    historic_rate: float | None = Field(default=None, ge=MIN_RATE, le=MAX_RATE,
                                        allow_inf_nan=False)


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
            "columns: need 'site_name' and either 'country' (a name or code) or 'latitude' and "
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
        if site.country is not None and site.country.strip():
            try:
                site.country = country_code(site.country, valid_iso3,
                                            hint=len(problems) < MAX_PROBLEMS_SHOWN)
            except ValueError as exc:
                problems.append(f"row {i}, country: {exc}")
                continue
        else:
            site.country = None
        if site.country is None and (site.latitude is None or site.longitude is None):
            problems.append(f"row {i}: give a country or both latitude and longitude")
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


# --- The plan's sites ------------------------------------------------------------------------
SITE_CSV_COLUMNS: Final = ("site_name", "city", "country", "latitude", "longitude",
                           "historic_rate")
"""Columns of :func:`sites_to_csv`: a site list that :func:`parse_site_list` reads back."""


def site_plan(located: pd.DataFrame) -> tuple[SitePlan, ...]:
    """The located sites with a country as a scenario's ``site_list`` (the others are not
    counted, so not planned).

    Parameters
    ----------
    located : pandas.DataFrame
        From :func:`locate`.
    """
    out = []
    for row in located.dropna(subset=["iso3"]).to_dict(orient="records"):
        value = {k: None if pd.isna(row.get(k)) else row.get(k)
                 for k in ("city", "latitude", "longitude", "historic_rate")}
        out.append(SitePlan(str(row["site_name"]), str(row["iso3"]), **value))
    return tuple(out)


def sites_frame(sites: Sequence[SitePlan]) -> pd.DataFrame:
    """A scenario's listed sites shaped like :func:`locate`'s output (for the map)."""
    frame = pd.DataFrame([dataclasses.asdict(s) for s in sites],
                         columns=[f.name for f in dataclasses.fields(SitePlan)])
    frame["country"] = frame["iso3"]
    return frame.astype({"latitude": float, "longitude": float, "historic_rate": float})


def sites_to_csv(sites: Sequence[SitePlan]) -> str:
    """A scenario's listed sites as a site list CSV (UTF-8 BOM, CRLF), which the Scenario
    builder's site-list uploader reads back; text cells neutralised against formulas."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SITE_CSV_COLUMNS)
    for s in sites:
        writer.writerow([csv_cell(v) for v in (s.site_name, s.city, s.iso3, s.latitude,
                                                s.longitude, s.historic_rate)])
    return "\ufeff" + buffer.getvalue()


def with_site_plan(scenario: Scenario, sites: Sequence[SitePlan]) -> Scenario:
    """``scenario`` with the listed sites of its countries as its ``site_list``.

    Raises
    ------
    ScenarioError
        A country plans fewer sites than it has listed (each such country named).
    """
    planned = {c.iso3 for c in scenario.countries}
    out = replace(scenario, site_list=tuple(s for s in sites if s.iso3 in planned))
    if out.site_list:
        validate_scenario(out)
    return out
