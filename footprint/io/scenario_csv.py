"""Scenario CSV files: one row per scenario x country, readable by a spreadsheet and back.

Written as UTF-8 with a byte-order mark (so Excel detects UTF-8), comma separated, CRLF line
ends, RFC 4180 quoting. Columns: ``scenario_no`` (1-based, groups the rows of one scenario),
the scenario-level fields of the format repeated on every row, the country fields (an empty
cell is a left-out value), and, when a forecast is exported with it, the outputs
``forecast_method``, ``months_to_target_p50``, ``expected_patients_at_p50``, ``cost_at_p50``.
A scenario with a site list (``site_list``) adds one row per listed site after its countries:
its ``iso3``, the other country cells empty, and the site columns ``site_name``,
``site_city``, ``site_latitude``, ``site_longitude``, ``site_historic_rate`` (written only when
a scenario of the file has sites; a row with a ``site_name`` is a site, not a country).
Text cells are neutralised against formula injection (:mod:`footprint.io.cells`); numbers are
plain numbers.

Read with the one upload reader (:func:`footprint.io.uploads.read_rows`), so a file Excel
re-saved with ``;`` and decimal commas, or with tabs, reads back; output columns are ignored.
A file may hold at most :data:`~footprint.assumptions.MAX_FILE_SCENARIOS` scenarios (more are
refused before any is validated).
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any, Final

from footprint.assumptions import MAX_FILE_SCENARIOS
from footprint.enrollment.scenario import (
    COUNTRY_FIELDS,
    SCENARIO_FIELDS,
    SITE_FIELDS,
    FieldSpec,
    Scenario,
    check,
    upgrade,
    validate_scenario,
)
from footprint.errors import ScenarioError, UploadError

if TYPE_CHECKING:  # annotations only: reading a site list must not import scipy
    from footprint.enrollment.forecast import ForecastResult
from footprint.io.cells import csv_cell, unneutralise_cell
from footprint.io.uploads import number, read_rows

_SCENARIO_LEVEL: Final = tuple(s for s in SCENARIO_FIELDS if s.kind != "list")
CSV_SCENARIO_COLUMNS: Final = ("scenario_no", *(s.name for s in _SCENARIO_LEVEL))
CSV_COUNTRY_COLUMNS: Final = tuple(s.name for s in COUNTRY_FIELDS)
_SITE_COLUMN: Final = {s.name: s.name if s.name.startswith("site_") else f"site_{s.name}"
                       for s in SITE_FIELDS if s.name != "iso3"}
"""Site field -> its CSV column (the site's country is the row's ``iso3``)."""
CSV_SITE_COLUMNS: Final = tuple(_SITE_COLUMN.values())
CSV_OUTPUT_COLUMNS: Final = (
    "forecast_method",
    "months_to_target_p50",
    "expected_patients_at_p50",
    "cost_at_p50",
)
_REQUIRED_COLUMNS: Final = ("scenario_no", *(s.name for s in _SCENARIO_LEVEL + COUNTRY_FIELDS
                                             if s.required))
_BOM: Final = "\ufeff"


def scenarios_to_csv(
    scenarios: Sequence[Scenario],
    results: Sequence[ForecastResult | None] | None = None,
) -> str:
    """One CSV text (UTF-8 BOM, CRLF) with a row per scenario x country.

    Parameters
    ----------
    scenarios : sequence of Scenario
        Exported in order; ``scenario_no`` numbers them from 1.
    results : sequence of ForecastResult or None, optional
        Same length as ``scenarios``; adds the output columns (empty where None).
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ValueError("no scenario to export")
    if results is not None and len(results) != len(scenarios):
        raise ValueError(f"{len(results)} results for {len(scenarios)} scenarios")
    for s in scenarios:
        validate_scenario(s)
    scenarios = [upgrade(s) for s in scenarios]  # written in the current version
    columns: tuple[str, ...] = CSV_SCENARIO_COLUMNS + CSV_COUNTRY_COLUMNS
    if results is not None:
        columns = columns + CSV_OUTPUT_COLUMNS
    with_sites = any(s.site_list for s in scenarios)
    if with_sites:
        columns = columns + CSV_SITE_COLUMNS
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for no, scenario in enumerate(scenarios, start=1):
        result = results[no - 1] if results is not None else None
        head = [str(no), *(csv_cell(getattr(scenario, s.name)) for s in _SCENARIO_LEVEL)]
        for c in scenario.countries:
            row = head + [csv_cell(getattr(c, s.name)) for s in COUNTRY_FIELDS]
            if results is not None:
                row += _outputs(result, c.iso3)
            writer.writerow(row + [""] * len(CSV_SITE_COLUMNS) if with_sites else row)
        for site in scenario.site_list:
            row = head + [csv_cell(site.iso3 if s.name == "iso3" else None)
                          for s in COUNTRY_FIELDS]
            if results is not None:
                row += [""] * len(CSV_OUTPUT_COLUMNS)
            writer.writerow(row + [csv_cell(getattr(site, f)) for f in _SITE_COLUMN])
    return _BOM + buffer.getvalue()


def _outputs(result: ForecastResult | None, iso3: str) -> list[str]:
    if result is None:
        return [""] * len(CSV_OUTPUT_COLUMNS)
    return [
        csv_cell(result.method),
        csv_cell(result.months_to_target[1], 2),
        csv_cell(result.patients_at_p50.get(iso3), 2),
        csv_cell(result.cost_by_country.get(iso3), 2),
    ]


