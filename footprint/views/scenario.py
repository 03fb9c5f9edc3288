"""What the Scenario builder page shows, computed without Streamlit.

The page reads its widgets and calls these helpers: build a :class:`~footprint.scenario.Scenario`
from the header fields and the country table, read an uploaded scenario file, merge an uploaded
site list into the table, label where every resolved model input comes from, and turn forecasts,
comparisons and optimiser proposals into display tables and charts.

Every function here is pure (no I/O beyond reading the shipped example scenario).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import altair as alt
import numpy as np
import pandas as pd
import pydeck as pdk

from footprint.assumptions import DEFAULT_STARTUP_WEEKS, MAX_APP_SEED, MAX_COMPARE, STARTUP_CV
from footprint.enrollment import forecast as fc
from footprint.enrollment import planning, scenario
from footprint.enrollment.planning import DEFAULT_WINDOW_MONTHS
from footprint.enrollment.scenario import (
    CountryPlan,
    ResolvedScenario,
    Scenario,
    ScenarioError,
    scenario_from_dict,
    scenario_from_json,
    scenarios_from_csv,
)
from footprint.io.uploads import UploadError, decode
from footprint.model import friction, pool
from footprint.paths import EXAMPLES_DIR

EXAMPLE_PATH: Final = (
    EXAMPLES_DIR / "scenario_latam_hypertension.json"
)
"""The shipped example, the page's starting scenario."""


SIMS_CHOICES: Final = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)
"""Simulated trials the page offers; the default is :data:`footprint.forecast.DEFAULT_N_SIMS`."""

EDITOR_COLUMNS: Final = scenario.CSV_COUNTRY_COLUMNS  # the per-country fields, in order
_INT_COLUMNS: Final = frozenset({"sites", "max_sites"})

