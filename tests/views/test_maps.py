"""Map building: classes and legends, GeoJSON payloads, layers, decks and views."""

from __future__ import annotations

import json
import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from numpy.testing import assert_allclose

from footprint.data import atlas
from footprint.views import maps


def square(x0, y0, size=1.0):
    return shapely.box(x0, y0, x0 + size, y0 + size)


@pytest.fixture
def tiny():
    """Three hand-built countries."""
    return gpd.GeoDataFrame(
        {"iso3": ["AAA", "BBB", "CCC"], "name": ["A", "B", "C"]},
        geometry=[square(0, 0), square(2, 0), shapely.MultiPolygon([square(10, 10, 4),
                                                                       square(40, 40, 0.5)])],
        crs="EPSG:4326",
    )


def test_quantile_breaks_merge_ties_and_ignore_missing():
    assert maps.quantile_breaks(pd.Series([np.nan, None])) == []
    assert maps.quantile_breaks(pd.Series([3.0, 3.0, np.nan])) == [3.0, 3.0]
    edges = maps.quantile_breaks(pd.Series([1.0, 2, 3, 4, 5, 6, np.nan]))
    assert edges[0] == 1.0 and edges[-1] == 6.0 and len(edges) == 6
    assert edges == sorted(set(edges))


def test_classify_breaks_never_colours_missing_as_lowest_class():
    values = pd.Series([0.0, 1.0, 2.0, 3.0, np.nan, None])
    colors, legend, counts = maps.classify_breaks(values, "risk", [0.0, 1.5, 3.0], "days")
    low, high = maps.SEQUENTIAL["risk"][0], maps.SEQUENTIAL["risk"][-1]
    assert colors == [low, low, high, high, maps.NO_DATA, maps.NO_DATA]
    assert [e.label for e in legend] == ["0 – 1.5 days", "1.5 – 3 days", "no data"]
    assert counts == [2, 2, 2]
    assert legend[-1].color == maps.NO_DATA


def test_classify_breaks_single_class_and_unknown_ramp():
    colors, legend, counts = maps.classify_breaks(pd.Series([5.0, 5.0]), "good", [5.0, 5.0], "")
    assert colors[0] == colors[1] != maps.NO_DATA
    assert [e.label for e in legend] == ["5", "no data"] and counts == [2, 0]
    with pytest.raises(ValueError, match="unknown ramp 'rainbow'"):
        maps.classify_breaks(pd.Series([1.0]), "rainbow", [0, 1], "")


def test_feature_collection_rounds_and_lifts_properties(tiny):
    frame = tiny.assign(fill=[[1, 2, 3, 255]] * 3, value=[1.5, np.nan, pd.NA])
    fc = maps.feature_collection(frame, ["iso3", "name", "fill", "value"], decimals=1)
    first = fc["features"][0]
    assert first["iso3"] == "AAA" and first["properties"]["name"] == "A"
    assert fc["features"][1]["value"] is None and fc["features"][2]["value"] is None
    json.dumps(fc, allow_nan=False)  # no NaN reaches the browser
    geometry = maps.geometries(tiny, decimals=1)
    again = maps.feature_collection(frame, ["iso3"], geometry=geometry)
    assert again["features"][0]["geometry"] is geometry[0]  # shared, not recomputed
    with pytest.raises(ValueError, match="2 geometries for 3 rows"):
        maps.feature_collection(frame, ["iso3"], geometry=geometry[:2])


def test_compact_deck_is_offline_and_compact(tiny):
    fc = maps.feature_collection(tiny.assign(fill=[[0, 0, 0, 255]] * 3), ["iso3", "fill"])
    chart = maps.deck([maps.polygon_layer("countries", fc)], "{iso3}")
    text = chart.to_json()
    assert "\n" not in text and ", " not in text
    spec = json.loads(text)
    assert spec.get("mapProvider") in (None, "")
    assert [layer["id"] for layer in spec["layers"]] == ["ocean", "countries"]
    assert spec["mapStyle"] == "__MAP_STYLE__"  # Streamlit's "no base map": no CARTO request
    countries = spec["layers"][1]
    assert countries["stroked"] is False and countries["pickable"] is True
    ocean = spec["layers"][0]["data"][0]["polygon"]
    assert min(p[0] for p in ocean) < -180 and max(p[0] for p in ocean) > 180
    assert maps.payload_size(chart) == len(text.encode())


