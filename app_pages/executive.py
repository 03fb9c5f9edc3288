"""Executive risk map: risk tiers over the six regions, top countries, flags, downloads."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from footprint.assumptions import (
    DEFAULT_ELIGIBILITY_SHARE,
    DEFAULT_SITE_ACTIVATION_DAYS,
    SLOW_APPROVAL_DAYS,
)
from footprint.model import scoring
from footprint.views import executive, maps, url_state
from footprint.views import format as fmt
from footprint.views.regions import REGION_ALL, scope

PAGE = "executive"
DEFAULT_INDICATION = "type2_diabetes"
TOP_N = 3

regions = shared.regions()
names = shared.country_names()
shapes = shared.country_shapes()
indications = shared.indications()
default = url_state.ViewState(indication=DEFAULT_INDICATION)


def parse_link(params):
    state, warnings = url_state.parse_view_params(
        {k: v for k, v in params.items() if k == "indication"}, regions=(), metrics=(),
        indications=list(indications), countries=(), default=default)
    return {"executive_indication": state.indication}, warnings


link_warnings = shared.link_state(PAGE, parse_link)
st.title("Executive risk map")
for warning in link_warnings:
    st.warning(warning, icon="⚠️")
st.caption(executive.tier_rule() + " Regulatory friction and infrastructure risk do not depend on "
           "the indication; the top countries do.")

in_scope = scope(REGION_ALL, regions)
# Tiers come from friction and infrastructure only: any indication gives the same tiers.
indication_id = st.session_state.get("executive_indication") or DEFAULT_INDICATION
frame = shared.country_frame(indication_id, DEFAULT_ELIGIBILITY_SHARE,
                             DEFAULT_SITE_ACTIVATION_DAYS)
props, legend, counts = executive.tier_properties(shapes, frame, in_scope)
tier_counts = dict(zip([e.label for e in legend], counts, strict=True))
cols = st.columns(4)
for col, tier in zip(cols, (*maps.TIERS, "no data"), strict=True):
    col.metric(f"{tier.capitalize()} risk" if tier != "no data" else "No data",
               f"{tier_counts[tier]} countries")

collection = maps.feature_collection(
    props, ["iso3", "name", "risk_tier", "value_text", "detail_text", "fill"],
    geometry=shared.country_geometries())
chart = maps.deck([maps.polygon_layer("countries", collection),
                   maps.border_layer("borders", shared.country_borders())],
                  maps.TOOLTIP_HTML)
st.pydeck_chart(chart, key="executive_map", height=520)
legend_col, note_col = st.columns([1, 2])
legend_col.dataframe(
    fmt.legend_styler(fmt.legend_rows(legend, counts, "risk tier")), hide_index=True,
    key="executive_legend",
    column_config=shared.LEGEND_COLUMNS)
with note_col:
    shared.attribution()
    st.caption("Beige: outside the six regions. Grey: a country of the six regions with too "
               "little data for a tier (never shown as low risk).")

st.subheader("Top countries per region")
indication_id = st.selectbox("Indication (sizes the patient pool)", list(indications),
                             format_func=lambda i: indications[i].name,
                             key="executive_indication",
                             on_change=shared.clear_link_warnings, args=(PAGE,))
top = executive.top_per_region(frame, scoring.Weights(), regions, TOP_N)
st.dataframe(top, hide_index=True, key="executive_top", height=fmt.table_height(len(top), 20),
             column_config={
                 "Attractiveness [0-100]": st.column_config.NumberColumn(format="%.1f"),
                 "Reachable patients": st.column_config.NumberColumn(format="compact"),
                 "Flags": st.column_config.TextColumn(width="large")})
st.caption(f"Attractiveness with equal weights ({fmt.weights_text(scoring.Weights())}), "
           f"{DEFAULT_ELIGIBILITY_SHARE:.0%} eligibility, "
           f"{DEFAULT_SITE_ACTIVATION_DAYS:.0f} days of site activation. "
           "Change them on the Explore page.")

st.subheader("Flags that matter")
flags = executive.flags_that_matter(frame, in_scope, regions)
st.dataframe(flags, hide_index=True, key="executive_flags",
             height=fmt.table_height(len(flags), 15),
             column_config={"Flags": st.column_config.TextColumn(width="large")})
st.caption(f"War or sanctions (regulatory reference table) and approvals of "
           f"{SLOW_APPROVAL_DAYS:.0f} days or more; 'assumed' approvals are regional "
           "medians, not sourced figures.")

st.subheader("Downloads")
tiers = executive.tier_table(frame, in_scope, regions)
d1, d2, d3 = st.columns(3)
d1.download_button("Risk map (HTML)", lambda: maps.standalone_html(chart, offline=True),
                   file_name="trial-footprint-risk-map.html", mime="text/html",
                   key="executive_download_map", on_click="ignore")
d2.download_button("Risk tiers (CSV)", fmt.table_csv(tiers),
                   file_name="trial-footprint-risk-tiers.csv", mime="text/csv",
                   key="executive_download_tiers", on_click="ignore")
d3.download_button("Top countries (CSV)", fmt.table_csv(top),
                   file_name=f"trial-footprint-top-{fmt.slug(indication_id)}.csv",
                   mime="text/csv", key="executive_download_top", on_click="ignore")
st.caption("The HTML map is self-contained (about 5 MB: deck.gl is inlined) and opens "
           "offline in a browser; its template also links a map-library script and "
           "stylesheets on CDNs, which are not needed and fail harmlessly without network.")

shared.write_link(url_state.view_params(url_state.ViewState(indication=indication_id),
                                        url_state.ViewState(indication=DEFAULT_INDICATION)))
