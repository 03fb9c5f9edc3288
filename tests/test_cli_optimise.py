"""``footprint optimise``: the proposal to a Monte Carlo confidence, its JSON and its file."""

from __future__ import annotations

import json
import re

import pytest

from footprint.cli import main
from footprint.io.scenario_json import scenario_from_json, scenario_to_json
from footprint.paths import EXAMPLES_DIR

EXAMPLE = EXAMPLES_DIR / "scenario_latam_hypertension.json"


def optimise(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["optimise", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_json_proposal_meets_the_confidence_and_its_file_reads_back(capsys, tmp_path):
    out_file = tmp_path / "proposal.json"
    code, out, err = optimise(capsys, str(EXAMPLE), "--confidence", "0.8", "--sims", "2000",
                              "--json", "--out", str(out_file))
    assert code == 0, err
    result = json.loads(out)
    assert result["met"] is True and result["reason"] is None
    assert result["prob_by_deadline"] >= 0.8 and result["confidence"] == 0.8
    months = result["months_to_target"]
    assert months["p10"] <= months["p50"] <= months["p90"]
    assert result["cost"] is None  # the example gives no cost: not counted, not 0
    sites = {c["iso3"]: c["sites"] for c in result["countries"]}
    assert sites.keys() == {"BRA", "MEX", "ARG", "COL"}
    assert all(c["sites"] <= c["max_sites"] and c["added"] >= 0 for c in result["countries"])
    written = scenario_from_json(out_file.read_text(encoding="utf-8"))
    assert {p.iso3: p.sites for p in written.countries} == sites
    assert sum(sites.values()) == result["total_sites"]
    checked = {c["total_sites"]: c["prob_by_deadline"] for c in result["checks"]}
    assert checked[result["total_sites"]] >= 0.8 > checked[result["total_sites"] - 1]


def test_the_human_output_rounds_months_to_a_tenth(capsys):
    code, out, _ = optimise(capsys, str(EXAMPLE), "--sims", "1000")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("months to target"))
    assert re.fullmatch(r"months to target P10/P50/P90: \d+\.\d / \d+\.\d / \d+\.\d", line)
    assert re.search(r"chance of meeting the deadline \(Monte Carlo, 1,000 trials\): "
                     r"\d+\.\d %", out)


def test_costs_make_it_the_cheapest_plan_and_are_reported(capsys, tmp_path):
    data = json.loads(scenario_to_json(scenario_from_json(EXAMPLE.read_text("utf-8"))))
    for country in data["countries"]:
        country["site_startup_cost"] = 50_000.0
        country["site_monthly_cost"] = 2_000.0
    path = tmp_path / "costed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = optimise(capsys, str(path), "--sims", "1000", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["objective"] == "min_cost" and result["cost"] > 0
    breakdown = result["cost_breakdown"]
    assert breakdown["per_patient"] is None  # not given: not counted
    assert result["cost"] == pytest.approx(breakdown["site_startup"] + breakdown["site_monthly"])
    assert breakdown["site_startup"] == 50_000.0 * result["total_sites"]


def test_a_budget_too_small_says_why(capsys):
    code, out, _ = optimise(capsys, str(EXAMPLE), "--budget", "40", "--sims", "1000",
                            "--json")
    result = json.loads(out)
    assert code == 0 and result["met"] is False and result["total_sites"] == 40
    assert "the site budget of 40 sites is used" in result["reason"]
    assert "raise the site budget" in result["reason"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--confidence", "1"], "strictly between 0 and 1"),
        (["--confidence", "0"], "strictly between 0 and 1"),
        (["--budget", "0"], "--budget must be a number of sites from 1 to 5,000"),
        (["--budget", "10"], "above the site budget (10): allowed budgets are 38 to 5,000"),
        (["--sims", "5"], "--sims must be between"),
    ],
)
def test_bad_input_exits_2_with_the_allowed_range(capsys, args, message):
    code, out, err = optimise(capsys, str(EXAMPLE), *args)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_a_scenario_without_a_deadline_is_refused(capsys, tmp_path):
    data = json.loads(EXAMPLE.read_text("utf-8"))
    del data["deadline_months"]
    path = tmp_path / "open.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = optimise(capsys, str(path))
    assert code == 2 and "has no deadline_months" in err
