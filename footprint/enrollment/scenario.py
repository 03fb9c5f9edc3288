"""Trial scenarios: the one schema of the scenario format, its validation, and resolve.

A scenario is what the user plans: an indication, a patient target and, per country, a number
of sites with optional overrides of the enrollment model. The fields of :class:`Scenario` and
:class:`CountryPlan` *are* the format: each field's annotation carries its constraints, title,
widget label, unit, description and rule (what a value must be: the message shown when one is
refused). :data:`SCENARIO_FIELDS` and :data:`COUNTRY_FIELDS` read them for the JSON and CSV
files (``footprint.io``), the page's labels and the error messages.

A scenario is validated once, where data comes in (:func:`scenario_from_dict`, with every
problem reported at once with its field path); one built in code is checked by
:func:`validate_scenario` before it is written or resolved. :func:`resolve` then fills every
value the user left out, from the regulatory model (start-up) or from a documented default,
and records where each value came from so the UI can label defaults.

Format (``schema_version`` 2)
-----------------------------
An object with the fields below, in this order; unknown keys are rejected (it catches typos
such as ``"site"``), and a newer ``schema_version`` is refused::

    {"schema_version": 2, "name": "LatAm hypertension", "indication": "hypertension",
     "target_patients": 400, "target_kind": "randomised", "seed": 0, "deadline_months": 24.0,
     "countries": [{"iso3": "BRA", "sites": 12, "rate": 0.6, "screen_fail_share": 0.3,
                    "dropout_share": 0.1, "min_sites": 4, "max_sites": 20}]}

A site's ``rate`` counts patients *screened*; ``screen_fail_share`` of them are not
randomised and ``dropout_share`` of the randomised do not complete. ``target_kind`` says
what ``target_patients`` counts: ``"randomised"`` (the default) or ``"evaluable"``
(randomised and completing). ``cost_per_patient`` is per *randomised* patient.

An optional ``site_list`` is the plan at site level, as an uploaded site list gives it:
``[{"site_name": "Hospital das Clínicas", "iso3": "BRA", "city": "São Paulo",
"latitude": -23.55, "longitude": -46.67, "historic_rate": 1.2}]``; each site is in one of
the scenario's countries, which plans at least its listed sites (the others are unnamed), and
a listed ``historic_rate`` is that site's rate in the forecast (:func:`resolve`).

Version 1 (the same fields without ``target_kind``, ``rate_cv``, ``screen_fail_share``,
``dropout_share``, ``site_startup_cost``, ``site_monthly_cost`` and ``min_sites``) is read
unchanged and upgraded (:func:`upgrade`): no screen failure, no dropout, a known mean rate, so
it forecasts exactly as before. Files are written as version 2.

Numbers must be finite (``NaN``/``Infinity`` are refused) and within the bounds of
:mod:`footprint.assumptions` (every field has both ends, and a plan at most
:data:`~footprint.assumptions.MAX_TOTAL_SITES` sites in total), so that whatever validates,
the forecast can compute; integers must be integers (``12.0`` is refused where an integer is
expected) and booleans are not numbers. A collection past its limit is refused as a whole,
its items unchecked (300,000 countries are one problem, not 600,000). Optional fields left
out (or ``null``) take a value at :func:`resolve` time:

=====================  =========================================================  ==========
field                  value when left out                                        source
=====================  =========================================================  ==========
rate                   ``DEFAULT_RATE`` 0.6 patients/site/month                   default
rate_shape             ``DEFAULT_RATE_SHAPE`` 2.0                                 default
startup_days           regulatory model mean if given, else 31.4 weeks            model/default
startup_sd_days        0 if ``startup_days`` is given (a fixed start-up), else     user/model/
                       the model sd, else 30 % of the mean (assumption)           default
never_activate_share   ``DEFAULT_NEVER_ACTIVATE_SHARE`` 0.11                      default
rate_cv                ``DEFAULT_RATE_CV`` 0 (the mean rate is known)             default
screen_fail_share      ``DEFAULT_SCREEN_FAIL_SHARE`` 0 (assumption, no source)    default
dropout_share          ``DEFAULT_DROPOUT_SHARE`` 0 (assumption, no source)        default
cost_per_patient       none (costs are then not totalled)                         default
site_startup_cost      none (no invented cost)                                    default
site_monthly_cost      none (no invented cost)                                    default
min_sites              0                                                          default
max_sites              none (no cap beyond what the optimiser is given)           default
=====================  =========================================================  ==========

The defaults and limits are those of :mod:`footprint.assumptions`.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import reprlib
import types
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, ClassVar, Final, TypeGuard, get_args, get_origin, get_type_hints

from pydantic import BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from footprint.assumptions import (
    DEFAULT_DROPOUT_SHARE,
    DEFAULT_NEVER_ACTIVATE_SHARE,
    DEFAULT_RATE,
    DEFAULT_RATE_CV,
    DEFAULT_RATE_SHAPE,
    DEFAULT_SCREEN_FAIL_SHARE,
    DEFAULT_STARTUP_DAYS,
    MAX_COST_PER_PATIENT,
    MAX_COUNTRIES,
    MAX_DEADLINE_MONTHS,
    MAX_NAME_LENGTH,
    MAX_PROBLEMS_SHOWN,
    MAX_RATE,
    MAX_RATE_CV,
    MAX_RATE_SHAPE,
    MAX_SEED,
    MAX_SITE_MONTHLY_COST,
    MAX_SITE_STARTUP_COST,
    MAX_SITES_PER_COUNTRY,
    MAX_STARTUP_DAYS,
    MAX_TARGET_PATIENTS,
    MAX_TOTAL_SITES,
    MIN_RATE,
    MIN_RATE_SHAPE,
    STARTUP_CV,
)
from footprint.errors import ScenarioError

SCHEMA_VERSION: Final = 2
"""Version of the scenario format this module writes (it reads 1 and 2)."""
OLDEST_SCHEMA_VERSION: Final = 1
"""The oldest version read; version 1 reads as version 2 with no screen failure, no dropout
and no rate uncertainty (what version 1 meant), see :func:`upgrade`."""
V2_COUNTRY_FIELDS: Final = ("rate_cv", "screen_fail_share", "dropout_share",
                            "site_startup_cost", "site_monthly_cost", "min_sites")
"""Country fields new in version 2 (a version 1 file may not give them)."""
TARGET_RANDOMISED: Final = "randomised"
TARGET_EVALUABLE: Final = "evaluable"
TARGET_KINDS: Final = (TARGET_RANDOMISED, TARGET_EVALUABLE)
"""What ``target_patients`` counts: patients randomised, or evaluable (randomised and
completing, i.e. not dropped out)."""

SOURCE_USER: Final = "user"
SOURCE_MODEL: Final = "model"
SOURCE_DEFAULT: Final = "default"


def _field(title: str, *, rule: str, unit: str = "", header: str | None = None,
           description: str | None = None, in_every_file: bool = False,
           strict: bool = True, **constraints: Any) -> Any:
    """One field of the format: pydantic constraints plus what people are told about it.

    ``in_every_file``: a file must give the field although code may leave it to its default.
    """
    return Field(strict=strict, title=title, description=description,
                 json_schema_extra={"unit": unit, "rule": rule, "header": header or title,
                                    "in_every_file": in_every_file},
                 **constraints)


def _country_count(value: Any) -> Any:
    # Before the items: pydantic counts a tuple's *valid* items, so a list whose every country
    # is wrong would also be reported as empty.
    if isinstance(value, list | tuple) and not 1 <= len(value) <= MAX_COUNTRIES:
        raise ValueError("wrong number of countries")
    return value


_DAYS_RULE: Final = f"must be a finite number from 0 to {MAX_STARTUP_DAYS:g} [days]"
_SITES_RULE: Final = f"must be a non-negative integer (at most {MAX_SITES_PER_COUNTRY})"
_SHARE_RULE: Final = "must be a finite number with 0 <= x < 1"


# --- The schema ------------------------------------------------------------------------------
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
        Mean rate of patients *screened* per site [patients/site/month].
    rate_shape : float, optional
        Gamma shape alpha of the site rates [-].
    rate_cv : float, optional
        Coefficient of variation of the country's mean rate itself: a multiplier with mean 1
        drawn once per simulated trial [-]; 0 = the mean rate is known.
    startup_days : float, optional
        Mean start-up delay, overrides the regulatory model [days].
    startup_sd_days : float, optional
        Standard deviation of the start-up delay [days].
    never_activate_share : float, optional
        Probability that a site never opens [0-1).
    screen_fail_share : float, optional
        Share of screened patients not randomised [0-1).
    dropout_share : float, optional
        Share of randomised patients who do not complete [0-1).
    cost_per_patient : float, optional
        Cost per *randomised* patient [currency/patient].
    site_startup_cost : float, optional
        One-off cost of opening a site [currency/site].
    site_monthly_cost : float, optional
        Cost of a site per month it is open [currency/site/month].
    min_sites : int, optional
        Fewest sites the optimiser may plan here [sites].
    max_sites : int, optional
        Most sites the optimiser may plan here [sites].
    """

    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    iso3: Annotated[str, _field(
        "Country", rule="must be a 3-letter upper-case ISO 3166-1 alpha-3 code",
        pattern=r"^[A-Z]{3}$")]
    sites: Annotated[int, _field(
        "Sites", unit="sites", rule=_SITES_RULE, ge=0, le=MAX_SITES_PER_COUNTRY)]
    rate: Annotated[float | None, _field(
        "Rate", unit="patients/site/month", header="Rate [pt/site/month]",
        description=f"Mean patients per site per month; empty: {DEFAULT_RATE:g} (default, "
                    "PLOS ONE 2022).",
        rule=f"must be a finite number from {MIN_RATE:g} to {MAX_RATE:g} "
             "[patients/site/month]",
        ge=MIN_RATE, le=MAX_RATE, allow_inf_nan=False)] = None
    rate_shape: Annotated[float | None, _field(
        "Rate shape", header="Rate shape α",
        description=f"Gamma shape of site rates; empty: {DEFAULT_RATE_SHAPE:g} (default).",
        rule=f"must be a finite number from {MIN_RATE_SHAPE:g} to {MAX_RATE_SHAPE:g} "
             "(gamma shape)",
        ge=MIN_RATE_SHAPE, le=MAX_RATE_SHAPE, allow_inf_nan=False)] = None
    rate_cv: Annotated[float | None, _field(
        "Rate uncertainty", unit="-", header="Rate CV",
        description="Coefficient of variation of the mean rate itself (one draw per "
                    f"simulated trial); empty: {DEFAULT_RATE_CV:g} (default).",
        rule=f"must be a finite number from 0 to {MAX_RATE_CV:g} (coefficient of variation)",
        ge=0, le=MAX_RATE_CV, allow_inf_nan=False)] = None
    startup_days: Annotated[float | None, _field(
        "Start-up", unit="days", header="Start-up [days]",
        description="Empty: the regulatory model's start-up.",
        rule=_DAYS_RULE, ge=0, le=MAX_STARTUP_DAYS, allow_inf_nan=False)] = None
    startup_sd_days: Annotated[float | None, _field(
        "Start-up sd", unit="days", header="Start-up sd [days]",
        description="Empty: the model's spread (0 if you set the start-up).",
        rule=_DAYS_RULE, ge=0, le=MAX_STARTUP_DAYS, allow_inf_nan=False)] = None
    never_activate_share: Annotated[float | None, _field(
        "Never-activate share", unit="0-1", header="Never activate",
        description=f"Share of sites that never open; empty: "
                    f"{DEFAULT_NEVER_ACTIVATE_SHARE:g} (default).",
        rule=_SHARE_RULE, ge=0, lt=1, allow_inf_nan=False)] = None
    screen_fail_share: Annotated[float | None, _field(
        "Screen-failure share", unit="0-1", header="Screen fail",
        description="Share of screened patients not randomised (the rate counts patients "
                    f"screened); empty: {DEFAULT_SCREEN_FAIL_SHARE:g} (default).",
        rule=_SHARE_RULE, ge=0, lt=1, allow_inf_nan=False)] = None
    dropout_share: Annotated[float | None, _field(
        "Dropout share", unit="0-1", header="Dropout",
        description="Share of randomised patients who do not complete; empty: "
                    f"{DEFAULT_DROPOUT_SHARE:g} (default).",
        rule=_SHARE_RULE, ge=0, lt=1, allow_inf_nan=False)] = None
    cost_per_patient: Annotated[float | None, _field(
        "Cost per patient", unit="currency/patient", header="Cost / patient",
        description="Cost per randomised patient. Optional; costs are totalled only if given.",
        rule=f"must be a finite number from 0 to {MAX_COST_PER_PATIENT:,.0f} "
             "[currency/patient]",
        ge=0, le=MAX_COST_PER_PATIENT, allow_inf_nan=False)] = None
    site_startup_cost: Annotated[float | None, _field(
        "Site start-up cost", unit="currency/site", header="Start-up cost / site",
        description="One-off cost of opening a site. Optional; no default.",
        rule=f"must be a finite number from 0 to {MAX_SITE_STARTUP_COST:,.0f} "
             "[currency/site]",
        ge=0, le=MAX_SITE_STARTUP_COST, allow_inf_nan=False)] = None
    site_monthly_cost: Annotated[float | None, _field(
        "Site monthly cost", unit="currency/site/month", header="Cost / site / month",
        description="Cost of a site per month it is open. Optional; no default.",
        rule=f"must be a finite number from 0 to {MAX_SITE_MONTHLY_COST:,.0f} "
             "[currency/site/month]",
        ge=0, le=MAX_SITE_MONTHLY_COST, allow_inf_nan=False)] = None
    min_sites: Annotated[int | None, _field(
        "Min sites", unit="sites", description="Floor for the optimiser; empty: 0.",
        rule=_SITES_RULE, ge=0, le=MAX_SITES_PER_COUNTRY)] = None
    max_sites: Annotated[int | None, _field(
        "Max sites", unit="sites", description="Cap for the optimiser; empty: no cap.",
        rule=_SITES_RULE, ge=0, le=MAX_SITES_PER_COUNTRY)] = None


