"""``footprint indications add|list`` and a custom indication in ``pool`` and ``scores``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from footprint.store.workspace import URL_VARIABLE

RATES = ("country,rate,unit,year,source\n"
         "United States,3.2,per_100000,2022,CBTRUS 2022\n"
         "Brazil,2.5,per_100000,2020,INCA 2020\n")
DEFINITION = {"name": "Glioblastoma", "age_low": 18, "age_high": None, "sex": "both",
              "kind": "incident_per_year", "diagnosed_share": 0.9, "note": "adults",
              "rates": "rates.csv"}


def footprint(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "footprint", *args], capture_output=True,
                          text=True, env={**os.environ, URL_VARIABLE: url}, timeout=300)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'workspace' / 'footprint.sqlite'}"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "rates.csv").write_text(RATES)
    (tmp_path / "gbm.json").write_text(json.dumps(DEFINITION))
    return tmp_path


def test_add_list_and_pool_with_a_custom_indication(url, files):
    added = footprint(url, "indications", "add", str(files / "gbm.json"), "--json")
    assert added.returncode == 0, added.stderr
    saved = json.loads(added.stdout)
    assert saved["id"].startswith("my_glioblastoma_") and saved["version"] == 1
    assert saved["source"] == "your data: CBTRUS 2022, 2022; INCA 2020, 2020"
    listed = footprint(url, "indications", "list", "--json")
    assert [r["id"] for r in json.loads(listed.stdout)] == [saved["id"]]
    pool = footprint(url, "pool", "--indication", saved["id"], "--countries", "USA,BRA,POL",
                     "--json")
    assert pool.returncode == 0, pool.stderr
    rows = {r["iso3"]: r for r in json.loads(pool.stdout)}
    assert rows["USA"]["source"] == "your data: CBTRUS 2022, 2022"
    assert rows["USA"]["rate"] == pytest.approx(3.2e-5) and rows["USA"]["year"] == 2022
    assert rows["USA"]["diagnosed_patients"] == pytest.approx(
        rows["USA"]["prevalent_patients"] * 0.9)
    assert rows["POL"]["prevalent_patients"] is None  # not in the table: missing, not zero
    assert rows["POL"]["source"] == "missing: this country is not in your table"
    scores = footprint(url, "scores", "--indication", saved["id"], "--json")
    assert scores.returncode == 0, scores.stderr


def test_a_scenario_of_a_custom_indication_forecasts_and_optimises(url, files):
    """The scenario commands read a scenario naming a stored indication (its ``my_`` id)."""
    added = json.loads(footprint(url, "indications", "add", str(files / "gbm.json"),
                                 "--json").stdout)
    scenario = {"schema_version": 2, "name": "GBM US+BR", "indication": added["id"],
                "target_patients": 40, "seed": 0, "deadline_months": 30.0,
                "countries": [{"iso3": "USA", "sites": 8}, {"iso3": "BRA", "sites": 6}]}
    (files / "gbm_scenario.json").write_text(json.dumps(scenario))
    fc = footprint(url, "forecast", str(files / "gbm_scenario.json"), "--sims", "500",
                   "--json")
    assert fc.returncode == 0, fc.stderr
    assert {c["iso3"] for c in json.loads(fc.stdout)["countries"]} == {"USA", "BRA"}
    opt = footprint(url, "optimise", str(files / "gbm_scenario.json"), "--sims", "500",
                    "--json")
    assert opt.returncode == 0, opt.stderr
    unknown = {**scenario, "indication": "my_nothing_abc123"}
    (files / "unknown.json").write_text(json.dumps(unknown))
    refused = footprint(url, "forecast", str(files / "unknown.json"))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


def test_a_rates_csv_with_the_definition_as_flags_and_a_new_version(url, files):
    added = footprint(url, "indications", "add", str(files / "rates.csv"), "--name", "GBM",
                      "--age-low", "18", "--kind", "incident_per_year",
                      "--diagnosed-share", "1", "--json")
    assert added.returncode == 0, added.stderr
    first = json.loads(added.stdout)
    again = footprint(url, "indications", "add", str(files / "gbm.json"), "--update",
                      first["store_id"], "--json")
    second = json.loads(again.stdout)
    assert (second["id"], second["version"], second["name"]) == (first["id"], 2,
                                                                 "Glioblastoma")
    text = footprint(url, "indications", "list").stdout
    assert text.startswith(f"{first['id']}  v2  ") and "Glioblastoma  18+ both" in text


def test_a_bad_definition_lists_every_problem_and_saves_nothing(url, files):
    (files / "rates.csv").write_text("country,rate,unit,year\nNarnia,200,percent,2099\n"
                                     "Brazil,1,percent,2020\nBrasil,1,percent,2020\n")
    out = footprint(url, "indications", "add", str(files / "gbm.json"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "rates (rates.csv): no source column" in out.stderr
    (files / "rates.csv").write_text(
        "country,rate,unit,year,source\nNarnia,200,percent,2099,X\n"
        "Brazil,1,percent,2020,X\nBrasil,1,percent,2020,X\n")
    out = footprint(url, "indications", "add", str(files / "gbm.json"))
    assert out.returncode == 2
    for said in ("row 2, country: 'Narnia' is not a country we know",
                 "row 2, rate: 200 is out of range for percent (0 to 100)",
                 "row 2, year: 2099 is in the future",
                 "row 4, country: 'Brasil' is BRA, already given in row 3"):
        assert said in out.stderr, out.stderr
    assert footprint(url, "indications", "list").stdout.startswith("no custom indications")


@pytest.mark.parametrize(("args", "said"), [
    (["indications", "add", "{dir}/gbm.json", "--name", "X"],
     "--name: only for a rates CSV"),
    (["indications", "add", "{dir}/none.json"], "cannot read"),
    (["pool", "--indication", "my_nothing_abc123", "--countries", "USA"],
     "no custom indication 'my_nothing_abc123' is open to you"),
    (["pool", "--indication", "nothing", "--countries", "USA"],
     "or a custom indication's id (`footprint indications list`)"),
])
def test_refusals_exit_2_with_a_message(url, files, args, said):
    out = footprint(url, *(a.format(dir=files) for a in args))
    assert out.returncode == 2 and said in out.stderr and "Traceback" not in out.stderr, \
        out.stderr
