"""Text and tables for people, shared by the pages: values with units to three significant
figures, years, missing values with their reason, source labels and links, legends
(rows and HTML), table heights, CSV downloads and the slugs of links and file names."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from footprint.assumptions import DATA_AS_OF_YEAR, GATE_AS_OF, GATE_PENALTY_POINTS
from footprint.io.cells import neutralise_cell
from footprint.model import scoring
from footprint.views import maps

# What a missing value reads in every table, tooltip and caption (st.dataframe's placeholder
# too); :func:`missing` adds why.
MISSING = "—"
# The badge of a gated country (embargo, sanctions or war) wherever a ranking names it: plain
# text, which every font draws (an emoji is a blank box where no emoji font is installed).
GATE_BADGE = "(gated)"
# Units of counts: shown to :data:`SIGNIFICANT` figures, exact (whole numbers) in downloads.
COUNT_UNITS = ("people", "patients", "new patients per year", "articles per year")
SIGNIFICANT = 3
# Short labels of the shipped sources by id (any other source shows its id).
SOURCE_LABELS: dict[str, str] = {
    "wdi": "World Bank WDI", "wgi": "World Bank WGI", "owid_physicians": "OWID (WHO/OECD)",
    "owid_internet": "OWID (ITU)", "ncdrisc": "NCD-RisC 2021", "natural_earth": "Natural Earth",
    "geonames": "GeoNames",
}
# A source piece that is a web address: a lower-case domain with a path, then any text.
_ADDRESS = re.compile(r"^((?:https?://)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/\S*)?)(.*)$")
# Characters Markdown reads inside a line (emphasis, code, links, HTML, tables, LaTeX); our
# texts never start a line with data, so list and heading markers need no escape.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|<>$~])")
# Longest web address shown as a link's text [characters] (the link keeps the whole address).
MAX_LINK_TEXT = 60


def is_missing(value) -> bool:
    """True for None, NaN, NA, NaT and infinite numbers."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return not math.isfinite(value)
    return False


