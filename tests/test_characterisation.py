"""Characterisation: outputs recorded before the package re-layout (issue 10) stay byte-equal.

The golden files in ``tests/golden/`` were written by the CLI of the flat ``footprint/``
package at commit 1b1b8f2; a change of layout must not change a byte of them. Regenerate them
only for a deliberate, documented change of numbers.

Scenario format version 2 (issue 12) added outputs and columns but changed no number: the
forecast JSON keeps every recorded field and value (it adds ``milestones``, the funnel and
sources of the new fields), and the CSV exports keep the recorded cells of every recorded
column (``schema_version`` now 2).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from footprint.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLE = str(ROOT / "examples" / "scenario_latam_hypertension.json")


def recorded(out, golden):
    """``out`` restricted to the keys of ``golden``, recursively (new fields dropped)."""
    if isinstance(golden, dict) and isinstance(out, dict):
        return {k: recorded(out[k], v) if k in out else "<missing>" for k, v in golden.items()}
    if isinstance(golden, list) and isinstance(out, list) and len(out) == len(golden):
        return [recorded(o, g) for o, g in zip(out, golden, strict=True)]
    return out


def test_example_p10_p50_p90_are_unchanged(capsys):
    assert main(["forecast", EXAMPLE, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["months_to_target"] == {
        "p10": 24.811123896431745, "p50": 28.540527701820864, "p90": 33.2545213799947}
    golden = json.loads((GOLDEN / "example_forecast.json").read_text())
    assert recorded(out, golden) == golden


def test_example_closed_form_is_unchanged(capsys):
    assert main(["forecast", EXAMPLE, "--json", "--method", "closed_form"]) == 0
    out = json.loads(capsys.readouterr().out)
    golden = json.loads((GOLDEN / "example_forecast_closed_form.json").read_text())
    assert recorded(out, golden) == golden


def recorded_cells(text: str, header: list[str]) -> list[list[str]]:
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return [[("1" if c == "schema_version" else row[c]) for c in header] for row in rows]


@pytest.mark.parametrize(("golden", "extra"), [
    ("example_export.csv", ["--with-forecast", "--sims", "2000"]),
    ("example_scenario.csv", []),
])
def test_csv_export_bytes_are_unchanged(tmp_path, golden, extra):
    out = tmp_path / "out.csv"
    assert main(["export", EXAMPLE, "--csv", str(out), *extra]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in out.read_bytes()
    old = list(csv.reader(io.StringIO((GOLDEN / golden).read_text(encoding="utf-8-sig"))))
    assert recorded_cells(out.read_text(encoding="utf-8"), old[0]) == old[1:]


def test_scores_csv_is_unchanged(tmp_path):
    """Same rows, columns, texts and counts; scores equal to 1e-12 (relative).

    The three weighted means of present components became one (footprint.model.components),
    which changes the last bit of some figures: a sum and a matrix product round differently.
    """
    out = tmp_path / "scores.csv"
    assert main(["scores", "--region", "Latin America", "--indication", "hypertension",
                 "--csv", str(out)]) == 0
    new, old = pd.read_csv(out), pd.read_csv(GOLDEN / "scores_latam_hypertension.csv")
    assert list(new.columns) == list(old.columns)
    floats = [c for c in old.columns if old[c].dtype == float]
    pd.testing.assert_frame_equal(new.drop(columns=floats), old.drop(columns=floats))
    assert_allclose(new[floats].to_numpy(), old[floats].to_numpy(), rtol=1e-12)


@pytest.mark.parametrize(("golden", "argv"), [
    ("pool_t2d.json", ["pool", "--indication", "type2_diabetes", "--countries", "USA,IND,JPN",
                       "--json"]),
    ("regions.json", ["regions", "--json"]),
])
def test_json_outputs_are_unchanged(capsys, golden, argv):
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == json.loads((GOLDEN / golden).read_text())
