"""Scenario JSON files: the format of :mod:`footprint.enrollment.scenario` as a JSON document.

Written with two-space indents, the fields in the format's order and left-out optional fields
omitted; UTF-8 text is kept as is (no ``\\u`` escapes). Read strictly: a key given twice in one
object, an integer literal of more than :data:`~footprint.assumptions.MAX_INTEGER_DIGITS`
digits and a document nested deeper than Python can read are refused; ``NaN`` and
``Infinity`` (which Python's json reads) and every other schema problem are refused with their
field path.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from footprint.assumptions import MAX_INTEGER_DIGITS
from footprint.enrollment.scenario import (
    COUNTRY_FIELDS,
    SCENARIO_FIELDS,
    SITE_FIELDS,
    Scenario,
    scenario_from_dict,
    upgrade,
    validate_scenario,
)
from footprint.errors import ScenarioError


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The JSON-ready object of a scenario in the current version (a version 1 scenario is
    upgraded, :func:`~footprint.enrollment.scenario.upgrade`); left-out optional fields are
    omitted."""
    scenario = upgrade(scenario)
    out: dict[str, Any] = {}
    for spec in SCENARIO_FIELDS:
        value = getattr(scenario, spec.name)
        if spec.name == "countries":
            out["countries"] = [_country_to_dict(c) for c in value]
        elif spec.name == "site_list":
            if value:  # a site-level plan; written only when there is one
                out["site_list"] = [_site_to_dict(x) for x in value]
        elif value is not None:
            out[spec.name] = value
    return out


def _country_to_dict(country: Any) -> dict[str, Any]:
    values = ((s.name, getattr(country, s.name)) for s in COUNTRY_FIELDS)
    return {name: value for name, value in values if value is not None}


def _site_to_dict(site: Any) -> dict[str, Any]:
    values = ((s.name, getattr(site, s.name)) for s in SITE_FIELDS)
    return {name: value for name, value in values if value is not None}


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ScenarioError([f"(json): key '{key}' appears twice in the same object"])
        out[key] = value
    return out


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ScenarioError([f"(json): an integer of {len(literal.lstrip('-')):,} digits; "
                             f"integers in a scenario have at most {MAX_INTEGER_DIGITS}"])
    return int(literal)


def scenario_from_json(
    text: str,
    *,
    valid_iso3: Collection[str] | None = None,
    valid_indications: Collection[str] | None = None,
) -> Scenario:
    """Parse and validate a scenario JSON text.

    Parameters
    ----------
    text : str
        The JSON document (a leading BOM is ignored).
    valid_iso3, valid_indications : collection of str, optional
        Catalogues to check against (see :func:`footprint.enrollment.scenario.check`).

    Raises
    ------
    ScenarioError
        Malformed or too deeply nested JSON, an integer of too many digits, or every
        validation problem with its field path.
    """
    if isinstance(text, bytes | bytearray):
        raise TypeError("scenario_from_json takes text; decode the bytes first")
    try:
        data = json.loads(text.lstrip("\ufeff"), object_pairs_hook=_no_duplicate_keys,
                          parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            [f"(json): not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"]
        ) from None
    except RecursionError:
        raise ScenarioError(["(json): nested too deeply to be a scenario"]) from None
    return scenario_from_dict(data, valid_iso3=valid_iso3, valid_indications=valid_indications)


def scenario_to_json(scenario: Scenario) -> str:
    """The scenario as JSON text; :func:`scenario_from_json` of it equals ``scenario``."""
    validate_scenario(scenario)
    return json.dumps(scenario_to_dict(scenario), indent=2, ensure_ascii=False, allow_nan=False)