@dataclass(frozen=True, slots=True)
class SitePlan:
    """One named site of a site-level plan (``Scenario.site_list``), as a site list gives it.

    Parameters
    ----------
    site_name : str
    iso3 : str
        Its country, one of the scenario's.
    city : str, optional
    latitude, longitude : float, optional
        [decimal degrees]
    historic_rate : float, optional
        The site's own recruitment rate in past trials [patients/site/month]; the forecast
        uses it for this site (see :func:`resolve`).
    """

    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    site_name: Annotated[str, _field(
        "Site name", rule="must be a non-empty text of at most 200 characters",
        min_length=1, max_length=200)]
    iso3: Annotated[str, _field(
        "Country", rule="must be a 3-letter upper-case ISO 3166-1 alpha-3 code",
        pattern=r"^[A-Z]{3}$")]
    city: Annotated[str | None, _field(
        "City", rule="must be a text of at most 200 characters", max_length=200)] = None
    latitude: Annotated[float | None, _field(
        "Latitude", unit="degrees", rule="must be a finite number from -90 to 90 [degrees]",
        ge=-90, le=90, allow_inf_nan=False)] = None
    longitude: Annotated[float | None, _field(
        "Longitude", unit="degrees", rule="must be a finite number from -180 to 180 [degrees]",
        ge=-180, le=180, allow_inf_nan=False)] = None
    historic_rate: Annotated[float | None, _field(
        "Historic rate", unit="patients/site/month",
        rule=f"must be a finite number from {MIN_RATE:g} to {MAX_RATE:g} "
             "[patients/site/month]",
        ge=MIN_RATE, le=MAX_RATE, allow_inf_nan=False)] = None


