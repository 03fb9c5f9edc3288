"""Country details: gate, funnel, regulatory start-up, components with their totals, the parts
of attractiveness and the indicators of one country."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from footprint.assumptions import FRICTION_WEIGHTS, GATE_PENALTY_POINTS
from footprint.data import atlas, model_inputs
from footprint.model import infrastructure, pool, scoring
from footprint.views import country_details


@pytest.fixture(scope="module")
def real(database):
    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    frame = scoring.country_frame(inputs, "type2_diabetes")
    data = {"frame": frame, "inputs": inputs,
            "scored": scoring.score(frame, scoring.Weights(10, 2, 5), list(frame.index),
                                    include_gated=True),
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


def test_funnel_table_names_a_source_and_year_for_every_step(real):
    years = country_details.country_years(real["latest"], "BRA")
    funnel = country_details.funnel_table(real["frame"].loc["BRA"], real["indication"], 0.1,
                                          years)
    assert list(funnel.columns) == ["Step", "Count [patients]", "Kept", "Year", "Source"]
    assert list(funnel["Step"])[-1] == "Reachable"
    assert funnel["Kept"].iloc[0] == "— (first step)" and funnel["Kept"].iloc[1].endswith("%")
    assert "eligibility share 10%" in funnel["Source"].iloc[3]
    assert funnel["Year"].iloc[0].startswith("20") and funnel["Year"].iloc[1].startswith("20")
    assert funnel["Year"].iloc[2] == "2021"  # IDF Diabetes Atlas 10th edition (2021)
    assert funnel["Year"].iloc[3] == "— (assumption)"
    assert funnel["Count [patients]"].iloc[-1] == round(
        real["frame"].loc["BRA", "reachable_patients"])  # exact: rounded only for display
    total = country_details.funnel_total(real["frame"].loc["BRA"], real["indication"])
    assert total.startswith("Total: ") and "pool score" in total


def test_breakdowns_end_with_their_total(real):
    row = real["frame"].loc["BRA"]
    friction = country_details.friction_breakdown(row)
    assert list(friction["Weight [%]"])[:-1] == [w * 100 for w in FRICTION_WEIGHTS.values()]
    assert friction["Component"].iloc[0] == "Approval time"
    assert friction["Component"].iloc[-1] == "Friction index"
    assert friction["Friction [0-100]"].iloc[-1] == pytest.approx(row["friction_index"])
    infra = country_details.infrastructure_breakdown(row)
    assert len(infra) == len(infrastructure.RISK_COMPONENTS) + 1
    assert infra["Risk [0-100]"].iloc[-1] == pytest.approx(row["infrastructure_risk"])
    assert infra["Anchors"].iloc[0].startswith("risk 0 at 3.70, 100 at 0.100 (log)")
    russia = country_details.infrastructure_breakdown(real["frame"].loc["RUS"])
    assert "at least 75 while gated (sanctions + war)" in russia["Anchors"].iloc[-1]


def test_startup_facts_name_the_regulator_of_every_member(real):
    frame, regulators = real["frame"], real["inputs"].regulators
    uruguay = country_details.startup_facts(frame.loc["URY"], regulators).set_index("Item")
    assert uruguay.loc["Regulator", "Value"] == "Ministry of Public Health (MSP)"
    assert uruguay.loc["Approval", "Value"].endswith("days (assumed)")
    assert uruguay.loc["Approval", "Basis"].startswith("ASSUMED")
    assert uruguay.loc["Timelines as of", "Value"].startswith("— (no regulatory row")
    sources = country_details.regulatory_sources(frame.loc["URY"], regulators)
    assert "[gub.uy/tramites/" in sources and "](https://gub.uy/tramites/" in sources
    china = country_details.startup_facts(frame.loc["CHN"], regulators).set_index("Item")
    assert china.loc["Regulator", "Value"] == "— (not in our table)"
    for iso3 in sorted({c for m in real["inputs"].region_members.values() for c in m}):
        facts = country_details.startup_facts(frame.loc[iso3], regulators)
        assert "not in our table" not in facts.loc[0, "Value"], iso3  # every member has a row
    haiti = country_details.startup_facts(frame.loc["HTI"], regulators).set_index("Item")
    assert haiti.loc["Regulator", "Value"].startswith("— (no authorising body found")


def test_gate_facts_name_the_gate_date_and_sources(real):
    severity, text = country_details.gate_facts(real["frame"].loc["RUS"])
    assert severity == "gated" and text.startswith("**Gate: sanctions + war** (as of 2026-02)")
    assert "](https://" in text
    assert country_details.gate_facts(real["frame"].loc["SRB"])[0] == "note"  # targeted
    severity, text = country_details.gate_facts(real["frame"].loc["CHN"])
    assert severity == "none" and "not in our table" in text


@pytest.mark.parametrize("iso3", ["BRA", "RUS", "TWN"])
def test_attractiveness_parts_sum_to_the_attractiveness(real, iso3):
    row = real["scored"].loc[iso3]
    parts = country_details.attractiveness_parts(row, scoring.Weights(10, 2, 5))
    assert parts["Points"].sum() == pytest.approx(row["attractiveness"])
    present = parts[parts["Part"] != country_details.PENALTY_LABEL]
    assert present["Weight [%]"].sum() == pytest.approx(100)
    if bool(row["gated"]):
        penalty = parts.set_index("Part").loc[country_details.PENALTY_LABEL, "Points"]
        assert penalty == pytest.approx(-min(GATE_PENALTY_POINTS,
                                             present["Points"].sum()))
    else:
        assert country_details.PENALTY_LABEL not in set(parts["Part"])
    text = country_details.parts_text(parts)
    assert text.endswith(f"→ attractiveness {row['attractiveness']:.1f} / 100.")


def test_attractiveness_parts_reweight_over_the_scores_present():
    row = pd.Series({"pool_score": 50.0, "friction_score": np.nan,
                     "infrastructure_score": 70.0, "attractiveness": 60.0})
    parts = country_details.attractiveness_parts(row, scoring.Weights(1, 1, 1))
    assert list(parts["Weight [%]"]) == pytest.approx([50, 0, 50])
    assert pd.isna(parts["Points"].iloc[1]) and parts["Points"].sum() == pytest.approx(60)
    assert "— (no data: left out)" in country_details.parts_text(parts)


def test_country_indicator_table_shows_missing_as_no_data(real):
    table = country_details.country_indicator_table(real["latest"], real["catalogue"], "TWN")
    assert len(table) == len(real["catalogue"])
    row = table.set_index("Code").loc["SP.POP.TOTL"]
    assert row["Value"] == "no data" and row["Year"] == "—"
