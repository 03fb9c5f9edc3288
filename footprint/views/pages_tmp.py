"""What the pages show, as pure functions: metric choices, map properties, ranking tables,
legend rows, tooltip text, country details and the URL state of a view.

Nothing here imports Streamlit: pages pass frames in and lay out what comes back, so every
choice a page makes can be tested without a browser.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pydeck as pdk

from footprint.data import atlas
from footprint.enrollment.scenario import neutralise_cell
from footprint.model import friction, infrastructure, pool, scoring
from footprint.views import maps

REGION_ALL = "All regions"
# Longest value a link may carry for one parameter [characters].
MAX_PARAM_LENGTH = 64
# Characters any of our identifiers may contain (region names, indicator codes, ISO3, ids).
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._&+\-]*$")
# Countries with a sub-national drill-down (Natural Earth admin-1 + GeoNames cities).
DRILL_COUNTRIES = ("USA", "JPN", "IND")
SUBNATIONAL_METRIC = "urban_population"
# Regions whose map is framed on a fixed box (min lon, min lat, max lon, max lat) instead of
# their members' extent: Russia east of the Urals is drawn but would centre the view on
# Siberia; Japan's main-island framing would cut off Kyushu (under a quarter of Honshu).
REGION_FRAMES: dict[str, tuple[float, float, float, float]] = {
    "Eastern Europe": (12.0, 38.0, 62.0, 68.0),
    "Japan": (128.5, 30.5, 146.0, 45.7),
}
# Units a drill-down map does not frame (still drawn): Alaska and Hawaii would shrink the
# contiguous states to a strip.
DRILL_FRAME_EXCLUDE: dict[str, tuple[str, ...]] = {"USA": ("US.AK", "US.HI")}
# Smallest city drawn on a drill-down map [people] (~100 dots per country).
CITY_MIN_POPULATION: dict[str, int] = {"USA": 250_000, "JPN": 250_000, "IND": 500_000}
SUBNATIONAL_CAVEATS: dict[str, str] = {
    "USA": "States and DC from Natural Earth 1:50m (v4).",
    "JPN": "Prefectures from Natural Earth admin-1 c. v2.0 (2013).",
    "IND": ("India's states use pre-2014 Natural Earth boundaries (c. v2.0, 2013): no Telangana "
            "(inside Andhra Pradesh), no Ladakh (inside Jammu & Kashmir), old names such as "
            "Orissa and Uttaranchal; disputed areas as Natural Earth draws them."),
}
REACH_CAVEAT = ("Reachable urban population sums GeoNames places of 15,000+ inhabitants per "
                "state; GeoNames also lists some city districts beside their city (Tokyo's "
                "special wards), so treat it as a relative reach index, not a census count.")
# Tooltip of the country maps: properties set by :func:`map_properties` (HTML-escaped).
TOOLTIP_HTML = "<b>{name}</b><br/>{value_text}<br/><small>{detail_text}</small>"
SUBNATIONAL_TOOLTIP_HTML = TOOLTIP_HTML


@dataclass(frozen=True, slots=True)
class Metric:
    """One thing a map can show per country.

    Parameters
    ----------
    id : indicator code (``SP.POP.TOTL``) or model column (``attractiveness``).
    title, unit : display name and unit (``people``, ``0-100``).
    ramp : ``"good"`` or ``"risk"`` (a :data:`footprint.maps.SEQUENTIAL` ramp).
    higher_is_better : True/False orders rankings best first; None means neutral (highest
        first).
    source : short source label (``World Bank WDI``).
    kind : ``"indicator"`` (a source value) or ``"model"`` (a score).
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


@dataclass(frozen=True, slots=True)
class ViewState:
    """What a link to a view carries (``st.query_params``).

    ``region`` is a region name or :data:`REGION_ALL`; ``country`` an ISO3 code or None.
    """

    region: str = REGION_ALL
    metric: str = ""
    indication: str | None = None
    country: str | None = None


# --------------------------------------------------------------------------------------------
# Choices

def region_choices(regions: Mapping[str, Sequence[str]]) -> list[str]:
    """:data:`REGION_ALL` first, then the region names in alphabetical order."""
    return [REGION_ALL, *sorted(regions)]


def scope(region: str, regions: Mapping[str, Sequence[str]]) -> list[str]:
    """Sorted ISO3 codes in scope: a region's members, or every member of every region.

    Raises
    ------
    ValueError
        Unknown region; the message lists the valid names.
    """
    if region == REGION_ALL:
        return sorted({iso3 for members in regions.values() for iso3 in members})
    if region not in regions:
        raise ValueError(f"unknown region {region!r}; choose one of {region_choices(regions)}")
    return sorted(regions[region])


def source_label(source_id: str, sources: pd.DataFrame | None = None) -> str:
    """A short label for a source id ('World Bank WDI'); falls back to the id."""
    short = {"wdi": "World Bank WDI", "wgi": "World Bank WGI",
             "owid_physicians": "OWID (WHO/OECD)", "owid_internet": "OWID (ITU)",
             "ncdrisc": "NCD-RisC 2021", "natural_earth": "Natural Earth",
             "geonames": "GeoNames"}
    if source_id in short:
        return short[source_id]
    if sources is not None and "source_id" in sources and source_id in set(sources["source_id"]):
        return str(sources.set_index("source_id").loc[source_id, "publisher"])
    return source_id


