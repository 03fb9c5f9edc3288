"""``regions``, ``pool``, ``scores`` and ``landscape``: the countries and their figures."""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from footprint.assumptions import DEFAULT_ELIGIBILITY_SHARE, DEFAULT_EXPERIENCE_WEIGHT
from footprint.cli.common import (
    check_countries,
    check_indication,
    json_records,
    to_json,
    with_stored_indication,
    write_output,
)
from footprint.errors import DataFileError, UsageError


def _cmd_regions(args: argparse.Namespace, con) -> str:
    from footprint.data import atlas

    members = atlas.regions(con)
    if args.json:
        return json.dumps(members, indent=2)
    return "\n".join(f"{name}: {', '.join(codes)}" for name, codes in members.items())


SCORE_COLUMNS = ["rank", "iso3", "name", "reachable_patients", "pool_score", "friction_index",
                 "friction_components_used", "startup_days_mean", "startup_days_sd",
                 "approval_basis", "infrastructure_risk", "infrastructure_components_used",
                 "dct_readiness", "attractiveness", "score_components_used", "risk_tier",
                 "flags", "gate_level", "gate_label", "gate_sources", "gate_as_of"]


POOL_FIELDS = ["band_share", "band_basis", "rate", "crude_rate", "rate_step", "diagnosed_share",
               "urban_share", "year", "population_year", "source", "diagnosed_source"]
"""What a ``pool`` row carries after the funnel counts, for a country and for a unit alike."""


