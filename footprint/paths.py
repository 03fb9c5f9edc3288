"""Where the project's shipped files live: data/, queries/ and examples/ beside footprint/."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
QUERY_DIR = ROOT / "queries"
EXAMPLES_DIR = ROOT / "examples"
