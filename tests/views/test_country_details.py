"""Country details: funnel, regulatory start-up, components and indicators of one country."""

from __future__ import annotations

import pandas as pd
import pytest

from footprint.assumptions import FRICTION_WEIGHTS
from footprint.data import atlas, model_inputs
from footprint.model import infrastructure, pool, scoring
from footprint.views import country_details


@pytest.fixture(scope="module")
def brazil(database):
    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    data = {"row": scoring.country_frame(inputs, "type2_diabetes").loc["BRA"],
            "indication": pool.catalogue(inputs)["type2_diabetes"],
            "latest": atlas.latest_indicators(con),
            "catalogue": atlas.indicator_catalogue(con)}
    con.close()
    return data


def test_country_summary_names_its_regions():
    regions = {"Latin America": ["BRA"], "Japan": ["JPN"]}
    assert country_details.country_summary("BRA", {"BRA": "Brazil"}, regions) == (
        "Brazil (BRA) · Latin America")
    assert country_details.country_summary("CHN", {}, regions) == (
        "CHN (CHN) · outside the six regions")


def test_funnel_table_keeps_a_share_at_each_step(brazil):
    funnel = country_details.funnel_table(brazil["row"], brazil["indication"], 0.1)
    assert list(funnel["Step"])[-1] == "Reachable" and pd.isna(funnel["Kept"].iloc[0])
    assert funnel.columns[1] == "Count [patients]"
    assert ((funnel["Kept"].iloc[1:] > 0) & (funnel["Kept"].iloc[1:] <= 1)).all()
    assert "eligibility share 10%" in funnel["Basis"].iloc[3]


def test_breakdowns_list_every_component(brazil):
    friction = country_details.friction_breakdown(brazil["row"])
    assert list(friction["Weight"]) == list(FRICTION_WEIGHTS.values())
    assert friction["Component"].iloc[0] == "Approval time"
    infra = country_details.infrastructure_breakdown(brazil["row"])
    assert len(infra) == len(infrastructure.RISK_COMPONENTS)
    facts = country_details.startup_facts(brazil["row"])
    assert list(facts["Item"]) == ["Regulator", "Approval", "Start-up (mean ± sd)", "Flags",
                                   "Regulatory source"]


def test_country_indicator_table_shows_missing_as_no_data(brazil):
    table = country_details.country_indicator_table(brazil["latest"], brazil["catalogue"], "TWN")
    assert len(table) == len(brazil["catalogue"])
    row = table.set_index("Code").loc["SP.POP.TOTL"]
    assert row["Value"] == "no data" and row["Year"] == "—"