def indicator_metrics(catalogue: pd.DataFrame) -> dict[str, Metric]:
    """One :class:`Metric` per catalogued indicator (``atlas.indicator_catalogue``), by code.

    Governance estimates (WGI) and capacity indicators read "higher is better"; prevalence
    and population figures are neutral (more patients is not a better country by itself).
    """
    better = {"WGI.RQ", "WGI.RL", "WGI.PV", "WGI.GE", "NY.GDP.PCAP.PP.CD", "SH.MED.BEDS.ZS",
              "SH.MED.PHYS.ZS", "LP.LPI.OVRL.XQ", "EG.ELC.ACCS.ZS", "SP.POP.SCIE.RD.P6",
              "IT.NET.USER.ZS", "IT.NET.BBND.P2", "IT.CEL.SETS.P2", "SP.DYN.LE00.IN"}
    out = {}
    for code, row in catalogue.sort_values("title").iterrows():
        description = row.get("description")
        if not isinstance(description, str) or not description.strip():
            description = f"{row['title']} ({row['unit']})."
        out[str(code)] = Metric(
            id=str(code), title=str(row["title"]), unit=str(row["unit"]), ramp="good",
            higher_is_better=True if code in better else None,
            source=source_label(str(row["source_id"])), kind="indicator",
            description=_first_sentences(description, 2),
        )
    return out


MODEL_SOURCE = "Trial Footprint model"
# Model columns a map can show: (title, unit, ramp, higher_is_better, description).
_MODEL_METRICS: dict[str, tuple[str, str, str, bool, str]] = {
    "attractiveness": (
        "Attractiveness", "0-100", "good", True,
        "Weighted mean of the patient-pool score (percentile of reachable patients), "
        "100 - regulatory friction and 100 - infrastructure risk, with the weights set in "
        "the sidebar."),
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
        "Mean of percentile risks for physicians, hospital beds, GDP per capita, logistics, "
        "electricity, researchers, articles, political stability and government "
        "effectiveness; war or sanctions raise it to at least 75."),
    "dct_readiness": (
        "DCT readiness", "0-100", "good", True,
        "Decentralised-trial readiness: mean percentile of internet users, fixed broadband and "
        "mobile subscriptions."),
    "startup_days_mean": (
        "Expected start-up", "days", "risk", False,
        "Approval plus site activation, or an observed start-up range where sourced."),
}
# Components behind a model metric: (column counting the ones used, how many there are).
MODEL_COMPONENTS: dict[str, tuple[str, int]] = {
    "attractiveness": ("score_components_used", len(scoring.SCORES)),
    "friction_index": ("friction_components_used", len(friction.FRICTION_WEIGHTS)),
    "infrastructure_risk": ("infrastructure_components_used",
                           len(infrastructure.RISK_COMPONENTS)),
    "dct_readiness": ("dct_components_used", len(infrastructure.DCT_COMPONENTS)),
}


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


def model_values(scored: pd.DataFrame, metric: Metric,
                 as_of_year: int = atlas.DATA_AS_OF_YEAR,
                 stale_after: int = atlas.STALE_AFTER_YEARS) -> pd.DataFrame:
    """Value, year, source, stale flag and a note of one model column, indexed by iso3.

    ``scored`` is ``scoring.score`` over every country (attractiveness does not depend on the
    selection). The pool carries its prevalence year (stale like any indicator); scores mix
    years, so they carry none. The note says how many components a score used.
    """
    if metric.id not in scored:
        raise ValueError(f"unknown model column {metric.id!r}")
    out = pd.DataFrame({"value": pd.to_numeric(scored[metric.id], errors="coerce")},
                       index=scored.index)
    if metric.id == "reachable_patients" and "pool_year" in scored:
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
        out["note"] = [f"{u} of {total} components" for u in used]
    return out


def metric_choices(model: Mapping[str, Metric],
                   indicators: Mapping[str, Metric]) -> dict[str, Metric]:
    """Model scores first, then source indicators (an id is never in both)."""
    return {**model, **indicators}


def metric_option_label(metric: Metric) -> str:
    """'Score · Attractiveness [0-100]' / 'Indicator · Population, total [people]'."""
    return f"{'Score' if metric.kind == 'model' else 'Indicator'} · {metric.label}"


def _first_sentences(text: str, n: int) -> str:
    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(parts[:n])


# --------------------------------------------------------------------------------------------
# Formatting

