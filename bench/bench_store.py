"""Workspace store figures (issue 13), in the embedded SQLite store.

Saving a scenario version against writing the same JSON to a new file (every version kept,
as in the store), interleaved, measured two ways so that both sides give the same guarantee:

- **neither fsyncs** (target <= 2.0): the store as the app opens it (WAL, synchronous=NORMAL:
  a commit is appended to the write-ahead log, fsynced at checkpoints; it survives an app
  crash, a power cut may lose the last commits but never the file's consistency) against a
  plain ``write`` of a new file (in the page cache: the same guarantees);
- **both fsync** (reported): the store with synchronous=FULL (the log fsynced at every
  commit) against a new file fsynced with its folder (its name too must reach the disk).

Also: each save alone, and listing the newest 1,000 versions of that scenario.
Run: .venv/bin/python -m bench.bench_store
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from bench.common import figure, ratio_figure, report, timings
from footprint.paths import EXAMPLES_DIR
from footprint.store.workspace import TEAM_USER, open_store

N = 1000
N_FSYNC = 200
PAYLOAD = (EXAMPLES_DIR / "scenario_latam_hypertension.json").read_text()


def _synchronous_full(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=FULL")


def _write(path: Path, fsync: bool) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(PAYLOAD)
        if fsync:
            out.flush()
            os.fsync(out.fileno())
    if fsync:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def saves_and_writes(folder: str, n: int, fsync: bool) -> tuple[list[float], list[float]]:
    """``n`` interleaved (save, write) pairs [s] in ``folder``."""
    url = f"sqlite:///{folder}/footprint-{'full' if fsync else 'normal'}.sqlite"
    store = open_store(url)
    if fsync:
        store.engine.dispose()  # new connections, each set to synchronous=FULL
        event.listen(store.engine, "connect", _synchronous_full)
    first = store.save_scenario(PAYLOAD, user=TEAM_USER)
    files = Path(folder, "fsync" if fsync else "plain")
    files.mkdir()
    saves, writes = [], []
    for i in range(n):
        start = time.perf_counter()
        store.save_scenario(PAYLOAD, user=TEAM_USER, note=f"save {i}", scenario_id=first.id)
        saved = time.perf_counter()
        _write(files / f"scenario-{i}.json", fsync)
        writes.append(time.perf_counter() - saved)
        saves.append(saved - start)
    assert store.get(first.id, user=TEAM_USER).version == n + 1  # every save a version
    store.close()
    return saves, writes


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="footprint-bench-") as folder:
        saves, writes = saves_and_writes(folder, N, fsync=False)
        synced_saves, synced_writes = saves_and_writes(folder, N_FSYNC, fsync=True)
        store = open_store(f"sqlite:///{folder}/footprint-normal.sqlite")
        (item,) = store.list(user=TEAM_USER)
        listed = len(store.versions(item.id, user=TEAM_USER))
        listing = timings(lambda: store.versions(item.id, user=TEAM_USER), 20)
        store.close()
    figures = [
        ratio_figure(f"save a version / write a new file, no fsync ({N:,})", saves, writes,
                     2.0),
        ratio_figure(f"save (sync FULL) / write + fsync a new file ({N_FSYNC})",
                     synced_saves, synced_writes, float("inf")),
        figure("save one version (WAL, synchronous=NORMAL)", saves, float("inf")),
        figure("write the JSON to a new file", writes, float("inf")),
        figure("save one version (WAL, synchronous=FULL)", synced_saves, float("inf")),
        figure("write + fsync a new file and its folder", synced_writes, float("inf")),
        figure(f"list the newest {listed:,} versions", listing, float("inf")),
    ]
    report("store", figures)


if __name__ == "__main__":
    main()