def _site_count(value: Any) -> Any:
    if isinstance(value, list | tuple) and len(value) > MAX_TOTAL_SITES:
        raise ValueError("too many sites")
    return value


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
        Patients to randomise, or to complete (``target_kind``) [patients].
    countries : tuple of CountryPlan
    target_kind : str
        ``"randomised"`` (default) or ``"evaluable"`` (keyword only).
        One entry per country, each iso3 once.
    seed : int
        Seed of the Monte Carlo forecast (keyword only).
    deadline_months : float, optional
        Enrollment deadline [months from scenario start] (keyword only).
    schema_version : int
        Format version (keyword only).
    """

    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    # Fields in the order of the format; those with a default are keyword-only, so the
    # positional order stays (name, indication, target_patients, countries).
    schema_version: Annotated[int, _field(
        "Format version", rule=f"must be the integer {OLDEST_SCHEMA_VERSION} or {SCHEMA_VERSION}",
        in_every_file=True, ge=OLDEST_SCHEMA_VERSION,
        le=SCHEMA_VERSION)] = field(default=SCHEMA_VERSION, kw_only=True)
    name: Annotated[str, _field(
        "Scenario name", rule=f"must be a non-empty text of at most {MAX_NAME_LENGTH} characters",
        min_length=1, max_length=MAX_NAME_LENGTH)]
    indication: Annotated[str, _field(
        "Indication", rule="must be a non-empty text (an indication id)", min_length=1)]
    target_patients: Annotated[int, _field(
        "Target patients", unit="patients",
        rule=f"must be a positive integer (at most {MAX_TARGET_PATIENTS})",
        gt=0, le=MAX_TARGET_PATIENTS)]
    target_kind: Annotated[str, _field(
        "Target kind", header="Target counts",
        description="What the target counts: 'randomised' patients, or 'evaluable' ones "
                    "(randomised and not dropped out).",
        rule=f"must be one of {', '.join(repr(k) for k in TARGET_KINDS)}",
        pattern=f"^({'|'.join(TARGET_KINDS)})$")] = field(default=TARGET_RANDOMISED,
                                                          kw_only=True)
    seed: Annotated[int, _field(
        "Seed", description="Same scenario and seed, same forecast.",
        rule=f"must be a non-negative integer (at most {MAX_SEED})", ge=0,
        le=MAX_SEED)] = field(default=0, kw_only=True)
    deadline_months: Annotated[float | None, _field(
        "Deadline", unit="months", header="Deadline [months]",
        description="Optional. Months from the scenario start.",
        rule=f"must be a positive finite number of months (at most {MAX_DEADLINE_MONTHS:g})",
        gt=0, le=MAX_DEADLINE_MONTHS, allow_inf_nan=False)] = field(default=None, kw_only=True)
    countries: Annotated[tuple[CountryPlan, ...], BeforeValidator(_country_count), _field(
        "Countries", rule=f"must be a non-empty list of at most {MAX_COUNTRIES} country objects",
        strict=False)]
    site_list: Annotated[tuple[SitePlan, ...], BeforeValidator(_site_count), _field(
        "Site list", description="Optional: the plan's named sites (from a site list), each "
        "in one of its countries, at most that country's sites; a listed historic rate is "
        "that site's rate in the forecast.",
        rule=f"must be a list of at most {MAX_TOTAL_SITES:,} site objects",
        strict=False)] = field(default=(), kw_only=True)

    def __post_init__(self) -> None:
        # A list would make an otherwise equal scenario compare unequal after a round trip.
        if not isinstance(self.countries, tuple):
            object.__setattr__(self, "countries", tuple(self.countries))
        if not isinstance(self.site_list, tuple):
            object.__setattr__(self, "site_list", tuple(self.site_list))


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of the format, as its annotation describes it.

    Parameters
    ----------
    name : str
        The key in files (``"startup_days"``).
    title : str
        What messages call it (``"Start-up"``).
    header : str
        Its label on a widget or a table column (``"Start-up [days]"``).
    unit : str
        ``""`` when it has none.
    description : str or None
        What it means, or what leaving it empty does (a widget's help).
    rule : str
        What a value must be: the message shown after its path when one is refused.
    kind : str
        ``"text"``, ``"integer"``, ``"number"`` or ``"list"`` (the countries).
    required : bool
        Every file must give it.
    """

    name: str
    title: str
    header: str
    unit: str
    description: str | None
    rule: str
    kind: str
    required: bool


