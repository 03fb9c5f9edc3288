"""Actual enrollment CSV: every problem listed with its line; spreadsheet dialects read."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from footprint.cli import main
from footprint.enrollment.reforecast import SiteActual
from footprint.enrollment.scenario import CountryPlan, Scenario, resolve
from footprint.errors import UploadError
from footprint.io.actuals import actuals_from_csv

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 9, 1)
PLAN = resolve(Scenario("t", "hypertension", 100, (CountryPlan("BRA", 2), CountryPlan("MEX", 1))),
               pool_caps={"BRA": 50.0})


def problems(text: str) -> list[str]:
    with pytest.raises(UploadError) as info:
        actuals_from_csv(text, PLAN, AS_OF)
    assert info.value.headline.startswith("actual enrollment refused")
    return info.value.problems


def test_a_good_file_reads_and_a_semicolon_excel_file_too():
    text = ("iso3,site_id,opened_on,randomised\n"
            "BRA,B1,2026-03-01,4\nBRA,B2,,0\nmex,M1,2026-05-02,1\n")
    sites = actuals_from_csv(text, PLAN, AS_OF)
    assert sites == (SiteActual("BRA", "B1", dt.date(2026, 3, 1), 4),
                     SiteActual("BRA", "B2", None, 0), SiteActual("MEX", "M1",
                                                                 dt.date(2026, 5, 2), 1))
    excel = "ISO3;Site_ID;Opened_On;Randomised\r\nBRA;B1;2026-03-01;4,0\r\nBRA;B2;;0\r\n"
    assert actuals_from_csv(excel, PLAN, AS_OF)[0].randomised == 4
    with pytest.raises(UploadError, match="whole number of patients >= 0; got '4,5'"):
        actuals_from_csv(excel.replace("4,0", "4,5"), PLAN, AS_OF)
    tabbed = "iso3\tsite_id\topened_on\trandomised\nBRA\tB1\t2026-03-01\t4\n"
    assert actuals_from_csv(tabbed, PLAN, AS_OF)[0].randomised == 4


def test_every_problem_of_every_row_is_listed():
    text = ("iso3,site_id,opened_on,randomised\n"
            "BRA,B1,2026-13-01,2.5\n"
            "FRA,F1,2026-10-01,-1\n"
            "BRA,B1,,3\n"
            "MEX,,01/02/2026,\n")
    assert problems(text) == [
        "line 2 (BRA/B1): opened_on '2026-13-01' is not a date YYYY-MM-DD (empty if not open)",
        "line 2 (BRA/B1): randomised must be a whole number of patients >= 0; got '2.5'",
        "line 3 (FRA/F1): unknown country 'FRA' (the scenario has BRA, MEX)",
        "line 3 (FRA/F1): opened_on 2026-10-01 is after the as-of date 2026-09-01",
        "line 3 (FRA/F1): randomised must be >= 0; got -1",
        "line 4 (BRA/B1): 3 patients randomised at a site with no opened_on date",
        "line 4 (BRA/B1): site listed twice (already line 2)",
        "line 5 (MEX/): site_id is empty",
        "line 5 (MEX/): opened_on '01/02/2026' is not a date YYYY-MM-DD (empty if not open)",
        "line 5 (MEX/): randomised is empty (0 if no patient yet)",
    ]


def test_country_totals_more_sites_than_planned_and_more_patients_than_the_pool():
    text = ("iso3,site_id,opened_on,randomised\n"
            "BRA,B1,2026-01-01,30\nBRA,B2,2026-01-01,30\nBRA,B3,,0\n")
    assert problems(text) == [
        "BRA (lines 2-4): 3 sites listed, the scenario plans 2",
        "BRA: 60 patients randomised, more than its eligible pool of 50"]


def test_header_problems_name_the_columns():
    assert problems("iso3,site,opened_on\nBRA,B1,\n") == [
        "(header): missing columns: site_id, randomised (the columns are iso3, site_id, "
        "opened_on, randomised)",
        "(header): unknown columns: 'site' (the columns are iso3, site_id, opened_on, "
        "randomised)"]
    assert problems("iso3,site_id,opened_on,randomised\n") == ["(file): no site rows"]


def test_cli_reforecast_counts_months_from_the_as_of_date(capsys):
    scenario = str(ROOT / "examples" / "scenario_latam_hypertension.json")
    actuals = str(ROOT / "examples" / "actuals_latam_hypertension.csv")
    assert main(["reforecast", scenario, actuals, "--as-of", "2026-09-01", "--sims", "1000",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2026-09-01" and out["months_counted_from"] == "as_of"
    assert out["counted_to_date"] == 81 and out["remaining_target"] == 480 - 81
    p = out["months_to_target"]
    assert 0 < p["p10"] < p["p50"] < p["p90"]
    assert [c["sites_open"] for c in out["countries"]] == [6, 5, 3, 2]
    assert main(["reforecast", scenario, actuals, "--as-of", "2026-02-30"]) == 2
    assert "--as-of must be a date YYYY-MM-DD" in capsys.readouterr().err
    assert main(["reforecast", scenario, actuals, "--as-of", "2026-05-01"]) == 2
    assert "is after the as-of date 2026-05-01" in capsys.readouterr().err
