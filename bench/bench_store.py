"""Workspace store figures (issue 13), in the embedded SQLite store.

- saving a scenario version vs writing the same JSON to a file, interleaved, 1,000 of each
  (the example scenario): ratio of the medians, target <= 2.0, against a new file per save
  (every version kept, as in the store) and against overwriting one file;
- each alone, and listing the newest 1,000 versions of that scenario: reported.
The SQLite store runs in WAL mode with synchronous=NORMAL (footprint.store.workspace), so a
save, like the file write, reaches the OS without an fsync of its own.
Run: .venv/bin/python -m bench.bench_store
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.common import figure, ratio_figure, report, timings
from footprint.paths import EXAMPLES_DIR
from footprint.store.workspace import TEAM_USER, open_store

N = 1000
PAYLOAD = (EXAMPLES_DIR / "scenario_latam_hypertension.json").read_text()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="footprint-bench-") as folder:
        store = open_store(f"sqlite:///{folder}/footprint.sqlite")
        first = store.save_scenario(PAYLOAD, user=TEAM_USER)
        saves, writes, overwrites = [], [], []
        for i in range(N):
            start = time.perf_counter()
            store.save_scenario(PAYLOAD, user=TEAM_USER, note=f"save {i}",
                                scenario_id=first.id)
            saved = time.perf_counter()
            Path(folder, f"scenario-{i}.json").write_text(PAYLOAD, encoding="utf-8")
            written = time.perf_counter()
            Path(folder, "scenario.json").write_text(PAYLOAD, encoding="utf-8")
            overwrites.append(time.perf_counter() - written)
            writes.append(written - saved)
            saves.append(saved - start)
        listed = len(store.versions(first.id, user=TEAM_USER))
        figures = [
            ratio_figure(f"save a version / write the JSON to a new file ({N:,})", saves,
                         writes, 2.0),
            ratio_figure(f"save a version / overwrite one JSON file ({N:,})", saves,
                         overwrites, 2.0),
            figure("save one version (SQLite store)", saves, float("inf")),
            figure("write the JSON to a new file", writes, float("inf")),
            figure("overwrite one JSON file", overwrites, float("inf")),
            figure(f"list the newest {listed:,} versions",
                   timings(lambda: store.versions(first.id, user=TEAM_USER), 20),
                   float("inf")),
        ]
        store.close()
    report("store", figures)


if __name__ == "__main__":
    main()
