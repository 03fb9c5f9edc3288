"""The sub-national drill-down: unit colours, insets, framing, the share-out caption, cities
and the unit table."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from footprint.data import atlas, model_inputs
from footprint.model import pool
from footprint.views import maps, subnational
from footprint.views.format import format_value


def shared_out(database, iso3):
    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    country = pool.funnel(inputs, pool.catalogue(inputs)["type2_diabetes"]).loc[iso3]
    units = pool.subnational_funnel(country, atlas.subnational_units(con, iso3))
    con.close()
    return units


@pytest.fixture(scope="module")
def units(database):
    return shared_out(database, "JPN")


@pytest.fixture(scope="module")
def us_units(database):
    return shared_out(database, "USA")


def test_subnational_properties_zero_reach_is_not_missing(units):
    units = units.copy()
    units.loc[units.index[0], "reach"] = np.nan
    frame, legend, counts = subnational.subnational_properties(units)
    assert frame["fill"].iloc[0] != list(maps.NO_DATA) and counts[-1] == 0
    assert frame["value_text"].iloc[0].startswith("Reachable urban population: 0 people · ")
    assert "districts of a listed city not counted again" in frame["detail_text"].iloc[0]
    with pytest.raises(ValueError, match="unknown sub-national metric"):
        subnational.subnational_properties(units, "geometry")


def test_subnational_table_ranks_by_reach_and_shows_the_share_out(units):
    table = subnational.subnational_table(units)
    assert len(table) == len(units)
    assert table["Reach [people]"].is_monotonic_decreasing
    assert table.loc[0, "Code"] == "JP.TK"
    assert table["Share [%]"].sum() == pytest.approx(100)
    assert table["Eligible patients [patients]"].sum() == pytest.approx(
        units["eligible_patients"].sum(), abs=len(units))  # to rounding


def test_share_out_caption_names_the_rule_the_totals_and_the_scaling(units, us_units):
    japan = subnational.share_out_caption(units, "Japan")
    assert japan.startswith("Share-out by urban reach: ")
    assert "Japan's units add up to" in japan and "reach is scaled to" in japan
    assert "scaled to" not in subnational.share_out_caption(us_units, "the United States")


def test_alaska_and_hawaii_are_drawn_in_insets_inside_the_fitted_view(us_units):
    drawn = subnational.inset_units(us_units, "USA").set_index("unit_code")
    lower48 = drawn.drop(index=["US.AK", "US.HI"]).total_bounds
    for code in ("US.AK", "US.HI"):
        west, south, east, north = drawn.geometry[code].bounds
        box = next(i for i in subnational.INSETS["USA"] if i.unit_code == code).frame()
        assert box[0] - 1e-9 <= west and east <= box[2] + 1e-9  # inside its own box
        assert box[1] - 1e-9 <= south and north <= box[3] + 1e-9
        assert lower48[0] - 3 < west and east < lower48[2] and south > 18  # beside the mainland
        assert not drawn.drop(index=[code]).intersects(drawn.geometry[code]).any()
    assert len(subnational.inset_frames("USA")) == 8  # two boxes of four sides
    view = subnational.drill_view(us_units, "USA")
    width, height = subnational.DRILL_MAP_SIZE["USA"]
    alaska = subnational.INSETS["USA"][0].frame()
    west, south = maps.pixel_offset(view, alaska[0], alaska[1])
    east, _ = maps.pixel_offset(view, lower48[2], lower48[3])
    assert -width / 2 < west and east < width / 2 and south < height / 2  # Alaska's box, Maine


def test_insets_keep_the_units_shape_and_move_their_cities():
    inset = subnational.Inset("X.A", (0.0, 60.0, 10.0, 70.0), (0.0, 20.0), 0.5)
    kx, ky = inset.factors()
    assert ky == 0.5 and kx == pytest.approx(0.5 * np.cos(np.radians(65)) / np.cos(
        np.radians(22.5)))
    assert inset.frame() == pytest.approx((0.0, 20.0, 10 * kx, 25.0))
    cities = pd.DataFrame({"unit_code": ["US.HI", "US.TX"], "longitude": [-157.86, -95.36],
                           "latitude": [21.31, 29.76]})
    moved = subnational.inset_points(cities, "USA")
    hawaii = subnational.INSETS["USA"][1]
    w, s, e, n = hawaii.frame()
    assert w < moved.at[0, "longitude"] < e and s < moved.at[0, "latitude"] < n
    assert moved.loc[1].tolist() == cities.loc[1].tolist()  # Houston stays
    assert subnational.inset_points(cities, "IND").equals(cities)


def test_japan_and_india_are_framed_for_a_map_as_tall_as_wide(database):
    for iso3 in ("JPN", "IND"):
        width, height = subnational.DRILL_MAP_SIZE[iso3]
        assert 0.8 < width / height < 1.25
    units = gpd.GeoDataFrame({"unit_code": ["JP.ON", "JP.TK"]}, geometry=[
        shapely.box(127.6, 26.0, 128.3, 26.9), shapely.box(139.0, 35.5, 140.0, 36.0)],
        crs="EPSG:4326")
    drawn = subnational.inset_units(units, "JPN").set_index("unit_code")
    assert drawn.geometry["JP.ON"].bounds[1] > 39  # Okinawa moved north into the Sea of Japan
    assert drawn.geometry["JP.TK"].equals(units.geometry[1])


def test_city_points_are_escaped_and_sorted():
    cities = pd.DataFrame({"name": ["Small", "Big & <Co>"], "population": [300_000, 9e6],
                           "latitude": [1.0, 2.0], "longitude": [3.0, 4.0]})
    out = subnational.city_points(cities)
    assert list(out["name"]) == ["Big &amp; &lt;Co&gt;", "Small"]
    assert out["value_text"].iloc[0] == f"City population: {format_value(9e6, 'people')}"
