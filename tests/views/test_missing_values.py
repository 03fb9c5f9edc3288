"""No raw missing value reaches people: a sweep over every country x indication x view
function of footprint/views (tables, tooltips, captions, downloads), and a property test of
the map and ranking on values with holes and infinities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footprint.data import atlas, model_inputs
from footprint.model import pool, scoring
from footprint.views import country_details, executive, explore, metrics
from footprint.views import format as fmt
from footprint.views.regions import scope

WEIGHTS = scoring.Weights(10, 2, 5)


@pytest.fixture(scope="module")
def real(database):
    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    data = {"inputs": inputs, "latest": atlas.latest_indicators(con),
            "catalogue": atlas.indicator_catalogue(con), "regions": atlas.regions(con),
            "shapes": atlas.country_shapes(con), "names": atlas.country_names(con),
            "indications": pool.catalogue(inputs)}
    data["frames"] = {i: scoring.country_frame(inputs, i) for i in data["indications"]}
    con.close()
    return data


def settings_of(indication: pool.Indication, include_gated: bool) -> dict:
    return fmt.settings_columns(indication.name, WEIGHTS, 0.1, 90.0, include_gated)


@pytest.mark.parametrize("include_gated", [False, True])
def test_maps_rankings_and_downloads_of_every_metric(real, raw_missing, include_gated):
    problems = []
    members = scope((), (), real["regions"])
    everyone = list(real["names"])
    for ind_id, indication in real["indications"].items():
        frame = real["frames"][ind_id]
        scored = scoring.score(frame, WEIGHTS, list(frame.index), include_gated=True)
        gated = scoring.left_out(frame, everyone)
        left = [] if include_gated else gated
        ranked = [c for c in everyone if c not in set(left)]
        extra = explore.ranking_extra(scored, None)
        model = metrics.model_metrics(indication, "World Bank WDI")
        chosen = {**model, **metrics.indicator_metrics(real["catalogue"])}
        for metric in chosen.values():
            values = (metrics.model_values(scored, metric) if metric.kind == "model"
                      else metrics.indicator_values(real["latest"], metric.id))
            props, legend, _, basis = explore.map_properties(
                real["shapes"], values, metric, members,
                frame[["gated", "gate_label", "gate_as_of"]], include_gated)
            for column in ("name", "value_text", "detail_text"):
                problems += raw_missing(props[[column]], f"{ind_id}/{metric.id} map")
            problems += raw_missing(basis + " ".join(e.label for e in legend), "legend")
            table = explore.ranking_table(values, real["names"], metric, ranked,
                                          extra if metric.kind == "model" else None, gated)
            problems += raw_missing(fmt.shown(table), f"{ind_id}/{metric.id} ranking")
            problems += raw_missing(fmt.table_csv(table, settings_of(indication,
                                                                     include_gated)), "csv")
            problems += raw_missing(metric.description + metric.label, metric.id)
        problems += raw_missing(fmt.left_out_notice(frame, gated, "this ranking"), "notice")
        top = executive.top_per_region(frame, WEIGHTS, real["regions"], 3, include_gated)
        problems += raw_missing(fmt.shown(top), f"{ind_id} top")
        problems += raw_missing(fmt.table_csv(top, settings_of(indication, include_gated)),
                                "top csv")
    assert problems == []


def test_every_country_detail_of_every_indication(real, raw_missing):
    problems = []
    regulators = real["inputs"].regulators
    for ind_id, indication in real["indications"].items():
        frame = real["frames"][ind_id]
        scored = scoring.score(frame, WEIGHTS, list(frame.index), include_gated=True)
        for iso3 in frame.index:
            row, where = frame.loc[iso3], f"{ind_id}/{iso3}"
            years = country_details.country_years(real["latest"], iso3)
            funnel = country_details.funnel_table(row, indication, 0.1, years)
            problems += raw_missing(fmt.shown(funnel), f"{where} funnel")
            problems += raw_missing(country_details.funnel_total(row, indication), where)
            parts = country_details.attractiveness_parts(scored.loc[iso3], WEIGHTS)
            problems += raw_missing(parts, f"{where} parts")
            problems += raw_missing(country_details.parts_text(parts), f"{where} parts")
            if ind_id != "type2_diabetes":
                continue  # the rest does not depend on the indication
            problems += raw_missing(country_details.friction_breakdown(row), f"{where} fr")
            problems += raw_missing(country_details.infrastructure_breakdown(row), where)
            problems += raw_missing(country_details.startup_facts(row, regulators), where)
            problems += raw_missing(country_details.regulatory_sources(row, regulators), where)
            problems += raw_missing(country_details.gate_facts(row)[1], f"{where} gate")
            problems += raw_missing(explore.gated_country_notice(frame, iso3, False), where)
            problems += raw_missing(country_details.country_indicator_table(
                real["latest"], real["catalogue"], iso3), f"{where} indicators")
    assert problems == []


def test_the_executive_map_and_tables(real, raw_missing):
    frame = real["frames"]["type2_diabetes"]
    members = scope((), (), real["regions"])
    props, legend, _ = executive.tier_properties(real["shapes"], frame, members)
    problems = raw_missing(props[["name", "value_text", "detail_text", "risk_tier"]], "map")
    for name, table in (("flags", executive.flags_that_matter(frame, members, real["regions"])),
                        ("tiers", executive.tier_table(frame, members, real["regions"]))):
        problems += raw_missing(table, name) + raw_missing(fmt.table_csv(table), name)
    assert problems == []


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=32), st.none())


# the raw_missing fixture holds no state, so one instance serves every example
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(numbers, min_size=4, max_size=4),
       years=st.lists(st.one_of(st.none(), st.integers(1990, 2025)), min_size=4, max_size=4),
       gated=st.lists(st.booleans(), min_size=4, max_size=4), include=st.booleans(),
       better=st.sampled_from([True, False, None]))
def test_holes_and_infinities_never_reach_a_map_or_ranking(raw_missing, values, years, gated,
                                                            include, better):
    codes = ["AAA", "BBB", "CCC", "DDD"]
    shapes = pd.DataFrame({"iso3": codes, "name": ["A", "B", "C", "D"]})
    frame = pd.DataFrame({"value": [np.nan if v is None else v for v in values],
                          "year": pd.array(years, dtype="Int64"), "source": "Src",
                          "stale": False}, index=codes)
    gates = pd.DataFrame({"gated": gated, "gate_label": "war", "gate_as_of": "2026-11"},
                         index=codes)
    metric = metrics.Metric(id="x", title="Thing", unit="people", higher_is_better=better)
    props, legend, _, basis = explore.map_properties(shapes, frame, metric, codes, gates,
                                                     include)
    problems = raw_missing(props[["value_text", "detail_text"]], "map")
    ranked = [c for c, g in zip(codes, gated, strict=True) if include or not g]
    table = explore.ranking_table(frame, {}, metric, ranked, gated=[c for c, g in
                                                                    zip(codes, gated,
                                                                        strict=True) if g])
    problems += raw_missing(fmt.shown(table), "ranking") + raw_missing(fmt.table_csv(table),
                                                                       "csv")
    assert problems == []
