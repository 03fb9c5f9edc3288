"""Benchmark of the enrollment forecast: vectorised Monte Carlo against a per-site Python loop.

Run: ``.venv/bin/python -m bench.bench_forecast [--repeats 7] [--loop-trials 400]``

Problem: 10 countries x 30 sites = 300 sites, gamma start-ups (mean 3-8 months), 11 % of
sites never open, site rates Gamma(2, mean 0.6/month), target 1,000 patients, 10,000
simulated trials -> P10/P50/P90 of the months to target.

Figures are medians over ``--repeats`` runs, with min-max. The loop baseline is the same
model and the same inversion, written as a plain Python loop over trials and sites (the
``random`` module for draws); it runs ``--loop-trials`` trials and its time is scaled
linearly to 10,000 trials. Speed-up = scaled loop time / vectorised time (both medians).
The figures are also written to ``bench/results/forecast.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path

import numpy as np

from bench.common import figure, report
from footprint.enrollment import forecast as fc
from footprint.enrollment.scenario import CountryPlan, Scenario, resolve

ROOT = Path(__file__).resolve().parents[1]

N_TRIALS = 10_000
TARGET = 1000
COUNTRIES = ["BRA", "MEX", "ARG", "COL", "CHL", "POL", "CZE", "HUN", "ROU", "GEO"]
STARTUP_DAYS = [240, 150, 200, 120, 180, 100, 110, 130, 170, 90]


def problem(seed: int = 7):
    plans = [
        CountryPlan(iso3, 30, startup_days=float(d), startup_sd_days=0.3 * d)
        for iso3, d in zip(COUNTRIES, STARTUP_DAYS, strict=True)
    ]
    scenario = Scenario(
        name="bench", indication="hypertension", target_patients=TARGET,
        countries=tuple(plans), seed=seed,
    )
    return resolve(scenario)


def loop_baseline(resolved, n_trials: int, seed: int = 1) -> list[float]:
    """Months to target per trial, one site at a time in pure Python."""
    rng = random.Random(seed)
    times = []
    for _ in range(n_trials):
        sites = []
        for c in resolved.countries:
            mean = c.startup_days / fc.DAYS_PER_MONTH
            sd = c.startup_sd_days / fc.DAYS_PER_MONTH
            for _ in range(c.sites):
                u = rng.gammavariate((mean / sd) ** 2, sd * sd / mean) if sd > 0 else mean
                if rng.random() < c.never_activate_share:
                    continue
                lam = rng.gammavariate(c.rate_shape, c.rate / c.rate_shape)
                sites.append((u, lam))
        sites.sort()
        clock = rng.gammavariate(resolved.target_patients, 1.0)
        a = b = 0.0
        best = float("inf")
        for u, lam in sites:  # Lambda^{-1}(clock) = min over prefixes of (clock + B) / A
            a += lam
            b += lam * u
            best = min(best, (clock + b) / a)
        times.append(best)
    return times


def timed(fn, repeats: int) -> tuple[list[float], object]:
    out = None
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return runs, out


def summary(runs: list[float]) -> dict:
    return {"median_s": statistics.median(runs), "min_s": min(runs), "max_s": max(runs),
            "runs": len(runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--loop-trials", type=int, default=400)
    args = parser.parse_args()
    r = problem()
    fc.simulate_months_to_target(r, n_sims=1000)  # warm-up (imports, caches)

    def vectorised(workers: int):
        def run():
            times = fc.simulate_months_to_target(r, n_sims=N_TRIALS, workers=workers)
            return np.quantile(times, [0.1, 0.5, 0.9])
        return run

    figures: dict = {
        "problem": {"trials": N_TRIALS, "sites": r.total_sites, "countries": len(r.countries),
                    "target_patients": TARGET},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "numpy": np.__version__, "default_workers": fc.DEFAULT_WORKERS},
    }
    rows = []
    for workers in sorted({1, fc.DEFAULT_WORKERS}):
        runs, q = timed(vectorised(workers), args.repeats)
        figures[f"mc_quantiles_workers{workers}"] = {**summary(runs),
                                                     "p10_p50_p90": [float(x) for x in q]}
        rows.append((f"MC 10k x 300 -> P10/P50/P90, {workers} thread(s)", runs))
    runs, res = timed(lambda: fc.forecast_monte_carlo(r, n_sims=N_TRIALS), args.repeats)
    figures["mc_full_forecast"] = {**summary(runs), "path": res.path,
                                   "horizon_months": res.horizon_months}
    rows.append(("full forecast_monte_carlo (with curve)", runs))
    capped = resolve(r.scenario, pool_caps={"BRA": 60, "MEX": 80})
    runs, res = timed(lambda: fc.forecast_monte_carlo(capped, n_sims=N_TRIALS), args.repeats)
    figures["mc_full_forecast_capped"] = {**summary(runs), "path": res.path}
    rows.append((f"full forecast, 2 binding pool caps ({res.path})", runs))
    runs, res = timed(lambda: fc.forecast_closed_form(r), args.repeats)
    figures["closed_form"] = {**summary(runs), "p10_p50_p90": list(res.months_to_target)}
    rows.append(("closed form (gamma approximation)", runs))

    loop_runs, loop_times = timed(lambda: loop_baseline(r, args.loop_trials), 3)
    scale = N_TRIALS / args.loop_trials
    loop_scaled = [t * scale for t in loop_runs]
    rows.append((f"Python loop, {args.loop_trials} trials scaled x{scale:g}", loop_scaled))
    figures["python_loop"] = {
        **summary(loop_runs), "trials": args.loop_trials,
        "scaled_to_10k_median_s": statistics.median(loop_scaled),
        "p50": float(np.median(loop_times)),
    }
    best_key = f"mc_quantiles_workers{fc.DEFAULT_WORKERS}"
    for key in ("mc_quantiles_workers1", best_key):
        figures[f"speedup_{key}"] = (
            statistics.median(loop_scaled) / figures[key]["median_s"]
        )
    figures["speedup_definition"] = (
        "median loop time scaled linearly to 10,000 trials / median vectorised time"
    )

    print(f"Problem: {N_TRIALS:,} trials x {r.total_sites} sites, target {TARGET} patients; "
          f"{os.cpu_count()} CPUs, numpy {np.__version__}")
    print(f"{'case':58s} {'median':>9s} {'min':>9s} {'max':>9s}")
    for name, runs in rows:
        print(f"{name:58s} {statistics.median(runs):8.3f}s {min(runs):8.3f}s {max(runs):8.3f}s")
    q = figures[best_key]["p10_p50_p90"]
    print(f"MC P10/P50/P90 = {q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f} months "
          f"(loop P50 on {args.loop_trials} trials: {figures['python_loop']['p50']:.2f})")
    for key in ("mc_quantiles_workers1", best_key):
        print(f"speed-up vs loop ({key}): {figures[f'speedup_{key}']:.0f}x "
              f"(target >= 20x); vectorised target <= 0.5 s: "
              f"{'met' if figures[key]['median_s'] <= 0.5 else 'NOT met'}")
    details = ROOT / "bench" / "results" / "forecast-details.json"
    details.parent.mkdir(parents=True, exist_ok=True)
    details.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    table = [figure(name, runs, 0.5 if name.startswith("MC 10k") else float("inf"))
             for name, runs in rows if not name.startswith("Python loop")]
    table.append(figure(f"Python loop baseline ({args.loop_trials} trials, scaled to 10k)",
                        loop_scaled, float("inf")))
    for key in ("mc_quantiles_workers1", best_key):
        table.append(figure(f"speed-up over the loop ({key})",
                            [figures[f"speedup_{key}"]], 20.0, unit="x",
                            higher_is_better=True))
    print()
    report("forecast", table)


if __name__ == "__main__":
    main()
