"""Explore: the six regions on a world map (grows into the full explorer)."""

from __future__ import annotations

import streamlit as st

from footprint import maps
from pages import shared

st.title("Explore regions")
shapes = shared.country_shapes()
labels = maps.region_labels(shapes["regions"])
colors, legend = maps.categorise(labels)
shapes = maps.with_fill(shapes, colors).assign(region_label=[lab or "outside the six regions"
                                                             for lab in labels])
collection = maps.feature_collection(shapes, ["iso3", "name", "region_label", "fill"])
layer = maps.polygon_layer("countries", collection)
st.pydeck_chart(maps.deck([layer], "<b>{name}</b> ({iso3})<br/>{region_label}"),
                key="explore_map", height=520)
st.dataframe(
    {"colour": [maps.hex_color(e.color) for e in legend], "region": [e.label for e in legend]},
    hide_index=True, key="explore_legend",
)
shared.attribution()
