"""CSV cells: formula neutralisation is reversible and leaves no trigger; numbers stay plain."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from footprint.io.cells import FORMULA_TRIGGERS, csv_cell, neutralise_cell, unneutralise_cell


@settings(max_examples=200)
@given(st.text())
def test_neutralise_is_reversible_and_never_leaves_a_trigger(text):
    cell = neutralise_cell(text)
    assert unneutralise_cell(cell) == text
    assert not cell.startswith(FORMULA_TRIGGERS)


def test_cells_text_neutralised_numbers_plain():
    assert csv_cell("-x") == "'-x"
    assert csv_cell("+1") == "'+1"
    assert csv_cell("'a") == "''a"
    assert csv_cell(-3) == "-3"
    assert csv_cell(-2.5) == "-2.5"
    assert csv_cell(None) == ""
    assert csv_cell(float("nan")) == ""
    assert csv_cell(float("inf")) == "inf"
    assert csv_cell(2.0 / 3, 2) == "0.67"
    assert float(csv_cell(0.1 + 0.2)) == 0.1 + 0.2  # exact
