"""CLI start-up against its floor: a fresh `python -m footprint regions --json` versus a fresh
`python -c "import pandas, duckdb"` (the two libraries the command cannot avoid).

The two commands run interleaved (A, B, A, B, ...) so machine noise hits both alike; the
figure is the ratio of their medians, target <= 1.5x. Then one `python -X importtime` run of
the CLI prints its 15 slowest imports (cumulative), the candidates for lazy imports.
Talks to the product only through the CLI (no `import footprint` here).
Run: .venv/bin/python -m bench.bench_startup [--root DIR] [--n 15]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench.common import figure, ratio_figure, report

ROOT = Path(__file__).resolve().parent.parent

CLI = ["-m", "footprint", "regions", "--json"]
FLOOR = ["-c", "import pandas, duckdb"]
TARGET_RATIO = 1.5


def wall(args: list[str], cwd: Path) -> float:
    """Seconds of a fresh ``python <args>`` process in ``cwd``, from spawn to exit."""
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def interleaved(cwd: Path, n: int) -> tuple[list[float], list[float]]:
    """(CLI, floor) wall times [s], ``n`` each, alternating, after one unmeasured pair."""
    wall(CLI, cwd), wall(FLOOR, cwd)  # warm the file cache and .pyc files
    cli, floor = [], []
    for _ in range(n):
        cli.append(wall(CLI, cwd))
        floor.append(wall(FLOOR, cwd))
    return cli, floor


def slowest_imports(cwd: Path, top: int = 15) -> list[tuple[float, float, str]]:
    """(cumulative [s], self [s], module as importtime nests it) of the ``top`` slowest
    imports of one CLI run, by cumulative time."""
    run = subprocess.run([sys.executable, "-X", "importtime", *CLI], cwd=cwd, check=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rows = []
    for line in run.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|", 2)
        rows.append((int(cumulative) / 1e6, int(own) / 1e6, name.rstrip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the project checkout to run the CLI in (default: this one)")
    parser.add_argument("--n", type=int, default=15, help="runs of each command")
    args = parser.parse_args()
    cli, floor = interleaved(args.root, args.n)
    report("startup", [
        ratio_figure("CLI regions --json / python -c 'import pandas, duckdb'", cli, floor,
                     TARGET_RATIO),
        figure("CLI regions --json, fresh process", cli, float("inf")),
        figure("python -c 'import pandas, duckdb', fresh process", floor, float("inf")),
    ])
    print("\n15 slowest imports of `python -X importtime -m footprint regions --json` "
          "(cumulative):")
    print(f"{'cumulative':>10} {'self':>9}  module")
    for cumulative, own, name in slowest_imports(args.root):
        print(f"{cumulative * 1000:8.1f} ms {own * 1000:6.1f} ms {name}")


if __name__ == "__main__":
    main()
