"""AppTest: every page runs as users meet it, and its widgets change what it shows."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from footprint.assumptions import GATE_PENALTY_POINTS
from footprint.data import model_inputs
from footprint.data.database import open_database
from footprint.model import scoring
from footprint.views import maps

APP = "../../app.py"  # AppTest paths are relative to this file
EXECUTIVE = "app_pages/executive.py"
METHODS = "app_pages/methods.py"
CONTEXT = list(maps.CONTEXT_LAND)
GATED = {"BLR", "CUB", "HTI", "RUS", "UKR", "VEN"}  # embargo, sanctions or war (2026-11)
MEMBERS = 62  # members of the six regions


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


def ranking(at: AppTest) -> pd.DataFrame:
    return table_with(at, "Rank")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    con = open_database()
    try:
        return scoring.country_frame(model_inputs.load_inputs(con.cursor()), "type2_diabetes")
    finally:
        con.close()


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
    assert list(table.columns[:3]) == ["Rank", "Country", "Attractiveness [0-100]"]
    assert {"ISO3", "Source", "Risk tier", "Flags", "P(top 5)"} <= set(table.columns)
    assert len(table) == MEMBERS - len(GATED)  # every ungated member of the six regions, once
    assert table["Rank"].iloc[0] == 1
    assert table["Attractiveness [0-100]"].is_monotonic_decreasing
    assert at.get("download_button")[0].proto.label == "Download the ranking (CSV)"


def test_explore_leaves_gated_countries_out_by_default(at):
    run(at)
    assert at.toggle(key="explore_include_gated").value is False
    table = ranking(at)
    assert not GATED & set(table["ISO3"])
    notice = next(i.value for i in at.info if i.value.startswith("Left out of this ranking"))
    assert "Russia (sanctions + war)" in notice and "as of 2026-11" in notice
    feats = features(at)
    for iso3 in GATED:  # their own style, never a ranked colour
        assert feats[iso3]["fill"] == list(maps.GATED_FILL)
        assert "left out of the ranking" in feats[iso3]["value_text"]
    outline = layer(deck_spec(at), "gated")  # bands drawn by the fills' own program
    assert outline["@@type"] == "GeoJsonLayer" and outline["data"]["features"]
    assert outline["getFillColor"] == list(maps.GATED_LINE) and outline["pickable"] is False
    assert (table["Risk tier"] != "").all()


def test_explore_switch_includes_gated_countries_with_badge_and_penalty(at, frame):
    run(at)
    at.toggle(key="explore_include_gated").set_value(True)
    run(at)
    assert at.query_params["include_gated"] == "1"
    table = ranking(at).set_index("ISO3")
    assert len(table) == MEMBERS and GATED <= set(table.index)
    assert table.loc["RUS", "Country"] == "Russia (gated)"
    assert table.loc["RUS", "Risk tier"] == "high" and table.loc["RUS", "Flags"].startswith(
        "sanctions + war")
    plain = scoring.score(frame, scoring.Weights(5, 5, 5), ["RUS", "DEU"], include_gated=True)
    unpenalised = frame.loc["RUS", list(scoring.SCORES)].mean()
    assert table.loc["RUS", "Attractiveness [0-100]"] == pytest.approx(
        max(unpenalised - GATE_PENALTY_POINTS, 0), abs=0.06)
    assert plain.loc["RUS", "attractiveness"] == pytest.approx(
        table.loc["RUS", "Attractiveness [0-100]"], abs=0.06)
    assert "P(top 5)" not in table.columns  # its draws apply no penalty
    russia = features(at)["RUS"]
    assert russia["fill"] != list(maps.GATED_FILL)
    assert "gated: sanctions + war, after 30 points off" in russia["value_text"]
    assert not any(i.value.startswith("Left out of this ranking") for i in at.info)


def test_a_link_to_a_gated_country_shows_it_with_a_notice(at):
    at.query_params["country"] = "RUS"
    run(at)
    assert not at.warning or all("Link parameter" not in w.value for w in at.warning)
    assert at.selectbox(key="explore_country").value == "RUS"
    notice = next(i.value for i in at.info if i.value.startswith("Russia is gated"))
    assert "sanctions + war, as of 2026-02" in notice and "no rank here" in notice
    text = all_text(at)
    assert "Russia (RUS) · Eastern Europe" in text and "left out of rankings (gated)" in text
    assert "**Gate: sanctions + war**" in text
    assert "RUS" not in set(ranking(at)["ISO3"])
    assert table_with(at, "Step")["Step"].iloc[-1] == "Reachable"


def test_explore_region_changes_scope_view_and_table(at):
    run(at)
    world = deck_spec(at)["initialViewState"]
    at.multiselect(key="explore_scope").set_value(["Latin America"])
    run(at)
    feats = features(at)
    assert feats["BRA"]["fill"] != CONTEXT and feats["DEU"]["fill"] == CONTEXT
    assert deck_spec(at)["initialViewState"] != world
    table = table_with(at, "Attractiveness [0-100]")
    assert len(table) == 20 - 3  # Cuba, Haiti and Venezuela are gated
    assert "BRA" in set(table["ISO3"]) and "DEU" not in set(table["ISO3"])
    assert at.query_params["region"] == "latin-america"
    at.multiselect(key="explore_scope").set_value(["Latin America", "Japan", "CHN"])
    run(at)
    table = table_with(at, "Attractiveness [0-100]")
    assert {"BRA", "JPN", "CHN"} <= set(table["ISO3"]) and len(table) == 19
    assert features(at)["CHN"]["fill"] != CONTEXT
    assert at.query_params["region"] == "latin-america,japan"
    assert at.query_params["countries"] == "CHN"
    assert "**Ranking: Latin America + Japan + China**" in all_text(at)


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
    assert table["Stale"].any()
    assert set(table["Source"]) == {"NCD-RisC 2021", "no data (NCD-RisC 2021)"}  # Taiwan


def test_explore_weights_rescore_live(at):
    run(at)
    before = table_with(at, "Attractiveness [0-100]").set_index("ISO3")
    at.slider(key="explore_w_friction").set_value(0)
    at.slider(key="explore_w_infra").set_value(0)
    run(at)
    after = table_with(at, "Attractiveness [0-100]").set_index("ISO3")
    assert not before["Attractiveness [0-100]"].equals(after["Attractiveness [0-100]"])
    assert "pool 100 %" in all_text(at)
    assert at.query_params["weights"] == "5,0,0"
    at.slider(key="explore_w_pool").set_value(0)
    run(at)
    assert "equal weights" in " ".join(w.value for w in at.sidebar.warning)


def link_ranking(**params) -> pd.DataFrame:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    run(at)
    return at, ranking(at)


def test_a_link_with_weights_and_a_custom_set_reopens_the_same_ranking():
    first, table = link_ranking()
    first.slider(key="explore_w_pool").set_value(10)
    first.slider(key="explore_w_friction").set_value(2)
    first.multiselect(key="explore_scope").set_value(["Japan", "DEU", "FRA", "BRA", "MEX"])
    first.slider(key="explore_eligibility").set_value(20)
    run(first)
    table = ranking(first)
    params = dict(first.query_params)
    assert params == {"region": "japan", "countries": "DEU,FRA,BRA,MEX", "weights": "10,2,5",
                      "eligibility": "20"}
    again, reopened = link_ranking(**params)  # a fresh session: nothing but the link
    pd.testing.assert_frame_equal(table, reopened)
    assert list(reopened["ISO3"]) and set(reopened["ISO3"]) == {"JPN", "DEU", "FRA", "BRA",
                                                                "MEX"}
    assert again.slider(key="explore_w_pool").value == 10
    assert "pool 59 % · friction 12 % · infrastructure 29 %" in all_text(again)


def test_the_view_survives_a_visit_to_another_page(at):
    run(at)
    at.multiselect(key="explore_scope").set_value(["India", "Japan"])
    at.slider(key="explore_w_infra").set_value(9)
    at.selectbox(key="explore_metric").set_value("WGI.RQ")
    run(at)
    at.switch_page(EXECUTIVE)
    run(at)
    assert at.slider(key="executive_w_infra").value == 9  # the same weights
    at.slider(key="executive_w_pool").set_value(1)
    run(at)
    at.switch_page("app_pages/explore.py")
    run(at)
    assert at.multiselect(key="explore_scope").value == ["India", "Japan"]
    assert at.selectbox(key="explore_metric").value == "WGI.RQ"
    assert at.slider(key="explore_w_pool").value == 1  # set on the Executive page


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
    # the outline of the selected country: bands along Brazil's rings, 2.5 px at the view's zoom
    spec = deck_spec(at)
    outline = layer(spec, "selected")["data"]
    zoom = spec["initialViewState"]["zoom"]
    assert outline == json.loads(json.dumps(maps.outline_bands([brazil["geometry"]], zoom)))
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
    assert at.multiselect(key="explore_scope").value == ["Latin America"]
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
    ("countries", "ZZZ,<b>"),
    ("indication", "javascript:alert(1)"),
    ("weights", "10,2,500"),
    ("weights", ["1,1,1", "2,2,2"]),  # repeated
    ("activation", "9" * 200),
    ("include_gated", "perhaps"),
])
def test_explore_bad_link_falls_back_with_a_warning(at, param, value):
    at.query_params[param] = value
    run(at)
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and f"'{param}'" in warnings[0]
    assert str(value) not in warnings[0] and "<script" not in all_text(at)
    assert at.multiselect(key="explore_scope").value == []
    assert at.selectbox(key="explore_metric").value == "attractiveness"
    assert at.slider(key="explore_w_pool").value == 5
    at.multiselect(key="explore_scope").set_value(["India"])
    run(at)
    assert not at.warning  # a change clears the link's warning


# ---- Executive risk map --------------------------------------------------------------------

def test_executive_colours_tiers_without_touching_a_widget(at):
    open_page(at, EXECUTIVE)
    feats = features(at)
    tiers = {iso3: f["risk_tier"] for iso3, f in feats.items()}
    assert all(tiers[iso3] == "high" for iso3 in GATED)  # never low or medium
    assert "gated: sanctions + war (as of 2026-02)" in feats["RUS"]["value_text"]
    for iso3 in ("USA", "DEU", "BRA", "IND", "JPN"):
        assert feats[iso3]["fill"] == list(maps.TIER_COLORS[tiers[iso3]])
    assert feats["CHN"]["fill"] == CONTEXT
    assert layer(deck_spec(at), "gated")["getFillColor"] == list(maps.GATED_LINE)
    top = table_with(at, "Attractiveness [0-100]")
    assert set(top["Region"]) == {"United States", "European Union", "Japan", "India",
                                  "Latin America", "Eastern Europe"}
    assert (top.groupby("Region").size() <= 3).all() and not GATED & set(top["ISO3"])
    assert any(i.value.startswith("Left out of the top lists") for i in at.info)
    flags = table_with(at, "Gate as of")
    assert GATED <= set(flags["ISO3"]) and flags["Country"].iloc[0].endswith("(gated)")
    assert any("High risk (6 gated)" in m.label for m in at.metric)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Risk map (HTML)", "Risk tiers (CSV)", "Top countries (CSV)",
                      "One-pager (PDF)", "One-pager (PowerPoint)"]


def test_executive_indication_changes_the_top_countries_not_the_tiers(at):
    open_page(at, EXECUTIVE)
    fills = {k: f["fill"] for k, f in features(at).items()}
    top = table_with(at, "Attractiveness [0-100]")
    at.selectbox(key="executive_indication").set_value("hiv")
    run(at)
    assert {k: f["fill"] for k, f in features(at).items()} == fills
    assert not top.equals(table_with(at, "Attractiveness [0-100]"))


def test_executive_uses_the_links_weights_and_shows_them(at, frame):
    open_page(at, EXECUTIVE, weights="10,2,5", include_gated="1")
    assert at.slider(key="executive_w_pool").value == 10
    assert at.toggle(key="executive_include_gated").value is True
    assert "Weights: pool 59 % · friction 12 % · infrastructure 29 %" in all_text(at)
    top = table_with(at, "Attractiveness [0-100]").set_index("ISO3")
    expected = scoring.score(frame, scoring.Weights(10, 2, 5), ["USA"])
    assert top.loc["USA", "Attractiveness [0-100]"] == pytest.approx(
        expected.loc["USA", "attractiveness"])
    europe = scoring.score(frame, scoring.Weights(10, 2, 5),
                           [c for c in frame.index if "Eastern Europe" in frame.at[c, "regions"]],
                           include_gated=True).head(3)
    assert list(top.index[top["Region"] == "Eastern Europe"]) == list(europe.index)
    assert at.query_params["weights"] == "10,2,5" and at.query_params["include_gated"] == "1"


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