def test_world_payload_fits_the_budget(con):
    shapes = atlas.country_shapes(con)
    frame = shapes.assign(fill=[[200, 200, 200, 255]] * len(shapes),
                          value_text="Population, total: 1.23M people",
                          detail_text="2024 · World Bank WDI")
    columns = ["iso3", "name", "value_text", "detail_text", "fill"]
    full = maps.deck([maps.polygon_layer("countries", maps.feature_collection(frame, columns))],
                     "{name}")
    geometry = maps.geometries(shapes, simplify=maps.WORLD_SIMPLIFY)
    simple = maps.deck([maps.polygon_layer("countries", maps.feature_collection(
        frame, columns, geometry=geometry))], "{name}")
    assert maps.payload_size(simple) < 0.7 * maps.payload_size(full)
    borders = maps.border_layer("borders", maps.border_bands(
        maps.ring_segments(geometry, shared_only=True), maps.WORLD_VIEW.zoom))
    with_borders = maps.deck([*simple.layers[1:], borders], "{name}")
    assert maps.payload_size(with_borders) <= maps.PAYLOAD_BUDGET
    # simplified as a coverage: every country keeps a shape, Malta included, and neighbours
    # still share their borders exactly
    assert all(g["coordinates"] for g in geometry)
    iso3 = list(shapes["iso3"])
    pair = [geometry[iso3.index("FRA")], geometry[iso3.index("ESP")]]
    assert len(maps.ring_segments(pair, shared_only=True)) > 5


def test_ring_segments_draw_a_shared_border_once(tiny):
    # AAA and BBB share the edge x=1, 0<=y<=1; CCC is two islands
    frame = tiny.assign(geometry=[square(0, 0), square(1, 0), tiny.geometry[2]])
    geometry = maps.geometries(frame)
    shared = maps.ring_segments(geometry, shared_only=True)
    assert shared == [{"s": [1.0, 0.0], "t": [1.0, 1.0]}]
    every = maps.ring_segments(geometry)
    # 4 + 4 sides of the two squares, less the shared one, + 8 sides of the two islands
    assert len(every) == 4 + 4 - 1 + 8
    assert {"s": [1.0, 0.0], "t": [1.0, 1.0]} in every
    assert maps.ring_segments([]) == []
    with pytest.raises(ValueError, match="got Point"):
        maps.ring_segments([{"type": "Point", "coordinates": [0.0, 0.0]}])


def test_outlines_key_follows_the_shapes_and_their_order(tiny):
    key = maps.outlines_key(tiny)
    assert key == maps.outlines_key(tiny.copy()) and re.fullmatch(r"[0-9a-f]{32}", key)
    moved = tiny.assign(geometry=[square(0, 0), square(2, 0.01), tiny.geometry[2]])
    assert maps.outlines_key(moved) != key
    assert maps.outlines_key(tiny.iloc[::-1]) != key


def _band_box(bands: dict) -> tuple[float, float, float, float]:
    (feature,) = bands["features"]
    return tuple(shapely.bounds(shapely.geometry.shape(feature["geometry"])))


def test_a_border_band_is_as_wide_as_asked_at_the_zoom_and_at_every_latitude():
    # one pixel is 360 / (512 * 2**zoom) degrees of longitude, and of Mercator y
    equator = maps.border_bands([{"s": [0.0, 0.0], "t": [10.0, 0.0]}], zoom=0, width_px=2)
    west, south, east, north = _band_box(equator)
    px = 360 / 512
    assert (west, east) == (0.0, 10.0)  # flat caps: no longer than the segment
    assert north == pytest.approx(float(maps._latitude(px)), abs=0.005) == -south
    one_in = maps.border_bands([{"s": [0.0, 0.0], "t": [10.0, 0.0]}], zoom=1, width_px=2)
    assert _band_box(one_in)[3] == pytest.approx(float(maps._latitude(px / 2)), abs=0.005)
    # at 60 N the same width in Mercator y: about half as many degrees of latitude
    north60 = maps.border_bands([{"s": [0.0, 60.0], "t": [10.0, 60.0]}], zoom=0, width_px=2)
    _, low, _, high = _band_box(north60)
    assert float(maps._mercator_y(high) - maps._mercator_y(low)) == pytest.approx(2 * px, rel=0.02)
    assert high - low == pytest.approx(2 * px * math.cos(math.radians(60)), rel=0.03)