_KINDS: Final = {str: "text", int: "integer", float: "number"}


def _specs(cls: type) -> tuple[FieldSpec, ...]:
    hints = get_type_hints(cls, include_extras=True)
    out = []
    for f in dataclasses.fields(cls):
        base, *metadata = get_args(hints[f.name])
        info = next(m for m in metadata if isinstance(m, FieldInfo))
        extra = info.json_schema_extra
        assert isinstance(extra, dict)
        if get_origin(base) is types.UnionType:
            base = next(a for a in get_args(base) if a is not type(None))
        has_default = f.default is not dataclasses.MISSING
        out.append(FieldSpec(
            name=f.name, title=str(info.title), header=str(extra["header"]),
            unit=str(extra["unit"]), description=info.description, rule=str(extra["rule"]),
            kind=_KINDS.get(base, "list"),
            required=bool(extra["in_every_file"]) or not has_default))
    return tuple(out)


SCENARIO_FIELDS: Final = _specs(Scenario)
"""The scenario-level fields, in the order of the format (``countries`` last)."""
COUNTRY_FIELDS: Final = _specs(CountryPlan)
"""The fields of one country, in the order of the format."""
FIELDS: Final = {s.name: s for s in SCENARIO_FIELDS + COUNTRY_FIELDS}
"""Every field by name (the two levels share no name)."""
SITE_FIELDS: Final = _specs(SitePlan)
"""The fields of one listed site (``site_list``), in the order of the format."""
_SCENARIO_NAMES: Final = tuple(s.name for s in SCENARIO_FIELDS)
_COUNTRY_NAMES: Final = tuple(s.name for s in COUNTRY_FIELDS)
_SITE_NAMES: Final = tuple(s.name for s in SITE_FIELDS)
_ADAPTER: Final = TypeAdapter(Scenario)