FIELD_LABELS: Final[dict[str, str]] = {
    "name": "Scenario name",
    "indication": "Indication",
    "target_patients": "Target patients",
    "seed": "Seed",
    "deadline_months": "Deadline",
    "schema_version": "Format version",
    "countries": "Countries",
    "iso3": "Country",
    "sites": "Sites",
    "rate": "Rate",
    "rate_shape": "Rate shape",
    "startup_days": "Start-up",
    "startup_sd_days": "Start-up sd",
    "never_activate_share": "Never-activate share",
    "cost_per_patient": "Cost per patient",
    "max_sites": "Max sites",
}


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
    """

    name: str
    indication: str
    target_patients: int
    deadline_months: float | None = None
    seed: int = 0


def default_scenario() -> Scenario:
    """The shipped LatAm hypertension example (``examples/``)."""
    return scenario_from_json(EXAMPLE_PATH.read_text(encoding="utf-8"))


def header_of(s: Scenario) -> Header:
    """The header fields of a scenario."""
    return Header(s.name, s.indication, s.target_patients, s.deadline_months, s.seed)


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


_COUNTRY_PATH: Final = re.compile(r"^countries\[(\d+)\](?:\.(\w+))?: (.*)$", re.S)
_TOP_PATH: Final = re.compile(r"^(\w+): (.*)$", re.S)
_COUNTRY_REF: Final = re.compile(r"countries\[(\d+)\]")


def _relabel(problem: str, rows: Sequence[str]) -> str:
    """``countries[1].sites: ...`` -> ``row 2 (MEX), Sites: ...``; top-level paths get labels."""
    def row(index: int) -> str:
        return rows[index] if index < len(rows) else f"row {index + 1}"

    match = _COUNTRY_PATH.match(problem)
    if match:
        index, field = int(match.group(1)), match.group(2)
        message = _COUNTRY_REF.sub(lambda m: row(int(m.group(1))), match.group(3))
        where = row(index)
        label = FIELD_LABELS.get(field, field) if field else ""
        return f"{where}, {label}: {message}" if label else f"{where}: {message}"
    match = _TOP_PATH.match(problem)
    if match and match.group(1) in FIELD_LABELS:
        return f"{FIELD_LABELS[match.group(1)]}: {match.group(2)}"
    return problem


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
        "seed": _as_int(header.seed),
        "countries": countries,
    }
    if header.deadline_months is not None:
        data["deadline_months"] = float(header.deadline_months)
    try:
        return scenario_from_dict(
            data, valid_iso3=valid_iso3, valid_indications=valid_indications
        )
    except ScenarioError as exc:
        problems = [
            "Countries: add at least one country row"
            if p.startswith("countries: ") and not countries
            else _relabel(p, labels)
            for p in exc.problems
        ]
        raise ScenarioError(problems) from None


# --- Uploaded scenario files -------------------------------------------------------------------
_SITE_LIST_COLUMNS: Final = frozenset({"site_name", "site", "latitude", "lat", "longitude", "lon"})


def read_scenario_file(
    data: bytes,
    filename: str,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> tuple[Scenario, ...]:
    """Read an uploaded scenario: a JSON document or a CSV exported by this app.

    Parameters
    ----------
    data : bytes
        The file as uploaded.
    filename : str
        Its name; ``.json`` means JSON, ``.csv`` CSV, anything else is told by the content.
    valid_iso3, valid_indications : collection of str, optional
        Catalogues to check against.

    Returns
    -------
    tuple of Scenario
        One for JSON; one per ``scenario_no`` for CSV.

    Raises
    ------
    ScenarioError
        Empty, Excel, binary or undecodable files, malformed JSON/CSV and every validation
        problem with its field path. Nothing is returned unless the whole file is valid.
    """
    try:
        text = decode(data)
    except UploadError as exc:
        raise ScenarioError([f"{filename}: {exc}"]) from None
    suffix = Path(filename).suffix.lower()
    head = text.lstrip()
    as_json = suffix == ".json" or (suffix != ".csv" and head.startswith(("{", "[")))
    if as_json:
        try:
            scenarios: tuple[Scenario, ...] = (
                scenario_from_json(
                    text, valid_iso3=valid_iso3, valid_indications=valid_indications
                ),
            )
        except RecursionError:
            raise ScenarioError(
                [f"{filename}: (json): nested too deeply to be a scenario"]
            ) from None
    else:
        try:
            scenarios = tuple(
                scenarios_from_csv(
                    text, valid_iso3=valid_iso3, valid_indications=valid_indications
                )
            )
        except ScenarioError as exc:
            first_line = head.splitlines()[0] if head else ""
            columns = {c.strip().strip('"').lower() for c in re.split(r"[,;\t|]", first_line)}
            if columns & _SITE_LIST_COLUMNS:
                raise ScenarioError(
                    [*exc.problems, "this looks like a site list: upload it under 'Site list'"]
                ) from None
            raise
    too_big = [s.name for s in scenarios if s.seed > MAX_APP_SEED]
    if too_big:
        raise ScenarioError(
            [f"seed: at most {MAX_APP_SEED} in the app (scenario {name!r})" for name in too_big]
        )
    return scenarios


# --- Resolved inputs and where they come from ------------------------------------------------
DEFAULT_NOTES: Final[dict[str, str]] = {
    "rate": "default · PLOS ONE 2022",
    "rate_shape": "default · assumption",
    "never_activate_share": "default · industry quote",
    "startup_days": "default · industry mean",
    "startup_sd_days": "default · 30 % of mean",
    "cost_per_patient": "not given",
    "max_sites": "no cap",
    "pool_cap": "no estimate · uncapped",
}
"""Short labels of the defaults; :data:`DEFAULTS_LEGEND` spells them out."""

DEFAULTS_LEGEND: Final = (
    f"Defaults: rate {scenario.DEFAULT_RATE:g} patients/site/month, the middle of the industry "
    "phase III median 0.4-0.8 (PLOS ONE 2022, pone.0271819); rate shape "
    f"{scenario.DEFAULT_RATE_SHAPE:g} (typically 1.2-4, an assumption); "
    f"{scenario.DEFAULT_NEVER_ACTIVATE_SHARE:.0%} of selected sites never open (industry "
    f"quote); start-up {DEFAULT_STARTUP_WEEKS:g} weeks (industry mean) where the model "
    f"has no value, sd {STARTUP_CV:.0%} of the mean (an assumption). "
    "Model: start-up = observed start-up, or approval + site activation; pool cap = eligible "
    "patients of the patient funnel."
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
        A :class:`~footprint.scenario.ResolvedCountry` field with a source.
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
                "Cost per patient": c.cost_per_patient,
                "Cost from": label("cost_per_patient"),
                "Max sites": c.max_sites,
                "Eligible pool cap [patients]": c.pool_cap,
                "Pool cap from": label("pool_cap"),
            }
        )
    frame = pd.DataFrame(rows)
    for col in ("Cost per patient", "Eligible pool cap [patients]"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame["Max sites"] = frame["Max sites"].astype("Int64")
    return frame


# --- Forecast display ----------------------------------------------------------------------------
def months_text(value: float, horizon_months: int) -> str:
    """A time to target [months]: ``"24.8"``, or ``"> 56"`` when not reached in the horizon."""
    if math.isfinite(value):
        return f"{value:.1f}"
    return f"> {horizon_months}"


def forecast_metrics(result: fc.ForecastResult) -> list[tuple[str, str, str]]:
    """(label, value, help) of the headline figures: P10/P50/P90 and P(by the deadline)."""
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
        out.append(("P(target by deadline)", "—", "Set a deadline to see it."))
    else:
        out.append(
            (
                f"P(target by {result.deadline_months:g} months)",
                f"{result.prob_by_deadline:.0%}",
                "Share of simulated trials that reach the target by the deadline.",
            )
        )
    if result.total_cost_at_p50 is not None:
        out.append(
            ("Cost at P50", f"{result.total_cost_at_p50:,.0f}",
             "Expected patients at the median time x cost per patient, summed.")
        )
    return out


def contributions_table(
    result: fc.ForecastResult, resolved: ResolvedScenario, names: Mapping[str, str]
) -> pd.DataFrame:
    """Per country: sites, expected patients at the median time, share, pool cap and cost.

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
            row["Cost at P50"] = None if cost is None else round(float(cost), 0)
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["Pool cap [patients]"] = pd.to_numeric(
        frame["Pool cap [patients]"], errors="coerce"
    ).astype(float)
    return frame


