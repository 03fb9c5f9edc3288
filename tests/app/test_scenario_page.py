"""AppTest: the Scenario builder page as an analyst uses it (few simulations to stay fast)."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from footprint.enrollment.scenario import CountryPlan, Scenario
from footprint.io.scenario_json import scenario_to_json
from footprint.store.workspace import TEAM_USER, Principal, VersionInfo, open_store
from footprint.views import scenario as view

APP = "../../app.py"  # AppTest paths are relative to this file
PAGE = "app_pages/scenario_builder.py"
SIMS = 2000
EXAMPLE = view.default_scenario()


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def load(at: AppTest, scenario: Scenario) -> AppTest:
    """Load a scenario the way the page's own loaders do (before the widgets are drawn)."""
    at.session_state["scenario_load"] = scenario
    return run(at)


def rows(at: AppTest) -> pd.DataFrame:
    """The country table as the editor shows it."""
    (editor,) = at.data_editor
    return editor.value


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column")


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def forecast(at: AppTest) -> dict[str, str]:
    at.button(key="scenario_run").click()
    run(at)
    return metrics(at)


def curve_rows(at: AppTest, index: int = 0) -> list[dict]:
    """The rows of the chart's dataset holding the median curve."""
    chart = at.get("vega_lite_chart")[index].proto
    frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.datasets]
    return next(f for f in frames if "p50" in f.columns).to_dict("records")


def sites_of(at: AppTest) -> dict[str, int]:
    frame = rows(at)
    return dict(zip(frame["iso3"], frame["sites"].astype(int), strict=True))


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="scenario_file").set_value((name, data, "application/octet-stream"))
    return run(at)


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error).replace("\\", "")


# ---- the page as it opens ------------------------------------------------------------------------

def test_page_opens_on_the_example_with_every_value_labelled(app):
    assert app.title[0].value == "Scenario builder"
    assert app.text_input(key="scenario_name").value == EXAMPLE.name
    assert app.selectbox(key="scenario_indication").value == "hypertension"
    assert app.number_input(key="scenario_target").value == 480
    assert app.number_input(key="scenario_deadline").value == 24.0
    assert app.slider(key="scenario_eligibility").value == 10  # default 10 %
    assert app.slider(key="scenario_activation").value == 90  # default 90 days
    assert sites_of(app) == {"BRA": 14, "MEX": 10, "ARG": 8, "COL": 6}
    resolved = table_with(app, "Rate from").set_index("ISO3")
    assert resolved.loc["BRA", "Rate from"] == "default · PLOS ONE 2022"
    assert resolved.loc["MEX", "Rate from"] == "user"
    assert resolved.loc["BRA", "Start-up from"].startswith("model · ")
    assert resolved.loc["ARG", "Start-up from"] == "user"
    assert not app.metric  # nothing is forecast before it is asked for
    assert not app.error and not app.warning


def test_the_assumptions_change_the_model_inputs(app):
    before = table_with(app, "Rate from").set_index("ISO3")
    app.slider(key="scenario_activation").set_value(200)
    run(app)
    after = table_with(app, "Rate from").set_index("ISO3")
    # BRA's start-up comes from approval + activation: 110 more days
    assert after.loc["BRA", "Start-up [days]"] == pytest.approx(
        before.loc["BRA", "Start-up [days]"] + 110)
    assert after.loc["ARG", "Start-up [days]"] == 150.0  # the user's value does not move
    app.button(key="scenario_reset_assumptions").click()
    run(app)
    assert app.slider(key="scenario_activation").value == 90


# ---- forecast ------------------------------------------------------------------------------------

def test_running_the_forecast_shows_p10_p50_p90_and_a_curve(app):
    shown = forecast(app)
    p10, p50, p90 = (float(shown[f"P{q} [months to target]"]) for q in (10, 50, 90))
    assert 0 < p10 < p50 < p90 < 60
    assert shown["P(target by 24 months)"].endswith("%")
    curve = curve_rows(app)
    assert curve[0]["month"] == 0 and curve[0]["p50"] == 0
    assert all(r["p10"] <= r["p50"] <= r["p90"] for r in curve)
    assert curve[-1]["p50"] > 480  # the curve runs past the target
    (contributions,) = app.table
    assert list(contributions.value["ISO3"]) == ["BRA", "MEX", "ARG", "COL"]
    assert "Monte Carlo, 2,000 simulated trials, seed 2024" in "\n".join(
        c.value for c in app.caption)


def test_changing_sites_changes_the_forecast(app):
    before = float(forecast(app)["P50 [months to target]"])
    more = replace(EXAMPLE, countries=tuple(replace(c, sites=c.sites * 2)
                                            for c in EXAMPLE.countries))
    load(app, more)
    assert sites_of(app) == {"BRA": 28, "MEX": 20, "ARG": 16, "COL": 12}
    assert not app.metric  # the old forecast is not shown against the new plan
    assert any("changed since the last forecast" in i.value for i in app.info)
    after = float(forecast(app)["P50 [months to target]"])
    assert after < before - 3


