"""The trial landscape on the map and in the country details: metrics, values, facts, the
caveat, the fourth part of attractiveness, and what shows when the landscape is missing."""

from __future__ import annotations

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from footprint.data import landscape, model_inputs
from footprint.model import scoring
from footprint.views import country_details, metrics
from footprint.views import format as fmt

UNAVAILABLE = pd.Series({"available": False,
                         "reason": "data file x/aact_countries_2023-10.parquet is missing"})


@pytest.fixture(scope="module")
def real(database):
    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    con.close()
    frame = scoring.country_frame(inputs, "type2_diabetes")
    weights = scoring.Weights(1, 1, 1, 2)
    return {"inputs": inputs, "frame": frame, "weights": weights,
            "scored": scoring.score(frame, weights, list(frame.index), include_gated=True)}


def test_landscape_metrics_name_the_snapshot_and_the_caveat(real):
    trials = metrics.landscape_metrics(real["inputs"].landscape_meta)
    assert set(trials) == {"studies", "studies_recent", "studies_per_million",
                           "multinational_share", "crowding", scoring.EXPERIENCE}
    for metric in trials.values():
        assert metric.kind == "landscape"
        assert "snapshot 2023-10" in metric.source
        assert "under-counts Japan, China, India and the EU" in metric.description
        assert metrics.metric_option_label(metric).startswith("Trials · ")
    assert "estimate" in trials["studies_recent"].title
    assert "2018-11 to 2023-10" in trials["studies_recent"].description
    choices = metrics.metric_choices(metrics.model_metrics(), {}, trials)
    assert list(choices)[:len(metrics.model_metrics())] == list(metrics.model_metrics())


def test_landscape_values_carry_the_snapshot_year_and_percent(real):
    trials = metrics.landscape_metrics(real["inputs"].landscape_meta)
    shares = metrics.model_values(real["scored"], trials["multinational_share"])
    assert_allclose(shares.at["POL", "value"], real["frame"].at["POL", "multinational_share"] * 100)
    assert (shares["year"] == 2023).all() and not shares["stale"].any()
    recent = metrics.model_values(real["scored"], trials["studies_recent"])
    assert (recent["note"] == "estimate").all()
    attr = metrics.model_values(real["scored"], metrics.model_metrics()["attractiveness"])
    assert attr.at["POL", "note"] == "4 of 4 components"


def test_no_landscape_no_metrics_and_the_reason_said():
    assert metrics.landscape_metrics(UNAVAILABLE) == {}
    assert metrics.landscape_metrics(None) == {}
    text = metrics.landscape_unavailable(UNAVAILABLE)
    assert "not available" in text and "aact_countries_2023-10.parquet is missing" in text
    assert metrics.landscape_unavailable(pd.Series({"available": True})) is None


def test_country_facts_read_without_raw_missing_values(real, raw_missing):
    meta = real["inputs"].landscape_meta
    for iso3 in ["BRA", "TWN", "JPN", "PCN"]:  # TWN: no population; PCN: no studies
        facts = country_details.landscape_facts(real["frame"].loc[iso3], meta)
        assert list(facts["Item"])[:2] == ["Registered studies",
                                           "Registered in the last five years (estimate)"]
        assert raw_missing(facts, iso3) == []
    brazil = country_details.landscape_facts(real["frame"].loc["BRA"], meta)
    assert brazil.at[0, "Value"] == fmt.format_value(
        real["inputs"].landscape.at["BRA", "studies"], "studies")
    caption = country_details.landscape_caption(meta)
    assert landscape.UNDER_COUNT in caption and "snapshot 2023-10" in caption


def test_country_facts_without_a_landscape_say_why(real):
    facts = country_details.landscape_facts(real["frame"].loc["BRA"], UNAVAILABLE)
    assert facts.empty
    assert "aact_countries_2023-10.parquet is missing" in country_details.landscape_caption(
        UNAVAILABLE)


def test_attractiveness_parts_include_trial_experience_when_weighted(real):
    row = real["scored"].loc["POL"]
    parts = country_details.attractiveness_parts(row, real["weights"])
    assert list(parts["Part"]) == [*list(country_details.PART_LABELS.values())]
    assert_allclose(parts["Points"].sum(), row["attractiveness"])
    assert_allclose(parts["Weight [%]"], [20, 20, 20, 40])
    three = country_details.attractiveness_parts(row, scoring.Weights(1, 1, 1))
    assert "Trial experience" not in set(three["Part"])


def test_weights_text_names_trial_experience_only_when_weighted():
    assert fmt.weights_text(scoring.Weights(1, 1, 1, 1)) == (
        "pool 25 % · friction 25 % · infrastructure 25 % · trial experience 25 %")
    assert "experience" not in fmt.weights_text(scoring.Weights(1, 1, 1))