# --- Resolved scenarios ------------------------------------------------------------------------
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
        Cost per randomised patient [currency/patient]; None when unknown.
    max_sites : int or None
        Optimiser cap [sites].
    pool_cap : float or None
        Eligible patient pool: the most patients this country can *screen* [patients].
    screen_fail_share : float
        Share of screened patients not randomised [0-1).
    dropout_share : float
        Share of randomised patients who do not complete [0-1).
    rate_cv : float
        Coefficient of variation of the country's mean rate [-]; 0 = known.
    min_sites : int
        Optimiser floor [sites]; 0 when not given.
    site_startup_cost : float or None
        [currency/site]; None when unknown.
    site_monthly_cost : float or None
        [currency/site/month]; None when unknown.
    site_rates : tuple of float
        Historic rates of the country's listed sites that give one [patients/site/month];
        ``rate`` is then the mean over its sites of these and ``other_rate`` for the rest.
    other_rate : float or None
        Rate of the sites without a historic rate [patients/site/month] (with ``site_rates``).
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
    screen_fail_share: float = 0.0
    dropout_share: float = 0.0
    rate_cv: float = 0.0
    min_sites: int = 0
    site_startup_cost: float | None = None
    site_monthly_cost: float | None = None
    site_rates: tuple[float, ...] = ()
    other_rate: float | None = None
    sources: dict[str, str] = field(default_factory=dict, hash=False)

    def with_sites(self, sites: int) -> ResolvedCountry:
        """This country with ``sites`` sites, its mean rate recomputed from the listed
        sites' historic rates (the first ``sites`` of them) and ``other_rate``."""
        if not self.site_rates or self.other_rate is None:
            return replace(self, sites=sites)
        return replace(self, sites=sites,
                       rate=_mean_site_rate(self.site_rates, self.other_rate, sites))

    @property
    def randomised_share(self) -> float:
        """Share of screened patients randomised [0-1]."""
        return 1.0 - self.screen_fail_share

    @property
    def evaluable_share(self) -> float:
        """Share of screened patients randomised and completing [0-1]."""
        return (1.0 - self.screen_fail_share) * (1.0 - self.dropout_share)


@dataclass(frozen=True, slots=True)
class ResolvedScenario:
    """A scenario ready for the forecast: every value filled in (see :func:`resolve`).

    Parameters
    ----------
    name, indication, target_patients, seed, deadline_months, schema_version, target_kind
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
    target_kind: str = TARGET_RANDOMISED

    def counted_share(self, country: ResolvedCountry) -> float:
        """Share of a country's screened patients the target counts [0-1]."""
        if self.target_kind == TARGET_EVALUABLE:
            return country.evaluable_share
        return country.randomised_share

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
            c.with_sites(int(sites[c.iso3])) if c.iso3 in sites else c
            for c in self.countries
        )
        plans = tuple(
            replace(p, sites=int(sites[p.iso3])) if p.iso3 in sites else p
            for p in self.scenario.countries
        )
        return replace(
            self, countries=countries, scenario=replace(self.scenario, countries=plans)
        )


