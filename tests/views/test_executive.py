"""Executive risk map: tier colours, the tier rule, top countries, flags and the tier table."""

from __future__ import annotations

import pandas as pd
import pytest

from footprint.assumptions import TIER_HIGH_FROM, TIER_LOW_BELOW
from footprint.data import atlas, model_inputs
from footprint.model import scoring
from footprint.views import executive, maps
from footprint.views.regions import scope


@pytest.fixture(scope="module")
def real(database):
    con = database.cursor()
    data = {"frame": scoring.country_frame(model_inputs.load_inputs(con), "type2_diabetes"),
            "regions": atlas.regions(con)}
    con.close()
    return data


def test_tier_properties_and_flags(real):
    frame, regions = real["frame"], real["regions"]
    in_scope = scope((), (), regions)
    props, legend, counts = executive.tier_properties(
        pd.DataFrame({"iso3": ["RUS", "CHN", "USA"], "name": ["Russia", "China", "USA"]}),
        frame, in_scope)
    fills = dict(zip(props["iso3"], props["fill"], strict=True))
    assert fills["RUS"] == list(maps.TIER_COLORS["high"])
    assert fills["CHN"] == list(maps.CONTEXT_LAND)
    assert [e.label for e in legend] == ["low", "medium", "high", "no data",
                                         executive.GATED_LEGEND]
    assert sum(counts[:4]) == 2 and counts[4] == 1  # Russia: high, and outlined as gated
    russia = props.set_index("iso3").loc["RUS"]
    assert russia["value_text"] == "Risk: high · gated: sanctions + war (as of 2026-02)"
    flags = executive.flags_that_matter(frame, in_scope, regions)
    gated = set(frame.index[frame["gated"]]) & set(in_scope)
    assert set(flags["ISO3"][:len(gated)]) == gated  # gated first, the embargo first of all
    assert flags["Gate"].iloc[0] == "embargo" and flags["Country"].iloc[0] == "Cuba (gated)"
    assert flags["Gate as of"].str.match(r"\d{4}-\d\d").all()
    rest = flags.iloc[len(gated):]
    assert (rest["Approval [days]"] >= 120).all()
    assert rest["Approval [days]"].is_monotonic_decreasing


def test_top_per_region_leaves_gated_out_or_badges_them(real):
    frame, regions = real["frame"], real["regions"]
    top = executive.top_per_region(frame, scoring.Weights(), regions, 2)
    assert len(top) == 2 * 3 + 3 and top["Rank"].max() == 2
    assert not top["ISO3"].isin(frame.index[frame["gated"]]).any()
    everyone = executive.top_per_region(frame, scoring.Weights(100, 0, 0), regions, 20,
                                        include_gated=True)
    russia = everyone.set_index("ISO3").loc["RUS"]
    assert russia["Country"] == "Russia (gated)" and russia["Flags"].startswith("sanctions + war")
    alone = scoring.score(frame, scoring.Weights(100, 0, 0), ["RUS"], include_gated=True)
    assert russia["Attractiveness [0-100]"] == alone["attractiveness"].iloc[0]


def test_tier_table_orders_high_first(real):
    frame, regions = real["frame"], real["regions"]
    table = executive.tier_table(frame, scope((), (), regions), regions)
    assert len(table) == len(scope((), (), regions))
    assert table["Risk tier"].iloc[0] == "high"
    assert table.set_index("ISO3").loc["FRA", "Region"] == "European Union"
    assert table.set_index("ISO3").loc["RUS", "Gate"] == "sanctions + war"


def test_tier_rule_quotes_the_registered_cut_offs():
    rule = executive.tier_rule()
    assert f"low below {TIER_LOW_BELOW:g}" in rule and f"high from {TIER_HIGH_FROM:g}" in rule
    assert "gated" in rule and "as of 2026-11" in rule
