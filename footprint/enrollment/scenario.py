"""Trial scenarios: dataclasses, validation, defaults, JSON and CSV import/export.

A scenario is what the user plans: an indication, a patient target and, per country, a number
of sites with optional overrides of the enrollment model. It is validated once, on the way in,
and every problem is reported at once with its field path. :func:`resolve` then fills every
value the user left out, from the regulatory model (start-up) or from a documented default,
and records where each value came from so the UI can label defaults.

JSON format (``schema_version`` 1)
----------------------------------
A JSON object with these keys; unknown keys are rejected (it catches typos such as ``"site"``)::

    {
      "schema_version": 1,              # required, integer; a newer version is refused
      "name": "LatAm hypertension",     # required, non-empty text (max 200 characters)
      "indication": "hypertension",     # required, catalogue id (checked by the caller)
      "target_patients": 400,           # required, integer > 0 [patients]
      "seed": 0,                        # optional, integer >= 0, default 0 (Monte Carlo seed)
      "deadline_months": 24.0,          # optional, number > 0 [months from scenario start]
      "countries": [                    # required, 1 to 250 objects, each iso3 at most once
        {
          "iso3": "BRA",                # required, ISO 3166-1 alpha-3, upper case
          "sites": 12,                  # required, integer >= 0 [sites]
          "rate": 0.6,                  # optional, > 0 [patients/site/month], mean site rate
          "rate_shape": 2.0,            # optional, > 0 [-], gamma shape alpha across sites
          "startup_days": 180,          # optional, >= 0 [days], overrides the model start-up
          "startup_sd_days": 45,        # optional, >= 0 [days], spread of the start-up
          "never_activate_share": 0.11, # optional, 0 <= x < 1 [-], sites that never open
          "cost_per_patient": 12000,    # optional, >= 0 [currency/patient]
          "max_sites": 20               # optional, integer >= sites, cap for the optimiser
        }
      ]
    }

Numbers must be finite (``NaN``/``Infinity`` are refused); integers must be JSON integers
(``12.0`` is refused where an integer is expected) and booleans are not numbers. Optional
fields left out (or ``null``) take a default at :func:`resolve` time:

=====================  =========================================================  ==========
field                  value when left out                                        source
=====================  =========================================================  ==========
rate                   :data:`DEFAULT_RATE` 0.6 patients/site/month               default
rate_shape             :data:`DEFAULT_RATE_SHAPE` 2.0                             default
startup_days           regulatory model mean if given, else 31.4 weeks            model/default
startup_sd_days        0 if ``startup_days`` is given (a fixed start-up), else     user/model/
                       the model sd, else 30 % of the mean (assumption)           default
never_activate_share   :data:`DEFAULT_NEVER_ACTIVATE_SHARE` 0.11                  default
cost_per_patient       none (costs are then not totalled)                         default
max_sites              none (no cap beyond what the optimiser is given)           default
=====================  =========================================================  ==========

CSV format
----------
One row per scenario x country, UTF-8 with a byte-order mark (so Excel detects UTF-8), comma
separated, CRLF line ends, RFC 4180 quoting. Columns: ``scenario_no`` (1-based, groups the rows
of one scenario), the scenario-level fields repeated on every row (``schema_version``, ``name``,
``indication``, ``target_patients``, ``seed``, ``deadline_months``), the country fields as in
JSON (an empty cell is a left-out value), and, when a forecast is exported with it, the outputs
``forecast_method``, ``months_to_target_p50``, ``expected_patients_at_p50``, ``cost_at_p50``.

CSV injection (OWASP): a text cell that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage
return is written with a leading ``'`` so spreadsheets show it as text; so is a text cell that
already begins with ``'``, which makes the escape reversible: the importer removes exactly one
leading ``'`` from every text cell. Numeric cells are written as plain numbers.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, TypeGuard

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from footprint.assumptions import (
    DEFAULT_NEVER_ACTIVATE_SHARE,
    DEFAULT_RATE,
    DEFAULT_RATE_SHAPE,
    DEFAULT_STARTUP_DAYS,
    MAX_COUNTRIES,
    MAX_DEADLINE_MONTHS,
    MAX_NAME_LENGTH,
    MAX_SEED,
    MAX_SITES_PER_COUNTRY,
    MAX_TARGET_PATIENTS,
    STARTUP_CV,
)
from footprint.errors import ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from footprint.enrollment.forecast import ForecastResult

SCHEMA_VERSION: Final = 1
"""Version of the JSON/CSV scenario format written by this module."""

SOURCE_USER: Final = "user"
SOURCE_MODEL: Final = "model"
SOURCE_DEFAULT: Final = "default"

_COUNTRY_FIELDS: Final = (
    "iso3",
    "sites",
    "rate",
    "rate_shape",
    "startup_days",
    "startup_sd_days",
    "never_activate_share",
    "cost_per_patient",
    "max_sites",
)
_SCENARIO_FIELDS: Final = (
    "schema_version",
    "name",
    "indication",
    "target_patients",
    "seed",
    "deadline_months",
    "countries",
)

# What each field must be: the message shown after its path when a value is refused.
_RULES: Final[dict[str, str]] = {
    "schema_version": f"must be the integer {SCHEMA_VERSION}",
    "name": f"must be a non-empty text of at most {MAX_NAME_LENGTH} characters",
    "indication": "must be a non-empty text (an indication id)",
    "target_patients": f"must be a positive integer (at most {MAX_TARGET_PATIENTS})",
    "seed": "must be a non-negative integer",
    "deadline_months": (
        f"must be a positive finite number of months (at most {MAX_DEADLINE_MONTHS:g})"
    ),
    "countries": f"must be a non-empty list of at most {MAX_COUNTRIES} country objects",
    "iso3": "must be a 3-letter upper-case ISO 3166-1 alpha-3 code",
    "sites": f"must be a non-negative integer (at most {MAX_SITES_PER_COUNTRY})",
    "rate": "must be a positive finite number [patients/site/month]",
    "rate_shape": "must be a positive finite number (gamma shape)",
    "startup_days": "must be a non-negative finite number [days]",
    "startup_sd_days": "must be a non-negative finite number [days]",
    "never_activate_share": "must be a finite number with 0 <= x < 1",
    "cost_per_patient": "must be a non-negative finite number [currency/patient]",
    "max_sites": f"must be a non-negative integer (at most {MAX_SITES_PER_COUNTRY})",
}


# --- Dataclasses -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CountryPlan:
    """Sites planned in one country, with optional model overrides (None = left out).

    Parameters
    ----------
    iso3 : str
        ISO 3166-1 alpha-3 code.
    sites : int
        Planned sites [sites].
    rate : float, optional
        Mean recruitment rate [patients/site/month].
    rate_shape : float, optional
        Gamma shape alpha of the site rates [-].
    startup_days : float, optional
        Mean start-up delay, overrides the regulatory model [days].
    startup_sd_days : float, optional
        Standard deviation of the start-up delay [days].
    never_activate_share : float, optional
        Probability that a site never opens [0-1).
    cost_per_patient : float, optional
        [currency/patient].
    max_sites : int, optional
        Most sites the optimiser may plan here [sites].
    """

    iso3: str
    sites: int
    rate: float | None = None
    rate_shape: float | None = None
    startup_days: float | None = None
    startup_sd_days: float | None = None
    never_activate_share: float | None = None
    cost_per_patient: float | None = None
    max_sites: int | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated trial scenario as the user wrote it (see the module docstring).

    Parameters
    ----------
    name : str
        Display name.
    indication : str
        Indication id from the catalogue.
    target_patients : int
        Patients to randomise [patients].
    countries : tuple of CountryPlan
        One entry per country, each iso3 once.
    seed : int
        Seed of the Monte Carlo forecast.
    deadline_months : float, optional
        Enrollment deadline [months from scenario start].
    schema_version : int
        Format version.
    """

    name: str
    indication: str
    target_patients: int
    countries: tuple[CountryPlan, ...]
    seed: int = 0
    deadline_months: float | None = None
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        # A list would make an otherwise equal scenario compare unequal after a round trip.
        if not isinstance(self.countries, tuple):
            object.__setattr__(self, "countries", tuple(self.countries))


