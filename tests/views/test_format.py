"""Shared formatting: values with units, years, legends, table heights, CSV, slugs."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from footprint.model import scoring
from footprint.views import format as fmt
from footprint.views import maps


@pytest.mark.parametrize("value, unit, text", [
    (None, "people", "no data"),
    (np.nan, "", "no data"),
    (pd.NA, "", "no data"),
    (1_412_000_000, "people", "1.41B people"),
    (3_154_295.2, "patients", "3.15M patients"),
    (85_810.4, "current international $", "85,810 current international $"),
    (187.0, "per 100000 people per year", "187 per 100000 people per year"),
    (31.04, "% of population", "31.0 % of population"),
    (0.034, "", "0.034"),
    (-0.48, "estimate", "-0.48 estimate"),
    (0, "", "0"),
])
def test_format_value(value, unit, text):
    assert fmt.format_value(value, unit) == text


def test_slug_and_download_name():
    assert fmt.slug("European Union") == "european-union"
    assert fmt.slug("Data & methods") == "data-methods"
    assert fmt.download_name("ranking", "Latin America", "SP.POP.TOTL", "csv") == (
        "trial-footprint-ranking-latin-america-sp-pop-totl.csv")


def test_years_and_finite_values():
    assert fmt.year_text(2024.0) == "2024" and fmt.year_text(pd.NA) == ""
    assert fmt.year_range(2019, 2024) == "2019–2024" and fmt.year_range(2023, 2023) == "2023"
    assert fmt.year_range(None, None) == "—"
    assert fmt.finite_or_none("1.5") == 1.5
    assert fmt.finite_or_none(np.inf) is None and fmt.finite_or_none("x") is None


def test_source_label_short_names_then_the_id():
    assert fmt.source_label("wdi") == "World Bank WDI"
    assert fmt.source_label("acme") == "acme"


def test_weights_text():
    assert fmt.weights_text(scoring.Weights(2, 1, 1)) == (
        "pool 50 % · friction 25 % · infrastructure 25 %")


def test_legend_rows_and_styler_paint_the_swatch():
    legend = [maps.LegendEntry((255, 0, 0, 255), "0 – 1"), maps.LegendEntry(maps.NO_DATA,
                                                                           "no data")]
    rows = fmt.legend_rows(legend, [3, 1], "days")
    assert list(rows.columns) == ["colour", "days", "countries"]
    assert list(rows["colour"]) == ["#ff0000", "#c8c8c8"]
    html = fmt.legend_styler(rows).to_html()
    assert "background-color: #ff0000" in html


def test_table_height():
    assert fmt.table_height(3) == 38 + 3 * 35 and fmt.table_height(100, 10) == 38 + 350


def test_table_csv_neutralises_formulas_and_keeps_numbers():
    table = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "+1", "Brazil", "@SUM(A1)"],
                          "score": [-1.5, 2.0, 3.0, 4.0]})
    text = fmt.table_csv(table).decode("utf-8")
    back = pd.read_csv(io.StringIO(text))
    assert list(back["name"]) == ["'=HYPERLINK(\"x\")", "'+1", "Brazil", "'@SUM(A1)"]
    assert list(back["score"]) == [-1.5, 2.0, 3.0, 4.0]  # still numbers, sign kept
