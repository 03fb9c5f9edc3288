"""Where the project's files live: data/, queries/ and examples/ beside footprint/, and the
embedded workspace store's default file (and the setting that replaces it)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
QUERY_DIR = ROOT / "queries"
EXAMPLES_DIR = ROOT / "examples"
WORKSPACE_DIR = ROOT / "workspace"
DEFAULT_STORE_FILE = WORKSPACE_DIR / "footprint.sqlite"
STORE_URL_VARIABLE = "FOOTPRINT_DATABASE_URL"
"""The environment variable (or ``.streamlit/secrets.toml`` key) naming the store's URL."""
