"""Opening a stored scenario by its link (issue 13): the Scenario builder's first render.

A fresh AppTest session renders the page with ``?scenario=<id>`` (the example scenario read
from the workspace store, validated and loaded) and without a link (the shipped example),
interleaved (A, B, A, B, ...; after one unmeasured render of each, so both find the process's
caches warm, as on a running server). Figure: with / without, ratio of the medians,
target <= 1.10. The store is a temporary SQLite file (FOOTPRINT_DATABASE_URL).
Run: .venv/bin/python -m bench.bench_store_link [--pairs N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.common import figure, ratio_figure, report
from footprint.paths import EXAMPLES_DIR
from footprint.store.workspace import TEAM_USER, URL_VARIABLE, open_store

PAGE = Path(__file__).resolve().parent.parent / "app_pages" / "scenario_builder.py"
PAYLOAD = (EXAMPLES_DIR / "scenario_latam_hypertension.json").read_text()
TARGET = 1.10


def first_render(params: dict[str, str]) -> float:
    """Seconds of a new session's first run of the page at ``params``."""
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.query_params.update(params)
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception or at.warning:
        raise RuntimeError(f"the page did not open cleanly: {[*at.exception, *at.warning]}")
    return elapsed


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--pairs", type=int, default=15)
    pairs = cli.parse_args().pairs
    with tempfile.TemporaryDirectory(prefix="footprint-bench-") as folder:
        url = f"sqlite:///{folder}/footprint.sqlite"
        os.environ[URL_VARIABLE] = url
        store = open_store(url)
        link = {"scenario": store.save_scenario(PAYLOAD, user=TEAM_USER).id}
        store.close()
        first_render(link), first_render({})  # warm the process's caches for both
        linked, plain = [], []
        for _ in range(pairs):
            linked.append(first_render(link))
            plain.append(first_render({}))
    report("store_link", [
        ratio_figure(f"builder first render: by link / without ({pairs} pairs)", linked,
                     plain, TARGET),
        figure("builder first render, opened by ?scenario=<id>", linked, float("inf")),
        figure("builder first render, no link", plain, float("inf")),
    ])


if __name__ == "__main__":
    main()
