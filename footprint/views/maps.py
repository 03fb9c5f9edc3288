"""Build pydeck maps from geopandas frames: colours, legends, GeoJSON payloads, decks.

Maps are drawn with no base map (``map_provider=None``: no network). An ocean rectangle and
neutral fills for out-of-scope land keep them readable without tiles.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize

from footprint.assumptions import DATA_AS_OF_YEAR
from footprint.io.report_meta import ATTRIBUTION, app_version

Rgba = tuple[int, int, int, int]

OCEAN: Rgba = (222, 233, 242, 255)
CONTEXT_LAND: Rgba = (236, 233, 226, 255)  # countries outside the selection
NO_DATA: Rgba = (200, 200, 200, 255)  # in the selection but the value is missing
BORDER: Rgba = (120, 120, 120, 255)
HIGHLIGHT: Rgba = (255, 200, 0, 200)
SELECTED_LINE: Rgba = (20, 20, 20, 255)  # outline of the country whose details are open
# Gated countries (embargo, sanctions or war): a dark neutral fill while they are left out of a
# ranking (never a ranked colour), and a purple outline wherever they are drawn.
GATED_FILL: Rgba = (88, 88, 88, 255)
GATED_LINE: Rgba = (148, 0, 211, 255)

# Sequential ramps, light to dark (ColorBrewer YlGnBu and YlOrRd, 5 classes).
SEQUENTIAL: dict[str, tuple[Rgba, ...]] = {
    "good": ((255, 255, 204, 255), (161, 218, 180, 255), (65, 182, 196, 255),
             (44, 127, 184, 255), (37, 52, 148, 255)),
    "risk": ((255, 255, 178, 255), (254, 204, 92, 255), (253, 141, 60, 255),
             (240, 59, 32, 255), (189, 0, 38, 255)),
}
# Risk tiers (Okabe & Ito bluish green, orange, vermillion): colour-blind safe, ordered.
TIERS: tuple[str, ...] = ("low", "medium", "high")
TIER_COLORS: dict[str, Rgba] = {"low": (0, 158, 115, 255), "medium": (230, 159, 0, 255),
                                "high": (213, 94, 0, 255)}
# Coordinate rounding for the browser payload [decimal places of a degree]; 2 ~ 1 km.
PAYLOAD_DECIMALS = 2
# The six regions span lat -56..72: at zoom 1 the world is 1,024 px wide, about the main column
# of a wide-layout page beside the sidebar, and that band fits a 520 px tall map.
WORLD_VIEW = pdk.ViewState(latitude=15, longitude=10, zoom=1.0, min_zoom=0.5, max_zoom=8)
# deck.gl draws the world once (no repeat): the ocean runs past the antimeridian so a
# container wider than the world shows sea, not a blank page, on either side.
OCEAN_EXTENT = ((-540.0, -85.0), (540.0, 85.0))
# Simplification of world-map shapes [degrees]. At the world view one pixel is ~0.35 degrees
# and at a region view (zoom 2-3) ~0.05-0.1, so 0.1 is at most a pixel or two; it halves the
# vertices (62k -> 33k) and the payload; fewer vertices also draw faster in software WebGL.
WORLD_SIMPLIFY = 0.1
# Browser payload budget of a world map [bytes of compact JSON].
PAYLOAD_BUDGET = 1_500_000
# Tooltip of every map of areas: each feature's name, value_text and detail_text properties,
# HTML-escaped by the view that sets them (deck.gl escapes nothing).
TOOLTIP_HTML = "<b>{name}</b><br/>{value_text}<br/><small>{detail_text}</small>"


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One legend row: a colour and what it means."""

    color: Rgba
    label: str


def hex_color(color: Rgba) -> str:
    """'#rrggbb' for an RGBA tuple."""
    return "#{:02x}{:02x}{:02x}".format(*color[:3])


def quantile_breaks(values: pd.Series, n: int = 5) -> list[float]:
    """Class edges at the quantiles of the non-missing ``values`` (duplicates merged).

    At most ``n`` classes; fewer when values tie. Empty when no value is present.
    """
    present = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if present.size == 0:
        return []
    edges = np.unique(np.quantile(present, np.linspace(0, 1, n + 1)))
    if edges.size == 1:
        edges = np.array([edges[0], edges[0]])
    return [float(e) for e in edges]


