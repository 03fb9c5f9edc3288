"""Scenario CSV: exact round trips, CSV injection, forecast outputs, spreadsheet re-saves."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footprint.assumptions import MAX_FILE_SCENARIOS, MAX_PROBLEMS_SHOWN
from footprint.enrollment.forecast import forecast_closed_form
from footprint.enrollment.scenario import CountryPlan, Scenario, resolve
from footprint.errors import ScenarioError
from footprint.io.scenario_csv import (
    CSV_COUNTRY_COLUMNS,
    CSV_OUTPUT_COLUMNS,
    CSV_SCENARIO_COLUMNS,
    scenario_to_csv,
    scenarios_from_csv,
    scenarios_to_csv,
)
from footprint.io.scenario_json import scenario_from_json
from tests.scenarios import EXAMPLE, NASTY_NAMES, TRIGGERS, scenarios, small

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _csv_problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenarios_from_csv(text)
    return info.value.problems


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios)
def test_csv_round_trip_is_exact(s):
    assert scenarios_from_csv(scenario_to_csv(s)) == [s]


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(scenarios, min_size=1, max_size=4))
def test_several_scenarios_round_trip_in_one_csv(many):
    assert scenarios_from_csv(scenarios_to_csv(many)) == many


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_nasty_names_round_trip(name):
    s = small(name=name, indication=name)
    assert scenarios_from_csv(scenario_to_csv(s)) == [s]


def test_columns_are_the_format_fields():
    assert CSV_SCENARIO_COLUMNS == ("scenario_no", "schema_version", "name", "indication",
                                    "target_patients", "target_kind", "seed", "deadline_months")
    assert CSV_COUNTRY_COLUMNS[:2] == ("iso3", "sites") and len(CSV_COUNTRY_COLUMNS) == 15


def version_1_cells(text: str, columns: list[str]) -> list[list[str]]:
    """The cells of the version 1 columns of a written CSV, ``schema_version`` as 1 (a
    version 1 scenario is written as version 2 with the same values)."""
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    return [[("1" if c == "schema_version" else row[c]) for c in columns] for row in rows]


def test_the_example_is_written_as_before_in_its_version_1_columns():
    example = scenario_from_json(EXAMPLE.read_text(encoding="utf-8"))
    golden = (GOLDEN / "example_scenario.csv").read_text(encoding="utf-8-sig")
    columns = golden.splitlines()[0].split(",")
    text = scenario_to_csv(example)
    assert version_1_cells(text, columns) == [r[:] for r in csv.reader(
        io.StringIO(golden))][1:]
    new = [row for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]
    assert {(r["schema_version"], r["target_kind"], r["screen_fail_share"], r["dropout_share"],
             r["rate_cv"], r["min_sites"]) for r in new} == {
        ("2", "randomised", "0.0", "0.0", "0.0", "")}


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


def test_csv_with_results_adds_outputs_and_still_imports():
    s = small(countries=(CountryPlan("BRA", 5, cost_per_patient=100.0), CountryPlan("MEX", 3)))
    result = forecast_closed_form(resolve(s))
    text = scenario_to_csv(s, result)
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns[-4:]) == list(CSV_OUTPUT_COLUMNS)
    assert frame["expected_patients_at_p50"].dtype.kind == "f"
    assert frame.loc[0, "cost_at_p50"] == pytest.approx(
        round(result.patients_at_p50["BRA"] * 100.0, 2)
    )
    assert pd.isna(frame.loc[1, "cost_at_p50"])
    assert scenarios_from_csv(text) == [s]
    both = scenarios_to_csv([s, small(name="other")], [result, None])
    assert scenarios_from_csv(both) == [s, small(name="other")]
    with pytest.raises(ValueError, match="1 results for 2 scenarios"):
        scenarios_to_csv([s, s], [result])


def test_csv_import_reports_lines_and_unknown_columns():
    text = scenario_to_csv(small())
    bad = text.replace("MEX,3,0.8", "MEX,-3,abc")
    problems = _csv_problems(bad)
    assert any("line 3, countries[1].sites: must be a non-negative integer" in p for p in problems)
    assert any("line 3, countries[1].rate: must be a finite number from" in p for p in problems)
    assert "scenario 1, line 3, countries[1].rate: must be a finite number from 0.001 to " \
           "1000 [patients/site/month]; got 'abc'" in problems
    renamed = text.replace("rate_shape", "rate_shap")
    assert any("did you mean 'rate_shape'" in p for p in _csv_problems(renamed))
    lines = text.split("\r\n")
    lines[2] = lines[2].replace("Base", "Changed")
    assert any("differs from line 2" in p for p in _csv_problems("\r\n".join(lines)))


def test_broken_csv_files_say_why():
    header = ",".join(CSV_SCENARIO_COLUMNS + CSV_COUNTRY_COLUMNS)
    assert _csv_problems("") == ["(csv): the file is empty"]
    assert _csv_problems(header + "\r\n") == ["(csv): no data rows"]
    assert _csv_problems(header + '\r\n1,1,"open') == [
        "(csv): the file is not a readable table: unexpected end of data"]
    assert _csv_problems(header + "\r\n1,1,x\r\n") == ["line 2: 3 cells, the header has 23"]
    assert _csv_problems("scenario_no,name\r\n") == [
        "(csv header): missing columns: schema_version, indication, target_patients, iso3, "
        "sites"]
    row = "x,1,n,hypertension,10,randomised,0,,BRA,1" + "," * 13
    assert _csv_problems(f"{header}\r\n{row}\r\n") == [
        "line 2.scenario_no: must be a positive integer"]


def test_csv_resaved_by_excel_in_a_comma_decimal_locale_reads_back():
    """Excel (fr/de) re-saves our CSV with ';' separators and decimal commas."""
    original = Scenario("Essai", "hypertension", 200,
                        (CountryPlan("FRA", 4, rate=0.7, never_activate_share=0.15),),
                        deadline_months=24.5)
    text = scenario_to_csv(original)
    resaved = "\n".join(
        ";".join(cell.replace(".", ",") if cell.replace(".", "").isdigit() else cell
                 for cell in line.split(","))
        for line in text.splitlines())
    assert ";0,7;" in resaved
    assert scenarios_from_csv(resaved) == [original]
    tabbed = text.replace(",", "\t")
    assert scenarios_from_csv(tabbed) == [original]


def test_a_semicolon_file_reads_a_comma_as_the_decimal_mark():
    """'1,234' in a ';' file is 1.234 (a decimal comma), not one thousand two hundred."""
    original = Scenario("Essai", "hypertension", 200, (CountryPlan("FRA", 4, rate=1.234),))
    resaved = scenario_to_csv(original).replace(",", ";").replace("1.234", "1,234")
    assert scenarios_from_csv(resaved) == [original]


def test_a_file_of_more_scenarios_than_the_limit_is_refused_before_validating_them():
    many = scenarios_to_csv([small(name=f"s{i}") for i in range(MAX_FILE_SCENARIOS + 1)])
    assert _csv_problems(many) == [f"(csv): {MAX_FILE_SCENARIOS + 1} scenarios in one file; "
                                   f"a file may hold at most {MAX_FILE_SCENARIOS}: split it"]
    assert len(scenarios_from_csv(scenarios_to_csv(
        [small(name=f"s{i}") for i in range(MAX_FILE_SCENARIOS)]))) == MAX_FILE_SCENARIOS


def test_a_hundred_thousand_unknown_columns_are_one_problem():
    """They made a browser tab unusable for minutes."""
    header = ",".join(CSV_SCENARIO_COLUMNS + CSV_COUNTRY_COLUMNS)
    text = header + "," + ",".join(f"x{i}" for i in range(100_000)) + "\r\n"
    problems = _csv_problems(text)
    assert len(problems) == 1 and "longer than 20,000 characters" in problems[0]
    text = header + "," + ",".join(f"x{i}" for i in range(70)) + "\r\n"
    problems = _csv_problems(text)
    assert len(problems) == MAX_PROBLEMS_SHOWN + 1 and problems[-1] == "… and 20 more problems"
