"""Your own indications: a definition file read, checked with every problem listed, turned
into a :class:`~footprint.model.pool.Indication`.

A definition (JSON) names the indication, its age band (``age_high`` null: open), the sex it
is limited to, its kind (``prevalent`` or ``incident_per_year``), a diagnosed share [0-1]
and a note, and EITHER one rate for all countries (``rate``, ``unit``, ``year``, ``source``)
OR a per-country table (``rates``: a CSV path beside the JSON file, or a list of rows).
A rates CSV has the columns ``iso3`` or ``country`` (a code or a name as people write it,
matched by :func:`footprint.io.site_lists.country_code`), ``rate``, ``unit`` (one of
:data:`RATE_UNITS`), ``year`` and ``source``; any usual delimiter and encoding (the one
upload reader, :mod:`footprint.io.uploads`).

The app ships no invented epidemiology: the rates are the user's, applied as the crude rate
of the band, and every pool of a custom indication is labelled "your data: <source>, <year>".
The stored form (:func:`to_json`) is a definition file with the rows inline and the id kept.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from footprint.assumptions import MAX_NAME_LENGTH, MAX_NOTE_LENGTH, WPP_OPEN_GROUP_TOP
from footprint.errors import UploadError
from footprint.io.site_lists import country_code
from footprint.io.uploads import decode, number, read_limited, read_rows
from footprint.model import pool

RATE_UNITS: Final[dict[str, float]] = {
    "percent": 100.0, "per_1000": 1_000.0, "per_100000": 100_000.0, "per_million": 1e6}
"""A rate's unit -> its denominator: a rate is in [0, denominator] (percent in [0, 100])."""
UNIT_ALIASES: Final[dict[str, str]] = {
    "%": "percent", "pct": "percent", "per 1000": "per_1000", "per 1,000": "per_1000",
    "per 100000": "per_100000", "per 100,000": "per_100000", "per_100k": "per_100000",
    "per 1000000": "per_million", "per 1,000,000": "per_million"}
KINDS: Final = pool.UNITS
"""``prevalent`` (patients living with it) or ``incident_per_year`` (new cases a year)."""
SEXES: Final = pool.SEXES
COUNTRY_COLUMNS: Final = ("iso3", "country")
RATE_COLUMNS: Final = ("rate", "unit", "year", "source")
ID_PREFIX: Final = "my_"
"""Every custom indication's id starts so (a shipped id never does)."""
FORMAT: Final = "footprint-indication"
FIELDS: Final = ("format", "id", "name", "age_low", "age_high", "sex", "kind",
                 "diagnosed_share", "diagnosed_source", "note", "rate", "unit", "year",
                 "source", "rates")
"""Keys a definition file may have (any other is refused: a misspelt key would be lost)."""
_ID: Final = re.compile(r"my_[a-z0-9_]{1,60}")
_MAX_AGE: Final = WPP_OPEN_GROUP_TOP - 1
_NO_DIAGNOSED_SOURCE: Final = "your figure (no source given)"
_YOURS: Final = "your data: "


@dataclass(frozen=True, slots=True)
class Rate:
    """One rate as the user gave it: ``value`` in ``unit`` (a key of :data:`RATE_UNITS`),
    the ``year`` it is for and its ``source``."""

    value: float
    unit: str
    year: int
    source: str

    @property
    def fraction(self) -> float:
        """The rate as a share of the band's population [0-1]."""
        return self.value / RATE_UNITS[self.unit]

    @property
    def label(self) -> str:
        """'your data: <source>, <year>'."""
        return f"{_YOURS}{self.source}, {self.year}"


@dataclass(frozen=True, slots=True)
class Definition:
    """A custom indication as its owner defined it.

    Parameters
    ----------
    id : ``my_...`` (see :func:`new_id`); empty until it is first stored.
    name : display name [at most MAX_NAME_LENGTH characters].
    age_low, age_high : the band, inclusive [years]; ``age_high`` None is open.
    sex : one of :data:`SEXES`.
    kind : one of :data:`KINDS`.
    diagnosed_share : share of patients who are diagnosed [0-1, above 0].
    diagnosed_source : where that share comes from.
    note : free text [at most MAX_NOTE_LENGTH characters].
    rate : the one rate of every country, or None.
    rates : (iso3, rate) per country, or empty (exactly one of ``rate`` and ``rates``).
    """

    name: str
    age_low: int
    age_high: int | None
    sex: str
    kind: str
    diagnosed_share: float
    rate: Rate | None = None
    rates: tuple[tuple[str, Rate], ...] = ()
    diagnosed_source: str = _NO_DIAGNOSED_SOURCE
    note: str = ""
    id: str = ""

    @property
    def band(self) -> str:
        """'18-64' or '65+' [years]."""
        return pool.band_label(self.age_low, self.age_high)

    @property
    def sources(self) -> str:
        """The rates' sources and years (:func:`sources_of`)."""
        return sources_of(to_indication(self))


