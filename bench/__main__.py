"""Run every benchmark and print one table: `make bench` (python -m bench).

Each bench/bench_<name>.py runs in its own process (``python -m bench.bench_<name>``; the
project is installed editable) and writes bench/results/<name>.json; this
collects them into one table (figure, median, min-max, target, pass/fail) and writes
bench/results/all.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.common import fmt

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def main() -> int:
    failed_runs = []
    rows = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        run = subprocess.run([sys.executable, "-m", f"bench.{script.stem}"], cwd=HERE.parent)
        if run.returncode != 0:
            failed_runs.append(script.name)
            continue
        name = script.stem.removeprefix("bench_")  # bench_x.py reports to results/x.json
        for fig in json.loads((RESULTS / f"{name}.json").read_text()):
            rows.append({"bench": name, **fig})
    (RESULTS / "all.json").write_text(json.dumps(rows, indent=2))
    print(f"\n{'bench':<10} {'figure':<52} {'median':>11} {'min-max':>23} {'target':>11}  ok")
    for r in rows:
        print(f"{r['bench']:<10} {r['figure']:<52} {fmt(r['median'], r['unit']):>11} "
              f"{fmt(r['min'], r['unit']) + '-' + fmt(r['max'], r['unit']):>23} "
              f"{fmt(r['target'], r['unit']):>11}  {'pass' if r['pass'] else 'FAIL'}")
    if failed_runs:
        print(f"benchmarks that crashed: {failed_runs}")
    return 1 if failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
