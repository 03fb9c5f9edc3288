"""Database figures: cold build from data/ and open of the kept file (each in a fresh
process), and the median of each named query.

Targets (issue 2): cold build <= 2 s; each named query <= 50 ms (locate_sites: 300 sites, with
the spatial extension it loads on first use). Opening the kept file: reported, no target.
Run: .venv/bin/python -m bench.bench_database
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import figure, report, timings
from footprint.data import queries
from footprint.data.database import open_database

SAMPLE_PARAMS = {
    "latest_indicators": {"as_of_year": 2025, "max_age_years": 5},
    "subnational_units": {"iso3": "USA"},
    "major_cities": {"iso3": "IND", "min_population": 15_000},
}
COLD = """
import sys, time; t0 = time.perf_counter()
from footprint.data import database
t1 = time.perf_counter(); getattr(database, sys.argv[1])(); t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def cold_runs(entry: str, n: int) -> tuple[list[float], list[float]]:
    """(import + call, call only) seconds of ``footprint.data.database.<entry>()``, each in a
    fresh interpreter."""
    root = Path(__file__).resolve().parent.parent
    total, call = [], []
    for _ in range(n):
        out = subprocess.run([sys.executable, "-c", COLD, entry], cwd=root,
                             capture_output=True, text=True, check=True).stdout.split()
        total.append(float(out[0]) + float(out[1]))
        call.append(float(out[1]))
    return total, call


def main() -> None:
    total, build = cold_runs("build_database", 7)
    open_database().close()  # the kept file exists before its opens are timed
    _, opened = cold_runs("open_database", 7)
    figures = [figure("database cold build (fresh process)", build, 2.0),
               figure("database cold import + build", total, 2.0),
               figure("database open of the kept file (fresh process)", opened,
                      float("inf"))]
    con = open_database()
    # locate_sites reads a registered relation: 300 sites, as a large uploaded site list
    rng = np.random.default_rng(0)
    con.register("uploaded_sites", pd.DataFrame({
        "site_id": range(300), "latitude": rng.uniform(-50, 60, 300),
        "longitude": rng.uniform(-120, 140, 300)}))
    for name in sorted(queries.load()):
        params = SAMPLE_PARAMS.get(name, {})
        figures.append(figure(f"query {name}",
                              timings(lambda n=name, p=params: queries.run(con, n, **p), 30),
                              0.05))
    report("database", figures)


if __name__ == "__main__":
    main()