def new_id(name: str) -> str:
    """A fresh id for a custom indication: ``my_<name's words>_<6 random hex digits>``
    (lower case: a link's ``indication`` parameter is read in lower case)."""
    words = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")[:40].strip("_")
    return f"{ID_PREFIX}{words + '_' if words else ''}{secrets.token_hex(3)}"


def is_custom_id(text: str) -> bool:
    """Whether ``text`` is shaped like a custom indication's id."""
    return bool(_ID.fullmatch(text))


# --- reading -----------------------------------------------------------------------------------
def read_rates_csv(data: bytes, valid_iso3: Collection[str], *,
                   current_year: int | None = None) -> tuple[tuple[str, Rate], ...]:
    """The per-country rates of a CSV, or an :class:`UploadError` listing every problem.

    Parameters
    ----------
    data : the file's bytes (at most MAX_UPLOAD_BYTES).
    valid_iso3 : the countries the app has data for.
    current_year : the latest year a rate may be for (this year when None).
    """
    rows = read_rows(decode(data))
    names = [h.strip().lower() for h in rows.header]
    problems = _header_problems(names)
    if problems:
        raise UploadError(problems, headline="the rates table was refused:")
    index = {n: i for i, n in enumerate(names) if n}
    country = next(c for c in COUNTRY_COLUMNS if c in index)
    records = []
    for number_in_file, record in enumerate(rows.records, start=2):
        cells = {n: (record[i].strip() if i < len(record) else "") for n, i in index.items()}
        if any(cells.values()):
            records.append((f"row {number_in_file}", cells.get(country, ""), cells))
    return _checked_rows(records, valid_iso3, _year_limit(current_year), rows.decimal_comma)


def definition_from_dict(data: object, valid_iso3: Collection[str], *,
                         rates_csv: bytes | None = None,
                         current_year: int | None = None) -> Definition:
    """A checked :class:`Definition` from a definition's mapping, or an
    :class:`UploadError` listing every problem.

    Parameters
    ----------
    data : the parsed JSON (``rates`` a list of rows, or a path whose bytes are
        ``rates_csv``).
    valid_iso3 : the countries the app has data for.
    rates_csv : the bytes of the rates CSV the definition names.
    current_year : the latest year a rate may be for (this year when None).
    """
    if not isinstance(data, Mapping):
        raise UploadError("a definition must be a JSON object with a name, an age band, a "
                          "sex, a kind, a diagnosed share and a rate or rates")
    problems: list[str] = []
    unknown = sorted(str(k) for k in data if k not in FIELDS)
    if unknown:
        problems.append(f"unknown key(s) {', '.join(map(repr, unknown))}; a definition has "
                        f"{', '.join(FIELDS[1:])}")
    if data.get("format", FORMAT) != FORMAT:
        problems.append(f"format: must be {FORMAT!r} when given")
    ind_id = data.get("id", "")
    if ind_id != "" and not (isinstance(ind_id, str) and is_custom_id(ind_id)):
        problems.append("id: a custom indication's id is my_ then lower-case letters, digits "
                        "or _ (leave it out: the store gives one)")
    name = _text(data, "name", MAX_NAME_LENGTH, problems, required=True)
    note = _text(data, "note", MAX_NOTE_LENGTH, problems)
    diagnosed_source = _text(data, "diagnosed_source", MAX_NAME_LENGTH, problems)
    age_low = _age(data, "age_low", problems, required=True)
    age_high = _age(data, "age_high", problems, required=False)
    if age_low is not None and age_high is not None and age_high < age_low:
        problems.append(f"age_high: {age_high} is below age_low {age_low}")
    sex = _choice(data, "sex", SEXES, problems, default="both")
    kind = _choice(data, "kind", KINDS, problems)
    share = data.get("diagnosed_share")
    if share is None:
        problems.append("diagnosed_share: missing; give the share of patients who are "
                        "diagnosed, from above 0 to 1 (1: every patient)")
    elif not _is_number(share) or not 0 < share <= 1:
        problems.append(f"diagnosed_share: {share!r} is not a share from above 0 to 1")
    single = [k for k in RATE_COLUMNS if k in data]
    rate, rates = None, ()
    year_limit = _year_limit(current_year)
    if single and "rates" in data:
        problems.append("give either one rate for all countries (rate, unit, year, source) "
                        "or a per-country table (rates), not both")
    elif "rates" in data:
        rates = _rates_of(data["rates"], rates_csv, valid_iso3, year_limit, problems)
    elif single:
        cells = {k: data.get(k) for k in RATE_COLUMNS}
        checked, wrong = _rate(cells, "", year_limit, decimal_comma=False)
        rate = checked
        problems += wrong
    else:
        problems.append("no rate: give one rate for all countries (rate, unit, year, source) "
                        "or a per-country table (rates: a CSV file or a list of rows)")
    if problems:
        raise UploadError(problems, headline="the indication was refused:")
    return Definition(name=name, age_low=age_low, age_high=age_high,  # type: ignore[arg-type]
                      sex=sex, kind=kind, diagnosed_share=float(share),  # type: ignore[arg-type]
                      rate=rate, rates=rates,
                      diagnosed_source=diagnosed_source or _NO_DIAGNOSED_SOURCE,
                      note=note, id=ind_id)


