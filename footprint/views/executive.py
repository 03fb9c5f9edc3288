"""What the Executive risk map shows: risk tiers over the six regions (gated countries always
high, outlined), the top countries of each region and the flags that matter."""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping, Sequence

import pandas as pd

from footprint.assumptions import GATE_AS_OF, SLOW_APPROVAL_DAYS, TIER_HIGH_FROM, TIER_LOW_BELOW
from footprint.model import scoring
from footprint.model.gate import LEVELS
from footprint.views import maps
from footprint.views.format import MISSING, badged, format_value, missing
from footprint.views.regions import member_of

GATED_LEGEND = "gated: outline"


def tier_properties(shapes: pd.DataFrame, frame: pd.DataFrame,
                    in_scope: Collection[str]) -> tuple[pd.DataFrame, list[maps.LegendEntry],
                                                        list[int]]:
    """Per mapped country: fill by risk tier (in scope) and escaped tooltip text that names
    the gate (see :data:`maps.TOOLTIP_HTML`).

    Countries in scope with no tier are "no data" grey; the rest is neutral context. The
    legend ends with the gated countries' outline (counted apart: they are also high).
    """
    out = shapes[["iso3", "name"]].reset_index(drop=True).copy()
    joined = frame.reindex(out["iso3"])
    out["in_scope"] = out["iso3"].isin(set(in_scope)).to_numpy()
    tiers = [t if isinstance(t, str) and t in maps.TIER_COLORS else None
             for t in joined["risk_tier"]]
    gated = joined["gated"].fillna(False).astype(bool).to_numpy() & out["in_scope"].to_numpy()
    fills, counts = [], {t: 0 for t in (*maps.TIERS, "no data")}
    for tier, in_scope_ in zip(tiers, out["in_scope"], strict=True):
        if not in_scope_:
            fills.append(list(maps.CONTEXT_LAND))
            continue
        fills.append(list(maps.TIER_COLORS[tier] if tier else maps.NO_DATA))
        counts[tier or "no data"] += 1
    out["fill"] = fills
    out["risk_tier"] = [t or "no data" for t in tiers]
    labels = joined["gate_label"].fillna("").to_numpy()
    as_of = joined["gate_as_of"].fillna("").to_numpy()
    out["value_text"] = [
        html.escape(f"Risk: {t or 'no data'}"
                    + (f" · gated: {label} (as of {date})" if g else ""))
        for t, label, date, g in zip(tiers, labels, as_of, gated, strict=True)]
    out["detail_text"] = [
        html.escape(f"friction {format_value(f)} · infrastructure {format_value(i)} · "
                    + (f"Flags: {fl}" if isinstance(fl, str) and fl else "No flags"))
        if s else "outside the six regions"
        for f, i, fl, s in zip(joined["friction_index"], joined["infrastructure_risk"],
                               joined["flags"], out["in_scope"], strict=True)]
    out["name"] = out["name"].map(lambda n: html.escape(str(n)))
    legend = [maps.LegendEntry(maps.TIER_COLORS[t], t) for t in maps.TIERS]
    legend.append(maps.LegendEntry(maps.NO_DATA, "no data"))
    legend.append(maps.LegendEntry(maps.GATED_LINE, GATED_LEGEND))
    return out, legend, [*counts.values(), int(gated.sum())]


def tier_rule() -> str:
    """The tier rule in words, from the registered tier cut-offs."""
    return (f"Tier from the mean of regulatory friction and infrastructure risk [0-100]: low "
            f"below {TIER_LOW_BELOW:g}, high from {TIER_HIGH_FROM:g}, medium "
            f"between; a gated country (embargo, sanctions or war, as of {GATE_AS_OF}) is "
            "always high and outlined in purple.")


def top_per_region(frame: pd.DataFrame, weights: scoring.Weights,
                   regions: Mapping[str, Sequence[str]], n: int = 3,
                   include_gated: bool = False) -> pd.DataFrame:
    """The ``n`` most attractive countries of each region with tier and flags; gated
    countries are left out, or ranked with the gate penalty and badged when
    ``include_gated``."""
    rows = []
    for region in sorted(regions):
        scored = scoring.score(frame, weights, list(regions[region]), include_gated).head(n)
        for iso3, r in scored.iterrows():
            rows.append({"Region": region, "Rank": r["rank"],
                         "Country": badged(r["name"], bool(r["gated"])),
                         "Attractiveness [0-100]": r["attractiveness"],
                         "Risk tier": r["risk_tier"] or missing("no data"),
                         "Reachable patients": r["reachable_patients"],
                         "Flags": r["flags"] or "none", "ISO3": iso3})
    out = pd.DataFrame(rows)
    if not out.empty:
        out["Rank"] = pd.array(out["Rank"], dtype="Int64")
    return out


def flags_that_matter(frame: pd.DataFrame, in_scope: Collection[str],
                      regions: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Countries in scope behind the gate (embargo, sanctions, war; most severe first) or
    with slow approvals (slowest first)."""
    sub = frame.reindex(sorted(set(in_scope)))
    gated = sub["gated"].fillna(False).astype(bool)
    approval = pd.to_numeric(sub["approval_days"], errors="coerce")
    hit = sub[gated | (approval >= SLOW_APPROVAL_DAYS)]
    severity = hit["gate_level"].map({level: i for i, level in enumerate(LEVELS)})
    out = pd.DataFrame({
        "Country": [badged(n, g) for n, g in zip(hit["name"], gated[hit.index], strict=True)],
        "Gate": hit["gate_label"].fillna("not in our table"),
        "Gate as of": hit["gate_as_of"].replace("", MISSING).fillna(MISSING),
        "Approval [days]": approval[hit.index].round(),
        "Approval basis": hit["approval_basis"].fillna(missing("no data")),
        "Risk tier": hit["risk_tier"].fillna(missing("no data")),
        "Flags": hit["flags"].fillna("").replace("", "none"),
        "Region": [member_of(c, regions) for c in hit.index],
        "ISO3": hit.index,
        "_gated": gated[hit.index].to_numpy(),
        "_severity": severity.to_numpy(),
    })
    return (out.sort_values(["_gated", "_severity", "Approval [days]"],
                            ascending=[False, True, False], kind="stable")
            .drop(columns=["_gated", "_severity"]).reset_index(drop=True))


def tier_table(frame: pd.DataFrame, in_scope: Collection[str],
               regions: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Every country in scope with its tier, gate and the scores behind it (for download)."""
    sub = frame.reindex(sorted(set(in_scope)))
    order = {t: i for i, t in enumerate(reversed(maps.TIERS))}
    out = pd.DataFrame({
        "Country": sub["name"], "ISO3": sub.index,
        "Region": [member_of(c, regions) for c in sub.index],
        "Risk tier": sub["risk_tier"].fillna(missing("no data")),
        "Gate": sub["gate_label"].fillna("not in our table"),
        "Gate as of": sub["gate_as_of"].replace("", MISSING).fillna(MISSING),
        "Combined risk [0-100]": sub["combined_risk"],
        "Regulatory friction [0-100]": sub["friction_index"],
        "Infrastructure risk [0-100]": sub["infrastructure_risk"],
        "Expected start-up [days]": sub["startup_days_mean"].round(),
        "Flags": sub["flags"].fillna("").replace("", "none"),
    })
    out["_order"] = out["Risk tier"].map(order).fillna(len(order))
    return (out.sort_values(["_order", "Combined risk [0-100]"], ascending=[True, False],
                            kind="stable").drop(columns="_order").reset_index(drop=True))