def test_live_mode_follows_the_scenario(app):
    app.toggle(key="scenario_live").set_value(True)
    run(app)
    first = metrics(app)["P50 [months to target]"]
    load(app, replace(EXAMPLE, target_patients=240))
    assert float(metrics(app)["P50 [months to target]"]) < float(first)


def test_pool_caps_warn():
    at = AppTest.from_file(APP, default_timeout=60)
    run(at)
    at.switch_page(PAGE)
    at.session_state["scenario_sims"] = SIMS
    at.session_state["scenario_eligibility"] = 1  # Iceland's eligible pool: ~500 patients
    small = Scenario("Tiny pool", "hypertension", 1200,
                     (CountryPlan("ISL", 40), CountryPlan("BRA", 20)), deadline_months=36.0)
    at.session_state["scenario_load"] = small
    run(at)
    forecast(at)
    assert any("eligible pool exhausted before the target" in w.value and "ISL" in w.value
               for w in at.warning), [w.value for w in at.warning]
    binds = at.table[0].value.set_index("ISO3")["Pool cap binds"]
    assert binds.to_dict() == {"ISL": "yes", "BRA": "no"}


# ---- uploads -------------------------------------------------------------------------------------

def test_uploading_a_scenario_json_restores_it(app):
    load(app, Scenario("Other", "type2_diabetes", 100, (CountryPlan("USA", 3),), seed=1))
    assert sites_of(app) == {"USA": 3}
    upload(app, "scenario_latam_hypertension.json", view.EXAMPLE_PATH.read_bytes())
    assert app.text_input(key="scenario_name").value == EXAMPLE.name
    assert app.selectbox(key="scenario_indication").value == "hypertension"
    assert app.number_input(key="scenario_seed").value == 2024
    assert sites_of(app) == {"BRA": 14, "MEX": 10, "ARG": 8, "COL": 6}
    assert rows(app).set_index("iso3").loc["MEX", "rate"] == 0.7
    assert any("Restored 'LatAm hypertension, phase III'" in s.value for s in app.success)


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("plan.xlsx", b"PK\x03\x04" + b"\x00" * 40, "Excel workbook"),
    ("bad.json", json.dumps({**json.loads(view.EXAMPLE_PATH.read_text()),
                             "schema_version": 9,
                             "countries": [{"iso3": "XXX", "sites": -2}]}).encode(),
     "version 9 is newer"),
    ("bad.json", json.dumps({**json.loads(view.EXAMPLE_PATH.read_text()),
                             "countries": [{"iso3": "XXX", "sites": -2}]}).encode(),
     "unknown country code 'XXX'"),
], ids=["excel", "future-version", "unknown-country-negative-sites"])
def test_a_bad_upload_leaves_the_scenario_as_it_was(app, name, data, expected):
    mine = Scenario("Mine", "hypertension", 300, (CountryPlan("FRA", 5, rate=0.9),),
                    deadline_months=30.0)
    load(app, mine)
    before = forecast(app)
    upload(app, name, data)
    text = errors(app)
    assert f"{name} was not loaded" in text and "unchanged" in text
    assert expected in text
    if "XXX" in expected:  # every problem is listed, not just the first
        assert "sites" in text and "-2" in text
    assert app.text_input(key="scenario_name").value == "Mine"
    assert rows(app).to_dict("records")[0]["iso3"] == "FRA"
    assert sites_of(app) == {"FRA": 5}
    assert metrics(app) == before  # the forecast still belongs to the scenario


def test_site_list_upload_sets_the_counts_after_a_click(app):
    data = (b"site_name,country,latitude,longitude\n"
            b"Sao Paulo,BRA,,\nRio,BRA,,\nMexico City,,19.43,-99.13\nLima,PER,,\n"
            b"Paris?,FRA,35.68,139.69\n")
    app.file_uploader(key="scenario_site_file").set_value(("sites.csv", data, "text/csv"))
    run(app)
    counts = table_with(app, "Mean historic rate")
    assert dict(zip(counts["ISO3"], counts["Sites"], strict=True)) == {
        "BRA": 2, "FRA": 1, "MEX": 1, "PER": 1}
    assert any("FRA but the coordinates fall in JPN" in w.value.replace("\\", "")
               for w in app.warning)
    assert sites_of(app) == {"BRA": 14, "MEX": 10, "ARG": 8, "COL": 6}  # not yet applied
    app.button(key="scenario_use_sites").click()
    run(app)
    assert list(sites_of(app).items()) == [("BRA", 2), ("MEX", 1), ("FRA", 1), ("PER", 1)]
    assert rows(app).set_index("iso3").loc["MEX", "rate"] == 0.7  # MEX keeps its override


