"""An uploaded scenario file: JSON, CSV or an Excel report workbook told by its name or
content, a site list recognised.

Nothing is returned unless the whole file is valid; every refusal is a
:class:`~footprint.errors.ScenarioError` whose problems start with the file's name or a field
path, so the page can show them and keep its current scenario.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import PurePath
from typing import Final

from footprint.assumptions import MAX_APP_SEED
from footprint.enrollment.scenario import Scenario
from footprint.errors import ScenarioError, UploadError
from footprint.io.report_xlsx import scenarios_from_workbook
from footprint.io.scenario_csv import scenarios_from_csv
from footprint.io.scenario_json import scenario_from_json
from footprint.io.site_lists import ALIASES
from footprint.io.uploads import decode, read_rows

_ZIP_MAGIC: Final = b"PK\x03\x04"
"""How an ``.xlsx`` workbook (a zip archive) starts."""
_SITE_LIST_COLUMNS: Final = frozenset(
    ALIASES["site_name"] + ALIASES["latitude"] + ALIASES["longitude"]) - {"name"}
"""Header names that only a site list has (``name`` is a scenario column too)."""


def read_scenario_file(
    data: bytes,
    filename: str,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> tuple[Scenario, ...]:
    """Read an uploaded scenario: a JSON document, a CSV or an Excel workbook exported by
    this app (:func:`~footprint.io.report_xlsx.scenarios_from_workbook`).

    Parameters
    ----------
    data : bytes
        The file as uploaded.
    filename : str
        Its name; ``.json`` means JSON, ``.csv`` CSV, ``.xlsx`` a workbook; anything else is
        told by the content.
    valid_iso3, valid_indications : collection of str, optional
        Catalogues to check against.

    Returns
    -------
    tuple of Scenario
        One for JSON; one per ``scenario_no`` for CSV; every scenario of a workbook.

    Raises
    ------
    ScenarioError
        Empty, old Excel (``.xls``), binary or undecodable files, a workbook that is damaged,
        over :data:`~footprint.assumptions.MAX_UPLOAD_BYTES` packed or unpacked, or edited
        badly (each problem by sheet and cell), malformed JSON/CSV, a seed the page
        cannot hold (above :data:`~footprint.assumptions.MAX_APP_SEED`) and every validation
        problem with its field path.
    """
    suffix = PurePath(filename).suffix.lower()
    if data and (suffix == ".xlsx"
                 or (suffix not in (".json", ".csv") and data.startswith(_ZIP_MAGIC))):
        try:
            scenarios = scenarios_from_workbook(data, valid_iso3=valid_iso3,
                                                valid_indications=valid_indications)
        except ScenarioError as exc:
            raise ScenarioError([f"{filename}: {p}" for p in exc.problems]) from None
        return _checked_seeds(scenarios)
    try:
        text = decode(data)
    except UploadError as exc:
        raise ScenarioError([f"{filename}: {exc}"]) from None
    as_json = suffix == ".json" or (suffix != ".csv" and text.lstrip().startswith(("{", "[")))
    if as_json:
        scenarios: tuple[Scenario, ...] = (
            scenario_from_json(text, valid_iso3=valid_iso3, valid_indications=valid_indications),
        )
    else:
        try:
            scenarios = tuple(
                scenarios_from_csv(
                    text, valid_iso3=valid_iso3, valid_indications=valid_indications
                )
            )
        except ScenarioError as exc:
            if _looks_like_site_list(text):
                raise ScenarioError(
                    [*exc.problems, "this looks like a site list: upload it under 'Site list'"]
                ) from None
            raise
    return _checked_seeds(scenarios)


def _checked_seeds(scenarios: tuple[Scenario, ...]) -> tuple[Scenario, ...]:
    """``scenarios``, unless a seed is more than the page can hold."""
    too_big = [s.name for s in scenarios if s.seed > MAX_APP_SEED]
    if too_big:
        raise ScenarioError(
            [f"seed: at most {MAX_APP_SEED} in the app (scenario {name!r})" for name in too_big]
        )
    return scenarios


def _looks_like_site_list(text: str) -> bool:
    try:
        header = read_rows(text).header
    except UploadError:
        return False
    return bool({c.strip().lower() for c in header} & _SITE_LIST_COLUMNS)
