"""Named DuckDB queries, one per ``queries/*.sql`` file.

Each file starts with a header comment::

    -- name: latest_indicators
    -- <what it returns>
    -- params: $as_of_year, $max_age_years      (or: none)

Values are always bound as ``$name``; :func:`run` refuses a call whose parameters differ from
the declared ones, and :func:`load` refuses a file whose declared and used parameters differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from footprint.errors import QueryError
from footprint.paths import QUERY_DIR

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"'(?:[^']|'')*'")
_ORDER_PREFIX = re.compile(r"^\d+_")  # build steps are numbered to run in order


@dataclass(frozen=True, slots=True)
class Query:
    """One named SQL query with its declared parameters."""

    name: str
    sql: str
    params: frozenset[str]
    path: Path


def parse(path: Path) -> Query:
    """Read one .sql file and check its header against its body."""
    text = path.read_text(encoding="utf-8")
    header = [line[2:].strip() for line in text.splitlines() if line.startswith("--")]
    names = [h.split(":", 1)[1].strip() for h in header if h.startswith("name:")]
    declared_lines = [h.split(":", 1)[1].strip() for h in header if h.startswith("params:")]
    if names != [_ORDER_PREFIX.sub("", path.stem)]:
        raise QueryError(f"{path.name}: header must name the query after its file ('-- name: ...')")
    if len(declared_lines) != 1:
        raise QueryError(f"{path.name}: header must declare '-- params: $a, $b' or 'none'")
    declared_text = declared_lines[0]
    declared = frozenset() if declared_text == "none" else frozenset(_PARAM.findall(declared_text))
    body = _STRING.sub("''", _LINE_COMMENT.sub("", text))
    used = frozenset(_PARAM.findall(body))
    if declared != used:
        raise QueryError(
            f"{path.name}: declares {sorted(declared)} but uses {sorted(used)}"
        )
    return Query(name=names[0], sql=text, params=declared, path=path)


@cache
def load(directory: Path = QUERY_DIR) -> dict[str, Query]:
    """All named queries of a directory (not recursive), by name."""
    queries = [parse(p) for p in sorted(directory.glob("*.sql"))]
    return {q.name: q for q in queries}


def bind(query: Query, params: dict[str, Any]) -> dict[str, Any]:
    """Check passed parameters against the declared ones; return them for binding."""
    passed = frozenset(params)
    if passed != query.params:
        missing = sorted(query.params - passed)
        extra = sorted(passed - query.params)
        raise QueryError(f"query {query.name!r}: missing {missing}, unexpected {extra}")
    return dict(params)


def run(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    """Run the named query with bound parameters and return a DataFrame."""
    queries = load()
    if name not in queries:
        raise QueryError(f"unknown query {name!r}; known: {sorted(queries)}")
    query = queries[name]
    return con.execute(query.sql, bind(query, params)).df()
