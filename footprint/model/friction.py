"""Regulatory friction: expected start-up time and a friction index per country.

Regulatory reference rows (data/regulatory_startup.csv) are keyed by an ISO3 code or by a
region whose members inherit the row (every EU member gets the CTR clock); a country row
overrides its region row cell by cell.

Start-up time [calendar days]
-----------------------------
1. Approval: the midpoint of an observed approval range if sourced, else the statutory clock
   converted to calendar days (working and business days x 7/5; holidays ignored), else the
   median approval of the sourced countries of its region (the slowest such median when it
   is in several regions; "assumed"), else
   :data:`GLOBAL_APPROVAL_DAYS` ("assumed").
2. Start-up: an observed total start-up range if sourced (the US site-activation figures),
   else approval + ``site_activation_days`` (an assumption the user can change: contracts,
   site initiation and local ethics after approval, :data:`DEFAULT_SITE_ACTIVATION_DAYS`).
3. Spread: an observed range is read as P10-P90 of a normal, so sd = (high - low) / 2.563;
   otherwise sd = :data:`STARTUP_CV` x mean (assumption).

Friction index [0-100, higher = more friction]
----------------------------------------------
Weighted mean of the available components, each 0-100 against fixed anchors (so a score
means the same whatever the selection):
- approval time: 0 days -> 0, :data:`APPROVAL_ANCHOR_DAYS` or more -> 100 (weight 0.4);
- friction flags: share of the six flags raised x 100 (weight 0.2; unknown when the country
  has no regulatory row, never zero);
- WGI regulatory quality and rule of law: estimate -2.5 -> 100, +2.5 -> 0 (weight 0.2 each).
Missing components are dropped and the weights re-normalised; ``friction_components_used``
counts what was used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.assumptions import (
    APPROVAL_ANCHOR_DAYS,
    DEFAULT_SITE_ACTIVATION_DAYS,
    FRICTION_WEIGHTS,
    GLOBAL_APPROVAL_DAYS,
    STARTUP_CV,
)
from footprint.data.model_inputs import ModelInputs
from footprint.model.components import weighted_mean
from footprint.model.scales import anchored

CLOCK_UNITS = {"calendar_days": 1.0, "working_days": 7 / 5, "business_days": 7 / 5}
FLAGS = ("import_permit", "sample_export_restriction", "local_legal_representative",
         "translation", "sequential_ethics")
P10_P90_WIDTH_SD = 2.563  # a normal's P10-P90 width in standard deviations


def clock_calendar_days(value: float, unit: str) -> float:
    """A statutory clock in calendar days [days].

    Raises
    ------
    ValueError
        Unknown unit; the message lists the allowed ones.
    """
    if unit not in CLOCK_UNITS:
        raise ValueError(f"unknown clock unit {unit!r}; choose one of {sorted(CLOCK_UNITS)}")
    return float(value) * CLOCK_UNITS[unit]


def regulatory_rows(inputs: ModelInputs) -> pd.DataFrame:
    """One merged regulatory row per country: its own row over its region's row."""
    reg = inputs.regulatory
    members = inputs.countries["regions"].explode().dropna().rename("region")
    from_region = members.to_frame().join(reg, on="region", how="inner").drop(columns="region")
    from_region = from_region[~from_region.index.duplicated()]
    own = reg.loc[reg.index.intersection(inputs.countries.index)]
    return own.combine_first(from_region).reindex(index=inputs.countries.index,
                                                  columns=reg.columns)


