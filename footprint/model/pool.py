"""Patient pool: a funnel per country, each step a named column.

population in the indication's age band -> prevalent (or incident) patients -> diagnosed ->
eligible (user-set share) -> reachable (urban share of the population).

Population in an age band
-------------------------
The World Bank gives three broad age shares (0-14, 15-64, 65+). We assume people are spread
evenly over the single years inside each broad band, and that the open 65+ band spans ages
65-89 (:data:`OPEN_AGE_TOP`). The share of the population aged ``[low, high]`` is then
``sum_b share_b * overlap([low, high + 1), band_b) / width_b``. This over-counts the oldest
ages (populations thin out after 65); it is shown in the app as an assumption.

Custom indications
------------------
``custom``: the user gives a prevalence [%] (one global figure, or one per country) and an
age band. ``age_driven`` (oncology, dementia): a base prevalence [%] at the reference 65+
share is scaled by each country's 65+ share:
``prevalence_c = base * share65_c / share65_ref``, where ``share65_ref`` is the
population-weighted 65+ share of every country with data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from footprint.assumptions import (
    DEFAULT_ELIGIBILITY_SHARE,
    OPEN_AGE_TOP,
    SUBNATIONAL_SHARE_KEY,
)
from footprint.data.model_inputs import ModelInputs

BROAD_BANDS = (("SP.POP.0014.TO.ZS", 0, 15), ("SP.POP.1564.TO.ZS", 15, 65),
               ("SP.POP.65UP.TO.ZS", 65, OPEN_AGE_TOP))
KINDS = ("indicator", "custom", "age_driven")
UNITS = ("prevalent", "incident_per_year")
FUNNEL = ("population_in_band", "prevalent_patients", "diagnosed_patients",
          "eligible_patients", "reachable_patients")
SUBNATIONAL_COUNTRIES = ("USA", "JPN", "IND")
"""Countries with sub-national units (Natural Earth admin-1, GeoNames places)."""
SHARE_OUT_RULE = (
    "share-out by urban reach: each unit's patients are the country's funnel times the unit's "
    "share of the country's urban reach (people in GeoNames places of 15,000+, each district "
    "listed beside its city counted once), so the units add up to the country; reach is "
    "scaled down where the places add up to more than the country's urban population (World "
    "Bank), and the country's rates apply in every unit")
"""The rule of :func:`subnational_funnel` in words, for the page caption and the CLI."""
# What a sub-national unit takes over from its country as it is (rates, shares, years, sources).
COUNTRY_FIELDS = ("rate", "diagnosed_share", "urban_share", "pool_year", "population_year",
                  "pool_source", "diagnosed_source")


@dataclass(frozen=True, slots=True)
class Indication:
    """What defines a pool: a prevalence source, its age band and the diagnosed share.

    Parameters
    ----------
    id, name : identifier and display name.
    kind : one of :data:`KINDS`.
    age_low, age_high : age band, inclusive [years].
    unit : one of :data:`UNITS`.
    metric : indicator code of the prevalence (kind ``indicator``).
    metric_denominator : 100 for a percentage, 100000 for a rate per 100,000.
    prevalence_pct : custom prevalence [%]: one figure for all countries.
    prevalence_by_country : custom prevalence per ISO3 [%] (overrides ``prevalence_pct``).
    diagnosed_metric : indicator code of a per-country diagnosed share [%], if any.
    diagnosed_share : default diagnosed share [0-1].
    diagnosed_source : where the diagnosed share comes from.
    """

    id: str
    name: str
    kind: str
    age_low: int
    age_high: int
    unit: str = "prevalent"
    metric: str | None = None
    metric_denominator: float = 100.0
    prevalence_pct: float | None = None
    prevalence_by_country: Mapping[str, float] = field(default_factory=dict)
    diagnosed_metric: str | None = None
    diagnosed_share: float | None = None
    diagnosed_source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown indication kind {self.kind!r}; choose one of {KINDS}")
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}; choose one of {UNITS}")
        if not 0 <= self.age_low <= self.age_high:
            raise ValueError(f"age band {self.age_low}-{self.age_high} is not a valid band")
        if self.diagnosed_share is not None and not 0 < self.diagnosed_share <= 1:
            raise ValueError("diagnosed share must be in (0, 1]")
        if self.kind != "indicator" and self.prevalence_pct is None \
                and not self.prevalence_by_country:
            raise ValueError(f"a {self.kind} indication needs a prevalence [%]")


def catalogue(inputs: ModelInputs) -> dict[str, Indication]:
    """The shipped indications (data/indications.csv) by id."""
    out = {}
    for ind_id, row in inputs.indications.iterrows():
        share = row["default_diagnosed_share"]
        out[str(ind_id)] = Indication(
            id=str(ind_id), name=row["name"], kind=row["kind"], age_low=int(row["age_low"]),
            age_high=int(row["age_high"]), unit=row["unit"], metric=row["metric"],
            metric_denominator=float(row["metric_denominator"]),
            diagnosed_metric=row["diagnosed_metric"] if pd.notna(row["diagnosed_metric"])
            else None,
            diagnosed_share=None if pd.isna(share) else float(share),
            diagnosed_source=row["diagnosed_source"],
            note=row["note"] if pd.notna(row["note"]) else "",
        )
    return out


def band_share(shares: pd.DataFrame, age_low: int, age_high: int) -> pd.Series:
    """Share of the population aged ``age_low..age_high`` [0-1] from the broad age shares [%].

    Parameters
    ----------
    shares : frame with the three World Bank age-share columns [% of population].
    """
    upper = age_high + 1
    total = pd.Series(0.0, index=shares.index)
    for code, lo, hi in BROAD_BANDS:
        overlap = max(0, min(upper, hi) - max(age_low, lo))
        total = total + shares[code] / 100 * overlap / (hi - lo)
    return total


def reference_share65(inputs: ModelInputs) -> float:
    """Population-weighted 65+ share of every country with data [%]."""
    pop = inputs.values["SP.POP.TOTL"]
    share = inputs.values["SP.POP.65UP.TO.ZS"]
    ok = pop.notna() & share.notna()
    return float((pop[ok] * share[ok]).sum() / pop[ok].sum())


def prevalence(inputs: ModelInputs, indication: Indication) -> tuple[pd.Series, pd.Series,
                                                                      pd.Series]:
    """(rate [0-1 of the band per year or prevalent], year, source) per country."""
    index = inputs.countries.index
    if indication.kind == "indicator":
        code = indication.metric
        label = f"{inputs.sources.get(code, 'unknown source')} ({code})"
        return (inputs.values[code] / indication.metric_denominator, inputs.years[code],
                pd.Series(label, index=index))
    if indication.kind == "custom":
        base = pd.Series(indication.prevalence_pct, index=index, dtype=float)
        per_country = pd.Series(dict(indication.prevalence_by_country), dtype=float)
        base.update(per_country.reindex(index).dropna())
        return (base / 100, pd.Series(np.nan, index=index),
                pd.Series("user assumption", index=index))
    share65 = inputs.values["SP.POP.65UP.TO.ZS"]
    scaled = float(indication.prevalence_pct) * share65 / reference_share65(inputs)  # type: ignore[arg-type]
    return (scaled / 100, inputs.years["SP.POP.65UP.TO.ZS"],
            pd.Series("user assumption, scaled by the World Bank 65+ share", index=index))


def funnel(inputs: ModelInputs, indication: Indication,
           eligibility_share: float = DEFAULT_ELIGIBILITY_SHARE) -> pd.DataFrame:
    """The patient funnel per country [patients], each step a named column.

    Parameters
    ----------
    eligibility_share : share of diagnosed patients who meet the protocol's criteria [0-1].

    Returns
    -------
    DataFrame indexed by iso3 with the :data:`FUNNEL` columns, plus ``population``
    [people], ``band_share``, ``rate``, ``diagnosed_share``, ``urban_share``, ``pool_year``,
    ``population_year``, ``pool_source``, ``diagnosed_source``. Missing inputs give NaN,
    never zero.
    """
    if not 0 <= eligibility_share <= 1:
        raise ValueError("eligibility share must be in [0, 1]")
    v = inputs.values
    out = pd.DataFrame(index=inputs.countries.index)
    out["population"] = v["SP.POP.TOTL"]
    out["band_share"] = band_share(v, indication.age_low, indication.age_high)
    out["population_in_band"] = v["SP.POP.TOTL"] * out["band_share"]
    rate, year, source = prevalence(inputs, indication)
    out["rate"] = rate
    out["prevalent_patients"] = out["population_in_band"] * rate
    if indication.diagnosed_metric:
        out["diagnosed_share"] = v[indication.diagnosed_metric] / 100
    else:
        out["diagnosed_share"] = indication.diagnosed_share if indication.diagnosed_share \
            is not None else 1.0
    out["diagnosed_patients"] = out["prevalent_patients"] * out["diagnosed_share"]
    out["eligible_patients"] = out["diagnosed_patients"] * eligibility_share
    out["urban_share"] = v["SP.URB.TOTL.IN.ZS"] / 100
    out["reachable_patients"] = out["eligible_patients"] * out["urban_share"]
    out["pool_year"] = year
    out["population_year"] = inputs.years["SP.POP.TOTL"]
    out["pool_source"] = source
    out["diagnosed_source"] = indication.diagnosed_source or (
        "user assumption" if indication.diagnosed_share is not None else "not applied (100%)")
    return out


def subnational_funnel(country: pd.Series, units: pd.DataFrame) -> pd.DataFrame:
    """The country's funnel shared out to its states / prefectures by their urban reach.

    A unit's ``reach`` [people] is its ``urban_population`` (GeoNames places of 15,000+, each
    district listed beside its city counted once), scaled down, never up, so that the units
    add up to at most the country's urban population (population x urban share); the places
    of Japan add up to more (merged towns listed beside the merged city). Each :data:`FUNNEL`
    count of a unit is the country's count times the unit's ``share`` of the country's
    reach (:data:`~footprint.assumptions.SUBNATIONAL_SHARE_KEY`), so the units add up to the
    country [patients]; the :data:`COUNTRY_FIELDS` are the country's (no sub-national
    prevalence data).

    Parameters
    ----------
    country : one row of :func:`funnel`.
    units : every unit of the country, with ``urban_population`` [people].

    Returns
    -------
    ``units`` with ``reach`` [people], ``share`` [0-1], the :data:`FUNNEL` counts and the
    :data:`COUNTRY_FIELDS`. With no reach at all, shares and counts are NaN.
    """
    out = units.copy()
    urban = pd.to_numeric(out["urban_population"], errors="coerce").fillna(0.0)
    bound = country["population"] * country["urban_share"]
    total = float(urban.sum())
    out["reach"] = urban * (min(1.0, bound / total) if total > 0 and bound == bound else 1.0)
    key = out[SUBNATIONAL_SHARE_KEY]
    out["share"] = key / key.sum() if key.sum() > 0 else np.nan
    for column in FUNNEL:
        out[column] = country[column] * out["share"]
    for column in COUNTRY_FIELDS:
        out[column] = country[column]
    return out