def format_value(value: float | None, unit: str = "") -> str:
    """A value with its unit for people: '1.4B people', '12.3 % of population', 'no data'."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "no data"
    v = float(value)
    if abs(v) >= 1e9:
        text = f"{v / 1e9:,.2f}B"
    elif abs(v) >= 1e6:
        text = f"{v / 1e6:,.2f}M"
    elif abs(v) >= 10_000:
        text = f"{v:,.0f}"
    elif abs(v) >= 100:
        text = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
    elif v == 0:
        text = "0"
    else:
        text = f"{v:.3g}" if abs(v) < 1 else f"{v:.1f}"
    return f"{text} {unit}".strip()


def _year_text(year) -> str:
    return "" if year is None or pd.isna(year) else str(int(year))


# --------------------------------------------------------------------------------------------
# Metric values

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


def map_properties(shapes: pd.DataFrame, values: pd.DataFrame, metric: Metric,
                   in_scope: Collection[str],
                   reference: Collection[str] | None = None,
                   ) -> tuple[pd.DataFrame, list[maps.LegendEntry], list[int], str]:
    """Per mapped country: fill colour and escaped tooltip text for one metric.

    Countries in ``in_scope`` are coloured by quantile classes (quintiles) of the in-scope
    values; with fewer than five distinct in-scope values (a one-country region) the classes
    come from ``reference`` (default: every mapped country) so the colour still means
    something. Missing values are "no data" grey; countries out of scope are neutral context.

    Returns
    -------
    frame : ``shapes`` order, columns iso3, name, value, in_scope, fill, value_text,
        detail_text (tooltip strings, HTML-escaped).
    legend : class entries then "no data".
    counts : in-scope countries per legend entry.
    basis : one sentence saying what the classes are quantiles of.
    """
    frame = shapes[["iso3", "name"]].reset_index(drop=True).copy()
    joined = values.reindex(frame["iso3"])
    frame["value"] = pd.to_numeric(joined["value"], errors="coerce").to_numpy()
    frame["year"] = joined["year"].to_numpy() if "year" in joined else None
    frame["source"] = joined["source"].to_numpy() if "source" in joined else ""
    frame["stale"] = joined["stale"].fillna(False).astype(bool).to_numpy() if (
        "stale" in joined) else False
    frame["note"] = joined["note"].fillna("").to_numpy() if "note" in joined else ""
    scope_set = set(in_scope)
    frame["in_scope"] = frame["iso3"].isin(scope_set)
    scoped = frame.loc[frame["in_scope"], "value"]
    if scoped.dropna().nunique() >= 5:
        edges = maps.quantile_breaks(scoped)
        basis = f"Classes: quintiles of the {int(scoped.notna().sum())} countries in scope."
    else:
        ref = frame["value"] if reference is None else frame.loc[
            frame["iso3"].isin(set(reference)), "value"]
        edges = maps.quantile_breaks(ref)
        basis = (f"Classes: world quintiles ({int(ref.notna().sum())} countries with a value), "
                 "since the selection has too few countries to class on its own.")
    colors, legend, _ = maps.classify_breaks(frame["value"], metric.ramp, edges, "")
    fills = [list(c) if s else list(maps.CONTEXT_LAND)
             for c, s in zip(colors, frame["in_scope"], strict=True)]
    # count in-scope countries per legend entry (the colours of out-of-scope ones are unused)
    _, _, counts = maps.classify_breaks(scoped, metric.ramp, edges, "")
    frame["fill"] = fills
    frame["value_text"] = [
        html.escape(f"{metric.title}: {format_value(v, metric.unit)}")
        for v in frame["value"]
    ]
    frame["detail_text"] = [
        html.escape(_detail(y, src, stale, s, note))
        for y, src, stale, s, note in zip(frame["year"], frame["source"], frame["stale"],
                                          frame["in_scope"], frame["note"], strict=True)
    ]
    frame["name"] = frame["name"].map(lambda n: html.escape(str(n)))
    return frame, legend, counts, basis


def _detail(year, source, stale, in_scope, note="") -> str:
    parts = []
    if _year_text(year):
        parts.append(_year_text(year) + (" (stale)" if stale else ""))
    if isinstance(source, str) and source:
        parts.append(source)
    if isinstance(note, str) and note:
        parts.append(note)
    if not in_scope:
        parts.append("outside the selected region")
    return " · ".join(parts)


def legend_rows(legend: Sequence[maps.LegendEntry], counts: Sequence[int],
                unit: str = "", counted: str = "countries") -> pd.DataFrame:
    """Legend as rows: hex colour, class label (column named after the unit) and count."""
    return pd.DataFrame({
        "colour": [maps.hex_color(e.color) for e in legend],
        unit or "class": [e.label for e in legend],
        counted: list(counts),
    })


def year_span(values: pd.DataFrame, in_scope: Collection[str]) -> str:
    """The years of the values shown for the countries in scope: '2023', '2019–2024' or ''."""
    if "year" not in values:
        return ""
    years = pd.to_numeric(values.reindex(list(in_scope))["year"], errors="coerce").dropna()
    return "" if years.empty else _span(years.min(), years.max())


def table_height(n_rows: int, max_rows: int = 30) -> int:
    """Pixel height of a ``st.dataframe`` that shows ``n_rows`` rows without scrolling."""
    return 38 + 35 * min(max(n_rows, 1), max_rows)


def legend_styler(rows: pd.DataFrame, swatch: str = "colour"):
    """A pandas Styler that paints the ``swatch`` column with its own colour (no HTML)."""
    def paint(column: pd.Series) -> list[str]:
        return [f"background-color: {c}; color: {c}" for c in column]
    return rows.style.apply(paint, subset=[swatch])


def ranking_table(values: pd.DataFrame, names: Mapping[str, str], metric: Metric,
                  in_scope: Sequence[str], extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """The countries in scope ranked on a metric, best first (missing values last).

    Columns: Rank, Country, ISO3, '<title> [unit]', Year, Source, Stale, then the columns of
    ``extra`` (indexed by iso3, e.g. risk tier and flags). Neutral metrics
    (``higher_is_better`` None) rank highest first.
    """
    codes = list(in_scope)
    joined = values.reindex(codes)
    value = pd.to_numeric(joined["value"], errors="coerce")
    table = pd.DataFrame({
        "Country": [names.get(c, c) for c in codes],
        "ISO3": codes,
        metric.label: value.to_numpy(dtype=float),
        "Year": pd.array(joined["year"].to_numpy(), dtype="Int64") if "year" in joined else
        pd.array([pd.NA] * len(codes), dtype="Int64"),
        "Source": joined["source"].fillna("").to_numpy() if "source" in joined else "",
        "Stale": joined["stale"].fillna(False).astype(bool).to_numpy() if "stale" in joined
        else False,
    })
    position = 3  # model columns go right after the value, before year and source
    if extra is not None:
        for column in extra.columns:
            table.insert(position, column, extra[column].reindex(codes).to_numpy())
            position += 1
    if "note" in joined:
        table.insert(position, "Components", joined["note"].fillna("").to_numpy())
    ascending = metric.higher_is_better is False
    table = table.sort_values([metric.label, "Country"], ascending=[ascending, True],
                              na_position="last", kind="stable").reset_index(drop=True)
    rank = table[metric.label].rank(method="min", ascending=ascending)
    table.insert(0, "Rank", pd.array(rank.to_numpy(), dtype="Int64"))
    return table


def ranking_order(metric: Metric) -> str:
    """How a ranking is ordered, in words."""
    if metric.higher_is_better is False:
        return "lowest first: lower is better"
    if metric.higher_is_better:
        return "highest first: higher is better"
    return "highest first"


def number_format(metric: Metric) -> str:
    """A ``st.column_config.NumberColumn`` format for a metric's values."""
    if metric.unit in ("people", "articles per year", "patients", "new patients per year"):
        return "compact"
    if metric.unit in ("0-100", "days"):
        return "%.1f"
    return "%.2f"


