"""`footprint report`: a scenario file, a report workbook or a stored id in, the files out."""

from __future__ import annotations

import io
import subprocess
import sys

import openpyxl
from pptx import Presentation
from pypdf import PdfReader

from footprint.io.report_xlsx import scenario_from_workbook
from footprint.io.scenario_json import scenario_from_json
from footprint.store.workspace import TEAM_USER, open_store
from tests.scenarios import EXAMPLE


def report(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "footprint", "report", *args],
                          capture_output=True, text=True, env=env, cwd=cwd)


def test_one_scenario_to_all_three_files(tmp_path):
    out = report(str(EXAMPLE), "--sims", "500", "--xlsx", str(tmp_path / "r.xlsx"),
                 "--pdf", str(tmp_path / "r.pdf"), "--pptx", str(tmp_path / "r.pptx"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("wrote ") == 3
    data = (tmp_path / "r.xlsx").read_bytes()
    assert scenario_from_workbook(data) == scenario_from_json(EXAMPLE.read_text())
    assert openpyxl.load_workbook(io.BytesIO(data))["Metadata"]["B2"].value  # version
    pdf = PdfReader(tmp_path / "r.pdf")
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "LatAm hypertension, phase III" in text and "Heavy outline" in text
    deck = Presentation(tmp_path / "r.pptx")
    assert deck.slides[0].shapes[0].text_frame.text == "LatAm hypertension, phase III"


def test_an_edited_workbook_and_a_file_compare_in_one_workbook(tmp_path):
    first = tmp_path / "first.xlsx"
    assert report(str(EXAMPLE), "--sims", "500", "--xlsx", str(first)).returncode == 0
    book = openpyxl.load_workbook(first)
    book["Scenario"]["C2"] = "Edited in Excel"  # the name column, on one row of four
    book.save(first)
    out = report(str(first), "--xlsx", str(tmp_path / "bad.xlsx"))
    assert out.returncode == 2
    assert "Scenario sheet, row 3.name: differs from row 2 of the same scenario 1" in out.stderr
    for row in (3, 4, 5):
        book["Scenario"][f"C{row}"] = "Edited in Excel"
    book.save(first)
    out = report(str(first), str(EXAMPLE), "--sims", "500", "--xlsx", str(tmp_path / "c.xlsx"))
    assert out.returncode == 0, out.stderr
    forecast = openpyxl.load_workbook(tmp_path / "c.xlsx")["Forecast"]
    assert [forecast["B3"].value, forecast["C3"].value] == [
        "Edited in Excel", "LatAm hypertension, phase III"]


def test_a_stored_scenario_by_its_id(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = open_store(url)
    saved = store.save_scenario(EXAMPLE.read_text(), user=TEAM_USER)
    store.close()
    env = {**__import__("os").environ, "FOOTPRINT_DATABASE_URL": url}
    out = report(saved.id, "--sims", "500", "--pdf", str(tmp_path / "s.pdf"), env=env)
    assert out.returncode == 0, out.stderr
    assert len(PdfReader(tmp_path / "s.pdf").pages) == 1


def test_refusals_are_messages(tmp_path):
    cases = {
        ("nope.json", "--pdf", "x.pdf"): "no such file, nor a stored scenario id",
        (str(EXAMPLE),): "say what to write",
        (str(EXAMPLE), str(EXAMPLE), "--pdf", "x.pdf"): "--pdf and --pptx report one scenario",
        (str(EXAMPLE), "--xlsx", "x.xlsx", "--weights", "0", "0", "0"): "--weights",
        (str(EXAMPLE), "--xlsx", str(tmp_path / "no" / "x.xlsx"), "--sims", "100"):
            "cannot write",
    }
    for args, message in cases.items():
        out = report(*args, cwd=tmp_path)
        assert out.returncode == 2 and message in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    out = report(str(broken), "--xlsx", "x.xlsx", cwd=tmp_path)
    assert out.returncode == 2 and "not an Excel workbook" in out.stderr
