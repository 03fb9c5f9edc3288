"""Benchmark of the optimiser to a confidence: one optimisation against one forecast.

Run: ``.venv/bin/python -m bench.bench_optimise [--repeats 5]``

Problem (issue 12): the forecast benchmark's 10 countries (gamma start-ups, mean 3-8 months,
11 % of sites never open, rates Gamma(2, mean 0.6/month)), at most 30 sites each (a 300-site
plan), target 1,000 patients, every country starting from 0 sites; the deadline is the P90 of
the full 300-site plan rounded up to a month, so 80 % confidence needs most but not all sites.
The optimiser runs to 80 % with 10,000 simulated trials per check (its Monte Carlo checks,
the base's forecast and the proposal's confirming forecast included); the reference is one
10,000-trial ``forecast_monte_carlo`` of the final plan. Each repeat runs the two back to back;
figures are medians with min-max, the ratio is the ratio of the medians (target <= 10x).
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import replace

from bench.bench_forecast import COUNTRIES, STARTUP_DAYS, TARGET
from bench.common import figure, ratio_figure, report
from footprint.enrollment import forecast as fc
from footprint.enrollment import planning
from footprint.enrollment.scenario import CountryPlan, Scenario, resolve

N_TRIALS = 10_000
MAX_SITES = 30
CONFIDENCE = 0.8


def problem(sites: int) -> Scenario:
    plans = [
        CountryPlan(iso3, sites, startup_days=float(d), startup_sd_days=0.3 * d,
                    max_sites=MAX_SITES)
        for iso3, d in zip(COUNTRIES, STARTUP_DAYS, strict=True)
    ]
    return Scenario(name="bench", indication="hypertension", target_patients=TARGET,
                    countries=tuple(plans), seed=7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    full = resolve(problem(MAX_SITES))
    deadline = float(math.ceil(fc.forecast_monte_carlo(full, n_sims=N_TRIALS).p90))
    base = resolve(replace(problem(0), deadline_months=deadline))
    planning.optimise(base, deadline_months=deadline, n_sims=1000)  # warm-up

    opt_runs, fc_runs = [], []
    out = None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        out = planning.optimise(base, deadline_months=deadline, confidence=CONFIDENCE,
                                n_sims=N_TRIALS)
        opt_runs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        fc.forecast_monte_carlo(out.proposal, n_sims=N_TRIALS)
        fc_runs.append(time.perf_counter() - t0)
    assert out is not None
    print(f"Problem: {len(COUNTRIES)} countries x at most {MAX_SITES} sites, target {TARGET}, "
          f"deadline {deadline:g} months (P90 of the {full.total_sites}-site plan), "
          f"confidence {CONFIDENCE:g}, {N_TRIALS:,} trials")
    print(f"Proposal: {out.proposal.total_sites} sites, Monte Carlo P(deadline) "
          f"{out.prob_by_deadline:.4f}, met {out.met}; {len(out.checks)} checks "
          f"{[(n, round(p, 4)) for n, p in out.checks]}")
    print()
    report("optimise", [
        figure("optimise to 80 % (10k trials per check)", opt_runs, float("inf")),
        figure("one 10k-trial forecast of the final plan", fc_runs, float("inf")),
        ratio_figure("optimise / one forecast", opt_runs, fc_runs, 10.0),
    ])


if __name__ == "__main__":
    main()
