"""Shared fixtures of the view tests: a checker for raw missing values in what people see."""

from __future__ import annotations

import re

import pandas as pd
import pytest

# What pandas, numpy or Python print for a missing or infinite value; a page shows '—' and why.
RAW_MISSING = re.compile(r"(?<![A-Za-z])(nan|NaN|None|NaT|-?inf|<NA>)(?![A-Za-z])")


def _problems(what, where: str) -> list[str]:
    if isinstance(what, bytes):
        what = what.decode("utf-8")
    if isinstance(what, str):
        return [f"{where}: {m.group(0)!r} in {what[:120]!r}" for m in RAW_MISSING.finditer(what)]
    if isinstance(what, pd.DataFrame):
        out = [f"{where}: header {c!r}" for c in what.columns if RAW_MISSING.search(str(c))]
        for column in what.columns:
            values = what[column]
            numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
                values)
            for i, v in enumerate(values):
                if numeric:  # NaN is drawn as the table's '—' placeholder; inf never is
                    if pd.notna(v) and abs(float(v)) == float("inf"):
                        out.append(f"{where}[{column!r}][{i}]: infinite")
                    continue
                if v is None or (not isinstance(v, str) and pd.isna(v)):
                    out.append(f"{where}[{column!r}][{i}]: missing {v!r}")
                elif isinstance(v, str):
                    out += _problems(v, f"{where}[{column!r}][{i}]")
        return out
    raise TypeError(f"cannot check {type(what).__name__}")


@pytest.fixture
def raw_missing():
    """``raw_missing(text, table or CSV bytes, where)``: the raw missing tokens found ([] when
    clean)."""
    return _problems
