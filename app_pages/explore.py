"""Explore: a score or indicator over the six regions (or any regions and countries), ranked,
with country details. The view lives in the link and follows the user between pages."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from footprint.assumptions import STALE_AFTER_YEARS
from footprint.model import pool, scoring
from footprint.views import (
    country_details,
    explore,
    maps,
    metrics,
    subnational,
    url_state,
)
from footprint.views import format as fmt
from footprint.views import regions as region_views

PAGE = "explore"
MAP_KEY = "explore_map"
SCOPE_KEY = "explore_scope"
TOP_K = 5

regions = shared.regions()
names = shared.country_names()
shapes = shared.country_shapes()
latest = shared.latest_indicators()
catalogue = shared.indicator_catalogue()
indications = shared.indications()
inputs = shared.model_inputs()
indicator_metrics = metrics.indicator_metrics(catalogue)
trial_metrics = metrics.landscape_metrics(inputs.landscape_meta)
all_metrics = metrics.metric_choices(metrics.model_metrics(), indicator_metrics, trial_metrics)
scope_options = region_views.scope_options(regions, names)
choices = url_state.Choices(regions=sorted(regions), metrics=list(all_metrics),
                            indications=list(indications), countries=set(names),
                            drills=list(subnational.SUBNATIONAL_METRICS))


def parse_link(params, base):
    state, notices = url_state.parse_view_params(params, choices=choices, default=base)
    seeds = {SCOPE_KEY: region_views.scope_values(state.regions, state.countries, regions),
             "explore_indication": state.indication, "explore_metric": state.metric,
             "explore_country": state.country, "explore_drill_metric": state.drill,
             **shared.settings_seeds(PAGE, state)}
    return seeds, notices


def clear_warnings():
    shared.clear_link_warnings(PAGE)


link_warnings = shared.open_view(PAGE, "explore_indication", parse_link)
# A click on the map opens that country's details: the pick is read before any widget is drawn
# so the country selector below can follow it (and stays free to pick another country). Then
# the map is redrawn under a new key, without the selection: Streamlit fades every unselected
# country to 40 % while a selection is active, which would wash out the choropleth; the
# picked country gets our own outline instead, and the page scrolls to its details.
generation = st.session_state.get("_explore_map_generation", 0)
map_key = explore.map_widget_key(MAP_KEY, generation)
picked = explore.picked_country(st.session_state.get(map_key))
if picked:
    st.session_state["explore_country"] = picked
    generation += 1
    st.session_state["_explore_map_generation"] = generation
    map_key = explore.map_widget_key(MAP_KEY, generation)

settings = shared.settings_sidebar(PAGE, clear_warnings)  # with the trial-experience weight
weights, include_gated = settings.weights, settings.include_gated

# ---- selection -----------------------------------------------------------------------------
st.title("Explore")
for warning in link_warnings:
    st.warning(warning, icon="⚠️")
c_scope, c_indication, c_metric = st.columns([2, 1, 2])
scope_values = c_scope.multiselect(
    "Regions or countries", scope_options,
    format_func=lambda v: v if v in regions else names.get(v, v),
    placeholder="All six regions", key=SCOPE_KEY, on_change=clear_warnings)
selected, custom = region_views.split_scope(scope_values, regions)
indication_id = c_indication.selectbox("Indication", list(indications),
                                       format_func=lambda i: indications[i].name,
                                       key="explore_indication", on_change=clear_warnings)
indication = indications[indication_id]
if indication.metric in catalogue.index:
    pool_source = fmt.source_label(str(catalogue.loc[indication.metric, "source_id"]))
else:  # the user's own indication: its reader (pycountry, pydantic) stays off the cold start
    from footprint.io.indications import sources_of

    pool_source = sources_of(indication)
options = metrics.metric_choices(metrics.model_metrics(indication, pool_source), indicator_metrics,
                                 trial_metrics)
metric_id = c_metric.selectbox("Metric", list(options),
                               format_func=lambda m: metrics.metric_option_label(options[m]),
                               key="explore_metric", on_change=clear_warnings)
metric = options[metric_id]
country = st.session_state.get("explore_country")
in_scope = region_views.scope(selected, custom, regions)
scope_name = region_views.scope_label(selected, custom, names)

frame = shared.country_frame(indication_id, settings.eligibility_share, settings.activation_days)
# every country scored, gated ones with their penalty: the map and the details show them all
scored = scoring.score(frame, weights, list(frame.index), include_gated=True)
gated_in_scope = scoring.left_out(frame, in_scope)
left_out = [] if include_gated else gated_in_scope
ranked = [c for c in in_scope if c not in set(left_out)]
if metric.kind != "indicator":
    values = metrics.model_values(scored, metric)
else:
    values = metrics.indicator_values(latest, metric_id)

st.caption(f"{metric.description} Source: {metric.source}. "
           + ("Latest value per country (years differ); stale when older than "
              f"{STALE_AFTER_YEARS} years."
              if metric.kind == "indicator" else
              "Counts of registered studies of every kind, not of recruiting trials."
              if metric.kind == "landscape" else
              f"Indication: {indication.name}; weights: {fmt.weights_text(weights)}."))
gated_notice = explore.gated_country_notice(frame, country, include_gated)
if gated_notice:
    st.info(gated_notice, icon=":material/block:")

# ---- map -----------------------------------------------------------------------------------
props, legend, counts, basis = explore.map_properties(
    shapes, values, metric, in_scope, frame[["gated", "gate_label", "gate_as_of"]],
    include_gated)
collection = maps.feature_collection(
    props, ["iso3", "name", "value_text", "detail_text", "fill"],
    geometry=shared.country_geometries())
map_view = shared.region_view(selected, custom)
layers = [maps.polygon_layer("countries", collection),
          shared.border_layer(map_view.zoom)]
if gated_in_scope:
    layers.append(shared.outline_layer("gated", gated_in_scope, map_view.zoom,
                                       maps.GATED_LINE, 1.5, keep=True))
if country:
    layers.append(shared.outline_layer("selected", [country], map_view.zoom, maps.SELECTED_LINE,
                                       2.5))
st.pydeck_chart(maps.deck(layers, maps.TOOLTIP_HTML, map_view),
                key=map_key, on_select="rerun", selection_mode="single-object",
                height=region_views.MAP_HEIGHT_PX)
shared.attribution()

# ---- legend and ranking --------------------------------------------------------------------
legend_col, table_col = st.columns([1, 3])
with legend_col:
    years = explore.year_span(values, ranked)
    st.markdown(f"**{metric.title}** ({metric.unit}{', ' + years if years else ''})")
    st.html(fmt.legend_html(legend, counts, metric.unit))
    st.caption(basis + " Grey: no data (never zero). Beige: outside the selected scope. "
               "Purple outline: gated (embargo, sanctions or war)"
               + ("." if include_gated else "; dark grey while left out."))
with table_col:
    stability = None
    if metric.id == "attractiveness" and not include_gated:
        stability = shared.rank_stability(
            indication_id, settings.eligibility_share, settings.activation_days,
            (weights.pool, weights.friction, weights.infrastructure, weights.experience),
            tuple(ranked), TOP_K)
    extra = explore.ranking_extra(scored, stability, TOP_K) if metric.kind == "model" else None
    table = explore.ranking_table(values, names, metric, ranked, extra,
                                  gated=gated_in_scope)
    st.markdown(f"**Ranking: {fmt.markdown_escape(scope_name)}** "
                f"({metrics.ranking_order(metric)})")
    if left_out:
        st.info(fmt.left_out_notice(frame, left_out, "this ranking and the map's colours"),
                icon=":material/block:")
    st.dataframe(
        fmt.shown(table), hide_index=True, key="explore_ranking", placeholder=fmt.MISSING,
        height=fmt.table_height(len(table), 10),
        column_config={
            "Rank": st.column_config.NumberColumn(width=50, pinned=True),
            "Country": st.column_config.TextColumn(
                width=fmt.text_width(table["Country"], "Country", 180), pinned=True),
            metric.label: st.column_config.NumberColumn(
                metric.short_title, help=f"{metric.label}, {metrics.ranking_order(metric)}",
                format=metrics.number_format(metric), pinned=True),
            f"P(top {TOP_K})": st.column_config.ProgressColumn(
                f"P(top {TOP_K})", help="Share of 1,000 weight draws around yours in "
                f"which the country stays in the scope's top {TOP_K}",
                min_value=0.0, max_value=1.0, format="percent"),
            "Flags": st.column_config.TextColumn(width=fmt.text_width(table.get(
                "Flags", []), "Flags")),
            "Year": st.column_config.NumberColumn(format="%d"),
        })
    if metric.id == "attractiveness" and include_gated:
        st.caption(f"P(top {TOP_K}) is not shown while gated countries are included: its "
                   "weight draws apply no gate penalty.")
    st.download_button(
        "Download the ranking (CSV)",
        fmt.table_csv(table, fmt.settings_columns(
            indication.name, weights, settings.eligibility_share, settings.activation_days,
            include_gated)),
        file_name=fmt.download_name(
            "ranking", metric.short_title,
            indication.name if metric.kind == "model" else "", scope_name),
        mime="text/csv", key="explore_download", on_click="ignore")

# ---- plan these countries ------------------------------------------------------------------
if st.button("Plan these countries", key="explore_plan", icon=":material/trending_up:",
             disabled=not ranked,
             help="A new scenario in the Scenario builder of the ranked countries, with the "
                  "model's start-up and pool for each at these settings"
                  + ("" if include_gated else "; gated countries are left out")):
    from footprint.views import plan as plan_view  # the scenario schema: not on cold start

    st.session_state[plan_view.PLAN_KEY] = plan_view.plan_request(
        ranked, indication_id, scope_name, settings.eligibility_share, settings.activation_days,
        left_out)
    st.switch_page("app_pages/scenario_builder.py")

# ---- country details -----------------------------------------------------------------------
st.subheader("Country details", anchor=explore.DETAILS_ANCHOR)
order = sorted(names, key=lambda c: names[c])
country = st.selectbox("Country", order, index=None, format_func=lambda c: names[c],
                       placeholder="Click a country on the map, or pick one here",
                       key="explore_country", on_change=clear_warnings)
if country:
    row = frame.loc[country]
    st.markdown(f"**{country_details.country_summary(country, names, regions)}**")
    severity, gate_text = country_details.gate_facts(row)
    {"gated": st.warning, "note": st.info, "none": st.caption}[severity](gate_text)
    note = shared.country_notes().get(country)
    if note:
        st.info(note, icon="ℹ️")
    score_row = scored.loc[country]
    parts = country_details.attractiveness_parts(score_row, weights)
    ranks = table.set_index("ISO3")["Rank"] if metric.id == "attractiveness" else None
    standing = (f"rank {ranks[country]} of {len(table)} in {scope_name}"
                if ranks is not None and country in ranks.index and not fmt.is_missing(
                    ranks[country]) else
                "left out of rankings (gated)" if country in left_out else
                "not in the selected scope" if country not in in_scope else "")
    st.markdown(f"Attractiveness **{fmt.format_value(score_row['attractiveness'], '/ 100')}**"
                + (f" · {fmt.markdown_escape(standing)}" if standing else ""))
    from footprint.views import charts  # altair, once a country is picked: not on cold start

    st.altair_chart(charts.attractiveness_chart(parts), key="explore_parts_chart")
    st.caption(country_details.parts_text(parts))
    t_funnel, t_reg, t_infra, t_trials, t_ind = st.tabs(
        ["Patient funnel", "Regulatory & start-up", "Infrastructure", "Trial landscape",
         "Indicators"])
    with t_funnel:
        funnel = country_details.funnel_table(
            row, indication, settings.eligibility_share,
            country_details.country_years(latest, country))
        st.dataframe(fmt.shown(funnel), hide_index=True, key="explore_funnel",
                     placeholder=fmt.MISSING,
                     column_config={funnel.columns[1]: st.column_config.NumberColumn(
                         format="localized"),
                         "Source": st.column_config.TextColumn(width="large")})
        st.markdown(country_details.funnel_total(row, indication))
        if indication.note:
            st.caption(indication.note)
    with t_reg:
        st.dataframe(country_details.startup_facts(row, inputs.regulators), hide_index=True,
                     key="explore_startup", placeholder=fmt.MISSING,
                     column_config={"Value": st.column_config.TextColumn(width="medium"),
                                    "Basis": st.column_config.TextColumn(width="large")})
        st.markdown(country_details.regulatory_sources(row, inputs.regulators))
        st.dataframe(country_details.friction_breakdown(row), hide_index=True,
                     key="explore_friction", placeholder=fmt.MISSING,
                     column_config={"Friction [0-100]": st.column_config.ProgressColumn(
                         min_value=0, max_value=100, format="%.0f"),
                         "Weight [%]": st.column_config.NumberColumn(format="%.0f"),
                         "Note": st.column_config.TextColumn(width="large")})
    with t_infra:
        st.dataframe(country_details.infrastructure_breakdown(row), hide_index=True,
                     key="explore_infrastructure", placeholder=fmt.MISSING,
                     column_config={"Risk [0-100]": st.column_config.ProgressColumn(
                         min_value=0, max_value=100, format="%.0f"),
                         "Anchors": st.column_config.TextColumn(width="large")})
        st.caption("Each risk is scored between two documented anchors (0 = the best value, "
                   "e.g. 100 % electricity access; see Data & methods). DCT readiness: "
                   f"{fmt.format_value(row['dct_readiness'], '/ 100')}.")
    with t_trials:
        trials = country_details.landscape_facts(row, inputs.landscape_meta)
        if len(trials):
            st.dataframe(trials, hide_index=True, key="explore_trials", placeholder=fmt.MISSING,
                         column_config={"Basis": st.column_config.TextColumn(width="large")})
        st.caption(country_details.landscape_caption(inputs.landscape_meta))
    with t_ind:
        details = country_details.country_indicator_table(latest, catalogue, country)
        st.dataframe(details, hide_index=True, key="explore_country_table",
                     placeholder=fmt.MISSING, height=fmt.table_height(len(details)))

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
        unit_view = shared.country_view(country)
        unit_borders = maps.border_layer("unit-borders", maps.border_bands(
            maps.ring_segments(unit_geometry, shared_only=True), unit_view.zoom))
        inset_frames = maps.border_layer("inset-frames", maps.border_bands(
            subnational.inset_frames(country), unit_view.zoom), subnational.INSET_FRAME)
        city_layer = maps.points_layer("cities", cities, "population",
                                       ["name", "value_text", "detail_text"])
        width, height = subnational.DRILL_MAP_SIZE[country]
        beside = width < 800  # a country about as tall as wide: its tables beside the map
        map_col, side_col = st.columns([3, 2]) if beside else (st.container(), None)
        map_col.pydeck_chart(
            maps.deck([unit_layer, unit_borders, inset_frames, city_layer], maps.TOOLTIP_HTML,
                      unit_view),
            key="explore_subnational_map", height=height)
        map_col.caption(f"Dots: cities of {fmt.format_value(min_population, 'people')} or "
                        f"more ({len(cities)}), area proportional to population (GeoNames, "
                        "CC BY 4.0).")
        sub_legend, sub_table = (side_col, side_col) if beside else st.columns([1, 2])
        title, unit = subnational.SUBNATIONAL_METRICS[drill_metric]
        sub_legend.html(fmt.legend_html(unit_legend, unit_counts, unit, "units"))
        unit_table = subnational.subnational_table(units)
        sub_table.dataframe(unit_table, hide_index=True, key="explore_subnational_table",
                            height=fmt.table_height(10),
                            column_config={c: st.column_config.NumberColumn(
                                format="%.2f" if c.endswith("[%]") else "localized")
                                for c in unit_table.columns[2:]})

if picked:
    st.html(explore.scroll_script(explore.DETAILS_ANCHOR, generation),
            unsafe_allow_javascript=True)

view = settings.state(url_state.ViewState(
    regions=selected, countries=custom, metric=metric_id, indication=indication_id,
    country=country,
    drill=st.session_state.get("explore_drill_metric") or shared.DEFAULT_VIEW.drill))
shared.remember(view)
shared.write_link(url_state.view_params(view, shared.DEFAULT_VIEW))
