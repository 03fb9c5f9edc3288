"""Patient pool: a funnel per country, each step a named column.

population in the indication's age band -> prevalent (or incident) patients -> diagnosed ->
eligible (user-set share) -> reachable (urban share of the population).

Population in an age band and sex
---------------------------------
The share of a country's population aged ``[low, high]`` (inclusive; ``high`` may be open) of
one sex or both comes from the UN World Population Prospects 2019 (medium variant, 2025) by
sex and 5-year age group: each group counts by the part of it inside the band, people spread
evenly over the single years of a group (the open 100+ group over ages 100 to
:data:`WPP_OPEN_GROUP_TOP` - 1), ``sum_g share_g * overlap([low, high + 1), g) / width_g``.
The share is applied to the World Bank's total population. A country with no WPP age data
(Kosovo, micro-states under 90,000 people) falls back to the World Bank's three broad age
shares (0-14, 15-64, 65+) spread evenly, the open 65+ band over ages 65-89
(:data:`OPEN_AGE_TOP`), both sexes only; ``band_basis`` names the method per country.

Rate basis
----------
A ``crude`` rate (tuberculosis incidence, HIV prevalence) is the rate of the band's own
population and is applied as it is. An ``age_standardised`` rate ``R`` (the World Bank's IDF
diabetes prevalence, NCD-RisC's hypertension prevalence) is the rate the country would have
with the standard population's age structure. It becomes the country's crude rate by
indirect standardisation with a published age pattern of prevalence ``p(a)``
(data/prevalence_age_patterns.csv: US NHANES, NCHS; its shape is assumed to hold in every
country, :data:`~footprint.assumptions.AGE_PATTERN_SHAPE`) and the standard's weights
``w(a)`` (data/standard_populations.csv and UN WPP 2019's world population), over the single
years ``a`` of the indication's band (groups spread evenly over their years)::

    k = R / (sum_a w(a) p(a) / sum_a w(a))
    crude_c = sum_a n_c(a) min(k p(a), 1) / sum_a n_c(a)

where ``n_c(a)`` is the country's WPP population of the indication's sex. A country whose
age structure is the standard's gets back ``R`` (uncapped); an older one gets more.
``rate_step`` states both rates, the pattern and the standard per country. A country with no
WPP age data, or an indication with no pattern, keeps ``R`` as the band's crude rate and
``rate_step`` says so.

Custom indications
------------------
``custom``: the user gives a prevalence [%] (one global figure, or one per country) and an
age band. ``age_driven`` (oncology, dementia): a base prevalence [%] at the reference 65+
share is scaled by each country's 65+ share:
``prevalence_c = base * share65_c / share65_ref``, where ``share65_ref`` is the
population-weighted 65+ share of every country with data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from footprint.assumptions import (
    DEFAULT_ELIGIBILITY_SHARE,
    OPEN_AGE_TOP,
    SUBNATIONAL_SHARE_KEY,
    WPP_OPEN_GROUP_TOP,
)
from footprint.data.model_inputs import ModelInputs

BROAD_BANDS = (("SP.POP.0014.TO.ZS", 0, 15), ("SP.POP.1564.TO.ZS", 15, 65),
               ("SP.POP.65UP.TO.ZS", 65, OPEN_AGE_TOP))
KINDS = ("indicator", "custom", "age_driven")
UNITS = ("prevalent", "incident_per_year")
SEXES = ("both", "female", "male")
RATE_BASES = ("crude", "age_standardised")
WPP_BASIS = "UN WPP 2019, 2025, 5-year age groups by sex"
BROAD_BASIS = ("World Bank broad age bands spread evenly (assumption: no WPP age data for "
               "this country)")
NO_SEX_BASIS = "missing: no WPP age data to split this country by sex"
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
COUNTRY_FIELDS = ("band_share", "band_basis", "rate", "crude_rate", "rate_step",
                  "diagnosed_share", "urban_share", "pool_year", "population_year",
                  "pool_source", "diagnosed_source")


@dataclass(frozen=True, slots=True)
class Indication:
    """What defines a pool: a prevalence source, its age band, sex, rate basis and the
    diagnosed share.

    Parameters
    ----------
    id, name : identifier and display name.
    kind : where the rate comes from, one of :data:`KINDS`.
    age_low, age_high : age band, inclusive [years]; ``age_high`` None is an open band.
    unit : prevalent patients or new cases per year, one of :data:`UNITS`.
    sex : the sex the indication is limited to, one of :data:`SEXES`.
    rate_basis : ``crude`` (the band's own rate) or ``age_standardised``, one of
        :data:`RATE_BASES`.
    standard_population : the standard population of an age-standardised rate, as its
        source states it (text shown in the funnel).
    metric : indicator code of the prevalence (kind ``indicator``).
    metric_denominator : 100 for a percentage, 100000 for a rate per 100,000.
    prevalence_pct : custom prevalence [%]: one figure for all countries.
    prevalence_by_country : custom prevalence per ISO3 [%] (overrides ``prevalence_pct``).
    country_rates : custom rates as the user's table, ``(iso3, rate, year, source)`` per
        country, the rate [0-1 of the band; per year when incident] applied exactly as given
        (overrides the other custom rates where it lists the country).
    rate_source, rate_year : the source and year of ``prevalence_pct``, shown as the pool's
        source (empty: "user assumption").
    diagnosed_metric : indicator code of a per-country diagnosed share [%], if any.
    diagnosed_share : default diagnosed share [0-1].
    diagnosed_source : where the diagnosed share comes from.
    """

    id: str
    name: str
    kind: str
    age_low: int
    age_high: int | None
    unit: str = "prevalent"
    sex: str = "both"
    rate_basis: str = "crude"
    standard_population: str = ""
    metric: str | None = None
    metric_denominator: float = 100.0
    prevalence_pct: float | None = None
    prevalence_by_country: Mapping[str, float] = field(default_factory=dict)
    country_rates: tuple[tuple[str, float, int, str], ...] = ()
    rate_source: str = ""
    rate_year: int | None = None
    diagnosed_metric: str | None = None
    diagnosed_share: float | None = None
    diagnosed_source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown indication kind {self.kind!r}; choose one of {KINDS}")
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}; choose one of {UNITS}")
        if self.sex not in SEXES:
            raise ValueError(f"unknown sex {self.sex!r}; choose one of {SEXES}")
        if self.rate_basis not in RATE_BASES:
            raise ValueError(f"unknown rate basis {self.rate_basis!r}; choose one of "
                             f"{RATE_BASES}")
        if self.age_low < 0 or (self.age_high is not None and self.age_high < self.age_low):
            raise ValueError(f"age band {band_label(self.age_low, self.age_high)} is not a "
                             "valid band")
        if self.diagnosed_share is not None and not 0 < self.diagnosed_share <= 1:
            raise ValueError("diagnosed share must be in (0, 1]")
        if self.kind != "indicator" and self.prevalence_pct is None \
                and not self.prevalence_by_country and not self.country_rates:
            raise ValueError(f"a {self.kind} indication needs a prevalence [%]")


def catalogue(inputs: ModelInputs) -> dict[str, Indication]:
    """The shipped indications (data/indications.csv) by id, then the custom ones
    :func:`with_indications` added."""
    out = {}
    for ind_id, row in inputs.indications.iterrows():
        if isinstance(row.get(_ADDED), Indication):
            out[str(ind_id)] = row[_ADDED]
            continue
        share = row["default_diagnosed_share"]
        out[str(ind_id)] = Indication(
            id=str(ind_id), name=row["name"], kind=row["kind"], age_low=int(row["age_low"]),
            age_high=None if pd.isna(row["age_high"]) else int(row["age_high"]),
            unit=row["unit"], sex=row["sex"], rate_basis=row["rate_basis"],
            standard_population=row["standard_population"]
            if pd.notna(row["standard_population"]) else "",
            metric=row["metric"], metric_denominator=float(row["metric_denominator"]),
            diagnosed_metric=row["diagnosed_metric"] if pd.notna(row["diagnosed_metric"])
            else None,
            diagnosed_share=None if pd.isna(share) else float(share),
            diagnosed_source=row["diagnosed_source"],
            note=row["note"] if pd.notna(row["note"]) else "",
        )
    return out


_ADDED = "custom_indication"
"""The column of ``ModelInputs.indications`` that holds an added indication itself."""


def with_indications(inputs: ModelInputs, extra: Iterable[Indication]) -> ModelInputs:
    """``inputs`` whose :func:`catalogue` also holds ``extra`` (custom indications), so that
    every model step that looks an id up finds them.

    Raises
    ------
    ValueError
        An id of ``extra`` is already in the catalogue.
    """
    extra = list(extra)
    if not extra:
        return inputs
    ids = [i.id for i in extra]
    clash = sorted({i for i in ids if ids.count(i) > 1 or i in inputs.indications.index})
    if clash:
        raise ValueError(f"indication id(s) {', '.join(clash)} given twice")
    rows = pd.DataFrame({"name": [i.name for i in extra], "kind": [i.kind for i in extra],
                         "unit": [i.unit for i in extra], _ADDED: extra},
                        index=pd.Index([i.id for i in extra], name=inputs.indications.index.name))
    return replace(inputs, indications=pd.concat([inputs.indications, rows]))


def for_sex(indication: Indication, sex: str) -> Indication:
    """The indication limited to one sex (``both`` keeps it as it is).

    Raises
    ------
    ValueError
        Unknown sex (the message lists the allowed ones), or an indication already limited
        to the other sex.
    """
    if sex not in SEXES:
        raise ValueError(f"unknown sex {sex!r}; choose one of {', '.join(SEXES)}")
    if sex == "both" or sex == indication.sex:
        return indication
    if indication.sex != "both":
        raise ValueError(f"{indication.name} is limited to {indication.sex}; it has no "
                         f"{sex} pool")
    return replace(indication, sex=sex)


def band_label(age_low: int, age_high: int | None) -> str:
    """'20-79' or '65+' [years]."""
    return f"{age_low}+" if age_high is None else f"{age_low}-{age_high}"


def wpp_band_share(age_sex: pd.DataFrame, age_low: int, age_high: int | None,
                   sex: str = "both") -> pd.Series:
    """Share of each country's population aged ``age_low..age_high`` of ``sex`` [0-1].

    Parameters
    ----------
    age_sex : :attr:`ModelInputs.age_sex` (5-year groups, shares of both sexes [0-1]).
    age_low, age_high : the band, inclusive [years]; ``age_high`` None is open.
    sex : one of :data:`SEXES`.

    Returns
    -------
    Series indexed by iso3 (countries with WPP rows only). A band's end inside a group takes
    the group's share times the part of its width inside the band.
    """
    rows = age_sex if sex == "both" else age_sex[age_sex["sex"] == sex]
    low = rows["age_low"].to_numpy(dtype=float)
    high = pd.to_numeric(rows["age_high"]).fillna(WPP_OPEN_GROUP_TOP).to_numpy(dtype=float)
    upper = np.inf if age_high is None else age_high + 1
    inside = np.clip(np.minimum(high, upper) - np.maximum(low, age_low), 0, None)
    weighted = rows["share"].to_numpy(dtype=float) * inside / (high - low)
    return pd.Series(weighted, index=rows.index).groupby(rows["iso3"].to_numpy()).sum()


def broad_band_share(shares: pd.DataFrame, age_low: int, age_high: int | None) -> pd.Series:
    """Share of the population aged ``age_low..age_high`` [0-1] from the World Bank's three
    broad age shares [%], spread evenly (the fallback of countries with no WPP age data).

    Parameters
    ----------
    shares : frame with the three World Bank age-share columns [% of population].
    """
    upper = np.inf if age_high is None else age_high + 1
    total = pd.Series(0.0, index=shares.index)
    for code, lo, hi in BROAD_BANDS:
        overlap = max(0, min(upper, hi) - max(age_low, lo))
        total = total + shares[code] / 100 * overlap / (hi - lo)
    return total


def band_shares(inputs: ModelInputs, indication: Indication) -> pd.DataFrame:
    """``band_share`` [0-1] and ``band_basis`` (the method, in words) per country."""
    index = inputs.countries.index
    wpp = wpp_band_share(inputs.age_sex, indication.age_low, indication.age_high,
                         indication.sex).reindex(index)
    # unique() first: isin over the ~8,000 string rows took ~0.08 s, over the codes ~3 ms
    has_wpp = pd.Series(index.isin(inputs.age_sex["iso3"].unique()), index=index)
    out = pd.DataFrame({"band_share": wpp, "band_basis": WPP_BASIS}, index=index)
    if indication.sex == "both":
        broad = broad_band_share(inputs.values, indication.age_low, indication.age_high)
        out["band_share"] = out["band_share"].where(has_wpp, broad)
        out.loc[~has_wpp, "band_basis"] = BROAD_BASIS
    else:
        out.loc[~has_wpp, "band_basis"] = NO_SEX_BASIS
    return out


def rate_step(indication: Indication) -> str:
    """How the source's rate becomes the rate applied to the band, in words."""
    if indication.rate_basis == "age_standardised":
        standard = indication.standard_population or "not stated"
        text = (f"age-standardised rate (standard: {standard}) applied as the crude rate of "
                "the country's own age band "
                "(assumption): no published age pattern of prevalence was applied to "
                "convert it by indirect standardisation, so old countries are under-counted "
                "and young ones over-counted")
    else:
        text = "crude rate of the band, applied as it is"
    if indication.sex != "both":
        text += f"; the rate is for both sexes, applied to {indication.sex}s (assumption)"
    return text


def _group_of(low: np.ndarray, high: np.ndarray, ages: np.ndarray) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """(index of the group holding each age, -1 when none; each group's width [years]) for
    groups ``[low, high)``, an open group (NaN high) up to :data:`WPP_OPEN_GROUP_TOP`."""
    high = np.where(np.isnan(high), WPP_OPEN_GROUP_TOP, high)
    inside = (ages[:, None] >= low[None, :]) & (ages[:, None] < high[None, :])
    return np.where(inside.any(axis=1), inside.argmax(axis=1), -1), high - low


def _bounds(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return (frame["age_low"].to_numpy(dtype=float),
            pd.to_numeric(frame["age_high"]).astype(float).to_numpy())


def standardised_to_crude(rate: pd.Series, age_sex: pd.DataFrame, pattern: pd.DataFrame,
                          weights: pd.DataFrame, age_low: int, age_high: int | None,
                          sex: str = "both") -> pd.Series:
    """Each country's crude rate of the band from its age-standardised rate, by indirect
    standardisation (formula in the module docstring).

    Parameters
    ----------
    rate : age-standardised rate per iso3 [0-1].
    age_sex : :attr:`ModelInputs.age_sex` (groups ``[age_low, age_high)``, population).
    pattern : the age pattern's groups with ``prevalence`` [0-1] (any scale works: only its
        shape matters).
    weights : the standard population's groups with ``weight`` [any scale].
    age_low, age_high : the band, inclusive [years]; ``age_high`` None is open.
    sex : the population counted, one of :data:`SEXES`.

    Returns
    -------
    Series indexed by the iso3 of ``age_sex``: the crude rate [0-1], NaN where ``rate`` is.

    Raises
    ------
    ValueError
        The pattern or the standard does not cover every age of the band.
    """
    ages = np.arange(age_low, WPP_OPEN_GROUP_TOP if age_high is None else age_high + 1)
    p_index, _ = _group_of(*_bounds(pattern), ages)
    w_index, w_width = _group_of(*_bounds(weights), ages)
    if (p_index < 0).any() or (w_index < 0).any():
        raise ValueError(f"the age pattern or the standard does not cover ages "
                         f"{band_label(age_low, age_high)}")
    p = pattern["prevalence"].to_numpy(dtype=float)[p_index]
    w = weights["weight"].to_numpy(dtype=float)[w_index] / w_width[w_index]
    standardised = float((w * p).sum() / w.sum())
    rows = age_sex if sex == "both" else age_sex[age_sex["sex"] == sex]
    groups = rows[["age_low", "age_high"]].drop_duplicates().sort_values("age_low")
    g_index, g_width = _group_of(*_bounds(groups), ages)
    people = (rows.groupby(["iso3", "age_low"])["population"].sum().unstack()
              .reindex(columns=groups["age_low"]))
    per_year = people.to_numpy(dtype=float)[:, g_index] / g_width[g_index]
    k = rate.reindex(people.index).to_numpy(dtype=float) / standardised
    prevalence_by_age = np.minimum(k[:, None] * p[None, :], 1.0)
    crude = (per_year * prevalence_by_age).sum(axis=1) / per_year.sum(axis=1)
    return pd.Series(crude, index=people.index)


def _percent(value: float) -> str:
    return "missing" if value != value else f"{100 * value:.1f} %"


def crude_rates(inputs: ModelInputs, indication: Indication,
                rate: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(crude rate of the band [0-1], ``rate_step`` in words) per country.

    An age-standardised rate with a pattern in :attr:`ModelInputs.age_patterns` is converted
    by :func:`standardised_to_crude` for every country with WPP age data; every other rate is
    applied as it is (:func:`rate_step`).
    """
    index = inputs.countries.index
    crude = rate.copy()
    step = pd.Series(rate_step(indication), index=index)
    pattern = inputs.age_patterns[inputs.age_patterns["indication"] == indication.id]
    if indication.rate_basis != "age_standardised" or pattern.empty:
        return crude, step
    standard_id = pattern["standard"].iloc[0]
    weights = inputs.standard_weights[inputs.standard_weights["standard"] == standard_id]
    converted = standardised_to_crude(rate, inputs.age_sex, pattern, weights,
                                      indication.age_low, indication.age_high, indication.sex)
    has_wpp = pd.Series(index.isin(converted.index), index=index)
    crude = converted.reindex(index).where(has_wpp, rate)
    source = (f"the {pattern['pattern'].iloc[0]} age pattern "
              f"({pattern['publisher'].iloc[0].split(',')[0]}, {pattern['table'].iloc[0]}; "
              "its shape assumed to hold in every country), standard "
              f"{weights['name'].iloc[0]}")
    if indication.sex != "both":
        source += f"; rate and pattern for both sexes, applied to {indication.sex}s (assumption)"
    converted_text = pd.Series(
        [f"age-standardised {_percent(r)} -> crude {_percent(c)} via {source}"
         for r, c in zip(rate.reindex(index), crude, strict=True)], index=index)
    step = converted_text.where(has_wpp, step + " (no WPP age data for this country)")
    return crude, step


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
        rate, year = base / 100, pd.Series(indication.rate_year, index=index, dtype=float)
        source = pd.Series(indication.rate_source or "user assumption", index=index)
        if indication.country_rates:  # the user's table, each rate [0-1] exactly as given
            table = pd.DataFrame(list(indication.country_rates),
                                 columns=["iso3", "rate", "year", "source"]
                                 ).set_index("iso3").reindex(index)
            given = table["rate"].notna()
            source = source.where(rate.notna(), "missing: this country is not in your table")
            rate, year = table["rate"].where(given, rate), table["year"].where(given, year)
            source = table["source"].where(given, source)
        return rate, year, source
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
    [people], ``band_share``, ``band_basis``, ``rate`` (the source's), ``crude_rate`` (the
    rate applied to the band), ``rate_step``, ``diagnosed_share``, ``urban_share``,
    ``pool_year``, ``population_year``, ``pool_source``, ``diagnosed_source``. Missing inputs
    give NaN, never zero.
    """
    if not 0 <= eligibility_share <= 1:
        raise ValueError("eligibility share must be in [0, 1]")
    v = inputs.values
    out = pd.DataFrame(index=inputs.countries.index)
    out["population"] = v["SP.POP.TOTL"]
    out = out.join(band_shares(inputs, indication))
    out["population_in_band"] = v["SP.POP.TOTL"] * out["band_share"]
    rate, year, source = prevalence(inputs, indication)
    out["rate"] = rate
    out["crude_rate"], out["rate_step"] = crude_rates(inputs, indication, rate)
    out["prevalent_patients"] = out["population_in_band"] * out["crude_rate"]
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