def scenario_to_csv(scenario: Scenario, result: ForecastResult | None = None) -> str:
    """The CSV text of one scenario (see :func:`scenarios_to_csv`)."""
    return scenarios_to_csv([scenario], None if result is None else [result])


def _value(spec: FieldSpec, cell: str, decimal_comma: bool) -> Any:
    """A cell as validation expects it: text un-neutralised, numbers parsed, empty None.

    A cell that is not a number is passed on as text, for validation to report with its path.
    """
    if spec.kind == "text":
        return unneutralise_cell(cell)
    try:
        return number(cell, decimal_comma)
    except ValueError:
        return cell


def _header_problems(header: Sequence[str]) -> list[str]:
    allowed = CSV_SCENARIO_COLUMNS + CSV_COUNTRY_COLUMNS + CSV_OUTPUT_COLUMNS + CSV_SITE_COLUMNS
    problems = []
    for col in header:
        if col not in allowed:
            close = difflib.get_close_matches(col, allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            shown = repr(col) if len(repr(col)) <= 40 else repr(col)[:37] + "..."
            problems.append(f"(csv header): unknown column {shown}{hint}")
    if len(set(header)) != len(header):
        problems.append("(csv header): a column appears twice")
    missing = [c for c in _REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(f"(csv header): missing columns: {', '.join(missing)}")
    return problems


def scenarios_from_csv(
    text: str,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> list[Scenario]:
    """Re-import a CSV exported by :func:`scenarios_to_csv` (output columns are ignored).

    Parameters
    ----------
    text : str
        CSV text, with or without the UTF-8 BOM.
    valid_iso3, valid_indications : collection of str, optional
        Catalogues to check against.

    Raises
    ------
    ScenarioError
        Every problem, each prefixed with its CSV line and field path.
    """
    if isinstance(text, bytes | bytearray):
        raise TypeError("scenarios_from_csv takes text; decode the bytes (utf-8-sig) first")
    try:
        rows = read_rows(text)
    except UploadError as exc:
        raise ScenarioError([f"(csv): {p}" for p in exc.problems]) from None
    header = rows.header
    problems = _header_problems(header)
    if problems:
        raise ScenarioError(problems)

    groups: dict[int, list[tuple[int, dict[str, str]]]] = {}
    for line_no, record in enumerate(rows.records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(f"line {line_no}: {len(record)} cells, the header has {len(header)}")
            continue
        cells = dict(zip(header, record, strict=True))
        key = _scenario_no(cells["scenario_no"])
        if key is None or key < 1:
            problems.append(f"line {line_no}.scenario_no: must be a positive integer")
            continue
        groups.setdefault(key, []).append((line_no, cells))
    if not groups and not problems:
        problems.append("(csv): no data rows")
    if len(groups) > MAX_FILE_SCENARIOS:
        raise ScenarioError([f"(csv): {len(groups):,} scenarios in one file; a file may hold "
                             f"at most {MAX_FILE_SCENARIOS}: split it"])

    scenarios: list[Scenario] = []
    scenario_level = [s for s in _SCENARIO_LEVEL if s.name in header]
    countries_level = [s for s in COUNTRY_FIELDS if s.name in header]
    for no, members in groups.items():
        first_line, first = members[0]
        for line_no, cells in members[1:]:
            for spec in scenario_level:
                if cells[spec.name] != first[spec.name]:
                    problems.append(
                        f"line {line_no}.{spec.name}: differs from line {first_line} "
                        f"of the same scenario {no}"
                    )
        data: dict[str, Any] = _values(scenario_level, first, rows.decimal_comma)
        countries = [(n, c) for n, c in members if not c.get("site_name", "").strip()]
        sites = [(n, c) for n, c in members if c.get("site_name", "").strip()]
        data["countries"] = [_values(countries_level, cells, rows.decimal_comma)
                             for _, cells in countries]
        if sites:
            data["site_list"] = [_site_values(cells, rows.decimal_comma) for _, cells in sites]
        scenario, found = check(data, valid_iso3=valid_iso3,
                                valid_indications=valid_indications)
        for p in found:
            loc = p.loc
            rows_of = sites if loc[:1] == ("site_list",) else countries
            line = (rows_of[loc[1]][0] if len(loc) >= 2 and isinstance(loc[1], int)
                    and loc[1] < len(rows_of) else first_line)
            problems.append(f"scenario {no}, line {line}, {p}")
        if scenario is not None:
            scenarios.append(scenario)
    if problems:
        raise ScenarioError(problems)
    return scenarios


def _scenario_no(cell: str) -> int | None:
    """The scenario number of a row, or None when the cell is not a whole number."""
    try:
        value = number(cell)
    except ValueError:
        return None
    return value if isinstance(value, int) else None


def _site_values(cells: dict[str, str], decimal_comma: bool) -> dict[str, Any]:
    """A site row as a ``site_list`` object (its country from the row's ``iso3``)."""
    values = {"iso3": unneutralise_cell(cells["iso3"])}
    for spec in SITE_FIELDS:
        cell = cells.get(_SITE_COLUMN.get(spec.name, ""), "")
        if spec.name in _SITE_COLUMN and cell.strip():
            values[spec.name] = _value(spec, cell, decimal_comma)
    return {name: v for name, v in values.items() if v is not None}


def _values(specs: Sequence[FieldSpec], cells: dict[str, str],
            decimal_comma: bool) -> dict[str, Any]:
    values = {s.name: _value(s, cells[s.name], decimal_comma) for s in specs}
    return {name: v for name, v in values.items() if v is not None}
