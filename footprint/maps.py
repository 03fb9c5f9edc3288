"""Build pydeck maps from geopandas frames: colours, legends, GeoJSON payloads, decks.

Maps are drawn with no base map (``map_provider=None``: no network). An ocean rectangle and
neutral fills for out-of-scope land keep them readable without tiles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

Rgba = tuple[int, int, int, int]

OCEAN: Rgba = (222, 233, 242, 255)
CONTEXT_LAND: Rgba = (236, 233, 226, 255)  # countries outside the selection
NO_DATA: Rgba = (200, 200, 200, 255)  # in the selection but the value is missing
BORDER: Rgba = (120, 120, 120, 255)
HIGHLIGHT: Rgba = (255, 200, 0, 200)

# Colour-blind-safe categorical palette (Okabe & Ito 2008).
CATEGORICAL: tuple[Rgba, ...] = (
    (0, 114, 178, 255), (230, 159, 0, 255), (0, 158, 115, 255), (204, 121, 167, 255),
    (86, 180, 233, 255), (213, 94, 0, 255), (240, 228, 66, 255), (0, 0, 0, 255),
)
# Sequential ramps, light to dark (ColorBrewer YlGnBu and YlOrRd, 5 classes).
SEQUENTIAL: dict[str, tuple[Rgba, ...]] = {
    "good": ((255, 255, 204, 255), (161, 218, 180, 255), (65, 182, 196, 255),
             (44, 127, 184, 255), (37, 52, 148, 255)),
    "risk": ((255, 255, 178, 255), (254, 204, 92, 255), (253, 141, 60, 255),
             (240, 59, 32, 255), (189, 0, 38, 255)),
}
# Coordinate rounding for the browser payload [decimal places of a degree]; 2 ~ 1 km.
PAYLOAD_DECIMALS = 2
WORLD_VIEW = pdk.ViewState(latitude=25, longitude=10, zoom=0.7, min_zoom=0, max_zoom=8)


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One legend row: a colour and what it means."""

    color: Rgba
    label: str


def hex_color(color: Rgba) -> str:
    """'#rrggbb' for an RGBA tuple."""
    return "#{:02x}{:02x}{:02x}".format(*color[:3])


def classify(values: pd.Series, ramp: str, vmin: float, vmax: float,
             unit: str) -> tuple[list[Rgba], list[LegendEntry]]:
    """Equal-interval classes of ``values`` between vmin and vmax on a named ramp.

    Missing values get ``NO_DATA`` (never the lowest class).
    """
    if ramp not in SEQUENTIAL:
        raise ValueError(f"unknown ramp {ramp!r}; choose one of {sorted(SEQUENTIAL)}")
    colors = SEQUENTIAL[ramp]
    n = len(colors)
    span = vmax - vmin if vmax > vmin else 1.0
    out: list[Rgba] = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v):
            out.append(NO_DATA)
            continue
        k = int((float(v) - vmin) / span * n)
        out.append(colors[min(max(k, 0), n - 1)])
    edges = [vmin + span * i / n for i in range(n + 1)]
    legend = [LegendEntry(colors[i], f"{_fmt(edges[i])} – {_fmt(edges[i + 1])} {unit}".strip())
              for i in range(n)]
    legend.append(LegendEntry(NO_DATA, "no data"))
    return out, legend


def categorise(labels: Sequence[str | None]) -> tuple[list[Rgba], list[LegendEntry]]:
    """One categorical colour per distinct label (sorted); None gets ``CONTEXT_LAND``."""
    distinct = sorted({label for label in labels if label})
    palette = {label: CATEGORICAL[i % len(CATEGORICAL)] for i, label in enumerate(distinct)}
    colors = [palette[label] if label else CONTEXT_LAND for label in labels]
    legend = [LegendEntry(palette[label], label) for label in distinct]
    return colors, legend


