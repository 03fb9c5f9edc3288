"""`footprint report --experience-weight W`: the weight ranks the one-pager's top countries
and is printed in the workbook's metadata and the one-pager's settings; bad values and a
missing landscape are messages."""

from __future__ import annotations

import io
import subprocess
import sys

import openpyxl
from pypdf import PdfReader

from footprint.cli import main
from footprint.views import metrics
from tests.scenarios import EXAMPLE  # hypertension in Brazil, Mexico, Argentina, Colombia


def report(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "footprint", "report", str(EXAMPLE),
                           "--sims", "300", *args], capture_output=True, text=True, cwd=cwd)


def test_the_weight_reaches_the_workbook_and_the_one_pager(tmp_path):
    out = report("--experience-weight", "10", "--xlsx", str(tmp_path / "r.xlsx"),
                 "--pdf", str(tmp_path / "r.pdf"))
    assert out.returncode == 0, out.stderr
    book = openpyxl.load_workbook(io.BytesIO((tmp_path / "r.xlsx").read_bytes()))
    rows = {r[0].value: r[1].value for r in book["Metadata"].iter_rows() if r[0].value}
    assert rows["Weight: trial experience"] == 10
    assert rows["Weight: patient pool"] == 1
    text = " ".join(PdfReader(tmp_path / "r.pdf").pages[0].extract_text().split())
    assert "infrastructure 1 / trial experience 10;" in text
    # Latin America's top three for hypertension at 1/1/1: Brazil, Chile, Mexico; with trial
    # experience 10 (AACT 2023-10 studies per million): Chile, Argentina, Panama.
    assert "Panama" in text


def test_without_the_flag_the_weight_is_0_and_the_top_is_unchanged(tmp_path):
    out = report("--pdf", str(tmp_path / "r.pdf"))
    assert out.returncode == 0, out.stderr
    text = " ".join(PdfReader(tmp_path / "r.pdf").pages[0].extract_text().split())
    assert "infrastructure 1 / trial experience 0;" in text and "Panama" not in text


def test_bad_weights_are_messages(tmp_path):
    for value in ("-1", "nan", "inf"):
        out = report("--experience-weight", value, "--xlsx", "x.xlsx", cwd=tmp_path)
        assert out.returncode == 2, (value, out.stderr)
        assert "--weights and --experience-weight: weights must be finite and non-negative" \
            in out.stderr and "Traceback" not in out.stderr
    out = report("--experience-weight", "much", "--xlsx", "x.xlsx", cwd=tmp_path)
    assert out.returncode == 2 and "--experience-weight: invalid float value" in out.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_a_missing_landscape_refuses_the_weight_with_the_reason(tmp_path, monkeypatch, capsys):
    reason = "The trial landscape is not available: test"
    monkeypatch.setattr(metrics, "landscape_unavailable", lambda meta: reason)
    argv = ["report", str(EXAMPLE), "--sims", "300", "--xlsx", str(tmp_path / "x.xlsx")]
    assert main([*argv, "--experience-weight", "3"]) == 2
    assert f"--experience-weight: {reason}; leave it at 0" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()
    assert main(argv) == 0  # at 0 the report is made as before