def finite_or_none(x) -> float | None:
    """A float, or None for missing / non-finite values."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def missing(reason: str) -> str:
    """'— (no data)': a missing value with why."""
    return f"{MISSING} ({reason})"


def significant(value: float, digits: int = SIGNIFICANT) -> float:
    """``value`` rounded to ``digits`` significant figures (15,589,448 -> 15,600,000)."""
    if is_missing(value) or value == 0:
        return value
    return round(float(value), digits - 1 - math.floor(math.log10(abs(float(value)))))


def format_value(value: float | None, unit: str = "") -> str:
    """A value with its unit, to three significant figures: '1.41B people', '15.6M patients',
    '85,800 current international $', '31.0 % of population'; 'no data' when missing."""
    if value is None or is_missing(value) or pd.isna(value):
        return "no data"
    v = significant(float(value))
    if abs(v) >= 1e9:
        text = f"{v / 1e9:.3g}B"
    elif abs(v) >= 1e6:
        text = f"{v / 1e6:.3g}M"
    elif abs(v) >= 1000:
        text = f"{v:,.0f}"
    elif v == 0:
        text = "0"
    else:
        text = f"{v:#.3g}".rstrip(".")
    return f"{text} {unit}".strip()


def year_text(year) -> str:
    """'2024', or '' for a missing year."""
    return "" if is_missing(year) or pd.isna(year) else str(int(year))


def year_range(low, high) -> str:
    """'2023', '2019–2024', or '—' when there is no year."""
    if is_missing(low) or pd.isna(low):
        return MISSING
    return str(int(low)) if int(low) == int(high) else f"{int(low)}–{int(high)}"


def source_label(source_id: str) -> str:
    """A short label for a source id ('World Bank WDI', see :data:`SOURCE_LABELS`); falls back
    to the id."""
    return SOURCE_LABELS.get(source_id, source_id)


def weights_text(weights: scoring.Weights) -> str:
    """'pool 50 % · friction 25 % · infrastructure 25 %' (then '· trial experience 10 %'
    while that weight is above 0)."""
    w = weights.normalised() * 100
    text = f"pool {w[0]:.0f} % · friction {w[1]:.0f} % · infrastructure {w[2]:.0f} %"
    return text + (f" · trial experience {w[3]:.0f} %" if len(w) > 3 else "")


def gate_text(include_gated: bool) -> str:
    """How a view treats gated countries, in words (captions and downloads)."""
    if include_gated:
        return (f"gated countries (embargo, sanctions or war, as of {GATE_AS_OF}) included "
                f"with {GATE_PENALTY_POINTS:g} points off their attractiveness")
    return f"gated countries (embargo, sanctions or war, as of {GATE_AS_OF}) left out"


def badged(name: str, gated: bool) -> str:
    """'Russia (gated)' for a gated country, else the name."""
    return f"{name} {GATE_BADGE}" if gated else name


def gated_names(frame: pd.DataFrame, codes: Sequence[str]) -> str:
    """'Belarus (sanctions), Russia (sanctions + war)': gated countries with their gate."""
    return ", ".join(f"{frame.at[c, 'name']} ({frame.at[c, 'gate_label']})" for c in codes)


def left_out_notice(frame: pd.DataFrame, codes: Sequence[str], where: str) -> str:
    """Which gated countries ``where`` ('this ranking') leaves out, and how to include them;
    '' when none is left out. ``frame`` is :func:`footprint.model.scoring.country_frame`."""
    if not codes:
        return ""
    return (f"Left out of {where}: {gated_names(frame, codes)}, gated (embargo, sanctions or "
            f"war; as of {GATE_AS_OF}). Switch on “Include gated countries” in the sidebar "
            "to rank them with "
            f"{GATE_PENALTY_POINTS:g} points off their attractiveness.")


def settings_columns(indication: str, weights: scoring.Weights, eligibility_share: float,
                     activation_days: float, include_gated: bool) -> dict[str, object]:
    """The settings a table was computed with, as CSV columns (one value each).

    ``eligibility_share`` [0-1]; ``activation_days`` [days].
    """
    return {
        "Indication": indication,
        "Weights (pool / friction / infrastructure)": (
            f"{weights.pool:g} / {weights.friction:g} / {weights.infrastructure:g}"),
        "Weight of trial experience (0: not scored)": f"{weights.experience:g}",
        "Weights [%]": weights_text(weights),
        "Eligible share [%]": round(eligibility_share * 100, 1),
        "Site activation [days]": round(activation_days),
        "Gated countries": gate_text(include_gated),
        "Data as of": DATA_AS_OF_YEAR,
    }


def links_markdown(text: str) -> str:
    """Markdown of a source text: each ``;``-separated piece that is a web address becomes a
    link (its text shortened to :data:`MAX_LINK_TEXT`), the rest stays text, all escaped.
    '—' for an empty text."""
    pieces = [p.strip() for p in str(text or "").split(";") if p.strip()]
    if not pieces:
        return MISSING
    out = []
    for piece in pieces:
        match = _ADDRESS.match(piece)
        if match is None:
            out.append(markdown_escape(piece))
            continue
        address, rest = match.groups()
        url = address if address.startswith("http") else f"https://{address}"
        url = url.replace("(", "%28").replace(")", "%29")
        shown = address if len(address) <= MAX_LINK_TEXT else address[:MAX_LINK_TEXT] + "…"
        out.append(f"[{markdown_escape(shown)}]({url}){markdown_escape(rest)}")
    return "; ".join(out)


def markdown_escape(text: str) -> str:
    """Text that Streamlit's Markdown shows as written inside a line (no emphasis, links,
    LaTeX or HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


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


