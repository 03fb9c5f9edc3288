"""Executive risk map: tier colours, the tier rule, top countries, flags and the tier table."""

from __future__ import annotations

import pandas as pd
import pytest

from footprint.assumptions import TIER_HIGH_FROM, TIER_LOW_BELOW
from footprint.data import atlas, model_inputs
from footprint.model import scoring
from footprint.views import executive, maps
from footprint.views.regions import REGION_ALL, scope


@pytest.fixture(scope="module")
def real(database):
    con = database.cursor()
    data = {"frame": scoring.country_frame(model_inputs.load_inputs(con), "type2_diabetes"),
            "regions": atlas.regions(con)}
    con.close()
    return data


def test_tier_properties_and_flags(real):
    frame, regions = real["frame"], real["regions"]
    in_scope = scope(REGION_ALL, regions)
    props, legend, counts = executive.tier_properties(
        pd.DataFrame({"iso3": ["RUS", "CHN", "USA"], "name": ["Russia", "China", "USA"]}),
        frame, in_scope)
    fills = dict(zip(props["iso3"], props["fill"], strict=True))
    assert fills["RUS"] == list(maps.TIER_COLORS["high"])
    assert fills["CHN"] == list(maps.CONTEXT_LAND)
    assert [e.label for e in legend] == ["low", "medium", "high", "no data"]
    assert sum(counts) == 2
    flags = executive.flags_that_matter(frame, in_scope, regions)
    assert set(flags["ISO3"][:2]) == {"RUS", "UKR"}  # war or sanctions first
    assert (flags["War or sanctions"] | (flags["Approval [days]"] >= 120)).all()
    top = executive.top_per_region(frame, scoring.Weights(), regions, 2)
    assert len(top) == 2 * 3 + 3 and top["Rank"].max() == 2


def test_tier_table_orders_high_first(real):
    frame, regions = real["frame"], real["regions"]
    table = executive.tier_table(frame, scope(REGION_ALL, regions), regions)
    assert len(table) == len(scope(REGION_ALL, regions))
    assert table["Risk tier"].iloc[0] == "high"
    assert table.set_index("ISO3").loc["FRA", "Region"] == "European Union"


def test_tier_rule_quotes_the_registered_cut_offs():
    rule = executive.tier_rule()
    assert f"low below {TIER_LOW_BELOW:g}" in rule and f"high from {TIER_HIGH_FROM:g}" in rule