def classify_breaks(values: pd.Series, ramp: str, edges: Sequence[float],
                    unit: str) -> tuple[list[Rgba], list[LegendEntry], list[int]]:
    """Colour ``values`` by the classes ``edges[i] <= v <= edges[i+1]`` on a named ramp.

    Classes take evenly spread colours of the ramp (light = low). Missing values and values
    outside the edges get ``NO_DATA`` (never the lowest class). Returns the colours, one legend
    entry per class plus "no data", and the count of values in each legend entry.
    """
    if ramp not in SEQUENTIAL:
        raise ValueError(f"unknown ramp {ramp!r}; choose one of {sorted(SEQUENTIAL)}")
    ramp_colors = SEQUENTIAL[ramp]
    n = max(len(edges) - 1, 0)
    picks = np.linspace(0, len(ramp_colors) - 1, n).round().astype(int) if n > 1 else [2] * n
    colors = [ramp_colors[i] for i in picks]
    counts = [0] * (n + 1)
    out: list[Rgba] = []
    inner = np.asarray(edges[1:-1], dtype=float)
    for v in pd.to_numeric(pd.Series(values), errors="coerce"):
        if pd.isna(v) or n == 0 or not edges[0] <= v <= edges[-1]:
            out.append(NO_DATA)
            counts[n] += 1
            continue
        k = int(np.searchsorted(inner, v, side="right"))
        out.append(colors[k])
        counts[k] += 1
    legend = [LegendEntry(colors[i], _range_label(edges[i], edges[i + 1], unit))
              for i in range(n)]
    legend.append(LegendEntry(NO_DATA, "no data"))
    return out, legend, counts


def _range_label(low: float, high: float, unit: str) -> str:
    text = _fmt(low) if _fmt(low) == _fmt(high) else f"{_fmt(low)} – {_fmt(high)}"
    return f"{text} {unit}".strip()


def _fmt(x: float) -> str:
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.1f}B"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.1f}M"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def geometries(frame: gpd.GeoDataFrame, decimals: int = PAYLOAD_DECIMALS,
               simplify: float = 0.0) -> list[dict]:
    """GeoJSON geometry mappings of ``frame`` with coordinates rounded to ``decimals``.

    ``simplify`` [degrees] first simplifies the shapes as a coverage (shared borders stay
    shared, no gaps); see :data:`WORLD_SIMPLIFY`. The slow half of :func:`feature_collection`:
    compute it once per frame and pass it back in.
    """
    geoms = frame.geometry.to_numpy()
    if simplify > 0:
        geoms = shapely.coverage_simplify(geoms, simplify)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    return [shapely.geometry.mapping(g) for g in geoms]


def outlines_key(frame: gpd.GeoDataFrame) -> str:
    """A content hash of ``frame``'s shapes (in row order) and of the code that turns them
    into map payloads (this module, shapely and GEOS versions): the key of a cache of
    :func:`geometries` and :func:`ring_segments` kept between processes."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{shapely.__version__} {shapely.geos_version_string}".encode())
    for wkb in shapely.to_wkb(frame.geometry.to_numpy()):
        digest.update(hashlib.sha256(wkb).digest())
    return digest.hexdigest()[:32]


def kept_json(folder: Path, name: str, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` (JSON data), kept in ``folder`` as ``world-<key>-<name>.json`` between
    processes, ``key`` being :func:`outlines_key` of the shapes it was computed from.

    Read back when the file is there; else computed and written whole or not at all (a
    temporary file renamed into place), and every kept file of another key is removed. A
    folder that cannot be written or a file that cannot be read only means computing.
    """
    path = folder / f"world-{key}-{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    value = compute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix="writing-",
                                         suffix=".json", delete=False) as out:
            json.dump(value, out, separators=(",", ":"))
        os.replace(out.name, path)
        for old in folder.glob("world-*.json"):
            if not old.name.startswith(f"world-{key}-"):
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return value


