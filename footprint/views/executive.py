"""What the Executive risk map shows: risk tiers over the six regions, the top countries of
each region and the flags that matter."""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping, Sequence

import pandas as pd

from footprint.assumptions import SLOW_APPROVAL_DAYS, TIER_HIGH_FROM, TIER_LOW_BELOW
from footprint.model import scoring
from footprint.views import maps
from footprint.views.format import format_value
from footprint.views.regions import member_of


def tier_properties(shapes: pd.DataFrame, scored: pd.DataFrame,
                    in_scope: Collection[str]) -> tuple[pd.DataFrame, list[maps.LegendEntry],
                                                        list[int]]:
    """Per mapped country: fill by risk tier (in scope) and escaped tooltip text
    (see :data:`maps.TOOLTIP_HTML`).

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
    """The tier rule in words, from the registered tier cut-offs."""
    return (f"Tier from the mean of regulatory friction and infrastructure risk [0-100]: low "
            f"below {TIER_LOW_BELOW:g}, high from {TIER_HIGH_FROM:g}, medium "
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
    """Countries in scope behind the gate (embargo, sanctions, war) or with slow approvals,
    worst first."""
    sub = frame.reindex(sorted(set(in_scope)))
    war = sub["gated"].fillna(False).astype(bool)
    slow = pd.to_numeric(sub["approval_days"], errors="coerce") >= SLOW_APPROVAL_DAYS
    hit = sub[war | slow]
    out = pd.DataFrame({
        "Country": hit["name"],
        "ISO3": hit.index,
        "Region": [member_of(c, regions) for c in hit.index],
        "War or sanctions": war[hit.index].to_numpy(),
        "Gate": hit["gate_label"].fillna("not in our table"),
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
        "Region": [member_of(c, regions) for c in sub.index],
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
