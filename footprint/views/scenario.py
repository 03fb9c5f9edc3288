"""What the Scenario builder page shows, computed without Streamlit.

The page reads its widgets and calls these helpers: the country table's columns (labels and
help from the scenario schema), a :class:`~footprint.enrollment.scenario.Scenario` built from the
header fields and that table, an uploaded site list merged into it, where every resolved model
input comes from, and forecasts, comparisons and optimiser proposals as display tables; the site
list's map; the workspace store's scenarios as listings and labels, and who is signed in.
Charts are in :mod:`footprint.views.charts`.

Every function here is pure (no I/O beyond reading the shipped example scenario).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
import pandas as pd
import pydeck as pdk

from footprint.assumptions import (
    DEFAULT_DROPOUT_SHARE,
    DEFAULT_NEVER_ACTIVATE_SHARE,
    DEFAULT_RATE,
    DEFAULT_RATE_CV,
    DEFAULT_RATE_SHAPE,
    DEFAULT_SCREEN_FAIL_SHARE,
    DEFAULT_STARTUP_WEEKS,
    DEFAULT_WINDOW_MONTHS,
    MAX_COMPARE,
    MAX_NAME_LENGTH,
    MAX_SITES_PER_COUNTRY,
    PRIOR_CERTAINTY,
    REGISTRY,
    STARTUP_CV,
)
from footprint.enrollment import forecast, planning, scenario
from footprint.enrollment.forecast import ForecastResult
from footprint.enrollment.planning import Comparison, OptimiseResult, PlanCost
from footprint.enrollment.reforecast import Reforecast, SiteActual
from footprint.enrollment.scenario import FIELDS, CountryPlan, ResolvedScenario, Scenario
from footprint.errors import ScenarioError
from footprint.io import report_xlsx
from footprint.io.actuals import actuals_from_csv
from footprint.io.cells import neutralise_cell
from footprint.io.report_meta import ReportMeta
from footprint.io.scenario_json import scenario_from_json
from footprint.io.site_lists import count_per_country
from footprint.io.uploads import decode
from footprint.paths import EXAMPLES_DIR
from footprint.store.workspace import Principal, VersionInfo
from footprint.views.format import MISSING, is_missing, slug
from footprint.views.maps import view_for_bounds

EXAMPLE_PATH: Final = EXAMPLES_DIR / "scenario_latam_hypertension.json"
"""The shipped example, the page's starting scenario."""

SIMS_CHOICES: Final = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)
"""Simulated trials the page offers; the default is
:data:`~footprint.assumptions.DEFAULT_N_SIMS`."""

EDITOR_COLUMNS: Final = tuple(f.name for f in scenario.COUNTRY_FIELDS)
"""The country table's columns: the per-country fields, in order."""
_INT_COLUMNS: Final = frozenset(f.name for f in scenario.COUNTRY_FIELDS if f.kind == "integer")


@dataclass(frozen=True, slots=True)
class NumberColumn:
    """How the country table edits one number column.

    Parameters
    ----------
    label, help : str
        The field's header and description in the schema.
    min_value, max_value : float or None
        Bounds the widget allows (validation enforces the schema's own).
    step : float
    format : str
        printf-style display format.
    required : bool or None
        True for a field every country must give.
    """

    label: str
    help: str | None
    min_value: float | None
    max_value: float | None
    step: float
    format: str
    required: bool | None


# The widget's bounds, step and display format of each number column, in the table's order.
_NUMBER_WIDGETS: Final[dict[str, tuple[float, float | None, float, str]]] = {
    "sites": (0, MAX_SITES_PER_COUNTRY, 1, "%d"),
    "rate": (0.0, None, 0.05, "%.2f"),
    "rate_shape": (0.0, None, 0.1, "%.2f"),
    "rate_cv": (0.0, None, 0.05, "%.2f"),
    "startup_days": (0.0, None, 10.0, "%.0f"),
    "startup_sd_days": (0.0, None, 5.0, "%.0f"),
    "never_activate_share": (0.0, 0.99, 0.01, "%.2f"),
    "screen_fail_share": (0.0, 0.99, 0.01, "%.2f"),
    "dropout_share": (0.0, 0.99, 0.01, "%.2f"),
    "cost_per_patient": (0.0, None, 100.0, "%.0f"),
    "site_startup_cost": (0.0, None, 1000.0, "%.0f"),
    "site_monthly_cost": (0.0, None, 100.0, "%.0f"),
    "min_sites": (0, MAX_SITES_PER_COUNTRY, 1, "%d"),
    "max_sites": (0, MAX_SITES_PER_COUNTRY, 1, "%d"),
}

ASSUMED_DEFAULTS: Final = {
    "screen_fail_share": REGISTRY["DEFAULT_SCREEN_FAIL_SHARE"],
    "dropout_share": REGISTRY["DEFAULT_DROPOUT_SHARE"],
    "rate_cv": REGISTRY["DEFAULT_RATE_CV"],
}
"""The v2 fields whose default (for a country that gives none) is a registry entry; the page
labels each as an assumption when the entry is one (no published figure)."""


def column_label(name: str) -> str:
    """A country column's header with its unit: ``Screen fail [0-1]``, ``Cost / patient
    [currency/patient]`` (a header that names its unit already is kept)."""
    spec = FIELDS[name]
    if "[" in spec.header or spec.unit in ("", "sites"):
        return spec.header
    # a cost's header says what it is per: its unit is the currency
    return f"{spec.header} [{'currency' if spec.unit.startswith('currency') else spec.unit}]"


def column_help(name: str) -> str | None:
    """A country column's help: the schema's description, and for a default that is an
    assumption, that it is one and where published figures differ."""
    text = FIELDS[name].description
    entry = ASSUMED_DEFAULTS.get(name)
    if entry is None:
        return text
    source = entry.source.removeprefix("assumption: ")
    kind = "an assumption" if entry.kind == "assumption" else "a default"
    return f"{text} The default {entry.value:g} is {kind}: {source}."


EDITOR_NUMBERS: Final = {
    name: NumberColumn(column_label(name), column_help(name), low, high, step, fmt,
                       True if FIELDS[name].required else None)
    for name, (low, high, step, fmt) in _NUMBER_WIDGETS.items()
}
"""The number columns of the country table (every column but ``iso3``), in order."""


# --- Header and the country table ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Header:
    """The scenario-level fields as the page's widgets hold them.

    Parameters
    ----------
    name : str
    indication : str
        Catalogue id.
    target_patients : int
        [patients]
    deadline_months : float or None
        [months]
    seed : int
    target_kind : str
        What the target counts: ``"randomised"`` or ``"evaluable"``.
    """

    name: str
    indication: str
    target_patients: int
    deadline_months: float | None = None
    seed: int = 0
    target_kind: str = scenario.TARGET_RANDOMISED