def _cmd_pool(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.model import pool

    inputs = with_stored_indication(model_inputs.load_inputs(con), args.indication)
    indication = check_indication(inputs, args.indication)
    if not 0 <= args.eligibility <= 1:
        raise UsageError("--eligibility must be between 0 and 1")
    if (args.countries is None) == (args.subnational is None):
        raise UsageError("give --countries or --subnational (one of them)")
    try:
        chosen = pool.for_sex(pool.catalogue(inputs)[indication], args.sex)
    except ValueError as exc:
        raise UsageError(f"--sex: {exc}") from exc
    funnel = pool.funnel(inputs, chosen, args.eligibility)
    if args.subnational is not None:
        frame = _subnational_pool(con, funnel, args.subnational.upper())
        keys = ["unit_code", "name", "iso3", "reach", "share"]
    else:
        codes = check_countries(inputs, args.countries)
        frame = funnel.join(inputs.countries["name"]).loc[codes].reset_index()
        keys = ["iso3", "name"]
    frame = frame.rename(columns={"pool_year": "year", "pool_source": "source"})
    frame = frame[[*keys, *pool.FUNNEL, *POOL_FIELDS]]
    if args.json:
        return json.dumps(json_records(frame), indent=2)
    return frame.to_string(index=False)


def _subnational_pool(con, funnel: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """The units of ``iso3`` with the country's funnel shared out; the rule goes to stderr."""
    from footprint.data import atlas
    from footprint.model import pool

    if iso3 not in pool.SUBNATIONAL_COUNTRIES:
        raise UsageError(f"--subnational {iso3!r} has no units; valid: "
                         f"{', '.join(pool.SUBNATIONAL_COUNTRIES)}")
    units = pool.subnational_funnel(funnel.loc[iso3], atlas.subnational_units(con, iso3))
    print(f"note: {pool.SHARE_OUT_RULE}", file=sys.stderr)
    return pd.DataFrame(units.drop(columns="geometry"))


def _cmd_scores(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.model import scoring

    inputs = with_stored_indication(model_inputs.load_inputs(con), args.indication)
    indication = check_indication(inputs, args.indication)
    if not 0 < args.eligibility <= 1:
        raise UsageError("--eligibility must be above 0 and at most 1 (a share, e.g. 0.1)")
    if args.region is not None and args.region not in inputs.region_members:
        raise UsageError(f"unknown region {args.region!r}; valid: "
                         f"{', '.join(sorted(inputs.region_members))}")
    try:
        weights = scoring.Weights(*args.weights, experience=args.experience_weight)
        weights.normalised()
    except ValueError as exc:
        raise UsageError(f"--weights: {exc}") from exc
    params = scoring.ScoreParams(indication, weights, args.eligibility, region=args.region,
                                 include_gated=args.include_gated)
    frame = scoring.country_frame(inputs, params.indication, params.eligibility_share,
                                  params.site_activation_days)
    selection = model_inputs.select(inputs, params.region)
    table = scoring.score(frame, weights, selection, include_gated=params.include_gated)
    left = [] if params.include_gated else scoring.left_out(frame, selection)
    if left:
        print(f"note: {len(left)} gated countries left out (embargo, sanctions or war; "
              "--include-gated ranks them with a penalty): " + ", ".join(
                  f"{code} ({frame.at[code, 'gate_label']})" for code in left),
              file=sys.stderr)
    table = table.reset_index().rename(columns={"gate_source": "gate_sources"})
    columns = list(SCORE_COLUMNS)
    if weights.experience > 0:  # the fourth score, only while it counts
        at = columns.index("attractiveness")
        columns[at:at] = ["studies_per_million", scoring.EXPERIENCE]
    table = table[columns]
    if args.csv is not None:
        text = table.to_csv(index=False)
        if args.csv == "-":
            return text.rstrip("\n")
        write_output(args.csv, text)
        return f"wrote {len(table)} rows to {args.csv}"
    if args.json:
        records = json_records(table)
        for row in records:  # a list in JSON; "; "-separated in the CSV and the table
            row["gate_sources"] = [part.strip() for part in (row["gate_sources"] or "")
                                   .split(";") if part.strip()]
        return json.dumps(records, indent=2)
    return table.to_string(index=False)


LANDSCAPE_FIELDS = ["iso3", "name", "studies", "studies_recent", "studies_per_million",
                    "multinational_share", "multinational_studies", "population_year"]


def _cmd_landscape(args: argparse.Namespace, con) -> str:
    from footprint.data import landscape, model_inputs, queries

    inputs = model_inputs.load_inputs(con)
    meta = inputs.landscape_meta
    if meta is None or not bool(meta["available"]):
        raise DataFileError(f"the trial landscape is not available: "
                            f"{meta['reason'] if meta is not None else 'not built'}")
    if args.names:
        names = queries.run(con, "landscape_names")
        names = names[names["basis"] != "pycountry"] if not args.all_names else names
        if args.json:
            return to_json(json_records(names))
        return names.fillna({"iso3": "none"}).to_string(index=False)
    if args.countries is None:
        raise UsageError("give --countries (or --names for the crosswalk's report)")
    codes = check_countries(inputs, args.countries)
    frame = inputs.landscape.join(inputs.countries["name"]).loc[codes].reset_index()
    window = (f"{meta['window_from']:%Y-%m-%d}", f"{meta['window_to']:%Y-%m-%d}")
    recent_note = (f"studies_recent: an estimate of the studies registered {window[0]} to "
                   f"{window[1]}, dated by a monotone map from NCT number to registration date "
                   f"(two-fold median error {meta['median_abs_error_days']:.0f} days on "
                   f"{int(meta['fit_studies']):,} studies)")
    if args.json:
        return to_json({"snapshot": meta["snapshot"], "source": meta["source"],
                        "recent_window": {"from": window[0], "to": window[1],
                                          "estimate": recent_note},
                        "caveat": landscape.UNDER_COUNT,
                        "countries": json_records(frame[LANDSCAPE_FIELDS])})
    print(f"note: {recent_note}. {landscape.UNDER_COUNT}", file=sys.stderr)
    shown = frame[LANDSCAPE_FIELDS].round({"studies_per_million": 1})
    shown["multinational_share"] = shown["multinational_share"].map(
        lambda v: "—" if pd.isna(v) else f"{v:.1%}")
    return f"{meta['source']}\n" + shown.to_string(index=False, na_rep="—")


def register(commands: argparse._SubParsersAction) -> None:
    """the exploring commands: regions, pool, scores, landscape"""
    regions = commands.add_parser("regions", help="list the six regions and their countries")
    regions.add_argument("--json", action="store_true", help="print JSON {region: [ISO3, ...]}")
    regions.set_defaults(handler=_cmd_regions)

    pool_cmd = commands.add_parser(
        "pool", help="patient funnel per country, or per state / prefecture of one country")
    pool_cmd.add_argument("--indication", required=True, help="e.g. type2_diabetes")
    pool_cmd.add_argument("--countries", help="ISO3 codes, e.g. USA,IND,JPN")
    pool_cmd.add_argument("--subnational", metavar="ISO3",
                          help="one row per state / prefecture of USA, JPN or IND: the "
                          "country's funnel shared out by urban reach (instead of --countries)")
    pool_cmd.add_argument("--sex", default="both", metavar="female|male",
                          help="limit the pool to one sex (default: both)")
    pool_cmd.add_argument("--eligibility", type=float, default=DEFAULT_ELIGIBILITY_SHARE,
                          help="share of diagnosed patients eligible [0-1] (default %(default)s)")
    pool_cmd.add_argument("--json", action="store_true", help="print a JSON list")
    pool_cmd.set_defaults(handler=_cmd_pool)

    scores = commands.add_parser("scores", help="score and rank the countries of a region")
    scores.add_argument("--region", help='one of the six regions, e.g. "Latin America" '
                        "(default: every country)")
    scores.add_argument("--indication", required=True)
    scores.add_argument("--weights", type=float, nargs=3, default=(1.0, 1.0, 1.0),
                        metavar=("POOL", "FRICTION", "INFRA"))
    scores.add_argument("--experience-weight", type=float, default=DEFAULT_EXPERIENCE_WEIGHT,
                        metavar="W", help="weight of the trial-experience score (registered "
                        "studies per million people; default %(default)s: not scored)")
    scores.add_argument("--eligibility", type=float, default=DEFAULT_ELIGIBILITY_SHARE)
    scores.add_argument("--include-gated", action="store_true",
                        help="rank countries under embargo, sanctions or war too, with a "
                        "penalty (default: left out, listed in a note on stderr)")
    scores.add_argument("--csv", metavar="FILE", help="write CSV to FILE ('-' = stdout)")
    scores.add_argument("--json", action="store_true", help="print a JSON list")
    scores.set_defaults(handler=_cmd_scores)

    trials = commands.add_parser(
        "landscape", help="registered studies per country (ClinicalTrials.gov via AACT, "
        "snapshot 2023-10)")
    trials.add_argument("--countries", help="ISO3 codes, e.g. USA,BRA,POL")
    trials.add_argument("--names", action="store_true",
                        help="the crosswalk's report instead: every registry country name "
                        "not found as such by pycountry, its ISO3 or why it has none")
    trials.add_argument("--all-names", action="store_true",
                        help="with --names: every registry name, pycountry's too")
    trials.add_argument("--json", action="store_true", help="print JSON")
    trials.set_defaults(handler=_cmd_landscape)

