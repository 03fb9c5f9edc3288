"""Regions: choices, the countries in scope, membership text and the view that frames them."""

from __future__ import annotations

import pytest

from footprint.data import atlas
from footprint.views import maps
from footprint.views.regions import REGION_ALL, member_of, region_choices, region_view, scope

REGIONS = {"Latin America": ["BRA", "ARG"], "Japan": ["JPN"], "Both": ["JPN", "BRA"]}


def test_region_choices_and_scope():
    assert region_choices(REGIONS) == [REGION_ALL, "Both", "Japan", "Latin America"]
    assert scope(REGION_ALL, REGIONS) == ["ARG", "BRA", "JPN"]
    assert scope("Latin America", REGIONS) == ["ARG", "BRA"]
    with pytest.raises(ValueError, match="unknown region 'Atlantis'; choose one of"):
        scope("Atlantis", REGIONS)


def test_member_of_joins_every_region_of_a_country():
    assert member_of("BRA", REGIONS) == "Both + Latin America"
    assert member_of("CHN", REGIONS) == ""


def test_region_view_frames_the_region(database):
    shapes = atlas.country_shapes(database)
    members = atlas.regions(database)
    assert region_view(REGION_ALL, shapes, members) == maps.WORLD_VIEW
    japan = region_view("Japan", shapes, members)  # a fixed frame
    assert 135 < japan.longitude < 140 and 36 < japan.latitude < 40
    latin = region_view("Latin America", shapes, members)  # from its countries
    assert -90 < latin.longitude < -60 and -25 < latin.latitude < 5
    assert latin.zoom > maps.WORLD_VIEW.zoom