def default_scenario() -> Scenario:
    """The shipped LatAm hypertension example (``examples/``), a new scenario: the fields
    its file (version 1) does not give are left to the registry's defaults (shown as
    such), not to version 1's explicit zeros."""
    read = scenario_from_json(EXAMPLE_PATH.read_text(encoding="utf-8"))
    return replace(read, countries=tuple(replace(c, **dict.fromkeys(ASSUMED_DEFAULTS))
                                         for c in read.countries))


def header_of(s: Scenario) -> Header:
    """The header fields of a scenario."""
    return Header(s.name, s.indication, s.target_patients, s.deadline_months, s.seed,
                  s.target_kind)


def editor_frame(s: Scenario | None = None) -> pd.DataFrame:
    """The country table of a scenario, one row per country (empty cell = left out).

    Integer columns are nullable ``Int64``, the others ``float64`` with NaN.
    """
    plans: Sequence[CountryPlan] = s.countries if s is not None else ()
    data: dict[str, Any] = {"iso3": pd.Series([p.iso3 for p in plans], dtype=object)}
    for col in EDITOR_COLUMNS[1:]:
        values = [getattr(p, col) for p in plans]
        if col in _INT_COLUMNS:
            data[col] = pd.Series(values, dtype="Int64")
        else:
            data[col] = pd.Series([np.nan if v is None else v for v in values], dtype=float)
    return pd.DataFrame(data, columns=list(EDITOR_COLUMNS))


def _cell(value: Any) -> Any:
    """A table cell as validation expects it: None when empty, Python scalars otherwise."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _as_int(value: Any) -> Any:
    """12.0 -> 12 (table cells come back as floats); anything else unchanged for validation."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


_COUNTRY_REF: Final = re.compile(r"countries\[(\d+)\]")


def _relabel(problem: scenario.Problem, rows: Sequence[str]) -> str:
    """A problem named as the page shows it: ``row 2 (MEX), Sites: ...``, ``Seed: ...``."""
    def row(index: int) -> str:
        return rows[index] if index < len(rows) else f"row {index + 1}"

    loc = problem.loc
    if len(loc) >= 2 and loc[0] == "countries" and isinstance(loc[1], int):
        message = _COUNTRY_REF.sub(lambda m: row(int(m.group(1))), problem.message)
        if len(loc) == 2:
            return f"{row(loc[1])}: {message}"
        field = str(loc[2])
        label = FIELDS[field].title if field in FIELDS else field
        return f"{row(loc[1])}, {label}: {message}"
    if len(loc) == 1 and loc[0] in FIELDS:
        return f"{FIELDS[str(loc[0])].title}: {problem.message}"
    return str(problem)