def kept_outlines(frame: gpd.GeoDataFrame, folder: Path, simplify: float = WORLD_SIMPLIFY,
                  key: str | None = None) -> tuple[list[dict], list[dict]]:
    """:func:`geometries` of ``frame`` and its shared borders (:func:`ring_segments`), kept
    by :func:`kept_json` (``key``: :func:`outlines_key` of ``frame``, computed when None).

    Computing them is ~0.2 s of CPU (0.4-0.8 s of a loaded server's first run), reading the
    kept file back ~20 ms; new shapes or new code compute afresh.
    """
    def compute() -> list[list[dict]]:
        geometry = geometries(frame, simplify=simplify)
        return [geometry, ring_segments(geometry, shared_only=True)]

    geometry, borders = kept_json(folder, f"outlines-{simplify:g}",
                                  key or outlines_key(frame), compute)
    if len(geometry) != len(frame):  # a file that does not fit these shapes
        geometry, borders = compute()
    return geometry, borders


def feature_collection(frame: gpd.GeoDataFrame | pd.DataFrame, columns: Sequence[str],
                       decimals: int = PAYLOAD_DECIMALS,
                       geometry: Sequence[dict] | None = None) -> dict:
    """A GeoJSON FeatureCollection with rounded coordinates and the given properties.

    Each property is also put at the top level of its feature, so deck.gl tooltips and
    Streamlit's selection events can read it as ``{name}``. ``geometry`` (from
    :func:`geometries`, row-aligned with ``frame``) skips recomputing the shapes; the mappings
    are shared, not copied, so callers must not mutate them.
    """
    geoms = geometries(frame, decimals) if geometry is None else geometry
    if len(geoms) != len(frame):
        raise ValueError(f"{len(geoms)} geometries for {len(frame)} rows")
    records = frame[list(columns)].to_dict(orient="records")
    features = []
    for geom, props in zip(geoms, records, strict=True):
        clean = {k: _json_value(v) for k, v in props.items()}
        features.append({"type": "Feature", "geometry": geom, "properties": clean, **clean})
    return {"type": "FeatureCollection", "features": features}