def read_definition(path: str | Path, valid_iso3: Collection[str], *,
                    current_year: int | None = None) -> Definition:
    """The definition in a JSON file, its ``rates`` CSV (a path) read relative to the file.

    Raises
    ------
    UploadError
        Every problem of the file and of its rates table.
    OSError
        A file cannot be opened.
    """
    path = Path(path)
    data = _json_object(decode(read_limited(path)))
    rates_csv = None
    if isinstance(data.get("rates"), str) and data["rates"].strip():
        csv_path = path.parent / data["rates"].strip()
        try:
            rates_csv = read_limited(csv_path)
        except OSError as exc:
            raise UploadError(f"rates: cannot read {csv_path}: {exc.strerror or exc}") \
                from None
    return definition_from_dict(data, valid_iso3, rates_csv=rates_csv,
                                current_year=current_year)


def from_json(text: str, valid_iso3: Collection[str] | None = None) -> Definition:
    """A stored definition (:func:`to_json`), checked again (``valid_iso3`` None: the codes
    are taken as stored)."""
    data = _json_object(text)
    codes = valid_iso3 if valid_iso3 is not None else {
        str(r.get("iso3")) for r in data.get("rates", ()) if isinstance(r, Mapping)}
    return definition_from_dict(data, codes, current_year=_LATEST_STORED_YEAR)


def to_json(definition: Definition) -> str:
    """The stored form: a definition file with the rows inline (re-read by :func:`from_json`)."""
    out: dict[str, Any] = {
        "format": FORMAT, "id": definition.id, "name": definition.name,
        "age_low": definition.age_low, "age_high": definition.age_high,
        "sex": definition.sex, "kind": definition.kind,
        "diagnosed_share": definition.diagnosed_share,
        "diagnosed_source": definition.diagnosed_source, "note": definition.note}
    if definition.rate is not None:
        out.update(rate=definition.rate.value, unit=definition.rate.unit,
                   year=definition.rate.year, source=definition.rate.source)
    else:
        out["rates"] = [{"iso3": iso3, "rate": r.value, "unit": r.unit, "year": r.year,
                         "source": r.source} for iso3, r in definition.rates]
    return json.dumps(out, ensure_ascii=False, allow_nan=False, indent=1)


def to_indication(definition: Definition) -> pool.Indication:
    """The definition as the pool's :class:`~footprint.model.pool.Indication` (kind
    ``custom``, a crude rate, named "<name> (your data)")."""
    one = definition.rate
    return pool.Indication(
        id=definition.id, name=f"{definition.name} (your data)", kind="custom",
        age_low=definition.age_low, age_high=definition.age_high, unit=definition.kind,
        sex=definition.sex, rate_basis="crude",
        prevalence_pct=None if one is None else one.fraction * 100,
        rate_source="" if one is None else one.label,
        rate_year=None if one is None else one.year,
        country_rates=tuple((iso3, r.fraction, r.year, r.label)
                            for iso3, r in definition.rates),
        diagnosed_share=definition.diagnosed_share,
        diagnosed_source=definition.diagnosed_source, note=definition.note)


