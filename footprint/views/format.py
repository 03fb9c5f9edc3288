"""Text and tables for people, shared by the pages: values with units, years, source labels,
legend rows, table heights, CSV downloads and the slugs of links and file names."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from footprint.io.cells import neutralise_cell
from footprint.model import scoring
from footprint.views import maps

# Short labels of the shipped sources by id (any other source shows its id).
SOURCE_LABELS: dict[str, str] = {
    "wdi": "World Bank WDI", "wgi": "World Bank WGI", "owid_physicians": "OWID (WHO/OECD)",
    "owid_internet": "OWID (ITU)", "ncdrisc": "NCD-RisC 2021", "natural_earth": "Natural Earth",
    "geonames": "GeoNames",
}


def format_value(value: float | None, unit: str = "") -> str:
    """A value with its unit for people: '1.4B people', '12.3 % of population', 'no data'."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "no data"
    v = float(value)
    if abs(v) >= 1e9:
        text = f"{v / 1e9:,.2f}B"
    elif abs(v) >= 1e6:
        text = f"{v / 1e6:,.2f}M"
    elif abs(v) >= 10_000:
        text = f"{v:,.0f}"
    elif abs(v) >= 100:
        text = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
    elif v == 0:
        text = "0"
    else:
        text = f"{v:.3g}" if abs(v) < 1 else f"{v:.1f}"
    return f"{text} {unit}".strip()


def finite_or_none(x) -> float | None:
    """A float, or None for missing / non-finite values."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def year_text(year) -> str:
    """'2024', or '' for a missing year."""
    return "" if year is None or pd.isna(year) else str(int(year))


def year_range(low, high) -> str:
    """'2023', '2019–2024', or '—' when there is no year."""
    if low is None or pd.isna(low):
        return "—"
    return str(int(low)) if int(low) == int(high) else f"{int(low)}–{int(high)}"


def source_label(source_id: str) -> str:
    """A short label for a source id ('World Bank WDI', see :data:`SOURCE_LABELS`); falls back
    to the id."""
    return SOURCE_LABELS.get(source_id, source_id)


def weights_text(weights: scoring.Weights) -> str:
    """'pool 50 % · friction 25 % · infrastructure 25 %'."""
    w = weights.normalised() * 100
    return f"pool {w[0]:.0f} % · friction {w[1]:.0f} % · infrastructure {w[2]:.0f} %"


def legend_rows(legend: Sequence[maps.LegendEntry], counts: Sequence[int],
                unit: str = "", counted: str = "countries") -> pd.DataFrame:
    """Legend as rows: hex colour, class label (column named after the unit) and count."""
    return pd.DataFrame({
        "colour": [maps.hex_color(e.color) for e in legend],
        unit or "class": [e.label for e in legend],
        counted: list(counts),
    })


def legend_styler(rows: pd.DataFrame, swatch: str = "colour"):
    """A pandas Styler that paints the ``swatch`` column with its own colour (no HTML)."""
    def paint(column: pd.Series) -> list[str]:
        return [f"background-color: {c}; color: {c}" for c in column]
    return rows.style.apply(paint, subset=[swatch])


def table_height(n_rows: int, max_rows: int = 30) -> int:
    """Height [px] of a ``st.dataframe`` that shows ``n_rows`` rows without scrolling."""
    return 38 + 35 * min(max(n_rows, 1), max_rows)


def table_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV of a table (no index), as offered for download.

    Text cells that a spreadsheet could run as a formula are neutralised (OWASP CSV
    injection, :func:`footprint.io.cells.neutralise_cell`); numbers stay numbers.
    """
    safe = table.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda v: neutralise_cell(v) if isinstance(v, str) else v)
    return safe.to_csv(index=False).encode("utf-8")


def slug(text: str) -> str:
    """'European Union' -> 'european-union' (the form regions take in links)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def download_name(kind: str, region: str, metric_id: str, ext: str) -> str:
    """'trial-footprint-ranking-latin-america-sp-pop-totl.csv'."""
    return f"trial-footprint-{kind}-{slug(region)}-{slug(metric_id)}.{ext}"
