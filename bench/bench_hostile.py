"""Hostile inputs (issue 15): how fast and how small each refusal is, and what it costs others.

- the time to refuse each hostile file through the reader the app calls (the upload reader,
  the scenario file reader, the site list reader), target <= 1 s each, and its peak Python
  memory (tracemalloc), reported;
- the optimiser: the refusal of a site budget past its work budget (241 countries, 5,000
  sites), target <= 1 s; and the calibration of MAX_OPTIMISER_EVALUATIONS: the measured cost
  of an evaluation times the budget, target <= MAX_OPTIMISER_SECONDS / 2;
- two sessions: while one thread parses a hostile file (what a session's upload callback
  does; a new file with each rerun), another session reruns the Scenario builder (AppTest):
  the ratio of its median rerun time to its idle median, target <= 2.0. Reported beside it:
  the same with hostile files parsed back to back, and with a benign busy loop instead (two
  busy threads share the interpreter lock: about 2 x is the fair share, whatever the work;
  what a hostile file must not do is hold the lock far longer than that, and none does: the
  longest stretch without a Python bytecode is decoding 50 MB, ~30 ms).
Run: .venv/bin/python -m bench.bench_hostile
"""

from __future__ import annotations

import json
import threading
import time
import tracemalloc
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from bench.common import figure, ratio_figure, report, timings
from footprint.assumptions import (
    MAX_OPTIMISER_EVALUATIONS,
    MAX_OPTIMISER_SECONDS,
    MAX_UPLOAD_BYTES,
)
from footprint.data import model_inputs
from footprint.data.database import open_database
from footprint.enrollment import planning
from footprint.enrollment.scenario import CountryPlan, Scenario
from footprint.errors import FootprintError
from footprint.io.scenario_file import read_scenario_file
from footprint.io.site_lists import parse_site_list
from footprint.paths import EXAMPLES_DIR

EXAMPLE = json.loads((EXAMPLES_DIR / "scenario_latam_hypertension.json").read_text())
VALID = {"BRA", "MEX", "ARG", "COL", "FRA", "USA", "JPN"}
HEADER = ("scenario_no,schema_version,name,indication,target_patients,seed,deadline_months,"
          "iso3,sites")


def _json(**changes) -> bytes:
    return json.dumps({**EXAMPLE, **changes}).encode()


