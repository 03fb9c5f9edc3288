"""Regions: the countries in scope (regions and custom countries), its name, the selector's
values and the view that frames it."""

from __future__ import annotations

import pytest
import shapely

from footprint.data import atlas
from footprint.views import maps
from footprint.views.regions import (
    MAP_HEIGHT_PX,
    MAP_WIDTH_PX,
    REGION_ALL,
    member_of,
    region_view,
    scope,
    scope_label,
    scope_options,
    scope_values,
    split_scope,
)

REGIONS = {"Latin America": ["BRA", "ARG"], "Japan": ["JPN"], "Both": ["JPN", "BRA"]}
NAMES = {"ARG": "Argentina", "BRA": "Brazil", "JPN": "Japan", "DEU": "Germany"}


def test_scope_unites_regions_and_custom_countries():
    assert scope((), (), REGIONS) == ["ARG", "BRA", "JPN"]
    assert scope(("Latin America",), (), REGIONS) == ["ARG", "BRA"]
    assert scope(("Latin America", "Japan"), ("DEU", "BRA"), REGIONS) == [
        "ARG", "BRA", "DEU", "JPN"]
    assert scope((), ("DEU",), REGIONS) == ["DEU"]
    with pytest.raises(ValueError, match="unknown region 'Atlantis'; choose one of"):
        scope(("Atlantis",), (), REGIONS)


def test_scope_label_names_regions_and_a_few_countries():
    assert scope_label((), (), NAMES) == REGION_ALL
    assert scope_label(("Latin America",), ("DEU",), NAMES) == "Latin America + Germany"
    assert scope_label((), ("DEU", "ARG"), NAMES) == "Germany, Argentina"
    assert scope_label(("Japan",), ("A", "B", "C", "D"), NAMES) == "Japan + 4 countries"


def test_scope_selector_offers_regions_then_countries_and_maps_solo_members():
    options = scope_options(REGIONS, NAMES)
    assert options == ["Both", "Japan", "Latin America", "ARG", "BRA", "DEU"]  # JPN is Japan
    assert scope_values(("Latin America",), ("JPN", "DEU"), REGIONS) == [
        "Latin America", "Japan", "DEU"]
    assert split_scope(["Japan", "DEU", "Both"], REGIONS) == (("Japan", "Both"), ("DEU",))


def test_member_of_joins_every_region_of_a_country():
    assert member_of("BRA", REGIONS) == "Both + Latin America"
    assert member_of("CHN", REGIONS) == ""


def test_region_view_frames_the_scope(database):
    shapes = atlas.country_shapes(database)
    members = atlas.regions(database)
    boxes = maps.main_bounds_by_country(shapes)
    world = region_view((), (), boxes, members)
    assert world.zoom < 1 and -30 < world.longitude < 10  # all six regions, Alaska to Japan
    japan = region_view(("Japan",), (), boxes, members)  # a fixed frame
    assert 135 < japan.longitude < 140 and 36 < japan.latitude < 40
    same = region_view((), ("JPN",), boxes, members)  # the same country, framed the same
    assert (same.longitude, same.latitude, same.zoom) == (japan.longitude, japan.latitude,
                                                         japan.zoom)
    india = region_view(("India",), (), boxes, members)
    assert india.zoom > 3  # India fills its map
    latin = region_view(("Latin America",), (), boxes, members)  # from its countries
    assert -90 < latin.longitude < -60 and -25 < latin.latitude < 5
    assert latin.zoom > world.zoom
    both = region_view(("Latin America",), ("ESP",), boxes, members)
    assert both.longitude > latin.longitude and both.zoom < latin.zoom
    assert region_view((), ("XXX",), boxes, members) is maps.WORLD_VIEW
    # the per-country boxes frame a scope as the main parts of its countries taken together
    rows = shapes[shapes["iso3"].isin(members["Latin America"])]
    together = shapely.bounds(shapely.union_all(maps.main_parts(rows).to_numpy()))
    joint = maps.view_for_bounds(tuple(together), MAP_WIDTH_PX, MAP_HEIGHT_PX)
    assert (latin.longitude, latin.latitude, latin.zoom) == (joint.longitude, joint.latitude,
                                                             joint.zoom)