def _fmt(x: float) -> str:
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.1f}M"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def feature_collection(frame: gpd.GeoDataFrame, columns: Sequence[str],
                       decimals: int = PAYLOAD_DECIMALS) -> dict:
    """A GeoJSON FeatureCollection with rounded coordinates and the given properties.

    Each property is also put at the top level of its feature, so deck.gl tooltips and
    Streamlit's selection events can read it as ``{name}``.
    """
    geoms = shapely.transform(frame.geometry.to_numpy(), lambda xy: np.round(xy, decimals))
    records = frame[list(columns)].to_dict(orient="records")
    features = []
    for geom, props in zip(geoms, records, strict=True):
        clean = {k: _json_value(v) for k, v in props.items()}
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom),
                         "properties": clean, **clean})
    return {"type": "FeatureCollection", "features": features}


def _json_value(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple):
        return list(value)
    return value


def ocean_layer() -> pdk.Layer:
    """A flat ocean behind the land so the map reads without a base map."""
    ring = [[-180, -85], [180, -85], [180, 85], [-180, 85]]
    return pdk.Layer("PolygonLayer", id="ocean", data=[{"polygon": ring}],
                     get_polygon="polygon", get_fill_color=list(OCEAN), stroked=False,
                     pickable=False)


def polygon_layer(layer_id: str, collection: dict, pickable: bool = True) -> pdk.Layer:
    """Filled polygons coloured by each feature's ``fill`` property, with thin borders."""
    return pdk.Layer(
        "GeoJsonLayer", id=layer_id, data=collection, get_fill_color="properties.fill",
        get_line_color=list(BORDER), line_width_min_pixels=0.5, stroked=True, filled=True,
        pickable=pickable, auto_highlight=pickable, highlight_color=list(HIGHLIGHT),
    )


def points_layer(layer_id: str, frame: pd.DataFrame, radius_column: str) -> pdk.Layer:
    """Circles at ``longitude``/``latitude`` sized by the square root of a column."""
    data = frame.assign(radius=np.sqrt(frame[radius_column].astype(float)) * 20)
    return pdk.Layer("ScatterplotLayer", id=layer_id, data=data,
                     get_position=["longitude", "latitude"], get_radius="radius",
                     radius_min_pixels=2, radius_max_pixels=18,
                     get_fill_color=[40, 40, 40, 170], get_line_color=[255, 255, 255],
                     line_width_min_pixels=0.5, stroked=True, pickable=True)


def deck(layers: Sequence[pdk.Layer], tooltip_html: str,
         view: pdk.ViewState = WORLD_VIEW) -> pdk.Deck:
    """A deck with no base map (offline), our ocean underneath and an HTML tooltip.

    ``tooltip_html`` references feature properties as ``{name}``; deck.gl escapes nothing, so
    callers pass only our own labels and values formatted by :func:`feature_collection`.
    """
    return pdk.Deck(
        layers=[ocean_layer(), *layers], initial_view_state=view, map_provider=None,
        map_style=None, views=[pdk.View(type="MapView", controller=True)],
        tooltip={"html": tooltip_html,
                 "style": {"backgroundColor": "#1f2937", "color": "white", "fontSize": "12px"}},
    )


def with_fill(frame: gpd.GeoDataFrame, colors: Sequence[Rgba]) -> gpd.GeoDataFrame:
    """A copy of ``frame`` with a ``fill`` column of RGBA lists."""
    return frame.assign(fill=[list(c) for c in colors])


def view_for(frame: gpd.GeoDataFrame) -> pdk.ViewState:
    """A view state that frames the frame's bounds (rough Web-Mercator zoom)."""
    minx, miny, maxx, maxy = frame.total_bounds
    span = max(maxx - minx, (maxy - miny) * 1.6, 1e-3)
    zoom = float(np.clip(np.log2(360 / span) + 0.3, 0, 8))
    return pdk.ViewState(latitude=(miny + maxy) / 2, longitude=(minx + maxx) / 2, zoom=zoom)


def region_labels(regions: pd.Series) -> list[str | None]:
    """Label per country for a region map: its regions joined with ' + ', None if none."""
    return [" + ".join(r) if len(r) else None for r in regions]
