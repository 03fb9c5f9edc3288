"""The regions a page can show: the choices, the countries in scope and the map view that
frames them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import pydeck as pdk

from footprint.views import maps

REGION_ALL = "All regions"
# Regions whose map is framed on a fixed box (min lon, min lat, max lon, max lat) instead of
# their members' extent: Russia east of the Urals is drawn but would centre the view on
# Siberia; Japan's main-island framing would cut off Kyushu (under a quarter of Honshu).
REGION_FRAMES: dict[str, tuple[float, float, float, float]] = {
    "Eastern Europe": (12.0, 38.0, 62.0, 68.0),
    "Japan": (128.5, 30.5, 146.0, 45.7),
}


def region_choices(regions: Mapping[str, Sequence[str]]) -> list[str]:
    """:data:`REGION_ALL` first, then the region names in alphabetical order."""
    return [REGION_ALL, *sorted(regions)]


def scope(region: str, regions: Mapping[str, Sequence[str]]) -> list[str]:
    """Sorted ISO3 codes in scope: a region's members, or every member of every region.

    Raises
    ------
    ValueError
        Unknown region; the message lists the valid names.
    """
    if region == REGION_ALL:
        return sorted({iso3 for members in regions.values() for iso3 in members})
    if region not in regions:
        raise ValueError(f"unknown region {region!r}; choose one of {region_choices(regions)}")
    return sorted(regions[region])


def member_of(iso3: str, regions: Mapping[str, Sequence[str]]) -> str:
    """The regions a country belongs to, 'European Union + Eastern Europe' ('' for none)."""
    return " + ".join(sorted(r for r, members in regions.items() if iso3 in members))


def region_view(region: str, shapes: pd.DataFrame,
                regions: Mapping[str, Sequence[str]]) -> pdk.ViewState:
    """The map view that frames a region: the world for all regions, a fixed frame for those
    in :data:`REGION_FRAMES`, else the main parts of the region's countries."""
    if region == REGION_ALL:
        return maps.WORLD_VIEW
    if region in REGION_FRAMES:
        return maps.view_for_bounds(REGION_FRAMES[region])
    return maps.view_for(shapes[shapes["iso3"].isin(scope(region, regions))])
