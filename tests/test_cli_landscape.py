"""``footprint landscape`` and ``scores --experience-weight`` as users call them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from footprint import cli
from footprint.data import database, landscape
from footprint.paths import DATA_DIR


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "footprint", *args], capture_output=True,
                          text=True)


def test_landscape_json_per_country_with_the_snapshot():
    out = run_cli("landscape", "--countries", "USA,BRA,POL", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["snapshot"] == "2023-10"
    assert report["source"] == "ClinicalTrials.gov (NLM) via AACT, snapshot 2023-10"
    assert report["recent_window"]["from"] == "2018-11-01"
    assert "estimate" in report["recent_window"]["estimate"]
    assert "under-counts Japan, China, India and the EU" in report["caveat"]
    rows = {row["iso3"]: row for row in report["countries"]}
    assert list(rows) == ["USA", "BRA", "POL"]
    registry = pd.read_parquet(DATA_DIR / landscape.REGISTRY_FILE)
    kept = registry[~registry["removed"]]
    assert rows["BRA"]["studies"] == kept.loc[kept["country"] == "Brazil", "nct_id"].nunique()
    for row in rows.values():
        assert 0 < row["studies_recent"] < row["studies"]
        assert 0 < row["multinational_share"] < 1
        assert row["studies_per_million"] > 0
    assert rows["POL"]["multinational_share"] > rows["USA"]["multinational_share"]


def test_landscape_text_says_the_recent_count_is_an_estimate():
    out = run_cli("landscape", "--countries", "JPN")
    assert out.returncode == 0, out.stderr
    assert "snapshot 2023-10" in out.stdout and "JPN" in out.stdout
    assert "an estimate" in out.stderr and "under-counts Japan" in out.stderr


def test_landscape_names_report_lists_the_overrides():
    out = run_cli("landscape", "--names", "--json")
    assert out.returncode == 0, out.stderr
    names = {row["registry_name"]: row for row in json.loads(out.stdout)}
    assert names["Turkey"]["iso3"] == "TUR" and names["Turkey"]["basis"] == "override"
    assert names["Former Yugoslavia"]["iso3"] is None
    assert "Brazil" not in names  # pycountry's own matches only with --all-names


@pytest.mark.parametrize(("args", "message"), [
    (["landscape", "--countries", "XXX"], "unknown country code"),
    (["landscape"], "give --countries"),
    (["scores", "--indication", "hypertension", "--experience-weight", "-1"],
     "finite and non-negative"),
])
def test_refusals_exit_2_with_a_message(args, message):
    out = run_cli(*args)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_scores_keep_three_weights_and_take_an_experience_weight():
    plain = run_cli("scores", "--region", "Eastern Europe", "--indication", "hypertension",
                    "--weights", "1", "1", "1", "--json")
    zero = run_cli("scores", "--region", "Eastern Europe", "--indication", "hypertension",
                   "--weights", "1", "1", "1", "--experience-weight", "0", "--json")
    assert plain.returncode == 0 and plain.stdout == zero.stdout
    assert "experience_score" not in json.loads(plain.stdout)[0]
    weighted = run_cli("scores", "--region", "Eastern Europe", "--indication", "hypertension",
                       "--weights", "1", "1", "1", "--experience-weight", "3", "--json")
    rows = json.loads(weighted.stdout)
    assert all("experience_score" in row for row in rows)
    assert max(row["score_components_used"] for row in rows) == 4
    assert {row["iso3"]: row["attractiveness"] for row in rows} != {
        row["iso3"]: row["attractiveness"] for row in json.loads(plain.stdout)}


def test_landscape_without_its_file_exits_1_naming_it(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns(".cache"))
    derived = landscape.DERIVED_FILES["landscape"]  # what the build reads (make data derives it)
    (data / derived).unlink()
    monkeypatch.setattr(cli, "open_database",
                        lambda load_spatial=True: database.build_database(data))
    assert cli.main(["landscape", "--countries", "USA"]) == 1
    err = capsys.readouterr().err
    assert "trial landscape is not available" in err and derived in err
    assert cli.main(["pool", "--indication", "hypertension", "--countries", "USA"]) == 0