def _json_value(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple):
        return list(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def ocean_layer() -> pdk.Layer:
    """A flat ocean behind the land so the map reads without a base map."""
    (west, south), (east, north) = OCEAN_EXTENT
    ring = [[west, south], [east, south], [east, north], [west, north]]
    return pdk.Layer("PolygonLayer", id="ocean", data=[{"polygon": ring}],
                     get_polygon="polygon", get_fill_color=list(OCEAN), stroked=False,
                     pickable=False)


def polygon_layer(layer_id: str, collection: dict, pickable: bool = True) -> pdk.Layer:
    """Filled polygons coloured by each feature's ``fill`` property, without outlines.

    Borders come from :func:`border_layer`: a GeoJsonLayer's own outline is a PathLayer, whose
    first draw took ~2.1 s of a cold start in software WebGL (Chromium's SwiftShader); see
    :func:`border_bands`.
    """
    return pdk.Layer(
        "GeoJsonLayer", id=layer_id, data=collection, get_fill_color="properties.fill",
        stroked=False, filled=True, pickable=pickable, auto_highlight=pickable,
        highlight_color=list(HIGHLIGHT),
    )


def ring_segments(geometry: Sequence[dict], shared_only: bool = False) -> list[dict]:
    """The straight segments of the rings of GeoJSON ``geometry``, each once, as
    ``{"s": [lon, lat], "t": [lon, lat]}`` (the rows of :func:`border_layer`).

    ``shared_only`` keeps the segments two rings have in common: the borders between
    neighbours, with coasts left to the ocean colour. Shapes from :func:`geometries` share
    their borders exactly (coverage simplification, same rounding), so a border is drawn once.
    """
    rings = [np.asarray(ring, dtype=float) for g in geometry for polygon in _polygons(g)
             for ring in polygon]
    if not rings:
        return []
    start = np.concatenate([ring[:-1] for ring in rings])
    end = np.concatenate([ring[1:] for ring in rings])
    # one direction per segment, so the two rings that share it list it identically
    flip = (start[:, 0] > end[:, 0]) | ((start[:, 0] == end[:, 0]) & (start[:, 1] > end[:, 1]))
    segments = np.where(flip[:, None], np.hstack([end, start]), np.hstack([start, end]))
    # group equal rows: a lexsort of the four columns is ~10x faster than np.unique(axis=0)
    ordered = segments[np.lexsort(segments.T[::-1])]
    first = np.r_[True, np.any(ordered[1:] != ordered[:-1], axis=1)]
    count = np.diff(np.r_[np.flatnonzero(first), len(ordered)])
    keep = ordered[first][count > 1] if shared_only else ordered[first]
    keep = keep[(keep[:, 0] != keep[:, 2]) | (keep[:, 1] != keep[:, 3])]
    return [{"s": [x0, y0], "t": [x1, y1]} for x0, y0, x1, y1 in keep.tolist()]


def _polygons(geometry: dict) -> list:
    """The polygons (lists of rings) of a GeoJSON Polygon or MultiPolygon mapping."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"expected a Polygon or MultiPolygon, got {geometry['type']}")


BAND_ZOOM_STEP = 0.25
"""Zoom levels a band's width is computed for [zoom levels]: a view's zoom is rounded to a
multiple, so a cache of bands keeps a few sizes, each within 9 % of the width asked for."""


def band_zoom(zoom: float) -> float:
    """``zoom`` rounded to :data:`BAND_ZOOM_STEP` [zoom level]."""
    return round(float(zoom) / BAND_ZOOM_STEP) * BAND_ZOOM_STEP


def border_bands(segments: Sequence[dict], zoom: float, width_px: float = 1.0) -> dict:
    """Bands ``width_px`` pixels wide at ``zoom`` (:func:`band_zoom`) along ``segments`` (from
    :func:`ring_segments`), as a GeoJSON FeatureCollection of one MultiPolygon [degrees].

    Lines drawn as polygons: a deck.gl LineLayer (or a GeoJsonLayer's PathLayer outline) is a
    second WebGL program, whose first draw took ~1.4 s of every first visit in software WebGL
    (Chromium's SwiftShader), against ~0.1 s for bands drawn by the fills' own program
    (measured in issue 10). The cost: a band is as wide as asked at ``zoom`` only, and widens
    and narrows with the map as a user zooms (twice as wide one level in). The segments are
    merged into lines and widened in Web Mercator, so a band is equally wide at every latitude;
    coordinates are rounded to a quarter of the half-width or :data:`PAYLOAD_DECIMALS`.
    """
    if not segments:
        return {"type": "FeatureCollection", "features": []}
    ends = np.array([[row["s"], row["t"]] for row in segments], dtype=float)
    ends[..., 1] = _mercator_y(ends[..., 1])
    half = width_px / 2 * 360 / (512 * 2 ** band_zoom(zoom))  # [degrees of longitude]
    bands = shapely.buffer(shapely.line_merge(shapely.multilinestrings(ends)), half,
                           cap_style="flat", join_style="mitre", mitre_limit=2.0)
    decimals = max(PAYLOAD_DECIMALS, math.ceil(-math.log10(half / 4)))

    def to_degrees(xy: np.ndarray) -> np.ndarray:
        return np.round(np.column_stack([xy[:, 0], _latitude(xy[:, 1])]), decimals)

    bands = shapely.transform(bands, to_degrees)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": shapely.geometry.mapping(bands), "properties": {}}]}


def border_layer(layer_id: str, bands: dict, color: Rgba = BORDER) -> pdk.Layer:
    """``bands`` (from :func:`border_bands`) filled in ``color``; not pickable, so a pointer
    on a border still picks the country beneath."""
    return pdk.Layer("GeoJsonLayer", id=layer_id, data=bands, get_fill_color=list(color),
                     stroked=False, filled=True, pickable=False)


def outline_bands(geometry: Sequence[dict], zoom: float, width_px: float = 2.5) -> dict:
    """A heavy outline of every GeoJSON ``geometry`` (e.g. the country whose details are open,
    or the gated countries), coasts included: :func:`border_bands` of all their rings."""
    return border_bands(ring_segments(geometry), zoom, width_px)


CITY_FILL: Rgba = (213, 94, 0, 210)  # vermillion: stands out on the blue "good" ramp
CITY_RADIUS_SCALE = 25.0  # circle radius = sqrt(population) x this [m]: 1M people -> 25 km


def points_layer(layer_id: str, frame: pd.DataFrame, radius_column: str,
                 columns: Sequence[str] = ()) -> pdk.Layer:
    """Circles at ``longitude``/``latitude`` with an area proportional to a column (between
    2 and 14 px in radius).

    Only ``longitude``, ``latitude``, the radius and ``columns`` (e.g. tooltip fields) are sent
    to the browser.
    """
    radius = np.sqrt(frame[radius_column].astype(float).to_numpy()) * CITY_RADIUS_SCALE
    keep = ["longitude", "latitude", *[c for c in columns if c not in ("longitude", "latitude")]]
    records = [{k: _json_value(v) for k, v in row.items()}
               for row in frame[keep].to_dict(orient="records")]
    for row, r in zip(records, radius, strict=True):
        row["longitude"] = round(row["longitude"], PAYLOAD_DECIMALS + 1)
        row["latitude"] = round(row["latitude"], PAYLOAD_DECIMALS + 1)
        row["radius"] = round(float(r), 1)
    return pdk.Layer("ScatterplotLayer", id=layer_id, data=records,
                     get_position=["longitude", "latitude"], get_radius="radius",
                     radius_min_pixels=2, radius_max_pixels=14,
                     get_fill_color=list(CITY_FILL), get_line_color=[255, 255, 255],
                     line_width_min_pixels=0.5, stroked=True, pickable=True)


class CompactDeck(pdk.Deck):
    """A :class:`pydeck.Deck` that serialises to compact JSON.

    pydeck indents its JSON by two spaces: a world map grows from ~1 MB to ~6.5 MB and takes
    ~8x longer to serialise. Streamlit and :meth:`to_html` both call :meth:`to_json`.
    """

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize,
                          separators=(",", ":"))


def deck(layers: Sequence[pdk.Layer], tooltip_html: str,
         view: pdk.ViewState = WORLD_VIEW) -> pdk.Deck:
    """A deck with no base map (offline), our ocean underneath and an HTML tooltip.

    ``tooltip_html`` references feature properties as ``{name}`` (see :data:`TOOLTIP_HTML`);
    deck.gl escapes nothing, so callers pass only our own labels and values, HTML-escaped.
    """
    # map_style is left at pydeck's default sentinel on purpose: with no provider it reaches
    # the browser as "__MAP_STYLE__", which Streamlit reads as "no base map". map_style=None
    # would drop the key and Streamlit would then fetch a CARTO style from the network.
    return CompactDeck(
        layers=[ocean_layer(), *layers], initial_view_state=view, map_provider=None,
        views=[pdk.View(type="MapView", controller=True)],
        tooltip={"html": tooltip_html,
                 "style": {"backgroundColor": "#1f2937", "color": "white", "fontSize": "12px"}},
    )


def payload_size(chart: pdk.Deck) -> int:
    """Bytes of compact JSON the browser receives for ``chart``."""
    return len(json.dumps(json.loads(chart.to_json()), separators=(",", ":")).encode())


DECK_BUNDLE = Path(pdk.__file__).parent / "nbextension" / "static" / "index.js"
"""deck.gl as pydeck ships it (its Jupyter widget bundle, ~4.3 MB): inlined in HTML maps."""
# What a downloaded map may load: its own inline script and styles, nothing from anywhere else.
_HTML_POLICY = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
                "style-src 'unsafe-inline'; img-src data: blob:; worker-src blob:; "
                "connect-src data: blob:; font-src data:")
_HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
html, body {{ margin: 0; height: 100%; font: 14px/1.4 system-ui, -apple-system, "Segoe UI",
  Roboto, "DejaVu Sans", sans-serif; color: #212529; }}
body {{ display: flex; flex-direction: column; }}
header {{ display: flex; align-items: baseline; gap: 1em; padding: 10px 16px;
  border-bottom: 1px solid #d0d7de; }}
header h1 {{ margin: 0; font-size: 20px; }}
header .date {{ margin-left: auto; color: #5a626a; }}
main {{ position: relative; flex: 1 1 auto; min-height: 300px; }}
#deck-container {{ position: absolute; inset: 0; }}
.legend {{ position: absolute; left: 12px; bottom: 12px; z-index: 2; max-width: 340px;
  background: rgba(255, 255, 255, 0.94); border: 1px solid #c4cdd5; border-radius: 4px;
  padding: 8px 10px; font-size: 12px; }}
.legend h2 {{ margin: 0 0 4px; font-size: 13px; }}
.legend ul {{ list-style: none; margin: 0; padding: 0; }}
.legend li {{ display: flex; align-items: center; gap: 6px; margin: 2px 0; }}
.legend .swatch {{ width: 14px; height: 14px; border: 1px solid #8a949e; flex: none; }}
.legend p {{ margin: 6px 0 0; color: #5a626a; }}
footer {{ padding: 6px 16px; font-size: 11px; color: #5a626a; border-top: 1px solid #d0d7de; }}
</style>
</head>
<body>
<header><h1>{title}</h1><span class="date">{date}</span></header>
<main>
<div id="deck-container"></div>
<aside class="legend"><h2>Legend</h2><ul>{legend}</ul>{notes}</aside>
</main>
<footer>{attribution} {made}</footer>
<script>{bundle}</script>
<script>
createDeck({{container: document.getElementById("deck-container"), jsonInput: {deck},
  tooltip: {tooltip}, customLibraries: null, configuration: null}});
</script>
</body>
</html>
"""


def standalone_html(chart: pdk.Deck, *, title: str = "Trial Footprint map",
                    legend: Sequence[LegendEntry] = (), counts: Sequence[int] | None = None,
                    notes: Sequence[str] = (), generated: datetime | None = None) -> str:
    """The deck as one self-contained HTML page: a title, the legend, the date and the
    attribution around the map, deck.gl inlined (:data:`DECK_BUNDLE`).

    It loads nothing from the network: no base map, map library, stylesheet or font, and its
    content security policy forbids any request, so it opens the same offline.

    Parameters
    ----------
    legend : the map's legend entries, with ``counts`` [countries] when given (same order).
    notes : sentences printed under the legend.
    generated : when the map was made [UTC]; default now.
    """
    if counts is not None and len(counts) != len(legend):
        raise ValueError(f"{len(counts)} counts for {len(legend)} legend entries")
    when = (generated or datetime.now(UTC)).astimezone(UTC)
    items = "".join(
        f'<li><span class="swatch" style="background:{hex_color(e.color)}"></span>'
        f"{html.escape(e.label)}{'' if counts is None else f' ({counts[i]:,})'}</li>"
        for i, e in enumerate(legend))
    bundle = DECK_BUNDLE.read_text(encoding="utf-8")
    bundle = bundle.replace("//# sourceMappingURL=index.js.map", "")

    def script_json(value: str) -> str:  # JSON that cannot end the script element early
        return value.replace("<", "\\u003c")

    return _HTML_PAGE.format(
        policy=_HTML_POLICY, title=html.escape(title), date=f"{when:%Y-%m-%d} (UTC)",
        legend=items, notes="".join(f"<p>{html.escape(n)}</p>" for n in notes),
        attribution=html.escape(ATTRIBUTION),
        made=html.escape(f"Made with Trial Footprint {app_version()} on {when:%Y-%m-%d %H:%M} "
                         f"UTC; data snapshot {DATA_AS_OF_YEAR}."),
        bundle=bundle, deck=script_json(chart.to_json()),
        tooltip=script_json(json.dumps(chart._tooltip)))


def main_parts(frame: gpd.GeoDataFrame, min_share: float = 0.25) -> gpd.GeoSeries:
    """Each feature's polygons of at least ``min_share`` of its largest one (in square degrees).

    Drops remote islands and overseas parts (French Guiana from France, the Aleutians that
    cross the antimeridian) so a view framed on them stays on the mainland.
    """
    parts = frame.geometry.explode(index_parts=True)
    # planar area in square degrees is enough to compare parts of one country
    area = pd.Series(shapely.area(parts.to_numpy()), index=parts.index)
    largest = area.groupby(level=0).transform("max")
    kept = parts[(area >= min_share * largest).to_numpy()]
    return kept.groupby(level=0).agg(lambda g: shapely.union_all(g.to_numpy()))


# Web Mercator as deck.gl draws it: 360 degrees of longitude on 512 * 2**zoom pixels, and y
# in the same unit as longitude (degrees: y == latitude at the equator).

def _mercator_y(lat):
    """Web-Mercator y of a latitude [degrees of longitude], clipped at +-85 degrees (a number
    or an array of them)."""
    phi = np.radians(np.clip(lat, -85.0, 85.0))
    return np.degrees(np.log(np.tan(np.pi / 4 + phi / 2)))


def _latitude(y):
    """The latitude [degrees] of a Web-Mercator y (inverse of :func:`_mercator_y`; a number
    or an array of them)."""
    return np.degrees(2 * np.arctan(np.exp(np.radians(y))) - np.pi / 2)


def pixel_offset(view: pdk.ViewState, longitude: float, latitude: float) -> tuple[float, float]:
    """Offset [px] of a point from the centre of a map drawn at ``view`` (x east, y south)."""
    scale = 512 * 2 ** view.zoom / 360  # pixels per degree of longitude
    return ((longitude - view.longitude) * scale,
            float(_mercator_y(view.latitude) - _mercator_y(latitude)) * scale)


def main_bounds_by_country(frame: gpd.GeoDataFrame) -> dict[str, list[float]]:
    """``iso3`` -> [min lon, min lat, max lon, max lat] of each feature's main parts
    (:func:`main_parts`) [degrees]."""
    parts = main_parts(frame)
    boxes = shapely.bounds(parts.to_numpy())
    return {code: [float(v) for v in box]
            for code, box in zip(frame.loc[parts.index, "iso3"], boxes, strict=True)}


def union_bounds(boxes: Iterable[Sequence[float] | None]
                 ) -> tuple[float, float, float, float] | None:
    """The box [degrees] around ``boxes`` (each min lon, min lat, max lon, max lat; None
    ones skipped), None when there is none."""
    found = [b for b in boxes if b is not None]
    if not found:
        return None
    return (min(b[0] for b in found), min(b[1] for b in found),
            max(b[2] for b in found), max(b[3] for b in found))


def view_for_bounds(bounds: tuple[float, float, float, float], width_px: int = 1100,
                    height_px: int = 520, padding: float = 1.15, *,
                    min_span_deg: float = 1e-3, min_zoom: float = 0.5) -> pdk.ViewState:
    """A view state that fits ``(min lon, min lat, max lon, max lat)`` in a map of about
    ``width_px`` x ``height_px`` [px].

    Parameters
    ----------
    padding : room around the bounds [-] (1.15: 15 % wider and taller).
    min_span_deg : smallest width and Mercator height framed [degrees], so one point or a
        small country is not zoomed in to the street.
    min_zoom : the farthest out the view starts and may be zoomed [zoom level].
    """
    minx, miny, maxx, maxy = bounds
    y_low, y_high = float(_mercator_y(miny)), float(_mercator_y(maxy))
    fits = [math.log2(width_px * 360 / (512 * max(maxx - minx, min_span_deg))),
            math.log2(height_px * 360 / (512 * max(y_high - y_low, min_span_deg)))]
    zoom = float(np.clip(min(fits) - math.log2(padding), min_zoom, 9))
    return pdk.ViewState(latitude=round(float(_latitude((y_low + y_high) / 2)), 3),
                         longitude=round((minx + maxx) / 2, 3), zoom=round(zoom, 2),
                         min_zoom=min_zoom, max_zoom=10)