def sources_of(indication: pool.Indication) -> str:
    """'your data: <source>, <year>; ...' of a custom indication's rates (the first three
    sources, then how many more), '' for any other indication."""
    if indication.kind != "custom":
        return ""
    labels = [indication.rate_source] if indication.rate_source else []
    labels = list(dict.fromkeys(labels + [s for *_, s in indication.country_rates]))
    if not labels:
        return ""
    shown = "; ".join(label.removeprefix(_YOURS) for label in labels[:3])
    more = f"; and {len(labels) - 3} more" if len(labels) > 3 else ""
    return f"{_YOURS}{shown}{more}"


# --- checks ------------------------------------------------------------------------------------
_LATEST_STORED_YEAR: Final = 9999
"""A stored rate was checked against its save date's year; reading it back never refuses it
for having become 'future' on another machine's clock."""


def _year_limit(current_year: int | None) -> int:
    return dt.date.today().year if current_year is None else current_year


def _header_problems(names: Sequence[str]) -> list[str]:
    problems = []
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        problems.append(f"the header names the column(s) {', '.join(map(repr, twice))} twice")
    countries = [c for c in COUNTRY_COLUMNS if c in names]
    if not countries:
        problems.append("no iso3 or country column: name each row's country (an ISO3 code "
                        "such as BRA, or a name such as Brazil)")
    elif len(countries) > 1:
        problems.append("both an iso3 and a country column: keep one")
    for column in RATE_COLUMNS:
        if column not in names:
            problems.append({
                "rate": "no rate column: give each country's rate",
                "unit": f"no unit column: say each rate's unit ({', '.join(RATE_UNITS)})",
                "year": "no year column: say the year each rate is for",
                "source": "no source column: every rate needs its source (publisher, title), "
                          "shown with every pool of this indication",
            }[column])
    return problems


def _rates_of(value: object, rates_csv: bytes | None, valid_iso3: Collection[str],
              year_limit: int, problems: list[str]) -> tuple[tuple[str, Rate], ...]:
    if isinstance(value, str):
        if rates_csv is None:
            problems.append(f"rates: the file {value!r} was not given with the definition")
            return ()
        try:
            return read_rates_csv(rates_csv, valid_iso3, current_year=year_limit)
        except UploadError as exc:
            problems += [f"rates ({value}): {p}" for p in exc.problems]
            return ()
    if not isinstance(value, list) or not value:
        problems.append("rates: must be a CSV file name or a non-empty list of rows")
        return ()
    records = []
    for i, row in enumerate(value, start=1):
        where = f"rates row {i}"
        if not isinstance(row, Mapping):
            problems.append(f"{where}: must be an object with iso3 or country, rate, unit, "
                            "year and source")
            continue
        names = [str(k).strip().lower() for k in row]
        header = _header_problems(names)
        if header:
            problems += [f"{where}: {p}" for p in header]
            continue
        cells = {str(k).strip().lower(): v for k, v in row.items()}
        country = next(c for c in COUNTRY_COLUMNS if c in cells)
        records.append((where, cells[country], cells))
    try:
        return _checked_rows(records, valid_iso3, year_limit, decimal_comma=False)
    except UploadError as exc:
        problems += exc.problems
        return ()


def _checked_rows(records: Sequence[tuple[str, object, Mapping[str, object]]],
                  valid_iso3: Collection[str], year_limit: int,
                  decimal_comma: bool) -> tuple[tuple[str, Rate], ...]:
    """(iso3, rate) per record, or an :class:`UploadError` with a problem per bad cell."""
    problems: list[str] = []
    out: list[tuple[str, Rate]] = []
    first: dict[str, str] = {}
    if not records:
        raise UploadError("the rates table has no rows")
    for where, written, cells in records:
        iso3 = None
        text = "" if written is None else str(written).strip()
        if not text:
            problems.append(f"{where}, country: empty")
        else:
            try:
                iso3 = country_code(text, valid_iso3, hint=len(problems) < 50)
            except ValueError as exc:
                problems.append(f"{where}, country: {exc}")
        if iso3 is not None:
            if iso3 in first:
                problems.append(f"{where}, country: {text!r} is {iso3}, already given in "
                                f"{first[iso3]}: give each country once")
                iso3 = None
            else:
                first[iso3] = where
        rate, wrong = _rate(cells, f"{where}, ", year_limit, decimal_comma)
        problems += wrong
        if iso3 is not None and rate is not None:
            out.append((iso3, rate))
    if problems:
        raise UploadError(problems, headline="the rates table was refused:")
    return tuple(out)