def _band_layers(data: pd.DataFrame, tooltip: list[Any], color: str = "#1f77b4",
                 by: str | None = None) -> alt.TopLevelMixin:
    """The P10-P90 area and the median line, in one colour or one colour per ``by`` value."""
    x = alt.X("month:Q", title="Months from start",
              scale=alt.Scale(domain=[0, int(data["month"].max())], nice=False))
    y = alt.Y("p10:Q", title="Patients randomised (cumulative)")
    base = alt.Chart(data)
    if by is not None:
        colour = alt.Color(f"{by}:N", title=by.capitalize())
        band = base.mark_area(opacity=0.18).encode(x=x, y=y, y2="p90:Q", color=colour)
        line = base.mark_line(strokeWidth=2.5).encode(x=x, y="p50:Q", color=colour,
                                                      tooltip=tooltip)
    else:
        band = base.mark_area(opacity=0.22, color=color).encode(x=x, y=y, y2="p90:Q")
        line = base.mark_line(strokeWidth=2.5, color=color).encode(x=x, y="p50:Q",
                                                                   tooltip=tooltip)
    return alt.layer(band, line)


def curve_chart(result: fc.ForecastResult) -> alt.TopLevelMixin:
    """Cumulative patients by month: the P10-P90 band, the median line, target and deadline."""
    data = result.curve_frame()
    tooltip = [
        alt.Tooltip("month:Q", title="Month"),
        alt.Tooltip("p10:Q", title="P10", format=",.0f"),
        alt.Tooltip("p50:Q", title="P50", format=",.0f"),
        alt.Tooltip("p90:Q", title="P90", format=",.0f"),
    ]
    layers: list[Any] = [_band_layers(data, tooltip, color="#1f77b4")]
    target = pd.DataFrame({"target": [result.target_patients]})
    layers.append(
        alt.Chart(target).mark_rule(color="#d62728", strokeDash=[6, 4]).encode(y="target:Q")
    )
    if result.deadline_months is not None:
        deadline = pd.DataFrame({"deadline": [result.deadline_months]})
        layers.append(
            alt.Chart(deadline).mark_rule(color="#555555", strokeDash=[2, 3]).encode(
                x="deadline:Q"
            )
        )
    return alt.layer(*layers).properties(height=320)


