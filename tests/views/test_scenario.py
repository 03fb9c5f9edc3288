"""Scenario builder views: the table <-> scenario round trip, labels, display tables, site map."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from footprint import assumptions
from footprint.enrollment import forecast as fc
from footprint.enrollment import planning
from footprint.enrollment.scenario import FIELDS, CountryPlan, Scenario, resolve
from footprint.errors import ScenarioError
from footprint.store.workspace import Principal, VersionInfo
from footprint.views import scenario as view

VALID_ISO3 = {"BRA", "MEX", "ARG", "COL", "USA", "JPN", "FRA"}
INDICATIONS = {"hypertension", "type2_diabetes"}
STARTUP = {"BRA": (216.0, 64.8), "MEX": (132.0, 39.6), "ARG": (160.0, 48.0),
           "COL": (165.0, 11.7)}
BASIS = {"BRA": "approval (statutory clock) + site activation (assumption)",
         "MEX": "observed start-up"}
NAMES = {"BRA": "Brazil", "MEX": "Mexico", "ARG": "Argentina", "COL": "Colombia"}


def full_scenario() -> Scenario:
    """Every optional field used somewhere."""
    return Scenario(
        name="All fields", indication="hypertension", target_patients=300, seed=7,
        deadline_months=20.0,
        countries=(
            CountryPlan("BRA", 10, rate=0.5, rate_shape=1.5, startup_days=120.0,
                        startup_sd_days=30.0, never_activate_share=0.2,
                        cost_per_patient=9000.0, max_sites=25),
            CountryPlan("MEX", 4),
            CountryPlan("ARG", 0, max_sites=6),
        ),
    )


def header(**changes) -> view.Header:
    base = {"name": "Plan", "indication": "hypertension", "target_patients": 200,
            "deadline_months": None, "seed": 0}
    return view.Header(**{**base, **changes})


def table(*rows: dict) -> pd.DataFrame:
    frame = view.editor_frame(None)
    return pd.concat([frame, pd.DataFrame(list(rows))], ignore_index=True) if rows else frame


def problems_of(call) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        call()
    return exc.value.problems


# ---- the country table ---------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", [view.default_scenario(), full_scenario()],
                         ids=["example", "all-fields"])
def test_table_round_trip_gives_the_same_scenario(scenario):
    frame = view.editor_frame(scenario)
    assert list(frame.columns) == list(view.EDITOR_COLUMNS)
    assert str(frame["sites"].dtype) == "Int64" and frame["rate"].dtype == float
    back = view.scenario_from_editor(view.header_of(scenario), frame,
                                     valid_iso3=VALID_ISO3, valid_indications=INDICATIONS)
    assert back == scenario


def test_editor_columns_take_their_labels_and_help_from_the_schema():
    assert list(view.EDITOR_NUMBERS) == list(view.EDITOR_COLUMNS[1:])
    assert [c.label for c in view.EDITOR_NUMBERS.values()] == [
        "Sites", "Rate [pt/site/month]", "Rate shape α", "Rate CV [-]", "Start-up [days]",
        "Start-up sd [days]", "Never activate [0-1]", "Screen fail [0-1]", "Dropout [0-1]",
        "Cost / patient [currency]", "Start-up cost / site [currency]",
        "Cost / site / month [currency]", "Min sites", "Max sites"]
    # a default that is an assumption says so, and where published figures differ
    for name, entry in (("screen_fail_share", "DEFAULT_SCREEN_FAIL_SHARE"),
                        ("dropout_share", "DEFAULT_DROPOUT_SHARE"),
                        ("rate_cv", "DEFAULT_RATE_CV")):
        help_text = view.EDITOR_NUMBERS[name].help
        assert help_text.startswith(FIELDS[name].description)
        assert f"The default {assumptions.REGISTRY[entry].value:g} is an assumption" in help_text
    assert "PMID 28993132" in view.EDITOR_NUMBERS["screen_fail_share"].help
    rate = view.EDITOR_NUMBERS["rate"]
    assert rate.help == FIELDS["rate"].description and "0.6 (default" in rate.help
    assert view.EDITOR_NUMBERS["sites"].required is True
    assert view.EDITOR_NUMBERS["rate"].required is None
    assert view.EDITOR_NUMBERS["sites"].help is None
    assert view.EDITOR_NUMBERS["max_sites"].max_value == assumptions.MAX_SITES_PER_COUNTRY


def test_table_cells_as_the_editor_returns_them():
    # floats for integer columns, blank rows the user added, padded codes, NaN and None
    frame = pd.DataFrame({"iso3": ["BRA", None, " MEX "], "sites": [12.0, np.nan, 3.0],
                          "rate": [np.nan, None, 0.8], "max_sites": [20.0, np.nan, np.nan]})
    s = view.scenario_from_editor(header(deadline_months=18), frame, valid_iso3=VALID_ISO3)
    assert s.countries == (CountryPlan("BRA", 12, max_sites=20), CountryPlan("MEX", 3, rate=0.8))
    assert isinstance(s.countries[0].sites, int) and s.deadline_months == 18.0


def test_table_problems_name_the_row_country_and_column():
    frame = table({"iso3": "BRA", "sites": -1}, {"iso3": "XYZ", "sites": 2},
                  {"iso3": "BRA", "sites": 2.5}, {"iso3": None, "sites": 4},
                  {"iso3": "MEX", "sites": 9, "max_sites": 3})
    problems = problems_of(lambda: view.scenario_from_editor(
        header(name="  "), frame, valid_iso3=VALID_ISO3, valid_indications=INDICATIONS))
    text = "\n".join(problems)
    assert "Scenario name: must be a non-empty text" in text
    assert "row 1 (BRA), Sites: must be a non-negative integer" in text
    assert "row 2 (XYZ), Country: unknown country code 'XYZ'" in text
    assert "row 3 (BRA), Sites: must be a non-negative integer" in text and "2.5" in text
    assert "row 3 (BRA), Country: duplicate country 'BRA'" in text
    assert "row 4, Country: required field is missing" in text
    assert "row 5 (MEX), Max sites: must be >= sites (9), got 3" in text
    assert not any("countries[" in p for p in problems)  # no internal paths leak


def test_an_empty_table_asks_for_a_country():
    problems = problems_of(lambda: view.scenario_from_editor(header(), table()))
    assert problems == ["Countries: add at least one country row"]


def test_unknown_indication_is_refused():
    problems = problems_of(lambda: view.scenario_from_editor(
        header(indication="flu"), table({"iso3": "BRA", "sites": 1}),
        valid_indications=INDICATIONS))
    assert problems[0].startswith("Indication: unknown indication 'flu'")


# ---- where every value comes from ----------------------------------------------------------------

def test_resolved_table_labels_user_model_and_default_values():
    resolved = resolve(full_scenario(), STARTUP, {"BRA": 1e6, "MEX": 50.0})
    frame = view.resolved_table(resolved, NAMES, BASIS).set_index("ISO3")
    bra, mex, arg = frame.loc["BRA"], frame.loc["MEX"], frame.loc["ARG"]
    assert bra["Rate from"] == "user" and bra["Start-up from"] == "user"
    assert mex["Rate [patients/site/month]"] == assumptions.DEFAULT_RATE
    assert mex["Rate from"] == "default · PLOS ONE 2022"
    assert mex["Never-activate from"].startswith("default")
    assert mex["Shape from"].startswith("default")
    assert mex["Start-up [days]"] == 132.0 and mex["Start-up from"] == "model · observed start-up"
    assert arg["Start-up from"] == "model · regulatory start-up"  # no basis known
    assert mex["Pool cap from"] == "model · patient funnel"
    assert math.isnan(arg["Eligible pool cap [patients]"])
    assert arg["Pool cap from"].startswith("no estimate")
    assert mex["Cost from"] == "not given" and math.isnan(mex["Cost per patient"])


def test_every_default_is_labelled_as_a_default():
    s = Scenario("d", "hypertension", 100, (CountryPlan("FRA", 3),))
    row = view.resolved_table(resolve(s), {}).iloc[0]
    for column in ("Rate from", "Shape from", "Start-up from", "Sd from", "Never-activate from"):
        assert row[column].startswith("default · "), column
    assert row["Start-up [days]"] == pytest.approx(assumptions.DEFAULT_STARTUP_DAYS)
    assert "PLOS ONE 2022" in view.DEFAULTS_LEGEND and "assumption" in view.DEFAULTS_LEGEND


def test_a_fixed_start_up_says_so():
    assert view.source_label("startup_sd_days", "user", fixed_startup=True) == (
        "user · fixed start-up")
    assert view.source_label("pool_cap", "model", incident=True).startswith(
        "model · yearly pool x window")


# ---- forecast display ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def example_result():
    resolved = resolve(view.default_scenario(), STARTUP)
    return resolved, fc.forecast(resolved, n_sims=1000)


def test_metrics_show_p10_p50_p90_and_the_deadline(example_result):
    _, result = example_result
    metrics = view.forecast_metrics(result)
    labels = [m[0] for m in metrics]
    assert labels[:3] == ["P10 [months to target]", "P50 [months to target]",
                          "P90 [months to target]"]
    assert labels[3] == "P(target by 24 months)"
    assert metrics[1][1] == f"{result.p50:.1f}"
    assert metrics[3][1] == f"{result.prob_by_deadline:.0%}"
    assert len(metrics) == 4  # no cost given, no cost metric


def test_an_unreached_target_is_shown_against_the_horizon():
    assert view.months_text(math.inf, 56) == "> 56"
    assert view.months_text(12.345, 56) == "12.3"


def test_contributions_add_up_and_show_cost_only_when_given(example_result):
    resolved, result = example_result
    frame = view.contributions_table(result, resolved, NAMES)
    assert list(frame["ISO3"]) == ["BRA", "MEX", "ARG", "COL"]
    assert frame["Share [%]"].sum() == pytest.approx(100, abs=0.3)
    assert_allclose(frame["Expected patients at P50"],
                    [round(result.patients_at_p50[i], 1) for i in frame["ISO3"]])
    assert "Patient cost at P50" not in frame.columns

    costly = resolve(full_scenario(), STARTUP)
    with_cost = view.contributions_table(fc.forecast(costly, n_sims=300), costly, NAMES)
    assert with_cost.loc[0, "Cost per patient"] == 9000.0
    cost = with_cost["Patient cost at P50"]
    assert cost[0] > 0 and pd.isna(cost[1])


def test_comparison_table():
    a = resolve(view.default_scenario(), STARTUP)
    b = a.with_sites({"BRA": 30})
    b = type(a)(**{**{f: getattr(b, f) for f in a.__slots__}, "name": "More Brazil"})
    comparison = planning.compare([a, b], n_sims=500)
    frame = view.comparison_table(comparison)
    assert list(frame["Scenario"]) == [a.name, "More Brazil"]
    assert frame.loc[1, "P50 [months]"] < frame.loc[0, "P50 [months]"]
    assert frame.loc[0, "Sites"] == 38 and frame.loc[1, "Sites"] == 54


@pytest.mark.parametrize(("n", "ok"), [(1, True), (4, True), (5, False), (7, False)])
def test_more_than_four_scenarios_get_a_clear_message(n, ok):
    problem = view.compare_problem([f"s{i}" for i in range(n)])
    if ok:
        assert problem is None
    else:
        assert f"at most 4 scenarios side by side; {n} are selected" in problem
        assert f"Remove {n - 4}" in problem


# ---- optimiser tables ----------------------------------------------------------------------------

def test_proposal_meets_the_deadline_and_explains_each_site():
    resolved = resolve(view.default_scenario(), STARTUP)
    opt = planning.propose(resolved, planning.GOAL_DEADLINE, deadline_months=20.0, n_sims=500)
    steps = view.optimiser_steps(opt, NAMES)
    summary = view.optimiser_summary(opt, resolved, NAMES)
    assert len(steps) == len(opt.steps) > 0
    assert list(steps["Step"]) == list(range(1, len(steps) + 1))
    assert (steps["Gain [months]"] > 0).all()
    assert summary["Added"].sum() == len(steps)
    assert (summary["Proposed"] <= summary["Cap (max sites)"]).all()  # per-country caps held
    assert opt.proposal_p50 <= 20.0


def test_proposal_with_a_budget_from_zero_sites():
    resolved = resolve(view.default_scenario(), STARTUP)
    opt = planning.propose(resolved, planning.GOAL_BUDGET, max_total_sites=30, from_zero=True,
                           n_sims=300)
    assert opt.proposal.total_sites == 30
    summary = view.optimiser_summary(opt, planning.optimiser_base(resolved, True), NAMES)
    assert (summary["Sites now"] == 0).all() and summary["Added"].sum() == 30


def test_optimiser_notes_the_steps_before_the_target_is_reachable():
    s = Scenario("slow", "hypertension", 5000, (CountryPlan("BRA", 0, max_sites=400),))
    opt = planning.propose(resolve(s, STARTUP), planning.GOAL_BUDGET, max_total_sites=3,
                           n_sims=200)
    steps = view.optimiser_steps(opt, NAMES)
    assert steps["Gain [months]"].isna().all()
    assert steps["Note"].str.contains("not yet reachable").all()


# ---- site lists ----------------------------------------------------------------------------------

def located(*sites: dict) -> pd.DataFrame:
    """A frame shaped like footprint.site_lists.locate's output."""
    base = {"site_name": None, "country": None, "latitude": None, "longitude": None,
            "historic_rate": None, "located_country": None, "unit_code": None,
            "unit_name": None}
    frame = pd.DataFrame([{**base, **s} for s in sites])
    frame["iso3"] = frame["country"].fillna(frame["located_country"])
    frame["mismatch"] = (frame["country"].notna() & frame["located_country"].notna()
                         & (frame["country"] != frame["located_country"]))
    return frame


