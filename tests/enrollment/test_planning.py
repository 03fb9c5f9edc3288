"""Scenario defaults from the model: start-up per country and pool caps."""

from __future__ import annotations

import pytest

from footprint.data import model_inputs
from footprint.enrollment import planning
from footprint.enrollment.scenario import CountryPlan, Scenario
from footprint.model import pool, scoring


@pytest.fixture(scope="module")
def inputs(database):
    return model_inputs.load_inputs(database.cursor())


def scenario(indication, deadline=None):
    return Scenario(
        name="t",
        indication=indication,
        target_patients=100,
        countries=(CountryPlan("BRA", 5), CountryPlan("USA", 5)),
        deadline_months=deadline,
    )


def test_startup_and_caps_come_from_the_model(inputs):
    startup, caps = planning.model_defaults(inputs, scenario("hypertension"), 0.1)
    frame = scoring.country_frame(inputs, "hypertension", 0.1)
    assert startup["BRA"] == (
        frame.loc["BRA", "startup_days_mean"],
        frame.loc["BRA", "startup_days_sd"],
    )
    assert caps["USA"] == pytest.approx(frame.loc["USA", "eligible_patients"])
    resolved = planning.resolve_with_model(inputs, scenario("hypertension"))
    assert resolved.countries[0].sources["startup_days"] == "model"
    assert resolved.countries[0].sources["pool_cap"] == "model"


def test_missing_pool_gives_no_cap_not_zero(inputs):
    _, caps = planning.model_defaults(inputs, scenario("hiv"))  # no WDI HIV figure for USA
    assert "USA" not in caps and caps["BRA"] > 0


def test_incident_pools_scale_with_the_recruitment_window(inputs):
    _, yearly = planning.model_defaults(inputs, scenario("tuberculosis", deadline=12))
    _, two_years = planning.model_defaults(inputs, scenario("tuberculosis", deadline=24))
    assert two_years["BRA"] == pytest.approx(2 * yearly["BRA"])
    _, default = planning.model_defaults(inputs, scenario("tuberculosis"))
    assert default["BRA"] == pytest.approx(planning.DEFAULT_WINDOW_MONTHS / 12 * yearly["BRA"])


def test_site_activation_assumption_moves_startup(inputs):
    fast, _ = planning.model_defaults(
        inputs, scenario("hypertension"), pool.DEFAULT_ELIGIBILITY_SHARE, 30
    )
    slow, _ = planning.model_defaults(
        inputs, scenario("hypertension"), pool.DEFAULT_ELIGIBILITY_SHARE, 120
    )
    assert slow["BRA"][0] - fast["BRA"][0] == pytest.approx(90)
