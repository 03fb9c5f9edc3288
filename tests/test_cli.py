"""The command line as users call it."""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from footprint import cli
from footprint.cli import main
from footprint.data import database
from footprint.enrollment import forecast
from footprint.io.scenario_json import scenario_from_json, scenario_to_json
from footprint.paths import EXAMPLES_DIR
from footprint.store.workspace import TEAM_USER, URL_VARIABLE, open_store


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


def test_scores_csv_for_a_region_leaves_gated_countries_out_with_a_note():
    import io

    import pandas as pd
    out = run_cli("scores", "--region", "Latin America", "--indication", "hypertension",
                  "--csv", "-")
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(io.StringIO(out.stdout))
    assert len(table) == 17  # the region's 20 countries less the 3 gated
    assert {"pool_score", "friction_index", "infrastructure_risk", "attractiveness", "rank",
            "friction_components_used", "infrastructure_components_used", "gate_level",
            "gate_label", "gate_sources", "gate_as_of"} <= set(table.columns)
    assert list(table["rank"].dropna()) == sorted(table["rank"].dropna())
    assert table["attractiveness"].is_monotonic_decreasing
    assert not {"CUB", "HTI", "VEN"} & set(table["iso3"])
    assert out.stderr == ("note: 3 gated countries left out (embargo, sanctions or war; "
                          "--include-gated ranks them with a penalty): CUB (embargo), HTI (war), "
                          "VEN (sanctions)\n")


def test_scores_include_gated_ranks_them_and_the_json_has_the_gate(capsys):
    from footprint.assumptions import GATE_PENALTY_POINTS
    argv = ["scores", "--region", "Latin America", "--indication", "hypertension", "--json"]
    assert main(argv) == 0
    default = {r["iso3"]: r for r in json.loads(capsys.readouterr().out)}
    assert main([*argv, "--include-gated"]) == 0
    captured = capsys.readouterr()
    rows = {r["iso3"]: r for r in json.loads(captured.out)}
    assert captured.err == ""  # nothing left out, no note
    assert set(rows) - set(default) == {"CUB", "HTI", "VEN"}
    cuba, brazil = rows["CUB"], rows["BRA"]
    assert (cuba["gate_level"], cuba["gate_label"]) == ("embargo", "embargo")
    assert cuba["risk_tier"] == "high" and cuba["rank"] > brazil["rank"]
    assert brazil["gate_level"] == "none_known" and brazil["gate_as_of"]
    assert isinstance(cuba["gate_sources"], list) and len(cuba["gate_sources"]) > 1
    assert any("treasury.gov" in source for source in cuba["gate_sources"])
    assert all(";" not in source for source in cuba["gate_sources"])
    assert rows["BRA"]["attractiveness"] == default["BRA"]["attractiveness"]
    assert cuba["attractiveness"] < 100 - GATE_PENALTY_POINTS  # penalised


TOKYO_CENSUS_2020 = 14_047_594  # Statistics Bureau of Japan, 2020 Population Census


def test_pool_sex_splits_the_band_and_refuses_unknown_values(capsys):
    argv = ["pool", "--indication", "hypertension", "--countries", "JPN,BRA", "--json"]
    pools = {}
    for sex in ("both", "female", "male"):
        assert main([*argv, "--sex", sex]) == 0
        pools[sex] = {r["iso3"]: r for r in json.loads(capsys.readouterr().out)}
    for iso3 in ("JPN", "BRA"):
        parts = [pools[s][iso3]["population_in_band"] for s in ("female", "male")]
        assert abs(sum(parts) - pools["both"][iso3]["population_in_band"]) < 1e-3
        assert "applied to females" in pools["female"][iso3]["rate_step"]
    assert main([*argv, "--sex", "women"]) == 2
    assert "choose one of both, female, male" in capsys.readouterr().err


def test_pool_subnational_json_shares_out_the_country(capsys):
    argv = ["pool", "--indication", "type2_diabetes", "--json"]
    assert main([*argv, "--countries", "JPN"]) == 0
    country = json.loads(capsys.readouterr().out)[0]
    assert main([*argv, "--subnational", "jpn"]) == 0
    captured = capsys.readouterr()
    units = json.loads(captured.out)
    assert len(units) == 47
    assert captured.err.startswith("note: share-out by urban reach: ")
    fields = set(country) - {"iso3", "name"}
    for unit in units:
        assert fields | {"unit_code", "name", "iso3", "reach", "share"} == set(unit)
        assert unit["iso3"] == "JPN" and unit["rate"] == country["rate"]
    for field in ["population_in_band", "prevalent_patients", "diagnosed_patients",
                  "eligible_patients", "reachable_patients"]:
        assert sum(u[field] for u in units) == pytest.approx(country[field], rel=1e-9)
    tokyo = next(u for u in units if u["unit_code"] == "JP.TK")
    assert tokyo["name"] == "Tokyo" and 10e6 < tokyo["reach"] < TOKYO_CENSUS_2020


