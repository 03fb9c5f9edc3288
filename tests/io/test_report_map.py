"""The static risk map: drawn offline with matplotlib, fills where the shapes are, gated
countries hatched, framed on the extent asked."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
from PIL import Image
from shapely.geometry import box

from footprint.io.report_map import MapKey, rgb, risk_map_png

RED, BLUE, PURPLE = (200, 30, 30), (30, 30, 200), (148, 0, 211)


def two_squares(hatch=(False, False)) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"iso3": ["AAA", "BBB"], "fill": [RED, "#1e1ec8"],
                             "hatch": list(hatch), "outline": [False, True]},
                            geometry=[box(-20, -10, -2, 10), box(2, -10, 20, 10)],
                            crs="EPSG:4326")


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def share(image: np.ndarray, color) -> float:
    return float((np.abs(image.astype(int) - color).sum(axis=2) < 30).mean())


def test_a_png_of_the_size_asked_with_each_fill_on_its_side():
    png = risk_map_png(two_squares(), [MapKey("red", RED, 1)], size_in=(4, 2), dpi=100)
    image = pixels(png)
    assert image.shape == (200, 400, 3)
    left, right = image[:, :200], image[:, 200:]
    assert share(left, RED) > 0.2 and share(left, BLUE) == 0
    assert share(right, BLUE) > 0.2 and share(right, RED) < 0.01  # the legend swatch only


def test_hatched_countries_take_the_hatched_entry_colour():
    keys = [MapKey("red", RED, 1), MapKey("gated", PURPLE, 1, hatch=True)]
    plain = pixels(risk_map_png(two_squares(), keys[:1], size_in=(4, 2), dpi=100))
    hatched = pixels(risk_map_png(two_squares((True, False)), keys, size_in=(4, 2), dpi=100))
    square = (slice(50, 150), slice(110, 180))  # inside the red square, away from the legend
    assert share(plain[square], RED) > 0.95
    assert hatched[square][..., 2].mean() > plain[square][..., 2].mean() + 20  # purple lines
    assert share(hatched[square], RED) < 0.9


def test_the_extent_frames_the_map():
    whole = pixels(risk_map_png(two_squares(), [], size_in=(4, 2), dpi=100))
    zoomed = pixels(risk_map_png(two_squares(), [], extent=(8, -2, 14, 2), size_in=(4, 2),
                                 dpi=100))
    assert share(whole, RED) > 0.1 and share(zoomed, RED) == 0
    assert share(zoomed, BLUE) > share(whole, BLUE)


def test_colours_from_hex_or_rgba():
    assert rgb("#ff8000") == (1.0, 128 / 255, 0.0)
    assert rgb((255, 128, 0, 255)) == rgb("#ff8000")