@dataclass(frozen=True, slots=True)
class ResolvedCountry:
    """A country with every model input filled in; ``sources`` says where each came from.

    Parameters
    ----------
    iso3 : str
    sites : int
        [sites]
    rate : float
        Mean site rate [patients/site/month].
    rate_shape : float
        Gamma shape alpha [-]; site rates are Gamma(alpha, rate beta = alpha / rate).
    startup_days : float
        Mean start-up delay [days].
    startup_sd_days : float
        Start-up sd [days]; 0 means every site opens exactly at ``startup_days``.
    never_activate_share : float
        [0-1)
    cost_per_patient : float or None
        [currency/patient]; None when unknown.
    max_sites : int or None
        Optimiser cap [sites].
    pool_cap : float or None
        Eligible patient pool: the most patients this country can recruit [patients].
    sources : dict
        Field name -> ``"user"``, ``"model"`` or ``"default"``. Treat as read-only.
    """

    iso3: str
    sites: int
    rate: float
    rate_shape: float
    startup_days: float
    startup_sd_days: float
    never_activate_share: float
    cost_per_patient: float | None
    max_sites: int | None
    pool_cap: float | None
    sources: dict[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class ResolvedScenario:
    """A scenario ready for the forecast: every value filled in (see :func:`resolve`).

    Parameters
    ----------
    name, indication, target_patients, seed, deadline_months, schema_version
        As in :class:`Scenario`.
    countries : tuple of ResolvedCountry
    scenario : Scenario
        The scenario as the user wrote it.
    """

    name: str
    indication: str
    target_patients: int
    seed: int
    deadline_months: float | None
    countries: tuple[ResolvedCountry, ...]
    scenario: Scenario
    schema_version: int = SCHEMA_VERSION

    @property
    def total_sites(self) -> int:
        """Planned sites over all countries [sites]."""
        return sum(c.sites for c in self.countries)

    def with_sites(self, sites: Mapping[str, int]) -> ResolvedScenario:
        """Return a copy with the site counts of the given countries replaced.

        Parameters
        ----------
        sites : mapping of str to int
            iso3 -> new number of sites [sites]; other countries are unchanged.
        """
        known = {c.iso3 for c in self.countries}
        unknown = sorted(set(sites) - known)
        if unknown:
            raise ValueError(f"countries not in the scenario: {', '.join(unknown)}")
        for iso3, n in sites.items():
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ValueError(f"{iso3}: sites must be a non-negative integer, got {n!r}")
        countries = tuple(
            replace(c, sites=int(sites[c.iso3])) if c.iso3 in sites else c
            for c in self.countries
        )
        plans = tuple(
            replace(p, sites=int(sites[p.iso3])) if p.iso3 in sites else p
            for p in self.scenario.countries
        )
        return replace(
            self, countries=countries, scenario=replace(self.scenario, countries=plans)
        )


# --- Validation (pydantic v2, strict) ----------------------------------------------------------
class _CountryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    iso3: str = Field(pattern=r"^[A-Z]{3}$")
    sites: int = Field(ge=0, le=MAX_SITES_PER_COUNTRY)
    rate: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    rate_shape: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    startup_days: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    startup_sd_days: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    never_activate_share: float | None = Field(default=None, ge=0, lt=1, allow_inf_nan=False)
    cost_per_patient: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    max_sites: int | None = Field(default=None, ge=0, le=MAX_SITES_PER_COUNTRY)


class _ScenarioIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    schema_version: int = Field(ge=SCHEMA_VERSION, le=SCHEMA_VERSION)
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    indication: str = Field(min_length=1)
    target_patients: int = Field(gt=0, le=MAX_TARGET_PATIENTS)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    deadline_months: float | None = Field(
        default=None, gt=0, le=MAX_DEADLINE_MONTHS, allow_inf_nan=False
    )
    countries: list[_CountryIn] = Field(min_length=1, max_length=MAX_COUNTRIES)


_Loc = tuple[str | int, ...]


def _format_loc(loc: _Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def _sort_key(loc: _Loc) -> tuple[int, ...]:
    key: list[int] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            key.append(part)
        else:
            order = _SCENARIO_FIELDS if i == 0 else _COUNTRY_FIELDS
            key.append(order.index(part) if part in order else len(order))
    return tuple(key)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _pydantic_problems(data: Mapping[str, Any]) -> list[tuple[_Loc, str]]:
    try:
        _ScenarioIn.model_validate(data)
    except ValidationError as exc:
        problems: list[tuple[_Loc, str]] = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            last = loc[-1] if loc else ""
            if err["type"] == "missing":
                msg = "required field is missing"
            elif err["type"] == "extra_forbidden":
                allowed = _COUNTRY_FIELDS if len(loc) > 1 else _SCENARIO_FIELDS
                close = difflib.get_close_matches(str(last), allowed, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                msg = f"unknown field{hint} (allowed: {', '.join(allowed)})"
            elif isinstance(last, int) or err["type"] in ("model_type", "dict_type"):
                msg = f"must be an object; got {_show(err['input'])}"
            else:
                msg = f"{_RULES.get(str(last), 'is invalid')}; got {_show(err['input'])}"
            problems.append((loc, msg))
        return problems
    return []


def _extra_problems(
    data: Mapping[str, Any],
    valid_iso3: Collection[str] | None,
    valid_indications: Collection[str] | None,
) -> list[tuple[_Loc, str]]:
    """Checks pydantic cannot do field by field: catalogues, duplicates, cross-field rules."""
    problems: list[tuple[_Loc, str]] = []
    indication = data.get("indication")
    if valid_indications is not None and isinstance(indication, str) and indication:
        if indication not in valid_indications:
            known = sorted(valid_indications)
            shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            problems.append(
                (("indication",), f"unknown indication {_show(indication)} (known: {shown})")
            )
    countries = data.get("countries")
    if not isinstance(countries, list):
        return problems
    first_seen: dict[str, int] = {}
    for i, country in enumerate(countries):
        if not isinstance(country, Mapping):
            continue
        iso3 = country.get("iso3")
        if isinstance(iso3, str) and re.fullmatch(r"[A-Z]{3}", iso3):
            if valid_iso3 is not None and iso3 not in valid_iso3:
                problems.append(((("countries", i, "iso3")), f"unknown country code '{iso3}'"))
            if iso3 in first_seen:
                problems.append(
                    (
                        ("countries", i, "iso3"),
                        f"duplicate country '{iso3}' (already countries[{first_seen[iso3]}])",
                    )
                )
            else:
                first_seen[iso3] = i
        sites, max_sites = country.get("sites"), country.get("max_sites")
        if _is_int(sites) and _is_int(max_sites) and 0 <= max_sites < sites:
            problems.append(
                (("countries", i, "max_sites"), f"must be >= sites ({sites}), got {max_sites}")
            )
    return problems


def _problems(
    data: Any,
    valid_iso3: Collection[str] | None,
    valid_indications: Collection[str] | None,
) -> list[tuple[_Loc, str]]:
    if not isinstance(data, Mapping):
        return [((), f"must be a JSON object with the scenario fields; got {_show(data)}")]
    version = data.get("schema_version")
    if _is_int(version) and version > SCHEMA_VERSION:
        # A newer format may mean anything else; do not pile up confusing follow-on errors.
        return [
            (
                ("schema_version",),
                f"version {version} is newer than this app reads ({SCHEMA_VERSION}); "
                "update Trial Footprint or re-export the scenario",
            )
        ]
    problems = _pydantic_problems(data) + _extra_problems(data, valid_iso3, valid_indications)
    problems.sort(key=lambda p: _sort_key(p[0]))
    return problems


def _raise_if(problems: list[tuple[_Loc, str]], prefix: str = "") -> None:
    if problems:
        raise ScenarioError([f"{prefix}{_format_loc(loc)}: {msg}" for loc, msg in problems])


def _build(data: Mapping[str, Any]) -> Scenario:
    model = _ScenarioIn.model_validate(data)
    return Scenario(
        name=model.name,
        indication=model.indication,
        target_patients=model.target_patients,
        countries=tuple(CountryPlan(**c.model_dump()) for c in model.countries),
        seed=model.seed,
        deadline_months=model.deadline_months,
        schema_version=model.schema_version,
    )


def scenario_from_dict(
    data: Any,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> Scenario:
    """Validate a parsed JSON object and build a :class:`Scenario`.

    Parameters
    ----------
    data : mapping
        The object described in the module docstring.
    valid_iso3 : collection of str, optional
        Country codes the caller knows; others are refused.
    valid_indications : collection of str, optional
        Indication ids of the catalogue; others are refused.

    Raises
    ------
    ScenarioError
        Listing every problem at once, each prefixed by its field path.
    """
    _raise_if(_problems(data, valid_iso3, valid_indications))
    return _build(data)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Return the JSON-ready object of a scenario; left-out optional fields are omitted."""
    out: dict[str, Any] = {
        "schema_version": scenario.schema_version,
        "name": scenario.name,
        "indication": scenario.indication,
        "target_patients": scenario.target_patients,
        "seed": scenario.seed,
    }
    if scenario.deadline_months is not None:
        out["deadline_months"] = scenario.deadline_months
    out["countries"] = [_country_to_dict(c) for c in scenario.countries]
    return out


def _country_to_dict(country: CountryPlan) -> dict[str, Any]:
    return {n: getattr(country, n) for n in _COUNTRY_FIELDS if getattr(country, n) is not None}


def validate_scenario(
    scenario: Scenario,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> None:
    """Raise :class:`ScenarioError` if a scenario built in code breaks the format's rules.

    Parameters
    ----------
    scenario : Scenario
    valid_iso3, valid_indications : collection of str, optional
        Catalogues to check against (see :func:`scenario_from_dict`).
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"expected a Scenario, got {type(scenario).__name__}")
    bad = [i for i, c in enumerate(scenario.countries) if not isinstance(c, CountryPlan)]
    if bad:
        raise TypeError(f"countries{bad} are not CountryPlan objects")
    _raise_if(_problems(scenario_to_dict(scenario), valid_iso3, valid_indications))


# --- JSON --------------------------------------------------------------------------------------
def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ScenarioError([f"(json): key '{key}' appears twice in the same object"])
        out[key] = value
    return out


def scenario_from_json(
    text: str,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> Scenario:
    """Parse and validate a scenario JSON text (format in the module docstring).

    Parameters
    ----------
    text : str
        The JSON document.
    valid_iso3, valid_indications : collection of str, optional
        Catalogues to check against (see :func:`scenario_from_dict`).

    Raises
    ------
    ScenarioError
        Malformed JSON, or every validation problem with its field path.
    """
    if isinstance(text, bytes | bytearray):
        raise TypeError("scenario_from_json takes text; decode the bytes first")
    try:
        data = json.loads(text.lstrip("\ufeff"), object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            [f"(json): not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"]
        ) from None
    return scenario_from_dict(data, valid_iso3=valid_iso3, valid_indications=valid_indications)


def scenario_to_json(scenario: Scenario) -> str:
    """Return the scenario as JSON text; ``scenario_from_json`` of it equals ``scenario``."""
    validate_scenario(scenario)
    return json.dumps(scenario_to_dict(scenario), indent=2, ensure_ascii=False, allow_nan=False)


# --- CSV ---------------------------------------------------------------------------------------
CSV_SCENARIO_COLUMNS: Final = (
    "scenario_no",
    "schema_version",
    "name",
    "indication",
    "target_patients",
    "seed",
    "deadline_months",
)
CSV_COUNTRY_COLUMNS: Final = _COUNTRY_FIELDS
CSV_OUTPUT_COLUMNS: Final = (
    "forecast_method",
    "months_to_target_p50",
    "expected_patients_at_p50",
    "cost_at_p50",
)
_CSV_TEXT_COLUMNS: Final = frozenset({"name", "indication", "iso3", "forecast_method"})
_CSV_INT_COLUMNS: Final = frozenset(
    {"scenario_no", "schema_version", "target_patients", "seed", "sites", "max_sites"}
)
_FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
_BOM: Final = "\ufeff"


def neutralise_cell(text: str) -> str:
    """Prefix ``'`` to a text cell a spreadsheet could run as a formula (OWASP CSV injection).

    Cells beginning with ``= + - @``, tab or CR get the prefix; so do cells already beginning
    with ``'``, so that :func:`unneutralise_cell` can always strip exactly one.
    """
    if text.startswith(_FORMULA_TRIGGERS) or text.startswith("'"):
        return "'" + text
    return text


def unneutralise_cell(text: str) -> str:
    """Undo :func:`neutralise_cell`."""
    if text.startswith("'") and (text[1:].startswith(_FORMULA_TRIGGERS) or text[1:2] == "'"):
        return text[1:]
    return text


def csv_cell(value: str | int | float | None, digits: int | None = None) -> str:
    """Format one CSV cell: text is neutralised, numbers stay plain numbers.

    Parameters
    ----------
    value : str, int, float or None
        None (and NaN) give an empty cell; floats are written exactly (``repr``) unless
        ``digits`` rounds them; infinities as ``inf``/``-inf``.
    digits : int, optional
        Decimals to round floats to (outputs only; inputs are written exactly).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_cell(value)
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if digits is not None:
        value = round(value, digits)
    return repr(value)


def scenarios_to_csv(
    scenarios: Sequence[Scenario],
    results: Sequence[ForecastResult | None] | None = None,
) -> str:
    """Return one CSV text (UTF-8 BOM, CRLF) with a row per scenario x country.

    Parameters
    ----------
    scenarios : sequence of Scenario
        Exported in order; ``scenario_no`` numbers them from 1.
    results : sequence of ForecastResult or None, optional
        Same length as ``scenarios``; adds the output columns (empty where None).
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ValueError("no scenario to export")
    if results is not None and len(results) != len(scenarios):
        raise ValueError(f"{len(results)} results for {len(scenarios)} scenarios")
    for s in scenarios:
        validate_scenario(s)
    columns: tuple[str, ...] = CSV_SCENARIO_COLUMNS + CSV_COUNTRY_COLUMNS
    if results is not None:
        columns = columns + CSV_OUTPUT_COLUMNS
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for no, scenario in enumerate(scenarios, start=1):
        result = results[no - 1] if results is not None else None
        head = [
            str(no),
            csv_cell(scenario.schema_version),
            csv_cell(scenario.name),
            csv_cell(scenario.indication),
            csv_cell(scenario.target_patients),
            csv_cell(scenario.seed),
            csv_cell(scenario.deadline_months),
        ]
        for c in scenario.countries:
            row = head + [
                csv_cell(c.iso3),
                csv_cell(c.sites),
                csv_cell(c.rate),
                csv_cell(c.rate_shape),
                csv_cell(c.startup_days),
                csv_cell(c.startup_sd_days),
                csv_cell(c.never_activate_share),
                csv_cell(c.cost_per_patient),
                csv_cell(c.max_sites),
            ]
            if results is not None:
                if result is None:
                    row += [""] * len(CSV_OUTPUT_COLUMNS)
                else:
                    cost = result.cost_by_country.get(c.iso3)
                    row += [
                        csv_cell(result.method),
                        csv_cell(result.months_to_target[1], 2),
                        csv_cell(result.patients_at_p50.get(c.iso3), 2),
                        csv_cell(cost, 2),
                    ]
            writer.writerow(row)
    return _BOM + buffer.getvalue()


def scenario_to_csv(scenario: Scenario, result: ForecastResult | None = None) -> str:
    """Return the CSV text of one scenario (see :func:`scenarios_to_csv`)."""
    return scenarios_to_csv([scenario], None if result is None else [result])


_INT_RE: Final = re.compile(r"[+-]?[0-9]+")


_DECIMAL_COMMA_RE: Final = re.compile(r"[+-]?[0-9]+,[0-9]+")


def _parse_cell(column: str, cell: str, decimal_comma: bool = False) -> Any:
    """Turn a CSV cell into the value validation expects (None for an empty cell).

    ``decimal_comma``: the file is semicolon-separated (Excel in a comma-decimal locale
    re-saved it), so ``0,7`` means 0.7.
    """
    if column in _CSV_TEXT_COLUMNS:
        return unneutralise_cell(cell)
    if cell == "":
        return None
    if _INT_RE.fullmatch(cell):
        return int(cell)
    if decimal_comma and _DECIMAL_COMMA_RE.fullmatch(cell):
        cell = cell.replace(",", ".")
    try:
        return float(cell)
    except ValueError:
        return cell  # validation reports it with its path


def scenarios_from_csv(
    text: str,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> list[Scenario]:
    """Re-import a CSV exported by :func:`scenarios_to_csv` (output columns are ignored).

    Parameters
    ----------
    text : str
        CSV text, with or without the UTF-8 BOM.
    valid_iso3, valid_indications : collection of str, optional
        Catalogues to check against.

    Raises
    ------
    ScenarioError
        Every problem, each prefixed with its CSV line and field path.
    """
    if isinstance(text, bytes | bytearray):
        raise TypeError("scenarios_from_csv takes text; decode the bytes (utf-8-sig) first")
    text = text.removeprefix(_BOM)
    # Excel re-saves with ';' (comma-decimal locales) or tabs: take the header's delimiter
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                               strict=True))
    except csv.Error as exc:
        raise ScenarioError([f"(csv): not a readable CSV: {exc}"]) from None
    if not rows:
        raise ScenarioError(["(csv): empty file"])
    header = rows[0]
    allowed = CSV_SCENARIO_COLUMNS + CSV_COUNTRY_COLUMNS + CSV_OUTPUT_COLUMNS
    problems: list[str] = []
    for col in header:
        if col not in allowed:
            close = difflib.get_close_matches(col, allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(f"(csv header): unknown column {_show(col)}{hint}")
    if len(set(header)) != len(header):
        problems.append("(csv header): a column appears twice")
    missing = [c for c in ("scenario_no", "schema_version", "name", "indication",
                           "target_patients", "iso3", "sites") if c not in header]
    if missing:
        problems.append(f"(csv header): missing columns: {', '.join(missing)}")
    if problems:
        raise ScenarioError(problems)

    groups: dict[Any, list[tuple[int, dict[str, str]]]] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"line {line_no}: {len(row)} cells, the header has {len(header)}")
            continue
        record = dict(zip(header, row, strict=True))
        key = record["scenario_no"]
        if not _INT_RE.fullmatch(key) or int(key) < 1:
            problems.append(f"line {line_no}.scenario_no: must be a positive integer")
            continue
        groups.setdefault(int(key), []).append((line_no, record))
    if not groups and not problems:
        problems.append("(csv): no data rows")

    scenarios: list[Scenario] = []
    scenario_level = [c for c in CSV_SCENARIO_COLUMNS if c != "scenario_no" and c in header]
    for no, members in groups.items():
        first_line, first = members[0]
        for line_no, record in members[1:]:
            for col in scenario_level:
                if record[col] != first[col]:
                    problems.append(
                        f"line {line_no}.{col}: differs from line {first_line} "
                        f"of the same scenario {no}"
                    )
        data: dict[str, Any] = {}
        for col in scenario_level:
            value = _parse_cell(col, first[col], delimiter == ";")
            if value is not None:
                data[col] = value
        countries = []
        for _, record in members:
            country = {}
            for col in CSV_COUNTRY_COLUMNS:
                if col in record:
                    value = _parse_cell(col, record[col], delimiter == ";")
                    if value is not None:
                        country[col] = value
            countries.append(country)
        data["countries"] = countries
        found = _problems(data, valid_iso3, valid_indications)
        for loc, msg in found:
            if len(loc) >= 2 and loc[0] == "countries" and isinstance(loc[1], int):
                where = f"line {members[loc[1]][0]}, {_format_loc(loc)}"
            else:
                where = f"line {first_line}, {_format_loc(loc)}"
            problems.append(f"scenario {no}, {where}: {msg}")
        if not found:
            scenarios.append(_build(data))
    if problems:
        raise ScenarioError(problems)
    return scenarios


def scenario_from_csv(
    text: str,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> Scenario:
    """Re-import a CSV holding exactly one scenario (see :func:`scenarios_from_csv`)."""
    scenarios = scenarios_from_csv(
        text, valid_iso3=valid_iso3, valid_indications=valid_indications
    )
    if len(scenarios) != 1:
        raise ScenarioError(
            [f"(csv): expected one scenario, found {len(scenarios)}; use scenarios_from_csv"]
        )
    return scenarios[0]


# --- Resolve -----------------------------------------------------------------------------------
def _check_model_pair(iso3: str, pair: Iterable[float]) -> tuple[float, float]:
    values = tuple(float(v) for v in pair)
    if len(values) != 2 or not all(math.isfinite(v) and v >= 0 for v in values):
        raise ValueError(
            f"startup_defaults[{iso3!r}] must be (mean_days, sd_days), finite and >= 0; "
            f"got {values!r}"
        )
    return values[0], values[1]


def resolve(
    scenario: Scenario,
    startup_defaults: Mapping[str, tuple[float, float]] | None = None,
    pool_caps: Mapping[str, float] | None = None,
) -> ResolvedScenario:
    """Fill every left-out value: the user's value, else the model's, else the default.

    Parameters
    ----------
    scenario : Scenario
        As validated on import (it is validated again here).
    startup_defaults : mapping of str to (float, float), optional
        iso3 -> (mean, sd) start-up from the regulatory model [days].
    pool_caps : mapping of str to float, optional
        iso3 -> eligible patient pool [patients]; a country recruits at most this many.

    Returns
    -------
    ResolvedScenario
        With ``sources`` per country recording ``"user"``, ``"model"`` or ``"default"``
        for each of ``rate, rate_shape, startup_days, startup_sd_days,
        never_activate_share, cost_per_patient, max_sites, pool_cap``.

    Notes
    -----
    A ``startup_days`` given without ``startup_sd_days`` is a fixed start-up (sd 0, labelled
    ``"user"``). When the start-up comes from the defaults, the sd is
    :data:`STARTUP_CV` of the mean (an assumption).
    """
    validate_scenario(scenario)
    startup_defaults = startup_defaults or {}
    pool_caps = pool_caps or {}
    countries = []
    for c in scenario.countries:
        src: dict[str, str] = {}

        def pick(name: str, user: Any, default: Any, src: dict[str, str] = src) -> Any:
            if user is not None:
                src[name] = SOURCE_USER
                return user
            src[name] = SOURCE_DEFAULT
            return default

        rate = float(pick("rate", c.rate, DEFAULT_RATE))
        shape = float(pick("rate_shape", c.rate_shape, DEFAULT_RATE_SHAPE))
        never = float(
            pick("never_activate_share", c.never_activate_share, DEFAULT_NEVER_ACTIVATE_SHARE)
        )
        cost = pick("cost_per_patient", c.cost_per_patient, None)
        max_sites = pick("max_sites", c.max_sites, None)

        model = startup_defaults.get(c.iso3)
        model_pair = _check_model_pair(c.iso3, model) if model is not None else None
        if c.startup_days is not None:
            mean, src["startup_days"] = float(c.startup_days), SOURCE_USER
        elif model_pair is not None:
            mean, src["startup_days"] = model_pair[0], SOURCE_MODEL
        else:
            mean, src["startup_days"] = DEFAULT_STARTUP_DAYS, SOURCE_DEFAULT
        if c.startup_sd_days is not None:
            sd, src["startup_sd_days"] = float(c.startup_sd_days), SOURCE_USER
        elif c.startup_days is not None:
            sd, src["startup_sd_days"] = 0.0, SOURCE_USER
        elif model_pair is not None:
            sd, src["startup_sd_days"] = model_pair[1], SOURCE_MODEL
        else:
            sd, src["startup_sd_days"] = STARTUP_CV * mean, SOURCE_DEFAULT

        cap = pool_caps.get(c.iso3)
        if cap is not None:
            cap = float(cap)
            if math.isnan(cap) or cap < 0:
                raise ValueError(f"pool_caps[{c.iso3!r}] must be >= 0, got {cap!r}")
            src["pool_cap"] = SOURCE_MODEL
            if math.isinf(cap):
                cap = None
        else:
            src["pool_cap"] = SOURCE_DEFAULT
        countries.append(
            ResolvedCountry(
                iso3=c.iso3,
                sites=c.sites,
                rate=rate,
                rate_shape=shape,
                startup_days=mean,
                startup_sd_days=sd,
                never_activate_share=never,
                cost_per_patient=None if cost is None else float(cost),
                max_sites=max_sites,
                pool_cap=cap,
                sources=src,
            )
        )
    return ResolvedScenario(
        name=scenario.name,
        indication=scenario.indication,
        target_patients=scenario.target_patients,
        seed=scenario.seed,
        deadline_months=scenario.deadline_months,
        countries=tuple(countries),
        scenario=scenario,
        schema_version=scenario.schema_version,
    )
