"""Excel workbooks of a scenario or a comparison, and reading their scenarios back.

Sheets, in order:

``Scenario``
    The scenario inputs as the scenario CSV's rows (:mod:`footprint.io.scenario_csv`: the
    same columns, one row per scenario x country; each header cell has a comment with the
    field's rule). This sheet is what :func:`scenarios_from_workbook` reads: edit it and
    re-import.
``Countries``
    Every resolved value of every country with its source (user, model or default), the
    model's basis, and the forecast's patients and cost at P50.
``Forecast``
    P10/P50/P90 months to target, the probability of meeting the deadline and the other
    figures, one column per scenario; below, the cumulative curves and a chart of them.
``Milestones``
    Only when a forecast carries milestones.
``Assumptions``, ``Sources``, ``Metadata``
    The registry of defaults and limits, the data sources with the attribution, and what the
    report was made with (:class:`~footprint.io.report_meta.ReportMeta`).
``scenario_json`` (hidden)
    Each scenario's JSON: a cell holds a number as a double rounded to 16 digits, so when the
    ``Scenario`` sheet is unedited its scenarios are restored exactly from here.

Values are kept exact in the cells and rounded for display by number formats only; text cells
are neutralised against formula injection (:mod:`footprint.io.cells`).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import math
import re
import zipfile
from collections.abc import Collection, Sequence
from typing import Any, Final

import openpyxl
import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from footprint import assumptions
from footprint.assumptions import MAX_COMPARE, MAX_COUNTRIES, MAX_UPLOAD_BYTES
from footprint.enrollment.forecast import TRIAL, ForecastResult, Milestone
from footprint.enrollment.planning import Comparison
from footprint.enrollment.scenario import FIELDS, ResolvedScenario, Scenario
from footprint.errors import ScenarioError
from footprint.io.cells import neutralise_cell, unneutralise_cell
from footprint.io.report_meta import ATTRIBUTION, ReportMeta
from footprint.io.scenario_csv import (
    CSV_COUNTRY_COLUMNS,
    CSV_SCENARIO_COLUMNS,
    scenarios_from_csv,
)
from footprint.io.scenario_json import scenario_from_json, scenario_to_json

SCENARIO_SHEET: Final = "Scenario"
COUNTRIES_SHEET: Final = "Countries"
FORECAST_SHEET: Final = "Forecast"
MILESTONES_SHEET: Final = "Milestones"
ASSUMPTIONS_SHEET: Final = "Assumptions"
SOURCES_SHEET: Final = "Sources"
METADATA_SHEET: Final = "Metadata"
JSON_SHEET: Final = "scenario_json"
SCENARIO_COLUMNS: Final = CSV_SCENARIO_COLUMNS + CSV_COUNTRY_COLUMNS
"""Header of the ``Scenario`` sheet: the scenario CSV's input columns."""
MAX_SCENARIO_ROWS: Final = MAX_COMPARE * MAX_COUNTRIES
"""[rows] Most country rows a ``Scenario`` sheet may hold (a full comparison)."""
XLSX_MIME: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_CELL_CHARS: Final = 32_000  # Excel holds at most 32,767 characters in a cell
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f]")  # written as Excel's _xHHHH_ escapes
_EXACT_INT: Final = 2**53  # larger integers do not survive a double: written as text
_NUMBER_FORMATS: Final = {
    "int": "#,##0", "months": "0.0", "days": "0", "share": "0%", "rate": "0.00",
    "money": "#,##0", "score": "0.0", "plain": "General", "text": "@",
}


# --- Writing -----------------------------------------------------------------------------------
def scenario_workbook(resolved: ResolvedScenario, result: ForecastResult, meta: ReportMeta,
                      *, frame: pd.DataFrame, sources: pd.DataFrame) -> bytes:
    """The ``.xlsx`` report of one scenario and its forecast.

    Parameters
    ----------
    resolved : the scenario with every value filled in (its ``scenario`` is what is saved).
    result : its forecast.
    meta : settings and provenance of the report.
    frame : :func:`footprint.model.scoring.country_frame` (names, tiers, model bases).
    sources : :func:`footprint.data.atlas.data_sources`.
    """
    return _workbook([resolved], [result], [resolved.name], meta, frame, sources)


