"""Explore: a score or indicator over the six regions, ranked, with country details."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from footprint.assumptions import (
    DEFAULT_ELIGIBILITY_SHARE,
    DEFAULT_SITE_ACTIVATION_DAYS,
    STALE_AFTER_YEARS,
)
from footprint.model import pool, scoring
from footprint.views import country_details, explore, maps, metrics, subnational, url_state
from footprint.views import format as fmt
from footprint.views.regions import REGION_ALL, region_choices, scope

PAGE = "explore"
MAP_KEY = "explore_map"
DEFAULT_INDICATION = "type2_diabetes"
DEFAULT_METRIC = "attractiveness"
TOP_K = 5

regions = shared.regions()
names = shared.country_names()
shapes = shared.country_shapes()
latest = shared.latest_indicators()
catalogue = shared.indicator_catalogue()
indications = shared.indications()
indicator_metrics = metrics.indicator_metrics(catalogue)
all_metrics = metrics.metric_choices(metrics.model_metrics(), indicator_metrics)
default = url_state.ViewState(region=REGION_ALL, metric=DEFAULT_METRIC,
                              indication=DEFAULT_INDICATION)


def parse_link(params):
    state, warnings = url_state.parse_view_params(
        params, regions=region_choices(regions), metrics=list(all_metrics),
        indications=list(indications), countries=names, default=default)
    return ({"explore_region": state.region, "explore_indication": state.indication,
             "explore_metric": state.metric, "explore_country": state.country}, warnings)


def clear_warnings():
    shared.clear_link_warnings(PAGE)


link_warnings = shared.link_state(PAGE, parse_link)
# A click on the map opens that country's details: the pick is read before any widget is drawn
# so the country selector below can follow it (and stays free to pick another country). Then
# the map is redrawn under a new key, without the selection: Streamlit fades every unselected
# country to 40 % while a selection is active, which would wash out the choropleth; the
# picked country gets our own outline instead.
generation = st.session_state.get("_explore_map_generation", 0)
map_key = explore.map_widget_key(MAP_KEY, generation)
picked = explore.picked_country(st.session_state.get(map_key))
if picked:
    st.session_state["explore_country"] = picked
    generation += 1
    st.session_state["_explore_map_generation"] = generation
    map_key = explore.map_widget_key(MAP_KEY, generation)

# ---- sidebar: model settings ---------------------------------------------------------------
with st.sidebar:
    st.subheader("Score weights")
    w_pool = st.slider("Patient pool", 0, 10, 5, key="explore_w_pool")
    w_friction = st.slider("Regulatory friction", 0, 10, 5, key="explore_w_friction")
    w_infra = st.slider("Infrastructure risk", 0, 10, 5, key="explore_w_infra")
    weights, weights_warning = explore.weights_from(w_pool, w_friction, w_infra)
    if weights_warning:
        st.warning(weights_warning)
    st.caption(f"Attractiveness weights: {fmt.weights_text(weights)}.")
    st.subheader("Assumptions")
    eligibility_pct = st.slider("Eligible share of diagnosed patients [%]", 1, 100,
                                int(DEFAULT_ELIGIBILITY_SHARE * 100),
                                key="explore_eligibility")
    activation_days = st.slider("Site activation after approval [days]", 0, 365,
                                int(DEFAULT_SITE_ACTIVATION_DAYS), step=5,
                                key="explore_activation")

# ---- selection -----------------------------------------------------------------------------
st.title("Explore")
for warning in link_warnings:
    st.warning(warning, icon="⚠️")
c_region, c_indication, c_metric = st.columns([1, 1, 2])
region = c_region.selectbox("Region", region_choices(regions), key="explore_region",
                            on_change=clear_warnings)
indication_id = c_indication.selectbox("Indication", list(indications),
                                       format_func=lambda i: indications[i].name,
                                       key="explore_indication", on_change=clear_warnings)
indication = indications[indication_id]
pool_source = fmt.source_label(str(catalogue.loc[indication.metric, "source_id"])) if (
    indication.metric in catalogue.index) else ""
options = metrics.metric_choices(metrics.model_metrics(indication, pool_source), indicator_metrics)
metric_id = c_metric.selectbox("Metric", list(options),
                               format_func=lambda m: metrics.metric_option_label(options[m]),
                               key="explore_metric", on_change=clear_warnings)
metric = options[metric_id]
country = st.session_state.get("explore_country")
in_scope = scope(region, regions)

eligibility_share = eligibility_pct / 100
frame = shared.country_frame(indication_id, eligibility_share, float(activation_days))
scored = scoring.score(frame, weights, list(frame.index))
if metric.kind == "model":
    values = metrics.model_values(scored, metric)
else:
    values = metrics.indicator_values(latest, metric_id)

st.caption(f"{metric.description} Source: {metric.source}. "
           + ("Latest value per country (years differ); stale when older than "
              f"{STALE_AFTER_YEARS} years."
              if metric.kind == "indicator" else
              f"Indication: {indication.name}; weights: {fmt.weights_text(weights)}."))

# ---- map -----------------------------------------------------------------------------------
props, legend, counts, basis = explore.map_properties(shapes, values, metric, in_scope)
collection = maps.feature_collection(
    props, ["iso3", "name", "value_text", "detail_text", "fill"],
    geometry=shared.country_geometries())
layers = [maps.polygon_layer("countries", collection),
          maps.border_layer("borders", shared.country_borders())]
if country:
    layers.append(maps.outline_layer("selected", explore.selected_feature(collection, country)))
st.pydeck_chart(maps.deck(layers, maps.TOOLTIP_HTML, shared.region_view(region)),
                key=map_key, on_select="rerun", selection_mode="single-object", height=520)
shared.attribution()

# ---- legend and ranking --------------------------------------------------------------------
legend_col, table_col = st.columns([1, 2])
with legend_col:
    years = explore.year_span(values, in_scope)
    st.markdown(f"**{metric.title}** ({metric.unit}{', ' + years if years else ''})")
    st.dataframe(fmt.legend_styler(fmt.legend_rows(legend, counts, metric.unit)),
                 hide_index=True, key="explore_legend",
                 column_config=shared.LEGEND_COLUMNS)
    st.caption(basis + " Grey: no data (never zero). Beige: outside the selected region.")
with table_col:
    stability = None
    if metric.id == "attractiveness":
        stability = shared.rank_stability(
            indication_id, eligibility_share, float(activation_days),
            (weights.pool, weights.friction, weights.infrastructure), region, TOP_K)
    extra = explore.ranking_extra(scored, stability, TOP_K) if metric.kind == "model" else None
    table = explore.ranking_table(values, names, metric, in_scope, extra)
    st.markdown(f"**Ranking: {region}** ({metrics.ranking_order(metric)})")
    st.dataframe(table, hide_index=True, key="explore_ranking",
                 height=fmt.table_height(len(table), 10),
                 column_config={
                     metric.label: st.column_config.NumberColumn(
                         metric.title, help=metric.label, format=metrics.number_format(metric)),
                     f"P(top {TOP_K})": st.column_config.ProgressColumn(
                         f"P(top {TOP_K})", help="Share of 1,000 weight draws around yours in "
                         f"which the country stays in the region's top {TOP_K}",
                         min_value=0.0, max_value=1.0, format="percent"),
                 })
    st.download_button("Download the ranking (CSV)", fmt.table_csv(table),
                       file_name=fmt.download_name("ranking", region, metric_id, "csv"),
                       mime="text/csv", key="explore_download", on_click="ignore")

# ---- country details -----------------------------------------------------------------------
st.subheader("Country details")
order = sorted(names, key=lambda c: names[c])
country = st.selectbox("Country", order, index=None, format_func=lambda c: names[c],
                       placeholder="Click a country on the map, or pick one here",
                       key="explore_country", on_change=clear_warnings)
if country:
    row = frame.loc[country]
    st.markdown(f"**{country_details.country_summary(country, names, regions)}**")
    note = shared.country_notes().get(country)
    if note:
        st.info(note, icon="ℹ️")
    t_funnel, t_reg, t_infra, t_ind = st.tabs(
        ["Patient funnel", "Regulatory & start-up", "Infrastructure", "Indicators"])
    with t_funnel:
        funnel = country_details.funnel_table(row, indication, eligibility_share)
        st.dataframe(funnel, hide_index=True, key="explore_funnel",
                     column_config={funnel.columns[1]: st.column_config.NumberColumn(
                         format="localized"),
                         "Kept": st.column_config.NumberColumn(format="percent")})
        if indication.note:
            st.caption(indication.note)
    with t_reg:
        st.dataframe(country_details.startup_facts(row), hide_index=True, key="explore_startup")
        st.dataframe(country_details.friction_breakdown(row), hide_index=True,
                     key="explore_friction",
                     column_config={"Friction [0-100]": st.column_config.ProgressColumn(
                         min_value=0, max_value=100, format="%.0f")})
    with t_infra:
        st.dataframe(country_details.infrastructure_breakdown(row), hide_index=True,
                     key="explore_infrastructure",
                     column_config={"Risk [0-100]": st.column_config.ProgressColumn(
                         min_value=0, max_value=100, format="%.0f")})
        st.caption("Each risk is scored between two documented anchors (0 = the best value, "
                   "e.g. 100 % electricity access; see Data & methods). DCT readiness: "
                   f"{fmt.format_value(row['dct_readiness'], '/ 100')}.")
    with t_ind:
        details = country_details.country_indicator_table(latest, catalogue, country)
        st.dataframe(details, hide_index=True, key="explore_country_table",
                     height=fmt.table_height(len(details)))

    if country in subnational.DRILL_COUNTRIES:
        st.markdown(f"**Drill-down: {names[country]}**")
        st.caption(f"{subnational.SUBNATIONAL_CAVEATS[country]} {subnational.REACH_CAVEAT}")
        units = pool.subnational_funnel(row, shared.subnational_units(country))
        st.caption(subnational.share_out_caption(units, names[country]))
        drill_metric = st.radio(
            "Colour the units by", list(subnational.SUBNATIONAL_METRICS), horizontal=True,
            format_func=lambda m: subnational.SUBNATIONAL_METRICS[m][0],
            key="explore_drill_metric")
        min_population = subnational.CITY_MIN_POPULATION[country]
        cities = subnational.city_points(subnational.inset_points(
            shared.major_cities(country, min_population), country))
        unit_props, unit_legend, unit_counts = subnational.subnational_properties(
            units, drill_metric)
        unit_geometry = maps.geometries(subnational.inset_units(units, country))
        unit_layer = maps.polygon_layer("units", maps.feature_collection(
            unit_props, ["unit_code", "name", "value_text", "detail_text", "fill"],
            geometry=unit_geometry))
        unit_borders = maps.border_layer(
            "unit-borders", maps.ring_segments(unit_geometry, shared_only=True))
        inset_frames = maps.border_layer("inset-frames", subnational.inset_frames(country),
                                         subnational.INSET_FRAME)
        city_layer = maps.points_layer("cities", cities, "population",
                                       ["name", "value_text", "detail_text"])
        width, height = subnational.DRILL_MAP_SIZE[country]
        beside = width < 800  # a country about as tall as wide: its tables beside the map
        map_col, side_col = st.columns([3, 2]) if beside else (st.container(), None)
        map_col.pydeck_chart(
            maps.deck([unit_layer, unit_borders, inset_frames, city_layer], maps.TOOLTIP_HTML,
                      shared.country_view(country)),
            key="explore_subnational_map", height=height)
        map_col.caption(f"Dots: cities of {fmt.format_value(min_population, 'people')} or "
                        f"more ({len(cities)}), area proportional to population (GeoNames, "
                        "CC BY 4.0).")
        sub_legend, sub_table = (side_col, side_col) if beside else st.columns([1, 2])
        title, unit = subnational.SUBNATIONAL_METRICS[drill_metric]
        sub_legend.dataframe(
            fmt.legend_styler(fmt.legend_rows(unit_legend, unit_counts, unit, "units")),
            hide_index=True, key="explore_subnational_legend",
            column_config=shared.LEGEND_COLUMNS)
        unit_table = subnational.subnational_table(units)
        sub_table.dataframe(unit_table, hide_index=True, key="explore_subnational_table",
                            height=fmt.table_height(10),
                            column_config={c: st.column_config.NumberColumn(
                                format="%.2f" if c.endswith("[%]") else "localized")
                                for c in unit_table.columns[2:]})

shared.write_link(url_state.view_params(
    url_state.ViewState(region=region, metric=metric_id, indication=indication_id,
                        country=country), default))
