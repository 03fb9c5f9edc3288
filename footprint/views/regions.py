"""The regions a page can show: the countries in scope (several regions, a custom set of
countries, or both), its name and the map view that frames it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
# The country maps' size [px]: the main column of a 1280 x 800 window with the sidebar open.
MAP_WIDTH_PX = 820
MAP_HEIGHT_PX = 520
# Custom countries named in a scope's label; more are counted.
NAMED_COUNTRIES = 3


def scope(selected: Sequence[str], countries: Sequence[str],
          regions: Mapping[str, Sequence[str]]) -> list[str]:
    """Sorted ISO3 codes in scope: the members of the ``selected`` regions and the custom
    ``countries``; every member of every region when both are empty.

    Raises
    ------
    ValueError
        Unknown region; the message lists the valid names.
    """
    unknown = [r for r in selected if r not in regions]
    if unknown:
        raise ValueError(f"unknown region {unknown[0]!r}; choose one of {sorted(regions)}")
    if not selected and not countries:
        return sorted({iso3 for members in regions.values() for iso3 in members})
    return sorted({*countries, *(iso3 for r in selected for iso3 in regions[r])})


def scope_options(regions: Mapping[str, Sequence[str]], names: Mapping[str, str]) -> list[str]:
    """What a scope selector offers: the region names, then every mapped country's ISO3 code
    by name, except the sole member of a one-country region (the region stands for it)."""
    solo = {members[0] for members in regions.values() if len(members) == 1}
    return [*sorted(regions), *sorted((c for c in names if c not in solo),
                                      key=lambda c: names[c])]


def scope_values(selected: Sequence[str], countries: Sequence[str],
                 regions: Mapping[str, Sequence[str]]) -> list[str]:
    """A scope as the selector's values (:func:`scope_options`): a custom country that is
    the sole member of a one-country region becomes that region."""
    solo = {members[0]: r for r, members in regions.items() if len(members) == 1}
    out = list(selected)
    for iso3 in countries:
        value = solo.get(iso3, iso3)
        if value not in out:
            out.append(value)
    return out


def split_scope(values: Sequence[str], regions: Mapping[str, Sequence[str]]
                ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(regions, custom countries) of a scope selector's values."""
    return (tuple(v for v in values if v in regions),
            tuple(v for v in values if v not in regions))


def scope_label(selected: Sequence[str], countries: Sequence[str],
                names: Mapping[str, str]) -> str:
    """'All regions', 'Latin America + India', 'Latin America + Brazil, Chile' or
    'Japan + 5 countries'."""
    if not selected and not countries:
        return REGION_ALL
    parts = list(selected)
    if len(countries) <= NAMED_COUNTRIES:
        named = ", ".join(names.get(c, c) for c in countries)
        parts += [named] if named else []
    else:
        parts.append(f"{len(countries)} countries")
    return " + ".join(parts)


def member_of(iso3: str, regions: Mapping[str, Sequence[str]]) -> str:
    """The regions a country belongs to, 'European Union + Eastern Europe' ('' for none)."""
    return " + ".join(sorted(r for r, members in regions.items() if iso3 in members))


def region_view(selected: Sequence[str], countries: Sequence[str],
                boxes: Mapping[str, Sequence[float]], regions: Mapping[str, Sequence[str]],
                width_px: int = MAP_WIDTH_PX, height_px: int = MAP_HEIGHT_PX) -> pdk.ViewState:
    """The map view that frames a scope (:func:`scope`): each region by its fixed frame
    (:data:`REGION_FRAMES`) or its members' main parts, each custom country by its main parts
    (or the frame of a one-country region), all six regions when the scope is empty.
    ``boxes``: each country's main-part box (:func:`maps.main_bounds_by_country`)."""
    if not selected and not countries:
        selected = sorted(regions)
    solo = {tuple(regions[r]): REGION_FRAMES[r] for r in REGION_FRAMES if r in regions}
    union = maps.union_bounds(
        [REGION_FRAMES.get(region) or maps.union_bounds(boxes.get(c) for c in regions[region])
         for region in selected]
        + [solo.get((iso3,)) or boxes.get(iso3) for iso3 in countries])
    if union is None:
        return maps.WORLD_VIEW
    return maps.view_for_bounds(union, width_px, height_px)
