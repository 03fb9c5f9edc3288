"""Excel reports: the sheets and values people open, the exact round trip of the scenario,
edits that re-import, and badly edited workbooks refused with a message."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from footprint.assumptions import REGISTRY
from footprint.data import atlas, model_inputs
from footprint.enrollment import forecast, planning
from footprint.enrollment.forecast import ForecastResult
from footprint.enrollment.scenario import CountryPlan, resolve
from footprint.errors import ScenarioError
from footprint.io import report_xlsx as rx
from footprint.io.report_meta import ATTRIBUTION, ReportMeta
from footprint.io.scenario_json import scenario_from_json
from footprint.model import scoring
from tests.scenarios import EXAMPLE, scenarios

META = ReportMeta(eligibility_share=0.2, site_activation_days=60.0,
                  weights=scoring.Weights(2.0, 1.0, 1.0),
                  generated_at=datetime(2026, 5, 4, 12, 30, tzinfo=UTC), app_version="9.9.9")


@pytest.fixture(scope="module")
def world(database):
    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    scenario = scenario_from_json(EXAMPLE.read_text())
    frame = scoring.country_frame(inputs, scenario.indication, 0.2, 60.0)
    resolved = planning.resolve_with_model(inputs, scenario, 0.2, 60.0)
    result = forecast.forecast(resolved, n_sims=1000)
    return {"inputs": inputs, "scenario": scenario, "frame": frame, "resolved": resolved,
            "result": result, "sources": atlas.data_sources(con)}


def workbook(world, result=None) -> bytes:
    return rx.scenario_workbook(world["resolved"], result or world["result"], META,
                                frame=world["frame"], sources=world["sources"])


def opened(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def labelled(sheet, column: int = 2) -> dict:
    """Column A label -> the value beside it."""
    return {row[0].value: row[column - 1].value for row in sheet.iter_rows() if row[0].value}


def problems(data: bytes) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        rx.scenario_from_workbook(data)
    return info.value.problems


def test_sheets_and_the_values_in_them(world):
    book = opened(workbook(world))
    assert book.sheetnames == ["Scenario", "Countries", "Forecast", "Milestones", "Assumptions",
                               "Sources", "Metadata", "scenario_json"]
    assert book["scenario_json"].sheet_state == "hidden"
    result = world["result"]
    fc = labelled(book["Forecast"])
    assert fc["Scenario"] == "LatAm hypertension, phase III"
    assert fc["Target patients"] == 480
    assert fc["Months to target, P50"] == pytest.approx(result.p50, rel=1e-15)
    assert fc["P(target by the deadline)"] == pytest.approx(result.prob_by_deadline)
    assert fc["Deadline [months]"] == 24
    assert book["Forecast"]["B8"].number_format == "0.0"  # P50 shown rounded, kept exact
    curve = [r for r in book["Forecast"].iter_rows(values_only=True) if r[0] == "Month"]
    assert curve == [("Month", "P10", "P50", "P90")]
    assert book["Forecast"]._charts  # the curve is charted

    rows = list(book["Countries"].iter_rows(values_only=True))
    header, by_iso3 = rows[0], {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert list(by_iso3) == ["BRA", "MEX", "ARG", "COL"]
    mex, arg = by_iso3["MEX"], by_iso3["ARG"]
    assert (mex["Rate [pt/site/month]"], mex["Rate source"]) == (0.7, "user")
    assert (arg["Start-up [days]"], arg["Start-up source"]) == (150, "user")
    assert by_iso3["BRA"]["Start-up source"] == "model"
    assert by_iso3["BRA"]["Never-activate share source"] == "default"
    assert by_iso3["BRA"]["Country"] == "Brazil"
    assert mex["Expected patients at P50"] == pytest.approx(result.patients_at_p50["MEX"])
    assert "Pool source" in header and "Risk tier" in header

    meta = labelled(book["Metadata"])
    assert meta["Trial Footprint version"] == "9.9.9"
    assert meta["Generated"] == "2026-05-04 12:30 UTC"
    assert meta["Weight: patient pool"] == 2
    assert meta["Eligible share of diagnosed patients"] == 0.2
    assert meta["Site activation after approval"] == 60
    assert meta["Data snapshot"] == META.data_as_of_year
    assert meta["Sanctions and war snapshot"] == META.gate_as_of
    assert book["Assumptions"].max_row == len(REGISTRY) + 1
    sources = [c for row in book["Sources"].iter_rows(values_only=True) for c in row if c]
    assert ATTRIBUTION in sources and "World Bank" in sources


def test_an_unedited_workbook_restores_the_scenario_exactly(world):
    assert rx.scenario_from_workbook(workbook(world)) == world["scenario"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(scenarios)
def test_round_trip_is_exact_for_any_scenario(world, s):
    data = rx.scenario_workbook(resolve(s), world["result"], META,
                                frame=world["frame"], sources=world["sources"])
    assert rx.scenario_from_workbook(data) == s
    name = opened(data)["Scenario"][f"{column('name')}2"].value
    assert not name.startswith(("=", "+", "-", "@")), "text cells are neutralised"


def test_text_cells_are_neutralised_and_read_back(world):
    s = dataclasses.replace(world["scenario"], name="=HYPERLINK(\"x\")")
    resolved = planning.resolve_with_model(world["inputs"], s)
    data = rx.scenario_workbook(resolved, world["result"], META, frame=world["frame"],
                                sources=world["sources"])
    assert opened(data)["Scenario"][f"{column('name')}2"].value == "'=HYPERLINK(\"x\")"
    assert rx.scenario_from_workbook(data).name == s.name


def edited(data: bytes, **cells) -> bytes:
    """The workbook after a user typed ``cells`` (A1-style -> value) into the Scenario sheet."""
    book = opened(data)
    for ref, value in cells.items():
        book["Scenario"][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column(name: str) -> str:
    return openpyxl.utils.get_column_letter(rx.SCENARIO_COLUMNS.index(name) + 1)


def test_an_edited_sheet_is_what_re_imports(world):
    data = edited(workbook(world), **{f"{column('sites')}2": 20, f"{column('rate')}3": 0.9})
    back = rx.scenario_from_workbook(data, valid_iso3=set(world["inputs"].countries.index))
    assert back.countries[0] == dataclasses.replace(world["scenario"].countries[0], sites=20)
    assert back.countries[1].rate == 0.9
    assert back.countries[2:] == world["scenario"].countries[2:]


def test_a_badly_edited_workbook_gets_every_problem_in_sheet_words(world):
    data = edited(workbook(world), **{f"{column('sites')}2": "twelve",
                                      f"{column('iso3')}3": "Mexico"})
    found = problems(data)
    assert len(found) == 2, found
    assert found[0].startswith("Scenario sheet, scenario 1, row 2, countries[0].sites: must be")
    assert "'twelve'" in found[0]
    assert "row 3, countries[1].iso3" in found[1]


def test_formulas_errors_and_dates_are_refused_by_cell(world):
    data = edited(workbook(world), **{f"{column('sites')}2": "=10+2",
                                      f"{column('rate')}3": datetime(2026, 1, 1)})
    found = problems(data)
    assert any(f"cell {column('sites')}2: holds a formula (=10+2)" in p for p in found)
    assert any(f"cell {column('rate')}3: holds a date" in p for p in found)


def test_a_renamed_header_or_lost_sheet_is_named(world):
    header = problems(edited(workbook(world), **{f"{column('sites')}1": "site"}))
    assert any("unknown column 'site'; did you mean 'sites'?" in p for p in header)
    book = opened(workbook(world))
    book["Scenario"].title = "Inputs"
    out = io.BytesIO()
    book.save(out)
    assert problems(out.getvalue()) == [
        "no sheet named 'Scenario' (sheets: Inputs, Countries, Forecast, Milestones, "
        "Assumptions, Sources, Metadata, scenario_json); it holds the scenario inputs"]


def test_files_that_are_no_workbook_are_refused(tmp_path):
    assert "not an Excel workbook" in problems(b"iso3,sites\nBRA,3\n")[0]
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert "cannot be read" in problems(fake.getvalue())[0]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"0" * (60 * 2**20))
    assert "unpacks to more than 50 MiB" in problems(bomb.getvalue())[0]


def test_a_comparison_workbook_holds_every_scenario(world):
    other = dataclasses.replace(world["scenario"], name="Fewer sites",
                                countries=(CountryPlan("BRA", 10), CountryPlan("CHL", 4)))
    resolved = [world["resolved"], planning.resolve_with_model(world["inputs"], other)]
    comparison = planning.compare(resolved, n_sims=500)
    data = rx.comparison_workbook(resolved, comparison, META, frame=world["frame"],
                                  sources=world["sources"])
    assert rx.scenarios_from_workbook(data) == (world["scenario"], other)
    assert "holds 2 scenarios" in problems(data)[0]
    book = opened(data)
    assert labelled(book["Forecast"], 3)["Scenario"] == "Fewer sites"
    countries = [r[:2] for r in book["Countries"].iter_rows(min_row=2, values_only=True)]
    assert countries[-2:] == [("Fewer sites", "BRA"), ("Fewer sites", "CHL")]


def test_milestones_get_a_sheet_only_when_a_forecast_has_them(world):
    @dataclasses.dataclass(frozen=True)
    class Milestone:
        name: str
        months: float

    class WithMilestones(ForecastResult):
        pass

    result = WithMilestones(**{f.name: getattr(world["result"], f.name)
                               for f in dataclasses.fields(ForecastResult)})
    object.__setattr__(result, "milestones", (Milestone("first patient", 6.5),))
    book = opened(workbook(world, result))
    assert "Milestones" in book.sheetnames
    assert list(book["Milestones"].iter_rows(values_only=True)) == [
        ("Scenario", "name", "months"), ("LatAm hypertension, phase III", "first patient", 6.5)]
    without = dataclasses.replace(world["result"], milestones=())  # the closed form has none
    assert "Milestones" not in opened(workbook(world, without)).sheetnames

