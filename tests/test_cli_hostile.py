"""The CLI on hostile input: every refusal a message and exit code 2, never a traceback; the
upload readers as ``sites check`` and ``scenario check``; JSON never holds NaN or Infinity."""

from __future__ import annotations

import json

import pytest

from footprint.assumptions import MAX_PROBLEMS_SHOWN
from footprint.cli import main
from footprint.io.scenario_csv import scenario_to_csv
from footprint.io.scenario_json import scenario_from_json
from footprint.paths import EXAMPLES_DIR

EXAMPLE = EXAMPLES_DIR / "scenario_latam_hypertension.json"


def refused(capsys, argv, *expected) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "\nerror: " in "\n" + err and "Traceback" not in err
    for text in expected:
        assert text in err, err
    return err


def example(**changes) -> dict:
    return {**json.loads(EXAMPLE.read_text(encoding="utf-8")), **changes}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["scores", "--indication", "hypertension", "--eligibility", "5"],
         "--eligibility must be above 0 and at most 1"),
        (["scores", "--indication", "hypertension", "--csv", "/no/such/folder/x.csv"],
         "cannot write /no/such/folder/x.csv: No such file or directory"),
        (["scores", "--indication", "hypertension", "--csv", "/dev/full"],
         "cannot write /dev/full: No space left on device"),
        (["forecast", "/dev/zero"], "the file is larger than 50 MB, the limit per file"),
        (["forecast", "/no/such/file.json"], "cannot read /no/such/file.json"),
        (["export", str(EXAMPLE), "--with-forecast", "--sims", "0", "--csv", "/dev/null"],
         "--sims must be between"),
    ],
    ids=["eligibility", "missing-folder", "full-disk", "dev-zero", "missing-file", "sims-0"],
)
def test_bad_arguments_and_files_are_a_message_and_exit_2(capsys, argv, expected):
    refused(capsys, argv, expected)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[" * 100_000, "nested too deeply"),
        (json.dumps(example(seed=0))[:-1] + ', "seed2": ' + "9" * 5000 + "}",
         "an integer of 5,000 digits"),
        (json.dumps(example(countries=[{"iso3": "BRA", "sites": 2, "cost_per_patient": 1e308}])),
         "countries[0].cost_per_patient: must be a finite number from 0 to 10,000,000"),
    ],
    ids=["nesting", "digits", "cost"],
)
def test_hostile_scenarios_are_refused_by_forecast(tmp_path, capsys, content, expected):
    path = tmp_path / "hostile.json"
    path.write_text(content)
    refused(capsys, ["forecast", str(path), "--json"], expected)


def test_forecast_json_is_strict_json(capsys):
    """A cost of 1e308 printed Infinity; an unreachable target still has null months."""
    assert main(["forecast", str(EXAMPLE), "--json", "--sims", "100"]) == 0
    out = capsys.readouterr().out
    assert "Infinity" not in out and "NaN" not in out
    json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))


def test_sites_check_reads_a_list_as_the_app_does(tmp_path, capsys):
    path = tmp_path / "sites.csv"
    path.write_text("site_name;country;latitude;longitude\nA;BRA;;\nB;;35,68;139,69\n",
                    encoding="utf-16")
    assert main(["sites", "check", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["sites"] == 2
    assert [c["iso3"] for c in report["countries"]] == ["BRA", "JPN"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (scenario_to_csv(scenario_from_json(EXAMPLE.read_text())),
         "this is a scenario CSV exported from the Scenario builder"),
        ("site_name,country\n" + "A,BRA\n" * 2001, "sites must be a non-negative integer "
                                                   "(at most 2000); got 2001"),
        (",".join(f"c{i}" for i in range(100_000)), "longer than 20,000 characters"),
        ("site_name,country\n" + "A,XXX\n" * 300, "… and 250 more problems"),
    ],
    ids=["scenario-csv", "over-cap", "columns", "many-problems"],
)
def test_sites_check_refuses_what_the_app_refuses(tmp_path, capsys, content, expected):
    path = tmp_path / "sites.csv"
    path.write_text(content)
    assert main(["sites", "check", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert not report["ok"] and any(expected in p for p in report["problems"]), report
    assert len(report["problems"]) <= MAX_PROBLEMS_SHOWN + 1
    assert captured.err.startswith("error: ") and len(captured.err.splitlines()) <= 60


def test_scenario_check_reads_json_and_csv_and_bounds_its_problems(tmp_path, capsys):
    assert main(["scenario", "check", str(EXAMPLE), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["scenarios"] == [{"name": "LatAm hypertension, phase III", "countries": 4,
                                    "sites": 38}]
    many = tmp_path / "many.json"
    many.write_text(json.dumps(example(countries=[{"iso3": "XXX"}] * 300_000)))
    assert main(["scenario", "check", str(many), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["error"] == "ScenarioError" and len(report["problems"]) == 1
