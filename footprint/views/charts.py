"""Enrollment charts (altair): a forecast's band and median, compared scenarios' curves."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from footprint.enrollment.forecast import ForecastResult
from footprint.enrollment.planning import Comparison

_BLUE = "#1f77b4"


def _band_layers(data: pd.DataFrame, tooltip: list[Any], color: str = _BLUE,
                 by: str | None = None) -> alt.TopLevelMixin:
    """The P10-P90 area and the median line, in one colour or one colour per ``by`` value."""
    x = alt.X("month:Q", title="Months from start",
              scale=alt.Scale(domain=[0, int(data["month"].max())], nice=False))
    y = alt.Y("p10:Q", title="Patients randomised (cumulative)")
    base = alt.Chart(data)
    if by is not None:
        colour = alt.Color(f"{by}:N", title=by.capitalize())
        band = base.mark_area(opacity=0.18).encode(x=x, y=y, y2="p90:Q", color=colour)
        line = base.mark_line(strokeWidth=2.5).encode(x=x, y="p50:Q", color=colour,
                                                      tooltip=tooltip)
    else:
        band = base.mark_area(opacity=0.22, color=color).encode(x=x, y=y, y2="p90:Q")
        line = base.mark_line(strokeWidth=2.5, color=color).encode(x=x, y="p50:Q",
                                                                   tooltip=tooltip)
    return alt.layer(band, line)


def curve_chart(result: ForecastResult) -> alt.TopLevelMixin:
    """Cumulative patients by month: the P10-P90 band, the median line, target and deadline."""
    data = result.curve_frame()
    tooltip = [
        alt.Tooltip("month:Q", title="Month"),
        alt.Tooltip("p10:Q", title="P10", format=",.0f"),
        alt.Tooltip("p50:Q", title="P50", format=",.0f"),
        alt.Tooltip("p90:Q", title="P90", format=",.0f"),
    ]
    layers: list[Any] = [_band_layers(data, tooltip)]
    target = pd.DataFrame({"target": [result.target_patients]})
    layers.append(
        alt.Chart(target).mark_rule(color="#d62728", strokeDash=[6, 4]).encode(y="target:Q")
    )
    if result.deadline_months is not None:
        deadline = pd.DataFrame({"deadline": [result.deadline_months]})
        layers.append(
            alt.Chart(deadline).mark_rule(color="#555555", strokeDash=[2, 3]).encode(
                x="deadline:Q"
            )
        )
    return alt.layer(*layers).properties(height=320)


def comparison_chart(comparison: Comparison) -> alt.TopLevelMixin:
    """The compared scenarios' curves: one colour each, P10-P90 band and median line."""
    tooltip = [
        alt.Tooltip("scenario:N", title="Scenario"),
        alt.Tooltip("month:Q", title="Month"),
        alt.Tooltip("p50:Q", title="P50", format=",.0f"),
    ]
    return _band_layers(comparison.curves, tooltip, by="scenario").properties(height=320)
