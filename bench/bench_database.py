"""Database figures: cold build from data/ (fresh process) and the median of each named query.

Targets (issue 2): cold build <= 2 s; each named query <= 50 ms (locate_sites: 300 sites).
Run: .venv/bin/python bench/bench_database.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bench.common import figure, report, timings  # noqa: E402
from footprint.data import queries  # noqa: E402
from footprint.data.database import build_database  # noqa: E402

SAMPLE_PARAMS = {
    "latest_indicators": {"as_of_year": 2025, "max_age_years": 5},
    "subnational_units": {"iso3": "USA"},
    "major_cities": {"iso3": "IND", "min_population": 15_000},
}
COLD = """
import time; t0 = time.perf_counter()
from footprint.data.database import build_database
t1 = time.perf_counter(); build_database(); t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def cold_runs(n: int) -> tuple[list[float], list[float]]:
    """(import + build, build only) seconds, each in a fresh interpreter."""
    root = Path(__file__).resolve().parent.parent
    total, build = [], []
    for _ in range(n):
        out = subprocess.run([sys.executable, "-c", COLD], cwd=root, capture_output=True,
                             text=True, check=True).stdout.split()
        total.append(float(out[0]) + float(out[1]))
        build.append(float(out[1]))
    return total, build


def main() -> None:
    total, build = cold_runs(7)
    figures = [figure("database cold build (fresh process)", build, 2.0),
               figure("database cold import + build", total, 2.0)]
    con = build_database()
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
