"""Model inputs: everything the scoring models read, pulled from the database once.

:func:`load_inputs` runs the named queries and returns a frozen :class:`ModelInputs`; every
model function after that is pure pandas/numpy (fast enough to re-score on each widget change).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from footprint.data import atlas, queries


@dataclass(frozen=True, slots=True)
class ModelInputs:
    """Read-only inputs of the models.

    Attributes
    ----------
    countries : DataFrame indexed by iso3 with ``name`` and ``regions`` (list of names).
    values : DataFrame iso3 x indicator code, latest value (NaN when missing).
    years : DataFrame iso3 x indicator code, year of that value.
    sources : Series indicator code -> source label ("World Bank, World Development
        Indicators"), from data/sources.csv.
    indications : DataFrame indexed by indication id (the catalogue in data/indications.csv).
    regulatory : DataFrame indexed by scope (ISO3 or region name).
    gate : DataFrame indexed by iso3: sanctions level, war, notes, source, as-of month
        (data/country_gate.csv; a country without a row is not in the table).
    regulators : DataFrame indexed by iso3: the authority that approves trials, with source.
    region_members : dict region name -> list of ISO3.
    landscape : DataFrame indexed by iso3: registered studies, the last-five-years estimate,
        multinational share, studies per million (query ``landscape``); empty when the
        landscape is unavailable (and by default, for hand-built inputs).
    landscape_meta : Series: available, reason, snapshot, window and the year map's error
        (query ``landscape_meta``); None for hand-built inputs (no landscape).
    age_sex : long frame (iso3, sex, age_low, age_high, population, share): 2025 population
        by sex and 5-year age group (UN WPP 2019; query ``population_age_sex``); a country
        with no rows has no WPP age data. Empty by default (hand-built inputs).
    age_patterns : long frame (indication, pattern, age_low, age_high, prevalence, standard,
        publisher, source, table, url): published age patterns of prevalence [0-1] that turn
        an age-standardised rate into a crude one (query ``age_patterns``). Empty by default.
    standard_weights : long frame (standard, name, age_low, age_high, weight, source): the
        standard populations by age group (query ``standard_weights``). Empty by default.
    """

    countries: pd.DataFrame
    values: pd.DataFrame
    years: pd.DataFrame
    sources: pd.Series
    indications: pd.DataFrame
    regulatory: pd.DataFrame
    gate: pd.DataFrame
    regulators: pd.DataFrame
    region_members: dict[str, list[str]]
    landscape: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["studies", "studies_recent", "multinational_share", "studies_per_million"]))
    landscape_meta: pd.Series | None = None
    age_sex: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["iso3", "sex", "age_low", "age_high", "population", "share"]))
    age_patterns: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["indication", "pattern", "age_low", "age_high", "prevalence", "standard",
                 "publisher", "source", "table", "url"]))
    standard_weights: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["standard", "name", "age_low", "age_high", "weight", "source"]))


def load_inputs(con) -> ModelInputs:
    """Pull the model inputs from the built database (about 30 ms)."""
    shapes = queries.run(con, "country_shapes")
    countries = shapes[["iso3", "name", "regions"]].set_index("iso3")
    countries["regions"] = countries["regions"].map(list)
    latest = atlas.latest_indicators(con)
    values = latest.pivot(index="iso3", columns="indicator", values="value")
    years = latest.pivot(index="iso3", columns="indicator", values="year")
    names = atlas.data_sources(con).set_index("source_id")
    labels = names["publisher"] + ", " + names["title"]
    sources = latest.drop_duplicates("indicator").set_index("indicator")["source_id"].map(labels)
    return ModelInputs(
        countries=countries,
        values=values.reindex(countries.index),
        years=years.reindex(countries.index),
        sources=sources,
        indications=queries.run(con, "indications").set_index("indication"),
        regulatory=queries.run(con, "regulatory_startup").set_index("scope"),
        gate=queries.run(con, "country_gate").set_index("iso3"),
        regulators=queries.run(con, "regulators").set_index("iso3"),
        region_members=atlas.regions(con),
        landscape=queries.run(con, "landscape").set_index("iso3"),
        landscape_meta=queries.run(con, "landscape_meta").iloc[0],
        age_sex=queries.run(con, "population_age_sex"),
        age_patterns=queries.run(con, "age_patterns"),
        standard_weights=queries.run(con, "standard_weights"),
    )


def select(inputs: ModelInputs, region: str | None) -> list[str]:
    """ISO3 codes of a region, or of every mapped country when ``region`` is None.

    Raises
    ------
    ValueError
        Unknown region; the message lists the valid names.
    """
    if region is None:
        return list(inputs.countries.index)
    if region not in inputs.region_members:
        raise ValueError(f"unknown region {region!r}; choose one of "
                         f"{sorted(inputs.region_members)}")
    return list(inputs.region_members[region])