def comparison_table(comparison: planning.Comparison) -> pd.DataFrame:
    """The comparison summary with display labels (one row per scenario)."""
    s = comparison.summary
    return pd.DataFrame(
        {
            "Scenario": s["scenario"],
            "Countries": s["countries"],
            "Sites": s["sites"],
            "Target patients": s["target_patients"],
            "P10 [months]": s["p10_months"].round(1),
            "P50 [months]": s["p50_months"].round(1),
            "P90 [months]": s["p90_months"].round(1),
            "Deadline [months]": pd.to_numeric(s["deadline_months"], errors="coerce"),
            "P(by deadline) [%]": (
                pd.to_numeric(s["prob_by_deadline"], errors="coerce") * 100
            ).round(0),
            "Cost at P50": pd.to_numeric(s["total_cost_at_p50"], errors="coerce").round(0),
            "Warnings": s["warnings"],
        }
    )


def comparison_chart(comparison: planning.Comparison) -> alt.TopLevelMixin:
    """The compared scenarios' curves: one colour each, P10-P90 band and median line."""
    tooltip = [
        alt.Tooltip("scenario:N", title="Scenario"),
        alt.Tooltip("month:Q", title="Month"),
        alt.Tooltip("p50:Q", title="P50", format=",.0f"),
    ]
    return _band_layers(comparison.curves, tooltip, by="scenario").properties(height=320)


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
GOAL_DEADLINE: Final = "deadline"
GOAL_BUDGET: Final = "budget"
GOALS: Final = (GOAL_DEADLINE, GOAL_BUDGET)


def optimiser_base(resolved: ResolvedScenario, from_zero: bool) -> ResolvedScenario:
    """The starting point of the optimiser: the plan as is, or every country at 0 sites."""
    if not from_zero:
        return resolved
    return resolved.with_sites({c.iso3: 0 for c in resolved.countries})


def propose(
    resolved: ResolvedScenario,
    goal: str,
    *,
    deadline_months: float | None = None,
    max_total_sites: int | None = None,
    from_zero: bool = False,
    n_sims: int = fc.DEFAULT_N_SIMS,
) -> planning.OptimiseResult:
    """Run the greedy site optimiser among the scenario's countries, capped by ``max_sites``.

    Parameters
    ----------
    resolved : ResolvedScenario
    goal : str
        ``"deadline"`` (fewest sites whose P50 meets ``deadline_months``) or ``"budget"``
        (lowest P50 with at most ``max_total_sites``).
    deadline_months : float, optional
        [months]
    max_total_sites : int, optional
        [sites]
    from_zero : bool
        Start every country at 0 sites instead of adding to the current plan.
    n_sims : int
        Simulated trials of the Monte Carlo confirmation.

    Raises
    ------
    ValueError
        Unknown goal (listing the allowed ones) or the goal's input missing.
    """
    if goal not in GOALS:
        raise ValueError(f"unknown goal {goal!r}; allowed: {', '.join(GOALS)}")
    base = optimiser_base(resolved, from_zero)
    if goal == GOAL_DEADLINE:
        if deadline_months is None:
            raise ValueError("the deadline goal needs a deadline")
        return planning.optimise(base, deadline_months=deadline_months, n_sims=n_sims)
    if max_total_sites is None:
        raise ValueError("the budget goal needs a total number of sites")
    return planning.optimise(base, max_total_sites=int(max_total_sites), n_sims=n_sims)


def optimiser_steps(result: planning.OptimiseResult, names: Mapping[str, str]) -> pd.DataFrame:
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
            "P50 before [months]": steps["p50_before"].astype(float)
            .where(lambda v: np.isfinite(v)).round(2),
            "P50 after [months]": steps["p50_after"].astype(float)
            .where(lambda v: np.isfinite(v)).round(2),
            "Gain [months]": gain.where(~reachable).round(3),
            "Note": np.where(reachable, "target not yet reachable within the horizon", ""),
        }
    )