SITES = located(
    {"site_name": "A", "country": "BRA", "historic_rate": 0.4},
    {"site_name": "B", "country": "BRA", "historic_rate": 0.8},
    {"site_name": "C", "latitude": 19.4, "longitude": -99.1, "located_country": "MEX"},
    {"site_name": "D", "country": "FRA", "latitude": 35.7, "longitude": 139.7,
     "located_country": "JPN"},
    {"site_name": "E", "latitude": 0.0, "longitude": -30.0},  # at sea
    {"site_name": "F", "country": "BRA"},
)


def test_site_counts_per_country_most_first():
    counts = view.site_counts_table(SITES, NAMES)
    assert list(counts["ISO3"]) == ["BRA", "FRA", "MEX"]
    assert list(counts["Sites"]) == [3, 1, 1]
    assert counts.loc[0, "Mean historic rate"] == pytest.approx(0.6)
    assert counts.loc[0, "Country"] == "Brazil"


def test_site_list_issues_name_mismatches_and_sites_not_counted():
    issues = view.site_list_issues(SITES)
    assert issues == [
        "row 4 (D): given country FRA but the coordinates fall in JPN; counted in FRA",
        "row 5 (E): the coordinates fall in no mapped country (at sea or swapped "
        "latitude/longitude?); not counted",
    ]


