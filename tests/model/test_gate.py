"""The country gate: levels from the sourced table, what is gated, and the table's coverage."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from footprint.model import gate
from tests.tiny import gate_row, make_inputs


def test_levels_labels_and_who_is_gated_on_the_tiny_world():
    inputs = make_inputs(values={"DDD": {}, "EEE": {}, "FFF": {}}, gate={
        "AAA": gate_row("embargo"), "BBB": gate_row("sanctions", war=True, war_note="front"),
        "CCC": gate_row("targeted", war=True), "DDD": gate_row("targeted"),
        "EEE": gate_row("none_known", conflict_note="regional")})
    inputs = replace(inputs, gate=inputs.gate.drop(index="FFF"))
    g = gate.gate(inputs)
    assert list(g["gate_level"]) == ["embargo", "sanctions", "war", "targeted", "none_known",
                                     "not_in_table"]
    assert list(g["gated"]) == [True, True, True, False, False, False]
    assert g.loc["BBB", "gate_label"] == "sanctions + war"
    assert "War: front" in g.loc["BBB", "gate_detail"]
    assert g.loc["FFF", "gate_label"] == "not in our table"
    assert g.loc["EEE", "conflict_note"] == "regional"


@pytest.fixture(scope="module")
def real(database):
    from footprint.data import model_inputs
    return model_inputs.load_inputs(database.cursor())


def test_known_regimes_are_gated_and_routine_trial_countries_are_not(real):
    g = gate.gate(real)
    assert g.loc["CUB", "gate_level"] == "embargo"
    assert g.loc["RUS", "gate_label"] == "sanctions + war"
    assert g.loc["BLR", "gate_level"] == "sanctions" and g.loc["VEN", "gate_level"] == "sanctions"
    assert g.loc["UKR", "gate_level"] == "war"
    for iso3 in ["USA", "DEU", "JPN", "IND", "BRA", "MEX", "COL", "POL"]:
        assert not g.loc[iso3, "gated"], iso3
    assert g.loc["COL", "conflict_note"] and g.loc["IND", "conflict_note"]


def test_every_region_member_has_a_dated_sourced_gate_row_and_a_regulator(real):
    members = {c for m in real.region_members.values() for c in m}
    assert members <= set(real.gate.index)
    assert set(real.gate["sanctions_level"]) <= {"embargo", "sanctions", "targeted",
                                                 "none_known"}
    assert real.gate["source"].str.len().gt(10).all()
    assert real.gate["as_of"].map(lambda s: bool(re.fullmatch(r"\d{4}-\d{2}", s))).all()
    assert members <= set(real.regulators.index)
    named = real.regulators.loc[sorted(members), "regulator"]
    assert (named != "").sum() >= len(members) - 1  # Haiti: no trial authority found
