"""What the Explore page shows: a metric's choropleth over the selected scope, its ranking
(gated countries left out or badged), the score weights and the country a click on the map
picks."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from footprint.assumptions import GATE_PENALTY_POINTS
from footprint.model import scoring
from footprint.views import maps
from footprint.views.format import (
    MISSING,
    badged,
    format_value,
    missing,
    year_range,
    year_text,
)
from footprint.views.metrics import Metric

# Anchor of the country details heading: a map click scrolls there (:func:`scroll_script`).
DETAILS_ANCHOR = "country-details"


def weights_from(pool_weight: float, friction_weight: float, infrastructure_weight: float,
                 experience_weight: float = 0.0) -> tuple[scoring.Weights, str | None]:
    """Score weights from the sliders; equal weights with a warning if they are unusable
    (all zero: a trial-experience weight alone is a usable weighting)."""
    weights = scoring.Weights(pool_weight, friction_weight, infrastructure_weight,
                              experience_weight)
    try:
        weights.normalised()
    except ValueError as exc:
        return scoring.Weights(), f"Weights ignored ({exc}); using equal weights."
    return weights, None


def map_properties(shapes: pd.DataFrame, values: pd.DataFrame, metric: Metric,
                   in_scope: Collection[str], gates: pd.DataFrame,
                   include_gated: bool = False,
                   reference: Collection[str] | None = None,
                   ) -> tuple[pd.DataFrame, list[maps.LegendEntry], list[int], str]:
    """Per mapped country: fill colour and escaped tooltip text for one metric.

    Ranked countries in ``in_scope`` are coloured by quantile classes (quintiles) of their
    values; with fewer than five distinct values (a one-country region) the classes come from
    ``reference`` (default: every mapped country) so the colour still means something.
    Missing values are "no data" grey; countries out of scope are neutral context. Gated
    countries in scope (``gates``: :func:`footprint.model.scoring.country_frame`'s
    ``gated``, ``gate_label`` and ``gate_as_of``) are left out unless ``include_gated``: dark
    grey, never a ranked colour; included, they are coloured and their tooltip names the gate.

    Returns
    -------
    frame : ``shapes`` order, columns iso3, name, value, in_scope, fill, value_text,
        detail_text (tooltip strings, HTML-escaped; see :data:`maps.TOOLTIP_HTML`).
    legend : class entries, "no data", then "left out: gated" when any is.
    counts : in-scope countries per legend entry.
    basis : one sentence saying what the classes are quantiles of.
    """
    frame = shapes[["iso3", "name"]].reset_index(drop=True).copy()
    joined = values.reindex(frame["iso3"])
    gate = gates.reindex(frame["iso3"])
    frame["value"] = _finite(joined["value"]).to_numpy()
    frame["year"] = joined["year"].to_numpy() if "year" in joined else None
    frame["source"] = joined["source"].to_numpy() if "source" in joined else ""
    frame["stale"] = joined["stale"].fillna(False).astype(bool).to_numpy() if (
        "stale" in joined) else False
    frame["note"] = joined["note"].fillna("").to_numpy() if "note" in joined else ""
    frame["in_scope"] = frame["iso3"].isin(set(in_scope))
    gated = gate["gated"].fillna(False).astype(bool).to_numpy() & frame["in_scope"]
    left_out = gated & (not include_gated)
    ranked = frame["in_scope"] & ~left_out
    scoped = frame.loc[ranked, "value"]
    if scoped.dropna().nunique() >= 5:
        edges = maps.quantile_breaks(scoped)
        basis = (f"Classes: quintiles of the {int(scoped.notna().sum())} ranked countries in "
                 "scope.")
    else:
        ref = frame["value"] if reference is None else frame.loc[
            frame["iso3"].isin(set(reference)), "value"]
        edges = maps.quantile_breaks(ref)
        basis = (f"Classes: world quintiles ({int(ref.notna().sum())} countries with a value), "
                 "since the selection has too few countries to class on its own.")
    colors, legend, _ = maps.classify_breaks(frame["value"], metric.ramp, edges, "")
    frame["fill"] = [list(maps.GATED_FILL) if out else list(c) if s else list(maps.CONTEXT_LAND)
                     for c, s, out in zip(colors, ranked, left_out, strict=True)]
    _, _, counts = maps.classify_breaks(scoped, metric.ramp, edges, "")
    if left_out.any():
        legend.append(maps.LegendEntry(maps.GATED_FILL, "left out: gated"))
        counts.append(int(left_out.sum()))
    labels, as_of = gate["gate_label"].fillna("").to_numpy(), gate["gate_as_of"].fillna("")
    frame["value_text"] = [
        html.escape(_value_text(metric, v, label, g, out))
        for v, label, g, out in zip(frame["value"], labels, gated, left_out, strict=True)]
    frame["detail_text"] = [
        html.escape(_detail(y, src, stale, s, note, date if g else "", out))
        for y, src, stale, s, note, date, g, out in zip(
            frame["year"], frame["source"], frame["stale"], frame["in_scope"], frame["note"],
            as_of, gated, left_out, strict=True)]
    frame["name"] = frame["name"].map(lambda n: html.escape(str(n)))
    return frame, legend, counts, basis


def _value_text(metric: Metric, value, label: str, gated: bool, left_out: bool) -> str:
    if left_out:
        return f"Gated ({label}): left out of the ranking"
    text = f"{metric.title}: {format_value(value, metric.unit)}"
    if gated:
        penalty = (f", after {GATE_PENALTY_POINTS:g} points off"
                   if metric.id == "attractiveness" else "")
        text += f" · gated: {label}{penalty}"
    return text


def _detail(year, source, stale, in_scope, note="", gate_as_of="", left_out=False) -> str:
    parts = []
    if gate_as_of:
        parts.append(f"gate as of {gate_as_of}")
    if left_out:
        parts.append("include gated countries (sidebar) to rank it")
    elif year_text(year):
        parts.append(year_text(year) + (" (stale)" if stale else ""))
    if isinstance(source, str) and source and not left_out:
        parts.append(source)
    if isinstance(note, str) and note and not left_out:
        parts.append(note)
    if not in_scope:
        parts.append("outside the selected scope")
    return " · ".join(parts)


def year_span(values: pd.DataFrame, in_scope: Collection[str]) -> str:
    """The years of the values shown for the countries in scope: '2023', '2019–2024' or ''."""
    if "year" not in values:
        return ""
    years = pd.to_numeric(values.reindex(list(in_scope))["year"], errors="coerce").dropna()
    return "" if years.empty else year_range(years.min(), years.max())


def ranking_extra(scored: pd.DataFrame, stability: pd.Series | None = None,
                  top_k: int = 5) -> pd.DataFrame:
    """Columns a ranking table adds from the model: risk tier, P(top k), flags."""
    out = pd.DataFrame({"Risk tier": scored["risk_tier"].fillna(missing("no data"))},
                       index=scored.index)
    if stability is not None:
        out[f"P(top {top_k})"] = stability.reindex(scored.index)
    out["Flags"] = scored["flags"].fillna("").replace("", "none")
    return out


def ranking_table(values: pd.DataFrame, names: Mapping[str, str], metric: Metric,
                  ranked: Sequence[str], extra: pd.DataFrame | None = None,
                  gated: Collection[str] = ()) -> pd.DataFrame:
    """The ``ranked`` countries on a metric, best first (missing values last).

    Columns: Rank, Country, '<title> [unit]' (the value first), the columns of ``extra``
    (indexed by iso3, e.g. risk tier and flags), Components (model scores), Year and Stale
    (when the values have years), Source, ISO3. A missing value's Source says "no data".
    Countries in ``gated`` carry the gate badge after their name. Neutral metrics
    (``higher_is_better`` None) rank highest first.
    """
    codes = list(ranked)
    joined = values.reindex(codes)
    value = _finite(joined["value"])
    source = (joined["source"].fillna("").astype(str) if "source" in joined
              else pd.Series("", index=joined.index))
    badge = set(gated)
    table = pd.DataFrame({
        "Country": [badged(names.get(c, c), c in badge) for c in codes],
        metric.label: value.to_numpy(dtype=float),
    })
    if extra is not None:
        for column in extra.columns:
            table[column] = extra[column].reindex(codes).to_numpy()
    if "note" in joined:
        table["Components"] = joined["note"].fillna(MISSING).to_numpy()
    if "year" in joined and joined["year"].notna().any():  # scores mix years: none shown
        table["Year"] = pd.array(joined["year"].to_numpy(), dtype="Int64")
        table["Stale"] = (joined["stale"].fillna(False).astype(bool).to_numpy()
                          if "stale" in joined else False)
    table["Source"] = [(s or MISSING) if pd.notna(v) else (f"no data ({s})" if s else "no data")
                       for s, v in zip(source, value, strict=True)]
    table["ISO3"] = codes
    ascending = metric.higher_is_better is False
    table = table.sort_values([metric.label, "Country"], ascending=[ascending, True],
                              na_position="last", kind="stable").reset_index(drop=True)
    rank = table[metric.label].rank(method="min", ascending=ascending)
    table.insert(0, "Rank", pd.array(rank.to_numpy(), dtype="Int64"))
    return table


def _finite(values: pd.Series) -> pd.Series:
    """Numbers with every missing or infinite value as NaN (no data, never a colour)."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers))


