"""The details of one country (Explore's country tabs): its gate, patient funnel, regulatory
start-up, friction and infrastructure components (each with its total), how its
attractiveness is made of its weighted parts, its trial landscape, and every catalogued
indicator."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from footprint.assumptions import (
    APPROVAL_ANCHOR_DAYS,
    EXPERIENCE_SCORE_ANCHORS,
    FRICTION_WEIGHTS,
    MIN_COMPONENTS,
    POOL_SCORE_ANCHORS,
    RISK_ANCHORS,
    WAR_RISK_FLOOR,
)
from footprint.data import landscape
from footprint.model import friction, infrastructure, pool, scoring
from footprint.views.format import (
    MISSING,
    finite_or_none,
    format_value,
    links_markdown,
    markdown_escape,
    missing,
    source_label,
    year_range,
    year_text,
)
from footprint.views.regions import member_of

# Display names of the friction components (keys of FRICTION_WEIGHTS).
FRICTION_LABELS: dict[str, str] = {
    "approval": "Approval time", "flags": "Friction flags",
    "regulatory_quality": "Regulatory quality (WGI)", "rule_of_law": "Rule of law (WGI)",
}
# The parts of attractiveness, by score column (scoring.SCORES, then scoring.EXPERIENCE).
PART_LABELS: dict[str, str] = {
    "pool_score": "Patient pool",
    "friction_score": "Regulatory friction (100 − index)",
    "infrastructure_score": "Infrastructure (100 − risk)",
    scoring.EXPERIENCE: "Trial experience",
}
PENALTY_LABEL = "Gate penalty"
_AGE_SHARES = tuple(code for code, _, _ in pool.BROAD_BANDS)
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def country_summary(iso3: str, names: Mapping[str, str],
                    regions: Mapping[str, Sequence[str]]) -> str:
    """'Brazil (BRA) · Latin America' — plain text, for a heading."""
    where = member_of(iso3, regions) or "outside the six regions"
    return f"{names.get(iso3, iso3)} ({iso3}) · {where}"


def country_years(latest: pd.DataFrame, iso3: str) -> dict[str, int]:
    """Indicator code -> year of one country's latest value (``atlas.latest_indicators``)."""
    rows = latest[(latest["iso3"] == iso3) & latest["year"].notna()]
    return {str(c): int(y) for c, y in zip(rows["indicator"], rows["year"], strict=True)}


def gate_facts(row: pd.Series) -> tuple[str, str]:
    """(severity, Markdown) of a country's gate: ``"gated"`` (embargo, sanctions or war),
    ``"note"`` (targeted sanctions or a regional conflict) or ``"none"``; the text names the
    gate, its detail, its as-of month and its sources as links."""
    level, label = str(row["gate_level"]), str(row["gate_label"])
    if level == "not_in_table":
        return "none", ("**Gate: not in our table.** Sanctions and war are recorded for the "
                        "members of the six regions only; unknown here, not “safe”.")
    as_of = row["gate_as_of"] or MISSING
    text = f"**Gate: {markdown_escape(label)}** (as of {markdown_escape(as_of)})."
    if row["gate_detail"]:
        text += f" {markdown_escape(row['gate_detail'])}"
    if row["conflict_note"]:
        text += f" Regional conflict: {markdown_escape(row['conflict_note'])}"
    text += f"  \nSources: {links_markdown(row['gate_source'])}"
    severity = ("gated" if bool(row["gated"]) else
                "note" if level == "targeted" or row["conflict_note"] else "none")
    return severity, text


