"""Database figures: cold build from data/ and open of the kept file (each in a fresh
process), and the median of each named query.

Targets (issue 2): cold build <= 2 s; each named query <= 50 ms (locate_sites: 300 sites, with
the spatial extension it loads on first use). Opening the kept file: reported, no target.
Issue 14: the build with the trial landscape and the WPP age/sex tables <= 1.5x the build of
only what was there before issue 14 (:data:`BEFORE_14_TABLES`, :data:`BEFORE_14_QUERIES`),
each in a fresh process, the two interleaved in one run. The landscape's counts and the WPP
2025 column are derived by ``make data`` (not by a build): the derivation is reported beside,
with no target, so its cost stays visible.
Run: .venv/bin/python -m bench.bench_database
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import figure, ratio_figure, report, timings
from footprint.data import database, queries
from footprint.data.database import open_database

SAMPLE_PARAMS = {
    "latest_indicators": {"as_of_year": 2025, "max_age_years": 5},
    "subnational_units": {"iso3": "USA"},
    "major_cities": {"iso3": "IND", "min_population": 15_000},
}
COLD = """
import sys, time; t0 = time.perf_counter()
from footprint.data import database
t1 = time.perf_counter(); c1 = time.process_time()
getattr(database, sys.argv[1])()
t2 = time.perf_counter(); c2 = time.process_time()
print(t1 - t0, t2 - t1, c2 - c1)
"""
BEFORE_14_TABLES = (
    "src_admin0", "src_admin1", "src_cities", "src_wdi", "src_wdi_meta", "src_wgi",
    "src_owid_physicians", "src_owid_internet", "src_ncdrisc", "src_regions",
    "src_code_crosswalk", "src_indicators", "src_sources", "src_country_notes",
    "src_indications", "src_regulatory_startup", "src_country_gate", "src_regulators")
"""The source tables of the build before issue 14 (commit 71c4870)."""
BEFORE_14_QUERIES = ("build_countries", "build_regions", "build_indicator_values",
                     "build_cities", "build_subnational_units")
"""Its build steps."""
BEFORE_14 = """
import sys, time; t0 = time.perf_counter()
import duckdb
from footprint.data import database, queries, spatial
from footprint.paths import DATA_DIR
t1 = time.perf_counter(); c1 = time.process_time()
con = duckdb.connect(":memory:")
con.execute("SET enable_progress_bar = false")
spatial.load(con)
for source in database.SOURCE_FILES:
    if source.table in sys.argv[1].split(","):
        database._load_source(con, source, DATA_DIR)
for query in queries.load(database.BUILD_DIR).values():
    if query.name in sys.argv[2].split(","):
        con.execute(query.sql)
t2 = time.perf_counter(); c2 = time.process_time()
print(t1 - t0, t2 - t1, c2 - c1)
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


def side_by_side(n: int) -> dict[str, list[float]]:
    """Wall and CPU seconds (all threads) of the build call, the whole build or only the
    steps before issue 14, alternating in fresh interpreters (CPU time is the steadier
    figure on a shared machine)."""
    root = Path(__file__).resolve().parent.parent
    out: dict[str, list[float]] = {"with": [], "without": [], "with_cpu": [], "without_cpu": []}
    for _ in range(n):
        run = subprocess.run([sys.executable, "-c", COLD, "build_database"], cwd=root,
                             capture_output=True, text=True, check=True).stdout.split()
        out["with"].append(float(run[1]))
        out["with_cpu"].append(float(run[2]))
        run = subprocess.run([sys.executable, "-c", BEFORE_14, ",".join(BEFORE_14_TABLES),
                              ",".join(BEFORE_14_QUERIES)], cwd=root, capture_output=True,
                             text=True, check=True).stdout.split()
        out["without"].append(float(run[1]))
        out["without_cpu"].append(float(run[2]))
    return out


def main() -> None:
    runs = side_by_side(9)
    issue_14 = [figure("database build, steps before issue 14 only", runs["without"], 2.0),
                figure("database build with landscape + WPP tables", runs["with"], 2.0),
                ratio_figure("build whole / before issue 14", runs["with"], runs["without"],
                             1.5),
                ratio_figure("build whole / before issue 14 (CPU time)", runs["with_cpu"],
                             runs["without_cpu"], 1.5)]
    derivation = [figure("make data: landscape derivation (once, not per build)",
                         timings(database.derive_landscape, 3), float("inf")),
                  figure("make data: WPP 2025 extracts (once, not per build)",
                         timings(database.derive_wpp, 3), float("inf"))]
    total, build = cold_runs("build_database", 7)
    open_database().close()  # the kept file exists before its opens are timed
    _, opened = cold_runs("open_database", 7)
    figures = [*issue_14, *derivation, figure("database cold build (fresh process)", build, 2.0),
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
