"""Browser-side cost of a deck: cold starts of one-file apps that only replay saved deck JSON.

Not a benchmark (prints, writes no figures). Each variant is a Streamlit app that imports
pydeck and streamlit only and sends a saved deck spec verbatim (no geopandas, no footprint:
its server side is near the floor), so differences between variants are the browser's
(transfer, JSON parse, deck.gl layer setup and first draw in SwiftShader). Variants: the
trivial app's deck (pydeck's indented JSON, and compact), Explore's deck (ocean + countries
+ borders), Explore's without the borders LineLayer, with a LineLayer of only 10 segments
(which costs about what the whole borders layer costs: the price is the layer type's shader
program, not its data), and its countries layer alone. For reference the real Explore and
trivial apps run in the same interleaved rounds.
Decks come from `bench/profile_cold.py --save-decks DIR`.
Run: .venv/bin/python -m bench.profile_decks --decks DIR [--root DIR] [--n 4]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from bench.bench_app import (
    OCEAN,
    WHITE,
    ColdApp,
    cold_starts,
    write_trivial_app,
)

ROOT = Path(__file__).resolve().parent.parent

REPLAY_APP = '''\
import pydeck as pdk
import streamlit as st

st.set_page_config(page_title="Replay", layout="wide")
SPEC = open({spec!r}).read()


class Replay(pdk.Deck):
    def to_json(self):
        return SPEC


st.title("Replay")
st.pydeck_chart(Replay(map_provider=None), height=520)
'''


def variants(decks: Path, tmp: Path) -> dict[str, tuple[str, bool]]:
    """Variant name -> (deck JSON text, whether it has the ocean layer)."""
    explore = json.loads((decks / "Explore.deck.json").read_text())
    trivial_text = (decks / "trivial.deck.json").read_text()
    trivial = json.loads(trivial_text)

    def compact(spec: dict) -> str:
        return json.dumps(spec, sort_keys=True, separators=(",", ":"))

    def only(spec: dict, ids: set[str]) -> str:
        return compact({**spec, "layers": [la for la in spec["layers"] if la["id"] in ids]})

    def few_borders(spec: dict) -> str:  # a LineLayer's cost: its shader program or its data?
        layers = [la for la in spec["layers"] if la["id"] in {"ocean", "countries", "borders"}]
        return compact({**spec, "layers": [{**la, "data": la["data"][:10]} if la["id"] == "borders"
                                           else la for la in layers]})

    return {
        "replay trivial deck (indented)": (trivial_text, False),
        "replay trivial deck (compact)": (compact(trivial), False),
        "replay Explore deck (3 layers)": (compact(explore), True),
        "replay Explore deck, no borders": (only(explore, {"ocean", "countries"}), True),
        "replay Explore deck, 10 border segments": (few_borders(explore), True),
        "replay Explore countries layer only": (only(explore, {"countries"}), False),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decks", type=Path, required=True)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--n", type=int, default=4)
    args = parser.parse_args()
    root = args.root.resolve()
    with tempfile.TemporaryDirectory(prefix="profile_decks_") as tmp_name:
        tmp = Path(tmp_name)
        apps = [ColdApp("Explore", root / "app.py", root, (OCEAN, WHITE), (OCEAN,)),
                ColdApp("trivial", write_trivial_app(tmp, root), tmp, (WHITE,), ())]
        for i, (name, (text, ocean)) in enumerate(variants(args.decks, tmp).items()):
            spec = tmp / f"deck{i}.json"
            spec.write_text(text)
            script = tmp / f"replay{i}.py"
            script.write_text(REPLAY_APP.format(spec=str(spec)))
            apps.append(ColdApp(name, script, tmp, (OCEAN, WHITE) if ocean else (WHITE,),
                                (OCEAN,) if ocean else ()))
        samples = cold_starts(apps, args.n)
    print(f"{'app':<38} {'HTTP 200':>9} {'drawn':>7} {'range':>13} {'2nd visit':>10} "
          f"{'WS bytes':>10}")
    for name, s in samples.items():
        print(f"{name:<38} {statistics.median(s.http):9.2f} {statistics.median(s.cold):7.2f} "
              f"{min(s.cold):6.2f}-{max(s.cold):<6.2f} {statistics.median(s.warm):10.2f} "
              f"{statistics.median(s.ws_bytes):10,.0f}")


if __name__ == "__main__":
    main()