def download_name(kind: str, region: str, metric_id: str, ext: str) -> str:
    """'trial-footprint-ranking-latin-america-sp-pop-totl.csv'."""
    return f"trial-footprint-{kind}-{slug(region)}-{slug(metric_id)}.{ext}"


def region_view(region: str, shapes: pd.DataFrame,
                regions: Mapping[str, Sequence[str]]) -> pdk.ViewState:
    """The map view that frames a region: the world for all regions, a fixed frame for those
    in :data:`REGION_FRAMES`, else the main parts of the region's countries."""
    if region == REGION_ALL:
        return maps.WORLD_VIEW
    if region in REGION_FRAMES:
        return maps.view_for_bounds(REGION_FRAMES[region])
    return maps.view_for(shapes[shapes["iso3"].isin(scope(region, regions))])


def selected_feature(collection: dict, iso3: str) -> dict:
    """A FeatureCollection holding only the feature of ``iso3`` (empty if absent)."""
    return {"type": "FeatureCollection",
            "features": [f for f in collection["features"] if f.get("iso3") == iso3]}


def table_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV of a table (no index), as offered for download.

    Text cells that a spreadsheet could run as a formula are neutralised (OWASP CSV
    injection, :func:`footprint.scenario.neutralise_cell`); numbers stay numbers.
    """
    safe = table.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda v: neutralise_cell(v) if isinstance(v, str) else v)
    return safe.to_csv(index=False).encode("utf-8")


# --------------------------------------------------------------------------------------------
# Country details

def country_indicator_table(latest: pd.DataFrame, catalogue: pd.DataFrame,
                            iso3: str) -> pd.DataFrame:
    """Every catalogued indicator of one country: value, unit, year, source, stale."""
    rows = latest[latest["iso3"] == iso3].set_index("indicator")
    rows = rows.reindex(catalogue.index)
    out = pd.DataFrame({
        "Indicator": catalogue["title"].to_numpy(),
        "Value": [format_value(v) for v in rows["value"]],
        "Unit": catalogue["unit"].to_numpy(),
        "Year": [_year_text(y) or "—" for y in rows["year"]],
        "Source": [source_label(s) for s in catalogue["source_id"]],
        "Stale": rows["stale"].fillna(False).astype(bool).to_numpy(),
        "Code": catalogue.index.to_numpy(),
    })
    return out.sort_values("Indicator", kind="stable").reset_index(drop=True)


def country_summary(iso3: str, names: Mapping[str, str],
                    regions: Mapping[str, Sequence[str]]) -> str:
    """'Brazil (BRA) · Latin America' — plain text, for a heading."""
    member_of = sorted(r for r, members in regions.items() if iso3 in members)
    where = " + ".join(member_of) if member_of else "outside the six regions"
    return f"{names.get(iso3, iso3)} ({iso3}) · {where}"


def map_widget_key(base: str, generation: int) -> str:
    """Key of a clickable map after ``generation`` processed clicks ('explore_map',
    'explore_map_1', ...): a new key drops the previous selection."""
    return base if generation == 0 else f"{base}_{generation}"


def picked_country(event, layer_id: str = "countries") -> str | None:
    """ISO3 of the feature picked in a ``st.pydeck_chart`` selection event, if any."""
    if not event:
        return None
    try:
        objects = event["selection"]["objects"].get(layer_id) or []
    except (KeyError, TypeError, AttributeError):
        return None
    for obj in objects:
        iso3 = (obj.get("iso3") or (obj.get("properties") or {}).get("iso3")
                if isinstance(obj, Mapping) else None)
        if isinstance(iso3, str) and re.fullmatch(r"[A-Z]{3}", iso3):
            return iso3
    return None


# --------------------------------------------------------------------------------------------
# Sub-national drill-down

SUBNATIONAL_METRICS: dict[str, tuple[str, str]] = {
    "urban_population": ("Reachable urban population", "people"),
    "eligible_patients": ("Eligible patients within reach", "patients"),
}


def subnational_properties(units: pd.DataFrame, column: str = "urban_population",
                           ) -> tuple[pd.DataFrame, list[maps.LegendEntry], list[int]]:
    """States / prefectures coloured by one of :data:`SUBNATIONAL_METRICS` (quintiles).

    A unit with no city of 15,000+ reaches nobody (0, not missing); a patient count is
    missing when the country's funnel is.
    """
    if column not in SUBNATIONAL_METRICS:
        raise ValueError(f"unknown sub-national metric {column!r}; choose one of "
                         f"{sorted(SUBNATIONAL_METRICS)}")
    title, unit = SUBNATIONAL_METRICS[column]
    frame = units[["unit_code", "name", "n_cities"]].reset_index(drop=True).copy()
    value = pd.to_numeric(units[column], errors="coerce").reset_index(drop=True)
    if column == "urban_population":
        value = value.fillna(0.0)
    edges = maps.quantile_breaks(value)
    colors, legend, counts = maps.classify_breaks(value, "good", edges, "")
    frame["value"] = value
    frame["fill"] = [list(c) for c in colors]
    frame["value_text"] = [html.escape(f"{title}: {format_value(v, unit)}") for v in value]
    frame["detail_text"] = [html.escape(f"{int(n)} GeoNames places of 15,000+ · GeoNames 2026")
                            for n in frame["n_cities"].fillna(0)]
    frame["name"] = frame["name"].map(lambda n: html.escape(str(n)))
    return frame, legend, counts


def city_points(cities: pd.DataFrame) -> pd.DataFrame:
    """Cities with escaped tooltip text, largest first."""
    out = cities[["name", "population", "latitude", "longitude"]].copy()
    out["value_text"] = [html.escape(f"City population: {format_value(p, 'people')}")
                         for p in out["population"]]
    out["detail_text"] = "GeoNames 2026"
    out["name"] = out["name"].map(lambda n: html.escape(str(n)))
    return out.sort_values("population", ascending=False).reset_index(drop=True)


def drill_frame(units: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """The units a drill-down map of ``iso3`` is framed on (see :data:`DRILL_FRAME_EXCLUDE`)."""
    return units[~units["unit_code"].isin(DRILL_FRAME_EXCLUDE.get(iso3, ()))]


def subnational_table(units: pd.DataFrame) -> pd.DataFrame:
    """Units ranked by reachable urban population (with eligible patients if computed)."""
    table = pd.DataFrame({
        "Unit": units["name"].to_numpy(),
        "Code": units["unit_code"].to_numpy(),
        "Reachable urban population [people]": pd.to_numeric(
            units["urban_population"], errors="coerce").fillna(0).to_numpy(),
        "Places of 15,000+": pd.array(units["n_cities"].to_numpy(), dtype="Int64"),
    })
    if "eligible_patients" in units:
        table["Eligible patients within reach [patients]"] = pd.to_numeric(
            units["eligible_patients"], errors="coerce").to_numpy()
    return table.sort_values("Reachable urban population [people]", ascending=False,
                             kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Data & methods

def indicator_coverage(latest: pd.DataFrame, catalogue: pd.DataFrame,
                       in_scope: Collection[str]) -> pd.DataFrame:
    """Per indicator: countries with a value (all mapped / in the six regions), the range of
    latest years, stale values in the six regions, source and licence."""
    has = latest.assign(present=latest["value"].notna(),
                        scoped=latest["iso3"].isin(set(in_scope)))
    grouped = has.groupby("indicator")
    present = has[has["present"]]
    years = present.groupby("indicator")["year"]
    scoped = has[has["scoped"]]
    out = pd.DataFrame({
        "Indicator": catalogue["title"],
        "Unit": catalogue["unit"],
        "Countries with a value": grouped["present"].sum().reindex(catalogue.index),
        "of mapped": grouped.size().reindex(catalogue.index),
        "In the six regions": scoped.groupby("indicator")["present"].sum()
        .reindex(catalogue.index),
        "of in regions": scoped.groupby("indicator").size().reindex(catalogue.index),
        "Latest years": [_span(years.min().get(c), years.max().get(c)) for c in catalogue.index],
        "Stale in regions": scoped[scoped["present"]].groupby("indicator")["stale"].sum()
        .reindex(catalogue.index),
        "Source": [source_label(s) for s in catalogue["source_id"]],
        "Licence": catalogue["licence"],
    })
    for col in ("Countries with a value", "of mapped", "In the six regions", "of in regions",
                "Stale in regions"):
        out[col] = pd.array(out[col].fillna(0).to_numpy(), dtype="Int64")
    out.index.name = "Code"
    return out.reset_index()


def _span(low, high) -> str:
    if low is None or pd.isna(low):
        return "—"
    return str(int(low)) if int(low) == int(high) else f"{int(low)}–{int(high)}"


# --------------------------------------------------------------------------------------------
# URL state

def slug(text: str) -> str:
    """'European Union' -> 'european-union' (the form regions take in links)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _clean(raw) -> tuple[str | None, str | None]:
    """(value, problem): the last value of a parameter, or why it cannot be used."""
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else ""
    value = str(raw).strip()
    if not value:
        return None, "is empty"
    if len(value) > MAX_PARAM_LENGTH:
        return None, f"is longer than {MAX_PARAM_LENGTH} characters"
    if not _SAFE_VALUE.match(value):
        return None, "contains characters no valid value has"
    return value, None


