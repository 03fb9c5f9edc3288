"""Uploaded scenario files: JSON, CSV or an Excel report by name or content, every refusal
with a reason."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest

from footprint.assumptions import MAX_APP_SEED, MAX_UPLOAD_BYTES
from footprint.enrollment import forecast as fc
from footprint.enrollment import planning
from footprint.enrollment.scenario import CountryPlan, Scenario, resolve
from footprint.errors import ScenarioError
from footprint.io import report_xlsx as rx
from footprint.io.report_meta import ReportMeta
from footprint.io.scenario_csv import scenario_to_csv, scenarios_to_csv
from footprint.io.scenario_file import read_scenario_file
from footprint.io.scenario_json import scenario_from_json, scenario_to_json
from tests.scenarios import EXAMPLE

VALID_ISO3 = {"BRA", "MEX", "ARG", "COL", "USA", "JPN", "FRA"}
INDICATIONS = {"hypertension", "type2_diabetes"}
STARTUP = {"BRA": (216.0, 64.8), "MEX": (132.0, 39.6), "ARG": (160.0, 48.0),
           "COL": (165.0, 11.7)}
EXAMPLE_SCENARIO = scenario_from_json(EXAMPLE.read_text(encoding="utf-8"))


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


def read(data: bytes, name: str = "upload.json"):
    return read_scenario_file(data, name, valid_iso3=VALID_ISO3, valid_indications=INDICATIONS)


def problems_of(call) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        call()
    return exc.value.problems


def test_the_example_json_restores():
    (s,) = read(EXAMPLE.read_bytes(), "scenario_latam_hypertension.json")
    assert s == EXAMPLE_SCENARIO
    assert s.name == "LatAm hypertension, phase III" and len(s.countries) == 4


def test_an_exported_csv_restores_with_or_without_forecast_outputs():
    s = full_scenario()
    result = fc.forecast(resolve(s, STARTUP), n_sims=500)
    for text in (scenario_to_csv(s), scenario_to_csv(s, result)):
        assert read(text.encode("utf-8"), "export.csv") == (s,)


def test_a_multi_scenario_csv_gives_every_scenario():
    a, b = full_scenario(), EXAMPLE_SCENARIO
    found = read(scenarios_to_csv([a, b]).encode("utf-8"), "comparison.csv")
    assert found == (a, b)


def test_json_and_csv_are_recognised_by_content_without_an_extension():
    assert read(scenario_to_json(full_scenario()).encode(), "scenario") == (full_scenario(),)
    assert read(scenario_to_csv(full_scenario()).encode(), "scenario") == (full_scenario(),)


def test_a_latin1_semicolon_resave_restores():
    mine = Scenario("Essai Hôpital Nord", "hypertension", 200, (CountryPlan("FRA", 4),))
    resaved = scenario_to_csv(mine).lstrip("\ufeff").replace(",", ";").encode("cp1252")
    assert read(resaved, "essai.csv") == (mine,)


def bad_json(**changes) -> bytes:
    data = json.loads(EXAMPLE.read_text())
    data.update(changes)
    return json.dumps(data).encode()


@pytest.mark.parametrize(("data", "name", "expected"), [
    (b"", "empty.json", "the file is empty"),
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64, "plan.xlsx", "Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "plan.xls", "Excel workbook"),
    (b'{"name": "x",', "broken.json", "not valid JSON at line 1"),
    (bad_json(schema_version=3), "future.json", "version 3 is newer than this app reads"),
    (b"site_name,country\nA,BRA\n", "sites.csv", "looks like a site list"),
    (b"Site Name;Lat;Lon\nA;1;2\n", "sites.csv", "looks like a site list"),
    (b"name;iso3\nx;BRA\n", "other.csv", "missing columns"),
    (b"[" * 100_000 + b"]" * 100_000, "deep.json", "nested too deeply"),
    (b"\x00\x01\x02\x03", "noise.bin", "binary file"),
], ids=["empty", "xlsx", "xls", "bad-json", "future-version", "site-list",
        "site-list-semicolon", "wrong-columns", "deep-json", "binary"])
def test_malformed_files_are_refused_with_a_reason(data, name, expected):
    problems = problems_of(lambda: read(data, name))
    assert any(expected in p for p in problems), problems


def test_a_scenario_csv_is_not_taken_for_a_site_list():
    text = scenario_to_csv(full_scenario()).replace("All fields", "")
    problems = problems_of(lambda: read(text.encode(), "x.csv"))
    assert not any("site list" in p for p in problems), problems


def test_every_problem_of_a_file_is_listed_at_once():
    data = json.loads(EXAMPLE.read_text())
    data["countries"][0]["iso3"] = "XXX"
    data["countries"][1]["sites"] = -3
    data["target_patients"] = 0
    problems = problems_of(lambda: read(json.dumps(data).encode()))
    assert len(problems) == 3
    assert any("countries[0].iso3: unknown country code 'XXX'" in p for p in problems)
    assert any("countries[1].sites" in p and "-3" in p for p in problems)
    assert any(p.startswith("target_patients") for p in problems)


def test_a_seed_the_page_cannot_hold_is_refused():
    problems = problems_of(lambda: read(bad_json(seed=2**60)))
    assert problems[0].startswith(f"seed: at most {MAX_APP_SEED}")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("unicode.csv", scenario_to_csv(EXAMPLE_SCENARIO).encode("utf-16"), None),
        ("seed.json", b'{"seed": ' + b"9" * 5000 + b"}", "an integer of 5,000 digits"),
        ("deep.json", b"[" * 50_000, "nested too deeply"),
        ("rate.json", json.dumps({**json.loads(scenario_to_json(EXAMPLE_SCENARIO)), "countries": [
            {"iso3": "BRA", "sites": 2, "rate": 1e308, "rate_shape": 5e-324,
             "startup_sd_days": 1e308, "cost_per_patient": 1e308}]}).encode(),
         "countries[0].rate: must be a finite number from 0.001 to 1000"),
        ("total.json", json.dumps({**json.loads(scenario_to_json(EXAMPLE_SCENARIO)), "countries": [
            {"iso3": code, "sites": 2000} for code in ("BRA", "MEX", "ARG")]}).encode(),
         "at most 5,000 sites in total"),
    ],
    ids=["utf-16", "seed-digits", "nesting", "huge-numbers", "total-sites"],
)
def test_hostile_scenario_files_are_refused_or_read(name, data, expected):
    if expected is None:
        assert read_scenario_file(data, name) == (EXAMPLE_SCENARIO,)
        return
    with pytest.raises(ScenarioError) as err:
        read_scenario_file(data, name)
    assert any(expected in p for p in err.value.problems), err.value.problems


# ---- Excel report workbooks (io.report_xlsx) -----------------------------------------------------
SOURCES = pd.DataFrame([{"publisher": "World Bank", "title": "WDI", "licence": "CC BY 4.0",
                         "version": "2025", "years": "2023", "url": "https://example.org"}])


def workbook_of(*plans: Scenario) -> bytes:
    """The report workbook of one scenario, or of a comparison of several."""
    resolved = [resolve(s, STARTUP) for s in plans]
    if len(resolved) == 1:
        return rx.scenario_workbook(resolved[0], fc.forecast(resolved[0], n_sims=200),
                                    ReportMeta(), frame=pd.DataFrame(), sources=SOURCES)
    comparison = planning.compare(resolved, n_sims=200)
    return rx.comparison_workbook(resolved, comparison, ReportMeta(), frame=pd.DataFrame(),
                                  sources=SOURCES)


def edited(data: bytes, *, drop: str | None = None, **cells) -> bytes:
    """The workbook after a user typed ``cells`` (A1-style) into the Scenario sheet and
    deleted the sheet ``drop``."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ref, value in cells.items():
        book[rx.SCENARIO_SHEET][ref] = value
    if drop is not None:
        del book[drop]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell(field: str, row: int) -> str:
    return f"{openpyxl.utils.get_column_letter(rx.SCENARIO_COLUMNS.index(field) + 1)}{row}"


