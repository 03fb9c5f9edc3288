"""Where a cold start goes: server side (the first script run) or browser side (the draw).

Not a benchmark (prints, writes no figures). For Explore and for bench_app's trivial one-map
app, interleaved, each from a fresh `streamlit run` wrapped so that every script run is timed
(and the first one profiled in the script thread: --profiler pyinstrument, a sampler, needs
`pip install pyinstrument`; cprofile slows pure-Python code such as pydeck's indented JSON
encoder ~5x; none), it prints per start [s from process start]: HTTP 200 of /_stcore/health,
the first WebSocket frame, the largest frame (the deck JSON) and its size, the last frame
before the map is drawn, the canvas in the DOM, the map drawn, and the server's script runs
(start+duration). Then the first run's profile. --save-decks DIR writes each app's deck JSON
(from its largest frame) to DIR/<app>.deck.json. Talks to the product only by subprocess.
Run: .venv/bin/python -m bench.profile_cold [--root DIR] [--n 3] [--profiler P] [--top 40]
"""

from __future__ import annotations

import argparse
import json
import pstats
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.bench_app import (
    CANVAS,
    CHROMIUM,
    CHROMIUM_ARGS,
    OCEAN,
    SERVER_ARGS,
    WHITE,
    free_port,
    wait_for_map,
    write_trivial_app,
)

ROOT = Path(__file__).resolve().parent.parent

# Runs `streamlit run` in this process with ScriptRunner._run_script timed; the first run is
# profiled into argv[2] by argv[1] (cprofile, pyinstrument or none). Timings go to stderr as
# JSON lines [s since process start].
WRAPPER = r"""
import json, sys, time
T0 = time.perf_counter()
from streamlit.runtime.scriptrunner import script_runner as sr
profiler, profile_path, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
original = sr.ScriptRunner._run_script
runs = []
def timed(self, rerun_data):
    start = time.perf_counter()
    prof = None
    if not runs and profiler == "cprofile":
        import cProfile
        prof = cProfile.Profile()
        prof.enable()
    elif not runs and profiler == "pyinstrument":
        import pyinstrument
        prof = pyinstrument.Profiler(interval=0.001)
        prof.start()
    runs.append(start)
    try:
        return original(self, rerun_data)
    finally:
        if profiler == "cprofile" and prof:
            prof.disable()
            prof.dump_stats(profile_path)
        elif prof:
            prof.stop()
            with open(profile_path, "w") as out:
                out.write(prof.output_text(unicode=False, color=False, show_all=False))
        print(json.dumps({"run_start": start - T0, "run_s": time.perf_counter() - start}),
              file=sys.stderr, flush=True)
sr.ScriptRunner._run_script = timed
from streamlit.web import cli
sys.argv = ["streamlit", "run", *argv]
cli.main()
"""


def profile_start(browser, name: str, script: Path, cwd: Path, profiler: str, prof: Path,
                  need, save_deck: Path | None = None) -> dict:
    """One fresh, wrapped ``streamlit run`` of ``script`` and a first visit: its timeline."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile(mode="w+")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, profiler, str(prof), str(script),
         "--server.address", "127.0.0.1", "--server.port", str(port),
         *SERVER_ARGS],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=log)
    out: dict = {"app": name}
    frames: list[tuple[float, int]] = []
    largest: list[bytes] = [b""]

    def on_frame(payload: str | bytes) -> None:
        frames.append((time.perf_counter() - start, len(payload)))
        if save_deck and len(payload) > len(largest[0]):
            largest[0] = payload if isinstance(payload, bytes) else payload.encode()

    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.02)
        out["http_200"] = time.perf_counter() - start
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
        page.goto(url)
        page.wait_for_selector(CANVAS, timeout=60_000)
        out["canvas_in_dom"] = time.perf_counter() - start
        background = (OCEAN, WHITE) if need else (WHITE,)
        wait_for_map(page, background, need)
        out["drawn"] = time.perf_counter() - start
        page.close()
        time.sleep(0.5)  # let the script run finish and log
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    drawn_frames = [f for f in frames if f[0] <= out["drawn"]]
    out["first_frame"] = frames[0][0]
    big = max(frames, key=lambda f: f[1])
    out["largest_frame"], out["largest_frame_bytes"] = big
    out["last_frame_before_drawn"] = drawn_frames[-1][0]
    out["frames_bytes_before_drawn"] = sum(f[1] for f in drawn_frames)
    if save_deck:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = ForwardMsg()
        msg.ParseFromString(largest[0])
        save_deck.write_text(msg.delta.new_element.deck_gl_json_chart.json)
    log.seek(0)
    out["script_runs"] = [json.loads(line) for line in log if line.startswith("{")]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--profiler", choices=["pyinstrument", "cprofile", "none"],
                        default="pyinstrument")
    parser.add_argument("--save-decks", type=Path)
    args = parser.parse_args()
    root = args.root.resolve()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="profile_cold_") as tmp, sync_playwright() as p:
        trivial = write_trivial_app(Path(tmp), root)
        apps = [("Explore", root / "app.py", root, (OCEAN,)),
                ("trivial", trivial, Path(tmp), ())]
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for i in range(args.n):
            for name, script, cwd, need in apps:
                prof = Path(tempfile.gettempdir()) / f"profile_cold_{name}.{args.profiler}"
                deck = args.save_decks / f"{name}.deck.json" if args.save_decks else None
                r = profile_start(browser, name, script, cwd, args.profiler, prof, need, deck)
                runs = ", ".join(f"{s['run_start']:.2f}+{s['run_s']:.2f}"
                                 for s in r["script_runs"])
                print(f"{name:8} #{i}: http {r['http_200']:.2f}  first frame "
                      f"{r['first_frame']:.2f}  deck frame {r['largest_frame']:.2f} "
                      f"({r['largest_frame_bytes']:,} B)  last frame "
                      f"{r['last_frame_before_drawn']:.2f}  canvas {r['canvas_in_dom']:.2f}  "
                      f"drawn {r['drawn']:.2f}  WS bytes {r['frames_bytes_before_drawn']:,}  "
                      f"script runs (start+s): {runs}", flush=True)
        browser.close()
    for name, *_ in apps if args.profiler != "none" else []:
        path = Path(tempfile.gettempdir()) / f"profile_cold_{name}.{args.profiler}"
        print(f"\n== first script run of {name} (last start), {args.profiler}: {path}")
        if args.profiler == "cprofile":
            pstats.Stats(str(path)).sort_stats("cumulative").print_stats(args.top)
        else:
            print("\n".join(path.read_text().splitlines()[:args.top * 3]))

if __name__ == "__main__":
    main()
