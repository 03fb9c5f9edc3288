"""Executive risk map: risk tiers over the six regions, top countries, flags, downloads; with
the same weights, assumptions and gate switch as Explore (they follow the user)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from app_pages import shared
from footprint.assumptions import SLOW_APPROVAL_DAYS
from footprint.io import report_map, report_meta, report_onepager
from footprint.model import scoring
from footprint.views import executive, maps, url_state
from footprint.views import format as fmt
from footprint.views.regions import REGION_ALL, scope

PAGE = "executive"
TOP_N = 3

regions = shared.regions()
names = shared.country_names()
shapes = shared.country_shapes()
indications = shared.indications()
choices = url_state.Choices(indications=list(indications))


def parse_link(params, base):
    state, notices = url_state.parse_view_params(params, choices=choices, default=base,
                                                 names=url_state.SETTINGS)
    return {"executive_indication": state.indication,
            **shared.settings_seeds(PAGE, state)}, notices


def clear_warnings():
    shared.clear_link_warnings(PAGE)


link_warnings = shared.open_view(PAGE, "executive_indication", parse_link)
settings = shared.settings_sidebar(PAGE, clear_warnings)
weights, include_gated = settings.weights, settings.include_gated
st.title("Executive risk map")
for warning in link_warnings:
    st.warning(warning, icon="⚠️")
settings_text = (f"Weights: {fmt.weights_text(weights)}; "
                 f"{settings.eligibility_share:.0%} of diagnosed patients eligible; "
                 f"{settings.activation_days:.0f} days of site activation; "
                 f"{fmt.gate_text(include_gated)}. Set in the sidebar, the same as on Explore.")
st.caption(executive.tier_rule() + " Regulatory friction and infrastructure risk do not depend on "
           "the indication; the top countries do.")

in_scope = scope((), (), regions)
# Tiers come from friction and infrastructure only: any indication gives the same tiers.
indication_id = st.session_state.get("executive_indication") or shared.DEFAULT_VIEW.indication
frame = shared.country_frame(indication_id, settings.eligibility_share, settings.activation_days)
props, legend, counts = executive.tier_properties(shapes, frame, in_scope)
tier_counts = dict(zip([e.label for e in legend], counts, strict=True))
gated = scoring.left_out(frame, in_scope)
cols = st.columns(4)
for col, tier in zip(cols, (*maps.TIERS, "no data"), strict=True):
    label = f"{tier.capitalize()} risk" if tier != "no data" else "No data"
    if tier == "high" and gated:
        label += f" ({len(gated)} gated)"
    col.metric(label, f"{tier_counts[tier]} countries")

collection = maps.feature_collection(
    props, ["iso3", "name", "risk_tier", "value_text", "detail_text", "fill"],
    geometry=shared.country_geometries())
view = shared.region_view((), ())
chart = maps.deck([maps.polygon_layer("countries", collection),
                   shared.border_layer(view.zoom),
                   shared.outline_layer("gated", gated, view.zoom, maps.GATED_LINE, 1.5,
                                        keep=True)],
                  maps.TOOLTIP_HTML, view)
st.pydeck_chart(chart, key="executive_map", height=520)
legend_col, note_col = st.columns([1, 2])
legend_col.dataframe(
    fmt.legend_styler(fmt.legend_rows(legend, counts, "risk tier")), hide_index=True,
    key="executive_legend",
    column_config=shared.LEGEND_COLUMNS)
with note_col:
    shared.attribution()
    st.caption("Beige: outside the six regions. Grey: a country of the six regions with too "
               "little data for a tier (never shown as low risk). Purple outline: gated "
               "(embargo, sanctions or war); a gated country is never low or medium risk.")

st.subheader("Top countries per region")
indication_id = st.selectbox("Indication (sizes the patient pool)", list(indications),
                             format_func=lambda i: indications[i].name,
                             key="executive_indication", on_change=clear_warnings)
if not include_gated and gated:
    st.info(fmt.left_out_notice(frame, gated, "the top lists"), icon=":material/block:")
top = executive.top_per_region(frame, weights, regions, TOP_N, include_gated)
st.dataframe(fmt.shown(top), hide_index=True, key="executive_top", placeholder=fmt.MISSING,
             height=fmt.table_height(len(top), 20),
             column_config={
                 "Attractiveness [0-100]": st.column_config.NumberColumn(format="%.1f"),
                 "Reachable patients": st.column_config.NumberColumn(format="localized"),
                 "Country": st.column_config.TextColumn(width=fmt.text_width(
                     top.get("Country", []), "Country")),
                 "Flags": st.column_config.TextColumn(width=fmt.text_width(
                     top.get("Flags", []), "Flags"))})
st.caption(f"Attractiveness for {indications[indication_id].name}. {settings_text} "
           "Reachable patients to three significant figures (exact in the download).")

st.subheader("Flags that matter")
flags = executive.flags_that_matter(frame, in_scope, regions)
st.dataframe(flags, hide_index=True, key="executive_flags", placeholder=fmt.MISSING,
             height=fmt.table_height(len(flags), 15),
             column_config={"Flags": st.column_config.TextColumn(width=fmt.text_width(
                 flags["Flags"], "Flags"))})
st.caption(f"Gated countries (embargo, sanctions or war; the gate's month in 'Gate as of') "
           f"and approvals of {SLOW_APPROVAL_DAYS:.0f} days or more; 'assumed' approvals are "
           "regional medians, not sourced figures.")

st.subheader("Downloads")
tiers = executive.tier_table(frame, in_scope, regions)
csv_settings = fmt.settings_columns(indications[indication_id].name, weights,
                                    settings.eligibility_share, settings.activation_days,
                                    include_gated)
d1, d2, d3 = st.columns(3)
d1.download_button("Risk map (HTML)", lambda: maps.standalone_html(
                       chart, title="Executive risk map: risk tiers of the six regions",
                       legend=legend, counts=counts, notes=[executive.tier_rule()]),
                   file_name="trial-footprint-risk-map.html", mime="text/html",
                   key="executive_download_map", on_click="ignore")
d2.download_button("Risk tiers (CSV)", fmt.table_csv(tiers, csv_settings),
                   file_name=fmt.download_name("risk-tiers", REGION_ALL),
                   mime="text/csv", key="executive_download_tiers", on_click="ignore")
d3.download_button("Top countries (CSV)", fmt.table_csv(top, csv_settings),
                   file_name=fmt.download_name(f"top-{TOP_N}-per-region",
                                               indications[indication_id].name),
                   mime="text/csv", key="executive_download_top", on_click="ignore")


def one_pager():
    """The page as an executive one-pager (io.report_onepager), built when downloaded."""
    keys = [report_map.MapKey(e.label, e.color, n, hatch=e.label == executive.GATED_LEGEND)
            for e, n in zip(legend, counts, strict=True)]
    keys.append(report_map.MapKey("outside the six regions", maps.CONTEXT_LAND))
    meta = report_meta.ReportMeta(eligibility_share=settings.eligibility_share,
                                  site_activation_days=settings.activation_days,
                                  weights=weights)
    return report_onepager.risk_onepager(
        shapes, props["fill"], frame, in_scope, keys, title="Executive risk map",
        subtitle=f"The six regions · {indications[indication_id].name}", top=top,
        flags=flags, meta=meta, sources=shared.data_sources(),
        notes=[executive.tier_rule()], include_gated=include_gated)


p1, p2, _ = st.columns(3)
p1.download_button("One-pager (PDF)", lambda: report_onepager.onepager_pdf(one_pager()),
                   file_name=f"trial-footprint-one-pager-{fmt.slug(indication_id)}.pdf",
                   mime=report_onepager.PDF_MIME,
                   key="executive_download_pdf", on_click="ignore")
p2.download_button("One-pager (PowerPoint)",
                   lambda: report_onepager.onepager_pptx(one_pager()),
                   file_name=f"trial-footprint-one-pager-{fmt.slug(indication_id)}.pptx",
                   mime=report_onepager.PPTX_MIME,
                   key="executive_download_pptx", on_click="ignore")
st.caption("The HTML map is self-contained (about 5 MB: deck.gl is inlined): it opens "
           "offline and loads nothing from the network. The one-pager (a PDF page or one "
           "slide) prints the map with gated countries hatched, the tier counts, the top "
           "countries, the flags, the date and the sources.")

view = settings.state(replace(shared.last_view(), indication=indication_id))
shared.remember(view)
shared.write_link(url_state.view_params(view, shared.DEFAULT_VIEW, names=url_state.SETTINGS))
