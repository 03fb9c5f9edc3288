"""Scoring figures (issue 3).

- every country x every indication re-scored after a weight change, in process
  (country frames precomputed, as the app caches them): median target <= 20 ms;
- the weight-independent country frame per indication (computed once per indication and
  assumption change): reported, no target;
- rank stability (2,000 Dirichlet draws) for the largest region: reported.
Run: .venv/bin/python -m bench.bench_scoring
"""

from __future__ import annotations

import itertools

from bench.common import figure, report, timings
from footprint.data import model_inputs
from footprint.data.database import open_database
from footprint.model import scoring


def main() -> None:
    inputs = model_inputs.load_inputs(open_database())
    indications = list(inputs.indications.index)
    frames = {i: scoring.country_frame(inputs, i) for i in indications}
    everyone = list(inputs.countries.index)
    weight_cycle = itertools.cycle([scoring.Weights(1, 1, 1), scoring.Weights(3, 1, 2),
                                    scoring.Weights(0.5, 2, 1)])

    def rescore_all():
        w = next(weight_cycle)
        for frame in frames.values():
            scoring.score(frame, w, everyone)

    largest = max(inputs.region_members.values(), key=len)
    table = scoring.score(frames[indications[0]], scoring.Weights(), largest)
    figures = [
        figure(f"re-score {len(everyone)} countries x {len(indications)} indications",
               timings(rescore_all, 50, warmup=3), 0.020),
        figure("country frame for one indication (cold)",
               timings(lambda: scoring.country_frame(inputs, "hypertension"), 20), float("inf")),
        figure(f"rank stability, 2000 draws, {len(largest)} countries",
               timings(lambda: scoring.rank_stability(table, scoring.Weights()), 20),
               float("inf")),
    ]
    report("scoring", figures)


if __name__ == "__main__":
    main()
