"""Charts (altair): how a country's attractiveness is made of its weighted parts; a
forecast's band and median, compared scenarios' curves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd

if TYPE_CHECKING:  # annotations only: Explore's first render must not import scipy
    from footprint.enrollment.forecast import ForecastResult
    from footprint.enrollment.planning import Comparison

_BLUE = "#1f77b4"
# Colours of the attractiveness parts (Okabe & Ito blue, bluish green, sky blue) and of the
# gate penalty (vermillion).
PART_COLOURS = ("#0072B2", "#009E73", "#56B4E9")
PENALTY_COLOUR = "#D55E00"


def attractiveness_chart(parts: pd.DataFrame, penalty_label: str = "Gate penalty"
                         ) -> alt.TopLevelMixin:
    """One bar of attractiveness [0-100] stacked from its weighted parts, then a second bar
    of the total after the gate penalty when there is one.

    ``parts`` is :func:`footprint.views.country_details.attractiveness_parts` (Part, Weight
    [%], Score [0-100], Points); missing parts are left out.
    """
    rows = parts[parts["Points"].notna()].reset_index(drop=True)
    positive = rows[rows["Part"] != penalty_label]
    end = positive["Points"].cumsum()
    data = pd.DataFrame({"row": "Weighted parts", "part": positive["Part"],
                         "start": end - positive["Points"], "end": end,
                         "points": positive["Points"], "weight": positive["Weight [%]"],
                         "score": positive["Score [0-100]"]})
    total = float(positive["Points"].sum())
    penalty = rows.loc[rows["Part"] == penalty_label, "Points"]
    domain, colours = list(positive["Part"]), list(PART_COLOURS[:len(positive)])
    if not penalty.empty:
        after = max(total + float(penalty.iloc[0]), 0.0)
        data = pd.concat([data, pd.DataFrame({
            "row": "After the gate penalty", "part": [penalty_label], "start": [after],
            "end": [total], "points": [float(penalty.iloc[0])]})], ignore_index=True)
        domain.append(penalty_label)
        colours.append(PENALTY_COLOUR)
    x = alt.X("start:Q", title="Attractiveness [0-100]", scale=alt.Scale(domain=[0, 100]))
    bars = alt.Chart(data).mark_bar(height=22).encode(
        x=x, x2="end:Q",
        y=alt.Y("row:N", title=None, sort=["Weighted parts", "After the gate penalty"],
                axis=alt.Axis(labelLimit=200)),
        color=alt.Color("part:N", title=None, scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(orient="top", columns=4, labelLimit=300)),
        tooltip=[alt.Tooltip("part:N", title="Part"),
                 alt.Tooltip("points:Q", title="Points", format=".1f"),
                 alt.Tooltip("weight:Q", title="Weight [%]", format=".0f"),
                 alt.Tooltip("score:Q", title="Score [0-100]", format=".1f")])
    labels = alt.Chart(data).mark_text(color="white", fontWeight="bold",
                                       baseline="middle").encode(
        x=alt.X("mid:Q", title="Attractiveness [0-100]"),
        y=alt.Y("row:N", sort=["Weighted parts", "After the gate penalty"]),
        text=alt.Text("points:Q", format=".1f")).transform_calculate(
            mid="(datum.start + datum.end) / 2")
    return alt.layer(bars, labels).properties(height=alt.Step(40))


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