@pytest.mark.parametrize(
    ("args", "listed"),
    [
        (["pool", "--indication", "flu", "--countries", "USA"], "type2_diabetes"),
        (["pool", "--indication", "hiv", "--countries", "USA,XXX"], "XXX"),
        (["scores", "--region", "Atlantis", "--indication", "hiv"], "Latin America"),
        (["scores", "--indication", "nope"], "hypertension"),
        (["pool", "--indication", "hiv", "--subnational", "FRA"], "USA, JPN, IND"),
        (["pool", "--indication", "hiv"], "--subnational"),
        (["pool", "--indication", "hiv", "--countries", "USA", "--subnational", "USA"],
         "--countries"),
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

    monkeypatch.setattr(cli.explore, "_cmd_regions", refuse)
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


# ---- scenarios in the workspace store (issue 13) ------------------------------------------------

EXAMPLE = EXAMPLES_DIR / "scenario_latam_hypertension.json"


@pytest.fixture
def store_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'workspace' / 'footprint.sqlite'}"


def scenarios(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``footprint scenarios ...`` in a real process, against the store at ``url``."""
    return subprocess.run([sys.executable, "-m", "footprint", "scenarios", *args],
                          capture_output=True, text=True, env={**os.environ, URL_VARIABLE: url})


def ok(out: subprocess.CompletedProcess[str]):
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.lstrip().startswith(("{", "[")) else out.stdout


def test_scenarios_save_list_and_show_every_version(store_url, tmp_path):
    saved = ok(scenarios(store_url, "save", str(EXAMPLE), "--note", "first cut"))
    (item,) = ok(scenarios(store_url, "list", "--json"))
    assert (item["name"], item["version"], item["author"], item["note"], item["visibility"]) \
        == ("LatAm hypertension, phase III", 1, "team", "first cut", "team")
    assert item["link"] == f"?scenario={item['id']}&version=1" and item["link"] in saved
    bigger = tmp_path / "bigger.json"
    bigger.write_text(json.dumps({**json.loads(EXAMPLE.read_text()), "target_patients": 600}))
    ok(scenarios(store_url, "save", str(bigger), "--id", item["id"], "--note", "bigger"))
    latest = ok(scenarios(store_url, "show", item["id"], "--json"))
    assert (latest["version"], latest["latest"], latest["note"]) == (2, 2, "bigger")
    assert latest["scenario"]["target_patients"] == 600
    first = ok(scenarios(store_url, "show", item["id"], "--version", "1", "--json"))
    assert first["scenario"] == json.loads(scenario_to_json(scenario_from_json(
        EXAMPLE.read_text())))
    assert "first cut" in ok(scenarios(store_url, "show", item["id"], "--version", "1"))
    assert [r["version"] for r in ok(scenarios(store_url, "list", "--json"))] == [2]


def refused_url() -> str:
    with socket.socket() as probe:  # a port nobody listens on: a PostgreSQL that is down
        probe.bind(("127.0.0.1", 0))
        return f"postgresql://footprint:s3cret@127.0.0.1:{probe.getsockname()[1]}/footprint"


def newer_schema(url: str) -> str:
    store = open_store(url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    store.close()
    return url


@pytest.mark.parametrize(("store", "args", "code", "expected"), [
    ("up", ["show", "AAAAAAAAAAAAAAAA"], 2, "no scenario with this id is open to you"),
    ("up", ["show", "x'; DROP TABLE documents; --"], 2, "not a store id"),
    ("up", ["show", "A" * 5000], 2, "not a store id"),
    ("up", ["show", "{saved}", "--version", "0"], 2, "not a version number"),
    ("up", ["show", "{saved}", "--version", "7"], 2, "versions 1 to 1; there is no version 7"),
    ("up", ["save", "{bad}"], 2, "is not a valid scenario"),
    ("up", ["save", str(EXAMPLE), "--note", "x" * 2001], 2, "note: longer than 2,000"),
    ("up", ["save", str(EXAMPLE), "--id", "AAAAAAAAAAAAAAAA"], 2, "no scenario with this id"),
    ("down", ["list", "--json"], 1, "cannot be reached"),
    ("newer", ["list"], 1, "newer than this version of Trial Footprint"),
], ids=["unknown-id", "tampered-id", "oversized-id", "version-0", "no-such-version",
        "invalid-file", "long-note", "next-version-of-nothing", "postgresql-down",
        "newer-schema"])
def test_scenarios_refusals_are_one_message_and_an_exit_code(store_url, tmp_path, store, args,
                                                              code, expected):
    saved = open_store(store_url).save_scenario(EXAMPLE.read_text(), user=TEAM_USER)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**json.loads(EXAMPLE.read_text()), "target_patients": -1}))
    url = {"up": lambda: store_url, "down": refused_url,
           "newer": lambda: newer_schema(store_url)}[store]()
    out = scenarios(url, *(a.format(saved=saved.id, bad=bad) for a in args))
    assert out.returncode == code, out.stderr
    assert out.stderr.startswith("error: ") and expected in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and "s3cret" not in out.stderr and not out.stdout


def test_the_cli_and_the_app_share_one_store(store_url, monkeypatch):
    saved = ok(scenarios(store_url, "save", str(EXAMPLE), "--note", "from the CLI"))
    (item,) = ok(scenarios(store_url, "list", "--json"))
    monkeypatch.setenv(URL_VARIABLE, store_url)
    at = AppTest.from_file("../app.py", default_timeout=60)  # relative to this file
    at.run()
    at.switch_page("app_pages/scenario_builder.py")
    at.query_params.update({"scenario": item["id"]})
    at.run()
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert at.text_input(key="scenario_name").value == item["name"] in saved
    at.number_input(key="scenario_target").set_value(500)
    at.run()
    at.text_input(key="scenario_note").set_value("from the app")
    at.button(key="scenario_save").click()
    at.run()
    shown = ok(scenarios(store_url, "show", item["id"], "--json"))
    assert (shown["version"], shown["note"], shown["scenario"]["target_patients"]) \
        == (2, "from the app", 500)


def test_a_closed_pipe_is_no_traceback():
    """`footprint scores ... | head -1`: the reader leaves early; the command ends quietly."""
    done = subprocess.run(
        f"{sys.executable} -m footprint scores --indication hypertension --csv - | head -1",
        shell=True, capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("rank,") and "Traceback" not in done.stderr