def comparison_workbook(resolved: Sequence[ResolvedScenario], comparison: Comparison,
                        meta: ReportMeta, *, frame: pd.DataFrame,
                        sources: pd.DataFrame) -> bytes:
    """The ``.xlsx`` report of a comparison (:func:`footprint.enrollment.planning.compare`
    of ``resolved``); the parameters are :func:`scenario_workbook`'s."""
    if len(resolved) != len(comparison.results):
        raise ValueError(f"{len(resolved)} scenarios for {len(comparison.results)} forecasts")
    labels = [str(s) for s in comparison.summary["scenario"]]
    return _workbook(list(resolved), list(comparison.results), labels, meta, frame, sources)


def _workbook(resolved: list[ResolvedScenario], results: list[ForecastResult],
              labels: list[str], meta: ReportMeta, frame: pd.DataFrame,
              sources: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    created = meta.generated_at.replace(tzinfo=None)
    book.set_properties({"title": "Trial Footprint report: " + ", ".join(labels),
                         "author": "Trial Footprint " + meta.app_version,
                         "comments": ATTRIBUTION, "created": created})
    styles = _Styles(book)
    scenarios = [r.scenario for r in resolved]
    _scenario_sheet(book, styles, scenarios)
    _countries_sheet(book, styles, resolved, results, labels, frame)
    _forecast_sheet(book, styles, resolved, results, labels)
    milestones = _milestones(results, labels)
    if milestones is not None:
        _frame_sheet(book, styles, MILESTONES_SHEET, milestones)
    _frame_sheet(book, styles, ASSUMPTIONS_SHEET, pd.DataFrame(assumptions.table()))
    _sources_sheet(book, styles, sources)
    _metadata_sheet(book, styles, meta, len(scenarios))
    _json_sheet(book, scenarios)
    book.close()
    return buffer.getvalue()


class _Styles:
    """The workbook's cell formats by name (``head``, ``note`` and the number formats)."""

    def __init__(self, book: Workbook):
        self.head = book.add_format({"bold": True, "bg_color": "#E8EEF4", "bottom": 1,
                                     "text_wrap": True, "valign": "top"})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})
        self.note = book.add_format({"italic": True, "font_color": "#555555"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.number = {k: book.add_format({"num_format": v}) for k, v in _NUMBER_FORMATS.items()}


def _put(ws: Worksheet, row: int, col: int, value: Any, styles: _Styles,
         kind: str = "plain") -> None:
    """One cell: text neutralised, a finite number with its display format, else blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return
    if isinstance(value, str):
        ws.write_string(row, col, neutralise_cell(value))
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int) and abs(value) >= _EXACT_INT:
        ws.write_string(row, col, str(value))
    elif math.isinf(float(value)):
        ws.write_string(row, col, "inf" if value > 0 else "-inf")
    else:
        ws.write_number(row, col, float(value) if isinstance(value, float) else int(value),
                        styles.number[kind])


def _header(ws: Worksheet, row: int, titles: Sequence[str], styles: _Styles,
            widths: Sequence[float] | None = None) -> None:
    ws.set_row(row, 40)  # room for a header of three lines
    for col, title in enumerate(titles):
        ws.write_string(row, col, neutralise_cell(title), styles.head)
        if widths is not None:
            ws.set_column(col, col, widths[col])


def _scenario_table(scenarios: Sequence[Scenario]) -> list[list[Any]]:
    """The ``Scenario`` sheet's rows below its header: the values as written to the cells."""
    rows = []
    for no, s in enumerate(scenarios, start=1):
        head = [no, *(getattr(s, name) for name in CSV_SCENARIO_COLUMNS[1:])]
        rows += [head + [getattr(c, name) for name in CSV_COUNTRY_COLUMNS] for c in s.countries]
    return rows


def _scenario_sheet(book: Workbook, styles: _Styles, scenarios: Sequence[Scenario]) -> None:
    ws = book.add_worksheet(SCENARIO_SHEET)
    widths = [11 if name != "name" else 28 for name in SCENARIO_COLUMNS]
    _header(ws, 0, SCENARIO_COLUMNS, styles, widths)
    for col, name in enumerate(SCENARIO_COLUMNS):
        spec = FIELDS.get(name)
        text = ("Scenario number: groups the rows of one scenario." if spec is None else
                f"{spec.header}: {spec.rule}." + (f" {spec.description}"
                                                  if spec.description else ""))
        ws.write_comment(0, col, text, {"x_scale": 2, "y_scale": 1.5})
    for r, values in enumerate(_scenario_table(scenarios), start=1):
        for col, value in enumerate(values):
            _put(ws, r, col, value, styles)
    ws.freeze_panes(1, 0)


def _countries_sheet(book: Workbook, styles: _Styles, resolved: Sequence[ResolvedScenario],
                     results: Sequence[ForecastResult], labels: Sequence[str],
                     frame: pd.DataFrame) -> None:
    ws = book.add_worksheet(COUNTRIES_SHEET)
    many = len(resolved) > 1
    # (title, kind, width, value of (scenario, resolved country, result, frame row))
    columns: list[tuple[str, str, float, Any]] = [
        ("ISO3", "text", 6, lambda c, r, f: c.iso3),
        ("Country", "text", 22, lambda c, r, f: f.get("name")),
        ("Sites", "int", 7, lambda c, r, f: c.sites),
    ]
    for name, kind in (("rate", "rate"), ("rate_shape", "rate"), ("startup_days", "days"),
                       ("startup_sd_days", "days"), ("never_activate_share", "share"),
                       ("cost_per_patient", "money"), ("max_sites", "int")):
        columns += [(FIELDS[name].header, kind, 12, lambda c, r, f, n=name: getattr(c, n)),
                    (f"{FIELDS[name].title} source", "text", 10,
                     lambda c, r, f, n=name: c.sources.get(n, ""))]
    columns += [
        ("Start-up basis (model)", "text", 16, lambda c, r, f: f.get("startup_basis")),
        ("Pool cap [patients]", "int", 12, lambda c, r, f: c.pool_cap),
        ("Pool cap source", "text", 10,
         lambda c, r, f: c.sources.get("pool_cap", "")),
        ("Pool source", "text", 30, lambda c, r, f: f.get("pool_source")),
        ("Expected patients at P50", "int", 12,
         lambda c, r, f: r.patients_at_p50.get(c.iso3)),
        ("Expected cost at P50", "money", 12, lambda c, r, f: r.cost_by_country.get(c.iso3)),
        ("Pool cap binds", "text", 8,
         lambda c, r, f: "yes" if c.iso3 in r.capped_countries else "no"),
        ("Risk tier", "text", 9, lambda c, r, f: f.get("risk_tier") or "no data"),
        ("Gate", "text", 14, lambda c, r, f: f.get("gate_label")),
        ("Flags", "text", 40, lambda c, r, f: f.get("flags") or ""),
    ]
    if many:
        columns.insert(0, ("Scenario", "text", 22, None))
    _header(ws, 0, [c[0] for c in columns], styles, [c[2] for c in columns])
    row = 1
    for scenario, result, label in zip(resolved, results, labels, strict=True):
        for country in scenario.countries:
            info = _row(frame, country.iso3)
            for col, (_, kind, _, value) in enumerate(columns):
                v = label if value is None else value(country, result, info)
                _put(ws, row, col, v, styles, kind)
            row += 1
    ws.freeze_panes(1, 2 + many)
    ws.autofilter(0, 0, max(row - 1, 1), len(columns) - 1)


def _row(frame: pd.DataFrame, iso3: str) -> dict[str, Any]:
    """The frame's row of a country as a dict (empty for a country the frame lacks)."""
    if iso3 not in frame.index:
        return {}
    return {k: (None if v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v)
            for k, v in frame.loc[iso3].items()}


def _months_text(months: float, horizon: int) -> float | str:
    return months if math.isfinite(months) else f"not within {horizon} months"


def _forecast_sheet(book: Workbook, styles: _Styles, resolved: Sequence[ResolvedScenario],
                    results: Sequence[ForecastResult], labels: Sequence[str]) -> None:
    ws = book.add_worksheet(FORECAST_SHEET)
    ws.write_string(0, 0, "Enrollment forecast", styles.title)
    measures: list[tuple[str, str, Any]] = [
        ("Indication", "text", lambda s, r: s.indication),
        ("Target patients", "int", lambda s, r: r.target_patients),
        ("Months to target, P10", "months", lambda s, r: _months_text(r.p10, r.horizon_months)),
        ("Months to target, P50", "months", lambda s, r: _months_text(r.p50, r.horizon_months)),
        ("Months to target, P90", "months", lambda s, r: _months_text(r.p90, r.horizon_months)),
        ("Deadline [months]", "months", lambda s, r: r.deadline_months),
        ("P(target by the deadline)", "share", lambda s, r: r.prob_by_deadline),
        ("Countries with sites", "int", lambda s, r: sum(1 for c in s.countries if c.sites)),
        ("Sites", "int", lambda s, r: s.total_sites),
        ("Expected cost at P50", "money", lambda s, r: "not totalled: a country has no cost "
         "per patient" if r.total_cost_at_p50 is None else r.total_cost_at_p50),
        ("Pool caps bind in", "text", lambda s, r: ", ".join(r.capped_countries) or "none"),
        ("Method", "text", lambda s, r: r.method),
        ("Algorithm", "text", lambda s, r: r.path),
        ("Simulated trials", "int", lambda s, r: r.n_sims),
        ("Seed", "plain", lambda s, r: r.seed),
        ("Horizon [months]", "int", lambda s, r: r.horizon_months),
        ("Warnings", "text", lambda s, r: "; ".join(r.warnings) or "none"),
    ]
    _header(ws, 2, ["Scenario", *labels], styles, [28] + [22] * len(labels))
    for i, (title, kind, value) in enumerate(measures, start=3):
        ws.write_string(i, 0, title, styles.bold)
        for j, (s, r) in enumerate(zip(resolved, results, strict=True), start=1):
            _put(ws, i, j, value(s, r), styles, kind)
    note = 3 + len(measures)
    ws.write_string(note, 0, "Months from the scenario start; 'not within N months' = fewer "
                    "than that share of simulated trials reach the target by the horizon.",
                    styles.note)

    top = note + 2
    ws.write_string(top, 0, "Cumulative patients recruited [patients]", styles.bold)
    months = max(results, key=lambda r: len(r.months)).months
    titles = ["Month"] + [q if len(labels) == 1 else f"{label} {q}"
                          for label in labels for q in ("P10", "P50", "P90")]
    _header(ws, top + 1, titles, styles)
    for k, month in enumerate(months):
        ws.write_number(top + 2 + k, 0, month, styles.number["int"])
        for j, r in enumerate(results):
            for q, curve in enumerate((r.curve_p10, r.curve_p50, r.curve_p90)):
                if k < len(curve):
                    _put(ws, top + 2 + k, 1 + 3 * j + q, curve[k], styles, "int")
    first, last = top + 2, top + 1 + len(months)
    chart = book.add_chart({"type": "line"})
    for j in range(len(labels)):
        for q, name in enumerate(("P10", "P50", "P90")):
            if name != "P50" and len(labels) > 1:
                continue  # a comparison charts the medians only
            column = 1 + 3 * j + q
            chart.add_series({
                "name": [FORECAST_SHEET, top + 1, column],  # a cell: no name is parsed
                "categories": [FORECAST_SHEET, first, 0, last, 0],
                "values": [FORECAST_SHEET, first, column, last, column],
                "line": {"width": 2.25 if name == "P50" else 1,
                         "dash_type": "solid" if name == "P50" else "dash"}})
    chart.set_title({"name": "Cumulative patients (P10 / P50 / P90)"})
    chart.set_x_axis({"name": "Months from start", "interval_unit": 6})
    chart.set_y_axis({"name": "Patients", "num_format": "#,##0"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 360})
    ws.insert_chart(2, len(labels) + 2, chart)


def _forecast_milestones(milestones: Sequence[Milestone], horizon: int) -> pd.DataFrame:
    """The forecast's milestones for people: where (Trial or the iso3), the milestone in
    words, P10/P50/P90 [months]; a quantile not reached within the horizon reads so."""
    def months(value: float) -> float | str:
        return value if math.isfinite(value) else f"not reached within {horizon} months"

    return pd.DataFrame({
        "Where": ["Trial" if m.scope == TRIAL else m.scope for m in milestones],
        "Milestone": [m.milestone.replace("_", " ").replace("pct", " %").capitalize()
                      for m in milestones],
        **{f"P{q} [months]": [months(getattr(m, f"p{q}")) for m in milestones]
           for q in (10, 50, 90)},
    })


def _milestones(results: Sequence[ForecastResult], labels: Sequence[str]) -> pd.DataFrame | None:
    """The forecasts' milestones as one table (a Scenario column first), or None when no
    forecast has any."""
    parts = []
    for result, label in zip(results, labels, strict=True):
        milestones = getattr(result, "milestones", None)
        if milestones is None or len(milestones) == 0:
            continue
        if all(isinstance(m, Milestone) for m in milestones):
            milestones = _forecast_milestones(milestones, result.horizon_months)
        elif not isinstance(milestones, pd.DataFrame):
            milestones = pd.DataFrame([dataclasses.asdict(m) if dataclasses.is_dataclass(m)
                                       and not isinstance(m, type) else m for m in milestones])
        parts.append(milestones.reset_index(drop=True).assign(Scenario=label))
    if not parts:
        return None
    table = pd.concat(parts, ignore_index=True)
    return table[["Scenario", *(c for c in table.columns if c != "Scenario")]]


def _frame_sheet(book: Workbook, styles: _Styles, name: str, table: pd.DataFrame) -> Worksheet:
    ws = book.add_worksheet(name)
    widths = [min(60.0, max(10.0, float(table[c].astype(str).str.len().max() or 0) * 0.9))
              if len(table) else 12.0 for c in table.columns]
    _header(ws, 0, [str(c) for c in table.columns], styles, widths)
    for r, values in enumerate(table.itertuples(index=False), start=1):
        for c, value in enumerate(values):
            _put(ws, r, c, _plain(value), styles)
    ws.freeze_panes(1, 0)
    return ws


def _plain(value: Any) -> Any:
    """A frame's value as a cell takes it: numpy scalars as Python, other objects as text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _sources_sheet(book: Workbook, styles: _Styles, sources: pd.DataFrame) -> None:
    columns = ["publisher", "title", "licence", "version", "years", "url"]
    table = sources[columns].rename(columns=str.capitalize)
    ws = _frame_sheet(book, styles, SOURCES_SHEET, table)
    end = len(table) + 2
    ws.write_string(end, 0, ATTRIBUTION, styles.note)
    ws.write_string(end + 1, 0, "Sanctions and war: " +
                    assumptions.REGISTRY["GATE_AS_OF"].source, styles.note)


def _metadata_sheet(book: Workbook, styles: _Styles, meta: ReportMeta, n: int) -> None:
    ws = book.add_worksheet(METADATA_SHEET)
    _header(ws, 0, ["What", "Value", "Unit"], styles, [40, 28, 24])
    rows = [*meta.rows(), ("Scenarios in this workbook", n, "")]
    for r, (what, value, unit) in enumerate(rows, start=1):
        ws.write_string(r, 0, what, styles.bold)
        _put(ws, r, 1, value, styles, "share" if unit == "0-1" else "plain")
        _put(ws, r, 2, unit, styles)
    ws.write_string(len(rows) + 2, 0, f"Re-import: edit the {SCENARIO_SHEET} sheet (its "
                    "header comments give each column's rule) and upload the workbook, or "
                    "`footprint report` it.", styles.note)


def _json_sheet(book: Workbook, scenarios: Sequence[Scenario]) -> None:
    ws = book.add_worksheet(JSON_SHEET)
    for r, s in enumerate(scenarios):
        text = scenario_to_json(s)
        for c in range(math.ceil(len(text) / _CELL_CHARS)):
            ws.write_string(r, c, neutralise_cell(text[c * _CELL_CHARS:(c + 1) * _CELL_CHARS]))
    ws.hide()


# --- Reading -----------------------------------------------------------------------------------
def scenario_from_workbook(data: bytes, *, valid_iso3: Collection[str] | None = None,
                           valid_indications: Collection[str] | None = None) -> Scenario:
    """The one scenario of a workbook (see :func:`scenarios_from_workbook`)."""
    found = scenarios_from_workbook(data, valid_iso3=valid_iso3,
                                    valid_indications=valid_indications)
    if len(found) != 1:
        raise ScenarioError([f"the {SCENARIO_SHEET} sheet holds {len(found)} scenarios "
                             "(a comparison); import one scenario at a time"])
    return found[0]


def scenarios_from_workbook(data: bytes, *, valid_iso3: Collection[str] | None = None,
                            valid_indications: Collection[str] | None = None
                            ) -> tuple[Scenario, ...]:
    """The scenarios of a workbook written by :func:`scenario_workbook` or
    :func:`comparison_workbook`, as its ``Scenario`` sheet holds them now.

    An unedited sheet gives back exactly the scenarios that were written (their JSON is kept
    in the hidden ``scenario_json`` sheet); an edited one is read as the scenario CSV.

    Parameters
    ----------
    data : bytes
        The ``.xlsx`` file [at most MAX_UPLOAD_BYTES, packed and unpacked].
    valid_iso3, valid_indications : collection of str, optional
        Catalogues to check against.

    Raises
    ------
    ScenarioError
        Not a workbook, no ``Scenario`` sheet, a formula, error or date in it, and every
        validation problem with its row and field path.
    """
    iso3 = None if valid_iso3 is None else set(valid_iso3)
    indications = None if valid_indications is None else set(valid_indications)
    book = _open(data)
    try:
        rows = _sheet_rows(book)
        written = _written(book, iso3, indications)
    finally:
        book.close()
    read = [[_as_read(v) if isinstance(v, str) else v for v in row] for row in rows]
    if written is not None and _as_stored([list(SCENARIO_COLUMNS),
                                           *_scenario_table(written)]) == read:
        return written
    try:
        return tuple(scenarios_from_csv(_as_csv(rows), valid_iso3=iso3,
                                        valid_indications=indications))
    except ScenarioError as exc:
        raise ScenarioError([f"{SCENARIO_SHEET} sheet, {_rows_not_lines(p)}"
                             for p in exc.problems]) from None


def _open(data: bytes) -> Any:
    """The workbook (read-only), after checking it is a zip of bounded unpacked size."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ScenarioError([f"the workbook is larger than {MAX_UPLOAD_BYTES // 2**20} MiB"])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ScenarioError(["not an Excel workbook (.xlsx): save it from Excel as an "
                             "'Excel Workbook', or upload the scenario JSON or CSV"]) from None
    if unpacked > MAX_UPLOAD_BYTES:
        raise ScenarioError([f"the workbook unpacks to more than {MAX_UPLOAD_BYTES // 2**20} "
                             "MiB; a scenario workbook is far smaller"])
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged file; each means the same
        raise ScenarioError(["the workbook cannot be read (damaged, or not a .xlsx "
                             "workbook); re-save it from Excel or export the report "
                             "again"]) from None


def _sheet_rows(book: Any) -> list[list[Any]]:
    """The ``Scenario`` sheet's non-empty rows (trailing blanks trimmed), header first."""
    if SCENARIO_SHEET not in book.sheetnames:
        raise ScenarioError([f"no sheet named '{SCENARIO_SHEET}' (sheets: "
                             f"{', '.join(book.sheetnames)}); it holds the scenario inputs"])
    problems: list[str] = []
    rows: list[list[Any]] = []
    for cells in book[SCENARIO_SHEET].iter_rows():
        values: list[Any] = []
        for cell in cells:
            if getattr(cell, "value", None) is None:
                values.append(None)
                continue
            kind = cell.data_type
            where = f"{SCENARIO_SHEET} sheet, cell {cell.coordinate}"
            if kind == "f":
                problems.append(f"{where}: holds a formula ({_short(cell.value)}); type the "
                                "value itself")
            elif kind == "e":
                problems.append(f"{where}: holds the error {cell.value}; type a value")
            elif kind == "d" or not isinstance(cell.value, str | int | float):
                problems.append(f"{where}: holds a date or time; type a number or a text")
            values.append(cell.value)
        while values and values[-1] is None:
            values.pop()
        if values:
            rows.append(values)
        if len(rows) > MAX_SCENARIO_ROWS + 1:
            raise ScenarioError([f"the {SCENARIO_SHEET} sheet has more than "
                                 f"{MAX_SCENARIO_ROWS} rows of countries"])
    if problems:
        raise ScenarioError(problems)
    if not rows:
        raise ScenarioError([f"the {SCENARIO_SHEET} sheet is empty; its first row names the "
                             f"columns: {', '.join(SCENARIO_COLUMNS)}"])
    return rows


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _written(book: Any, valid_iso3: set[str] | None,
             valid_indications: set[str] | None) -> tuple[Scenario, ...] | None:
    """The scenarios kept in the hidden JSON sheet, or None when it is missing or broken
    (the ``Scenario`` sheet then decides alone)."""
    if JSON_SHEET not in book.sheetnames:
        return None
    found = []
    for cells in itertools.islice(book[JSON_SHEET].iter_rows(values_only=True),
                                  MAX_COMPARE + 1):
        parts = [unneutralise_cell(v) for v in cells if isinstance(v, str)]
        if parts:
            try:
                found.append(scenario_from_json("".join(parts), valid_iso3=valid_iso3,
                                                valid_indications=valid_indications))
            except (ScenarioError, RecursionError):
                return None
    return tuple(found) or None


def _as_stored(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows as a cell holds them: text neutralised, numbers as 16-digit doubles, trailing
    blanks trimmed (what :func:`_sheet_rows` reads back from :func:`_put`)."""
    out = []
    for values in rows:
        stored: list[Any] = []
        for v in values:
            if isinstance(v, str):
                stored.append(_as_read(neutralise_cell(v)))
            elif isinstance(v, int) and abs(v) >= _EXACT_INT:
                stored.append(str(v))
            elif isinstance(v, float):
                stored.append(float(f"{v:.16G}"))
            else:
                stored.append(v)
        while stored and stored[-1] is None:
            stored.pop()
        out.append(stored)
    return out


def _as_read(text: str) -> str:
    """Text as a cell gives it back: control characters but tab and line feed as Excel's
    ``_xHHHH_`` escapes (xlsxwriter writes them so, openpyxl leaves them escaped)."""
    return _CONTROL.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def _as_csv(rows: list[list[Any]]) -> str:
    """The sheet's rows as scenario CSV text, for the one scenario CSV reader."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    width = len(rows[0])
    for values in rows:
        cells = ["" if v is None else repr(v) if isinstance(v, float) else str(v)
                 for v in values]
        writer.writerow(cells + [""] * (width - len(cells)))  # trailing blanks were trimmed
    return buffer.getvalue()


def _rows_not_lines(problem: str) -> str:
    """A scenario CSV problem in a sheet's words: its CSV lines are the sheet's rows."""
    return re.sub(r"\bline (\d+)", r"row \1", problem).replace("(csv header)", "header row")

