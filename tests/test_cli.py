"""The command line as users call it."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from footprint import cli
from footprint.cli import main
from footprint.data import database
from footprint.enrollment import forecast


def test_regions_json_in_a_real_process():
    out = subprocess.run([sys.executable, "-m", "footprint", "regions", "--json"],
                         capture_output=True, text=True, check=True).stdout
    members = json.loads(out)
    assert list(members) == sorted(["United States", "European Union", "Japan", "India",
                                    "Latin America", "Eastern Europe"])
    assert members["Japan"] == ["JPN"]
    assert all(len(code) == 3 and code.isupper() for codes in members.values() for code in codes)


def test_unknown_command_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "footprint", *args], capture_output=True,
                          text=True)


def test_pool_json_has_the_funnel_for_each_country():
    out = run_cli("pool", "--indication", "type2_diabetes", "--countries", "USA,IND,JPN",
                  "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["iso3"] for r in rows] == ["USA", "IND", "JPN"]
    for row in rows:
        for key in ["population_in_band", "prevalent_patients", "diagnosed_patients",
                    "eligible_patients", "year", "source"]:
            assert row[key] is not None, key
        assert row["population_in_band"] > row["prevalent_patients"] > \
            row["diagnosed_patients"] > row["eligible_patients"] > 0
        assert "World Bank" in row["source"]


def test_scores_csv_for_a_region():
    import io

    import pandas as pd
    out = run_cli("scores", "--region", "Latin America", "--indication", "hypertension",
                  "--csv", "-")
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(io.StringIO(out.stdout))
    assert len(table) == 20
    assert {"pool_score", "friction_index", "infrastructure_risk", "attractiveness", "rank",
            "friction_components_used", "infrastructure_components_used"} <= set(table.columns)
    assert list(table["rank"].dropna()) == sorted(table["rank"].dropna())
    assert table["attractiveness"].is_monotonic_decreasing


@pytest.mark.parametrize(
    ("args", "listed"),
    [
        (["pool", "--indication", "flu", "--countries", "USA"], "type2_diabetes"),
        (["pool", "--indication", "hiv", "--countries", "USA,XXX"], "XXX"),
        (["scores", "--region", "Atlantis", "--indication", "hiv"], "Latin America"),
        (["scores", "--indication", "nope"], "hypertension"),
    ],
)
def test_unknown_choices_exit_2_and_list_valid_ones(capsys, args, listed):
    assert main(args) == 2
    assert listed in capsys.readouterr().err


EXAMPLE = "examples/scenario_latam_hypertension.json"


def test_forecast_json_for_the_example_scenario():
    out = run_cli("forecast", EXAMPLE, "--json", "--sims", "2000")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    m = result["months_to_target"]
    assert 0 < m["p10"] <= m["p50"] <= m["p90"]
    assert [c["iso3"] for c in result["countries"]] == ["BRA", "MEX", "ARG", "COL"]
    brazil = result["countries"][0]
    assert brazil["sources"]["startup_days"] == "model"  # from the regulatory model
    assert result["countries"][2]["sources"]["startup_days"] == "user"
    again = json.loads(run_cli("forecast", EXAMPLE, "--json", "--sims", "2000").stdout)
    assert again["months_to_target"] == m  # seeded: the same scenario, the same numbers


def test_export_writes_the_analyst_csv(tmp_path):
    import pandas as pd
    target = tmp_path / "out.csv"
    out = run_cli("export", EXAMPLE, "--csv", str(target))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(target, encoding="utf-8-sig")
    assert list(table["iso3"]) == ["BRA", "MEX", "ARG", "COL"]
    assert (table["target_patients"] == 480).all()


def test_invalid_scenario_lists_every_problem(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema_version": 1, "name": "x", "indication": "flu",
                               "target_patients": -5, "countries": [
                                   {"iso3": "XXX", "sites": -1}, {"iso3": "BRA", "sites": 1.5}]}))
    assert main(["forecast", str(bad)]) == 2
    err = capsys.readouterr().err
    for field in ["indication", "target_patients", "countries[0].iso3", "countries[0].sites",
                  "countries[1].sites"]:
        assert field in err, field
    assert main(["forecast", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["forecast", EXAMPLE, "--sims", "0"],
    ["forecast", EXAMPLE, "--sims", "200001"],
    ["export", EXAMPLE, "--csv", "OUT", "--with-forecast", "--sims", "0"],
])
def test_sims_out_of_range_exits_2_for_both_commands(tmp_path, capsys, argv):
    out = tmp_path / "out.csv"
    assert main([str(out) if a == "OUT" else a for a in argv]) == 2
    assert capsys.readouterr().err == "error: --sims must be between 100 and 200000\n"
    assert not out.exists()


def test_method_choices_are_the_forecast_methods():
    assert cli.METHOD_CHOICES == forecast.METHODS
    assert cli.METHOD_CHOICES[0] == forecast.METHOD_MONTE_CARLO


def test_a_data_file_without_a_column_a_query_reads_exits_1_naming_both(
        tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    shutil.copytree(database.DATA_DIR, data, ignore=shutil.ignore_patterns(".cache"))
    path = data / "regulatory_startup.csv"
    pd.read_csv(path).drop(columns="clock_note").to_csv(path, index=False)
    monkeypatch.setattr(cli, "open_database", functools.partial(database.open_database, data))
    assert main(["scores", "--region", "Latin America", "--indication", "hypertension",
                 "--csv", "-"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: data file") and "Traceback" not in err
    assert "regulatory_startup.csv" in err and "clock_note" in err


def test_every_refusal_is_a_message_and_its_exit_code(monkeypatch, capsys):
    def refuse(args, con):
        raise database.DataFileError("data file x.csv holds no rows")

    monkeypatch.setattr(cli, "_cmd_regions", refuse)
    assert main(["regions"]) == 1
    assert capsys.readouterr().err == "error: data file x.csv holds no rows\n"


def test_a_quick_command_imports_no_heavy_library():
    """The fast start, checked by what is imported (timing is bench/bench_startup.py's)."""
    script = ("import sys; from footprint.cli import main; main(['regions', '--json']); "
              "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'geopandas', "
              "'shapely', 'pydantic', 'pydeck', 'altair', 'streamlit', 'pyproj'}))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert out.splitlines()[-1] == "[]"


def test_the_installed_console_script_runs_the_cli():
    script = shutil.which("footprint", path=str(Path(sys.executable).parent))
    assert script is not None, "the project is not installed (make setup installs it)"
    out = subprocess.run([script, "regions", "--json"], capture_output=True, text=True,
                         cwd=Path.home())  # from anywhere, not only the checkout
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Japan"] == ["JPN"]