def _rate(cells: Mapping[str, object], where: str, year_limit: int,
          decimal_comma: bool) -> tuple[Rate | None, list[str]]:
    """One rate from its cells (text from a CSV, or JSON values), and its problems."""
    problems = []
    raw_unit = cells.get("unit")
    unit_text = "" if raw_unit is None else str(raw_unit).strip().lower()
    unit = UNIT_ALIASES.get(unit_text, unit_text)
    if not unit:
        problems.append(f"{where}unit: empty; one of {', '.join(RATE_UNITS)}")
    elif unit not in RATE_UNITS:
        problems.append(f"{where}unit: {raw_unit!r} is not one of {', '.join(RATE_UNITS)}")
    value = _number(cells.get("rate"), decimal_comma)
    if value is None:
        problems.append(f"{where}rate: {cells.get('rate')!r} is not a number")
    elif unit in RATE_UNITS and not 0 <= value <= RATE_UNITS[unit]:
        problems.append(f"{where}rate: {value:g} is out of range for {unit} (0 to "
                        f"{RATE_UNITS[unit]:,.0f})")
    elif value < 0:
        problems.append(f"{where}rate: {value:g} is below 0")
    year = _number(cells.get("year"), decimal_comma)
    if year is None or not float(year).is_integer() or not 1000 <= year <= 9999:
        problems.append(f"{where}year: {cells.get('year')!r} is not a year such as 2021")
    elif year > year_limit:
        problems.append(f"{where}year: {int(year)} is in the future (after {year_limit})")
    raw_source = cells.get("source")
    source = "" if raw_source is None else str(raw_source).strip()
    if not source:
        problems.append(f"{where}source: empty; every rate needs its source (publisher, "
                        "title)")
    elif len(source) > MAX_NAME_LENGTH or re.search(r"[\x00-\x1f\x7f]", source):
        problems.append(f"{where}source: longer than {MAX_NAME_LENGTH} characters or not "
                        "one line")
    if problems:
        return None, problems
    return Rate(float(value), unit, int(year), source), []  # type: ignore[arg-type]


def _number(value: object, decimal_comma: bool) -> float | None:
    if _is_number(value):
        return float(value)  # type: ignore[arg-type]
    if not isinstance(value, str):
        return None
    try:
        out = number(value, decimal_comma)
    except ValueError:
        return None
    return None if out is None or out != out or out in (float("inf"), float("-inf")) \
        else float(out)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and value == value and abs(value) != float("inf")


def _text(data: Mapping, key: str, limit: int, problems: list[str], *,
          required: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(f"{key}: must be text")
        return ""
    if required and not value.strip():
        problems.append(f"{key}: missing or empty")
    elif len(value) > limit:
        problems.append(f"{key}: longer than {limit:,} characters")
    elif "\x00" in value or (key == "name" and re.search(r"[\x00-\x1f\x7f]", value)):
        problems.append(f"{key}: contains control characters")
    return value.strip()


def _age(data: Mapping, key: str, problems: list[str], *, required: bool) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            problems.append(f"{key}: missing; the band's lowest age [years]")
        return None
    if not _is_number(value) or not float(value).is_integer() \
            or not 0 <= value <= _MAX_AGE:
        problems.append(f"{key}: {value!r} is not a whole age from 0 to {_MAX_AGE} [years]"
                        + ("; null for an open band" if key == "age_high" else ""))
        return None
    return int(value)


def _choice(data: Mapping, key: str, allowed: Sequence[str], problems: list[str], *,
            default: str | None = None) -> str:
    value = data.get(key, default)
    if value not in allowed:
        said = "missing" if value is None else f"{value!r} is not"
        problems.append(f"{key}: {said} one of {', '.join(allowed)}")
        return ""
    return str(value)


def _json_object(text: str) -> dict:
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise UploadError(f"the definition is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UploadError("a definition must be a JSON object (an indication's fields)")
    return data


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")
