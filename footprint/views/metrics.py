"""What a map can show per country: source indicators, model scores and the trial landscape
as :class:`Metric`, with their values, labels and ranking order."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from footprint.assumptions import (
    DATA_AS_OF_YEAR,
    EXPERIENCE_SCORE_ANCHORS,
    FRICTION_WEIGHTS,
    GATE_PENALTY_POINTS,
    STALE_AFTER_YEARS,
    WAR_RISK_FLOOR,
)
from footprint.data import landscape
from footprint.model import infrastructure, pool, scoring
from footprint.views.format import COUNT_UNITS, source_label

MODEL_SOURCE = "Trial Footprint model"
# Indicators that read "higher is better": governance estimates (WGI) and capacity; prevalence
# and population figures are neutral (more patients is not a better country by itself).
BETTER_INDICATORS = frozenset({
    "WGI.RQ", "WGI.RL", "WGI.PV", "WGI.GE", "NY.GDP.PCAP.PP.CD", "SH.MED.BEDS.ZS",
    "SH.MED.PHYS.ZS", "LP.LPI.OVRL.XQ", "EG.ELC.ACCS.ZS", "SP.POP.SCIE.RD.P6", "IT.NET.USER.ZS",
    "IT.NET.BBND.P2", "IT.CEL.SETS.P2", "SP.DYN.LE00.IN",
})
# Model columns a map can show: (title, unit, ramp, higher_is_better, description).
_MODEL_METRICS: dict[str, tuple[str, str, str, bool, str]] = {
    "attractiveness": (
        "Attractiveness", "0-100", "good", True,
        "Weighted mean of the patient-pool score (reachable patients on a log scale: 0 at "
        "100, 100 at 10 million), "
        "100 - regulatory friction and 100 - infrastructure risk, with the weights set in "
        f"the sidebar; a gated country, when included, has {GATE_PENALTY_POINTS:g} points "
        "taken off."),
    "reachable_patients": (
        "Reachable patients", "patients", "good", True,
        "Patients in the indication's age band who are diagnosed, meet the eligibility share "
        "and live in cities (urban share): the patient-pool funnel's last step."),
    "friction_index": (
        "Regulatory friction", "0-100", "risk", False,
        "Approval time against a 180-day anchor, friction flags and World Bank regulatory "
        "quality and rule of law; higher means more friction."),
    "infrastructure_risk": (
        "Infrastructure risk", "0-100", "risk", False,
        "Mean risk of physicians, hospital beds, GDP per capita, logistics, electricity, "
        "researchers, articles, political stability and government effectiveness, each "
        "scored between documented anchors (Data & methods); a gated country (embargo, "
        f"sanctions or war) has at least {WAR_RISK_FLOOR:g}."),
    "dct_readiness": (
        "DCT readiness", "0-100", "good", True,
        "Decentralised-trial readiness: mean anchored score of internet users, fixed "
        "broadband and mobile subscriptions (Data & methods)."),
    "startup_days_mean": (
        "Expected start-up", "days", "risk", False,
        "Approval plus site activation, or an observed start-up range where sourced."),
}
# Trial-landscape columns a map can show (scoring.country_frame): (title, unit, ramp,
# higher_is_better, description); counts are neutral (more studies is not better by itself).
_LANDSCAPE_METRICS: dict[str, tuple[str, str, str, bool | None, str]] = {
    "studies": (
        "Registered studies", "studies", "good", None,
        "Studies registered in ClinicalTrials.gov with a location in the country (every kind "
        "and year since 1999; locations later removed from a record not counted)."),
    "studies_recent": (
        "Registered studies, last five years (estimate)", "studies", "good", None,
        "Of those, the studies registered from {window_from} to {window_to}: an estimate, each "
        "study dated by a monotone map from its NCT number to its registration date "
        "(median error {error:.0f} days)."),
    "studies_per_million": (
        "Registered studies per million people", "studies per million", "good", None,
        "Registered studies (all years) per million people (World Bank population, latest "
        "year)."),
    "multinational_share": (
        "Multinational share of studies", "%", "good", None,
        "Share of the country's registered studies that have locations in two or more "
        "countries."),
    "crowding": (
        "Crowding", "studies per 100,000 eligible patients", "risk", False,
        "Registered studies (all years, every indication) per 100,000 eligible patients of "
        "the indication: an indicator of competition for patients, not scored."),
    scoring.EXPERIENCE: (
        "Trial experience", "0-100", "good", True,
        "Registered studies per million people on a log scale (0 at {low:g}, 100 at {high:g}); "
        "a fourth score component when its weight is above 0."),
}
LANDSCAPE_PERCENT = frozenset({"multinational_share"})
"""Landscape columns held as a share [0-1] and shown as percent."""

# Components behind a model metric: (column counting the ones used, how many there are).
MODEL_COMPONENTS: dict[str, tuple[str, int]] = {
    "attractiveness": ("score_components_used", len(scoring.SCORES)),
    "friction_index": ("friction_components_used", len(FRICTION_WEIGHTS)),
    "infrastructure_risk": ("infrastructure_components_used",
                           len(infrastructure.RISK_COMPONENTS)),
    "dct_readiness": ("dct_components_used", len(infrastructure.DCT_COMPONENTS)),
}


@dataclass(frozen=True, slots=True)
class Metric:
    """One thing a map can show per country.

    Parameters
    ----------
    id : indicator code (``SP.POP.TOTL``) or model column (``attractiveness``).
    title, unit : display name and unit (``people``, ``0-100``).
    ramp : ``"good"`` or ``"risk"`` (a :data:`footprint.views.maps.SEQUENTIAL` ramp).
    higher_is_better : True/False orders rankings best first; None means neutral (highest
        first).
    source : short source label (``World Bank WDI``).
    kind : ``"indicator"`` (a source value), ``"model"`` (a score) or ``"landscape"`` (the
        trial landscape, a column of the scored frame like a score).
    description : one or two sentences for the page.
    """

    id: str
    title: str
    unit: str
    ramp: str = "good"
    higher_is_better: bool | None = None
    source: str = ""
    kind: str = "indicator"
    description: str = ""

    @property
    def label(self) -> str:
        """'Title [unit]' for selectors and column headers."""
        return f"{self.title} [{self.unit}]" if self.unit else self.title

    @property
    def short_title(self) -> str:
        """The title up to its first comma or bracket ('Population, total' -> 'Population'),
        for a narrow column header."""
        return re.split(r"[,(:]", self.title)[0].strip() or self.title


def indicator_metrics(catalogue: pd.DataFrame) -> dict[str, Metric]:
    """One :class:`Metric` per catalogued indicator (``atlas.indicator_catalogue``), by code
    (see :data:`BETTER_INDICATORS`)."""
    out = {}
    for code, row in catalogue.sort_values("title").iterrows():
        description = row.get("description")
        if not isinstance(description, str) or not description.strip():
            description = f"{row['title']} ({row['unit']})."
        out[str(code)] = Metric(
            id=str(code), title=str(row["title"]), unit=str(row["unit"]), ramp="good",
            higher_is_better=True if code in BETTER_INDICATORS else None,
            source=source_label(str(row["source_id"])), kind="indicator",
            description=_first_sentences(description, 2),
        )
    return out


def _first_sentences(text: str, n: int) -> str:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(parts[:n])


def model_metrics(indication: pool.Indication | None = None,
                  pool_source: str = "") -> dict[str, Metric]:
    """The model's scores as metrics, by column name (attractiveness first).

    The pool's unit follows the indication (incident indications count patients per year)
    and its source is the indication's prevalence source (``pool_source``).
    """
    out = {}
    for column, (title, unit, ramp, better, description) in _MODEL_METRICS.items():
        source = MODEL_SOURCE
        if column == "reachable_patients":
            if indication is not None and indication.unit == "incident_per_year":
                unit = "new patients per year"
            if indication is not None:
                title = f"Reachable patients: {indication.name}"
            if pool_source:
                source = f"{MODEL_SOURCE} on {pool_source}"
        out[column] = Metric(id=column, title=title, unit=unit, ramp=ramp,
                             higher_is_better=better, source=source, kind="model",
                             description=description)
    return out


def landscape_metrics(meta: pd.Series | None) -> dict[str, Metric]:
    """The trial landscape's columns as metrics, by column name; none when the landscape is
    unavailable (``meta`` is ``ModelInputs.landscape_meta``; :func:`landscape_unavailable`)."""
    if meta is None or not bool(meta["available"]):
        return {}
    low, high, _ = EXPERIENCE_SCORE_ANCHORS
    facts = {"window_from": f"{meta['window_from']:%Y-%m}", "window_to":
             f"{meta['window_to']:%Y-%m}", "error": float(meta["median_abs_error_days"]),
             "low": low, "high": high}
    return {column: Metric(id=column, title=title, unit=unit, ramp=ramp,
                           higher_is_better=better,
                           source=f"{MODEL_SOURCE} on {landscape.SOURCE}"
                           if column in ("crowding", scoring.EXPERIENCE) else landscape.SOURCE,
                           kind="landscape",
                           description=description.format(**facts) + " "
                           + landscape.UNDER_COUNT)
            for column, (title, unit, ramp, better, description) in _LANDSCAPE_METRICS.items()}


def landscape_unavailable(meta: pd.Series | None) -> str | None:
    """Why the trial landscape is not offered, in words; None when it is."""
    if meta is not None and bool(meta["available"]):
        return None
    reason = meta["reason"] if meta is not None else "the database has no landscape"
    return f"The trial landscape ({landscape.SOURCE}) is not available: {reason}"


def metric_choices(model: Mapping[str, Metric], indicators: Mapping[str, Metric],
                   trials: Mapping[str, Metric] | None = None) -> dict[str, Metric]:
    """Model scores first, then the trial landscape, then source indicators (an id is never
    in two)."""
    return {**model, **(trials or {}), **indicators}


_KIND_LABELS = {"model": "Score", "landscape": "Trials", "indicator": "Indicator"}


def metric_option_label(metric: Metric) -> str:
    """'Score · Attractiveness [0-100]' / 'Trials · Registered studies [studies]' /
    'Indicator · Population, total [people]'."""
    return f"{_KIND_LABELS.get(metric.kind, 'Indicator')} · {metric.label}"


def indicator_values(latest: pd.DataFrame, code: str) -> pd.DataFrame:
    """Latest value, year, source and stale flag of one indicator, indexed by iso3.

    ``latest`` is ``atlas.latest_indicators`` (long). Raises ``ValueError`` for an unknown
    code.
    """
    rows = latest[latest["indicator"] == code]
    if rows.empty:
        raise ValueError(f"unknown indicator {code!r}")
    out = rows.set_index("iso3")[["value", "year", "source_id", "stale"]].copy()
    out["source"] = out["source_id"].map(source_label)
    return out.drop(columns="source_id")


def model_values(scored: pd.DataFrame, metric: Metric,
                 as_of_year: int = DATA_AS_OF_YEAR,
                 stale_after: int = STALE_AFTER_YEARS) -> pd.DataFrame:
    """Value, year, source, stale flag and a note of one model column, indexed by iso3.

    ``scored`` is ``scoring.score`` over every country (attractiveness does not depend on the
    selection). The pool carries its prevalence year (stale like any indicator); scores mix
    years, so they carry none; the trial landscape carries its snapshot year. The note says
    how many components a score used.
    """
    if metric.id not in scored:
        raise ValueError(f"unknown model column {metric.id!r}")
    values = pd.to_numeric(scored[metric.id], errors="coerce")
    if metric.id in LANDSCAPE_PERCENT:
        values = values * 100
    out = pd.DataFrame({"value": values}, index=scored.index)
    if metric.kind == "landscape":
        year = int(landscape.SNAPSHOT[:4])
        out["year"] = pd.array([year] * len(out), dtype="Int64")
        out["stale"] = (as_of_year - year) > stale_after
    elif metric.id == "reachable_patients" and "pool_year" in scored:
        year = pd.to_numeric(scored["pool_year"], errors="coerce")
        out["year"] = pd.array(year.round().to_numpy(), dtype="Int64")
        out["stale"] = ((as_of_year - year) > stale_after).fillna(False).to_numpy()
    else:
        out["year"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["stale"] = False
    out["source"] = metric.source
    if metric.id in MODEL_COMPONENTS and MODEL_COMPONENTS[metric.id][0] in scored:
        column, total = MODEL_COMPONENTS[metric.id]
        used = pd.to_numeric(scored[column], errors="coerce").fillna(0).astype(int)
        if metric.id == "attractiveness" and "score_components_total" in scored:
            total = int(scored["score_components_total"].max())
        out["note"] = [f"{u} of {total} components" for u in used]
    elif metric.id == "studies_recent":
        out["note"] = "estimate"
    return out


def ranking_order(metric: Metric) -> str:
    """How a ranking is ordered, in words."""
    if metric.higher_is_better is False:
        return "lowest first: lower is better"
    if metric.higher_is_better:
        return "highest first: higher is better"
    return "highest first"


def number_format(metric: Metric) -> str:
    """A ``st.column_config.NumberColumn`` format for a metric's values."""
    if metric.unit in COUNT_UNITS or metric.unit == "studies":
        return "localized"
    if metric.unit in ("0-100", "days"):
        return "%.1f"
    return "%.2f"