def _match(value: str, choices: Sequence[str], keyer) -> str | None:
    index = {keyer(c): c for c in choices}
    return index.get(keyer(value))


def parse_view_params(params: Mapping[str, object], *, regions: Sequence[str],
                      metrics: Sequence[str], countries: Collection[str],
                      indications: Sequence[str] = (),
                      default: ViewState) -> tuple[ViewState, list[str]]:
    """The view a link asks for, and one warning per parameter that could not be used.

    ``params`` is ``st.query_params`` (or a dict of str / list of str). A region may be given
    by name or slug (``latin-america``), a metric by id (case-insensitive), a country by ISO3.
    A missing parameter takes its default silently; an unknown, too long or script-like one
    takes its default with a warning that names the parameter but never echoes the value.
    Unknown parameter names are ignored.
    """
    state = default
    warnings: list[str] = []
    fields = (
        ("region", regions, slug, "a region", default.region),
        ("metric", metrics, str.lower, "a metric", default.metric),
        ("indication", indications, str.lower, "an indication", default.indication),
        ("country", sorted(countries), str.upper, "a mapped country (ISO3 code)",
         default.country),
    )
    for name, choices, keyer, what, fallback in fields:
        if name not in params:
            continue
        value, problem = _clean(params[name])
        if problem is None and value is not None:
            match = _match(value, choices, keyer) if choices else None
            if match is not None:
                state = replace(state, **{name: match})
                continue
            problem = f"is not {what} this app knows"
        shown = fallback if fallback else "none"
        warnings.append(f"Link parameter '{name}' {problem}; showing {shown} instead.")
    return state, warnings


