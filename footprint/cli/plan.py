"""``forecast``, ``reforecast`` and ``export``: a scenario's enrollment forecast, its update
from actual enrollment, and its analyst CSV."""

from __future__ import annotations

import argparse
import datetime as dt
import math

from footprint.assumptions import DEFAULT_N_SIMS
from footprint.cli.common import (
    METHOD_CHOICES,
    check_sims,
    finite_json,
    load_scenario,
    read_input,
    to_json,
    write_output,
)
from footprint.errors import UploadError, UsageError


def _cmd_forecast(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.enrollment import forecast, planning

    inputs = model_inputs.load_inputs(con)
    inputs, scenario = load_scenario(inputs, args.scenario)
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


def _as_of(text: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of must be a date YYYY-MM-DD, got {text!r}") from None


def _cmd_reforecast(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.enrollment import planning, reforecast
    from footprint.io.actuals import actuals_from_csv
    from footprint.io.uploads import decode

    as_of = _as_of(args.as_of)
    inputs = model_inputs.load_inputs(con)
    inputs, scenario = load_scenario(inputs, args.scenario)
    n_sims = check_sims(args.sims)
    resolved = planning.resolve_with_model(inputs, scenario)
    try:
        sites = actuals_from_csv(decode(read_input(args.actuals)), resolved, as_of)
    except UploadError as exc:
        raise UploadError([f"{args.actuals}: {p}" for p in exc.problems],
                          headline=exc.headline) from None
    out = reforecast.reforecast(resolved, sites, as_of, n_sims=n_sims, method=args.method)
    countries = [{"iso3": c.iso3, "sites": c.sites, "sites_open": out.sites_open[c.iso3],
                  "randomised_to_date": out.randomised_to_date[c.iso3],
                  "further_patients_at_p50": out.patients_at_p50[c.iso3]}
                 for c in resolved.countries]
    head = {"as_of": as_of.isoformat(), "counted_to_date": out.counted_to_date,
            "remaining_target": out.remaining_target,
            "months_counted_from": "as_of"}
    if out.result is None:
        if args.json:
            return to_json({"scenario": scenario.name, **head, "target_reached": True,
                            "months_to_target": {"p10": 0.0, "p50": 0.0, "p90": 0.0},
                            "countries": countries, "warnings": list(out.warnings)})
        return (f"{scenario.name}: the target ({scenario.target_patients} "
                f"{resolved.target_kind}) is reached: {out.counted_to_date} to date")
    result = out.result
    if args.json:
        q = [finite_json(float(m)) for m in result.months_to_target]
        return to_json({
            "scenario": scenario.name, **head, "target_reached": False,
            "method": result.method, "n_sims": result.n_sims,
            "target_kind": resolved.target_kind,
            "months_to_target": dict(zip(("p10", "p50", "p90"), q, strict=True)),
            "countries": countries,
            "sites": [{"iso3": s.iso3, "site_id": s.site_id, "months_open": s.months_open,
                       "randomised": s.randomised, "posterior_shape": s.shape,
                       "posterior_rate_beta": s.rate_beta, "posterior_mean_rate": s.mean_rate}
                      for s in out.posteriors],
            "warnings": list(out.warnings) + list(result.warnings)})
    m = result.months_to_target
    lines = [f"{scenario.name} as of {as_of}: {out.counted_to_date} {resolved.target_kind} "
             f"to date, {out.remaining_target} to go",
             f"months from {as_of} to target P10/P50/P90: {_months(m[0])} / {_months(m[1])} / "
             f"{_months(m[2])}"]
    lines += [f"  {c['iso3']}: {c['sites_open']} of {c['sites']} sites open, "
              f"{c['randomised_to_date']} randomised, "
              f"{c['further_patients_at_p50']:.0f} more at P50" for c in countries]
    lines += [f"warning: {w}" for w in list(out.warnings) + list(result.warnings)]
    return "\n".join(lines)


def _cmd_export(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.enrollment import forecast, planning
    from footprint.io.scenario_csv import scenario_to_csv

    inputs = model_inputs.load_inputs(con)
    inputs, scenario = load_scenario(inputs, args.scenario)
    result = None
    if args.with_forecast:
        n_sims = check_sims(args.sims)
        resolved = planning.resolve_with_model(inputs, scenario)
        result = forecast.forecast(resolved, n_sims=n_sims)
    write_output(args.csv, scenario_to_csv(scenario, result))
    return f"wrote {len(scenario.countries)} rows to {args.csv}"


def register(commands: argparse._SubParsersAction) -> None:
    """the planning commands: forecast, reforecast, export"""
    fc = commands.add_parser("forecast", help="forecast enrollment for a scenario JSON")
    fc.add_argument("scenario", help="scenario JSON file (format in README.md)")
    fc.add_argument("--sims", type=int, default=DEFAULT_N_SIMS,
                    help="simulated trials (default %(default)s)")
    fc.add_argument("--method", choices=METHOD_CHOICES, default=METHOD_CHOICES[0])
    fc.add_argument("--json", action="store_true", help="print JSON")
    fc.set_defaults(handler=_cmd_forecast)

    rf = commands.add_parser(
        "reforecast", help="update a scenario's forecast from actual enrollment (CSV)")
    rf.add_argument("scenario", help="scenario JSON file")
    rf.add_argument("actuals", metavar="ACTUALS.csv",
                    help="one row per site: iso3, site_id, opened_on, randomised")
    rf.add_argument("--as-of", required=True, metavar="YYYY-MM-DD",
                    help="the date of the counts; months are counted from it")
    rf.add_argument("--sims", type=int, default=DEFAULT_N_SIMS,
                    help="simulated trials (default %(default)s)")
    rf.add_argument("--method", choices=METHOD_CHOICES, default=METHOD_CHOICES[0])
    rf.add_argument("--json", action="store_true", help="print JSON")
    rf.set_defaults(handler=_cmd_reforecast)

    ex = commands.add_parser("export", help="write a scenario as the analyst CSV")
    ex.add_argument("scenario", help="scenario JSON file")
    ex.add_argument("--csv", required=True, metavar="OUT.csv")
    ex.add_argument("--with-forecast", action="store_true",
                    help="add the forecast outputs (Monte Carlo) to each row")
    ex.add_argument("--sims", type=int, default=DEFAULT_N_SIMS)
    ex.set_defaults(handler=_cmd_export)

