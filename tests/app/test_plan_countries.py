"""AppTest: "Plan these countries" takes Explore's selection into the Scenario builder, with
the model's start-up and pool for each country at Explore's settings."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from footprint.assumptions import PLAN_START_SITES
from footprint.data import model_inputs
from footprint.data.database import open_database
from footprint.model import scoring

APP = "../../app.py"  # AppTest paths are relative to this file
GATED_LATAM = {"CUB", "HTI", "VEN"}  # embargo, sanctions or war (2026-11)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def explore(scope: list[str], **widgets) -> tuple[AppTest, list[str]]:
    """Explore with ``scope`` and the widget values given; its ranked countries."""
    at = run(AppTest.from_file(APP, default_timeout=60))
    at.multiselect(key="explore_scope").set_value(scope)
    for key, value in widgets.items():
        at.session_state[key] = value
    run(at)
    return at, list(table_with(at, "Rank")["ISO3"])


def plan(at: AppTest) -> AppTest:
    at.button(key="explore_plan").click()
    return run(at)


def planned(at: AppTest) -> dict[str, int]:
    (editor,) = at.data_editor
    return dict(zip(editor.value["iso3"], editor.value["sites"], strict=True))


def test_a_region_is_planned_with_the_models_start_up_and_pool_and_gated_ones_left_out():
    at, ranked = explore(["Latin America"], explore_indication="type2_diabetes",
                         explore_eligibility=20, explore_activation=60)
    assert GATED_LATAM.isdisjoint(ranked) and len(ranked) == 17
    plan(at)
    assert [t.value for t in at.title] == ["Scenario builder"]
    assert set(planned(at)) == set(ranked)  # the scenario's countries are the selection
    assert set(planned(at).values()) == {PLAN_START_SITES}
    assert at.selectbox(key="scenario_indication").value == "type2_diabetes"
    assert at.slider(key="scenario_eligibility").value == 20
    assert at.slider(key="scenario_activation").value == 60
    notice = "\n".join(i.value.replace("\\", "") for i in at.info)
    assert "Planned from Explore: 17 countries of Latin America" in notice
    assert "Left out as gated (embargo, sanctions or war): Cuba, Haiti, Venezuela" in notice
    con = open_database()
    try:
        frame = scoring.country_frame(model_inputs.load_inputs(con.cursor()), "type2_diabetes",
                                      0.20, 60.0)
    finally:
        con.close()
    resolved = table_with(at, "Start-up from").set_index("ISO3").loc[ranked]
    assert resolved["Start-up from"].str.startswith("model").all()
    assert resolved["Pool cap from"].str.startswith("model").all()
    pd.testing.assert_series_equal(
        resolved["Start-up [days]"].astype(float),
        frame.loc[ranked, "startup_days_mean"].astype(float), check_names=False, rtol=1e-9)
    pd.testing.assert_series_equal(
        resolved["Eligible pool cap [patients]"].astype(float),
        frame.loc[ranked, "eligible_patients"].astype(float), check_names=False, rtol=1e-9)


def test_a_custom_set_with_gated_countries_included_plans_them_all():
    at, ranked = explore(["BRA", "RUS", "JPN"], explore_include_gated=True)
    assert set(ranked) == {"BRA", "RUS", "JPN"}
    plan(at)
    assert set(planned(at)) == {"BRA", "RUS", "JPN"}
    notice = "\n".join(i.value.replace("\\", "") for i in at.info)
    assert "Planned from Explore: 3 countries" in notice and "Left out" not in notice


def test_only_gated_countries_offer_nothing_to_plan():
    at, _ = explore(["RUS", "CUB"])
    assert at.button(key="explore_plan").disabled


@pytest.mark.parametrize("include_gated", [False, True])
def test_the_builder_keeps_its_target_and_deadline(include_gated):
    at = run(AppTest.from_file(APP, default_timeout=60))
    at.switch_page("app_pages/scenario_builder.py")
    run(at)
    at.number_input(key="scenario_target").set_value(750)
    run(at)
    at.switch_page("app_pages/explore.py")
    run(at)
    at.multiselect(key="explore_scope").set_value(["VEN", "MEX"])
    at.session_state["explore_include_gated"] = include_gated
    run(at)
    plan(at)
    assert at.number_input(key="scenario_target").value == 750
    assert set(planned(at)) == ({"VEN", "MEX"} if include_gated else {"MEX"})