def scenario_from_editor(
    header: Header,
    rows: pd.DataFrame,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> Scenario:
    """Build and validate a scenario from the header fields and the country table.

    Parameters
    ----------
    header : Header
    rows : pandas.DataFrame
        The edited table (:data:`EDITOR_COLUMNS`); wholly empty rows are skipped.
    valid_iso3, valid_indications : collection of str, optional
        Catalogues to check against.

    Raises
    ------
    ScenarioError
        Every problem, named by table row (1-based, with its country) and column label.
    """
    countries: list[dict[str, Any]] = []
    labels: list[str] = []
    for position, record in enumerate(rows.to_dict(orient="records"), start=1):
        values = {col: _cell(record.get(col)) for col in EDITOR_COLUMNS}
        if all(v is None for v in values.values()):
            continue  # a row added and left blank
        country = {
            col: _as_int(v) if col in _INT_COLUMNS else v
            for col, v in values.items()
            if v is not None
        }
        countries.append(country)
        iso3 = values["iso3"]
        labels.append(f"row {position} ({iso3})" if isinstance(iso3, str) else f"row {position}")
    data: dict[str, Any] = {
        "schema_version": scenario.SCHEMA_VERSION,
        "name": header.name.strip(),
        "indication": header.indication,
        "target_patients": _as_int(header.target_patients),
        "target_kind": header.target_kind,
        "seed": _as_int(header.seed),
        "countries": countries,
    }
    if header.deadline_months is not None:
        data["deadline_months"] = float(header.deadline_months)
    built, problems = scenario.check(data, valid_iso3=valid_iso3,
                                     valid_indications=valid_indications)
    if built is not None:
        return built
    raise ScenarioError([
        "Countries: add at least one country row" if p.loc == ("countries",) and not countries
        else _relabel(p, labels)
        for p in problems
    ])


# --- Resolved inputs and where they come from ------------------------------------------------
DEFAULT_NOTES: Final[dict[str, str]] = {
    "rate": "default · PLOS ONE 2022",
    "rate_shape": "default · assumption",
    "never_activate_share": "default · industry quote",
    "startup_days": "default · industry mean",
    "startup_sd_days": "default · 30 % of mean",
    "cost_per_patient": "not given",
    "site_startup_cost": "not given",
    "site_monthly_cost": "not given",
    "screen_fail_share": "default · assumption, no published figure",
    "dropout_share": "default · assumption, no published figure",
    "rate_cv": "default · assumption, rate known",
    "max_sites": "no cap",
    "pool_cap": "no estimate · uncapped",
}
"""Short labels of the defaults; :data:`DEFAULTS_LEGEND` spells them out."""

DEFAULTS_LEGEND: Final = (
    f"Defaults: rate {DEFAULT_RATE:g} patients/site/month, the middle of the industry "
    "phase III median 0.4-0.8 (PLOS ONE 2022, pone.0271819); rate shape "
    f"{DEFAULT_RATE_SHAPE:g} (typically 1.2-4, an assumption); "
    f"{DEFAULT_NEVER_ACTIVATE_SHARE:.0%} of selected sites never open (industry "
    f"quote); start-up {DEFAULT_STARTUP_WEEKS:g} weeks (industry mean) where the model "
    f"has no value, sd {STARTUP_CV:.0%} of the mean (an assumption). "
    f"Screen failure {DEFAULT_SCREEN_FAIL_SHARE:.0%}, dropout {DEFAULT_DROPOUT_SHARE:.0%} and "
    f"rate CV {DEFAULT_RATE_CV:g} where a country gives none: assumptions (no cross-area "
    "published figure found; published screen-failure shares run from 19-26 % in phase III "
    "genitourinary cancer trials to 70-80 % in Alzheimer's trials), so set "
    "them per trial. The rate counts patients screened; the target counts randomised (or "
    "evaluable) patients. Costs have no default: a cost left empty is not counted. "
    "Model: start-up = observed start-up, or approval + site activation; pool cap = eligible "
    "patients of the patient funnel (patients screened)."
)


def source_label(
    field: str,
    source: str,
    *,
    startup_basis: str | None = None,
    incident: bool = False,
    fixed_startup: bool = False,
) -> str:
    """Say where a resolved value comes from: ``user``, ``model · ...`` or ``default · ...``.

    Parameters
    ----------
    field : str
        A :class:`~footprint.enrollment.scenario.ResolvedCountry` field with a source.
    source : str
        ``"user"``, ``"model"`` or ``"default"``.
    startup_basis : str, optional
        The regulatory model's basis of the country's start-up (``startup_basis``).
    incident : bool
        The indication's pool is incident per year (the cap is then per recruitment window).
    fixed_startup : bool
        The user gave a start-up without a spread (the sd is then 0).
    """
    if source == scenario.SOURCE_USER:
        if field == "startup_sd_days" and fixed_startup:
            return "user · fixed start-up"
        return "user"
    if source == scenario.SOURCE_MODEL:
        if field in ("startup_days", "startup_sd_days"):
            return f"model · {startup_basis}" if startup_basis else "model · regulatory start-up"
        if field == "pool_cap":
            if incident:
                return f"model · yearly pool x window (deadline or {DEFAULT_WINDOW_MONTHS:g} mo)"
            return "model · patient funnel"
        return "model"
    return DEFAULT_NOTES.get(field, "default")


def resolved_table(
    resolved: ResolvedScenario,
    names: Mapping[str, str],
    startup_basis: Mapping[str, str] | None = None,
    *,
    incident: bool = False,
) -> pd.DataFrame:
    """Every input the forecast uses, per country, each beside where it comes from.

    Parameters
    ----------
    resolved : ResolvedScenario
    names : mapping of str to str
        iso3 -> country name.
    startup_basis : mapping of str to str, optional
        iso3 -> the regulatory model's start-up basis.
    incident : bool
        Whether the indication's pool is incident per year.
    """
    startup_basis = startup_basis or {}
    rows = []
    for c in resolved.countries:
        src = c.sources
        plan = next(p for p in resolved.scenario.countries if p.iso3 == c.iso3)
        fixed = plan.startup_days is not None and plan.startup_sd_days is None

        def label(name: str, c: Any = c, src: Mapping[str, str] = src, fixed: bool = fixed) -> str:
            return source_label(
                name,
                src.get(name, scenario.SOURCE_DEFAULT),
                startup_basis=startup_basis.get(c.iso3),
                incident=incident,
                fixed_startup=fixed,
            )

        rows.append(
            {
                "Country": names.get(c.iso3, c.iso3),
                "ISO3": c.iso3,
                "Sites": c.sites,
                "Rate [patients/site/month]": c.rate,
                "Rate from": label("rate"),
                "Rate shape α": c.rate_shape,
                "Shape from": label("rate_shape"),
                "Start-up [days]": c.startup_days,
                "Start-up sd [days]": c.startup_sd_days,
                "Start-up from": label("startup_days"),
                "Sd from": label("startup_sd_days"),
                "Never-activate share": c.never_activate_share,
                "Never-activate from": label("never_activate_share"),
                "Screen fail [0-1]": c.screen_fail_share,
                "Screen fail from": label("screen_fail_share"),
                "Dropout [0-1]": c.dropout_share,
                "Dropout from": label("dropout_share"),
                "Rate CV [-]": c.rate_cv,
                "Rate CV from": label("rate_cv"),
                "Cost per patient": c.cost_per_patient,
                "Cost from": label("cost_per_patient"),
                "Start-up cost / site": c.site_startup_cost,
                "Cost / site / month": c.site_monthly_cost,
                "Min sites": c.min_sites,
                "Max sites": c.max_sites,
                "Eligible pool cap [patients]": c.pool_cap,
                "Pool cap from": label("pool_cap"),
            }
        )
    frame = pd.DataFrame(rows)
    for col in RESOLVED_COSTS + ("Eligible pool cap [patients]",):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame["Max sites"] = frame["Max sites"].astype("Int64")
    return frame


RESOLVED_COSTS: Final = ("Cost per patient", "Start-up cost / site", "Cost / site / month")
"""The cost columns of :func:`resolved_table` [currency]; empty (shown "—") when not given."""


# --- Forecast display ----------------------------------------------------------------------------
def months_text(value: float, horizon_months: int) -> str:
    """A time to target [months]: ``"24.8"``, or ``"> 56"`` when not reached in the horizon."""
    if math.isfinite(value):
        return f"{value:.1f}"
    return f"> {horizon_months}"


def money_text(value: float | None) -> str:
    """A cost to the unit [currency]: ``"1,234,500"``, or "—" when it is not known."""
    if value is None or is_missing(value):
        return MISSING
    return f"{float(value):,.0f}"


def forecast_metrics(result: ForecastResult, cost: PlanCost | None = None
                     ) -> list[tuple[str, str, str]]:
    """(label, value, help) of the headline figures: P10/P50/P90, P(by the deadline) and,
    when some cost is given, the expected cost to the median time (``cost``, from
    :func:`plan_cost`; "—" when a component is missing for a country with sites)."""
    h = result.horizon_months
    never = f" '> {h}': not reached within the {h}-month horizon."
    out = [
        ("P10 [months to target]", months_text(result.p10, h),
         "1 in 10 simulated trials reach the target this fast or faster." + never),
        ("P50 [months to target]", months_text(result.p50, h),
         "Median: half of the simulated trials reach the target by then." + never),
        ("P90 [months to target]", months_text(result.p90, h),
         "9 in 10 simulated trials reach the target by then." + never),
    ]
    if result.prob_by_deadline is None:
        out.append(("P(target by deadline)", MISSING, "Set a deadline to see it."))
    else:
        out.append(
            (
                f"P(target by {result.deadline_months:g} months)",
                f"{result.prob_by_deadline:.0%}",
                f"Monte Carlo: the share of the {result.n_sims:,} simulated trials that reach "
                "the target by the deadline.",
            )
        )
    if cost is not None and (cost.total is not None or cost.not_counted):
        missing_parts = "; ".join(cost.not_counted)
        counted = [name for name, value in (("start-up", cost.startup),
                                            ("site months", cost.monthly),
                                            ("patients", cost.patients)) if value is not None]
        out.append(
            ("Expected cost to P50" + ("" if len(counted) in (0, 3)
                                       else f" ({' + '.join(counted)} only)"),
             money_text(cost.total),
             "Site start-up + site months open + randomised patients, expected up to the "
             f"median time ({cost.at_months:.1f} months), for the components given"
             + (f"; {missing_parts}" if missing_parts else "") + ".")
        )
    return out


def plan_cost(resolved: ResolvedScenario, result: ForecastResult) -> PlanCost:
    """The plan's expected cost up to the forecast's median time (the horizon when the
    median is not reached): :func:`footprint.enrollment.planning.plan_cost`."""
    return planning.plan_cost(resolved, result.patients_at_months)


def cost_table(cost: PlanCost) -> pd.DataFrame:
    """The expected cost by component, a missing one "—" with why, and the total."""
    notes = {n.split(" ", 1)[0]: n for n in cost.not_counted}
    parts = [("Site start-up", "site_startup_cost", cost.startup),
             ("Site months open", "site_monthly_cost", cost.monthly),
             ("Randomised patients", "cost_per_patient", cost.patients)]
    rows = [{"Component": label, "Expected cost [currency]": money_text(value),
             "Note": "" if value is not None else
             (notes[field].split(": ", 1)[1] if field in notes else "not given")}
            for label, field, value in parts]
    left_out = any(value is None for _, _, value in parts)
    total_note = ("" if not left_out else "no component given for every country with sites"
                  if cost.total is None else "the components given only")
    rows.append({"Component": f"Total to {cost.at_months:.1f} months",
                 "Expected cost [currency]": money_text(cost.total), "Note": total_note})
    return pd.DataFrame(rows)


FUNNEL_COLUMNS: Final = ("Screened", "Randomised", "Completing")


def funnel_table(result: ForecastResult, names: Mapping[str, str]) -> pd.DataFrame:
    """Screened -> randomised -> completing, expected patients per country and in total at
    the median time (:attr:`ForecastResult.funnel`), whole patients."""
    rows = []
    for iso3, values in result.funnel.items():
        total = iso3 == forecast.TRIAL_TOTAL
        rows.append({"Country": "Total" if total else names.get(iso3, iso3),
                     "ISO3": "" if total else iso3,
                     **{col: int(round(v)) for col, v in zip(FUNNEL_COLUMNS, values,
                                                             strict=True)}})
    rows.sort(key=lambda r: r["ISO3"] == "")  # the total last
    return pd.DataFrame(rows, columns=["Country", "ISO3", *FUNNEL_COLUMNS])


# --- Milestones -----------------------------------------------------------------------------------
MILESTONE_LABELS: Final = {
    "first_site_open": "First site open",
    "sites_50pct_open": "50 % of sites open",
    "sites_90pct_open": "90 % of sites open",
    "first_patient_in": "First patient in",
    "last_patient_in": "Last patient in",
}
"""What the page calls each of :data:`footprint.enrollment.forecast.MILESTONES`."""
TRIAL_LABEL: Final = "Trial"


def milestones_frame(result: ForecastResult, names: Mapping[str, str]) -> pd.DataFrame:
    """The forecast's milestones, trial first then each country: scope (``Trial`` or the
    country's name), iso3 (empty for the trial), milestone, P10/P50/P90 [months; inf = not
    reached within the horizon]."""
    return pd.DataFrame(
        [{"scope": TRIAL_LABEL if m.scope == forecast.TRIAL else names.get(m.scope, m.scope),
          "iso3": "" if m.scope == forecast.TRIAL else m.scope,
          "milestone": MILESTONE_LABELS.get(m.milestone, m.milestone),
          "p10": m.p10, "p50": m.p50, "p90": m.p90} for m in result.milestones],
        columns=["scope", "iso3", "milestone", "p10", "p50", "p90"])


def milestones_table(result: ForecastResult, names: Mapping[str, str]) -> pd.DataFrame:
    """The milestones as the page shows them: months to 0.1, ``> h`` when not reached
    within the horizon."""
    frame = milestones_frame(result, names)
    h = result.horizon_months
    return pd.DataFrame({
        "Where": frame["scope"], "Milestone": frame["milestone"],
        **{f"P{q} [months]": [months_text(v, h) for v in frame[f"p{q}"]] for q in (10, 50, 90)},
    })


def milestones_csv(result: ForecastResult, names: Mapping[str, str]) -> bytes:
    """The milestones as a CSV download: months to 0.01, empty when not reached within the
    horizon (``horizon_months`` says which), text cells neutralised."""
    frame = milestones_frame(result, names)
    out = pd.DataFrame({
        "scenario": result.scenario_name, "scope": frame["scope"], "iso3": frame["iso3"],
        "milestone": frame["milestone"],
        **{f"p{q}_months": frame[f"p{q}"].where(np.isfinite(frame[f"p{q}"])).round(2)
           for q in (10, 50, 90)},
        "horizon_months": result.horizon_months,
    })
    for col in ("scenario", "scope"):
        out[col] = out[col].map(neutralise_cell)
    return out.to_csv(index=False).encode("utf-8")


# --- Re-forecast from actual enrollment ----------------------------------------------------------
def read_actuals(data: bytes, resolved: ResolvedScenario, as_of: dt.date
                 ) -> tuple[SiteActual, ...]:
    """The sites of an uploaded actuals CSV (:mod:`footprint.io.actuals`), validated against
    the scenario and the as-of date.

    Raises
    ------
    UploadError
        Every problem, each with its line.
    """
    return actuals_from_csv(decode(data), resolved, as_of)


def months_after(start: dt.date, months: float) -> dt.date:
    """The date ``months`` after ``start`` (a month is 365.25 / 12 days)."""
    return start + dt.timedelta(days=round(months * forecast.DAYS_PER_MONTH))


def default_start(plan: ForecastResult, actuals: Sequence[SiteActual]) -> dt.date | None:
    """A start date (month 0 of the plan) for a file with opening dates: the first site's
    opening less the plan's median time to the first site open. None without either."""
    opened = [a.opened_on for a in actuals if a.opened_on is not None]
    first = next((m.p50 for m in plan.milestones
                  if m.scope == forecast.TRIAL and m.milestone == "first_site_open"), None)
    if not opened or first is None or not math.isfinite(first):
        return None
    return min(opened) - dt.timedelta(days=round(first * forecast.DAYS_PER_MONTH))


def actuals_table(rf: Reforecast, resolved: ResolvedScenario, names: Mapping[str, str]
                  ) -> pd.DataFrame:
    """Per country: sites open of planned, patients randomised to date, the prior mean rate
    and the open sites' mean posterior rate [patients screened/site/month] (MISSING when no
    site is open), further patients expected by the re-forecast's P50."""
    rows = []
    for c in resolved.countries:
        own = [p.mean_rate for p in rf.posteriors if p.iso3 == c.iso3]
        rows.append({
            "Country": names.get(c.iso3, c.iso3), "ISO3": c.iso3,
            "Sites open": f"{rf.sites_open[c.iso3]} of {c.sites}",
            "Randomised to date": rf.randomised_to_date[c.iso3],
            "Planned rate [pt/site/month]": f"{c.rate:.2f}",
            "Updated rate, open sites [pt/site/month]":
                f"{sum(own) / len(own):.2f}" if own else MISSING,
            "More patients by the P50": int(round(rf.patients_at_p50.get(c.iso3, 0.0))),
        })
    return pd.DataFrame(rows)


def deadline_chance_text(result: ForecastResult, months_left: float) -> str:
    """The chance of reaching the target within ``months_left`` [months], bracketed by the
    re-forecast's P10/P50/P90 (exact for those quantiles): ``"≥ 90 %"``, ``"50-90 %"``,
    ``"10-50 %"`` or ``"< 10 %"``."""
    p10, p50, p90 = result.months_to_target
    if p90 <= months_left:
        return "≥ 90 %"
    if p50 <= months_left:
        return "50-90 %"
    if p10 <= months_left:
        return "10-50 %"
    return "< 10 %"


def reforecast_metrics(rf: Reforecast, start: dt.date | None, deadline_months: float | None
                       ) -> list[tuple[str, str, str]]:
    """(label, value, help) of a re-forecast: patients so far, still needed, the dates of
    P10/P50/P90 from the as-of date and, with a start and a deadline, the deadline's chance."""
    out = [("Patients so far", f"{rf.counted_to_date:,}",
            "Patients of the target's kind to date (evaluable: randomised less the expected "
            "dropout, rounded down)."),
           ("Still needed", f"{rf.remaining_target:,}", "The target less the patients so far.")]
    result = rf.result
    if result is None:
        return out + [("Target", "reached", "The actuals already reach the target.")]
    h = result.horizon_months
    for q, value in zip((10, 50, 90), result.months_to_target, strict=True):
        date = months_after(rf.as_of, value) if math.isfinite(value) else None
        out.append((f"P{q} target date", f"{date:%b %Y}" if date else f"> {h} months",
                    f"{months_text(value, h)} months after the as-of date {rf.as_of}"
                    + (f": {date}." if date else ".")))
    if start is not None and deadline_months is not None:
        left = deadline_months - (rf.as_of - start).days / forecast.DAYS_PER_MONTH
        out.append((f"P(target by {deadline_months:g} months)",
                    deadline_chance_text(result, left),
                    f"The deadline is {months_after(start, deadline_months)}, {left:.1f} months "
                    "after the as-of date; the chance is bracketed by the re-forecast's "
                    "P10/P50/P90."))
    return out


def plan_vs_actual(plan: ForecastResult, rf: Reforecast, start: dt.date
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plan's and the re-forecast's bands of cumulative patients by date (``series``,
    ``date``, ``p10``, ``p50``, ``p90``), and the actual patients to date (one row:
    ``date``, ``patients``). The re-forecast adds the patients so far to its remaining
    curve, which starts at the as-of date; each band ends two months after its P10 reaches
    the target."""
    def until_reached(curve: pd.DataFrame) -> pd.DataFrame:
        """The curve up to two months after its P10 reaches the target."""
        reached = np.flatnonzero(curve["p10"].to_numpy() >= plan.target_patients)
        return curve if reached.size == 0 else curve.iloc[:reached[0] + 3]

    frames = []
    curve = until_reached(plan.curve_frame())
    frames.append(curve.assign(series="Plan", date=[months_after(start, m)
                                                   for m in curve["month"]]))
    if rf.result is not None:
        rest = rf.result.curve_frame()
        for q in ("p10", "p50", "p90"):
            rest[q] = rest[q] + rf.counted_to_date
        rest = until_reached(rest)
        frames.append(rest.assign(series="Re-forecast",
                                  date=[months_after(rf.as_of, m) for m in rest["month"]]))
    bands = pd.concat(frames, ignore_index=True)[["series", "date", "p10", "p50", "p90"]]
    bands["date"] = pd.to_datetime(bands["date"])
    actual = pd.DataFrame({"date": pd.to_datetime([rf.as_of]),
                           "patients": [rf.counted_to_date],
                           "text": [f"actual: {rf.counted_to_date:,} by {rf.as_of}"]})
    return bands, actual


# --- Rate uncertainty ---------------------------------------------------------------------------
RATE_CV_EFFECT_SIMS: Final = 2_000
"""Simulated trials of each of the two forecasts behind the rate CV's effect [trials]."""


@dataclass(frozen=True, slots=True)
class RateCvEffect:
    """The P10-P90 of the months to target without and with rate uncertainty.

    Parameters
    ----------
    proposed : dict or None
        iso3 -> the proposed rate CV (:func:`footprint.enrollment.planning.proposed_rate_cv`)
        when every CV is 0; None when the table's own CVs are used [-].
    without, with_cv : tuple of float
        (P10, P90) with every CV 0, and with the CVs [months]; inf: beyond the horizon.
    horizon_months : int
    n_sims : int
    """

    proposed: dict[str, float] | None
    without: tuple[float, float]
    with_cv: tuple[float, float]
    horizon_months: int
    n_sims: int


def rate_cv_effect(resolved: ResolvedScenario, n_sims: int = RATE_CV_EFFECT_SIMS
                   ) -> RateCvEffect:
    """Two quick Monte Carlo forecasts, the mean rates known (CV 0) and uncertain: the
    table's CVs when some country gives one, else the proposed ones
    (:func:`footprint.enrollment.planning.proposed_rate_cv`, Gajewski, Simon & Carlson
    2008)."""
    given = any(c.rate_cv > 0 for c in resolved.countries)
    proposed = None if given else planning.proposed_rate_cv(resolved)

    def with_cv(values: Mapping[str, float] | None) -> ResolvedScenario:
        return replace(resolved, countries=tuple(
            c if values is None else replace(c, rate_cv=values.get(c.iso3, 0.0))
            for c in resolved.countries))

    p = forecast.model_params(resolved)
    horizon = forecast.auto_horizon(resolved, p, resolved.deadline_months)

    def p10_p90(r: ResolvedScenario) -> tuple[float, float]:
        times = forecast.simulate_months_to_target(r, n_sims=n_sims, horizon_months=horizon)
        with np.errstate(invalid="ignore"):
            q = np.quantile(times, [0.1, 0.9])
        return tuple(float(v) if math.isfinite(v) else math.inf for v in q)  # type: ignore[return-value]

    return RateCvEffect(proposed, p10_p90(with_cv({})), p10_p90(with_cv(proposed)), horizon,
                        n_sims)


def rate_cv_text(effect: RateCvEffect, names: Mapping[str, str]) -> str:
    """The rate CV's effect in one markdown paragraph, as the page states it."""
    h = effect.horizon_months

    def span(q: tuple[float, float]) -> str:
        width = q[1] - q[0]
        wide = f" ({width:.1f} months wide)" if math.isfinite(width) else ""
        return f"{months_text(q[0], h)}-{months_text(q[1], h)} months{wide}"

    how = f"Monte Carlo, {effect.n_sims:,} simulated trials each, the same seed"
    if effect.proposed is None:
        return (f"**Rate uncertainty:** with the rate CVs in the table, the P10-P90 of the time "
                f"to target is {span(effect.with_cv)}; with the mean rates taken as known (CV "
                f"0) it would be {span(effect.without)}; {how}.")
    listed = ", ".join(f"{markdown_text(names.get(i, i))} {v:.2f}"
                       for i, v in effect.proposed.items())
    return (f"**Rate uncertainty:** every rate CV is 0, so the forecast takes the mean rates as "
            "known (an assumption: Poisson-gamma intervals are then too narrow, Mountain & "
            "Sherlock 2022). Proposed rate CVs, from Gajewski, Simon & Carlson's accrual prior "
            f"(Stat Med 2008) worth {PRIOR_CERTAINTY:.0%} of the target (1/√({PRIOR_CERTAINTY:g}"
            f" × the patients a country is expected to recruit)): {listed}. With them the "
            f"P10-P90 of the time to target widens from {span(effect.without)} to "
            f"{span(effect.with_cv)}; {how}.")


def rows_with_rate_cv(rows: pd.DataFrame, proposed: Mapping[str, float]) -> pd.DataFrame:
    """The country table with the proposed rate CVs in the rows whose CV is empty or 0
    (rounded to 0.01; a CV the user typed is kept)."""
    out = rows.copy()
    for i, iso3 in enumerate(out["iso3"]):
        current = _cell(out.at[i, "rate_cv"]) if "rate_cv" in out else None
        if isinstance(iso3, str) and iso3 in proposed and not current:
            out.at[i, "rate_cv"] = round(float(proposed[iso3]), 2)
    return out


def contributions_table(
    result: ForecastResult, resolved: ResolvedScenario, names: Mapping[str, str]
) -> pd.DataFrame:
    """Per country: sites, expected patients at the median time, share, pool cap and the
    patients' cost (randomised patients x cost per randomised patient; the whole expected
    cost is :func:`cost_table`'s).

    Cost columns appear only when some country has a cost per patient.
    """
    total = sum(result.patients_at_p50.values())
    with_cost = any(c.cost_per_patient is not None for c in resolved.countries)
    rows = []
    for c in resolved.countries:
        patients = float(result.patients_at_p50.get(c.iso3, 0.0))
        row: dict[str, Any] = {
            "Country": names.get(c.iso3, c.iso3),
            "ISO3": c.iso3,
            "Sites": c.sites,
            "Expected patients at P50": round(patients, 1),
            "Share [%]": round(100 * patients / total, 1) if total > 0 else 0.0,
            "Pool cap [patients]": c.pool_cap,
            "Pool cap binds": "yes" if c.iso3 in result.capped_countries else "no",
        }
        if with_cost:
            cost = result.cost_by_country.get(c.iso3)
            row["Cost per patient"] = c.cost_per_patient
            row["Patient cost at P50"] = None if cost is None else round(float(cost), 0)
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["Pool cap [patients]"] = pd.to_numeric(
        frame["Pool cap [patients]"], errors="coerce"
    ).astype(float)
    return frame


def comparison_table(comparison: Comparison,
                     resolved: Sequence[ResolvedScenario] | None = None) -> pd.DataFrame:
    """The comparison summary with display labels (one row per scenario); a missing
    deadline, chance or cost reads "—". With the compared scenarios (``resolved``, in
    order) the cost is the expected cost to each one's P50 (:func:`plan_cost`: start-up,
    site months and patients), else the patients' cost at P50."""
    s = comparison.summary
    costs = (s["total_cost_at_p50"] if resolved is None else
             [plan_cost(r, f).total for r, f in zip(resolved, comparison.results, strict=True)])
    return pd.DataFrame(
        {
            "Scenario": s["scenario"],
            "Countries": s["countries"],
            "Sites": s["sites"],
            "Target patients": s["target_patients"],
            "P10 [months]": s["p10_months"].round(1),
            "P50 [months]": s["p50_months"].round(1),
            "P90 [months]": s["p90_months"].round(1),
            "Deadline [months]": [MISSING if is_missing(v) else f"{v:g}" for v in
                                  pd.to_numeric(s["deadline_months"], errors="coerce")],
            "P(by deadline)": [MISSING if is_missing(v) else f"{v:.0%}" for v in
                               pd.to_numeric(s["prob_by_deadline"], errors="coerce")],
            "Expected cost to P50": [money_text(v) for v in
                                     pd.to_numeric(pd.Series(costs, dtype=object),
                                                   errors="coerce")],
            "Warnings": s["warnings"],
        }
    )


def compare_problem(selected: Sequence[str]) -> str | None:
    """Why a selection cannot be compared (None when it can)."""
    if len(selected) > MAX_COMPARE:
        extra = len(selected) - MAX_COMPARE
        return (
            f"Compare takes at most {MAX_COMPARE} scenarios side by side; "
            f"{len(selected)} are selected. Remove {extra} to compare."
        )
    return None


# --- Optimiser -----------------------------------------------------------------------------------
def optimiser_steps(result: OptimiseResult, names: Mapping[str, str]) -> pd.DataFrame:
    """The explanation of the proposal: one row per added site and its marginal gain."""
    steps = result.explanation()
    gain = steps["gain_months"].astype(float)
    reachable = ~np.isfinite(gain)
    return pd.DataFrame(
        {
            "Step": steps["step"].astype(int),
            "Country": [names.get(i, i) for i in steps["iso3"]],
            "ISO3": steps["iso3"],
            "Sites there after": steps["sites_after"].astype(int),
            "Total sites after": steps["total_sites_after"].astype(int),
            f"P{100 * result.level:g} before [months]": steps["months_before"].astype(float)
            .where(lambda v: np.isfinite(v)).round(2),
            f"P{100 * result.level:g} after [months]": steps["months_after"].astype(float)
            .where(lambda v: np.isfinite(v)).round(2),
            "Gain [months]": gain.where(~reachable).round(3),
            "Note": np.where(reachable, "target not yet reachable within the horizon", ""),
        }
    )


def optimiser_metrics(result: OptimiseResult) -> list[tuple[str, str, str]]:
    """(label, value, help) of what the proposal's own Monte Carlo says: its chance of
    reaching the target by the deadline (against the confidence asked), its P10-P90 and its
    expected cost to its P50 ("—" when a cost component is missing)."""
    confirmed = result.confirmed
    if confirmed is None:
        return []
    h = confirmed.horizon_months
    out = []
    if result.prob_by_deadline is not None and result.deadline_months is not None:
        asked = ("" if result.confidence is None
                 else f" The goal asked for at least {result.confidence:.0%}.")
        out.append((f"P(target by {result.deadline_months:g} months), proposal",
                    f"{result.prob_by_deadline:.0%}",
                    f"Monte Carlo, {confirmed.n_sims:,} simulated trials, the scenario's "
                    f"seed.{asked}"))
    out.append(("P10-P90 with the proposal [months]",
                f"{months_text(confirmed.p10, h)}-{months_text(confirmed.p90, h)}",
                "Monte Carlo: 1 in 10 simulated trials reach the target by the first, 9 in 10 "
                "by the second."))
    cost = result.cost
    if cost is not None and (cost.total is not None or cost.not_counted):
        notes = "; ".join(cost.not_counted)
        out.append(("Expected cost to its P50", money_text(cost.total),
                    "Site start-up + site months open + randomised patients up to the "
                    f"proposal's median time ({cost.at_months:.1f} months)"
                    + (f"; {notes}" if notes else "") + "."))
    return out


def optimiser_summary(
    result: OptimiseResult, before: ResolvedScenario, names: Mapping[str, str]
) -> pd.DataFrame:
    """Per country: sites before, proposed, added and the cap the optimiser respected."""
    start = {c.iso3: c.sites for c in before.countries}
    return pd.DataFrame(
        [
            {
                "Country": names.get(c.iso3, c.iso3),
                "ISO3": c.iso3,
                "Sites now": start[c.iso3],
                "Proposed": c.sites,
                "Added": c.sites - start[c.iso3],
                "Cap (max sites)": c.max_sites,
            }
            for c in result.proposal.countries
        ]
    ).astype({"Cap (max sites)": "Int64"})


# --- Uploaded site lists -------------------------------------------------------------------------
def site_counts_table(located: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Sites per country in an uploaded, located site list, most sites first.

    Parameters
    ----------
    located : pandas.DataFrame
        From :func:`footprint.io.site_lists.locate`.
    names : mapping of str to str
        iso3 -> country name.
    """
    counts = count_per_country(located)
    if counts.empty:
        return pd.DataFrame(columns=["ISO3", "Country", "Sites", "Mean historic rate"])
    counts = counts.sort_values(["sites", "iso3"], ascending=[False, True], kind="stable")
    return pd.DataFrame(
        {
            "ISO3": counts["iso3"].astype(str),
            "Country": [names.get(i, i) for i in counts["iso3"]],
            "Sites": counts["sites"].astype(int),
            "Mean historic rate": counts["mean_historic_rate"].astype(float).round(3),
        }
    ).reset_index(drop=True)


def site_list_issues(located: pd.DataFrame) -> list[str]:
    """Sites whose code and coordinates disagree, and sites no country could be found for."""
    issues = []
    for row_no, site in enumerate(located.to_dict(orient="records"), start=1):
        name = site.get("site_name")
        if bool(site.get("mismatch")):
            issues.append(
                f"row {row_no} ({name}): given country {site['country']} but the coordinates "
                f"fall in {site['located_country']}; counted in {site['country']}"
            )
        elif _cell(site.get("iso3")) is None:
            issues.append(
                f"row {row_no} ({name}): the coordinates fall in no mapped country "
                "(at sea or swapped latitude/longitude?); not counted"
            )
    return issues


def site_plan_table(sites: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The listed sites of a plan, one row each, by country then name.

    Parameters
    ----------
    sites : pandas.DataFrame
        From :func:`footprint.io.site_lists.sites_frame`.
    names : mapping of str to str
        iso3 -> country name.
    """
    frame = sites.sort_values(["iso3", "site_name"], kind="stable")
    return pd.DataFrame({
        "Site": frame["site_name"].astype(str),
        "City": frame["city"],
        "Country": [names.get(i, i) for i in frame["iso3"]],
        "Historic rate [patients/site/month]": frame["historic_rate"].astype(float),
        "Latitude": frame["latitude"].astype(float).round(4),
        "Longitude": frame["longitude"].astype(float).round(4),
    }).reset_index(drop=True)


def rows_with_site_counts(
    rows: pd.DataFrame, counts: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """The country table re-planned from a site list: one row per listed country.

    Countries already in the table keep their place and their overrides and get the listed
    number of sites (new countries follow, most sites first);
    a new country gets the list's mean historic rate (if any) as its rate. Countries not in
    the list are dropped. A ``max_sites`` below the new count is raised to it.

    Parameters
    ----------
    rows : pandas.DataFrame
        The current table (:data:`EDITOR_COLUMNS`).
    counts : pandas.DataFrame
        From :func:`site_counts_table`.

    Returns
    -------
    (pandas.DataFrame, list of str)
        The new table and what changed, in words.
    """
    current: dict[str, dict[str, Any]] = {}
    for record in rows.to_dict(orient="records"):
        iso3 = _cell(record.get("iso3"))
        if isinstance(iso3, str) and iso3 not in current:
            current[iso3] = {col: _cell(record.get(col)) for col in EDITOR_COLUMNS}
    listed = [str(i) for i in counts["ISO3"]]
    notes = [f"{iso3}: not in the site list, removed" for iso3 in current if iso3 not in listed]
    by_code = {str(row["ISO3"]): row for row in counts.to_dict(orient="records")}
    order = [i for i in current if i in by_code] + [i for i in by_code if i not in current]
    out = []
    for iso3 in order:
        row = by_code[iso3]
        n = int(row["Sites"])
        record = dict(current.get(iso3) or {col: None for col in EDITOR_COLUMNS})
        record["iso3"], record["sites"] = iso3, n
        rate = _cell(row.get("Mean historic rate"))
        if iso3 not in current and rate is not None:
            record["rate"] = float(rate)
            notes.append(f"{iso3}: rate {float(rate):g} from the list's historic rates")
        max_sites = _as_int(record.get("max_sites"))
        if isinstance(max_sites, int) and max_sites < n:
            record["max_sites"] = n
            notes.append(f"{iso3}: max sites raised from {max_sites} to {n}")
        out.append(record)
    frame = pd.DataFrame(out, columns=list(EDITOR_COLUMNS))
    table = editor_frame(None)
    result = pd.concat([table, frame], ignore_index=True) if out else table
    for col in EDITOR_COLUMNS[1:]:
        result[col] = pd.to_numeric(result[col], errors="coerce")
        result[col] = result[col].astype("Int64" if col in _INT_COLUMNS else float)
    result["iso3"] = result["iso3"].astype(object)
    return result, notes


def site_map(
    located: pd.DataFrame, shapes: pd.DataFrame | None = None, *, width_px: int = 480,
    height_px: int = 320,
) -> pdk.Deck | None:
    """A small offline map of the sites with coordinates over the outlines of their countries,
    framed on the sites (at least 4 degrees across).

    Parameters
    ----------
    located : pandas.DataFrame
        From :func:`footprint.io.site_lists.locate`.
    shapes : geopandas.GeoDataFrame, optional
        Country shapes with ``iso3`` and ``geometry``; drawn simplified for the listed countries.
    width_px, height_px : int
        Map size, used to frame the sites [px].

    Returns
    -------
    pydeck.Deck or None
        None when no site has coordinates.
    """
    points = located.dropna(subset=["latitude", "longitude"])
    if points.empty:
        return None
    records = [
        {
            "name": str(r["site_name"]),
            "iso3": "" if _cell(r.get("iso3")) is None else str(r["iso3"]),
            "longitude": round(float(r["longitude"]), 4),
            "latitude": round(float(r["latitude"]), 4),
        }
        for r in points.to_dict(orient="records")
    ]
    layers = []
    if shapes is not None:
        codes = set(located["iso3"].dropna().astype(str))
        outline = shapes[shapes["iso3"].isin(codes)][["iso3", "geometry"]].copy()
        if not outline.empty:
            outline["geometry"] = outline.geometry.simplify(0.05, preserve_topology=True)
            layers.append(
                pdk.Layer(
                    "GeoJsonLayer", id="site_countries", data=json.loads(outline.to_json()),
                    stroked=True, filled=True, get_fill_color=[220, 226, 235, 160],
                    get_line_color=[90, 100, 120, 220], line_width_min_pixels=1,
                    pickable=False,
                )
            )
    layers.append(
        pdk.Layer(
            "ScatterplotLayer", id="sites", data=records,
            get_position=["longitude", "latitude"], get_radius=4,
            radius_units="pixels", get_fill_color=[213, 94, 0, 220],
            get_line_color=[255, 255, 255], line_width_min_pixels=1, stroked=True,
            pickable=True,
        )
    )
    lon, lat = points["longitude"].astype(float), points["latitude"].astype(float)
    view = view_for_bounds((lon.min(), lat.min(), lon.max(), lat.max()), width_px, height_px,
                           padding=1.3, min_span_deg=4.0, min_zoom=0.0)
    # map_style stays at pydeck's sentinel: with no provider, Streamlit draws no base map
    # (map_style=None would make it fetch one from the network).
    return pdk.Deck(
        layers=layers, initial_view_state=view, map_provider=None,
        tooltip={"text": "{name} ({iso3})"}, height=height_px,
    )


# --- Text -------------------------------------------------------------------------------------
_MARKDOWN_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|$~:&])")


def markdown_text(text: str) -> str:
    """A plain text (a user's scenario or file name) for a markdown message: every markdown
    character escaped, so it shows as typed and never as markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def markdown_list(items: Sequence[str]) -> str:
    """A markdown bullet list of plain texts, every markdown character escaped."""
    return "\n".join("- " + markdown_text(item) for item in items)


def safe_text(value: str, limit: int = 60) -> str:
    """A value from a link, shown back safely: letters, digits and a few punctuation marks."""
    kept = re.sub(r"[^\w .,()'-]", "", str(value))[:limit]
    return kept + ("…" if len(str(value)) > limit else "")


def file_stem(name: str) -> str:
    """A file-name-safe slug of a scenario name (``scenario`` when nothing is left)."""
    return slug(name)[:60] or "scenario"


# --- The Excel report -------------------------------------------------------------------------
XLSX_MIME: Final = report_xlsx.XLSX_MIME


def report_file_name(names: Sequence[str]) -> str:
    """The Excel report's file name: the scenario's name, or the compared scenarios' names."""
    if len(names) == 1:
        return f"{file_stem(names[0])}-report.xlsx"
    return (f"comparison-of-{len(names)}-"
            + "-vs-".join(file_stem(n)[:24] for n in names) + ".xlsx")


def workbook_builder(resolved: Sequence[ResolvedScenario], *, eligibility: float,
                     activation: float, frame: pd.DataFrame, sources: pd.DataFrame,
                     n_sims: int, result: ForecastResult | None = None,
                     comparison: Comparison | None = None) -> Callable[[], bytes]:
    """The Excel report (:mod:`footprint.io.report_xlsx`) to build when it is downloaded:
    a comparison of ``resolved``, or its one scenario with ``result`` (the forecast shown;
    when none is, one is run then, as *Run forecast* runs it).

    Parameters
    ----------
    resolved : the scenarios with every value filled in.
    eligibility : eligible share of diagnosed patients [0-1].
    activation : site activation after approval [days].
    frame : :func:`footprint.model.scoring.country_frame` of their indication.
    sources : :func:`footprint.data.atlas.data_sources`.
    n_sims : simulated trials of a forecast run for the report.
    """
    meta = ReportMeta(eligibility_share=eligibility, site_activation_days=activation)

    def build() -> bytes:
        if comparison is not None:
            return report_xlsx.comparison_workbook(resolved, comparison, meta, frame=frame,
                                                   sources=sources)
        shown = result if result is not None else forecast.forecast(resolved[0], n_sims=n_sims)
        return report_xlsx.scenario_workbook(resolved[0], shown, meta, frame=frame,
                                             sources=sources)

    return build



# --- The workspace store ----------------------------------------------------------------------
TAB_PREFIX: Final = "tab:"
"""How a reference names a scenario kept only in the browser tab (a store id has no ':')."""

_LINE_BREAKS: Final = re.compile(r"[\x00-\x1f\x7f]+")


def tab_ref(name: str) -> str:
    """The reference of a scenario kept only in this browser tab."""
    return TAB_PREFIX + name


def store_ref(item_id: str, version: int | None = None) -> str:
    """The reference of a stored scenario: its latest version, or ``version``."""
    return item_id if version is None else f"{item_id}@{version}"


def parse_ref(ref: str) -> tuple[str, int | None] | str:
    """A stored scenario's (id, version or None) from :func:`store_ref`, or a tab scenario's
    name from :func:`tab_ref`."""
    if ref.startswith(TAB_PREFIX):
        return ref[len(TAB_PREFIX):]
    item_id, _, version = ref.partition("@")
    return item_id, int(version) if version else None


def saved_text(info: VersionInfo) -> str:
    """When a version was saved, to the minute: ``2026-05-01 14:03 UTC``."""
    return info.saved_at.strftime("%Y-%m-%d %H:%M UTC")


def _short(text: str, limit: int = 60) -> str:
    line = _LINE_BREAKS.sub(" ", text).strip()
    return line if len(line) <= limit else line[:limit - 1] + "…"


def stored_label(info: VersionInfo) -> str:
    """A stored scenario as a choice: ``name · v3 · author · time`` (``private`` when so)."""
    parts = [info.name, f"v{info.version}", info.author, saved_text(info)]
    return " · ".join(parts + (["private"] if info.visibility == "private" else []))


def version_label(info: VersionInfo) -> str:
    """One version as a choice: ``v2 · author · time · note``."""
    parts = [f"v{info.version}", info.author, saved_text(info)]
    return " · ".join(parts + ([_short(info.note)] if info.note.strip() else []))


def stored_table(listing: Sequence[VersionInfo]) -> pd.DataFrame:
    """The stored scenarios open to the user, newest first: name, latest version, author,
    time, note and who sees each."""
    return pd.DataFrame({
        "Scenario": [i.name for i in listing],
        "Versions": [i.latest for i in listing],
        "Last saved by": [i.author for i in listing],
        "Saved": [saved_text(i) for i in listing],
        "Note": [_short(i.note, 120) for i in listing],
        "Seen by": ["the team" if i.visibility == "team" else f"{i.owner_name} only"
                    for i in listing],
    }, columns=["Scenario", "Versions", "Last saved by", "Saved", "Note", "Seen by"])


def principal_of(claims: Mapping[str, Any]) -> Principal | None:
    """Who is signed in, from the identity provider's claims (Streamlit's ``st.user``).

    The id is the provider's stable subject ``sub`` (else the e-mail address); the name shown
    as author is ``name``, else the e-mail, else the subject, on one line and at most
    MAX_NAME_LENGTH characters. None without a subject (not signed in).
    """
    subject = claims.get("sub") or claims.get("email")
    if not isinstance(subject, str) or not subject.strip():
        return None
    name = next((v for v in (claims.get("name"), claims.get("email"))
                 if isinstance(v, str) and _short(v)), subject)
    return Principal(subject, _short(name, MAX_NAME_LENGTH))