def view_params(state: ViewState, default: ViewState | None = None) -> dict[str, str]:
    """Query parameters that reopen ``state`` (values equal to ``default`` are left out)."""
    default = default or ViewState()
    out: dict[str, str] = {}
    if state.region != default.region:
        out["region"] = slug(state.region)
    if state.indication and state.indication != default.indication:
        out["indication"] = state.indication
    if state.metric and state.metric != default.metric:
        out["metric"] = state.metric
    if state.country:
        out["country"] = state.country
    return out


def finite_or_none(x) -> float | None:
    """A float, or None for missing / non-finite values."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


# --------------------------------------------------------------------------------------------
# Model: weights, ranking extras, country breakdowns

def weights_from(pool_weight: float, friction_weight: float,
                 infrastructure_weight: float) -> tuple[scoring.Weights, str | None]:
    """Score weights from three sliders; equal weights with a warning if they are unusable."""
    weights = scoring.Weights(pool_weight, friction_weight, infrastructure_weight)
    try:
        weights.normalised()
    except ValueError as exc:
        return scoring.Weights(), f"Weights ignored ({exc}); using equal weights."
    return weights, None


def weights_text(weights: scoring.Weights) -> str:
    """'pool 50 % · friction 25 % · infrastructure 25 %'."""
    w = weights.normalised() * 100
    return f"pool {w[0]:.0f} % · friction {w[1]:.0f} % · infrastructure {w[2]:.0f} %"


def ranking_extra(scored: pd.DataFrame, stability: pd.Series | None = None,
                  top_k: int = 5) -> pd.DataFrame:
    """Columns a ranking table adds from the model: risk tier, flags, P(top k)."""
    out = pd.DataFrame({"Risk tier": scored["risk_tier"].fillna("no data"),
                        "Flags": scored["flags"].fillna("")}, index=scored.index)
    if stability is not None:
        out[f"P(top {top_k})"] = stability.reindex(scored.index)
    return out


def funnel_table(row: pd.Series, indication: pool.Indication,
                 eligibility_share: float) -> pd.DataFrame:
    """The patient funnel of one country: step, patients, share kept, what the step applies."""
    per = "new patients per year" if indication.unit == "incident_per_year" else "patients"
    steps = [
        ("Population in the age band", "population_in_band",
         f"ages {indication.age_low}-{indication.age_high}, from the World Bank age shares"),
        ("Prevalent patients" if indication.unit == "prevalent" else "New cases per year",
         "prevalent_patients", f"{indication.name} rate: {row.get('pool_source', '')}"),
        ("Diagnosed", "diagnosed_patients", str(row.get("diagnosed_source", ""))),
        ("Eligible", "eligible_patients",
         f"eligibility share {eligibility_share:.0%} (assumption, set in the sidebar)"),
        ("Reachable", "reachable_patients", "urban share of the population (World Bank)"),
    ]
    values = [finite_or_none(row.get(col)) for _, col, _ in steps]
    values = [None if v is None else round(v) for v in values]
    kept = [None] + [
        (b / a if a and b is not None else None) for a, b in zip(values, values[1:], strict=False)
    ]
    return pd.DataFrame({
        "Step": [s for s, _, _ in steps],
        f"Count [{per}]": [np.nan if v is None else v for v in values],
        "Kept": [np.nan if k is None else k for k in kept],
        "Basis": [b for _, _, b in steps],
    })


def friction_breakdown(row: pd.Series) -> pd.DataFrame:
    """Friction components of one country [0-100] with their weights."""
    labels = {"approval": "Approval time", "flags": "Friction flags",
              "regulatory_quality": "Regulatory quality (WGI)",
              "rule_of_law": "Rule of law (WGI)"}
    return pd.DataFrame({
        "Component": [labels.get(k, k) for k in friction.FRICTION_WEIGHTS],
        "Friction [0-100]": [finite_or_none(row.get(f"friction_{k}"))
                             for k in friction.FRICTION_WEIGHTS],
        "Weight": list(friction.FRICTION_WEIGHTS.values()),
    }).fillna({"Friction [0-100]": np.nan})


def infrastructure_breakdown(row: pd.Series) -> pd.DataFrame:
    """Infrastructure risk components of one country [0-100 percentile risk]."""
    names = list(infrastructure.RISK_COMPONENTS)
    return pd.DataFrame({
        "Component": [n.replace("_", " ") for n in names],
        "Indicator": list(infrastructure.RISK_COMPONENTS.values()),
        "Risk [0-100]": [finite_or_none(row.get(f"infra_{n}")) for n in names],
    }).fillna({"Risk [0-100]": np.nan})


def startup_facts(row: pd.Series) -> pd.DataFrame:
    """Regulator, approval and start-up of one country, each with its basis."""
    def days(x) -> str:
        v = finite_or_none(x)
        return "—" if v is None else f"{v:,.0f} days"
    flags = row.get("flags")
    facts = [
        ("Regulator", str(row.get("regulator") or "— (no regulatory row: region default)"), ""),
        ("Approval", days(row.get("approval_days")), str(row.get("approval_basis") or "")),
        ("Start-up (mean ± sd)",
         f"{days(row.get('startup_days_mean'))} ± {days(row.get('startup_days_sd'))}",
         str(row.get("startup_basis") or "")
         + (" — assumed" if bool(row.get("startup_assumed")) else "")),
        ("Flags", flags if isinstance(flags, str) and flags else "none", ""),
        ("Regulatory source", str(row.get("regulatory_source") or "—"),
         str(row.get("regulatory_as_of") or "")),
    ]
    return pd.DataFrame(facts, columns=["Item", "Value", "Basis / as of"])


# --------------------------------------------------------------------------------------------
# Executive risk map

TIER_TOOLTIP_HTML = ("<b>{name}</b><br/>{value_text}<br/><small>{detail_text}</small>")


def tier_properties(shapes: pd.DataFrame, scored: pd.DataFrame,
                    in_scope: Collection[str]) -> tuple[pd.DataFrame, list[maps.LegendEntry],
                                                        list[int]]:
    """Per mapped country: fill by risk tier (in scope) and escaped tooltip text.

    Countries in scope with no tier are "no data" grey; the rest is neutral context.
    """
    frame = shapes[["iso3", "name"]].reset_index(drop=True).copy()
    joined = scored.reindex(frame["iso3"])
    scope_set = set(in_scope)
    frame["in_scope"] = frame["iso3"].isin(scope_set).to_numpy()
    tiers = [t if isinstance(t, str) and t in maps.TIER_COLORS else None
             for t in joined["risk_tier"]]
    fills, counts = [], {t: 0 for t in (*maps.TIERS, "no data")}
    for tier, in_scope_ in zip(tiers, frame["in_scope"], strict=True):
        if not in_scope_:
            fills.append(list(maps.CONTEXT_LAND))
            continue
        fills.append(list(maps.TIER_COLORS[tier] if tier else maps.NO_DATA))
        counts[tier or "no data"] += 1
    frame["fill"] = fills
    frame["risk_tier"] = [t or "no data" for t in tiers]
    frame["value_text"] = [
        html.escape(f"Risk: {t or 'no data'} · friction {format_value(f)} · "
                    f"infrastructure {format_value(i)}")
        for t, f, i in zip(tiers, joined["friction_index"], joined["infrastructure_risk"],
                           strict=True)]
    frame["detail_text"] = [
        html.escape(("Flags: " + fl) if isinstance(fl, str) and fl else "No flags")
        if s else "outside the six regions"
        for fl, s in zip(joined["flags"], frame["in_scope"], strict=True)]
    frame["name"] = frame["name"].map(lambda n: html.escape(str(n)))
    legend = [maps.LegendEntry(maps.TIER_COLORS[t], t) for t in maps.TIERS]
    legend.append(maps.LegendEntry(maps.NO_DATA, "no data"))
    return frame, legend, list(counts.values())


def tier_rule() -> str:
    """The tier rule in words, from the scoring constants."""
    return (f"Tier from the mean of regulatory friction and infrastructure risk [0-100]: low "
            f"below {scoring.TIER_LOW_BELOW:g}, high from {scoring.TIER_HIGH_FROM:g}, medium "
            "between; war or sanctions make a country high.")


def top_per_region(frame: pd.DataFrame, weights: scoring.Weights,
                   regions: Mapping[str, Sequence[str]], n: int = 3) -> pd.DataFrame:
    """The ``n`` most attractive countries of each region with tier and flags."""
    rows = []
    for region in sorted(regions):
        scored = scoring.score(frame, weights, list(regions[region])).head(n)
        for iso3, r in scored.iterrows():
            rows.append({"Region": region, "Rank": r["rank"], "Country": r["name"],
                         "ISO3": iso3, "Attractiveness [0-100]": r["attractiveness"],
                         "Risk tier": r["risk_tier"] or "no data",
                         "Reachable patients": r["reachable_patients"],
                         "Flags": r["flags"] or ""})
    out = pd.DataFrame(rows)
    if not out.empty:
        out["Rank"] = pd.array(out["Rank"], dtype="Int64")
    return out


def flags_that_matter(frame: pd.DataFrame, in_scope: Collection[str],
                      regions: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Countries in scope at war or under sanctions, or with slow approvals, worst first."""
    sub = frame.reindex(sorted(set(in_scope)))
    war = sub["war_or_sanctions"].fillna(False).astype(bool)
    slow = pd.to_numeric(sub["approval_days"], errors="coerce") >= scoring.SLOW_APPROVAL_DAYS
    hit = sub[war | slow]
    out = pd.DataFrame({
        "Country": hit["name"],
        "ISO3": hit.index,
        "Region": [" + ".join(sorted(r for r, m in regions.items() if c in m))
                   for c in hit.index],
        "War or sanctions": war[hit.index].to_numpy(),
        "Approval [days]": pd.to_numeric(hit["approval_days"], errors="coerce").round(),
        "Approval basis": hit["approval_basis"],
        "Risk tier": hit["risk_tier"].fillna("no data"),
        "Flags": hit["flags"].fillna(""),
    })
    return out.sort_values(["War or sanctions", "Approval [days]"], ascending=[False, False],
                           kind="stable").reset_index(drop=True)


