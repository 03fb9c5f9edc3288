"""AppTest: every page runs as users meet it, and its widgets change what it shows."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from footprint.views import maps

APP = "../../app.py"  # AppTest paths are relative to this file
EXECUTIVE = "app_pages/executive.py"
METHODS = "app_pages/methods.py"
CONTEXT = list(maps.CONTEXT_LAND)


@pytest.fixture
def at() -> AppTest:
    """The router, not yet run (Explore is its default page)."""
    return AppTest.from_file(APP, default_timeout=60)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(at: AppTest, page: str, **params) -> AppTest:
    """Run the router once, then the page (with query parameters, like a link)."""
    run(at)
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    return run(at)


def deck_spec(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[index].proto.json)


def layer(spec: dict, layer_id: str) -> dict:
    return next(x for x in spec["layers"] if x["id"] == layer_id)


def features(at: AppTest, index: int = 0, layer_id: str = "countries") -> dict[str, dict]:
    return {f["iso3"]: f for f in layer(deck_spec(at, index), layer_id)["data"]["features"]}


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first st.dataframe holding ``column``."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def all_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "warning", "info", "title",
                                  "subheader") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


# ---- Explore -------------------------------------------------------------------------------

def test_explore_default_view_maps_and_ranks_attractiveness(at):
    run(at)
    spec = deck_spec(at)
    assert spec.get("mapProvider") in (None, "")  # no base map: no network needed
    assert [x["id"] for x in spec["layers"]][:2] == ["ocean", "countries"]
    feats = features(at)
    assert "Attractiveness" in feats["BRA"]["value_text"]
    assert feats["CHN"]["fill"] == CONTEXT  # outside the six regions: neutral context
    assert feats["BRA"]["fill"] != CONTEXT
    table = table_with(at, "Attractiveness [0-100]")
    assert {"Rank", "Country", "ISO3", "Year", "Source", "Risk tier", "Flags",
            "P(top 5)"} <= set(table.columns)
    assert len(table) == 62  # every member of the six regions, once
    assert table["Rank"].iloc[0] == 1
    assert table["Attractiveness [0-100]"].is_monotonic_decreasing
    assert at.get("download_button")[0].proto.label == "Download the ranking (CSV)"


def test_explore_region_changes_scope_view_and_table(at):
    run(at)
    world = deck_spec(at)["initialViewState"]
    at.selectbox(key="explore_region").set_value("Latin America")
    run(at)
    feats = features(at)
    assert feats["BRA"]["fill"] != CONTEXT and feats["DEU"]["fill"] == CONTEXT
    assert deck_spec(at)["initialViewState"] != world
    table = table_with(at, "Attractiveness [0-100]")
    assert len(table) == 20 and "BRA" in set(table["ISO3"]) and "DEU" not in set(table["ISO3"])
    assert at.query_params["region"] == "latin-america"


def test_explore_metric_and_indication_change_the_map_and_table(at):
    run(at)
    at.selectbox(key="explore_metric").set_value("reachable_patients")
    run(at)
    diabetes = table_with(at, "Reachable patients: Type 2 diabetes [patients]")
    assert "Reachable patients: Type 2 diabetes" in features(at)["BRA"]["value_text"]
    at.selectbox(key="explore_indication").set_value("tuberculosis")
    run(at)
    tb = table_with(at, "Reachable patients: Tuberculosis [new patients per year]")
    assert diabetes.set_index("ISO3").iloc[:, 2]["BRA"] != tb.set_index("ISO3").iloc[:, 2]["BRA"]
    at.selectbox(key="explore_metric").set_value("NCD.HTN.PREV")
    run(at)
    feats = features(at)
    assert "2019 (stale)" in feats["BRA"]["detail_text"]  # year and staleness in the tooltip
    table = table_with(at, "Year")
    assert table["Stale"].any() and set(table["Source"]) == {"NCD-RisC 2021"}


def test_explore_weights_rescore_live(at):
    run(at)
    before = table_with(at, "Attractiveness [0-100]").set_index("ISO3")
    at.slider(key="explore_w_friction").set_value(0)
    at.slider(key="explore_w_infra").set_value(0)
    run(at)
    after = table_with(at, "Attractiveness [0-100]").set_index("ISO3")
    assert not before["Attractiveness [0-100]"].equals(after["Attractiveness [0-100]"])
    assert "pool 100 %" in all_text(at)
    at.slider(key="explore_w_pool").set_value(0)
    run(at)
    assert "equal weights" in " ".join(w.value for w in at.sidebar.warning)


def test_explore_map_click_opens_country_details(at):
    run(at)
    brazil = features(at)["BRA"]
    at.session_state["explore_map"] = {
        "selection": {"indices": {"countries": [0]},
                      "objects": {"countries": [{"iso3": "BRA", "name": brazil["name"]}]}}}
    run(at)
    assert at.selectbox(key="explore_country").value == "BRA"
    text = all_text(at)
    assert "Brazil (BRA) · Latin America" in text
    funnel = table_with(at, "Step")
    assert list(funnel["Step"])[-1] == "Reachable"
    # the outline of the selected country: Brazil's rings, and nothing outside them
    outline = layer(deck_spec(at), "selected")["data"]
    assert outline == maps.ring_segments([brazil["geometry"]])
    assert at.query_params["country"] == "BRA"
    # the map is redrawn under a new key without the selection (no faded choropleth)
    assert at.session_state["_explore_map_generation"] == 1
    run(at)
    assert at.session_state["_explore_map_generation"] == 1
    # the selector stays free: another pick wins over the earlier click
    at.selectbox(key="explore_country").set_value("ARG")
    run(at)
    assert "Argentina (ARG)" in all_text(at)


def test_explore_drill_down_into_india_with_caveat(at):
    at.query_params["country"] = "IND"
    run(at)
    assert len(at.get("deck_gl_json_chart")) == 2
    units = layer(deck_spec(at, 1), "units")["data"]["features"]
    assert len(units) > 30
    cities = layer(deck_spec(at, 1), "cities")["data"]
    assert {"name", "value_text", "longitude", "latitude", "radius"} <= set(cities[0])
    assert "Telangana" in all_text(at)
    assert "Share-out by urban reach" in all_text(at)  # the rule is named on the page
    at.radio(key="explore_drill_metric").set_value("eligible_patients")
    run(at)
    units = layer(deck_spec(at, 1), "units")["data"]["features"]
    assert units[0]["value_text"].startswith("Eligible patients (share-out)")


def test_explore_taiwan_shows_its_data_note(at):
    at.query_params["country"] = "TWN"
    run(at)
    assert "No World Bank (WDI) data" in all_text(at)
    indicators = next(f.value for f in at.dataframe
                      if {"Code", "Value"} <= set(f.value.columns)).set_index("Code")
    assert indicators.loc["SP.POP.TOTL", "Value"] == "no data"


def test_explore_missing_value_is_grey_never_zero(at):
    at.query_params["metric"] = "SH.DYN.AIDS.ZS"  # the World Bank has no US HIV prevalence
    run(at)
    usa = features(at)["USA"]
    assert usa["fill"] == list(maps.NO_DATA) and "no data" in usa["value_text"]
    table = table_with(at, "Year").set_index("ISO3")
    assert pd.isna(table.iloc[:, 2]["USA"]) and table.index[-1] in set(
        table.index[table.iloc[:, 2].isna()])  # missing values rank last


def test_explore_deep_link_restores_the_view(at):
    at.query_params.update(region="latin-america", metric="WGI.RQ", country="BRA",
                            indication="hiv")
    run(at)
    assert at.selectbox(key="explore_region").value == "Latin America"
    assert at.selectbox(key="explore_metric").value == "WGI.RQ"
    assert at.selectbox(key="explore_indication").value == "hiv"
    assert at.selectbox(key="explore_country").value == "BRA"
    assert not at.warning


@pytest.mark.parametrize("param, value", [
    ("region", "Atlantis"),
    ("region", "<script>alert(1)</script>"),
    ("metric", "x" * 500),
    ("metric", "DROP TABLE countries;--"),
    ("country", "ZZZ"),
    ("indication", "javascript:alert(1)"),
])
def test_explore_bad_link_falls_back_with_a_warning(at, param, value):
    at.query_params[param] = value
    run(at)
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and f"'{param}'" in warnings[0]
    assert value not in warnings[0] and "<script" not in all_text(at)
    assert at.selectbox(key="explore_region").value == "All regions"
    assert at.selectbox(key="explore_metric").value == "attractiveness"
    at.selectbox(key="explore_region").set_value("India")
    run(at)
    assert not at.warning  # a change clears the link's warning


# ---- Executive risk map --------------------------------------------------------------------

def test_executive_colours_tiers_without_touching_a_widget(at):
    open_page(at, EXECUTIVE)
    feats = features(at)
    tiers = {iso3: f["risk_tier"] for iso3, f in feats.items()}
    assert tiers["RUS"] == "high"  # war / sanctions
    for iso3 in ("USA", "DEU", "BRA", "IND", "JPN"):
        assert feats[iso3]["fill"] == list(maps.TIER_COLORS[tiers[iso3]])
    assert feats["CHN"]["fill"] == CONTEXT
    top = table_with(at, "Attractiveness [0-100]")
    assert set(top["Region"]) == {"United States", "European Union", "Japan", "India",
                                  "Latin America", "Eastern Europe"}
    assert (top.groupby("Region").size() <= 3).all()
    flags = table_with(at, "War or sanctions")
    assert {"RUS", "UKR"} <= set(flags["ISO3"])
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Risk map (HTML)", "Risk tiers (CSV)", "Top countries (CSV)"]


def test_executive_indication_changes_the_top_countries_not_the_tiers(at):
    open_page(at, EXECUTIVE)
    fills = {k: f["fill"] for k, f in features(at).items()}
    top = table_with(at, "Attractiveness [0-100]")
    at.selectbox(key="executive_indication").set_value("hiv")
    run(at)
    assert {k: f["fill"] for k, f in features(at).items()} == fills
    assert not top.equals(table_with(at, "Attractiveness [0-100]"))


def test_executive_unknown_indication_warns(at):
    open_page(at, EXECUTIVE, indication="<img src=x onerror=alert(1)>")
    assert [w.value for w in at.warning][0].startswith("Link parameter 'indication'")
    assert at.selectbox(key="executive_indication").value == "type2_diabetes"


# ---- Data & methods ------------------------------------------------------------------------

def test_methods_lists_sources_coverage_formulas_and_caveats(at):
    open_page(at, METHODS)
    sources = table_with(at, "Licence")
    assert {"wdi", "wgi", "natural_earth", "geonames"} <= set(sources["Id"])
    assert list(sources.columns[:4]) == ["Publisher", "Title", "Licence", "Years"]
    coverage = table_with(at, "Countries with a value").set_index("Code")
    assert len(coverage) == 25
    assert coverage.loc["SP.POP.TOTL", "Countries with a value"] < coverage.loc[
        "SP.POP.TOTL", "of mapped"]  # Taiwan and others have no World Bank population
    assert coverage.loc["NCD.HTN.PREV", "Latest years"] == "2019"
    constants = table_with(at, "Constant")
    assert {"TIER_HIGH_FROM", "FRICTION_WEIGHTS", "STARTUP_CV"} <= set(constants["Constant"])
    assert {"Value", "Unit", "Meaning", "Source", "Kind"} <= set(constants.columns)
    text = all_text(at) + " ".join(e.proto.label for e in at.get("expander"))
    for needle in ("Telangana", "Taiwan", "GeoNames", "2019", "Natural Earth",
                   "Regulatory friction"):
        assert needle in text
