"""What the commands share: files read and written within the upload limit, strict JSON,
the checks of shared flags (indication, countries, ``--sims``) and the scenario reader."""

from __future__ import annotations

import argparse
import json
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from footprint.errors import FootprintError, ScenarioError, UploadError, UsageError

if TYPE_CHECKING:
    from footprint.data.model_inputs import ModelInputs
    from footprint.enrollment.scenario import Scenario


CLI_SIMS_RANGE = (100, 200_000)
"""[trials] the ``--sims`` a command accepts (forecast and export --with-forecast)."""


METHOD_CHOICES = ("monte_carlo", "closed_form")
"""``forecast --method`` values, the first the default: part of the CLI's contract, spelled
out so the parser needs no forecast import (a test checks they are forecast.METHODS)."""


def check_indication(inputs: ModelInputs, name: str) -> str:
    from footprint.model import pool

    known = sorted(pool.catalogue(inputs))
    if name not in known:
        raise UsageError(f"unknown indication {name!r}; valid: {', '.join(known)}, or a "
                         "custom indication's id (`footprint indications list`)")
    return name


def with_stored_indication(inputs: ModelInputs, name: str) -> ModelInputs:
    """``inputs`` whose catalogue also holds the stored custom indication ``name`` (a
    ``my_...`` id, team-visible); ``inputs`` unchanged for any other name (the workspace store
    is then not opened)."""
    from footprint.io.indications import is_custom_id

    if name in inputs.indications.index or not is_custom_id(name):
        return inputs
    from footprint.model import pool
    from footprint.store.indications import find
    from footprint.store.workspace import TEAM_USER, open_store

    store = open_store()
    try:
        found = find(store, name, user=TEAM_USER)
    finally:
        store.close()
    return pool.with_indications(inputs, [found.indication])


def check_countries(inputs: ModelInputs, text: str) -> list[str]:
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in inputs.countries.index]
    if unknown or not codes:
        raise UsageError(f"unknown country code(s) {unknown or [text]}; valid: ISO3 codes such "
                         f"as {', '.join(inputs.countries.index[:8])}, ... "
                         "(`python -m footprint regions` lists the regions' members)")
    return codes


def json_records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready records: NaN becomes null, numpy scalars become Python numbers."""
    return json.loads(frame.to_json(orient="records"))


def finite_json(value: Any) -> Any:
    """``value`` with every float that is not finite replaced by None (JSON has no inf)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(v) for v in value]
    return value


def to_json(value: Any) -> str:
    """JSON text of ``value``, strictly JSON (``allow_nan=False`` after :func:`finite_json`)."""
    return json.dumps(finite_json(value), indent=2, allow_nan=False, ensure_ascii=False)


def read_input(path: str) -> bytes:
    """The bytes of an input file, at most the upload limit; a message for every failure."""
    from footprint.io.uploads import read_limited

    try:
        return read_limited(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UploadError as exc:
        raise UsageError(f"{path}: {exc}") from None


def write_output(path: str, text: str) -> None:
    """Write an output file; a missing folder or a full disk is a message, not a traceback."""
    try:
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def check_sims(n: int) -> int:
    """``--sims`` checked against :data:`CLI_SIMS_RANGE` (the one check of both commands)."""
    low, high = CLI_SIMS_RANGE
    if not low <= n <= high:
        raise UsageError(f"--sims must be between {low} and {high}")
    return n


def load_scenario(inputs: ModelInputs, path: str) -> tuple[ModelInputs, Scenario]:
    """The scenario JSON at ``path``, validated, and ``inputs`` with its indication when that
    is one of the stored custom ones (a ``my_...`` id; the store is opened only then)."""
    from footprint.io.scenario_json import scenario_from_json
    from footprint.io.uploads import decode

    try:
        text = decode(read_input(path))
    except UploadError as exc:
        raise UsageError(f"{path}: {exc}") from exc
    try:
        named = json.loads(text).get("indication")
    except (ValueError, AttributeError, RecursionError):  # the reader says what is wrong
        named = None
    if isinstance(named, str):
        inputs = with_stored_indication(inputs, named)
    try:
        return inputs, scenario_from_json(text, valid_iso3=set(inputs.countries.index),
                                          valid_indications=set(inputs.indications.index))
    except ScenarioError as exc:
        raise UsageError(f"{path} is not a valid scenario:\n  " +
                         "\n  ".join(exc.problems)) from exc


def checked(args: argparse.Namespace, check: Any) -> str:
    """Run a file check: its report, or its refusal (as JSON on stdout too with ``--json``)."""
    try:
        report = check()
    except FootprintError as exc:
        if args.json:
            print(to_json({"file": args.file, "ok": False, "error": type(exc).__name__,
                         "problems": exc.problems}))
        raise
    if args.json:
        return to_json({"file": args.file, "ok": True, **report})
    return "\n".join(f"{key}: {value}" for key, value in report.items())
