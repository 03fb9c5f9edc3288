"""Metrics: indicator and model metrics, their values, labels and ranking order."""

from __future__ import annotations

import pandas as pd
import pytest

from footprint.data import atlas, model_inputs
from footprint.model import scoring
from footprint.views import metrics
from footprint.views.metrics import Metric


def test_indicator_metrics_cover_the_catalogue(con):
    catalogue = atlas.indicator_catalogue(con)
    found = metrics.indicator_metrics(catalogue)
    assert set(found) == set(catalogue.index)
    assert found["WGI.RQ"].higher_is_better and found["SP.POP.TOTL"].higher_is_better is None
    assert found["NCD.HTN.PREV"].source == "NCD-RisC 2021"
    assert all(m.description.endswith(".") for m in found.values())


def test_model_values_carry_the_pool_year_and_components(con):
    frame = scoring.country_frame(model_inputs.load_inputs(con), "hypertension")
    scored = scoring.score(frame, scoring.Weights(), list(frame.index))
    model = metrics.model_metrics()
    pool_values = metrics.model_values(scored, model["reachable_patients"])
    assert pool_values.loc["BRA", "year"] == 2019 and pool_values.loc["BRA", "stale"]
    friction_values = metrics.model_values(scored, model["friction_index"])
    assert friction_values.loc["TWN", "note"] == "3 of 4 components"
    assert pd.isna(friction_values.loc["BRA", "year"])
    with pytest.raises(ValueError, match="unknown model column"):
        metrics.model_values(scored, Metric(id="nope", title="n", unit=""))


def test_labels_choices_and_order():
    model = metrics.model_metrics()
    indicator = {"SP.POP.TOTL": Metric(id="SP.POP.TOTL", title="Population", unit="people")}
    choices = metrics.metric_choices(model, indicator)
    assert list(choices)[0] == "attractiveness" and list(choices)[-1] == "SP.POP.TOTL"
    assert metrics.metric_option_label(model["attractiveness"]) == (
        "Score · Attractiveness [0-100]")
    assert metrics.metric_option_label(indicator["SP.POP.TOTL"]) == (
        "Indicator · Population [people]")
    assert metrics.ranking_order(model["friction_index"]) == "lowest first: lower is better"
    assert metrics.number_format(indicator["SP.POP.TOTL"]) == "localized"  # 3 figures, shown
    assert Metric(id="x", title="Population, total", unit="p").short_title == "Population"
    assert model["reachable_patients"].short_title == "Reachable patients"
