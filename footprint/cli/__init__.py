"""Command line: ``python -m footprint <command> ...`` (installed: ``footprint <command> ...``).

One module per group of sub-commands (``explore``, ``plan``, ``files``, ``workspace``,
``report``), each with a ``register(commands)`` that adds its parsers; ``common`` holds what
they share. A command imports the modules it needs when it runs, so a quick command never pays
for the forecast's or the maps' libraries (only ``sites check`` loads DuckDB's spatial
extension, in its own instance, to locate coordinates). Any
:class:`~footprint.errors.FootprintError` ends the run with its message on stderr and its
``exit_code``: 2 for refused input (it lists the valid choices, at most
:data:`~footprint.assumptions.MAX_PROBLEMS_SHOWN` problems), 1 for a broken data file
(:class:`~footprint.errors.DataFileError`). Never a traceback. Files are read with the app's
upload reader, at most :data:`~footprint.assumptions.MAX_UPLOAD_BYTES` of them (a pipe or a
device too); ``sites check`` and ``scenario check`` run the app's readers on a file, so a
hostile file can be tried without a browser. JSON output never holds ``NaN`` or ``Infinity``
(a number that is not finite is ``null``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from footprint.cli import explore, files, indications, optimise, plan, report, workspace
from footprint.cli.common import METHOD_CHOICES
from footprint.data.database import open_database
from footprint.errors import FootprintError

__all__ = ["METHOD_CHOICES", "main", "parser"]

DESCRIPTION = (
    "Trial Footprint on the command line: the regions, patient pools and country scores, "
    "scenario forecasts, file checks, the workspace store and reports. Refused input exits 2 "
    "with every problem listed; a broken data file exits 1. JSON output never holds NaN.")

GROUPS = (explore, plan, optimise, files, workspace, indications, report)
"""The command modules, in the order ``--help`` lists their commands."""


def parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    root = argparse.ArgumentParser(prog="python -m footprint", description=DESCRIPTION)
    commands = root.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = parser().parse_args(argv)
    try:
        output = args.handler(args, open_database(load_spatial=False))
    except FootprintError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if output:
        try:
            print(output, flush=True)
        except BrokenPipeError:  # the reader left (`footprint ... | head`): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
