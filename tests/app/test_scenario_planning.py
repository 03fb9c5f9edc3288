"""AppTest: planning to a confidence on the Scenario builder (issue 12): the v2 columns and
the target kind, the funnel, costs, milestones, re-forecasts from actuals and the comparison
that reads (few simulations to stay fast)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from footprint.enrollment.scenario import Scenario
from footprint.views import scenario as view
from footprint.views.format import MISSING

EXAMPLE = view.default_scenario()
V2_COLUMNS = ("screen_fail_share", "dropout_share", "rate_cv", "min_sites",
              "site_startup_cost", "site_monthly_cost", "cost_per_patient")


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def load(at: AppTest, scenario: Scenario) -> AppTest:
    at.session_state["scenario_load"] = scenario
    return run(at)


def forecast(at: AppTest) -> dict[str, str]:
    at.button(key="scenario_run").click()
    run(at)
    return {m.label: m.value for m in at.metric}


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The shown table with ``column`` (tables without selections carry no key)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def chart_with(at: AppTest, column: str) -> pd.DataFrame:
    """The dataset with ``column`` of the first chart that has one."""
    for chart in at.get("vega_lite_chart"):
        for d in chart.proto.datasets:
            frame = pa.ipc.open_stream(d.data.data).read_all().to_pandas()
            if column in frame.columns:
                return frame
    raise AssertionError(f"no chart with a {column!r} column")


PLANNED = replace(
    EXAMPLE, name="Planned", target_kind="evaluable",
    countries=(replace(EXAMPLE.countries[0], screen_fail_share=0.3, dropout_share=0.1,
                       rate_cv=0.2, min_sites=4, site_startup_cost=25_000.0,
                       site_monthly_cost=1_500.0, cost_per_patient=9_000.0),
               *(replace(c, site_startup_cost=20_000.0, site_monthly_cost=1_200.0)
                 for c in EXAMPLE.countries[1:])))


def test_the_v2_columns_and_the_target_kind_round_trip(app):
    load(app, PLANNED)
    (editor,) = app.data_editor
    table = editor.value.set_index("iso3")
    for col in V2_COLUMNS:
        assert col in table.columns
    assert table.loc["BRA", "screen_fail_share"] == 0.3
    assert table.loc["BRA", "min_sites"] == 4
    assert pd.isna(table.loc["MEX", "cost_per_patient"])
    assert app.selectbox(key="scenario_target_kind").value == "evaluable"
    # what the page builds back from its widgets is the scenario loaded
    header = view.Header(app.text_input(key="scenario_name").value,
                         app.selectbox(key="scenario_indication").value,
                         app.number_input(key="scenario_target").value,
                         app.number_input(key="scenario_deadline").value,
                         app.number_input(key="scenario_seed").value,
                         app.selectbox(key="scenario_target_kind").value)
    assert view.scenario_from_editor(header, editor.value) == PLANNED
    used = table_with(app, "Screen fail from").set_index("ISO3")
    assert used.loc["BRA", "Screen fail from"] == "user"
    assert used.loc["MEX", "Screen fail from"] == "default · assumption, no published figure"
    assert used.loc["MEX", "Rate CV [-]"] == 0.0


def test_the_default_assumptions_are_said_and_the_rate_cv_effect_stated(app):
    text = "\n".join(m.value for m in app.markdown) + "\n".join(c.value for c in app.caption)
    assert "Screen failure 0%, dropout 0% and rate CV 0 where a country gives none: " \
           "assumptions" in text
    assert "Proposed rate CVs, from Gajewski, Simon & Carlson's accrual prior" in text
    assert "the P10-P90 of the time to target widens from" in text
    # the proposal is one click away, and then the table's own CVs are compared with 0
    app.button(key="scenario_use_rate_cv").click()
    run(app)
    cvs = app.data_editor[0].value.set_index("iso3")["rate_cv"]
    assert (cvs > 0).all()
    text = "\n".join(m.value for m in app.markdown)
    assert "with the rate CVs in the table" in text
    assert not [b for b in app.button if b.key == "scenario_use_rate_cv"]


def test_the_forecast_shows_the_funnel_the_cost_and_the_milestones(app):
    load(app, PLANNED)
    shown = forecast(app)
    assert shown["P(target by 24 months)"].endswith("%")
    # MEX, ARG, COL give no patient cost: the total says what it counts
    assert shown["Expected cost to P50 (start-up + site months only)"].replace(",", "").isdigit()
    funnel = table_with(app, "Completing").set_index("ISO3")
    bra = funnel.loc["BRA"]
    assert bra["Screened"] > bra["Randomised"] > bra["Completing"]
    costs = table_with(app, "Expected cost [currency]").set_index("Component")
    assert costs.loc["Randomised patients", "Expected cost [currency]"] == MISSING
    assert "missing for MEX, ARG, COL" in costs.loc["Randomised patients", "Note"]
    startup = 25_000 * 14 + 20_000 * 24  # every planned site pays its start-up
    assert costs.loc["Site start-up", "Expected cost [currency]"] == f"{startup:,}"
    milestones = table_with(app, "Milestone")
    assert list(milestones["Where"].unique())[:2] == ["Trial", "Brazil"]
    assert "First patient in" in set(milestones["Milestone"])
    gantt = chart_with(app, "p50_x")
    assert {"p10_x", "p50_x", "p90_x"} <= set(gantt.columns)
    assert app.get("download_button")  # the milestones CSV among the downloads
    assert any(b.proto.label == "Download milestones" for b in app.get("download_button"))
    for frame in app.dataframe:
        shown_text = frame.value.astype(str)
        assert not shown_text.isin(["nan", "None", "<NA>"]).any().any(), frame.value


# ---- re-forecast from actuals --------------------------------------------------------------------
ACTUALS = (view.EXAMPLE_PATH.parent / "actuals_latam_hypertension.csv").read_bytes()
AS_OF = dt.date(2026, 9, 1)


def upload_actuals(at: AppTest, data: bytes, name: str = "actuals.csv") -> AppTest:
    at.date_input(key="scenario_actuals_as_of").set_value(AS_OF)
    at.file_uploader(key="scenario_actuals_file").set_value((name, data, "text/csv"))
    return run(at)


def test_actuals_re_forecast_the_rest_and_draw_plan_against_actual(app):
    upload_actuals(app, ACTUALS)
    assert not app.error
    start = app.date_input(key="scenario_actuals_start").value
    assert start is not None and start < AS_OF  # proposed from the first opening
    app.button(key="scenario_reforecast").click()
    run(app)
    shown = {m.label: m.value for m in app.metric}
    assert shown["Patients so far"] == "81"  # the example file's randomised, summed
    assert shown["Still needed"] == f"{480 - 81}"
    p50 = dt.datetime.strptime(shown["P50 target date"], "%b %Y").date()  # "Mar 2028"
    assert p50 > AS_OF
    bands = chart_with(app, "series")
    assert set(bands["series"]) == {"Plan", "Re-forecast"}
    after = bands[bands["series"] == "Re-forecast"]
    assert (after["p50"] >= 81).all()  # the patients so far, then the rest
    actual = chart_with(app, "patients")
    assert actual["patients"].tolist() == [81]
    table = table_with(app, "Updated rate, open sites [pt/site/month]").set_index("ISO3")
    assert table.loc["BRA", "Sites open"] == "6 of 14"
    assert table.loc["BRA", "Randomised to date"] == 27


def test_a_bad_actuals_file_lists_every_problem_by_line_and_keeps_the_scenario(app):
    before = forecast(app)
    sites = dict(zip(app.data_editor[0].value["iso3"], app.data_editor[0].value["sites"],
                     strict=True))
    bad = (b"iso3,site_id,opened_on,randomised\n"
           b"BRA,B1,2026-13-01,3\n"      # malformed date
           b"MEX,M1,2027-01-05,2\n"      # after the as-of date
           b"XXX,X1,2026-03-01,1\n"      # unknown country
           b"ARG,A1,2026-03-01,-4\n"     # negative count
           b"COL,C1,,2\n")               # patients at a site not open
    upload_actuals(app, bad, "bad.csv")
    text = "\n".join(e.value for e in app.error).replace("\\", "")
    assert "bad.csv was not used" in text and "unchanged" in text
    for expected in ("line 2 (BRA/B1): opened_on '2026-13-01' is not a date",
                     "line 3 (MEX/M1): opened_on 2027-01-05 is after the as-of date",
                     "line 4 (XXX/X1): unknown country 'XXX'",
                     "line 5 (ARG/A1): randomised must be >= 0",
                     "line 6 (COL/C1): 2 patients randomised at a site with no opened_on"):
        assert expected in text, text
    assert not [b for b in app.button if b.key == "scenario_reforecast"]  # nothing to run
    after = dict(zip(app.data_editor[0].value["iso3"], app.data_editor[0].value["sites"],
                     strict=True))
    assert after == sites
    assert {m.label: m.value for m in app.metric} == before  # the forecast is still shown


# ---- the comparison ------------------------------------------------------------------------------
def save(at: AppTest) -> AppTest:
    at.button(key="scenario_save").click()
    return run(at)


def test_two_saved_scenarios_compare_as_bars_with_a_dash_for_a_missing_cost(app):
    costly = replace(EXAMPLE, name="With start-up costs", countries=tuple(
        replace(c, site_startup_cost=20_000.0) for c in EXAMPLE.countries))
    partly = replace(EXAMPLE, name="More Brazil, one cost", deadline_months=None, countries=(
        replace(EXAMPLE.countries[0], sites=30, site_startup_cost=25_000.0),
        *EXAMPLE.countries[1:]))
    for s in (costly, partly):
        load(app, s)
        save(app)
    assert len(app.multiselect(key="scenario_compare").value) == 2
    summary = table_with(app, "Expected cost to P50").set_index("Scenario")
    assert summary.loc["With start-up costs", "Expected cost to P50"] != MISSING
    assert summary.loc["More Brazil, one cost", "Expected cost to P50"] == MISSING
    assert summary.loc["More Brazil, one cost", "P(by deadline)"] == MISSING  # no deadline
    assert not summary.astype(str).isin(["nan", "None", "<NA>"]).any().any()
    bars = chart_with(app, "prob")
    assert list(bars["scenario"]) == ["With start-up costs", "More Brazil, one cost"]
    assert bars["text"].iloc[1] == "no deadline"
    times = chart_with(app, "p50_text")
    assert (times["p10"] <= times["p50"]).all() and (times["p50"] <= times["p90"]).all()
