"""Reports carry the trial-experience weight beside the other three: the workbook's Metadata
sheet (as Excel opens it) and the one-pager's settings line."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest

from footprint.data import atlas, model_inputs
from footprint.enrollment import forecast, planning
from footprint.io import report_xlsx as rx
from footprint.io.report_meta import ReportMeta
from footprint.io.scenario_json import scenario_from_json
from footprint.model import scoring
from tests.scenarios import EXAMPLE

WHEN = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def world(database):
    con = database.cursor()
    inputs = model_inputs.load_inputs(con)
    scenario = scenario_from_json(EXAMPLE.read_text())
    frame = scoring.country_frame(inputs, scenario.indication)
    resolved = planning.resolve_with_model(inputs, scenario)
    return {"resolved": resolved, "result": forecast.forecast(resolved, n_sims=500),
            "frame": frame, "sources": atlas.data_sources(con)}


def metadata(world, weights: scoring.Weights) -> dict:
    meta = ReportMeta(weights=weights, generated_at=WHEN, app_version="9.9.9")
    data = rx.scenario_workbook(world["resolved"], world["result"], meta,
                                frame=world["frame"], sources=world["sources"])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Metadata"]
    return {row[0].value: (row[1].value, row[2].value) for row in sheet.iter_rows(min_row=2)
            if row[0].value}


@pytest.mark.parametrize("experience", [0.0, 7.5])
def test_the_workbook_metadata_holds_the_experience_weight(world, experience):
    rows = metadata(world, scoring.Weights(2, 1, 1, experience))
    assert rows["Weight: trial experience"] == (experience, "relative (0: not scored)")
    assert rows["Weight: patient pool"] == (2, "relative")  # not "'-": a lone '-' is escaped
    labels = list(rows)
    assert labels.index("Weight: trial experience") == labels.index("Weight: infrastructure") + 1


def test_the_settings_line_names_the_four_weights():
    line = ReportMeta(weights=scoring.Weights(2, 1, 1, 7.5), generated_at=WHEN).settings_text()
    assert line.startswith("Weights pool 2 / friction 1 / infrastructure 1 / trial "
                           "experience 7.5; ")
    assert "trial experience 0;" in ReportMeta(generated_at=WHEN).settings_text()
