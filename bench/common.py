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


def figure(name: str, samples: list[float], target: float, unit: str = "s",
           higher_is_better: bool = False) -> dict:
    """One benchmark figure: median, min, max, target and whether the median meets it
    (at most the target, or at least it when ``higher_is_better``, e.g. a speed-up)."""
    median = statistics.median(samples)
    ok = median >= target if higher_is_better else median <= target
    return {"figure": name, "median": median, "min": min(samples), "max": max(samples),
            "n": len(samples), "target": target, "unit": unit, "pass": ok}


def ratio_figure(name: str, numerator: list[float], denominator: list[float],
                 target: float) -> dict:
    """A ratio figure of two interleaved sample lists (unit "x", pass when at most
    ``target``): the median is the ratio of the medians, min-max spans the per-pair ratios
    (sample i of both lists ran back to back)."""
    pairs = [a / b for a, b in zip(numerator, denominator, strict=True)]
    median = statistics.median(numerator) / statistics.median(denominator)
    return {"figure": name, "median": median, "min": min(pairs), "max": max(pairs),
            "n": len(pairs), "target": target, "unit": "x", "pass": median <= target}


def fmt(value: float, unit: str) -> str:
    """A figure for humans: seconds as ms below 10 s; '-' for no target."""
    if value == float("inf"):
        return "-"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 10 else f"{value:.1f} s"
    return f"{value:,.3g} {unit}"


def report(bench: str, figures: list[dict]) -> None:
    """Print a table of figures and write them to bench/results/<bench>.json."""
    print(f"{'figure':<52} {'median':>11} {'min-max':>23} {'target':>11}  ok")
    for f in figures:
        spread = f"{fmt(f['min'], f['unit'])}-{fmt(f['max'], f['unit'])}"
        print(f"{f['figure']:<52} {fmt(f['median'], f['unit']):>11} {spread:>23} "
              f"{fmt(f['target'], f['unit']):>11}  {'pass' if f['pass'] else 'FAIL'}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{bench}.json").write_text(json.dumps(figures, indent=2))
