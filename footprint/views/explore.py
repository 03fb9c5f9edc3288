"""What the Explore page shows: a metric's choropleth over the selected region, its ranking,
the score weights and the country a click on the map picks."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping, Sequence

import pandas as pd

from footprint.model import scoring
from footprint.views import maps
from footprint.views.format import format_value, year_range, year_text
from footprint.views.metrics import Metric


def weights_from(pool_weight: float, friction_weight: float,
                 infrastructure_weight: float) -> tuple[scoring.Weights, str | None]:
    """Score weights from three sliders; equal weights with a warning if they are unusable."""
    weights = scoring.Weights(pool_weight, friction_weight, infrastructure_weight)
    try:
        weights.normalised()
    except ValueError as exc:
        return scoring.Weights(), f"Weights ignored ({exc}); using equal weights."
    return weights, None


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
        detail_text (tooltip strings, HTML-escaped; see :data:`maps.TOOLTIP_HTML`).
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
    if year_text(year):
        parts.append(year_text(year) + (" (stale)" if stale else ""))
    if isinstance(source, str) and source:
        parts.append(source)
    if isinstance(note, str) and note:
        parts.append(note)
    if not in_scope:
        parts.append("outside the selected region")
    return " · ".join(parts)


def year_span(values: pd.DataFrame, in_scope: Collection[str]) -> str:
    """The years of the values shown for the countries in scope: '2023', '2019–2024' or ''."""
    if "year" not in values:
        return ""
    years = pd.to_numeric(values.reindex(list(in_scope))["year"], errors="coerce").dropna()
    return "" if years.empty else year_range(years.min(), years.max())


def ranking_extra(scored: pd.DataFrame, stability: pd.Series | None = None,
                  top_k: int = 5) -> pd.DataFrame:
    """Columns a ranking table adds from the model: risk tier, flags, P(top k)."""
    out = pd.DataFrame({"Risk tier": scored["risk_tier"].fillna("no data"),
                        "Flags": scored["flags"].fillna("")}, index=scored.index)
    if stability is not None:
        out[f"P(top {top_k})"] = stability.reindex(scored.index)
    return out


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


def selected_feature(collection: dict, iso3: str) -> dict:
    """A FeatureCollection holding only the feature of ``iso3`` (empty if absent)."""
    return {"type": "FeatureCollection",
            "features": [f for f in collection["features"] if f.get("iso3") == iso3]}


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