def startup(inputs: ModelInputs,
            site_activation_days: float = DEFAULT_SITE_ACTIVATION_DAYS) -> pd.DataFrame:
    """Approval and start-up time per country [days] with their basis.

    Returns
    -------
    DataFrame indexed by iso3: ``approval_days``, ``approval_basis`` (observed / statutory /
    assumed), ``startup_days_mean``, ``startup_days_sd``, ``startup_basis``,
    ``startup_assumed`` (bool), ``clock_days``, ``regulator``, ``regulatory_source``,
    ``regulatory_as_of`` and the five process flags (NaN when unknown).
    """
    if site_activation_days < 0:
        raise ValueError("site activation time must be >= 0 days")
    rows = regulatory_rows(inputs)
    out = pd.DataFrame(index=rows.index)
    out["regulator"] = rows["regulator"]
    out["regulatory_source"] = rows["source"]
    out["regulatory_as_of"] = rows["as_of"]
    out["clock_days"] = [
        clock_calendar_days(v, u) if pd.notna(v) and pd.notna(u) else np.nan
        for v, u in zip(rows["clock_value"], rows["clock_unit"], strict=True)
    ]
    observed = (rows["approval_low_days"] + rows["approval_high_days"]) / 2
    out["approval_days"] = observed.where(observed.notna(), out["clock_days"])
    out["approval_basis"] = np.select(
        [observed.notna(), out["clock_days"].notna()], ["observed", "statutory clock"],
        default="assumed")
    _fill_assumed_approval(inputs, out)

    startup_obs = (rows["startup_low_days"] + rows["startup_high_days"]) / 2
    derived = out["approval_days"] + site_activation_days
    out["startup_days_mean"] = startup_obs.where(startup_obs.notna(), derived)
    range_low = rows["startup_low_days"].where(startup_obs.notna(), rows["approval_low_days"])
    range_high = rows["startup_high_days"].where(startup_obs.notna(), rows["approval_high_days"])
    width = (range_high - range_low).astype(float)
    out["startup_days_sd"] = np.where(
        width > 0, width / P10_P90_WIDTH_SD, STARTUP_CV * out["startup_days_mean"])
    out["startup_basis"] = np.where(
        startup_obs.notna(), "observed start-up",
        "approval (" + out["approval_basis"] + ") + site activation (assumption)")
    out["startup_assumed"] = startup_obs.isna() & (out["approval_basis"] == "assumed")
    for flag in FLAGS:
        out[flag] = rows[flag].astype("boolean") if flag in rows else pd.NA
    return out


def _fill_assumed_approval(inputs: ModelInputs, out: pd.DataFrame) -> None:
    """Countries with no sourced approval take the slowest median of their regions' sourced
    countries, else :data:`GLOBAL_APPROVAL_DAYS`."""
    sourced = out["approval_days"].where(out["approval_basis"] != "assumed")
    medians = {region: sourced.reindex(codes).median()
               for region, codes in inputs.region_members.items()}
    assumed = out.index[out["approval_basis"] == "assumed"]
    fallback = [
        max([medians[r] for r in regions if pd.notna(medians.get(r))],
            default=GLOBAL_APPROVAL_DAYS)
        for regions in inputs.countries.loc[assumed, "regions"]
    ]
    out.loc[assumed, "approval_days"] = fallback


def friction_index(inputs: ModelInputs, start: pd.DataFrame) -> pd.DataFrame:
    """Friction components and index per country [0-100, higher = more friction].

    Parameters
    ----------
    start : output of :func:`startup`.
    """
    v = inputs.values
    comp = pd.DataFrame(index=start.index)
    comp["approval"] = (start["approval_days"] / APPROVAL_ANCHOR_DAYS * 100).clip(0, 100)
    flags = start[list(FLAGS)].astype("float")
    comp["flags"] = flags.mean(axis=1, skipna=False) * 100
    comp["regulatory_quality"] = _wgi_risk(v["WGI.RQ"].reindex(start.index))
    comp["rule_of_law"] = _wgi_risk(v["WGI.RL"].reindex(start.index))
    index, used = weighted_mean(comp, FRICTION_WEIGHTS)
    out = comp.add_prefix("friction_")
    out["friction_index"] = index
    out["friction_components_used"] = used
    return out


def _wgi_risk(estimate: pd.Series) -> pd.Series:
    """WGI estimate (-2.5 weak .. 2.5 strong, the index's own scale) as risk 0-100."""
    return anchored(estimate, 2.5, -2.5)
