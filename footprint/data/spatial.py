"""DuckDB's spatial extension, shipped in the duckdb-extension-spatial wheel (no network).

GEOMETRY columns and ``ST_AsWKB`` are DuckDB core: reading the built database needs no
extension. Only the spatial functions (``ST_Point``, ``ST_Contains``, ...) do. Loading it costs
about 0.3 s, and it must happen before any other thread queries the database: loaded while
other cursors run queries, it can invalidate the database (DuckDB 1.5.5: "Expected vector of
type VARCHAR, but found vector of type STRUCT", then a fatal error). So it is loaded when the
database is built or opened, never on demand; the CLI, whose commands call no spatial
function, opens without it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import duckdb_extension_spatial


def extension_path() -> Path:
    """The extension file of the installed wheel, for the installed duckdb version."""
    root = Path(duckdb_extension_spatial.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    return root / "spatial.duckdb_extension"


def load(con: duckdb.DuckDBPyConnection) -> None:
    """Load the extension into the connection's database (every cursor of it sees it)."""
    # The path comes from the installed wheel, not from user input (LOAD cannot be bound).
    con.execute(f"LOAD '{extension_path()}'")