def funnel_table(row: pd.Series, indication: pool.Indication, eligibility_share: float,
                 years: Mapping[str, int]) -> pd.DataFrame:
    """The patient funnel of one country: step, count, share kept, year and source.

    ``eligibility_share`` [0-1]; ``years`` is :func:`country_years`. A missing count or year
    reads why in the text columns; counts are exact (round them for display).
    """
    per = "new patients per year" if indication.unit == "incident_per_year" else "patients"
    age_years = [years[c] for c in _AGE_SHARES if c in years]
    diagnosed_year = (year_text(years.get(indication.diagnosed_metric))
                      if indication.diagnosed_metric else _years_named(row["diagnosed_source"]))
    band = pool.band_label(indication.age_low, indication.age_high)
    who = "" if indication.sex == "both" else f", {indication.sex}s only"
    wpp = row["band_basis"] == pool.WPP_BASIS
    steps = [
        ("Population in the age band", "population_in_band",
         f"WDI population (SP.POP.TOTL) × share aged {band}{who}: {row['band_basis']}",
         _years(year_text(row["population_year"]), "2025" if wpp else
                year_range(min(age_years), max(age_years)) if age_years else "")),
        ("Prevalent patients" if indication.unit == "prevalent" else "New cases per year",
         "prevalent_patients",
         f"{indication.name} rate: {row['pool_source']} · {row['rate_step']}",
         year_text(row["pool_year"]) or missing("assumption" if indication.kind != "indicator"
                                                else "no data")),
        ("Diagnosed", "diagnosed_patients", str(row["diagnosed_source"]),
         diagnosed_year or missing("not applicable")),
        ("Eligible", "eligible_patients",
         f"eligibility share {eligibility_share:.0%} (assumption, set in the sidebar)",
         missing("assumption")),
        ("Reachable", "reachable_patients",
         "WDI urban share of the population (SP.URB.TOTL.IN.ZS)",
         year_text(years.get("SP.URB.TOTL.IN.ZS")) or missing("no data")),
    ]
    values = [finite_or_none(row.get(col)) for _, col, _, _ in steps]
    kept = [missing("first step")]
    for before, after in zip(values, values[1:], strict=False):
        kept.append(missing("no data") if before is None or after is None or before == 0
                    else format_value(after / before * 100, "%"))
    return pd.DataFrame({
        "Step": [s for s, _, _, _ in steps],
        f"Count [{per}]": [np.nan if v is None else round(v) for v in values],
        "Kept": kept,
        "Year": [y for _, _, _, y in steps],
        "Source": [s for _, _, s, _ in steps],
    })


def _years(*texts: str) -> str:
    shown = [t for t in texts if t and t != MISSING]
    return " · ".join(dict.fromkeys(shown)) or missing("no data")


def _years_named(text) -> str:
    found = [int(m.group(0)) for m in _YEAR.finditer(str(text))]
    return year_range(min(found), max(found)) if found else ""


def funnel_total(row: pd.Series, indication: pool.Indication) -> str:
    """The funnel's total and the pool score it gives, in words."""
    per = "new patients per year" if indication.unit == "incident_per_year" else "patients"
    low, high, _ = POOL_SCORE_ANCHORS
    return (f"Total: {format_value(row['reachable_patients'], per)} reachable "
            f"(three significant figures) → pool score "
            f"{format_value(row['pool_score'], '/ 100')} (log scale: 0 at "
            f"{format_value(low)}, 100 at {format_value(high)} reachable patients).")


def friction_breakdown(row: pd.Series) -> pd.DataFrame:
    """Friction components of one country [0-100] with their weights [%], then the total
    (the friction index: the weighted mean of the components present)."""
    raised = [bool(row[f]) for f in friction.FLAGS if pd.notna(row[f])]
    notes = {
        "approval": (f"{format_value(row['approval_days'], 'days')} ({row['approval_basis']}) "
                     f"against a {APPROVAL_ANCHOR_DAYS:g}-day anchor"),
        "flags": (f"{sum(raised)} of {len(friction.FLAGS)} process flags raised" if raised else
                  "flags unknown: no regulatory row (left out, the others re-weighted)"),
        "regulatory_quality": "World Bank WGI estimate: 2.5 → 0, −2.5 → 100",
        "rule_of_law": "World Bank WGI estimate: 2.5 → 0, −2.5 → 100",
    }
    values = [finite_or_none(row[f"friction_{k}"]) for k in FRICTION_WEIGHTS]
    used = int(row["friction_components_used"])
    return pd.DataFrame({
        "Component": [FRICTION_LABELS[k] for k in FRICTION_WEIGHTS] + ["Friction index"],
        "Friction [0-100]": [np.nan if v is None else v for v in values]
        + [_number(row["friction_index"])],
        "Weight [%]": [w * 100 for w in FRICTION_WEIGHTS.values()] + [100.0],
        "Note": [notes[k] if v is not None else missing("no data: left out")
                 for k, v in zip(FRICTION_WEIGHTS, values, strict=True)]
        + [f"total: weighted mean of the {used} of {len(FRICTION_WEIGHTS)} components present"],
    })