# --- Validation ------------------------------------------------------------------------------
Loc = tuple[str | int, ...]
"""A field path as pydantic gives it: ``("countries", 1, "sites")``."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One refused value: its field path and what is wrong with it.

    Parameters
    ----------
    loc : tuple of str and int
        ``("countries", 1, "sites")``; ``()`` for the whole object.
    message : str
        The field's rule and the value given, or another reason.
    """

    loc: Loc
    message: str

    @property
    def path(self) -> str:
        """``countries[1].sites``; ``(top level)`` for the whole object."""
        out = ""
        for part in self.loc:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += f".{part}" if out else part
        return out or "(top level)"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


_MISSING: Final = "required field is missing"


_SHORT_REPR: Final = reprlib.Repr()
_SHORT_REPR.maxlist = _SHORT_REPR.maxtuple = _SHORT_REPR.maxdict = 40
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = 100


def _show(value: Any) -> str:
    # reprlib, not repr: the repr of 300,000 countries is 10 MB built under the interpreter
    # lock (every other session waits), to show 40 characters of it
    text = _SHORT_REPR.repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _sort_key(problem: Problem) -> tuple[int, ...]:
    key: list[int] = []
    for i, part in enumerate(problem.loc):
        if isinstance(part, int):
            key.append(part)
        else:
            order = _SCENARIO_NAMES if i == 0 else _COUNTRY_NAMES
            key.append(order.index(part) if part in order else len(order))
    return tuple(key)