def test_border_bands_round_to_the_band_and_merge_touching_segments():
    segments = [{"s": [0.0, 0.0], "t": [1.0, 0.0]}, {"s": [1.0, 0.0], "t": [1.0, 1.0]}]
    far = maps.border_bands(segments, zoom=1)
    near = maps.border_bands(segments, zoom=7)
    assert maps.band_zoom(1.1) == 1.0 and maps.band_zoom(1.13) == 1.25
    assert maps.border_bands(segments, zoom=1.1) == far
    (geometry,) = [f["geometry"] for f in far["features"]]
    assert geometry["type"] == "Polygon"  # one band around the corner, not two
    decimals = {len(str(v).split(".")[1]) for ring in near["features"][0]["geometry"][
        "coordinates"] for point in ring for v in point if "." in str(v)}
    assert max(decimals) > maps.PAYLOAD_DECIMALS  # a band 1 px wide at zoom 7 is ~0.003 deg
    assert maps.border_bands([], zoom=1) == {"type": "FeatureCollection", "features": []}


def test_border_and_outline_layers_are_fills_of_their_own_colour(tiny):
    fc = maps.feature_collection(tiny.assign(fill=[[0, 0, 0, 255]] * 3), ["iso3", "fill"])
    bands = maps.outline_bands([fc["features"][0]["geometry"]], zoom=1)
    chart = maps.deck([maps.polygon_layer("countries", fc),
                       maps.border_layer("selected", bands, maps.SELECTED_LINE)], "{iso3}")
    outline = json.loads(chart.to_json())["layers"][2]
    # a GeoJsonLayer's fill, the program the countries are drawn with: no LineLayer or
    # PathLayer, each a second WebGL program (~1.4 s of a software-WebGL first draw)
    assert outline["@@type"] == "GeoJsonLayer" and outline["pickable"] is False
    assert outline["stroked"] is False and outline["getFillColor"] == list(maps.SELECTED_LINE)
    assert {layer["@@type"] for layer in json.loads(chart.to_json())["layers"]} == {
        "PolygonLayer", "GeoJsonLayer"}
    # AAA's unit square, outlined 2.5 px wide at zoom 1: a ring around all four sides
    band = shapely.geometry.shape(outline["data"]["features"][0]["geometry"])
    assert band.contains(shapely.geometry.Point(0.0, 0.5))
    assert not band.contains(shapely.geometry.Point(0.5, 0.5))


def test_points_layer_sends_only_the_named_columns():
    cities = pd.DataFrame({"name": ["X"], "population": [1_000_000], "latitude": [1.23456],
                           "longitude": [2.34567], "secret": ["not for the browser"]})
    layer = maps.points_layer("cities", cities, "population", ["name"])
    spec = json.loads(maps.deck([layer], "{name}").to_json())
    row = spec["layers"][1]["data"][0]
    assert set(row) == {"name", "latitude", "longitude", "radius"}
    assert row["radius"] == 1000 * maps.CITY_RADIUS_SCALE  # sqrt(population) x scale [m]
    assert row["latitude"] == 1.235


def test_main_parts_drop_remote_islands(tiny):
    parts = maps.main_parts(tiny.set_index("iso3"))
    assert parts.loc["CCC"].bounds == (10.0, 10.0, 14.0, 14.0)  # the 0.5-degree islet is gone


def test_view_for_bounds_fits_width_or_height():
    # 360 degrees of longitude on 1024 px is zoom 1 (512 px per world at zoom 0)
    wide = maps.view_for_bounds((-180, -10, 180, 10), width_px=1024, height_px=1024,
                                padding=1.0)
    assert_allclose(wide.zoom, 1.0, atol=0.01)
    assert_allclose(wide.latitude, 0.0, atol=1e-6)
    tall = maps.view_for_bounds((0, -60, 1, 60), width_px=1024, height_px=512, padding=1.0)
    y = math.degrees(math.log(math.tan(math.pi / 4 + math.radians(60) / 2)))
    assert_allclose(tall.zoom, math.log2(512 * 360 / (512 * 2 * y)), atol=0.01)
    point = maps.view_for_bounds((10, 50, 10, 50), width_px=1024, height_px=1024,
                                 padding=1.0, min_span_deg=4.0)  # one site: a 4-degree frame
    assert_allclose(point.zoom, math.log2(1024 * 360 / (512 * 4)), atol=0.01)
    assert_allclose((point.longitude, point.latitude), (10, 50), atol=1e-3)


