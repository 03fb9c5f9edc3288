"""Explore: map properties, ranking, weights and the country a map click picks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from footprint.model import scoring
from footprint.views import explore, maps
from footprint.views.format import table_csv, weights_text
from footprint.views.metrics import Metric

METRIC = Metric(id="x", title="Thing", unit="people", ramp="good", higher_is_better=True,
                source="Src")


@pytest.fixture
def shapes():
    return pd.DataFrame({"iso3": ["ARG", "BRA", "JPN", "CHN"],
                         "name": ["Argentina", "Brazil", "Japan", "China <b>"]})


@pytest.fixture
def gates():
    return pd.DataFrame({"gated": [False, False, False, True],
                         "gate_label": ["none known", "none known", "none known", "war"],
                         "gate_as_of": ["2026-11"] * 4},
                        index=pd.Index(["ARG", "BRA", "JPN", "CHN"], name="iso3"))


@pytest.fixture
def values():
    return pd.DataFrame({"value": [1.0, np.nan, 3.0, 4.0], "year": [2020, pd.NA, 2024, 2024],
                         "source": "Src", "stale": [True, False, False, False]},
                        index=pd.Index(["ARG", "BRA", "JPN", "CHN"], name="iso3"))


def test_map_properties_missing_is_grey_and_out_of_scope_is_context(shapes, values, gates):
    frame, legend, counts, basis = explore.map_properties(shapes, values, METRIC,
                                                          ["ARG", "BRA"], gates)
    fills = dict(zip(frame["iso3"], frame["fill"], strict=True))
    assert fills["BRA"] == list(maps.NO_DATA)  # missing, never the lowest class
    assert fills["JPN"] == fills["CHN"] == list(maps.CONTEXT_LAND)
    assert fills["ARG"] not in (list(maps.NO_DATA), list(maps.CONTEXT_LAND))
    assert legend[-1].label == "no data" and sum(counts) == 2 and counts[-1] == 1
    assert "world quintiles" in basis  # two countries cannot be classed on their own
    row = frame.set_index("iso3").loc["ARG"]
    assert row["value_text"] == "Thing: 1.00 people"
    assert row["detail_text"] == "2020 (stale) · Src"
    assert frame.set_index("iso3").loc["CHN", "name"] == "China &lt;b&gt;"  # escaped
    assert "outside the selected scope" in frame.set_index("iso3").loc["JPN", "detail_text"]


def test_map_properties_leave_gated_countries_out_in_their_own_style(shapes, values, gates):
    scope = ["ARG", "JPN", "CHN"]
    frame, legend, counts, _ = explore.map_properties(shapes, values, METRIC, scope, gates)
    china = frame.set_index("iso3").loc["CHN"]
    assert china["fill"] == list(maps.GATED_FILL)  # never a ranked colour
    assert china["value_text"] == "Gated (war): left out of the ranking"
    assert "gate as of 2026-11" in china["detail_text"]
    assert legend[-1].label == "left out: gated" and counts[-1] == 1
    assert sum(counts) == len(scope)
    frame, legend, counts, _ = explore.map_properties(shapes, values, METRIC, scope, gates,
                                                      include_gated=True)
    china = frame.set_index("iso3").loc["CHN"]
    assert china["fill"] not in (list(maps.GATED_FILL), list(maps.NO_DATA))
    assert china["value_text"] == "Thing: 4.00 people · gated: war"
    assert legend[-1].label == "no data"
    attractiveness = Metric(id="attractiveness", title="Attractiveness", unit="0-100")
    frame, *_ = explore.map_properties(shapes, values, attractiveness, scope, gates, True)
    assert frame.set_index("iso3").loc["CHN", "value_text"].endswith(
        "gated: war, after 30 points off")


def test_map_properties_quintiles_of_the_scope_when_it_is_big_enough():
    codes = [f"C{i:02d}" for i in range(10)]
    shapes = pd.DataFrame({"iso3": codes, "name": codes})
    vals = pd.DataFrame({"value": np.arange(10.0), "year": 2024, "source": "S",
                         "stale": False}, index=codes)
    gates = pd.DataFrame({"gated": False, "gate_label": "none known", "gate_as_of": ""},
                         index=codes)
    frame, legend, counts, basis = explore.map_properties(shapes, vals, METRIC, codes, gates)
    assert counts == [2, 2, 2, 2, 2, 0] and basis.startswith("Classes: quintiles of the 10")
    assert frame["fill"].iloc[0] == list(maps.SEQUENTIAL["good"][0])
    assert frame["fill"].iloc[-1] == list(maps.SEQUENTIAL["good"][-1])


@pytest.mark.parametrize("better, order", [(True, ["JPN", "ARG", "BRA"]),
                                            (None, ["JPN", "ARG", "BRA"]),
                                            (False, ["ARG", "JPN", "BRA"])])
def test_ranking_table_best_first_missing_last(values, better, order):
    metric = Metric(id="x", title="Thing", unit="u", higher_is_better=better)
    table = explore.ranking_table(values, {"ARG": "Argentina"}, metric, ["ARG", "BRA", "JPN"])
    assert list(table["ISO3"]) == order
    assert list(table.columns) == ["Rank", "Country", "Thing [u]", "Year", "Stale", "Source",
                                   "ISO3"]  # the value first
    assert table.set_index("ISO3").loc["BRA", "Source"] == "no data (Src)"
    assert table["Rank"].tolist()[:2] == [1, 2] and pd.isna(table["Rank"].iloc[2])
    assert table.set_index("ISO3").loc["ARG", "Country"] == "Argentina"
    assert table.set_index("ISO3").loc["JPN", "Country"] == "JPN"  # no name: the code


def test_ranking_table_puts_model_columns_after_the_value_and_badges_gated(values):
    extra = pd.DataFrame({"Risk tier": ["low", "high"]}, index=["ARG", "JPN"])
    scores = values.drop(columns=["year", "stale"]).assign(note="3 of 3 components")
    table = explore.ranking_table(scores, {"JPN": "Japan"}, METRIC, ["ARG", "JPN"], extra,
                                  gated=["JPN"])
    assert list(table.columns) == ["Rank", "Country", "Thing [people]", "Risk tier",
                                   "Components", "Source", "ISO3"]  # scores carry no year
    assert table["Country"].iloc[0] == "Japan (gated)"
    csv = table_csv(table).decode()
    assert csv.splitlines()[0].startswith("Rank,Country,Thing [people],Risk tier")


def test_gated_country_notice_only_for_a_hidden_gated_country():
    frame = pd.DataFrame({"name": ["Russia", "Chile"], "gated": [True, False],
                          "gate_label": ["sanctions + war", "none known"],
                          "gate_as_of": ["2026-02", "2026-11"]}, index=["RUS", "CHL"])
    notice = explore.gated_country_notice(frame, "RUS", include_gated=False)
    assert notice.startswith("Russia is gated (sanctions + war, as of 2026-02)")
    assert "30 points" in notice
    assert explore.gated_country_notice(frame, "RUS", include_gated=True) == ""
    assert explore.gated_country_notice(frame, "CHL", include_gated=False) == ""
    assert explore.gated_country_notice(frame, None, include_gated=False) == ""


def test_scroll_script_targets_one_anchor():
    script = explore.scroll_script(explore.DETAILS_ANCHOR, 3)
    assert "getElementById('country-details')" in script and "data-nonce='3'" in script
    with pytest.raises(ValueError):
        explore.scroll_script("x'); alert(1); ('", 1)


def test_picked_country_reads_streamlit_selection_events():
    event = {"selection": {"indices": {"countries": [3]},
                           "objects": {"countries": [{"iso3": "BRA"}]}}}
    assert explore.picked_country(event) == "BRA"
    nested = {"selection": {"objects": {"countries": [{"properties": {"iso3": "IND"}}]}}}
    assert explore.picked_country(nested) == "IND"
    for bad in (None, {}, {"selection": {"objects": {}}}, {"selection": None},
                {"selection": {"objects": {"countries": [{"iso3": "<b>"}]}}}):
        assert explore.picked_country(bad) is None


def test_map_widget_key_changes_with_each_processed_click():
    assert explore.map_widget_key("explore_map", 0) == "explore_map"
    assert explore.map_widget_key("explore_map", 2) == "explore_map_2"


def test_year_span(values):
    assert explore.year_span(values, ["ARG", "JPN"]) == "2020–2024"
    assert explore.year_span(values, ["BRA"]) == ""


def test_weights_from_sliders():
    weights, warning = explore.weights_from(2, 1, 1)
    assert warning is None and weights_text(weights) == (
        "pool 50 % · friction 25 % · infrastructure 25 %")
    weights, warning = explore.weights_from(0, 0, 0)
    assert weights == scoring.Weights() and "equal weights" in warning



def test_a_trial_experience_weight_alone_is_a_weighting():
    weights, warning = explore.weights_from(0, 0, 0, experience_weight=3)
    assert warning is None and weights.experience == 3
    assert weights.normalised().tolist() == [0.0, 0.0, 0.0, 1.0]
