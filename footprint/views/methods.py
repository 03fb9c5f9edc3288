"""What the Data & methods page shows: sources, indicator coverage, the regulatory reference,
the regulators, the country gate, how the scores are computed, the named assumptions and the
known caveats."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

import pandas as pd

from footprint import assumptions
from footprint.model import friction, gate, infrastructure, pool, scoring
from footprint.views.format import MISSING, missing, source_label, year_range

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
# Columns of the named-assumptions table: registry field -> header.
_CONSTANT_COLUMNS = {"name": "Constant", "value": "Value", "unit": "Unit",
                     "meaning": "Meaning", "source": "Source", "kind": "Kind"}


def sources_table(sources: pd.DataFrame) -> pd.DataFrame:
    """The shipped sources for display: publisher, licence and years first."""
    columns = {"publisher": "Publisher", "title": "Title", "licence": "Licence",
               "years": "Years", "version": "Version", "source_id": "Id", "url": "Origin"}
    return sources[list(columns)].rename(columns=columns)


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
        "Latest years": [year_range(years.min().get(c), years.max().get(c))
                         for c in catalogue.index],
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


def regulatory_table(regulatory: pd.DataFrame) -> pd.DataFrame:
    """The regulatory reference rows (by ISO3 or region) with their sources, for display."""
    keep = [c for c in ("regulator", "clock_value", "clock_unit", "approval_low_days",
                        "approval_high_days", "startup_low_days", "startup_high_days",
                        "source", "as_of") if c in regulatory]
    out = regulatory[keep].copy()
    for column in ("regulator", "clock_unit", "source", "as_of"):
        if column in out:
            out[column] = out[column].fillna(MISSING)
    out.index.name = "Scope"
    return out.reset_index()


def regulators_table(regulators: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The authority that authorises trials in each member of the six regions, with its
    ethics note, source and as-of month (``ModelInputs.regulators``)."""
    return pd.DataFrame({
        "Country": [names.get(c, c) for c in regulators.index], "ISO3": regulators.index,
        "Regulator": regulators["regulator"].replace("", missing("no authorising body found")),
        "Ethics review": regulators["ethics_note"].replace("", MISSING),
        "Source": regulators["source"].replace("", MISSING),
        "As of": regulators["as_of"].fillna(MISSING),
    }).sort_values("Country", kind="stable").reset_index(drop=True)


def gate_table(frame: pd.DataFrame, in_scope: Collection[str]) -> pd.DataFrame:
    """The country gate of every member of the six regions, most severe first: level,
    whether it gates, the regimes and war note, source and as-of month
    (:func:`footprint.model.scoring.country_frame`'s gate columns)."""
    sub = frame.reindex(sorted(set(in_scope)))
    severity = sub["gate_level"].map({level: i for i, level in enumerate(gate.LEVELS)})
    out = pd.DataFrame({
        "Country": sub["name"], "ISO3": sub.index, "Gate": sub["gate_label"],
        "Gated": sub["gated"].astype(bool), "Detail": sub["gate_detail"].replace("", MISSING),
        "Regional conflict": sub["conflict_note"].replace("", MISSING),
        "As of": sub["gate_as_of"].replace("", MISSING), "Source": sub["gate_source"],
        "_severity": severity.to_numpy(),
    })
    return (out.sort_values(["_severity", "Country"], kind="stable")
            .drop(columns="_severity").reset_index(drop=True))


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
               ("The country gate: sanctions, embargoes and war", gate),
               ("Attractiveness, ranks, risk tiers", scoring))
    return [(title, docstring_markdown(module.__doc__)) for title, module in modules]


def model_constants() -> pd.DataFrame:
    """Every registered default, anchor and limit (:data:`footprint.assumptions.REGISTRY`):
    name, value, unit, meaning, source and kind, as text."""
    return pd.DataFrame(assumptions.table(), columns=list(_CONSTANT_COLUMNS)).rename(
        columns=_CONSTANT_COLUMNS)
