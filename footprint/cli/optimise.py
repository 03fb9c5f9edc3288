"""``optimise``: the fewest sites (or the lowest expected cost) that reach a scenario's target
by its deadline with a given Monte Carlo confidence (:func:`footprint.enrollment.planning.
optimise`).

``--budget N`` is the most sites in total over all countries (the current or minimum sites
included), the same budget as the Scenario builder's; costs are the scenario's own per-country
fields, so a cost budget is not an option here.
"""

from __future__ import annotations

import argparse

from footprint.assumptions import DEFAULT_CONFIDENCE, DEFAULT_N_SIMS, MAX_TOTAL_SITES
from footprint.cli.common import check_sims, finite_json, load_scenario, to_json, write_output
from footprint.errors import UsageError


def _months(value: float | None) -> str:
    return "beyond the horizon" if value is None else f"{value:.1f}"


def _money(value: float | None) -> str:
    return "not counted" if value is None else f"{value:,.0f}"


def _cmd_optimise(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.enrollment import planning
    from footprint.io.scenario_json import scenario_to_json

    inputs = model_inputs.load_inputs(con)
    inputs, scenario = load_scenario(inputs, args.scenario)
    n_sims = check_sims(args.sims)
    confidence = planning.check_confidence(args.confidence)
    if scenario.deadline_months is None:
        raise UsageError(f"{args.scenario} has no deadline_months: the optimiser plans to "
                         "reach the target by a deadline; add one to the file")
    if args.budget is not None and not 1 <= args.budget <= MAX_TOTAL_SITES:
        raise UsageError(f"--budget must be a number of sites from 1 to {MAX_TOTAL_SITES:,}")
    resolved = planning.resolve_with_model(inputs, scenario)
    base = planning.optimiser_base(resolved, args.from_zero)
    result = planning.optimise(base, deadline_months=scenario.deadline_months,
                               max_total_sites=args.budget, confidence=confidence,
                               n_sims=n_sims)
    assert result.confirmed is not None
    if args.out:
        write_output(args.out, scenario_to_json(result.proposal.scenario))
    p10, p50, p90 = (finite_json(float(m)) for m in result.confirmed.months_to_target)
    before = {c.iso3: c.sites for c in resolved.countries}
    cost = result.cost
    out = {
        "scenario": scenario.name,
        "objective": result.objective,
        "target_patients": result.target_patients,
        "deadline_months": result.deadline_months,
        "confidence": confidence,
        "met": result.met,
        "reason": result.reason or None,
        "prob_by_deadline": result.prob_by_deadline,
        "months_to_target": {"p10": p10, "p50": p50, "p90": p90},
        "cost": None if cost is None else cost.total,
        "cost_breakdown": None if cost is None else {
            "site_startup": cost.startup, "site_monthly": cost.monthly,
            "per_patient": cost.patients, "at_months": cost.at_months,
            "not_counted": list(cost.not_counted)},
        "total_sites": result.proposal.total_sites,
        "countries": [{"iso3": c.iso3, "sites": c.sites, "added": c.sites - before[c.iso3],
                       "min_sites": c.min_sites, "max_sites": c.max_sites}
                      for c in result.proposal.countries],
        "checks": [{"total_sites": n, "prob_by_deadline": prob} for n, prob in result.checks],
        "n_sims": n_sims,
        "stop_reason": result.stop_reason,
        "warnings": list(result.warnings),
    }
    if args.json:
        return to_json(out)
    prob = result.prob_by_deadline
    lines = [
        f"{scenario.name}: {result.target_patients:,} patients by {scenario.deadline_months:g} "
        f"months, with at least {100 * confidence:g} % confidence",
        f"proposal: {result.proposal.total_sites:,} sites "
        f"({result.proposal.total_sites - resolved.total_sites:+,} on the scenario)",
        f"chance of meeting the deadline (Monte Carlo, {n_sims:,} trials): "
        + ("unknown" if prob is None else f"{100 * prob:.1f} %"),
        "goal met" if result.met else f"goal NOT met: {result.reason}",
        f"months to target P10/P50/P90: {_months(p10)} / {_months(p50)} / {_months(p90)}",
    ]
    if cost is not None:
        lines.append(f"expected cost to the P50 ({cost.at_months:.1f} months): "
                     f"{_money(cost.total)} (site start-up {_money(cost.startup)}, site months "
                     f"{_money(cost.monthly)}, patients {_money(cost.patients)})")
    lines += [f"  {c.iso3}: {c.sites} sites ({c.sites - before[c.iso3]:+d})"
              for c in result.proposal.countries]
    lines += [f"warning: {w}" for w in result.warnings]
    if args.out:
        lines.append(f"wrote the proposed scenario to {args.out}")
    return "\n".join(lines)


def register(commands: argparse._SubParsersAction) -> None:
    """the optimiser command: optimise"""
    op = commands.add_parser(
        "optimise", help="fewest sites (or lowest expected cost) reaching the target by the "
                         "deadline with a Monte Carlo confidence")
    op.add_argument("scenario", help="scenario JSON file with a deadline_months")
    op.add_argument("--confidence", type=float, default=DEFAULT_CONFIDENCE,
                    help="chance of meeting the deadline to reach, strictly between 0 and 1 "
                         "(default %(default)s)")
    op.add_argument("--budget", type=int, metavar="N",
                    help="most sites in total over all countries (default: no budget beyond "
                         "each country's max_sites)")
    op.add_argument("--sims", type=int, default=DEFAULT_N_SIMS,
                    help="simulated trials of every check (default %(default)s)")
    op.add_argument("--from-zero", action="store_true",
                    help="start every country at its min_sites instead of its sites")
    op.add_argument("--out", metavar="FILE", help="write the proposed scenario as JSON")
    op.add_argument("--json", action="store_true", help="print JSON")
    op.set_defaults(handler=_cmd_optimise)
