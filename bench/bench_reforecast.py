"""Benchmark of the re-forecast from actuals: 300 sites of actuals against one forecast.

Run: ``.venv/bin/python -m bench.bench_reforecast [--repeats 7]``

Problem: the 10-country, 300-site plan of :mod:`bench.bench_forecast` (target 1,000
patients, 10,000 simulated trials). The actuals, as of 2026-09-01: every site listed, 240
open for 1-12 months with patients in proportion (a fixed seed), 60 not open. The
re-forecast (validation of the CSV, the posterior of every open site, the Monte Carlo of the
remainder) and one plain 10,000-trial forecast of the same plan run back to back in each
repeat; figures are medians with min-max, the ratio is the ratio of the medians (target
<= 2x). Written to ``bench/results/reforecast.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random

from bench.bench_forecast import N_TRIALS, problem
from bench.common import figure, ratio_figure, report, timings
from footprint.enrollment import forecast as fc
from footprint.enrollment.reforecast import reforecast
from footprint.io.actuals import actuals_from_csv

AS_OF = dt.date(2026, 9, 1)


def actuals_csv(resolved, seed: int = 3) -> str:
    """Every planned site; four in five open 1-12 months with patients at about 0.15/month
    (a slow start: about a fifth of the target to date)."""
    rng = random.Random(seed)
    lines = ["iso3,site_id,opened_on,randomised"]
    for c in resolved.countries:
        for i in range(c.sites):
            if rng.random() < 0.8:
                days = rng.randint(30, 365)
                opened = AS_OF - dt.timedelta(days=days)
                k = max(0, round(rng.gauss(0.15 * days / fc.DAYS_PER_MONTH, 1)))
                lines.append(f"{c.iso3},{c.iso3}-{i:03d},{opened.isoformat()},{k}")
            else:
                lines.append(f"{c.iso3},{c.iso3}-{i:03d},,0")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    resolved = problem()
    text = actuals_csv(resolved)

    def refit():
        return reforecast(resolved, actuals_from_csv(text, resolved, AS_OF), AS_OF,
                          n_sims=N_TRIALS)

    def plain():
        return fc.forecast_monte_carlo(resolved, n_sims=N_TRIALS)

    refit(), plain()  # warm-up
    re_times, fc_times = [], []
    for _ in range(args.repeats):  # interleaved: both see the same machine load
        re_times += timings(refit, 1, warmup=0)
        fc_times += timings(plain, 1, warmup=0)
    out = refit()
    sites = sum(out.sites_open.values())
    print(f"re-forecast: {sites} open sites of 300, {out.counted_to_date} randomised, "
          f"remaining P10/P50/P90 = "
          + " / ".join(f"{m:.1f}" for m in out.result.months_to_target) + " months")
    report("reforecast", [
        figure("re-forecast, 300 sites of actuals, 10k trials", re_times, float("inf")),
        figure("one forecast of the same plan, 10k trials", fc_times, float("inf")),
        ratio_figure("re-forecast / forecast", re_times, fc_times, 2.0),
    ])


if __name__ == "__main__":
    main()