def test_pixel_offset_inverts_the_view_centre():
    view = maps.view_for_bounds((-180, -10, 180, 10), width_px=1024, height_px=1024,
                                padding=1.0)  # zoom 1: 1024 px for 360 degrees
    assert maps.pixel_offset(view, view.longitude, view.latitude) == (0.0, 0.0)
    dx, dy = maps.pixel_offset(view, view.longitude + 90, 0.0)
    assert_allclose(dx, 256, atol=2)
    assert_allclose(dy, 0, atol=1)
    _, north = maps.pixel_offset(view, 0.0, 45.0)
    assert north < 0  # north is up, screen y grows down


def test_view_for_france_stays_in_europe(con):
    boxes = maps.main_bounds_by_country(atlas.country_shapes(con))
    view = maps.view_for_bounds(boxes["FRA"])  # French Guiana is part of the polygon
    assert -5 < view.longitude < 10 and 40 < view.latitude < 52


def test_standalone_html_inlines_deck_gl_and_its_data(tiny):
    fc = maps.feature_collection(tiny.assign(fill=[[0, 0, 0, 255]] * 3), ["iso3", "fill"])
    chart = maps.deck([maps.polygon_layer("countries", fc)], "{iso3}</script>")
    page = maps.standalone_html(chart)
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.S)  # deck.gl's code aside
    assert "src=" not in markup and "<link" not in markup and len(page) > 1_000_000
    assert '"AAA"' in page
    assert page.count("</script>") == 2  # the tooltip's text cannot end a script early
    with pytest.raises(ValueError, match="2 counts for 1 legend entries"):
        maps.standalone_html(chart, legend=[maps.LegendEntry(maps.NO_DATA, "x")], counts=[1, 2])


def test_kept_outlines_are_written_once_and_read_back(tiny, tmp_path):
    folder = tmp_path / "cache"
    geometry, borders = maps.kept_outlines(tiny, folder)
    assert geometry == maps.geometries(tiny, simplify=maps.WORLD_SIMPLIFY)
    assert borders == maps.ring_segments(geometry, shared_only=True)
    (kept,) = folder.glob("world-*.json")
    assert kept.name == f"world-{maps.outlines_key(tiny)}-outlines-0.1.json"
    assert json.loads(kept.read_text()) == json.loads(json.dumps([geometry, borders]))
    assert maps.kept_outlines(tiny, folder) == tuple(json.loads(kept.read_text()))
    # other shapes: a new file in place of the old one
    moved = tiny.assign(geometry=[square(0, 0), square(1, 0), tiny.geometry[2]])
    _, moved_borders = maps.kept_outlines(moved, folder)
    assert moved_borders == [{"s": [1.0, 0.0], "t": [1.0, 1.0]}]
    assert [p.name for p in folder.glob("world-*.json")] != [kept.name]
    assert len(list(folder.glob("*"))) == 1


def test_kept_json_computes_once_per_key_and_drops_other_keys(tmp_path):
    calls = []

    def compute(value):
        return lambda: calls.append(value) or {"v": value}

    assert maps.kept_json(tmp_path, "bands-a", "k1", compute(1)) == {"v": 1}
    assert maps.kept_json(tmp_path, "bands-b", "k1", compute(2)) == {"v": 2}
    assert maps.kept_json(tmp_path, "bands-a", "k1", compute(3)) == {"v": 1}  # read back
    assert calls == [1, 2]
    assert maps.kept_json(tmp_path, "bands-a", "k2", compute(4)) == {"v": 4}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["world-k2-bands-a.json"]


def test_kept_outlines_compute_when_the_file_is_broken_or_unwritable(tiny, tmp_path):
    expected = maps.kept_outlines(tiny, tmp_path)
    (kept,) = tmp_path.glob("world-*-outlines-*.json")
    kept.write_text('[{"type": "Polyg')  # cut short
    assert json.loads(json.dumps(maps.kept_outlines(tiny, tmp_path))) == json.loads(
        json.dumps(expected))
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert maps.kept_outlines(tiny, blocked)[1] == expected[1]
