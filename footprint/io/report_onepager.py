"""The executive one-pager: a risk map, tier counts, top countries, flags, the date and the
sources on one A4 page (PDF) or one 16:9 slide (PowerPoint).

:func:`risk_onepager` gathers what the page shows from the model's country frame and the
tables the views make; :func:`onepager_pdf` and :func:`onepager_pptx` lay it out. The map is
drawn here, with no network (:mod:`footprint.io.report_map`); text is set in DejaVu Sans,
the font matplotlib ships, so every country name prints on any machine.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import matplotlib
import pandas as pd
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import TableBordersLayout
from fpdf.fonts import FontFace
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from footprint.assumptions import GATE_PENALTY_POINTS, REGISTRY
from footprint.enrollment.forecast import ForecastResult
from footprint.io.report_map import HATCH_COLOR, MapKey, risk_map_png
from footprint.io.report_meta import ATTRIBUTION, ReportMeta, source_lines
from footprint.model.scoring import TIERS

TOP_COLUMNS: Final = {"Region": "Region", "Rank": "#", "Country": "Country",
                      "Attractiveness [0-100]": "Score", "Risk tier": "Tier",
                      "Reachable patients": "Reachable patients"}
"""Columns of the top-countries table printed (those of the table it is given) and their
printed headings."""
FLAG_COLUMNS: Final = {"Country": "Country", "Region": "Region", "Gate": "Gate",
                       "Approval [days]": "Approval [days]", "Risk tier": "Tier",
                       "Flags": "Flags"}
"""Columns of the flags table printed and their printed headings."""
MAX_TOP_ROWS: Final = 18
"""[rows] Top countries printed (three in each of the six regions)."""
MAX_FLAG_ROWS: Final = 10
"""[rows] Flagged countries printed; a line counts the rest."""
PDF_MIME: Final = "application/pdf"
PPTX_MIME: Final = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

_FONTS: Final = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_FONT: Final = "DejaVu"
_INK: Final = (33, 37, 41)
_MUTED: Final = (90, 98, 106)
_HEAD_FILL: Final = (232, 238, 244)


@dataclass(frozen=True, slots=True, eq=False)
class OnePager:
    """Everything the one-pager prints.

    Parameters
    ----------
    title, subtitle : the heading (subtitle: scope, indication).
    shapes : the map's countries: ``geometry``, ``fill``, ``hatch``, ``outline``
        (see :func:`footprint.io.report_map.risk_map_png`).
    legend : the map's legend, counts included.
    extent : what the map frames [degrees].
    figures : (label, value) headline figures: tier counts, the forecast.
    top, flags : display tables of the top countries and of the flagged ones.
    notes : sentences printed under the tables (rules, what was left out, settings).
    sources : one line per data source.
    meta : the settings and date of the report.
    """

    title: str
    subtitle: str
    shapes: gpd.GeoDataFrame
    legend: tuple[MapKey, ...]
    extent: tuple[float, float, float, float]
    figures: tuple[tuple[str, str], ...]
    top: pd.DataFrame
    flags: pd.DataFrame
    notes: tuple[str, ...]
    sources: tuple[str, ...]
    meta: ReportMeta


def risk_onepager(shapes: gpd.GeoDataFrame, fills: Sequence[Any], frame: pd.DataFrame,
                  in_scope: Collection[str], legend: Sequence[MapKey], *, title: str,
                  subtitle: str, top: pd.DataFrame, flags: pd.DataFrame, meta: ReportMeta,
                  sources: pd.DataFrame, extent: tuple[float, float, float, float] | None = None,
                  highlight: Collection[str] = (), figures: Sequence[tuple[str, str]] = (),
                  notes: Sequence[str] = (), include_gated: bool = False) -> OnePager:
    """The one-pager of a scope: its countries' tiers, gated ones hatched.

    Parameters
    ----------
    shapes : :func:`footprint.data.atlas.country_shapes` (``iso3``, ``geometry``).
    fills : one map fill per row of ``shapes`` (as the app's risk map colours them).
    frame : :func:`footprint.model.scoring.country_frame` (``gated``, ``gate_label``, names).
    in_scope : ISO3 codes the report is about.
    legend : the map's legend with counts; its hatched entry marks the gated countries,
        which are hatched and outlined in its colour (one is added when none is).
    top, flags : the app's top-countries and flags tables (``footprint.views.executive``).
    meta : settings and date; sources : :func:`footprint.data.atlas.data_sources`.
    extent : what the map frames [degrees]; default the countries in scope.
    highlight : ISO3 codes drawn with a heavy outline (a scenario's countries).
    figures : headline figures printed after the tier counts.
    notes : sentences printed before the settings.
    include_gated : ``top`` ranks the gated countries with the gate penalty (else it leaves
        them out, the default).
    """
    scope = set(in_scope)
    gated = frame["gated"].fillna(False).astype(bool)
    gated_in_scope = sorted(c for c in scope if c in gated.index and gated[c])
    iso3 = shapes["iso3"]
    map_frame = gpd.GeoDataFrame(
        {"iso3": iso3.to_numpy(), "fill": list(fills),
         "hatch": iso3.isin(gated_in_scope).to_numpy(),
         "outline": iso3.isin(set(highlight)).to_numpy()},
        geometry=shapes.geometry.to_numpy(), crs=shapes.crs)
    keys = list(legend)
    if gated_in_scope and not any(k.hatch for k in keys):
        keys.append(MapKey("gated: embargo, sanctions or war", HATCH_COLOR,
                           len(gated_in_scope), hatch=True))
    counts = tuple((_figure_label(k), f"{k.count} countries") for k in keys
                   if k.count is not None)
    listed = ", ".join(f"{_name(frame, c)} ({frame.at[c, 'gate_label']})"
                       for c in gated_in_scope)
    gate_note = (
        f"Gated countries ({listed}) are "
        + (f"ranked {GATE_PENALTY_POINTS:g} points down" if include_gated
           else "left out of the top countries")
        + f" and always count as high risk; sanctions and war as of {meta.gate_as_of} "
        f"({REGISTRY['GATE_AS_OF'].source})." if gated_in_scope else
        f"No country in scope is gated (embargo, sanctions or war) as of {meta.gate_as_of}.")
    if extent is None:
        minx, miny, maxx, maxy = (float(b) for b in shapes[iso3.isin(scope)].total_bounds)
        extent = (minx, miny, maxx, maxy)
    return OnePager(
        title=title, subtitle=subtitle, shapes=map_frame, legend=tuple(keys), extent=extent,
        figures=counts + tuple(figures),
        top=_printed(top, TOP_COLUMNS), flags=_printed(flags, FLAG_COLUMNS),
        notes=(*notes, gate_note, meta.settings_text()),
        sources=tuple(source_lines(sources)), meta=meta)


def _printed(table: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    return table[[c for c in columns if c in table.columns]].rename(columns=columns)


def forecast_figures(result: ForecastResult) -> tuple[tuple[str, str], ...]:
    """The headline figures of a forecast: months to target, the deadline's odds, cost."""
    def months(x: float) -> str:
        return f"{x:.1f}" if math.isfinite(x) else f"over {result.horizon_months}"

    out = [("Target", f"{result.target_patients:,} patients"),
           ("Months to target, P50", f"{months(result.p50)} months"),
           ("P10 to P90", f"{months(result.p10)} to {months(result.p90)} months")]
    if result.deadline_months is not None and result.prob_by_deadline is not None:
        out.append((f"P(target by month {result.deadline_months:g})",
                    f"{result.prob_by_deadline:.0%}"))
    if result.total_cost_at_p50 is not None:
        out.append(("Expected cost at P50", f"{result.total_cost_at_p50:,.0f}"))
    return tuple(out)


def _figure_label(key: MapKey) -> str:
    if key.hatch:
        return "Gated (embargo, sanctions, war)"
    return f"{key.label.capitalize()} risk" if key.label in TIERS else key.label.capitalize()


def _name(frame: pd.DataFrame, iso3: str) -> str:
    name = frame.at[iso3, "name"] if "name" in frame.columns else None
    return name if isinstance(name, str) and name else iso3


def _cell(value: Any) -> str:
    """A table value as printed: whole numbers grouped, others to one decimal."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if float(value).is_integer() or abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.1f}"
    return str(value)


def _rows(table: pd.DataFrame, limit: int) -> tuple[list[list[str]], int]:
    """Header and up to ``limit`` printed rows; and how many rows were left out."""
    shown = table.head(limit)
    body = [[_cell(v.item() if hasattr(v, "item") else v) for v in row]
            for row in shown.itertuples(index=False)]
    return [[str(c) for c in table.columns], *body], max(len(table) - limit, 0)


# --- PDF ---------------------------------------------------------------------------------------
_PAGE_W, _PAGE_H, _MARGIN = 297.0, 210.0, 10.0  # A4 landscape [mm]
_MAP_W, _MAP_H = 168.0, 94.0  # [mm]


def onepager_pdf(page: OnePager) -> bytes:
    """The one-pager as a one-page A4 landscape PDF."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.add_font(_FONT, "", _FONTS / "DejaVuSans.ttf")
    pdf.add_font(_FONT, "B", _FONTS / "DejaVuSans-Bold.ttf")
    pdf.add_font(_FONT, "I", _FONTS / "DejaVuSans-Oblique.ttf")
    pdf.set_title(page.title)
    pdf.set_author(f"Trial Footprint {page.meta.app_version}")
    pdf.set_subject(page.subtitle)
    pdf.set_creation_date(page.meta.generated_at)
    pdf.add_page()
    pdf.set_text_color(*_INK)

    pdf.set_font(_FONT, "B", 16)
    pdf.set_xy(_MARGIN, _MARGIN)
    pdf.cell(0, 7, _printable(page.title))
    pdf.set_font(_FONT, "", 9)
    pdf.set_xy(_MARGIN, _MARGIN)
    pdf.cell(0, 7, f"{page.meta.date} (UTC)", align="R")
    pdf.set_xy(_MARGIN, _MARGIN + 7.5)
    pdf.set_text_color(*_MUTED)
    pdf.cell(0, 5, _printable(page.subtitle))
    pdf.set_text_color(*_INK)

    top_y = _MARGIN + 15
    png = risk_map_png(page.shapes, page.legend, extent=page.extent,
                       size_in=(_MAP_W / 25.4, _MAP_H / 25.4), dpi=220)
    pdf.image(io.BytesIO(png), x=_MARGIN, y=top_y, w=_MAP_W, h=_MAP_H)

    right = _MARGIN + _MAP_W + 6
    width = _PAGE_W - _MARGIN - right
    pdf.set_left_margin(right)
    pdf.set_xy(right, top_y)
    _pdf_heading(pdf, "At a glance")
    pdf.set_font(_FONT, "", 7.5)
    for label, value in page.figures:
        pdf.set_x(right)
        pdf.cell(width * 0.62, 3.6, _printable(label))
        pdf.set_font(_FONT, "B", 7.5)
        pdf.cell(width * 0.38, 3.6, value, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FONT, "", 7.5)
    pdf.ln(2)
    _pdf_heading(pdf, "Top countries per region")
    _pdf_table(pdf, page.top, MAX_TOP_ROWS, width, (2.2, 0.7, 2.6, 1.3, 1.1, 1.6), 6.5)
    pdf.set_left_margin(_MARGIN)

    pdf.set_xy(_MARGIN, max(top_y + _MAP_H + 3, pdf.get_y() + 2))
    _pdf_heading(pdf, "Flags that matter")
    _pdf_table(pdf, page.flags, MAX_FLAG_ROWS, _PAGE_W - 2 * _MARGIN,
               (1.6, 2.2, 1.3, 1.0, 0.8, 4.2), 6.5)

    pdf.ln(1.5)
    pdf.set_font(_FONT, "", 6.5)
    for note in page.notes:
        pdf.multi_cell(0, 3.0, _printable(note), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_text_color(*_MUTED)
    pdf.set_font(_FONT, "B", 6)
    pdf.multi_cell(0, 2.7, ATTRIBUTION, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 5.5)
    pdf.multi_cell(0, 2.5, "Sources: " + " · ".join(page.sources), align="L",
                   new_x="LMARGIN", new_y="NEXT")
    if pdf.get_y() > _PAGE_H - _MARGIN / 2 or pdf.page_no() != 1:
        raise ValueError("the one-pager's content does not fit on one page")
    return bytes(pdf.output())


@functools.cache
def _font_chars() -> frozenset[int]:
    """Code points the PDF's font draws (DejaVu Sans has no emoji, e.g. the gate badge)."""
    with TTFont(_FONTS / "DejaVuSans.ttf") as font:
        return frozenset(font.getBestCmap())


def _printable(text: str) -> str:
    """``text`` without the characters the PDF's font cannot draw."""
    chars = _font_chars()
    return "".join(ch for ch in text if ord(ch) in chars or ch == "\n").strip()


def _pdf_heading(pdf: FPDF, text: str) -> None:
    pdf.set_font(_FONT, "B", 9.5)
    pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")


def _pdf_table(pdf: FPDF, table: pd.DataFrame, limit: int, width: float,
               weights: Sequence[float], size: float) -> None:
    rows, left_out = _rows(table, limit)
    rows = [[_printable(v) for v in row] for row in rows]
    if len(rows) == 1:
        pdf.set_font(_FONT, "I", size)
        pdf.cell(0, 4, "None.", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(_FONT, "", size)
    col_widths = list(weights[:len(rows[0])])
    with pdf.table(rows, width=width, col_widths=col_widths, align="LEFT",
                   line_height=size * 0.48, text_align="LEFT", padding=(0.2, 0.8),
                   borders_layout=TableBordersLayout.HORIZONTAL_LINES,
                   headings_style=FontFace(emphasis="BOLD", fill_color=_HEAD_FILL)):
        pass
    if left_out:
        pdf.set_font(_FONT, "I", size)
        pdf.cell(0, 3.5, f"... and {left_out} more (see the CSV download)",
                 new_x="LMARGIN", new_y="NEXT")


# --- PowerPoint --------------------------------------------------------------------------------
_SLIDE_W, _SLIDE_H = Inches(13.333), Inches(7.5)
_SLIDE_MAP_W, _SLIDE_MAP_H = 7.5, 3.75  # [inches]
MAX_SLIDE_FLAG_ROWS: Final = 8
"""[rows] Flagged countries on the slide (fewer than on the page); a line counts the rest."""


def onepager_pptx(page: OnePager) -> bytes:
    """The one-pager as one 16:9 PowerPoint slide (map picture, tables, notes, sources)."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = _SLIDE_W, _SLIDE_H
    props = deck.core_properties
    props.title, props.subject = page.title, page.subtitle
    props.author = f"Trial Footprint {page.meta.app_version}"
    props.created = props.modified = page.meta.generated_at.replace(tzinfo=None)
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank
    margin = Inches(0.35)

    _text(slide, margin, Inches(0.2), Inches(10), Inches(0.5), page.title, 24, bold=True)
    _text(slide, Inches(10.4), Inches(0.25), Inches(2.6), Inches(0.4),
          f"{page.meta.date} (UTC)", 12, align_right=True)
    _text(slide, margin, Inches(0.72), Inches(12.6), Inches(0.35), page.subtitle, 13,
          color=_MUTED)

    png = risk_map_png(page.shapes, page.legend, extent=page.extent,
                       size_in=(_SLIDE_MAP_W, _SLIDE_MAP_H), dpi=200)
    map_top = Inches(1.15)
    slide.shapes.add_picture(io.BytesIO(png), margin, map_top, Inches(_SLIDE_MAP_W),
                             Inches(_SLIDE_MAP_H))
    below = map_top + Inches(_SLIDE_MAP_H + 0.08)
    shown = min(len(page.flags), MAX_SLIDE_FLAG_ROWS)
    _text(slide, margin, below, Inches(_SLIDE_MAP_W), Inches(0.3), "Flags that matter" + (
        f" ({shown} of {len(page.flags)}; all in the CSV download)"
        if shown < len(page.flags) else ""), 12, bold=True)
    _table(slide, page.flags, MAX_SLIDE_FLAG_ROWS, margin, below + Inches(0.3),
           Inches(_SLIDE_MAP_W), (1.2, 2.4, 1.1, 0.8, 0.7, 2.9), 7.5, Inches(0.16))

    left = margin + Inches(_SLIDE_MAP_W + 0.25)
    width = _SLIDE_W - left - margin
    _text(slide, left, Inches(1.1), width, Inches(0.9),
          "\n".join(f"{label}: {value}" for label, value in page.figures), 9.5, bold=True)
    _text(slide, left, Inches(2.0), width, Inches(0.3),
          "Top countries per region (score 0-100)", 12, bold=True)
    _table(slide, page.top, MAX_TOP_ROWS, left, Inches(2.3), width,
           (1.7, 0.3, 2.3, 0.7, 0.85, 1.35), 8, Inches(0.18))
    _text(slide, left, below + Inches(0.12), width, Inches(2.0), "\n".join(page.notes), 7,
          color=_MUTED)
    _text(slide, margin, _SLIDE_H - Inches(0.36), _SLIDE_W - 2 * margin, Inches(0.3),
          ATTRIBUTION + " Sources: " + "; ".join(dict.fromkeys(
              s.split(" (")[0].split(":")[0] for s in page.sources)) + ".", 6.5, color=_MUTED)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _text(slide: Any, left: int, top: int, width: int, height: int, text: str, size: float,
          *, bold: bool = False, color: tuple[int, int, int] = _INK,
          align_right: bool = False) -> None:
    from pptx.enum.text import PP_ALIGN

    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        if align_right:
            paragraph.alignment = PP_ALIGN.RIGHT
        font = paragraph.font
        font.size, font.bold, font.color.rgb = Pt(size), bold, RGBColor(*color)


def _table(slide: Any, table: pd.DataFrame, limit: int, left: int, top: int, width: int,
           weights: Sequence[float], size: float, row_height: int) -> None:
    rows, _ = _rows(table, limit)
    if len(rows) == 1:
        _text(slide, left, top, width, Inches(0.3), "None.", size)
        return
    shape = slide.shapes.add_table(len(rows), len(rows[0]), left, top, width,
                                   Emu(row_height * len(rows)))
    grid = shape.table
    used = weights[:len(rows[0])]
    for j, w in enumerate(used):
        grid.columns[j].width = Emu(int(width * w / sum(used)))
    for i, values in enumerate(rows):
        grid.rows[i].height = row_height
        for j, value in enumerate(values):
            cell = grid.cell(i, j)
            cell.text = _printable(value)
            cell.margin_top = cell.margin_bottom = Inches(0.01)
            cell.margin_left = cell.margin_right = Inches(0.04)
            font = cell.text_frame.paragraphs[0].font
            font.size, font.bold = Pt(size), i == 0
            font.color.rgb = RGBColor(*_INK)
            cell.fill.solid()
            cell.fill.fore_color.rgb = RGBColor(*(_HEAD_FILL if i == 0 else (255, 255, 255)))