def test_site_counts_replace_the_table_and_keep_overrides():
    current = view.editor_frame(view.default_scenario())  # BRA, MEX (rate 0.7), ARG, COL
    counts = view.site_counts_table(SITES, NAMES)
    rows, notes = view.rows_with_site_counts(current, counts)
    s = view.scenario_from_editor(header(), rows, valid_iso3=VALID_ISO3)
    plans = {p.iso3: p for p in s.countries}
    assert list(plans) == ["BRA", "MEX", "FRA"]  # the table's order, then new countries
    assert plans["BRA"].sites == 3 and plans["BRA"].max_sites == 30  # override kept
    assert plans["BRA"].rate is None  # an existing row keeps its own (empty) rate
    assert plans["MEX"] == CountryPlan("MEX", 1, rate=0.7, rate_shape=2.5, max_sites=25)
    assert plans["FRA"] == CountryPlan("FRA", 1)
    assert "ARG: not in the site list, removed" in notes
    assert "COL: not in the site list, removed" in notes


def test_new_countries_take_the_list_rate_and_caps_are_raised():
    current = table({"iso3": "MEX", "sites": 1, "max_sites": 1})
    counts = pd.DataFrame({"ISO3": ["BRA", "MEX"], "Country": ["Brazil", "Mexico"],
                           "Sites": [2, 5], "Mean historic rate": [0.6, np.nan]})
    rows, notes = view.rows_with_site_counts(current, counts)
    s = view.scenario_from_editor(header(), rows)
    assert s.countries == (CountryPlan("MEX", 5, max_sites=5), CountryPlan("BRA", 2, rate=0.6))
    assert notes == ["MEX: max sites raised from 1 to 5",
                     "BRA: rate 0.6 from the list's historic rates"]