def test_a_bad_site_list_lists_every_problem(app):
    data = b"site_name,country\nA,XXX\n,BRA\n"
    app.file_uploader(key="scenario_site_file").set_value(("sites.csv", data, "text/csv"))
    run(app)
    text = errors(app)
    assert "row 1, country: 'XXX' is not a country we know" in text and "row 2, site_name" in text
    assert sites_of(app) == {"BRA": 14, "MEX": 10, "ARG": 8, "COL": 6}


# ---- optimiser -----------------------------------------------------------------------------------

def test_the_optimiser_proposal_explains_itself_and_can_be_used(app):
    app.number_input(key="scenario_deadline").set_value(20.0)
    run(app)
    app.button(key="scenario_opt_run").click()
    run(app)
    steps = table_with(app, "Gain [months]")
    summary = table_with(app, "Proposed").set_index("ISO3")
    assert len(steps) == summary["Added"].sum() > 0
    assert (summary["Proposed"] <= summary["Cap (max sites)"]).all()
    app.button(key="scenario_opt_use").click()
    run(app)
    assert sites_of(app) == summary["Proposed"].to_dict()
    assert not app.info  # the used proposal is not reported as out of date
    shown = forecast(app)
    assert float(shown["P50 [months to target]"]) <= 21  # close to the 20-month goal


def test_the_optimiser_says_when_no_site_is_needed(app):
    app.number_input(key="scenario_deadline").set_value(40.0)
    run(app)
    app.button(key="scenario_opt_run").click()
    run(app)
    assert any("No site to add" in s.value for s in app.success)
    assert not any("Gain [months]" in f.value.columns for f in app.dataframe)


# ---- saved scenarios, compare, link --------------------------------------------------------------

def save(at: AppTest, note: str = "") -> AppTest:
    at.text_input(key="scenario_note").set_value(note)
    at.button(key="scenario_save").click()
    return run(at)


def stored(url: str, user: Principal = TEAM_USER) -> dict[str, VersionInfo]:
    """The latest version of each scenario in the store at ``url`` open to ``user``, by name."""
    store = open_store(url)
    try:
        return {i.name: i for i in store.list(user=user)}
    finally:
        store.close()


def opened(**params: str) -> AppTest:
    """A new session (another browser) opening the Scenario builder at a link."""
    at = AppTest.from_file(APP, default_timeout=60)
    run(at)
    at.switch_page(PAGE)
    at.query_params.update(params)
    return run(at)


def warnings(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning).replace("\\", "")


def test_saving_two_scenarios_and_comparing_shows_both(app, workspace_url):
    save(app)
    first = stored(workspace_url)[EXAMPLE.name]
    assert (first.version, first.author, first.visibility) == (1, "team", "team")
    assert app.query_params == {"scenario": first.id, "version": "1"}
    load(app, replace(EXAMPLE, name="More Brazil",
                      countries=(replace(EXAMPLE.countries[0], sites=30),
                                 *EXAMPLE.countries[1:])))
    save(app)
    second = stored(workspace_url)["More Brazil"]
    assert app.multiselect(key="scenario_compare").value == [first.id, second.id]
    summary = table_with(app, "P50 [months]")
    assert list(summary["Scenario"]) == [EXAMPLE.name, "More Brazil"]
    assert list(summary["Sites"]) == [38, 54]
    assert summary.loc[1, "P50 [months]"] < summary.loc[0, "P50 [months]"]
    curves = curve_rows(app)
    assert {r["scenario"] for r in curves} == {EXAMPLE.name, "More Brazil"}
    listed = table_with(app, "Last saved by")
    assert list(listed["Scenario"]) == ["More Brazil", EXAMPLE.name]  # newest first
    # opening a saved scenario brings it back into the builder and into the link
    app.selectbox(key="scenario_open").set_value(first.id)
    run(app)
    assert sites_of(app)["BRA"] == 14
    assert app.query_params == {"scenario": first.id, "version": "1"}


def test_a_name_typed_just_before_saving_is_the_saved_name(app, workspace_url):
    app.text_input(key="scenario_name").set_value("Typed then saved")
    app.button(key="scenario_save").click()  # both reach the page in the same run
    run(app)
    (only,) = stored(workspace_url).values()
    assert only.name == "Typed then saved"
    assert app.query_params["scenario"] == only.id
    assert app.selectbox(key="scenario_open").options[0].startswith("Typed then saved · v1")


