"""Page view-models: URL state, formatting, map properties, rankings, legends, details."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from footprint.data import atlas, model_inputs
from footprint.model import scoring
from footprint.views import maps
from footprint.views import pages_tmp as views

REGIONS = {"Latin America": ["ARG", "BRA"], "Japan": ["JPN"]}
DEFAULT = views.ViewState(region=views.REGION_ALL, metric="attractiveness",
                          indication="hiv")
CHOICES = dict(regions=views.region_choices(REGIONS), metrics=["attractiveness", "WGI.RQ"],
               indications=["hiv", "type2_diabetes"], countries={"ARG", "BRA", "JPN"})
METRIC = views.Metric(id="x", title="Thing", unit="people", ramp="good",
                      higher_is_better=True, source="Src")


# ---- URL state -----------------------------------------------------------------------------

@pytest.mark.parametrize("params, expected", [
    ({}, DEFAULT),
    ({"region": "latin-america"}, views.ViewState("Latin America", "attractiveness", "hiv")),
    ({"region": "Latin America"}, views.ViewState("Latin America", "attractiveness", "hiv")),
    ({"region": ["japan", "latin-america"]},  # repeated: the last one wins
     views.ViewState("Latin America", "attractiveness", "hiv")),
    ({"metric": "wgi.rq", "country": "bra", "indication": "TYPE2_DIABETES"},
     views.ViewState(views.REGION_ALL, "WGI.RQ", "type2_diabetes", "BRA")),
    ({"utm_source": "mail", "embed": "true"}, DEFAULT),  # foreign parameters are ignored
])
def test_parse_view_params_accepts_names_slugs_and_any_case(params, expected):
    state, warnings = views.parse_view_params(params, default=DEFAULT, **CHOICES)
    assert state == expected and warnings == []


@pytest.mark.parametrize("param, value, reason", [
    ("region", "Atlantis", "is not a region this app knows"),
    ("region", "", "is empty"),
    ("metric", "x" * 65, "is longer than 64 characters"),
    ("metric", "<script>alert(1)</script>", "contains characters no valid value has"),
    ("country", "BRA\"><img src=x>", "contains characters no valid value has"),
    ("indication", "javascript:alert(1)", "contains characters no valid value has"),
    ("country", "USA", "is not a mapped country (ISO3 code) this app knows"),
])
def test_parse_view_params_falls_back_and_names_the_parameter(param, value, reason):
    state, warnings = views.parse_view_params({param: value}, default=DEFAULT, **CHOICES)
    assert state == DEFAULT
    assert warnings == [f"Link parameter '{param}' {reason}; showing "
                        f"{getattr(DEFAULT, param) or 'none'} instead."]
    assert value not in warnings[0] or value == ""


def test_view_params_round_trip_and_leave_defaults_out():
    state = views.ViewState("Latin America", "WGI.RQ", "type2_diabetes", "BRA")
    params = views.view_params(state, DEFAULT)
    assert params == {"region": "latin-america", "metric": "WGI.RQ",
                      "indication": "type2_diabetes", "country": "BRA"}
    assert views.parse_view_params(params, default=DEFAULT, **CHOICES) == (state, [])
    assert views.view_params(DEFAULT, DEFAULT) == {}


def test_slug():
    assert views.slug("European Union") == "european-union"
    assert views.slug("Data & methods") == "data-methods"


# ---- formatting ----------------------------------------------------------------------------

@pytest.mark.parametrize("value, unit, text", [
    (None, "people", "no data"),
    (np.nan, "", "no data"),
    (pd.NA, "", "no data"),
    (1_412_000_000, "people", "1.41B people"),
    (3_154_295.2, "patients", "3.15M patients"),
    (85_810.4, "current international $", "85,810 current international $"),
    (187.0, "per 100000 people per year", "187 per 100000 people per year"),
    (31.04, "% of population", "31.0 % of population"),
    (0.034, "", "0.034"),
    (-0.48, "estimate", "-0.48 estimate"),
    (0, "", "0"),
])
def test_format_value(value, unit, text):
    assert views.format_value(value, unit) == text


# ---- map properties, legend, ranking -------------------------------------------------------

@pytest.fixture
def shapes():
    return pd.DataFrame({"iso3": ["ARG", "BRA", "JPN", "CHN"],
                         "name": ["Argentina", "Brazil", "Japan", "China <b>"]})


@pytest.fixture
def values():
    return pd.DataFrame({"value": [1.0, np.nan, 3.0, 4.0], "year": [2020, pd.NA, 2024, 2024],
                         "source": "Src", "stale": [True, False, False, False]},
                        index=pd.Index(["ARG", "BRA", "JPN", "CHN"], name="iso3"))


def test_map_properties_missing_is_grey_and_out_of_scope_is_context(shapes, values):
    frame, legend, counts, basis = views.map_properties(shapes, values, METRIC, ["ARG", "BRA"])
    fills = dict(zip(frame["iso3"], frame["fill"], strict=True))
    assert fills["BRA"] == list(maps.NO_DATA)  # missing, never the lowest class
    assert fills["JPN"] == fills["CHN"] == list(maps.CONTEXT_LAND)
    assert fills["ARG"] not in (list(maps.NO_DATA), list(maps.CONTEXT_LAND))
    assert legend[-1].label == "no data" and sum(counts) == 2 and counts[-1] == 1
    assert "world quintiles" in basis  # two countries cannot be classed on their own
    row = frame.set_index("iso3").loc["ARG"]
    assert row["value_text"] == "Thing: 1.0 people"
    assert row["detail_text"] == "2020 (stale) · Src"
    assert frame.set_index("iso3").loc["CHN", "name"] == "China &lt;b&gt;"  # escaped
    assert "outside the selected region" in frame.set_index("iso3").loc["JPN", "detail_text"]


def test_map_properties_quintiles_of_the_scope_when_it_is_big_enough():
    codes = [f"C{i:02d}" for i in range(10)]
    shapes = pd.DataFrame({"iso3": codes, "name": codes})
    vals = pd.DataFrame({"value": np.arange(10.0), "year": 2024, "source": "S",
                         "stale": False}, index=codes)
    frame, legend, counts, basis = views.map_properties(shapes, vals, METRIC, codes)
    assert counts == [2, 2, 2, 2, 2, 0] and basis.startswith("Classes: quintiles of the 10")
    assert frame["fill"].iloc[0] == list(maps.SEQUENTIAL["good"][0])
    assert frame["fill"].iloc[-1] == list(maps.SEQUENTIAL["good"][-1])


def test_legend_rows_and_styler_paint_the_swatch():
    legend = [maps.LegendEntry((255, 0, 0, 255), "0 – 1"), maps.LegendEntry(maps.NO_DATA,
                                                                           "no data")]
    rows = views.legend_rows(legend, [3, 1], "days")
    assert list(rows.columns) == ["colour", "days", "countries"]
    assert list(rows["colour"]) == ["#ff0000", "#c8c8c8"]
    html = views.legend_styler(rows).to_html()
    assert "background-color: #ff0000" in html


@pytest.mark.parametrize("better, order", [(True, ["JPN", "ARG", "BRA"]),
                                            (None, ["JPN", "ARG", "BRA"]),
                                            (False, ["ARG", "JPN", "BRA"])])
def test_ranking_table_best_first_missing_last(values, better, order):
    metric = views.Metric(id="x", title="Thing", unit="u", higher_is_better=better)
    table = views.ranking_table(values, {"ARG": "Argentina"}, metric, ["ARG", "BRA", "JPN"])
    assert list(table["ISO3"]) == order
    assert list(table.columns[:4]) == ["Rank", "Country", "ISO3", "Thing [u]"]
    assert table["Rank"].tolist()[:2] == [1, 2] and pd.isna(table["Rank"].iloc[2])
    assert table.set_index("ISO3").loc["ARG", "Country"] == "Argentina"
    assert table.set_index("ISO3").loc["JPN", "Country"] == "JPN"  # no name: the code


def test_ranking_table_puts_model_columns_after_the_value(values):
    extra = pd.DataFrame({"Risk tier": ["low", "high"]}, index=["ARG", "JPN"])
    table = views.ranking_table(values, {}, METRIC, ["ARG", "JPN"], extra)
    assert list(table.columns[:5]) == ["Rank", "Country", "ISO3", "Thing [people]", "Risk tier"]
    csv = views.table_csv(table).decode()
    assert csv.splitlines()[0].startswith("Rank,Country,ISO3,Thing [people],Risk tier,Year")


def test_picked_country_reads_streamlit_selection_events():
    event = {"selection": {"indices": {"countries": [3]},
                           "objects": {"countries": [{"iso3": "BRA"}]}}}
    assert views.picked_country(event) == "BRA"
    nested = {"selection": {"objects": {"countries": [{"properties": {"iso3": "IND"}}]}}}
    assert views.picked_country(nested) == "IND"
    for bad in (None, {}, {"selection": {"objects": {}}}, {"selection": None},
                {"selection": {"objects": {"countries": [{"iso3": "<b>"}]}}}):
        assert views.picked_country(bad) is None


def test_map_widget_key_changes_with_each_processed_click():
    assert views.map_widget_key("explore_map", 0) == "explore_map"
    assert views.map_widget_key("explore_map", 2) == "explore_map_2"


def test_year_span_and_table_height(values):
    assert views.year_span(values, ["ARG", "JPN"]) == "2020–2024"
    assert views.year_span(values, ["BRA"]) == ""
    assert views.table_height(3) == 38 + 3 * 35 and views.table_height(100, 10) == 38 + 350


# ---- on the real data ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(database):
    con = database.cursor()
    data = {"latest": atlas.latest_indicators(con), "catalogue": atlas.indicator_catalogue(con),
            "regions": atlas.regions(con), "inputs": model_inputs.load_inputs(con),
            "units": atlas.subnational_units(con, "JPN")}
    con.close()
    return data


def test_indicator_metrics_cover_the_catalogue(real):
    metrics = views.indicator_metrics(real["catalogue"])
    assert set(metrics) == set(real["catalogue"].index)
    assert metrics["WGI.RQ"].higher_is_better and metrics["SP.POP.TOTL"].higher_is_better is None
    assert metrics["NCD.HTN.PREV"].source == "NCD-RisC 2021"
    assert all(m.description.endswith(".") for m in metrics.values())


def test_model_values_carry_the_pool_year_and_components(real):
    frame = scoring.country_frame(real["inputs"], "hypertension")
    scored = scoring.score(frame, scoring.Weights(), list(frame.index))
    metrics = views.model_metrics()
    pool_values = views.model_values(scored, metrics["reachable_patients"])
    assert pool_values.loc["BRA", "year"] == 2019 and pool_values.loc["BRA", "stale"]
    friction_values = views.model_values(scored, metrics["friction_index"])
    assert friction_values.loc["TWN", "note"] == "3 of 4 components"
    assert pd.isna(friction_values.loc["BRA", "year"])
    with pytest.raises(ValueError, match="unknown model column"):
        views.model_values(scored, views.Metric(id="nope", title="n", unit=""))


def test_indicator_coverage_counts_countries_with_values(real):
    in_scope = views.scope(views.REGION_ALL, real["regions"])
    coverage = views.indicator_coverage(real["latest"], real["catalogue"], in_scope)
    pop = coverage.set_index("Code").loc["SP.POP.TOTL"]
    assert pop["In the six regions"] == pop["of in regions"] == len(in_scope)
    assert pop["Countries with a value"] < pop["of mapped"]  # Taiwan
    assert coverage.set_index("Code").loc["NCD.HTN.PREV", "Stale in regions"] > 0


def test_subnational_properties_zero_reach_is_not_missing(real):
    units = real["units"].copy()
    units.loc[units.index[0], "urban_population"] = np.nan
    frame, legend, counts = views.subnational_properties(units)
    assert frame["fill"].iloc[0] != list(maps.NO_DATA) and counts[-1] == 0
    assert frame["value_text"].iloc[0] == "Reachable urban population: 0 people"
    with pytest.raises(ValueError, match="unknown sub-national metric"):
        views.subnational_properties(units, "geometry")


def test_drill_frame_leaves_alaska_and_hawaii_out_of_the_frame():
    units = pd.DataFrame({"unit_code": ["US.AK", "US.HI", "US.TX"]})
    assert list(views.drill_frame(units, "USA")["unit_code"]) == ["US.TX"]
    assert len(views.drill_frame(units, "JPN")) == 3


def test_tier_properties_and_flags(real):
    frame = scoring.country_frame(real["inputs"], "type2_diabetes")
    in_scope = views.scope(views.REGION_ALL, real["regions"])
    props, legend, counts = views.tier_properties(
        pd.DataFrame({"iso3": ["RUS", "CHN", "USA"], "name": ["Russia", "China", "USA"]}),
        frame, in_scope)
    fills = dict(zip(props["iso3"], props["fill"], strict=True))
    assert fills["RUS"] == list(maps.TIER_COLORS["high"])
    assert fills["CHN"] == list(maps.CONTEXT_LAND)
    assert [e.label for e in legend] == ["low", "medium", "high", "no data"]
    assert sum(counts) == 2
    flags = views.flags_that_matter(frame, in_scope, real["regions"])
    assert set(flags["ISO3"][:2]) == {"RUS", "UKR"}  # war or sanctions first
    assert (flags["War or sanctions"] | (flags["Approval [days]"] >= 120)).all()
    top = views.top_per_region(frame, scoring.Weights(), real["regions"], 2)
    assert len(top) == 2 * 3 + 3 and top["Rank"].max() == 2


def test_weights_from_sliders():
    weights, warning = views.weights_from(2, 1, 1)
    assert warning is None and views.weights_text(weights) == (
        "pool 50 % · friction 25 % · infrastructure 25 %")
    weights, warning = views.weights_from(0, 0, 0)
    assert weights == scoring.Weights() and "equal weights" in warning


def test_docstring_markdown_turns_numpydoc_into_markdown():
    text = views.docstring_markdown("Intro ``x``.\n\nTitle\n-----\nSee :data:`FOO` and "
                                    ":func:`~a.b`.\n")
    assert "**Title**" in text and "`x`" in text and "`FOO`" in text and "`a.b`" in text
    assert "-----" not in text
    assert all(body for _, body in views.model_sections())


def test_selected_feature_and_download_name():
    fc = {"type": "FeatureCollection", "features": [{"iso3": "BRA"}, {"iso3": "ARG"}]}
    assert views.selected_feature(fc, "ARG")["features"] == [{"iso3": "ARG"}]
    assert views.selected_feature(fc, "ZZZ")["features"] == []
    assert views.download_name("ranking", "Latin America", "SP.POP.TOTL", "csv") == (
        "trial-footprint-ranking-latin-america-sp-pop-totl.csv")


def test_city_points_are_escaped_and_sorted():
    cities = pd.DataFrame({"name": ["Small", "Big & <Co>"], "population": [300_000, 9e6],
                           "latitude": [1.0, 2.0], "longitude": [3.0, 4.0]})
    out = views.city_points(cities)
    assert list(out["name"]) == ["Big &amp; &lt;Co&gt;", "Small"]
    assert out["value_text"].iloc[0] == "City population: 9.00M people"


def test_table_csv_neutralises_formulas_and_keeps_numbers():
    import io

    table = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "+1", "Brazil", "@SUM(A1)"],
                          "score": [-1.5, 2.0, 3.0, 4.0]})
    text = views.table_csv(table).decode("utf-8")
    back = pd.read_csv(io.StringIO(text))
    assert list(back["name"]) == ["'=HYPERLINK(\"x\")", "'+1", "Brazil", "'@SUM(A1)"]
    assert list(back["score"]) == [-1.5, 2.0, 3.0, 4.0]  # still numbers, sign kept


def test_region_view_frames_the_region(database):
    shapes = atlas.country_shapes(database)
    members = atlas.regions(database)
    assert views.region_view(views.REGION_ALL, shapes, members) == maps.WORLD_VIEW
    japan = views.region_view("Japan", shapes, members)  # a fixed frame
    assert 135 < japan.longitude < 140 and 36 < japan.latitude < 40
    latin = views.region_view("Latin America", shapes, members)  # from its countries
    assert -90 < latin.longitude < -60 and -25 < latin.latitude < 5
    assert latin.zoom > maps.WORLD_VIEW.zoom