def _message(err: Any) -> str:
    loc = tuple(err["loc"])
    last = loc[-1] if loc else ""
    if err["type"] == "missing":
        return _MISSING
    if err["type"] == "unexpected_keyword_argument":
        allowed = (_SCENARIO_NAMES if len(loc) <= 1 else
                   _SITE_NAMES if loc[0] == "site_list" else _COUNTRY_NAMES)
        close = difflib.get_close_matches(str(last), allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown field{hint} (allowed: {', '.join(allowed)})"
    if isinstance(last, int) or err["type"] == "dataclass_type":
        return f"must be an object; got {_show(err['input'])}"
    specs = ({s.name: s for s in SITE_FIELDS} if loc[:1] == ("site_list",) and len(loc) > 2
             else FIELDS)
    spec = specs.get(str(last))
    return f"{spec.rule if spec else 'is invalid'}; got {_show(err['input'])}"


def _cross_checks(
    data: Mapping[str, Any],
    valid_iso3: Collection[str] | None,
    valid_indications: Collection[str] | None,
) -> list[Problem]:
    """Checks pydantic cannot do field by field: catalogues, duplicates, cross-field rules."""
    problems: list[Problem] = []
    indication = data.get("indication")
    if valid_indications is not None and isinstance(indication, str) and indication:
        if indication not in valid_indications:
            known = sorted(valid_indications)
            shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            problems.append(Problem(
                ("indication",), f"unknown indication {_show(indication)} (known: {shown})"))
    if data.get("schema_version") == OLDEST_SCHEMA_VERSION and data.get(
            "target_kind", TARGET_RANDOMISED) != TARGET_RANDOMISED:
        problems.append(Problem(("target_kind",),
                                f"is new in schema_version {SCHEMA_VERSION}; set "
                                f"schema_version to {SCHEMA_VERSION} to use it"))
    countries = data.get("countries")
    if not isinstance(countries, list | tuple) or len(countries) > MAX_COUNTRIES:
        return problems  # past the limit the list is one problem, its items unchecked
    first_seen: dict[str, int] = {}
    for i, country in enumerate(countries):
        if not isinstance(country, Mapping):
            continue
        iso3 = country.get("iso3")
        if isinstance(iso3, str) and re.fullmatch(r"[A-Z]{3}", iso3):
            if valid_iso3 is not None and iso3 not in valid_iso3:
                problems.append(Problem(("countries", i, "iso3"),
                                        f"unknown country code '{iso3}'"))
            if iso3 in first_seen:
                problems.append(Problem(
                    ("countries", i, "iso3"),
                    f"duplicate country '{iso3}' (already countries[{first_seen[iso3]}])"))
            else:
                first_seen[iso3] = i
        sites, max_sites = country.get("sites"), country.get("max_sites")
        min_sites = country.get("min_sites")
        if _is_int(sites) and _is_int(max_sites) and 0 <= max_sites < sites:
            problems.append(Problem(("countries", i, "max_sites"),
                                    f"must be >= sites ({sites}), got {max_sites}"))
        if _is_int(min_sites) and _is_int(max_sites) and 0 <= max_sites < min_sites:
            problems.append(Problem(("countries", i, "min_sites"),
                                    f"must be from 0 to max_sites ({max_sites}), got {min_sites}"))
        elif _is_int(min_sites) and _is_int(sites) and 0 <= sites < min_sites:
            problems.append(Problem(("countries", i, "min_sites"),
                                    f"must be from 0 to sites ({sites}), got {min_sites}"))
        if data.get("schema_version") == OLDEST_SCHEMA_VERSION:
            problems += [Problem(("countries", i, name),
                                 f"is new in schema_version {SCHEMA_VERSION}; set "
                                 f"schema_version to {SCHEMA_VERSION} to use it")
                         for name in V2_COUNTRY_FIELDS if country.get(name) is not None]
    problems += _site_list_checks(data, countries)
    total = sum(c["sites"] for c in countries
                if isinstance(c, Mapping) and _is_int(c.get("sites")) and c["sites"] > 0)
    if total > MAX_TOTAL_SITES:
        problems.append(Problem(
            ("countries",), f"at most {MAX_TOTAL_SITES:,} sites in total over all countries "
                            f"(what one forecast can hold in memory); this plan has {total:,}"))
    return problems


def _site_list_checks(data: Mapping[str, Any], countries: list | tuple) -> list[Problem]:
    """Each listed site in one of the scenario's countries; no country with more listed
    sites than it plans; no site list in a version 1 file."""
    listed = data.get("site_list")
    if not isinstance(listed, list | tuple) or not listed or len(listed) > MAX_TOTAL_SITES:
        return []
    if data.get("schema_version") == OLDEST_SCHEMA_VERSION:
        return [Problem(("site_list",), f"is new in schema_version {SCHEMA_VERSION}; set "
                                        f"schema_version to {SCHEMA_VERSION} to use it")]
    planned = {c["iso3"]: (i, c.get("sites")) for i, c in enumerate(countries)
               if isinstance(c, Mapping) and isinstance(c.get("iso3"), str)}
    problems, per_country = [], {}
    for i, site in enumerate(listed):
        iso3 = site.get("iso3") if isinstance(site, Mapping) else None
        if not isinstance(iso3, str):
            continue
        if iso3 not in planned:
            problems.append(Problem(("site_list", i, "iso3"),
                                    f"'{iso3[:3]}' is not one of the scenario's countries"))
        per_country[iso3] = per_country.get(iso3, 0) + 1
    for iso3, n in per_country.items():
        if iso3 in planned and _is_int(planned[iso3][1]) and 0 <= planned[iso3][1] < n:
            problems.append(Problem(
                ("countries", planned[iso3][0], "sites"),
                f"must be at least the {n} sites of {iso3} in the site list; "
                f"got {planned[iso3][1]}"))
    return problems


def _oversized(data: Mapping[str, Any]) -> list[Problem]:
    """Objects with far more keys than the format has: one problem each, not one per key."""
    def check_keys(obj: Mapping[str, Any], loc: Loc, allowed: tuple[str, ...]) -> list[Problem]:
        if len(obj) <= len(allowed) + MAX_PROBLEMS_SHOWN:
            return []
        return [Problem(loc, f"has {len(obj):,} fields; the format has {len(allowed)} "
                             f"({', '.join(allowed)})")]

    found = check_keys(data, (), _SCENARIO_NAMES)
    countries = data.get("countries")
    if isinstance(countries, list | tuple) and len(countries) <= MAX_COUNTRIES:
        for i, country in enumerate(countries):
            if isinstance(country, Mapping):
                found += check_keys(country, ("countries", i), _COUNTRY_NAMES)
    listed = data.get("site_list")
    if isinstance(listed, list | tuple) and len(listed) <= MAX_TOTAL_SITES:
        for i, site in enumerate(listed):
            if isinstance(site, Mapping):
                found += check_keys(site, ("site_list", i), _SITE_NAMES)
    return found


def check(
    data: Any,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> tuple[Scenario | None, list[Problem]]:
    """Validate the mapping form of a scenario: the scenario, or every problem with it.

    Parameters
    ----------
    data : mapping
        The object described in the module docstring (parsed JSON, a CSV scenario, the
        page's table).
    valid_iso3 : collection of str, optional
        Country codes the caller knows; others are refused.
    valid_indications : collection of str, optional
        Indication ids of the catalogue; others are refused.

    Returns
    -------
    (Scenario or None, list of Problem)
        The scenario when there is no problem, else None and the problems in field order.
    """
    if not isinstance(data, Mapping):
        return None, [Problem((), "must be a JSON object with the scenario fields; "
                                  f"got {_show(data)}")]
    version = data.get("schema_version")
    if _is_int(version) and version > SCHEMA_VERSION:
        # A newer format may mean anything else; do not pile up confusing follow-on errors.
        return None, [Problem(("schema_version",),
                              f"version {version} is newer than this app reads "
                              f"({SCHEMA_VERSION}); update Trial Footprint or re-export the "
                              "scenario")]
    oversized = _oversized(data)
    if oversized:
        return None, oversized
    scenario: Scenario | None = None
    problems = [Problem((s.name,), _MISSING) for s in SCENARIO_FIELDS
                if s.required and s.name not in data]
    try:
        scenario = _ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems += [Problem(tuple(err["loc"]), _message(err)) for err in exc.errors()]
    problems += _cross_checks(data, valid_iso3, valid_indications)
    problems = sorted(dict.fromkeys(problems), key=_sort_key)
    if problems or scenario is None:
        return None, problems
    return upgrade(scenario), problems


def upgrade(scenario: Scenario) -> Scenario:
    """The scenario in the current version: version 1 gains explicit zeros.

    A version 1 scenario had no screen failure, no dropout and a known mean rate; it reads as
    version 2 with ``screen_fail_share``, ``dropout_share`` and ``rate_cv`` 0 in every
    country (so it forecasts exactly as before whatever the version 2 defaults are) and the
    target counting randomised patients.
    """
    if scenario.schema_version == SCHEMA_VERSION:
        return scenario
    countries = tuple(replace(c, screen_fail_share=0.0, dropout_share=0.0, rate_cv=0.0)
                      for c in scenario.countries)
    return replace(scenario, schema_version=SCHEMA_VERSION, countries=countries)


def scenario_from_dict(
    data: Any,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> Scenario:
    """A validated :class:`Scenario` from its mapping form (see :func:`check`).

    Raises
    ------
    ScenarioError
        Listing every problem at once, each prefixed by its field path.
    """
    scenario, problems = check(data, valid_iso3=valid_iso3, valid_indications=valid_indications)
    if scenario is None:
        raise ScenarioError([str(p) for p in problems])
    return scenario


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
        Catalogues to check against (see :func:`check`).
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"expected a Scenario, got {type(scenario).__name__}")
    bad = [i for i, c in enumerate(scenario.countries) if not isinstance(c, CountryPlan)]
    if bad:
        raise TypeError(f"countries{bad} are not CountryPlan objects")
    scenario_from_dict(dataclasses.asdict(scenario), valid_iso3=valid_iso3,
                       valid_indications=valid_indications)


# --- Resolve -----------------------------------------------------------------------------------
def _mean_site_rate(site_rates: tuple[float, ...], other_rate: float, sites: int) -> float:
    """Mean rate of ``sites`` sites: the first of them at ``site_rates``, the rest at
    ``other_rate`` [patients/site/month]."""
    known = site_rates[:sites]
    if sites <= 0:
        return other_rate
    return (sum(known) + (sites - len(known)) * other_rate) / sites


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
        never_activate_share, cost_per_patient, max_sites, pool_cap, screen_fail_share,
        dropout_share, rate_cv, min_sites, site_startup_cost, site_monthly_cost``. A
        version 1 scenario is upgraded first (:func:`upgrade`).

    Notes
    -----
    A ``startup_days`` given without ``startup_sd_days`` is a fixed start-up (sd 0, labelled
    ``"user"``). When the start-up comes from the defaults, the sd is
    :data:`~footprint.assumptions.STARTUP_CV` of the mean (an assumption).

    Sites of ``site_list`` with a ``historic_rate`` recruit at that rate: their country's
    ``rate`` becomes the mean over its planned sites of those rates and, for its other sites,
    the country's rate (the user's, else the default), labelled ``"user"``. The forecast
    draws every site of a country around that mean (gamma, the country's shape): the
    expected enrollment is exactly that of each site at its own rate (it is linear in the
    rates); only the spread between sites is the country's.
    """
    validate_scenario(scenario)
    scenario = upgrade(scenario)
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
        site_rates = tuple(float(x.historic_rate) for x in scenario.site_list
                           if x.iso3 == c.iso3 and x.historic_rate is not None)
        other_rate = rate if site_rates else None
        if site_rates:  # the listed sites' own rates (see Notes)
            rate, src["rate"] = _mean_site_rate(site_rates, rate, c.sites), SOURCE_USER
        shape = float(pick("rate_shape", c.rate_shape, DEFAULT_RATE_SHAPE))
        never = float(
            pick("never_activate_share", c.never_activate_share, DEFAULT_NEVER_ACTIVATE_SHARE)
        )
        cost = pick("cost_per_patient", c.cost_per_patient, None)
        max_sites = pick("max_sites", c.max_sites, None)
        screen_fail = float(
            pick("screen_fail_share", c.screen_fail_share, DEFAULT_SCREEN_FAIL_SHARE))
        dropout = float(pick("dropout_share", c.dropout_share, DEFAULT_DROPOUT_SHARE))
        rate_cv = float(pick("rate_cv", c.rate_cv, DEFAULT_RATE_CV))
        min_sites = int(pick("min_sites", c.min_sites, 0))
        startup_cost = pick("site_startup_cost", c.site_startup_cost, None)
        monthly_cost = pick("site_monthly_cost", c.site_monthly_cost, None)

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
                screen_fail_share=screen_fail,
                dropout_share=dropout,
                rate_cv=rate_cv,
                min_sites=min_sites,
                site_startup_cost=None if startup_cost is None else float(startup_cost),
                site_monthly_cost=None if monthly_cost is None else float(monthly_cost),
                site_rates=site_rates,
                other_rate=other_rate,
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
        target_kind=scenario.target_kind,
    )