def infrastructure_breakdown(row: pd.Series) -> pd.DataFrame:
    """Infrastructure risk components of one country [0-100 risk between anchors], then the
    total (their mean; at least the gate floor while gated)."""
    names = list(infrastructure.RISK_COMPONENTS)
    risks = [finite_or_none(row[f"infra_{n}"]) for n in names]
    used = int(row["infrastructure_components_used"])
    total = _number(row["infrastructure_risk"])
    note = f"total: mean of the {used} of {len(names)} components present"
    if np.isnan(total):
        note = missing(f"no score: fewer than {MIN_COMPONENTS} components")
    elif bool(row["gated"]):
        note += f"; at least {WAR_RISK_FLOOR:g} while gated ({row['gate_label']})"
    return pd.DataFrame({
        "Component": [n.replace("_", " ").capitalize() for n in names] + ["Infrastructure risk"],
        "Risk [0-100]": [np.nan if r is None else r for r in risks] + [total],
        "Indicator": list(infrastructure.RISK_COMPONENTS.values()) + [""],
        "Anchors": [_anchors(n) if r is not None else missing("no data: left out")
                    for n, r in zip(names, risks, strict=True)] + [note],
    })


def _anchors(name: str) -> str:
    zero, hundred, scale = RISK_ANCHORS[name]
    return f"risk 0 at {format_value(zero)}, 100 at {format_value(hundred)} ({scale})"


def _number(value) -> float:
    v = finite_or_none(value)
    return np.nan if v is None else v


def startup_facts(row: pd.Series, regulators: pd.DataFrame) -> pd.DataFrame:
    """Regulator, ethics review, approval and start-up of one country, each with its basis.

    ``regulators`` is ``ModelInputs.regulators`` (every member of the six regions); an
    approval with no sourced figure reads *assumed* (its region's median).
    """
    iso3 = row.name
    reg = regulators.loc[iso3] if iso3 in regulators.index else None
    regulator = (reg["regulator"] if reg is not None and reg["regulator"] else
                 missing("no authorising body found: see the ethics note") if reg is not None
                 else row["regulator"] if isinstance(row["regulator"], str) and row["regulator"]
                 else missing("not in our table"))
    ethics = (reg["ethics_note"] if reg is not None and reg["ethics_note"]
              else missing("not in our table"))
    basis = str(row["approval_basis"])
    approval = format_value(row["approval_days"], "days")
    if basis == "assumed":
        approval += " (assumed)"
        where = ("the median of its region's sourced countries" if row["regions"] else
                 "the survey start-up less site activation (outside the six regions)")
        approval_basis = f"ASSUMED: no sourced figure for this country; {where}"
    else:
        approval_basis = {"observed": "observed range (midpoint), sourced",
                          "statutory clock": "statutory clock in calendar days, sourced"}.get(
                              basis, basis)
    startup = (f"{format_value(row['startup_days_mean'], 'days')} ± "
               f"{format_value(row['startup_days_sd'], 'days')}")
    startup_basis = str(row["startup_basis"]) + (
        " — ASSUMED" if bool(row["startup_assumed"]) else "")
    flags = row["flags"] if isinstance(row["flags"], str) and row["flags"] else "none"
    as_of = row["regulatory_as_of"]
    facts = [
        ("Regulator", regulator, "as of " + (reg["as_of"] if reg is not None and reg["as_of"]
                                             else MISSING)),
        ("Ethics review", ethics, ""),
        ("Approval", approval, approval_basis),
        ("Start-up (mean ± sd)", startup, startup_basis),
        ("Flags", flags, ""),
        ("Timelines as of", as_of if isinstance(as_of, str) and as_of else missing(
            "no regulatory row: the region's median is assumed"), ""),
    ]
    return pd.DataFrame(facts, columns=["Item", "Value", "Basis"])


def regulatory_sources(row: pd.Series, regulators: pd.DataFrame) -> str:
    """Markdown: the sources of the regulator and of the timelines, as links."""
    iso3 = row.name
    reg = regulators.loc[iso3] if iso3 in regulators.index else None
    timelines = row["regulatory_source"]
    return ("Sources — regulator: "
            + (links_markdown(reg["source"]) if reg is not None and reg["source"]
               else missing("not in our table"))
            + "; timelines: "
            + (links_markdown(timelines) if isinstance(timelines, str) and timelines
               else missing("no regulatory row")) + ".")


def attractiveness_parts(row: pd.Series, weights: scoring.Weights) -> pd.DataFrame:
    """How attractiveness is made: each score's weight [%] (re-normalised over the scores
    present, as the model does), score [0-100] and points (weight x score), then the gate
    penalty (negative points) when the row's attractiveness carries one.

    ``row`` is a row of :func:`footprint.model.scoring.score` (``include_gated=True`` for a
    gated country); the points sum to its ``attractiveness``.
    """
    columns = weights.components()
    scores = np.array([_number(row[s]) for s in columns])
    present = ~np.isnan(scores)
    w = weights.normalised() * present
    share = w / w.sum() if w.sum() > 0 else w
    points = np.where(present, share * np.nan_to_num(scores), np.nan)
    out = pd.DataFrame({"Part": [PART_LABELS[c] for c in columns], "Weight [%]": share * 100,
                        "Score [0-100]": scores, "Points": points})
    penalty = float(np.nansum(points)) - _number(row["attractiveness"])
    if penalty > 1e-9:
        out.loc[len(out)] = [PENALTY_LABEL, np.nan, np.nan, -penalty]
    return out


