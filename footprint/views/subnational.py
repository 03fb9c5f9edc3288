"""The sub-national drill-down of Explore: states or prefectures of the countries that have
one, coloured by reach or patients (the country's funnel shared out), with their major cities;
remote units drawn in insets."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from footprint.model import pool
from footprint.views import maps
from footprint.views.format import format_value

# Countries with a sub-national drill-down (Natural Earth admin-1 + GeoNames cities).
DRILL_COUNTRIES = pool.SUBNATIONAL_COUNTRIES
# Smallest city drawn on a drill-down map [people] (~100 dots per country).
CITY_MIN_POPULATION: dict[str, int] = {"USA": 250_000, "JPN": 250_000, "IND": 500_000}
# The size a drill-down map is framed for, (width, height) [px]: the US is wide and takes the
# page's width; Japan and India are about as tall as wide and are drawn beside their tables.
DRILL_MAP_SIZE: dict[str, tuple[int, int]] = {"USA": (960, 520), "JPN": (620, 600),
                                              "IND": (620, 620)}
SUBNATIONAL_CAVEATS: dict[str, str] = {
    "USA": "States and DC from Natural Earth 1:50m (v4); Alaska and Hawaii in insets, each at "
           "its own scale.",
    "JPN": "Prefectures from Natural Earth admin-1 c. v2.0 (2013); Okinawa in an inset.",
    "IND": ("India's states use pre-2014 Natural Earth boundaries (c. v2.0, 2013): no Telangana "
            "(inside Andhra Pradesh), no Ladakh (inside Jammu & Kashmir), old names such as "
            "Orissa and Uttaranchal; disputed areas as Natural Earth draws them."),
}
REACH_CAVEAT = ("Reach counts the people of the unit's GeoNames places of 15,000+ once: a "
                "district GeoNames lists beside its city (Tokyo's special wards, New York's "
                "boroughs) is inside the city's figure and is not added again. A few separate "
                "towns next to a large city go with it (Higashiosaka beside Osaka, Howrah "
                "beside Kolkata), and a place GeoNames gives a ward's population by mistake "
                "stays (Shinagawa in Ehime).")
# What a drill-down map can colour the units by: column -> (title, unit).
SUBNATIONAL_METRICS: dict[str, tuple[str, str]] = {
    "reach": ("Reachable urban population", "people"),
    "eligible_patients": ("Eligible patients (share-out)", "patients"),
}
INSET_FRAME: maps.Rgba = (90, 90, 90, 255)


@dataclass(frozen=True, slots=True)
class Inset:
    """A unit drawn in a box of its own, as US maps draw Alaska and Hawaii.

    Parameters
    ----------
    unit_code : the unit moved.
    source : (west, south, east, north) of the part drawn [degrees]; the rest is left out
        (Hawaii's north-western islets).
    origin : (lon, lat) where the source's south-west corner is drawn [degrees].
    scale : degrees of latitude drawn per degree of the source [-]; longitude is scaled by
        the ratio of the latitudes' cosines too, so the unit keeps its shape.
    """

    unit_code: str
    source: tuple[float, float, float, float]
    origin: tuple[float, float]
    scale: float

    def factors(self) -> tuple[float, float]:
        """Degrees drawn per degree of the source, (longitude, latitude) [-]."""
        west, south, east, north = self.source
        lat_source = (south + north) / 2
        lat_drawn = self.origin[1] + self.scale * (north - south) / 2
        return (self.scale * math.cos(math.radians(lat_source))
                / math.cos(math.radians(lat_drawn)), self.scale)

    def move(self, xy: np.ndarray) -> np.ndarray:
        """Coordinates (n x 2, lon/lat [degrees]) of the source as drawn in the inset."""
        kx, ky = self.factors()
        return np.column_stack([self.origin[0] + (xy[:, 0] - self.source[0]) * kx,
                                self.origin[1] + (xy[:, 1] - self.source[1]) * ky])

    def frame(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the inset's box as drawn [degrees]."""
        west, south, east, north = self.source
        (x0, y0), (x1, y1) = self.move(np.array([[west, south], [east, north]]))
        return float(x0), float(y0), float(x1), float(y1)


# Insets per country, in the sea beside the mainland where no unit is drawn.
INSETS: dict[str, tuple[Inset, ...]] = {
    "USA": (Inset("US.AK", (-179.5, 51.0, -129.5, 71.6), (-127.5, 20.0), 0.5),
            Inset("US.HI", (-160.6, 18.7, -154.6, 22.4), (-112.0, 21.5), 1.0)),
    "JPN": (Inset("JP.ON", (122.8, 23.9, 131.4, 28.0), (128.6, 39.6), 0.75),),
}


def inset_units(units: gpd.GeoDataFrame, iso3: str) -> gpd.GeoDataFrame:
    """``units`` as the drill-down map draws them: each of the country's :data:`INSETS`
    clipped to its source box and moved into its inset."""
    out = units.copy()
    for inset in INSETS.get(iso3, ()):
        rows = (out["unit_code"] == inset.unit_code).to_numpy()
        clipped = shapely.clip_by_rect(out.geometry.to_numpy()[rows], *inset.source)
        out.loc[rows, out.geometry.name] = shapely.transform(clipped, inset.move)
    return out


def inset_points(points: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """Cities (``unit_code``, ``longitude``, ``latitude``) moved as their unit's inset."""
    out = points.copy()
    for inset in INSETS.get(iso3, ()):
        rows = (out["unit_code"] == inset.unit_code).to_numpy()
        moved = inset.move(out.loc[rows, ["longitude", "latitude"]].to_numpy(dtype=float))
        out.loc[rows, "longitude"], out.loc[rows, "latitude"] = moved[:, 0], moved[:, 1]
    return out


def inset_frames(iso3: str) -> list[dict]:
    """The boxes of the country's insets as border segments (:func:`maps.border_bands`)."""
    segments = []
    for inset in INSETS.get(iso3, ()):
        w, s, e, n = (round(v, maps.PAYLOAD_DECIMALS) for v in inset.frame())
        corners = [[w, s], [e, s], [e, n], [w, n], [w, s]]
        segments += [{"s": a, "t": b} for a, b in zip(corners[:-1], corners[1:], strict=True)]
    return segments


def drill_view(units: gpd.GeoDataFrame, iso3: str) -> pdk.ViewState:
    """The view that fits the country's units as drawn and its inset boxes in a map of
    :data:`DRILL_MAP_SIZE`."""
    width, height = DRILL_MAP_SIZE[iso3]
    main = gpd.GeoSeries(maps.main_parts(inset_units(units, iso3))).total_bounds
    boxes = [tuple(float(b) for b in main),
             *(inset.frame() for inset in INSETS.get(iso3, ()))]
    west, south, east, north = zip(*boxes, strict=True)
    return maps.view_for_bounds((min(west), min(south), max(east), max(north)), width_px=width,
                                height_px=height, padding=1.08)


def subnational_properties(units: pd.DataFrame, column: str = "reach",
                           ) -> tuple[pd.DataFrame, list[maps.LegendEntry], list[int]]:
    """States / prefectures coloured by one of :data:`SUBNATIONAL_METRICS` (quintiles).

    ``units`` come from :func:`footprint.model.pool.subnational_funnel`. A unit with no
    city of 15,000+ reaches nobody (0, not missing); a patient count is missing when the
    country's funnel is.
    """
    if column not in SUBNATIONAL_METRICS:
        raise ValueError(f"unknown sub-national metric {column!r}; choose one of "
                         f"{sorted(SUBNATIONAL_METRICS)}")
    title, unit = SUBNATIONAL_METRICS[column]
    frame = units[["unit_code", "name"]].reset_index(drop=True).copy()
    value = pd.to_numeric(units[column], errors="coerce").reset_index(drop=True)
    if column == "reach":
        value = value.fillna(0.0)
    edges = maps.quantile_breaks(value)
    colors, legend, counts = maps.classify_breaks(value, "good", edges, "")
    frame["value"] = value
    frame["fill"] = [list(c) for c in colors]
    share = pd.to_numeric(units["share"], errors="coerce").reset_index(drop=True)
    frame["value_text"] = [html.escape(f"{title}: {format_value(v, unit)} · "
                                       f"{format_value(100 * s, '%')} of the country")
                           for v, s in zip(value, share, strict=True)]
    frame["detail_text"] = [
        html.escape(f"{int(n)} GeoNames places of 15,000+ counted, {int(d)} districts of a "
                    "listed city not counted again · GeoNames 2026")
        for n, d in zip(units["n_cities"].fillna(0), units["n_districts"].fillna(0),
                        strict=True)]
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


def share_out_caption(units: pd.DataFrame, country_name: str) -> str:
    """The share-out rule (:data:`footprint.model.pool.SHARE_OUT_RULE`) with the country's
    figures: what the units add up to and, where reach was scaled down, by how much."""
    places = float(pd.to_numeric(units["urban_population"], errors="coerce").sum())
    reach = float(units["reach"].sum())
    rule = pool.SHARE_OUT_RULE
    text = (f"{rule[0].upper()}{rule[1:]}. {country_name}'s units add up to "
            f"{format_value(float(units['eligible_patients'].sum()), 'patients')} eligible and "
            f"{format_value(float(units['reachable_patients'].sum()), 'patients')} reachable, "
            "as in its funnel above.")
    if reach < places:
        text += (f" Its places add up to {format_value(places, 'people')}, more than its urban "
                 f"population: reach is scaled to {format_value(reach, 'people')} "
                 f"(x{reach / places:.2f}).")
    return text


def subnational_table(units: pd.DataFrame) -> pd.DataFrame:
    """Units ranked by reach, with their share of the country [%] and their share of its
    funnel (counts rounded to whole people and patients)."""
    table = pd.DataFrame({
        "Unit": units["name"].to_numpy(),
        "Code": units["unit_code"].to_numpy(),
        "Reach [people]": units["reach"].to_numpy(dtype=float).round(),
        "Share [%]": 100 * units["share"].to_numpy(dtype=float),
        "Eligible patients [patients]": units["eligible_patients"].to_numpy(dtype=float).round(),
        "Reachable patients [patients]": units["reachable_patients"].to_numpy(
            dtype=float).round(),
        "Places of 15,000+": pd.array(units["n_cities"].to_numpy(), dtype="Int64"),
        "Districts not counted again": pd.array(units["n_districts"].to_numpy(),
                                                dtype="Int64"),
    })
    return table.sort_values("Reach [people]", ascending=False,
                             kind="stable").reset_index(drop=True)
