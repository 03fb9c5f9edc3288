"""Shared helpers for benchmarks: time a call, summarise, print and save figures as JSON."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def timings(fn: Callable[[], object], repeat: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def figure(name: str, samples: list[float], target: float, unit: str = "s") -> dict:
    """One benchmark figure: median, min, max, target and whether the median meets it."""
    median = statistics.median(samples)
    return {"figure": name, "median": median, "min": min(samples), "max": max(samples),
            "n": len(samples), "target": target, "unit": unit, "pass": median <= target}


def report(bench: str, figures: list[dict]) -> None:
    """Print a table of figures and write them to bench/results/<bench>.json."""
    print(f"{'figure':<48} {'median':>10} {'min':>10} {'max':>10} {'target':>10}  ok")
    for f in figures:
        scale, unit = (1000, "ms") if f["unit"] == "s" else (1, f["unit"])
        print(f"{f['figure']:<48} {f['median'] * scale:>9.1f}{unit[0]} "
              f"{f['min'] * scale:>9.1f}{unit[0]} {f['max'] * scale:>9.1f}{unit[0]} "
              f"{f['target'] * scale:>9.1f}{unit[0]}  {'yes' if f['pass'] else 'NO'}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{bench}.json").write_text(json.dumps(figures, indent=2))