def test_saving_again_adds_a_version_with_its_note_and_old_versions_reopen(app, workspace_url):
    save(app, note="first cut")
    app.number_input(key="scenario_target").set_value(600)
    run(app)
    save(app, note="more patients")
    latest = stored(workspace_url)[EXAMPLE.name]
    assert (latest.version, latest.note) == (2, "more patients")
    assert app.query_params == {"scenario": latest.id, "version": "2"}
    assert app.text_input(key="scenario_note").value == ""  # a note belongs to one version
    versions = app.selectbox(key="scenario_version")
    assert versions.value == 2
    assert versions.options[0].startswith("v2 · team · ") and "more patients" in versions.options[0]
    assert versions.options[1].endswith("first cut")
    versions.set_value(1)
    run(app)
    assert app.number_input(key="scenario_target").value == 480
    assert app.query_params == {"scenario": latest.id, "version": "1"}
    # the older version is offered for comparing beside the latest
    app.multiselect(key="scenario_compare").set_value([latest.id, f"{latest.id}@1"])
    run(app)
    summary = table_with(app, "P50 [months]")
    assert list(summary["Scenario"]) == [EXAMPLE.name, f"{EXAMPLE.name} · v1"]
    assert list(summary["Target patients"]) == [600, 480]


def test_more_than_four_scenarios_get_a_clear_message(app, workspace_url):
    for i in range(5):
        load(app, replace(EXAMPLE, name=f"Plan {i}"))
        save(app)
    assert len(app.multiselect(key="scenario_compare").value) == 4  # saving stops adding at 4
    app.multiselect(key="scenario_compare").select(stored(workspace_url)["Plan 4"].id)
    run(app)
    assert "at most 4 scenarios side by side; 5 are selected" in errors(app)
    assert not any("P50 [months]" in f.value.columns for f in app.dataframe)


def test_a_link_opens_the_stored_scenario_in_another_session(workspace_url):
    store = open_store(workspace_url)
    mine = Scenario("Linked plan", "type2_diabetes", 150, (CountryPlan("JPN", 4),),
                    deadline_months=30.0)
    first = store.save_scenario(scenario_to_json(mine), user=TEAM_USER)
    store.save_scenario(scenario_to_json(replace(mine, target_patients=300)), user=TEAM_USER,
                        scenario_id=first.id, note="bigger")
    store.close()
    at = opened(scenario=first.id)  # the latest version
    assert at.text_input(key="scenario_name").value == "Linked plan"
    assert at.number_input(key="scenario_target").value == 300
    assert sites_of(at) == {"JPN": 4}
    assert not at.warning
    assert at.selectbox(key="scenario_open").value == first.id
    assert at.selectbox(key="scenario_version").value == 2
    pinned = opened(scenario=first.id, version="1")
    assert pinned.number_input(key="scenario_target").value == 150
    assert pinned.query_params == {"scenario": first.id, "version": "1"}


@pytest.mark.parametrize(("params", "expected"), [
    ({"scenario": "AAAAAAAAAAAAAAAA"}, "not found or is not shared with you"),
    ({"scenario": "AAAAAAAAAAAAAAAA", "version": "3"}, "not found or is not shared with you"),
    ({"scenario": "<b>Nope</b>"}, "'bNopeb', which is neither in the workspace store"),
], ids=["unknown-id", "unknown-id-and-version", "a-name-not-in-this-tab"])
def test_a_link_that_opens_nothing_says_so_and_keeps_the_page(app, params, expected):
    load(app, Scenario("Mine", "hypertension", 300, (CountryPlan("FRA", 5),)))
    app.query_params.update(params)
    run(app)
    text = warnings(app)
    assert expected in text and "The scenario on the page is unchanged" in text, text
    assert "<b>" not in text
    assert app.text_input(key="scenario_name").value == "Mine"
    assert sites_of(app) == {"FRA": 5}
    assert "scenario" not in app.query_params


def test_the_scenario_survives_a_visit_to_another_page(app, workspace_url):
    load(app, Scenario("Kept", "type2_diabetes", 150, (CountryPlan("JPN", 4),),
                       deadline_months=30.0))
    app.slider(key="scenario_activation").set_value(120)
    run(app)
    save(app)
    kept = stored(workspace_url)["Kept"]
    app.switch_page("app_pages/methods.py")
    run(app)
    app.switch_page(PAGE)
    run(app)
    assert app.text_input(key="scenario_name").value == "Kept"
    assert app.number_input(key="scenario_deadline").value == 30.0
    assert app.slider(key="scenario_activation").value == 120
    assert sites_of(app) == {"JPN": 4}
    assert app.multiselect(key="scenario_compare").value == [kept.id]
    assert table_with(app, "P50 [months]")["Scenario"].tolist() == ["Kept"]
    assert app.query_params == {"scenario": kept.id, "version": "1"}  # the link is back
