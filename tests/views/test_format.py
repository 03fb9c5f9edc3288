"""Shared formatting: values with units, years, legends, table heights, CSV, slugs."""

from __future__ import annotations

import io
import re

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
    (np.inf, "", "no data"),
    (1_412_000_000, "people", "1.41B people"),
    (3_154_295.2, "patients", "3.15M patients"),
    (15_589_448, "patients", "15.6M patients"),  # three significant figures
    (85_810.4, "current international $", "85,800 current international $"),
    (187.0, "per 100000 people per year", "187 per 100000 people per year"),
    (31.04, "% of population", "31.0 % of population"),
    (0.034, "", "0.0340"),
    (-0.48, "estimate", "-0.480 estimate"),
    (0, "", "0"),
])
def test_format_value(value, unit, text):
    assert fmt.format_value(value, unit) == text


def test_slug_and_download_name():
    assert fmt.slug("European Union") == "european-union"
    assert fmt.slug("Data & methods") == "data-methods"
    assert fmt.download_name("ranking", "Attractiveness", "Type 2 diabetes", "",
                             "Latin America + Brazil") == (
        "trial-footprint-ranking-attractiveness-type-2-diabetes-latin-america-brazil.csv")


@pytest.mark.parametrize("value, rounded", [
    (15_589_448, 15_600_000), (9_637.2, 9_640), (0.012345, 0.0123), (-1234, -1230), (0, 0)])
def test_significant_rounds_to_three_figures(value, rounded):
    assert fmt.significant(value) == pytest.approx(rounded)


def test_shown_rounds_counts_only():
    table = pd.DataFrame({"Count [patients]": [15_589_448.0, np.nan], "Score [0-100]": [83.84, 1.0],
                          "Reachable patients": [9_637.2, 1.0]})
    out = fmt.shown(table)
    assert out["Count [patients]"].iloc[0] == 15_600_000 and pd.isna(out["Count [patients]"][1])
    assert out["Reachable patients"].iloc[0] == 9_640
    assert out["Score [0-100]"].iloc[0] == 83.84  # not a count


def test_years_and_finite_values():
    assert fmt.year_text(2024.0) == "2024" and fmt.year_text(pd.NA) == ""
    assert fmt.year_range(2019, 2024) == "2019–2024" and fmt.year_range(2023, 2023) == "2023"
    assert fmt.year_range(None, None) == "—" and fmt.missing("no data") == "— (no data)"
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


def test_legend_html_has_each_colour_label_and_count_escaped():
    legend = [maps.LegendEntry((255, 0, 0, 255), "0 – 1"),
              maps.LegendEntry((0, 0, 255, 255), "<b>1 – 2</b>"),
              maps.LegendEntry(maps.NO_DATA, "no data")]
    table = fmt.legend_html(legend, [1234, 0, 1], "score [/ 100]", "units")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table)
    assert len(cells) == 9 and "background:#ff0000" in cells[0] and "#c8c8c8" in cells[6]
    assert cells[1::3] == ["0 – 1", "&lt;b&gt;1 – 2&lt;/b&gt;", "no data"]
    assert cells[2::3] == ["1,234", "0", "1"]
    assert re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table) == ["", "score [/ 100]", "units"]
    with pytest.raises(ValueError, match="2 counts for 3 legend entries"):
        fmt.legend_html(legend, [1, 2])


def test_table_height():
    assert fmt.table_height(3) == 38 + 3 * 35 and fmt.table_height(100, 10) == 38 + 350


def test_table_csv_neutralises_formulas_and_keeps_numbers():
    table = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "+1", "Brazil", "@SUM(A1)"],
                          "score": [-1.5, 2.0, 3.0, 4.0]})
    text = fmt.table_csv(table).decode("utf-8")
    back = pd.read_csv(io.StringIO(text))
    assert list(back["name"]) == ["'=HYPERLINK(\"x\")", "'+1", "Brazil", "'@SUM(A1)"]
    assert list(back["score"]) == [-1.5, 2.0, 3.0, 4.0]  # still numbers, sign kept


def test_table_csv_rounds_and_carries_the_settings(raw_missing):
    table = pd.DataFrame({"Country": ["Brazil", None], "Count [patients]": [9637.23, np.nan],
                          "Score [0-100]": [83.8412, np.inf], "Rank": [1.0, 2.0]})
    settings = fmt.settings_columns("Type 2 diabetes", scoring.Weights(10, 2, 5), 0.1, 90.0,
                                    False)
    text = fmt.table_csv(table, settings).decode("utf-8")
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns[:4]) == list(table.columns)
    assert back["Count [patients]"].iloc[0] == 9637 and pd.isna(back["Score [0-100]"].iloc[1])
    assert back["Score [0-100]"].iloc[0] == 83.84
    assert "1,Brazil" not in text and "Brazil,9637,83.84,1," in text  # whole numbers: no '.0'
    assert back["Country"].iloc[1] == "—"
    assert back["Indication"].iloc[0] == "Type 2 diabetes"
    assert back["Weights (pool / friction / infrastructure)"].iloc[0] == "10 / 2 / 5"
    assert back["Eligible share [%]"].iloc[0] == 10 and back["Site activation [days]"][0] == 90
    assert "left out" in back["Gated countries"].iloc[0]
    assert raw_missing(text, "csv") == []


@pytest.mark.parametrize("experience, shown, share", [(0.0, 0, ""),
                                                       (5.0, 5, "trial experience 25 %")])
def test_table_csv_carries_the_trial_experience_weight(experience, shown, share):
    settings = fmt.settings_columns("HIV", scoring.Weights(5, 5, 5, experience), 0.1, 90.0,
                                    False)
    back = pd.read_csv(io.StringIO(fmt.table_csv(pd.DataFrame({"Rank": [1]}),
                                                 settings).decode("utf-8")))
    assert back["Weight of trial experience (0: not scored)"].iloc[0] == shown
    assert back["Weights (pool / friction / infrastructure)"].iloc[0] == "5 / 5 / 5"
    assert back["Weights [%]"].iloc[0].endswith(share or "infrastructure 33 %")


def test_links_markdown_links_addresses_and_escapes_the_rest():
    text = fmt.links_markdown("ofac.treasury.gov/faqs/1009 (list *checked*); PMDA note; "
                              "https://x.org/a(b)")
    assert text.startswith("[ofac.treasury.gov/faqs/1009](https://ofac.treasury.gov/faqs/1009)")
    assert r"\*checked\*" in text and "; PMDA note; " in text
    assert "(https://x.org/a%28b%29)" in text
    assert fmt.links_markdown("") == "—"
    long = "a.org/" + "x" * 100
    assert "…](https://a.org/" in fmt.links_markdown(long)
    assert fmt.markdown_escape("$5 <b>") == r"\$5 \<b\>"


def test_gate_texts_name_the_date_and_penalty():
    assert "as of 2026-11" in fmt.gate_text(False) and "left out" in fmt.gate_text(False)
    assert "30 points off" in fmt.gate_text(True)
    assert fmt.badged("Russia", True) == "Russia (gated)" and fmt.badged("Chile", False) == "Chile"
    assert fmt.left_out_notice(pd.DataFrame(), [], "x") == ""
