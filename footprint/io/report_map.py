"""The static risk map of the reports: country shapes drawn with matplotlib's Agg renderer.

No base map and no network: the shapes, their fills and a legend, in the Equal Earth
projection (EPSG:8857, an equal-area projection for world maps). Figures are made with
:class:`matplotlib.figure.Figure` and an Agg canvas, never pyplot, so drawing keeps no global
state and is safe in the app's session threads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path

PROJECTION: Final = "EPSG:8857"
"""Equal Earth: areas compare truthfully across latitudes."""
SEA: Final = "#eef3f7"
BORDER: Final = "#6b6b6b"
OUTLINE: Final = "#111111"  # the countries a report is about (a scenario's)
HATCH: Final = "////"
HATCH_COLOR: Final = "#3a3a3a"  # when no legend entry gives one

Color = str | Sequence[int]
"""'#rrggbb', or (r, g, b[, a]) in 0-255 as the app's maps give it."""


@dataclass(frozen=True, slots=True)
class MapKey:
    """One legend entry: a fill, what it means and how many countries have it.

    Parameters
    ----------
    label : what the fill means.
    color : its fill.
    count : countries with it [countries]; None to leave the count out.
    hatch : the entry marks the hatched countries (the gated ones); its colour is that of
        their hatching and outline.
    """

    label: str
    color: Color
    count: int | None = None
    hatch: bool = False

    @property
    def text(self) -> str:
        """The label with its count: ``"low (23)"``."""
        return self.label if self.count is None else f"{self.label} ({self.count})"


def rgb(color: Color) -> tuple[float, float, float]:
    """A colour as matplotlib's (r, g, b) in 0-1."""
    if isinstance(color, str):
        value = color.lstrip("#")
        return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]
    return tuple(float(c) / 255 for c in list(color)[:3])  # type: ignore[return-value]


def _path(geometry: shapely.Geometry) -> Path | None:
    """One compound path of a (multi)polygon's rings (exteriors and holes); None if empty."""
    rings, codes = [], []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            rings.append(xy)
            codes.append(np.r_[Path.MOVETO, np.full(len(xy) - 2, Path.LINETO), Path.CLOSEPOLY])
    return Path(np.concatenate(rings), np.concatenate(codes)) if rings else None


def risk_map_png(shapes: gpd.GeoDataFrame, legend: Sequence[MapKey], *,
                 extent: tuple[float, float, float, float] | None = None,
                 size_in: tuple[float, float] = (7.5, 4.2), dpi: int = 200) -> bytes:
    """The map as PNG bytes.

    Parameters
    ----------
    shapes : one row per country: ``geometry`` (EPSG:4326), ``fill`` (a :data:`Color`),
        ``hatch`` and ``outline`` (bool: hatched and outlined in the colour of the legend's
        hatched entry, else :data:`HATCH_COLOR`; drawn with a heavy outline).
    legend : the entries drawn in the lower left corner, in order.
    extent : (min lon, min lat, max lon, max lat) to frame [degrees]; default every shape.
    size_in : width and height [inches].
    dpi : resolution [dots per inch].
    """
    projected = shapes.set_crs("EPSG:4326", allow_override=False) if shapes.crs is None \
        else shapes
    projected = projected.to_crs(PROJECTION)
    figure = Figure(figsize=size_in, dpi=dpi)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#b8c4ce")
        spine.set_linewidth(0.6)

    fills, patches, hatched, outlined = [], [], [], []
    for geometry, fill, hatch, outline in zip(projected.geometry, projected["fill"],
                                              projected["hatch"], projected["outline"],
                                              strict=True):
        path = None if geometry is None else _path(geometry)
        if path is None:
            continue
        patches.append(PathPatch(path))
        fills.append(rgb(fill))
        if hatch:
            hatched.append(PathPatch(path))
        if outline:
            outlined.append(PathPatch(path))
    ax.add_collection(PatchCollection(patches, facecolors=fills, edgecolors=BORDER,
                                      linewidths=0.25))
    hatch_color = next((rgb(k.color) for k in legend if k.hatch), rgb(HATCH_COLOR))
    if hatched:
        ax.add_collection(PatchCollection(hatched, facecolors="none", edgecolors=hatch_color,
                                          linewidths=0.6, hatch=HATCH, hatchcolor=hatch_color,
                                          hatch_linewidth=0.5))
    if outlined:
        ax.add_collection(PatchCollection(outlined, facecolors="none", edgecolors=OUTLINE,
                                          linewidths=1.1))
    _frame(ax, projected, extent, size_in)
    handles = [Patch(facecolor="white", edgecolor=hatch_color, linewidth=0.8, hatch=HATCH,
                     hatchcolor=hatch_color, hatch_linewidth=0.5, label=k.text) if k.hatch
               else Patch(facecolor=rgb(k.color), edgecolor=BORDER, linewidth=0.4, label=k.text)
               for k in legend]
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=6.5, frameon=True,
                  framealpha=0.92, edgecolor="#b8c4ce", borderpad=0.6, handlelength=1.6)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
    return out.getvalue()


def _frame(ax, projected: gpd.GeoDataFrame, extent: tuple[float, float, float, float] | None,
           size_in: tuple[float, float]) -> None:
    """Fit the extent (or all shapes) in the axes at the figure's aspect, with a margin."""
    if extent is None:
        minx, miny, maxx, maxy = projected.total_bounds
    else:
        box = gpd.GeoSeries([shapely.box(*extent).segmentize(1.0)], crs="EPSG:4326")
        minx, miny, maxx, maxy = box.to_crs(PROJECTION).total_bounds
    width, height = (maxx - minx) * 1.06, (maxy - miny) * 1.06
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    aspect = size_in[0] / size_in[1]
    width, height = max(width, height * aspect), max(height, width / aspect)
    ax.set_xlim(cx - width / 2, cx + width / 2)
    ax.set_ylim(cy - height / 2, cy + height / 2)
    ax.set_aspect("equal")

