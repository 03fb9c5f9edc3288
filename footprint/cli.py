"""Command line: ``python -m footprint <command> ...``.

Each sub-command is one ``_cmd_<name>`` function registered in :func:`parser`. Invalid input
exits with code 2 and a message listing the valid choices; a broken data file exits with 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from footprint import atlas
from footprint.database import DataFileError, build_database


class UsageError(ValueError):
    """Invalid user input: reported on stderr with exit code 2."""


def _cmd_regions(args: argparse.Namespace, con) -> str:
    members = atlas.regions(con)
    if args.json:
        return json.dumps(members, indent=2)
    return "\n".join(f"{name}: {', '.join(codes)}" for name, codes in members.items())


def parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    root = argparse.ArgumentParser(prog="python -m footprint", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    regions = commands.add_parser("regions", help="list the six regions and their countries")
    regions.add_argument("--json", action="store_true", help="print JSON {region: [ISO3, ...]}")
    regions.set_defaults(handler=_cmd_regions)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = parser().parse_args(argv)
    try:
        con = build_database()
    except DataFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        output = args.handler(args, con)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if output:
        print(output)
    return 0