HOSTILE: list[tuple[str, str, bytes]] = [
    ("300,000 countries (JSON)", "scenario",
     _json(countries=[{"iso3": "XXX", "sites": -1}] * 300_000)),
    ("a 5,000-digit seed (JSON)", "scenario", _json()[:-1] + b', "seed": ' + b"9" * 5000 + b"}"),
    ("nested 100,000 deep (JSON)", "scenario", b"[" * 100_000),
    ("rate 1e308, shape 5e-324 (JSON)", "scenario",
     _json(countries=[{"iso3": "BRA", "sites": 2, "rate": 1e308, "rate_shape": 5e-324}])),
    ("over the upload limit (JSON)", "scenario", b"[" + b"1," * (MAX_UPLOAD_BYTES // 2) + b"1]"),
    ("100,000 unknown columns (scenario CSV)", "scenario",
     (HEADER + "," + ",".join(f"x{i}" for i in range(100_000)) + "\n").encode()),
    ("63 KB of unbalanced quotes (site list)", "sites",
     ("site_name,country\n" + '"A,"B""C,\n' * 6000).encode()),
    ("100,000 columns (site list)", "sites",
     (",".join(f"c{i}" for i in range(100_000)) + "\n").encode()),
    ("49 MB of rows (site list)", "sites",
     b"site_name,country\n" + b"A,BRA\n" * ((MAX_UPLOAD_BYTES - 2**20) // 6)),
    ("49 MB in one open quote (site list)", "sites",
     b'site_name,country\n"' + b"x" * (MAX_UPLOAD_BYTES - 2**20)),
]


def _reader(kind: str, data: bytes) -> Callable[[], object]:
    def refuse() -> object:
        try:
            if kind == "scenario":
                read_scenario_file(data, "upload.json" if data[:1] in b"{[" else "upload.csv",
                                   valid_iso3=VALID, valid_indications={"hypertension"})
            else:
                parse_site_list(data, VALID)
        except FootprintError as exc:
            return exc
        raise AssertionError("a hostile file was accepted")
    return refuse


def _peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _optimiser_figures() -> list[dict]:
    inputs = model_inputs.load_inputs(open_database(load_spatial=False))
    codes = list(inputs.countries.index)

    def plan(n: int):
        scenario = Scenario("n", "hypertension", 100_000, tuple(CountryPlan(c, 1)
                                                                 for c in codes[:n]))
        return planning.resolve_with_model(inputs, scenario)

    wide = plan(len(codes))

    def refuse() -> None:
        try:
            planning.optimise(wide, max_total_sites=5000, confirm=False)
        except FootprintError:
            return
        raise AssertionError("the site budget was not refused")

    per_evaluation = []
    for n in (10, 50, 120):
        steps = 30 if n < 100 else 8
        start = time.perf_counter()
        planning.optimise(plan(n), max_total_sites=n + steps, confirm=False)
        per_evaluation.append((time.perf_counter() - start) / (steps * planning.step_work(n, n)))
    return [
        figure(f"refuse 5,000 sites among {len(codes)} countries (optimiser)",
               timings(refuse, 5), 1.0),
        figure("optimiser: evaluation budget in seconds (measured n=10, 50, 120)",
               [p * MAX_OPTIMISER_EVALUATIONS for p in per_evaluation],
               MAX_OPTIMISER_SECONDS / 2),
    ]


def _builder() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    at.switch_page("app_pages/scenario_builder.py")
    at.run()
    assert not at.exception
    return at


def _beside(other: AppTest, work: Callable[[], object], rounds: int) -> list[float]:
    """Rerun times of ``other`` while a thread runs ``work`` (started with each rerun, or
    back to back when ``rounds`` is negative)."""
    out = []
    for _ in range(rounds):
        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        start = time.perf_counter()
        other.run()
        out.append(time.perf_counter() - start)
        worker.join()
    return out


def _interference(rounds: int = 10) -> list[dict]:
    other = _builder()
    refusals = [_reader(kind, data) for _, kind, data in HOSTILE]
    turn = iter(range(10**9))

    def one_hostile_file() -> None:
        refusals[next(turn) % len(refusals)]()

    stop = threading.Event()

    def loop(job: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            while not stop.is_set():
                job()
        return run

    def busy() -> None:  # a benign pure-Python session, for comparison
        total = 0
        for i in range(200_000):
            total += i % 7

    idle = timings(other.run, rounds)
    single = _beside(other, one_hostile_file, rounds)
    figures = [ratio_figure("rerun of another session while one parses a hostile file",
                            single, idle, 2.0)]
    for label, job in (("hostile files back to back", one_hostile_file),
                       ("a benign busy loop", busy)):
        stop.clear()
        worker = threading.Thread(target=loop(job), daemon=True)
        worker.start()
        loaded = timings(other.run, rounds, warmup=0)
        stop.set()
        worker.join()
        figures.append(ratio_figure(f"  beside {label} (fair share of the lock: 2 x)", loaded,
                                    idle, float("inf")))
    figures.append(figure("rerun of the Scenario builder, idle", idle, float("inf")))
    return figures


def main() -> None:
    figures = []
    for name, kind, data in HOSTILE:
        refuse = _reader(kind, data)
        figures.append(figure(f"refuse {name}", timings(refuse, 3), 1.0))
        peak = _peak_mb(refuse)
        figures.append(figure(f"  peak memory, {len(data) / 2**20:.1f} MB file", [peak],
                              float("inf"), unit="MB"))
    figures += _optimiser_figures()
    figures += _interference()
    report("hostile", figures)


if __name__ == "__main__":
    main()