def legend_html(legend: Sequence[maps.LegendEntry], counts: Sequence[int],
                unit: str = "", counted: str = "countries") -> str:
    """The legend as a small HTML table (for ``st.html``): a colour swatch, the class label
    (headed by the unit) and the count [``counted``] of each entry, all text escaped.

    A page's legend costs a table this way instead of a pandas Styler and a data grid
    (about 0.1 s of the server's first run and a grid's setup in the browser).
    """
    if len(counts) != len(legend):
        raise ValueError(f"{len(counts)} counts for {len(legend)} legend entries")
    cell = "padding:2px 8px;border-bottom:1px solid rgba(49,51,63,0.1)"
    rows = "".join(
        f'<tr><td style="{cell}"><span style="display:inline-block;width:14px;height:14px;'
        f'vertical-align:middle;border:1px solid #8a949e;background:{maps.hex_color(e.color)}">'
        f'</span></td><td style="{cell}">{html.escape(e.label)}</td>'
        f'<td style="{cell};text-align:right">{n:,}</td></tr>'
        for e, n in zip(legend, counts, strict=True))
    head = (f'<tr><th style="{cell}"></th><th style="{cell};text-align:left">'
            f"{html.escape(unit or 'class')}</th>"
            f'<th style="{cell};text-align:right">{html.escape(counted)}</th></tr>')
    return (f'<table style="border-collapse:collapse;font-size:0.875rem">'
            f"<thead>{head}</thead><tbody>{rows}</tbody></table>")


def table_height(n_rows: int, max_rows: int = 30) -> int:
    """Height [px] of a ``st.dataframe`` that shows ``n_rows`` rows without scrolling."""
    return 38 + 35 * min(max(n_rows, 1), max_rows)


def text_width(values: Sequence[str], header: str = "", most: int = 640) -> int:
    """Width [px] of a table column that shows its longest text uncut (at most ``most``)."""
    longest = max([len(header), *(len(str(v)) for v in values)])
    return int(min(most, max(80, 16 + 7.2 * longest)))


def is_count(column: str) -> bool:
    """True for a column whose header names a count unit ('Count [patients]')."""
    return any(f"[{unit}]" in column for unit in COUNT_UNITS) or column.endswith(" patients")


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """The table as shown on a page: counts (see :func:`is_count`) to three significant
    figures; the download keeps them exact (:func:`table_csv`)."""
    out = table.copy()
    for column in out.columns:
        if is_count(column) and pd.api.types.is_numeric_dtype(out[column]):
            out[column] = pd.to_numeric(out[column], errors="coerce").map(significant)
    return out


def table_csv(table: pd.DataFrame, settings: Mapping[str, object] | None = None,
              decimals: int = 2) -> bytes:
    """UTF-8 CSV of a table (no index), as offered for download.

    Numbers are rounded (counts to whole numbers, others to ``decimals``; a column of whole
    numbers is written without decimals) and a missing number is an empty cell; a missing
    text is '—'. ``settings`` (:func:`settings_columns`) are appended as columns. Text cells
    that a spreadsheet could run as a formula are neutralised (OWASP CSV injection,
    :func:`footprint.io.cells.neutralise_cell`).
    """
    safe = table.copy()
    for column in safe.columns:
        values = safe[column]
        if pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_numeric_dtype(values):
            numbers = pd.to_numeric(values, errors="coerce").astype(float)
            numbers = numbers.where(np.isfinite(numbers)).round(0 if is_count(column)
                                                                 else decimals)
            whole = numbers.dropna()
            exact = (whole == whole.round()).all() and (whole.abs() < 2**53).all()
            safe[column] = pd.array(numbers.to_numpy(), dtype="Int64") if exact else numbers
            continue
        safe[column] = values.map(
            lambda v: MISSING if is_missing(v) or (not isinstance(v, str) and pd.isna(v))
            else neutralise_cell(v) if isinstance(v, str) else v)
    for column, value in (settings or {}).items():
        safe[column] = neutralise_cell(value) if isinstance(value, str) else value
    return safe.to_csv(index=False, na_rep="").encode("utf-8")


def slug(text: str) -> str:
    """'European Union' -> 'european-union' (the form regions take in links)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def download_name(kind: str, *parts: str, ext: str = "csv") -> str:
    """A file name that says what it holds: 'trial-footprint-ranking-attractiveness-type-2-
    diabetes-latin-america.csv' (empty parts are skipped)."""
    words = [slug(p) for p in (kind, *parts) if p and slug(p)]
    return f"trial-footprint-{'-'.join(words)}.{ext}"