def optimiser_summary(
    result: planning.OptimiseResult, before: ResolvedScenario, names: Mapping[str, str]
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
        From :func:`footprint.site_lists.locate`.
    names : mapping of str to str
        iso3 -> country name.
    """
    known = located.dropna(subset=["iso3"])
    if known.empty:
        return pd.DataFrame(columns=["ISO3", "Country", "Sites", "Mean historic rate"])
    counts = (
        known.groupby("iso3", sort=False)
        .agg(sites=("site_name", "size"), rate=("historic_rate", "mean"))
        .reset_index()
        .sort_values(["sites", "iso3"], ascending=[False, True], kind="stable")
    )
    return pd.DataFrame(
        {
            "ISO3": counts["iso3"].astype(str),
            "Country": [names.get(i, i) for i in counts["iso3"]],
            "Sites": counts["sites"].astype(int),
            "Mean historic rate": counts["rate"].astype(float).round(3),
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


def _mercator_y(lat: pd.Series) -> np.ndarray:
    phi = np.radians(np.clip(lat.to_numpy(dtype=float), -85.0, 85.0))
    return np.log(np.tan(np.pi / 4 + phi / 2))


def _fit_view(lon: pd.Series, lat: pd.Series, width_px: int, height_px: int,
              pad: float = 1.3, min_span_deg: float = 4.0) -> pdk.ViewState:
    """The Web-Mercator view that shows every point with some margin.

    deck.gl draws the world 512 px wide at zoom 0: ``2**zoom * 512 / 360`` px per degree of
    longitude and ``2**zoom * 512 / (2 pi)`` px per unit of Mercator y.
    """
    y = _mercator_y(lat)
    span_lon = max(float(lon.max() - lon.min()) * pad, min_span_deg)
    span_y = max(float(y.max() - y.min()) * pad, np.radians(min_span_deg))
    zoom = min(math.log2(width_px * 360.0 / (512.0 * span_lon)),
               math.log2(height_px * 2 * math.pi / (512.0 * span_y)))
    centre_y = float((y.max() + y.min()) / 2)
    return pdk.ViewState(
        longitude=float((lon.max() + lon.min()) / 2),
        latitude=math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2),
        zoom=float(np.clip(zoom, 0.0, 7.0)),
    )


def site_map(
    located: pd.DataFrame, shapes: pd.DataFrame | None = None, *, width_px: int = 480,
    height_px: int = 320,
) -> pdk.Deck | None:
    """A small offline map of the sites with coordinates over the outlines of their countries.

    Parameters
    ----------
    located : pandas.DataFrame
        From :func:`footprint.site_lists.locate`.
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
    view = _fit_view(points["longitude"].astype(float), points["latitude"].astype(float),
                     width_px, height_px)
    # map_style stays at pydeck's sentinel: with no provider, Streamlit draws no base map
    # (map_style=None would make it fetch one from the network).
    return pdk.Deck(
        layers=layers, initial_view_state=view, map_provider=None,
        tooltip={"text": "{name} ({iso3})"}, height=height_px,
    )


# --- Text -------------------------------------------------------------------------------------
_MARKDOWN_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|$~:])")


def markdown_list(items: Sequence[str]) -> str:
    """A markdown bullet list of plain texts, every markdown character escaped."""
    return "\n".join("- " + _MARKDOWN_SPECIAL.sub(r"\\\1", str(item)) for item in items)


def safe_text(value: str, limit: int = 60) -> str:
    """A value from a link, shown back safely: letters, digits and a few punctuation marks."""
    kept = re.sub(r"[^\w .,()'-]", "", str(value))[:limit]
    return kept + ("…" if len(str(value)) > limit else "")


def file_stem(name: str) -> str:
    """A file-name-safe slug of a scenario name (``scenario`` when nothing is left)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
    return slug or "scenario"


# The defaults the page's assumption widgets start from (re-exported for the page).
DEFAULT_ELIGIBILITY_SHARE: Final = pool.DEFAULT_ELIGIBILITY_SHARE
DEFAULT_SITE_ACTIVATION_DAYS: Final = friction.DEFAULT_SITE_ACTIVATION_DAYS