def test_site_map_is_offline_and_only_when_there_are_coordinates():
    assert view.site_map(located({"site_name": "A", "country": "BRA"})) is None
    deck = view.site_map(SITES)
    spec = json.loads(deck.to_json())
    assert spec.get("mapProvider") in (None, "")
    layer = next(x for x in spec["layers"] if x["id"] == "sites")
    assert len(layer["data"]) == 3  # C, D and E have coordinates
    assert {"name": "C", "iso3": "MEX", "longitude": -99.1, "latitude": 19.4} in layer["data"]


# ---- text ----------------------------------------------------------------------------------------

def test_markdown_list_escapes_everything_a_file_could_inject():
    text = view.markdown_list(["name: <script>alert(1)</script> *bold* [x](http://e) $x$"])
    assert text.startswith("- ")
    for raw in ("<script>", "*bold*", "[x](", "$x$"):
        assert raw not in text


def test_safe_text_and_file_stem():
    assert view.safe_text("<script>alert(1)</script>") == "scriptalert(1)script"
    assert view.safe_text("x" * 80).endswith("…")
    assert view.file_stem("LatAm hypertension, phase III") == "latam-hypertension-phase-iii"
    assert view.file_stem("===") == "scenario"


@pytest.mark.parametrize(("lons", "lats"), [
    ([-46.6, -99.1, 139.7], [-23.5, 19.4, 35.7]),  # three continents
    ([-46.6, -43.2], [-23.5, -22.9]),  # two cities
    ([2.35], [48.86]),  # one site
])
def test_site_map_frames_every_site(lons, lats):
    sites = located(*[{"site_name": f"S{i}", "latitude": la, "longitude": lo}
                      for i, (lo, la) in enumerate(zip(lons, lats, strict=True))])
    width, height = 480, 320
    view_state = view.site_map(sites, width_px=width, height_px=height).initial_view_state
    scale = 512 * 2 ** view_state.zoom / 360  # px per degree of longitude

    def y(phi):
        return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(phi) / 2)))

    for lon, lat in zip(lons, lats, strict=True):
        assert abs((lon - view_state.longitude) * scale) <= width / 2
        assert abs((y(lat) - y(view_state.latitude)) * scale) <= height / 2
    assert view_state.zoom <= 7