def parts_text(parts: pd.DataFrame) -> str:
    """'Patient pool 33 % × 39.7 = 13.2 + … = 58.1 / 100': the sum of
    :func:`attractiveness_parts`, in words."""
    terms, total = [], 0.0
    for _, part in parts.iterrows():
        if pd.isna(part["Points"]):
            terms.append(f"{part['Part']}: {missing('no data: left out')}")
            continue
        total += float(part["Points"])
        if part["Part"] == PENALTY_LABEL:
            terms.append(f"{PENALTY_LABEL} −{abs(part['Points']):.1f}")
        else:
            terms.append(f"{part['Part']} {part['Weight [%]']:.0f} % × "
                         f"{part['Score [0-100]']:.1f} = {part['Points']:.1f}")
    return " + ".join(terms) + f" → attractiveness {total:.1f} / 100."


def landscape_facts(row: pd.Series, meta: pd.Series | None) -> pd.DataFrame:
    """The trial landscape of one country: item, value and basis (empty when the landscape
    is unavailable; :func:`landscape_caption` says why).

    ``row`` is a row of :func:`footprint.model.scoring.country_frame`; ``meta`` is
    ``ModelInputs.landscape_meta``.
    """
    if meta is None or not bool(meta["available"]):
        return pd.DataFrame(columns=["Item", "Value", "Basis"])
    window = f"{meta['window_from']:%Y-%m} to {meta['window_to']:%Y-%m}"
    low, high, _ = EXPERIENCE_SCORE_ANCHORS
    studies = finite_or_none(row["studies"])
    facts = [
        ("Registered studies", format_value(row["studies"], "studies"),
         "distinct NCT numbers with a location here (all years; removed locations not "
         "counted)"),
        ("Registered in the last five years (estimate)",
         format_value(row["studies_recent"], "studies"),
         f"{window}: each study dated from its NCT number by a monotone map (median error "
         f"{float(meta['median_abs_error_days']):.0f} days): an estimate"),
        ("Studies per million people", format_value(row["studies_per_million"]),
         "registered studies (all years) over the latest World Bank population"),
        ("Multinational share",
         format_value(row["multinational_share"] * 100, "%") if studies else
         missing("no registered studies"),
         "share of its studies with locations in two or more countries"),
        ("Crowding [studies per 100,000 eligible patients]", format_value(row["crowding"]),
         "registered studies (every indication) per 100,000 eligible patients of this "
         "indication: an indicator, not scored"),
        ("Trial-experience score", format_value(row[scoring.EXPERIENCE], "/ 100"),
         f"studies per million on a log scale: 0 at {format_value(low)}, 100 at "
         f"{format_value(high)}; counted in "
         "attractiveness only when its weight is above 0"),
    ]
    return pd.DataFrame(facts, columns=["Item", "Value", "Basis"])


def landscape_caption(meta: pd.Series | None) -> str:
    """The landscape's source, snapshot and under-count caveat, or why it is unavailable."""
    if meta is None or not bool(meta["available"]):
        reason = meta["reason"] if meta is not None else "the database has no landscape"
        return f"Trial landscape not available: {reason}"
    return (f"Source: {landscape.SOURCE} (newest study {meta['newest_nct']}). "
            f"{landscape.UNDER_COUNT} Counts are of registered studies of every kind, not of "
            "recruiting trials.")


def country_indicator_table(latest: pd.DataFrame, catalogue: pd.DataFrame,
                            iso3: str) -> pd.DataFrame:
    """Every catalogued indicator of one country: value (three significant figures), unit,
    year, source, stale."""
    rows = latest[latest["iso3"] == iso3].set_index("indicator")
    rows = rows.reindex(catalogue.index)
    out = pd.DataFrame({
        "Indicator": catalogue["title"].to_numpy(),
        "Value": [format_value(v) for v in rows["value"]],
        "Unit": catalogue["unit"].to_numpy(),
        "Year": [year_text(y) or MISSING for y in rows["year"]],
        "Source": [source_label(s) for s in catalogue["source_id"]],
        "Stale": rows["stale"].fillna(False).astype(bool).to_numpy(),
        "Code": catalogue.index.to_numpy(),
    })
    return out.sort_values("Indicator", kind="stable").reset_index(drop=True)
