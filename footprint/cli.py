"""Command line: ``python -m footprint <command> ...``.

Each sub-command is one ``_cmd_<name>`` function registered in :func:`parser`. Invalid input
exits with code 2 and a message listing the valid choices; a broken data file exits with 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import pandas as pd

from footprint import atlas, model, pool, scoring
from footprint.database import DataFileError, build_database


class UsageError(ValueError):
    """Invalid user input: reported on stderr with exit code 2."""


def _cmd_regions(args: argparse.Namespace, con) -> str:
    members = atlas.regions(con)
    if args.json:
        return json.dumps(members, indent=2)
    return "\n".join(f"{name}: {', '.join(codes)}" for name, codes in members.items())


POOL_COLUMNS = ["iso3", "name", *pool.FUNNEL, "rate", "diagnosed_share", "urban_share",
                "year", "population_year", "source", "diagnosed_source"]
SCORE_COLUMNS = ["rank", "iso3", "name", "reachable_patients", "pool_score", "friction_index",
                 "friction_components_used", "startup_days_mean", "startup_days_sd",
                 "approval_basis", "infrastructure_risk", "infrastructure_components_used",
                 "dct_readiness", "attractiveness", "score_components_used", "risk_tier",
                 "flags"]


def _indication(inputs: model.ModelInputs, name: str) -> str:
    known = sorted(pool.catalogue(inputs))
    if name not in known:
        raise UsageError(f"unknown indication {name!r}; valid: {', '.join(known)}")
    return name


def _countries(inputs: model.ModelInputs, text: str) -> list[str]:
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in inputs.countries.index]
    if unknown or not codes:
        raise UsageError(f"unknown country code(s) {unknown or [text]}; valid: ISO3 codes such "
                         f"as {', '.join(inputs.countries.index[:8])}, ... "
                         "(`python -m footprint regions` lists the regions' members)")
    return codes


def _records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready records: NaN becomes null, numpy scalars become Python numbers."""
    return json.loads(frame.to_json(orient="records"))


def _cmd_pool(args: argparse.Namespace, con) -> str:
    inputs = model.load_inputs(con)
    indication = _indication(inputs, args.indication)
    codes = _countries(inputs, args.countries)
    if not 0 <= args.eligibility <= 1:
        raise UsageError("--eligibility must be between 0 and 1")
    funnel = pool.funnel(inputs, pool.catalogue(inputs)[indication], args.eligibility)
    frame = funnel.join(inputs.countries["name"]).loc[codes].reset_index()
    frame = frame.rename(columns={"pool_year": "year", "pool_source": "source"})
    frame = frame[POOL_COLUMNS]
    if args.json:
        return json.dumps(_records(frame), indent=2)
    return frame.to_string(index=False)


def _cmd_scores(args: argparse.Namespace, con) -> str:
    inputs = model.load_inputs(con)
    indication = _indication(inputs, args.indication)
    if args.region is not None and args.region not in inputs.region_members:
        raise UsageError(f"unknown region {args.region!r}; valid: "
                         f"{', '.join(sorted(inputs.region_members))}")
    try:
        weights = scoring.Weights(*args.weights)
        weights.normalised()
    except ValueError as exc:
        raise UsageError(f"--weights: {exc}") from exc
    params = scoring.ScoreParams(indication, weights, args.eligibility,
                                 region=args.region)
    table = scoring.score_table(inputs, params).reset_index()[SCORE_COLUMNS]
    if args.csv is not None:
        text = table.to_csv(index=False)
        if args.csv == "-":
            return text.rstrip("\n")
        with open(args.csv, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        return f"wrote {len(table)} rows to {args.csv}"
    if args.json:
        return json.dumps(_records(table), indent=2)
    return table.to_string(index=False)


def parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    root = argparse.ArgumentParser(prog="python -m footprint", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    regions = commands.add_parser("regions", help="list the six regions and their countries")
    regions.add_argument("--json", action="store_true", help="print JSON {region: [ISO3, ...]}")
    regions.set_defaults(handler=_cmd_regions)

    pool_cmd = commands.add_parser("pool", help="patient funnel per country")
    pool_cmd.add_argument("--indication", required=True, help="e.g. type2_diabetes")
    pool_cmd.add_argument("--countries", required=True, help="ISO3 codes, e.g. USA,IND,JPN")
    pool_cmd.add_argument("--eligibility", type=float, default=pool.DEFAULT_ELIGIBILITY_SHARE,
                          help="share of diagnosed patients eligible [0-1] (default %(default)s)")
    pool_cmd.add_argument("--json", action="store_true", help="print a JSON list")
    pool_cmd.set_defaults(handler=_cmd_pool)

    scores = commands.add_parser("scores", help="score and rank the countries of a region")
    scores.add_argument("--region", help='one of the six regions, e.g. "Latin America" '
                        "(default: every country)")
    scores.add_argument("--indication", required=True)
    scores.add_argument("--weights", type=float, nargs=3, default=(1.0, 1.0, 1.0),
                        metavar=("POOL", "FRICTION", "INFRA"))
    scores.add_argument("--eligibility", type=float, default=pool.DEFAULT_ELIGIBILITY_SHARE)
    scores.add_argument("--csv", metavar="FILE", help="write CSV to FILE ('-' = stdout)")
    scores.add_argument("--json", action="store_true", help="print a JSON list")
    scores.set_defaults(handler=_cmd_scores)
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