def tier_table(frame: pd.DataFrame, in_scope: Collection[str],
               regions: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Every country in scope with its tier and the scores behind it (for CSV download)."""
    sub = frame.reindex(sorted(set(in_scope)))
    order = {t: i for i, t in enumerate(reversed(maps.TIERS))}
    out = pd.DataFrame({
        "Country": sub["name"], "ISO3": sub.index,
        "Region": [" + ".join(sorted(r for r, m in regions.items() if c in m))
                   for c in sub.index],
        "Risk tier": sub["risk_tier"].fillna("no data"),
        "Combined risk [0-100]": sub["combined_risk"],
        "Regulatory friction [0-100]": sub["friction_index"],
        "Infrastructure risk [0-100]": sub["infrastructure_risk"],
        "Expected start-up [days]": sub["startup_days_mean"].round(),
        "Flags": sub["flags"].fillna(""),
    })
    out["_order"] = out["Risk tier"].map(order).fillna(len(order))
    return (out.sort_values(["_order", "Combined risk [0-100]"], ascending=[True, False],
                            kind="stable").drop(columns="_order").reset_index(drop=True))


# --------------------------------------------------------------------------------------------
# Data & methods

def docstring_markdown(doc: str | None) -> str:
    """A numpydoc module docstring as Markdown: underlined titles become bold headings and
    ``literals`` become `code`."""
    if not doc:
        return ""
    lines = doc.strip("\n").splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and re.fullmatch(r"\s*-{3,}\s*", nxt):
            out.append(f"\n**{line.strip()}**\n")
            i += 2
            continue
        out.append(line)
        i += 1
    text = "\n".join(out)
    text = re.sub(r":(?:data|func|class|meth):`~?([^`]+)`", r"`\1`", text)
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def model_sections() -> list[tuple[str, str]]:
    """(title, Markdown) per model module, read from its docstring."""
    modules = (("Patient pool", pool), ("Regulatory friction and start-up", friction),
               ("Infrastructure risk and DCT readiness", infrastructure),
               ("Attractiveness, ranks, risk tiers", scoring))
    return [(title, docstring_markdown(module.__doc__)) for title, module in modules]


def model_constants() -> pd.DataFrame:
    """The named assumptions of the model, read live from its modules."""
    rows = [
        ("pool.OPEN_AGE_TOP", pool.OPEN_AGE_TOP, "years", "the 65+ band is spread up to this age"),
        ("pool.DEFAULT_ELIGIBILITY_SHARE", pool.DEFAULT_ELIGIBILITY_SHARE, "0-1",
         "share of diagnosed patients meeting the criteria (default; sidebar)"),
        ("friction.DEFAULT_SITE_ACTIVATION_DAYS", friction.DEFAULT_SITE_ACTIVATION_DAYS, "days",
         "site activation after approval (assumption)"),
        ("friction.STARTUP_CV", friction.STARTUP_CV, "-",
         "start-up sd / mean when no range is sourced"),
        ("friction.GLOBAL_APPROVAL_DAYS", round(friction.GLOBAL_APPROVAL_DAYS, 1), "days",
         "approval assumed outside the six regions"),
        ("friction.APPROVAL_ANCHOR_DAYS", friction.APPROVAL_ANCHOR_DAYS, "days",
         "approval time that maps to friction 100"),
        ("friction.FRICTION_WEIGHTS", friction.FRICTION_WEIGHTS, "-", "friction component weights"),
        ("infrastructure.MIN_COMPONENTS", infrastructure.MIN_COMPONENTS, "components",
         "fewer and the country gets no infrastructure score"),
        ("infrastructure.WAR_RISK_FLOOR", infrastructure.WAR_RISK_FLOOR, "0-100",
         "floor of infrastructure risk under war or sanctions"),
        ("scoring.TIER_LOW_BELOW", scoring.TIER_LOW_BELOW, "0-100", "combined risk below: low"),
        ("scoring.TIER_HIGH_FROM", scoring.TIER_HIGH_FROM, "0-100", "combined risk from: high"),
        ("scoring.SLOW_APPROVAL_DAYS", scoring.SLOW_APPROVAL_DAYS, "days",
         "approval this slow is flagged"),
        ("atlas.STALE_AFTER_YEARS", atlas.STALE_AFTER_YEARS, "years",
         f"a value older than this at {atlas.DATA_AS_OF_YEAR} is stale"),
    ]
    return pd.DataFrame([(n, str(v), u, m) for n, v, u, m in rows],
                        columns=["Constant", "Value", "Unit", "Meaning"])


KNOWN_CAVEATS: tuple[str, ...] = (
    "Disputed borders are drawn as Natural Earth (public domain, v4.0.0) draws them; the map "
    "takes no position on them.",
    "Taiwan has no World Bank (WDI) data: its population and most indicators are missing "
    "(shown as no data, never zero); scores use fewer components.",
    "India's states use pre-2014 Natural Earth boundaries: no Telangana (inside Andhra "
    "Pradesh), no Ladakh (inside Jammu & Kashmir), old names (Orissa, Uttaranchal).",
    "The sub-national reach index sums GeoNames places of 15,000+; GeoNames lists some city "
    "districts beside their city (Tokyo's special wards), so it double counts: a relative "
    "index, not a census count.",
    "Hypertension prevalence and diagnosis (NCD-RisC) are 2019 figures: stale at the 2025 "
    "snapshot, flagged as such wherever they are shown.",
    "Each country's latest value is used, so years differ between countries and indicators; "
    "every table shows the year.",
    "Maps draw no base map (no network needed); the downloaded HTML map inlines deck.gl but "
    "its template still links a map-library script and stylesheets on CDNs, which fail "
    "harmlessly offline.",
)


def sources_table(sources: pd.DataFrame) -> pd.DataFrame:
    """The shipped sources for display: publisher, licence and years first."""
    columns = {"publisher": "Publisher", "title": "Title", "licence": "Licence",
               "years": "Years", "version": "Version", "source_id": "Id", "url": "Origin"}
    return sources[list(columns)].rename(columns=columns)


def regulatory_table(regulatory: pd.DataFrame) -> pd.DataFrame:
    """The regulatory reference rows (by ISO3 or region) with their sources, for display."""
    keep = [c for c in ("regulator", "clock_value", "clock_unit", "approval_low_days",
                        "approval_high_days", "startup_low_days", "startup_high_days",
                        "war_or_sanctions", "source", "as_of") if c in regulatory]
    out = regulatory[keep].copy()
    out.index.name = "Scope"
    return out.reset_index()
