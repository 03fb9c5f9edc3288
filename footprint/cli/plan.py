"""``forecast``, ``reforecast`` and ``export``: a scenario's enrollment forecast, its update
from actual enrollment, and its analyst CSV."""

from __future__ import annotations

import argparse
import math

from footprint.assumptions import DEFAULT_N_SIMS
from footprint.cli.common import (
    METHOD_CHOICES,
    check_sims,
    finite_json,
    load_scenario,
    to_json,
    write_output,
)


def _cmd_forecast(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.enrollment import forecast, planning

    inputs = model_inputs.load_inputs(con)
    scenario = load_scenario(inputs, args.scenario)
    n_sims = check_sims(args.sims)
    resolved = planning.resolve_with_model(inputs, scenario)
    result = forecast.forecast(resolved, args.method, n_sims=n_sims)
    return _forecast_output(args, scenario, resolved, result)


def _months(value: float) -> str:
    return f"{value:.1f}" if math.isfinite(value) else "not reached"


def _milestones_json(result) -> list[dict]:
    return [{"scope": m.scope, "milestone": m.milestone, "p10": finite_json(m.p10),
             "p50": finite_json(m.p50), "p90": finite_json(m.p90)} for m in result.milestones]


def _funnel_json(funnel) -> dict:
    return {k: {"screened": v[0], "randomised": v[1], "completing": v[2]}
            for k, v in funnel.items()}


def _forecast_output(args: argparse.Namespace, scenario, resolved, result,
                     extra: dict | None = None) -> str:
    p10, p50, p90 = (finite_json(float(m)) for m in result.months_to_target)
    countries = [
        {"iso3": c.iso3, "sites": c.sites, "rate": c.rate, "rate_shape": c.rate_shape,
         "startup_days": c.startup_days, "startup_sd_days": c.startup_sd_days,
         "never_activate_share": c.never_activate_share, "pool_cap": c.pool_cap,
         "patients_at_p50": result.patients_at_p50.get(c.iso3),
         "cost_at_p50": result.cost_by_country.get(c.iso3), "sources": c.sources}
        for c in resolved.countries
    ]
    out = {
        "scenario": scenario.name,
        "method": result.method,
        "n_sims": result.n_sims,
        "target_patients": result.target_patients,
        "months_to_target": {"p10": p10, "p50": p50, "p90": p90},
        "prob_by_deadline": result.prob_by_deadline,
        "total_cost_at_p50": result.total_cost_at_p50,
        "countries": countries,
        "warnings": list(result.warnings),
        "target_kind": resolved.target_kind,
        "funnel_at_p50": _funnel_json(result.funnel),
        "milestones": _milestones_json(result),
        **(extra or {}),
    }
    if args.json:
        return to_json(out)
    q = result.months_to_target
    lines = [f"{scenario.name}: {result.target_patients} patients ({resolved.target_kind})",
             f"months to target P10/P50/P90: {_months(q[0])} / {_months(q[1])} / "
             f"{_months(q[2])}"]
    for c in resolved.countries:
        funnel = result.funnel.get(c.iso3)
        if funnel is None:
            continue
        lines.append(f"  {c.iso3}: {c.sites} sites, {funnel[0]:,.0f} screened -> "
                     f"{funnel[1]:,.0f} randomised -> {funnel[2]:,.0f} completing at P50")
    if result.milestones:
        lines.append("milestones [months] P10 / P50 / P90:")
        lines += [f"  {m.scope} {m.milestone.replace('_', ' ')}: {_months(m.p10)} / "
                  f"{_months(m.p50)} / {_months(m.p90)}" for m in result.milestones]
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


def _cmd_export(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.enrollment import forecast, planning
    from footprint.io.scenario_csv import scenario_to_csv

    inputs = model_inputs.load_inputs(con)
    scenario = load_scenario(inputs, args.scenario)
    result = None
    if args.with_forecast:
        n_sims = check_sims(args.sims)
        resolved = planning.resolve_with_model(inputs, scenario)
        result = forecast.forecast(resolved, n_sims=n_sims)
    write_output(args.csv, scenario_to_csv(scenario, result))
    return f"wrote {len(scenario.countries)} rows to {args.csv}"


def register(commands: argparse._SubParsersAction) -> None:
    """the planning commands: forecast, export"""
    fc = commands.add_parser("forecast", help="forecast enrollment for a scenario JSON")
    fc.add_argument("scenario", help="scenario JSON file (format in README.md)")
    fc.add_argument("--sims", type=int, default=DEFAULT_N_SIMS,
                    help="simulated trials (default %(default)s)")
    fc.add_argument("--method", choices=METHOD_CHOICES, default=METHOD_CHOICES[0])
    fc.add_argument("--json", action="store_true", help="print JSON")
    fc.set_defaults(handler=_cmd_forecast)

    ex = commands.add_parser("export", help="write a scenario as the analyst CSV")
    ex.add_argument("scenario", help="scenario JSON file")
    ex.add_argument("--csv", required=True, metavar="OUT.csv")
    ex.add_argument("--with-forecast", action="store_true",
                    help="add the forecast outputs (Monte Carlo) to each row")
    ex.add_argument("--sims", type=int, default=DEFAULT_N_SIMS)
    ex.set_defaults(handler=_cmd_export)

