"""The details of one country (Explore's country tabs): its patient funnel, regulatory
start-up, friction and infrastructure components and every catalogued indicator."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from footprint.assumptions import FRICTION_WEIGHTS
from footprint.model import infrastructure, pool
from footprint.views.format import finite_or_none, format_value, source_label, year_text
from footprint.views.regions import member_of

# Display names of the friction components (keys of FRICTION_WEIGHTS).
FRICTION_LABELS: dict[str, str] = {
    "approval": "Approval time", "flags": "Friction flags",
    "regulatory_quality": "Regulatory quality (WGI)", "rule_of_law": "Rule of law (WGI)",
}


def country_summary(iso3: str, names: Mapping[str, str],
                    regions: Mapping[str, Sequence[str]]) -> str:
    """'Brazil (BRA) · Latin America' — plain text, for a heading."""
    where = member_of(iso3, regions) or "outside the six regions"
    return f"{names.get(iso3, iso3)} ({iso3}) · {where}"


def funnel_table(row: pd.Series, indication: pool.Indication,
                 eligibility_share: float) -> pd.DataFrame:
    """The patient funnel of one country: step, patients, share kept, what the step applies.

    ``eligibility_share`` [0-1].
    """
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
    return pd.DataFrame({
        "Component": [FRICTION_LABELS.get(k, k) for k in FRICTION_WEIGHTS],
        "Friction [0-100]": [finite_or_none(row.get(f"friction_{k}")) for k in FRICTION_WEIGHTS],
        "Weight": list(FRICTION_WEIGHTS.values()),
    }).fillna({"Friction [0-100]": np.nan})


def infrastructure_breakdown(row: pd.Series) -> pd.DataFrame:
    """Infrastructure risk components of one country [0-100 risk between anchors]."""
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


def country_indicator_table(latest: pd.DataFrame, catalogue: pd.DataFrame,
                            iso3: str) -> pd.DataFrame:
    """Every catalogued indicator of one country: value, unit, year, source, stale."""
    rows = latest[latest["iso3"] == iso3].set_index("indicator")
    rows = rows.reindex(catalogue.index)
    out = pd.DataFrame({
        "Indicator": catalogue["title"].to_numpy(),
        "Value": [format_value(v) for v in rows["value"]],
        "Unit": catalogue["unit"].to_numpy(),
        "Year": [year_text(y) or "—" for y in rows["year"]],
        "Source": [source_label(s) for s in catalogue["source_id"]],
        "Stale": rows["stale"].fillna(False).astype(bool).to_numpy(),
        "Code": catalogue.index.to_numpy(),
    })
    return out.sort_values("Indicator", kind="stable").reset_index(drop=True)
