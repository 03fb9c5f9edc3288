"""The sub-national drill-down: unit colours, cities, framing and the unit table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from footprint.data import atlas
from footprint.views import maps, subnational


@pytest.fixture(scope="module")
def units(database):
    con = database.cursor()
    frame = atlas.subnational_units(con, "JPN")
    con.close()
    return frame


def test_subnational_properties_zero_reach_is_not_missing(units):
    units = units.copy()
    units.loc[units.index[0], "urban_population"] = np.nan
    frame, legend, counts = subnational.subnational_properties(units)
    assert frame["fill"].iloc[0] != list(maps.NO_DATA) and counts[-1] == 0
    assert frame["value_text"].iloc[0] == "Reachable urban population: 0 people"
    with pytest.raises(ValueError, match="unknown sub-national metric"):
        subnational.subnational_properties(units, "geometry")


def test_subnational_table_ranks_by_reach(units):
    table = subnational.subnational_table(units)
    assert len(table) == len(units)
    assert table["Reachable urban population [people]"].is_monotonic_decreasing


def test_drill_frame_leaves_alaska_and_hawaii_out_of_the_frame():
    units = pd.DataFrame({"unit_code": ["US.AK", "US.HI", "US.TX"]})
    assert list(subnational.drill_frame(units, "USA")["unit_code"]) == ["US.TX"]
    assert len(subnational.drill_frame(units, "JPN")) == 3


def test_city_points_are_escaped_and_sorted():
    cities = pd.DataFrame({"name": ["Small", "Big & <Co>"], "population": [300_000, 9e6],
                           "latitude": [1.0, 2.0], "longitude": [3.0, 4.0]})
    out = subnational.city_points(cities)
    assert list(out["name"]) == ["Big &amp; &lt;Co&gt;", "Small"]
    assert out["value_text"].iloc[0] == "City population: 9.00M people"