def test_an_exported_workbook_restores_with_or_without_its_extension():
    data = workbook_of(full_scenario())
    assert read(data, "All fields-report.xlsx") == (full_scenario(),)
    assert read(data, "report") == (full_scenario(),)  # a zip is told by its content


def test_a_comparison_workbook_gives_every_scenario():
    assert read(workbook_of(full_scenario(), EXAMPLE_SCENARIO), "comparison.xlsx") == (
        full_scenario(), EXAMPLE_SCENARIO)


def test_an_edited_workbook_restores_the_edit():
    data = edited(workbook_of(full_scenario()), **{cell("sites", 3): 9})
    (s,) = read(data, "edited.xlsx")
    assert s.countries[1] == CountryPlan("MEX", 9)


@pytest.mark.parametrize(("change", "expected"), [
    ({"drop": "Scenario"}, "plan.xlsx: no sheet named 'Scenario'"),
    ({cell("sites", 2): "ten"}, "plan.xlsx: Scenario sheet, scenario 1, row 2, countries[0].sites"),
    ({cell("iso3", 3): "XXK"}, "row 3, countries[1].iso3: unknown country code 'XXK'"),
    ({cell("sites", 2): "=5*2"}, "plan.xlsx: Scenario sheet, cell"),
], ids=["sheet-removed", "number-typed-as-text", "unknown-country", "formula"])
def test_a_badly_edited_workbook_is_refused_by_sheet_and_cell(change, expected):
    problems = problems_of(lambda: read(edited(workbook_of(full_scenario()), **change),
                                        "plan.xlsx"))
    assert any(expected in p for p in problems), problems


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"0" * (MAX_UPLOAD_BYTES + 1))
    return out.getvalue()


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "plan.xlsx: the file is empty"),
    (scenario_to_csv(EXAMPLE_SCENARIO).encode(), "plan.xlsx: not an Excel workbook (.xlsx)"),
    (b"PK\x03\x04" + b"\x00" * 64, "plan.xlsx: not an Excel workbook (.xlsx)"),
    (zip_bomb(), f"unpacks to more than {MAX_UPLOAD_BYTES // 2**20} MiB"),
    (b"PK" + b"\x00" * (MAX_UPLOAD_BYTES + 1), "larger than"),
], ids=["empty", "csv-renamed", "broken-zip", "zip-bomb", "too-large"])
def test_files_that_are_no_workbook_are_refused_as_such(data, expected):
    problems = problems_of(lambda: read(data, "plan.xlsx"))
    assert any(expected in p for p in problems), problems


def test_a_workbook_seed_the_page_cannot_hold_is_refused():
    data = workbook_of(replace(full_scenario(), seed=MAX_APP_SEED + 1))
    assert problems_of(lambda: read(data, "seed.xlsx"))[0].startswith(
        f"seed: at most {MAX_APP_SEED}")
