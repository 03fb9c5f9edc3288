"""DuckDB's spatial extension, shipped in the duckdb-extension-spatial wheel (no network).

GEOMETRY columns and ``ST_AsWKB`` are DuckDB core: reading the built database needs no
extension. Only the spatial functions (``ST_Point``, ``ST_Contains``, ...) do, and loading it
costs about 0.3 s, so the build loads it and :func:`footprint.data.queries.run` loads it the
first time a query needs it.
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


def is_missing(exc: duckdb.Error) -> bool:
    """Whether ``exc`` says a function of the spatial extension is not loaded."""
    return isinstance(exc, duckdb.CatalogException) and "spatial extension" in str(exc)
