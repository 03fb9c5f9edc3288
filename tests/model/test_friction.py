"""Regulatory friction: clock units, inheritance, assumptions, index, monotonicity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from footprint.model import friction
from tests.tiny import make_inputs, regulatory_row


@pytest.mark.parametrize(
    ("value", "unit", "days"),
    [(30, "calendar_days", 30), (90, "working_days", 126), (90, "business_days", 126),
     (40, "working_days", 56)],
)
def test_clock_in_calendar_days(value, unit, days):
    assert_allclose(friction.clock_calendar_days(value, unit), days)


def test_unknown_clock_unit_lists_the_allowed_ones():
    with pytest.raises(ValueError, match="business_days"):
        friction.clock_calendar_days(10, "fortnights")


def world():
    return make_inputs(
        values={"DDD": {}},
        regulatory={
            "Bloc": regulatory_row(clock_value=60, clock_unit="calendar_days"),
            "AAA": regulatory_row(approval_low_days=80, approval_high_days=120),
            "BBB": regulatory_row(clock_value=90, clock_unit="working_days",
                                  import_permit=True),
            "DDD": regulatory_row(startup_low_days=100, startup_high_days=300),
        },
        regions={"Bloc": ["AAA", "CCC"], "Other": ["BBB", "DDD"]},
    )


def test_startup_bases_inheritance_and_assumptions():
    s = friction.startup(world(), site_activation_days=90)
    # observed approval range -> midpoint; spread from the range read as P10-P90
    assert s.loc["AAA", "approval_basis"] == "observed"
    assert_allclose(s.loc["AAA", "approval_days"], 100)
    assert_allclose(s.loc["AAA", "startup_days_mean"], 190)
    assert_allclose(s.loc["AAA", "startup_days_sd"], 40 / friction.P10_P90_WIDTH_SD)
    # statutory clock in working days -> calendar days
    assert s.loc["BBB", "approval_basis"] == "statutory clock"
    assert_allclose(s.loc["BBB", "approval_days"], 126)
    assert_allclose(s.loc["BBB", "startup_days_sd"], 0.3 * 216)
    # CCC has no row: inherits the Bloc's clock cell by cell
    assert s.loc["CCC", "approval_basis"] == "statutory clock"
    assert_allclose(s.loc["CCC", "approval_days"], 60)
    # an observed total start-up overrides approval + activation
    assert_allclose(s.loc["DDD", "startup_days_mean"], 200)
    assert s.loc["DDD", "startup_basis"] == "observed start-up"
    assert not s["startup_assumed"].any()


def test_country_without_any_figure_takes_its_region_median_flagged_assumed():
    inputs = make_inputs(
        values={"EEE": {}},
        regulatory={"AAA": regulatory_row(clock_value=30, clock_unit="calendar_days"),
                    "BBB": regulatory_row(clock_value=90, clock_unit="calendar_days")},
        regions={"R": ["AAA", "BBB", "EEE"], "Far": ["CCC"]},
    )
    s = friction.startup(inputs)
    assert s.loc["EEE", "approval_basis"] == "assumed" and s.loc["EEE", "startup_assumed"]
    assert_allclose(s.loc["EEE", "approval_days"], 60)  # median of 30 and 90
    assert_allclose(s.loc["CCC", "approval_days"], friction.GLOBAL_APPROVAL_DAYS)
    assert s.loc["EEE", ["import_permit", "sequential_ethics"]].isna().all()  # unknown


def test_friction_index_known_values_and_unknown_flags():
    s = friction.startup(world())
    f = friction.friction_index(world(), s)
    # AAA: approval 100/180*100, no flags, WGI 0 -> 50 and 50
    expected = (0.4 * 100 / 180 * 100 + 0.2 * 0 + 0.2 * 50 + 0.2 * 50)
    assert_allclose(f.loc["AAA", "friction_index"], expected)
    assert f.loc["AAA", "friction_components_used"] == 4
    assert_allclose(f.loc["BBB", "friction_flags"], 100 / 5)  # one of five process flags
    inputs = make_inputs(values={"AAA": {"WGI.RL": np.nan}})
    f2 = friction.friction_index(inputs, friction.startup(inputs))
    assert f2.loc["AAA", "friction_components_used"] == 2  # flags unknown, RL missing
    assert np.isnan(f2.loc["AAA", "friction_flags"])


@settings(max_examples=50, deadline=None)
@given(clock=st.floats(0, 400), extra=st.floats(0, 400),
       unit=st.sampled_from(sorted(friction.CLOCK_UNITS)))
def test_a_longer_clock_never_lowers_friction(clock, extra, unit):
    def index(c):
        inputs = make_inputs(regulatory={"AAA": regulatory_row(clock_value=c, clock_unit=unit)})
        start = friction.startup(inputs)
        return (friction.friction_index(inputs, start).loc["AAA", "friction_index"],
                start.loc["AAA", "startup_days_mean"])
    f1, s1 = index(clock)
    f2, s2 = index(clock + extra)
    assert f2 >= f1 - 1e-9 and s2 >= s1 - 1e-9
    assert 0 <= f1 <= 100


def test_real_data_eu_members_share_the_ctr_clock(con):
    from footprint.data import model_inputs
    inputs = model_inputs.load_inputs(con)
    s = friction.startup(inputs)
    assert s.loc["DEU", "regulator"].startswith("National competent authority")
    assert_allclose(s.loc["CZE", "approval_days"], 84)  # its own observed figure
    assert_allclose(s.loc["IND", "clock_days"], 126)  # 90 working days
    assert s.loc["CHN", "startup_assumed"]
