"""The sub-national drill-down of Explore: states or prefectures of the countries that have
one, coloured by reachable population, with their major cities."""

from __future__ import annotations

import html

import pandas as pd

from footprint.views import maps
from footprint.views.format import format_value

# Countries with a sub-national drill-down (Natural Earth admin-1 + GeoNames cities).
DRILL_COUNTRIES = ("USA", "JPN", "IND")
# Units a drill-down map does not frame (still drawn): Alaska and Hawaii would shrink the
# contiguous states to a strip.
DRILL_FRAME_EXCLUDE: dict[str, tuple[str, ...]] = {"USA": ("US.AK", "US.HI")}
# Smallest city drawn on a drill-down map [people] (~100 dots per country).
CITY_MIN_POPULATION: dict[str, int] = {"USA": 250_000, "JPN": 250_000, "IND": 500_000}
SUBNATIONAL_CAVEATS: dict[str, str] = {
    "USA": "States and DC from Natural Earth 1:50m (v4).",
    "JPN": "Prefectures from Natural Earth admin-1 c. v2.0 (2013).",
    "IND": ("India's states use pre-2014 Natural Earth boundaries (c. v2.0, 2013): no Telangana "
            "(inside Andhra Pradesh), no Ladakh (inside Jammu & Kashmir), old names such as "
            "Orissa and Uttaranchal; disputed areas as Natural Earth draws them."),
}
REACH_CAVEAT = ("Reachable urban population sums GeoNames places of 15,000+ inhabitants per "
                "state; GeoNames also lists some city districts beside their city (Tokyo's "
                "special wards), so treat it as a relative reach index, not a census count.")
# What a drill-down map can colour the units by: column -> (title, unit).
SUBNATIONAL_METRICS: dict[str, tuple[str, str]] = {
    "urban_population": ("Reachable urban population", "people"),
    "eligible_patients": ("Eligible patients within reach", "patients"),
}


def subnational_properties(units: pd.DataFrame, column: str = "urban_population",
                           ) -> tuple[pd.DataFrame, list[maps.LegendEntry], list[int]]:
    """States / prefectures coloured by one of :data:`SUBNATIONAL_METRICS` (quintiles).

    A unit with no city of 15,000+ reaches nobody (0, not missing); a patient count is
    missing when the country's funnel is.
    """
    if column not in SUBNATIONAL_METRICS:
        raise ValueError(f"unknown sub-national metric {column!r}; choose one of "
                         f"{sorted(SUBNATIONAL_METRICS)}")
    title, unit = SUBNATIONAL_METRICS[column]
    frame = units[["unit_code", "name", "n_cities"]].reset_index(drop=True).copy()
    value = pd.to_numeric(units[column], errors="coerce").reset_index(drop=True)
    if column == "urban_population":
        value = value.fillna(0.0)
    edges = maps.quantile_breaks(value)
    colors, legend, counts = maps.classify_breaks(value, "good", edges, "")
    frame["value"] = value
    frame["fill"] = [list(c) for c in colors]
    frame["value_text"] = [html.escape(f"{title}: {format_value(v, unit)}") for v in value]
    frame["detail_text"] = [html.escape(f"{int(n)} GeoNames places of 15,000+ · GeoNames 2026")
                            for n in frame["n_cities"].fillna(0)]
    frame["name"] = frame["name"].map(lambda n: html.escape(str(n)))
    return frame, legend, counts


def city_points(cities: pd.DataFrame) -> pd.DataFrame:
    """Cities with escaped tooltip text, largest first."""
    out = cities[["name", "population", "latitude", "longitude"]].copy()
    out["value_text"] = [html.escape(f"City population: {format_value(p, 'people')}")
                         for p in out["population"]]
    out["detail_text"] = "GeoNames 2026"
    out["name"] = out["name"].map(lambda n: html.escape(str(n)))
    return out.sort_values("population", ascending=False).reset_index(drop=True)


def drill_frame(units: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """The units a drill-down map of ``iso3`` is framed on (see :data:`DRILL_FRAME_EXCLUDE`)."""
    return units[~units["unit_code"].isin(DRILL_FRAME_EXCLUDE.get(iso3, ()))]


def subnational_table(units: pd.DataFrame) -> pd.DataFrame:
    """Units ranked by reachable urban population (with eligible patients if computed)."""
    table = pd.DataFrame({
        "Unit": units["name"].to_numpy(),
        "Code": units["unit_code"].to_numpy(),
        "Reachable urban population [people]": pd.to_numeric(
            units["urban_population"], errors="coerce").fillna(0).to_numpy(),
        "Places of 15,000+": pd.array(units["n_cities"].to_numpy(), dtype="Int64"),
    })
    if "eligible_patients" in units:
        table["Eligible patients within reach [patients]"] = pd.to_numeric(
            units["eligible_patients"], errors="coerce").to_numpy()
    return table.sort_values("Reachable urban population [people]", ascending=False,
                             kind="stable").reset_index(drop=True)
