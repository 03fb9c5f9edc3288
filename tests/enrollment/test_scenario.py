"""Scenario dataclasses, validation, defaults, JSON and CSV round trips, CSV injection."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footprint.enrollment import scenario as sc
from footprint.enrollment.scenario import (
    CountryPlan,
    Scenario,
    ScenarioError,
    csv_cell,
    neutralise_cell,
    resolve,
    scenario_from_csv,
    scenario_from_dict,
    scenario_from_json,
    scenario_to_csv,
    scenario_to_dict,
    scenario_to_json,
    scenarios_from_csv,
    scenarios_to_csv,
    unneutralise_cell,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "scenario_latam_hypertension.json"
NASTY_NAMES = [
    "=cmd|' /C calc'!A0",
    "=SUM(A1)",
    "+1",
    "-x",
    "@a",
    "\tz",
    "\r\nCR first",
    "'already quoted",
    "''=double",
    "'=x",
    'quote " inside, and comma',
    "multi\nline",
    "-1",
    "1e5",
    "Ünïcødé ✓ 東京",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def small(**changes) -> Scenario:
    base = Scenario(
        name="Base",
        indication="hypertension",
        target_patients=120,
        countries=(CountryPlan("BRA", 5), CountryPlan("MEX", 3, rate=0.8)),
    )
    return Scenario(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})


def good_dict(**changes) -> dict:
    data = {
        "schema_version": 1,
        "name": "LatAm",
        "indication": "hypertension",
        "target_patients": 200,
        "countries": [{"iso3": "BRA", "sites": 4}, {"iso3": "MEX", "sites": 2, "rate": 0.5}],
    }
    data.update(changes)
    return data


def problems_of(data, **kwargs) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, **kwargs)
    return info.value.problems


# --- Strategies --------------------------------------------------------------------------------
finite = {"allow_nan": False, "allow_infinity": False}
names = st.one_of(st.sampled_from(NASTY_NAMES), st.text(min_size=1, max_size=40))


@st.composite
def countries(draw):
    codes = draw(
        st.lists(st.from_regex(r"[A-Z]{3}", fullmatch=True), min_size=1, max_size=5, unique=True)
    )
    out = []
    for code in codes:
        sites = draw(st.integers(0, 50))
        opt = st.none()
        out.append(
            CountryPlan(
                iso3=code,
                sites=sites,
                rate=draw(opt | st.floats(min_value=1e-6, max_value=1e3, **finite)),
                rate_shape=draw(opt | st.floats(min_value=1e-3, max_value=50, **finite)),
                startup_days=draw(opt | st.floats(min_value=0, max_value=3650, **finite)),
                startup_sd_days=draw(opt | st.floats(min_value=0, max_value=1000, **finite)),
                never_activate_share=draw(
                    opt | st.floats(min_value=0, max_value=1, exclude_max=True, **finite)
                ),
                cost_per_patient=draw(opt | st.floats(min_value=0, max_value=1e7, **finite)),
                max_sites=draw(opt | st.integers(sites, sc.MAX_SITES_PER_COUNTRY)),
            )
        )
    return tuple(out)


scenarios = st.builds(
    Scenario,
    name=names,
    indication=st.one_of(st.sampled_from(["hypertension", "=HYPERLINK(x)"]), names),
    target_patients=st.integers(1, sc.MAX_TARGET_PATIENTS),
    countries=countries(),
    seed=st.integers(0, sc.MAX_SEED),
    deadline_months=st.none() | st.floats(min_value=0.01, max_value=600, **finite),
)


# --- Round trips -------------------------------------------------------------------------------
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_json_round_trip_is_exact(s):
    assert scenario_from_json(scenario_to_json(s)) == s


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_csv_round_trip_is_exact(s):
    assert scenario_from_csv(scenario_to_csv(s)) == s


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(scenarios, min_size=1, max_size=4))
def test_several_scenarios_round_trip_in_one_csv(many):
    assert scenarios_from_csv(scenarios_to_csv(many)) == many


@settings(max_examples=200)
@given(st.text())
def test_neutralise_is_reversible_and_never_leaves_a_trigger(text):
    cell = neutralise_cell(text)
    assert unneutralise_cell(cell) == text
    assert not cell.startswith(TRIGGERS)


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_nasty_names_round_trip(name):
    s = small(name=name, indication=name)
    assert scenario_from_csv(scenario_to_csv(s)) == s
    assert scenario_from_json(scenario_to_json(s)) == s


def test_example_file_is_valid_and_round_trips():
    text = EXAMPLE.read_text(encoding="utf-8")
    s = scenario_from_json(
        text, valid_iso3={"BRA", "MEX", "ARG", "COL"}, valid_indications={"hypertension"}
    )
    assert [c.iso3 for c in s.countries] == ["BRA", "MEX", "ARG", "COL"]
    assert s.indication == "hypertension"
    assert scenario_from_json(scenario_to_json(s)) == s
    assert json.loads(scenario_to_json(s)) == json.loads(text)


# --- CSV injection and spreadsheet-friendliness ----------------------------------------------
def test_injected_formulas_are_neutralised_and_numbers_stay_numeric():
    s = small(
        name="=cmd|' /C calc'!A0",
        indication="@SUM(1+1)",
        countries=(CountryPlan("BRA", 5, startup_days=12.5, cost_per_patient=1000.0),),
    )
    text = scenario_to_csv(s)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(TRIGGERS), cell
    assert rows[1][rows[0].index("name")] == "'=cmd|' /C calc'!A0"
    frame = pd.read_csv(io.BytesIO(text.encode("utf-8")))
    assert frame.columns[0] == "scenario_no"  # the BOM is not glued to the first header
    assert frame.loc[0, "name"] == "'=cmd|' /C calc'!A0"
    for col in ("target_patients", "seed", "sites", "startup_days", "cost_per_patient"):
        assert pd.api.types.is_numeric_dtype(frame[col]), col
    assert frame.loc[0, "startup_days"] == 12.5


def test_cells_text_neutralised_numbers_plain():
    assert csv_cell("-x") == "'-x"
    assert csv_cell("+1") == "'+1"
    assert csv_cell(-3) == "-3"
    assert csv_cell(-2.5) == "-2.5"
    assert csv_cell(None) == ""
    assert csv_cell(float("inf")) == "inf"
    assert float(csv_cell(0.1 + 0.2)) == 0.1 + 0.2  # exact


def test_csv_with_results_adds_outputs_and_still_imports():
    from footprint.enrollment.forecast import forecast_closed_form

    s = small(countries=(CountryPlan("BRA", 5, cost_per_patient=100.0), CountryPlan("MEX", 3)))
    result = forecast_closed_form(resolve(s))
    text = scenario_to_csv(s, result)
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns[-4:]) == list(sc.CSV_OUTPUT_COLUMNS)
    assert frame["expected_patients_at_p50"].dtype.kind == "f"
    assert frame.loc[0, "cost_at_p50"] == pytest.approx(
        round(result.patients_at_p50["BRA"] * 100.0, 2)
    )
    assert pd.isna(frame.loc[1, "cost_at_p50"])
    assert scenario_from_csv(text) == s
    both = scenarios_to_csv([s, small(name="other")], [result, None])
    assert scenarios_from_csv(both) == [s, small(name="other")]


def test_csv_import_reports_lines_and_unknown_columns():
    text = scenario_to_csv(small())
    bad = text.replace("MEX,3,0.8", "MEX,-3,abc")
    problems = _csv_problems(bad)
    assert any("line 3, countries[1].sites: must be a non-negative integer" in p for p in problems)
    assert any("line 3, countries[1].rate: must be a positive finite number" in p for p in problems)
    renamed = text.replace("rate_shape", "rate_shap")
    assert any("did you mean 'rate_shape'" in p for p in _csv_problems(renamed))
    lines = text.split("\r\n")
    lines[2] = lines[2].replace("Base", "Changed")
    assert any("differs from line 2" in p for p in _csv_problems("\r\n".join(lines)))
    with pytest.raises(ScenarioError, match="expected one scenario"):
        scenario_from_csv(scenarios_to_csv([small(), small()]))


def _csv_problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenarios_from_csv(text)
    return info.value.problems


# --- Validation --------------------------------------------------------------------------------
def test_validation_lists_every_problem_with_its_path():
    data = good_dict(
        name="",
        target_patients=0,
        seed=1.5,
        deadline_months=float("inf"),
        countries=[
            {"iso3": "BRA", "sites": 4, "rate": float("nan"), "sitez": 3},
            {"iso3": "bra", "sites": 3.0, "never_activate_share": 1.0},
            {"iso3": "MEX", "sites": -1, "startup_days": -2, "cost_per_patient": "10"},
            {"iso3": "BRA", "sites": True, "max_sites": 1},
            {"iso3": "COL", "sites": 5, "max_sites": 2},
            7,
        ],
    )
    problems = problems_of(data)
    expected = [
        "name: must be a non-empty text",
        "target_patients: must be a positive integer",
        "seed: must be a non-negative integer",
        "deadline_months: must be a positive finite number",
        "countries[0].rate: must be a positive finite number",
        "countries[0].sitez: unknown field; did you mean 'sites'?",
        "countries[1].iso3: must be a 3-letter upper-case",
        "countries[1].sites: must be a non-negative integer (at most 2000); got 3.0",
        "countries[1].never_activate_share: must be a finite number with 0 <= x < 1",
        "countries[2].sites: must be a non-negative integer (at most 2000); got -1",
        "countries[2].startup_days: must be a non-negative finite number",
        "countries[2].cost_per_patient: must be a non-negative finite number",
        "countries[3].iso3: duplicate country 'BRA' (already countries[0])",
        "countries[3].sites: must be a non-negative integer (at most 2000); got True",
        "countries[4].max_sites: must be >= sites (5)",
        "countries[5]: must be an object",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    assert len(problems) == len(expected)


def test_unknown_codes_and_indication_are_rejected():
    problems = problems_of(
        good_dict(indication="flu"), valid_iso3={"BRA"}, valid_indications={"hypertension"}
    )
    assert problems[0].startswith("indication: unknown indication 'flu' (known: hypertension)")
    assert problems[1] == "countries[1].iso3: unknown country code 'MEX'"
    assert len(problems) == 2


def test_future_schema_version_gets_one_clear_error():
    problems = problems_of(good_dict(schema_version=2, new_field=1))
    assert len(problems) == 1
    assert problems[0].startswith("schema_version: version 2 is newer than this app reads (1)")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (good_dict(extra=1), "extra: unknown field"),
        (good_dict(schema_version=0), "schema_version: must be the integer 1"),
        (good_dict(schema_version="1"), "schema_version: must be the integer 1"),
        (
            {k: v for k, v in good_dict().items() if k != "schema_version"},
            "schema_version: required",
        ),
        (good_dict(countries=[]), "countries: must be a non-empty list"),
        (good_dict(countries="BRA"), "countries: must be a non-empty list"),
        (good_dict(countries=[{"iso3": "BRA"}]), "countries[0].sites: required field is missing"),
        (good_dict(name=5), "name: must be a non-empty text"),
        (good_dict(target_patients=True), "target_patients: must be a positive integer"),
        (good_dict(target_patients=10**9), "target_patients: must be a positive integer"),
        (["not", "an", "object"], "(top level): must be a JSON object"),
    ],
)
def test_wrong_shapes_and_types_are_rejected(data, fragment):
    problems = problems_of(data)
    assert any(p.startswith(fragment) for p in problems), problems


def test_json_syntax_errors_and_duplicate_keys():
    with pytest.raises(ScenarioError, match="not valid JSON at line 1"):
        scenario_from_json("{")
    with pytest.raises(ScenarioError, match="key 'sites' appears twice"):
        scenario_from_json(
            '{"schema_version": 1, "name": "a", "indication": "b", "target_patients": 1,'
            ' "countries": [{"iso3": "BRA", "sites": 1, "sites": 2}]}'
        )
    data = good_dict()
    data["countries"][0]["rate"] = float("nan")
    with pytest.raises(ScenarioError, match=r"countries\[0\].rate"):
        scenario_from_json(json.dumps(data))  # Python's json writes NaN; it must be refused


def test_scenario_built_in_code_is_validated_on_export_and_resolve():
    bad = small(target_patients=-5)
    with pytest.raises(ScenarioError, match="target_patients"):
        scenario_to_json(bad)
    with pytest.raises(ScenarioError, match="target_patients"):
        resolve(bad)
    assert small(countries=[CountryPlan("BRA", 1)]).countries == (CountryPlan("BRA", 1),)


def test_dict_omits_left_out_fields():
    out = scenario_to_dict(small())
    assert out["countries"][0] == {"iso3": "BRA", "sites": 5}
    assert "deadline_months" not in out


# --- Resolve -----------------------------------------------------------------------------------
def test_resolve_fills_user_then_model_then_default_and_records_sources():
    s = small(
        countries=(
            CountryPlan("BRA", 5),
            CountryPlan("MEX", 3, rate=0.8, startup_days=100.0),
            CountryPlan("ARG", 2, startup_sd_days=10.0, cost_per_patient=50.0, max_sites=9),
            CountryPlan("COL", 1),
        )
    )
    r = resolve(s, startup_defaults={"BRA": (120.0, 30.0), "ARG": (90.0, 20.0)},
                pool_caps={"BRA": 40.5})
    bra, mex, arg, col = r.countries
    assert (bra.startup_days, bra.startup_sd_days) == (120.0, 30.0)
    assert bra.sources["startup_days"] == bra.sources["startup_sd_days"] == "model"
    assert bra.rate == sc.DEFAULT_RATE and bra.sources["rate"] == "default"
    assert bra.pool_cap == 40.5 and bra.sources["pool_cap"] == "model"
    assert bra.never_activate_share == sc.DEFAULT_NEVER_ACTIVATE_SHARE
    assert (mex.rate, mex.sources["rate"]) == (0.8, "user")
    assert (mex.startup_days, mex.startup_sd_days) == (100.0, 0.0)  # fixed start-up
    assert mex.sources["startup_sd_days"] == "user"
    assert (arg.startup_days, arg.startup_sd_days) == (90.0, 10.0)
    assert arg.sources["startup_days"] == "model" and arg.sources["startup_sd_days"] == "user"
    assert (arg.cost_per_patient, arg.max_sites) == (50.0, 9)
    assert col.startup_days == pytest.approx(31.4 * 7)
    assert col.startup_sd_days == pytest.approx(0.3 * 31.4 * 7)
    assert col.sources["startup_days"] == "default" and col.pool_cap is None
    assert col.cost_per_patient is None and col.sources["cost_per_patient"] == "default"
    assert r.total_sites == 11 and r.scenario == s
    assert set(bra.sources) == {
        "rate", "rate_shape", "startup_days", "startup_sd_days", "never_activate_share",
        "cost_per_patient", "max_sites", "pool_cap",
    }


def test_resolve_rejects_bad_model_values_and_with_sites_checks():
    with pytest.raises(ValueError, match="startup_defaults"):
        resolve(small(), startup_defaults={"BRA": (float("nan"), 1.0)})
    with pytest.raises(ValueError, match="pool_caps"):
        resolve(small(), pool_caps={"BRA": -1})
    r = resolve(small())
    r2 = r.with_sites({"MEX": 7})
    assert [c.sites for c in r2.countries] == [5, 7]
    assert r2.scenario.countries[1].sites == 7
    with pytest.raises(ValueError, match="not in the scenario"):
        r.with_sites({"XXX": 1})
    with pytest.raises(ValueError, match="non-negative integer"):
        r.with_sites({"BRA": -1})


def test_csv_resaved_by_excel_in_a_comma_decimal_locale_reads_back():
    """Excel (fr/de) re-saves our CSV with ';' separators and decimal commas."""
    from footprint.enrollment.scenario import scenario_from_csv, scenario_to_csv

    original = Scenario("Essai", "hypertension", 200,
                        (CountryPlan("FRA", 4, rate=0.7, never_activate_share=0.15),),
                        deadline_months=24.5)
    text = scenario_to_csv(original)
    resaved = "\n".join(
        ";".join(cell.replace(".", ",") if cell.replace(".", "").isdigit() else cell
                 for cell in line.split(","))
        for line in text.splitlines())
    assert ";0,7;" in resaved
    assert scenario_from_csv(resaved) == original
    tabbed = text.replace(",", "\t")
    assert scenario_from_csv(tabbed) == original
