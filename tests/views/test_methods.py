"""Data & methods: coverage, model sections, the named assumptions and display tables."""

from __future__ import annotations

import pytest

from footprint import assumptions
from footprint.data import atlas, model_inputs
from footprint.model import scoring
from footprint.views import methods
from footprint.views.regions import scope


@pytest.fixture(scope="module")
def real(database):
    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    data = {"latest": atlas.latest_indicators(con), "catalogue": atlas.indicator_catalogue(con),
            "regions": atlas.regions(con), "inputs": inputs,
            "frame": scoring.country_frame(inputs, "type2_diabetes"),
            "names": atlas.country_names(con)}
    con.close()
    return data


def test_indicator_coverage_counts_countries_with_values(real):
    in_scope = scope((), (), real["regions"])
    coverage = methods.indicator_coverage(real["latest"], real["catalogue"], in_scope)
    pop = coverage.set_index("Code").loc["SP.POP.TOTL"]
    assert pop["In the six regions"] == pop["of in regions"] == len(in_scope)
    assert pop["Countries with a value"] < pop["of mapped"]  # Taiwan
    assert coverage.set_index("Code").loc["NCD.HTN.PREV", "Stale in regions"] > 0


def test_docstring_markdown_turns_numpydoc_into_markdown():
    text = methods.docstring_markdown("Intro ``x``.\n\nTitle\n-----\nSee :data:`FOO` and "
                                      ":func:`~a.b`.\n")
    assert "**Title**" in text and "`x`" in text and "`FOO`" in text and "`a.b`" in text
    assert "-----" not in text
    assert all(body for _, body in methods.model_sections())


def test_model_constants_show_every_registered_assumption():
    table = methods.model_constants()
    assert list(table.columns) == ["Constant", "Value", "Unit", "Meaning", "Source", "Kind"]
    assert list(table["Constant"]) == list(assumptions.REGISTRY)
    row = table.set_index("Constant").loc["FRICTION_WEIGHTS"]
    assert row["Value"] == "approval 0.4, flags 0.2, regulatory_quality 0.2, rule_of_law 0.2"
    assert row["Kind"] == "assumption" and row["Source"]
    assert table.set_index("Constant").loc["STARTUP_CV", "Value"] == "0.3"


def test_regulators_and_gate_tables_cover_every_member(real, raw_missing):
    members = scope((), (), real["regions"])
    regulators = methods.regulators_table(real["inputs"].regulators, real["names"])
    assert set(regulators["ISO3"]) == set(members)
    assert regulators.set_index("ISO3").loc["HTI", "Regulator"].startswith("— (no authorising")
    gates = methods.gate_table(real["frame"], members)
    assert len(gates) == len(members) and gates["Gate"].iloc[0] == "embargo"
    assert gates["Gated"].sum() == 6 and list(gates["Gated"][:6]) == [True] * 6
    regulatory = methods.regulatory_table(real["inputs"].regulatory)
    assert "war_or_sanctions" not in regulatory  # the gate is the one rule
    for name, table in (("regulators", regulators), ("gate", gates),
                        ("regulatory", regulatory)):
        assert raw_missing(table, name) == []