# ---- the workspace store ----------------------------------------------------------------------

def version_info(**changes) -> VersionInfo:
    fields = {"id": "AAAAAAAAAAAAAAAA", "kind": "scenario", "version": 2, "latest": 3,
              "name": "Plan A", "format": "json", "author": "Alice", "note": "",
              "saved_at": datetime(2026, 5, 1, 14, 3, 59, tzinfo=UTC),
              "owner_id": "alice-sub", "owner_name": "Alice", "visibility": "team"}
    return VersionInfo(**{**fields, **changes})


@pytest.mark.parametrize("ref", ["AAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAA@12", "tab:a:b@c"])
def test_references_name_a_stored_version_or_a_tab_scenario(ref):
    target = view.parse_ref(ref)
    again = view.tab_ref(target) if isinstance(target, str) else view.store_ref(*target)
    assert again == ref
    assert view.parse_ref("tab:Plan @1") == "Plan @1"
    assert view.parse_ref("AAAAAAAAAAAAAAAA@12") == ("AAAAAAAAAAAAAAAA", 12)


def test_stored_versions_are_labelled_with_version_author_time_and_note():
    info = version_info(note="line one\nline two " + "x" * 80, visibility="private")
    assert view.stored_label(info) == "Plan A · v2 · Alice · 2026-05-01 14:03 UTC · private"
    label = view.version_label(info)
    assert label.startswith("v2 · Alice · 2026-05-01 14:03 UTC · line one line two x")
    assert label.endswith("…") and "\n" not in label
    table = view.stored_table([info, version_info(name="B", note="")])
    assert table.to_dict("records")[0] == {
        "Scenario": "Plan A", "Versions": 3, "Last saved by": "Alice",
        "Saved": "2026-05-01 14:03 UTC", "Note": "line one line two " + "x" * 80,
        "Seen by": "Alice only"}
    assert table.loc[1, "Seen by"] == "the team"
    assert list(view.stored_table([]).columns) == list(table.columns)


@pytest.mark.parametrize(("claims", "expected"), [
    ({"sub": "s1", "name": "Alice", "email": "a@x.org"}, Principal("s1", "Alice")),
    ({"sub": "s1", "email": "a@x.org"}, Principal("s1", "a@x.org")),
    ({"email": "a@x.org"}, Principal("a@x.org", "a@x.org")),
    ({"sub": "s1", "name": "Al\nice\t" + "y" * 300}, Principal("s1", "Al ice " + "y" * 192 + "…")),
    ({"is_logged_in": True}, None),
    ({"sub": "  "}, None),
])
def test_who_is_signed_in_comes_from_the_providers_claims(claims, expected):
    assert view.principal_of(claims) == expected
    if expected is not None:
        assert len(expected.name) <= assumptions.MAX_NAME_LENGTH


def test_markdown_text_shows_markup_as_typed():
    assert view.markdown_text("<b>x</b> **y** [l](u) :red[z] $m$ & 1.") == (
        r"\<b\>x\</b\> \*\*y\*\* \[l\]\(u\) \:red\[z\] \$m\$ \& 1\.")