def gated_country_notice(frame: pd.DataFrame, iso3: str | None, include_gated: bool) -> str:
    """What the page says when the open country is gated and gated countries are left out
    ('' otherwise): it is shown, not ranked."""
    if not iso3 or include_gated or iso3 not in frame.index or not bool(frame.at[iso3, "gated"]):
        return ""
    row = frame.loc[iso3]
    return (f"{row['name']} is gated ({row['gate_label']}, as of {row['gate_as_of']}): it is "
            "left out of rankings, so it has no rank here. Its details are below; switch on "
            "“Include gated countries” in the sidebar to rank it with "
            f"{GATE_PENALTY_POINTS:g} points off its attractiveness.")


def scroll_script(anchor: str, nonce: int) -> str:
    """HTML that scrolls the page to the element with id ``anchor`` once it is drawn (after a
    map click; ``nonce`` makes each click's script new so it runs again)."""
    if not re.fullmatch(r"[a-z0-9-]+", anchor):
        raise ValueError("an anchor is lower-case letters, digits and hyphens")
    return (f"<script data-nonce='{int(nonce)}'>setTimeout(function() {{"
            f"var el = document.getElementById('{anchor}');"
            "if (el) { el.scrollIntoView({behavior: 'smooth', block: 'start'}); }"
            "}, 400);</script>")


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
