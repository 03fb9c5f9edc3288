"""Charts (altair): how a country's attractiveness is made of its weighted parts; a
forecast's band and median, its milestones as a Gantt chart; compared scenarios' curves,
chances of meeting the deadline and times to target. Every forecast chart draws the target
and the deadline."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import altair as alt
import numpy as np
import pandas as pd

if TYPE_CHECKING:  # annotations only: Explore's first render must not import scipy
    from footprint.enrollment.forecast import ForecastResult
    from footprint.enrollment.planning import Comparison

_BLUE = "#1f77b4"
# Colours of the attractiveness parts (Okabe & Ito blue, bluish green, sky blue) and of the
# gate penalty (vermillion).
PART_COLOURS = ("#0072B2", "#009E73", "#56B4E9")
PENALTY_COLOUR = "#D55E00"
# Compared scenarios, in order (Okabe & Ito blue, orange, bluish green, reddish purple: told
# apart with each kind of colour blindness); the target (red, dashed) and the deadline (grey,
# dotted) on every forecast chart.
SCENARIO_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
TARGET_COLOUR = "#d62728"
DEADLINE_COLOUR = "#555555"
# Milestones, in their order (Okabe & Ito sky blue, blue, bluish green, orange, vermillion).
MILESTONE_COLOURS = ("#56B4E9", "#0072B2", "#009E73", "#E69F00", "#D55E00")


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


def _scenario_colour(names: list[str]) -> alt.Scale:
    return alt.Scale(domain=names, range=list(SCENARIO_COLOURS[:len(names)]))


def _band_layers(data: pd.DataFrame, tooltip: list[Any], color: str = _BLUE,
                 by: str | None = None) -> alt.TopLevelMixin:
    """The P10-P90 area and the median line, in one colour or one colour per ``by`` value."""
    x = alt.X("month:Q", title="Months from start",
              scale=alt.Scale(domain=[0, int(data["month"].max())], nice=False))
    y = alt.Y("p10:Q", title="Patients, cumulative")
    base = alt.Chart(data)
    if by is not None:
        colour = alt.Color(f"{by}:N", title=by.capitalize(),
                           scale=_scenario_colour(list(dict.fromkeys(data[by]))),
                           legend=alt.Legend(orient="top", labelLimit=320))
        band = base.mark_area(opacity=0.18).encode(x=x, y=y, y2="p90:Q", color=colour)
        line = base.mark_line(strokeWidth=2.5).encode(x=x, y="p50:Q", color=colour,
                                                      tooltip=tooltip)
    else:
        band = base.mark_area(opacity=0.22, color=color).encode(x=x, y=y, y2="p90:Q")
        line = base.mark_line(strokeWidth=2.5, color=color).encode(x=x, y="p50:Q",
                                                                   tooltip=tooltip)
    return alt.layer(band, line)


def _target_rule(target: int, label: str = "target") -> alt.TopLevelMixin:
    """The target as a dashed horizontal line with its value."""
    data = pd.DataFrame({"target": [target], "text": [f"{label} {target:,}"]})
    rule = alt.Chart(data).mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4]).encode(
        y="target:Q", tooltip=[alt.Tooltip("text:N", title="Target")])
    text = alt.Chart(data).mark_text(color=TARGET_COLOUR, align="left", dx=4, dy=-7).encode(
        y="target:Q", x=alt.value(0), text="text:N")
    return alt.layer(rule, text)


def _deadline_rule(deadline: float, label: str = "deadline") -> alt.TopLevelMixin:
    """The deadline as a dotted vertical line with its value."""
    data = pd.DataFrame({"deadline": [deadline], "text": [f"{label} {deadline:g} mo"]})
    rule = alt.Chart(data).mark_rule(color=DEADLINE_COLOUR, strokeDash=[2, 3],
                                     strokeWidth=1.5).encode(
        x="deadline:Q", tooltip=[alt.Tooltip("text:N", title="Deadline")])
    text = alt.Chart(data).mark_text(color=DEADLINE_COLOUR, align="left", dx=4,
                                     baseline="top", y=4).encode(x="deadline:Q", text="text:N")
    return alt.layer(rule, text)


def curve_chart(result: ForecastResult) -> alt.TopLevelMixin:
    """Cumulative patients by month: the P10-P90 band, the median line, target and deadline."""
    data = result.curve_frame()
    tooltip = [
        alt.Tooltip("month:Q", title="Month"),
        alt.Tooltip("p10:Q", title="P10", format=",.0f"),
        alt.Tooltip("p50:Q", title="P50", format=",.0f"),
        alt.Tooltip("p90:Q", title="P90", format=",.0f"),
    ]
    layers: list[Any] = [_band_layers(data, tooltip), _target_rule(result.target_patients)]
    if result.deadline_months is not None:
        layers.append(_deadline_rule(result.deadline_months))
    return alt.layer(*layers).properties(height=320)


def milestone_chart(frame: pd.DataFrame, horizon_months: int, deadline_months: float | None,
                    target_patients: int) -> alt.TopLevelMixin:
    """A Gantt chart of the milestones: per row (the trial, then each country) a bar from P10
    to P90 and a black tick at P50 [months]; the deadline as a dotted line.

    The axis ends a little past the last quantile reached (at most the horizon); a bar
    whose P90 is not reached runs to the axis' end, drawn light, and a P50 not reached has no
    tick (the tooltips say "not reached"). The last patient in is the trial's (the target
    reached, the same for every country), so the countries' rows leave it out.
    ``frame`` is :func:`footprint.views.scenario.milestones_frame` (scope, milestone,
    p10/p50/p90 with inf when not reached).
    """
    last = frame["milestone"].iloc[-1] if len(frame) else ""
    data = frame[(frame["scope"] == frame["scope"].iloc[0]) | (frame["milestone"] != last)
                 ].copy() if len(frame) else frame.copy()
    finite = np.concatenate([data[q].to_numpy(float) for q in ("p10", "p50", "p90")])
    finite = finite[np.isfinite(finite)]
    end = float(horizon_months) if finite.size == 0 else min(
        float(horizon_months), math.ceil(max(finite.max(), deadline_months or 0) * 1.1 + 1))
    data["row"] = data["scope"] + " · " + data["milestone"]
    for q in ("p10", "p50", "p90"):
        reached = np.isfinite(data[q])
        data[f"{q}_text"] = np.where(reached, data[q].round(1).astype(str),
                                     f"not reached within {horizon_months} months")
        data[f"{q}_x"] = data[q].where(reached, end).clip(upper=end)
    data["reached"] = np.where(np.isfinite(data["p90"]), "yes", "no")
    milestones = list(dict.fromkeys(data["milestone"]))
    x = alt.X("p10_x:Q", title=f"Months from start (last patient in: the target of "
                                f"{target_patients:,} patients)",
              scale=alt.Scale(domain=[0, end], nice=False))
    y = alt.Y("row:N", title=None, sort=list(data["row"]),
              axis=alt.Axis(labelLimit=260, labelOverlap=False))
    tooltip = [alt.Tooltip("scope:N", title="Where"), alt.Tooltip("milestone:N", title="Milestone"),
               alt.Tooltip("p10_text:N", title="P10 [months]"),
               alt.Tooltip("p50_text:N", title="P50 [months]"),
               alt.Tooltip("p90_text:N", title="P90 [months]")]
    base = alt.Chart(data)
    bars = base.mark_bar(height=13).encode(
        x=x, x2="p90_x:Q", y=y,
        color=alt.Color("milestone:N", title=None,
                        scale=alt.Scale(domain=milestones,
                                        range=list(MILESTONE_COLOURS[:len(milestones)])),
                        legend=alt.Legend(orient="top", columns=5)),
        opacity=alt.Opacity("reached:N", scale=alt.Scale(domain=["yes", "no"],
                                                         range=[0.9, 0.3]), legend=None),
        tooltip=tooltip)
    ticks = alt.Chart(data[np.isfinite(data["p50"])]).mark_tick(
        color="black", thickness=2.5, size=17).encode(x="p50_x:Q", y=y, tooltip=tooltip)
    layers: list[Any] = [bars, ticks]
    if deadline_months is not None:
        layers.append(_deadline_rule(deadline_months))
    return alt.layer(*layers).properties(height=alt.Step(22))


def comparison_chart(comparison: Comparison) -> alt.TopLevelMixin:
    """The compared scenarios' curves: one colour each, P10-P90 band and median line; the
    target (dashed red) and the deadline (dotted grey) when all share one, else each
    scenario's in its colour."""
    tooltip = [
        alt.Tooltip("scenario:N", title="Scenario"),
        alt.Tooltip("month:Q", title="Month"),
        alt.Tooltip("p50:Q", title="P50", format=",.0f"),
    ]
    s = comparison.summary
    names = list(s["scenario"])
    colour = alt.Color("scenario:N", scale=_scenario_colour(names), legend=None)
    marks = pd.DataFrame({"scenario": names, "target": s["target_patients"].astype(float),
                          "deadline": pd.to_numeric(s["deadline_months"], errors="coerce")})
    layers: list[Any] = [_band_layers(comparison.curves, tooltip, by="scenario")]
    if marks["target"].nunique() == 1:  # one target for all: one red line, as elsewhere
        layers.append(_target_rule(int(marks["target"].iloc[0])))
    else:
        layers.append(alt.Chart(marks).mark_rule(strokeDash=[6, 4]).encode(
            y="target:Q", color=colour,
            tooltip=[alt.Tooltip("scenario:N", title="Scenario"),
                     alt.Tooltip("target:Q", title="Target [patients]", format=",.0f")]))
    with_deadline = marks.dropna(subset=["deadline"])
    if len(with_deadline) == len(marks) and with_deadline["deadline"].nunique() == 1:
        layers.append(_deadline_rule(float(with_deadline["deadline"].iloc[0])))
    elif not with_deadline.empty:
        layers.append(alt.Chart(with_deadline).mark_rule(strokeDash=[2, 3], strokeWidth=1.5)
                      .encode(x="deadline:Q", color=colour,
                              tooltip=[alt.Tooltip("scenario:N", title="Scenario"),
                                       alt.Tooltip("deadline:Q", title="Deadline [months]")]))
    return alt.layer(*layers).properties(height=320)


def probability_chart(comparison: Comparison, confidence: float | None = None
                      ) -> alt.TopLevelMixin:
    """The Monte Carlo chance of reaching the target by the deadline, one bar per scenario
    in its colour, with its value; the confidence as a dashed line. A scenario without a
    deadline gets no bar and says so."""
    s = comparison.summary
    names = list(s["scenario"])
    prob = pd.to_numeric(s["prob_by_deadline"], errors="coerce") * 100
    data = pd.DataFrame({
        "scenario": names, "prob": prob.fillna(0.0),
        "text": [f"{v:.0f} % by {d:g} mo" if pd.notna(v) else "no deadline"
                 for v, d in zip(prob, pd.to_numeric(s["deadline_months"], errors="coerce"),
                                 strict=True)]})
    y = alt.Y("scenario:N", title=None, sort=names, axis=alt.Axis(labelLimit=260))
    x = alt.X("prob:Q", title="Chance of reaching the target by the deadline [%]",
              scale=alt.Scale(domain=[0, 100]))
    bars = alt.Chart(data).mark_bar(height=22).encode(
        x=x, y=y, color=alt.Color("scenario:N", scale=_scenario_colour(names), legend=None),
        tooltip=[alt.Tooltip("scenario:N", title="Scenario"),
                 alt.Tooltip("text:N", title="P(target by deadline)")])
    labels = alt.Chart(data).mark_text(align="left", dx=4).encode(x=x, y=y, text="text:N")
    layers: list[Any] = [bars, labels]
    if confidence is not None:
        rule = pd.DataFrame({"confidence": [100 * confidence],
                             "text": [f"confidence {100 * confidence:g} %"]})
        layers.append(alt.Chart(rule).mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4])
                      .encode(x="confidence:Q"))
        layers.append(alt.Chart(rule).mark_text(color=TARGET_COLOUR, align="right", dx=-4,
                                                baseline="top", y=2)
                      .encode(x="confidence:Q", text="text:N"))
    return alt.layer(*layers).properties(height=alt.Step(34))


def time_to_target_chart(comparison: Comparison) -> alt.TopLevelMixin:
    """The months to target of each scenario: a bar from P10 to P90 in its colour, a black
    tick at P50, its deadline as a grey tick on its row; a quantile past the horizon ends at
    the horizon (its tooltip says "not reached")."""
    s = comparison.summary
    names = list(s["scenario"])
    horizon = int(comparison.curves["month"].max())
    data = pd.DataFrame({"scenario": names,
                         "deadline": pd.to_numeric(s["deadline_months"], errors="coerce"),
                         "target": s["target_patients"].astype(int)})
    for q in ("p10", "p50", "p90"):
        values = s[f"{q}_months"].astype(float)
        finite = np.isfinite(values)
        data[q] = values.where(finite, float(horizon)).to_numpy()
        data[f"{q}_text"] = np.where(finite, values.round(1).astype(str),
                                     f"> {horizon} (not reached)")
    y = alt.Y("scenario:N", title=None, sort=names, axis=alt.Axis(labelLimit=260))
    x = alt.X("p10:Q", title="Months to target (bar: P10-P90, tick: P50)",
              scale=alt.Scale(domain=[0, horizon], nice=False))
    tooltip = [alt.Tooltip("scenario:N", title="Scenario"),
               alt.Tooltip("target:Q", title="Target [patients]", format=",.0f"),
               alt.Tooltip("p10_text:N", title="P10 [months]"),
               alt.Tooltip("p50_text:N", title="P50 [months]"),
               alt.Tooltip("p90_text:N", title="P90 [months]"),
               alt.Tooltip("deadline:Q", title="Deadline [months]")]
    base = alt.Chart(data)
    bars = base.mark_bar(height=16, opacity=0.85).encode(
        x=x, x2="p90:Q", y=y,
        color=alt.Color("scenario:N", scale=_scenario_colour(names), legend=None),
        tooltip=tooltip)
    median = base.mark_tick(color="black", thickness=3, size=24).encode(x="p50:Q", y=y,
                                                                       tooltip=tooltip)
    deadline = alt.Chart(data.dropna(subset=["deadline"])).mark_tick(
        color=DEADLINE_COLOUR, thickness=2, size=32, strokeDash=[2, 2]).encode(
        x="deadline:Q", y=y, tooltip=tooltip)
    return alt.layer(bars, median, deadline).properties(height=alt.Step(34))


PLAN_COLOUR, REFORECAST_COLOUR, ACTUAL_COLOUR = SCENARIO_COLOURS[0], SCENARIO_COLOURS[1], "black"


def plan_vs_actual_chart(bands: pd.DataFrame, actual: pd.DataFrame, target: int,
                         deadline: dt.date | None, as_of: dt.date) -> alt.TopLevelMixin:
    """Plan against actual on one calendar: the plan's P10-P90 band and median of
    cumulative patients, the actual patients to the as-of date (a black point), the
    re-forecast's band from the as-of date, the target (dashed), the deadline (dotted) and
    the as-of date (solid grey).

    ``bands`` and ``actual`` are :func:`footprint.views.scenario.plan_vs_actual`.
    """
    series = list(dict.fromkeys(bands["series"]))
    colour = alt.Color("series:N", title=None,
                       scale=alt.Scale(domain=series,
                                       range=[PLAN_COLOUR, REFORECAST_COLOUR][:len(series)]),
                       legend=alt.Legend(orient="top"))
    x = alt.X("date:T", title="Date", axis=alt.Axis(format="%b %Y"))
    y = alt.Y("p10:Q", title="Patients, cumulative")
    tooltip = [alt.Tooltip("series:N", title="Series"),
               alt.Tooltip("date:T", title="Date", format="%Y-%m-%d"),
               alt.Tooltip("p10:Q", title="P10", format=",.0f"),
               alt.Tooltip("p50:Q", title="P50", format=",.0f"),
               alt.Tooltip("p90:Q", title="P90", format=",.0f")]
    base = alt.Chart(bands)
    band = base.mark_area(opacity=0.2).encode(x=x, y=y, y2="p90:Q", color=colour)
    line = base.mark_line(strokeWidth=2.5).encode(x=x, y="p50:Q", color=colour,
                                                  tooltip=tooltip)
    point = alt.Chart(actual).mark_point(shape="diamond", size=160, filled=True,
                                         color=ACTUAL_COLOUR).encode(
        x="date:T", y="patients:Q",
        tooltip=[alt.Tooltip("text:N", title="Actual")])
    label = alt.Chart(actual).mark_text(align="right", dx=-10, dy=-10, color=ACTUAL_COLOUR,
                                        fontWeight="bold").encode(
        x="date:T", y="patients:Q", text="text:N")
    rules = pd.DataFrame({"date": pd.to_datetime([as_of]), "text": [f"as of {as_of}"]})
    as_of_rule = alt.Chart(rules).mark_rule(color="#999999").encode(x="date:T")
    layers: list[Any] = [band, line, _target_rule(target), as_of_rule, point, label]
    if deadline is not None:
        dl = pd.DataFrame({"date": pd.to_datetime([deadline]), "text": [f"deadline {deadline}"]})
        layers.append(alt.Chart(dl).mark_rule(color=DEADLINE_COLOUR, strokeDash=[2, 3],
                                              strokeWidth=1.5).encode(
            x="date:T", tooltip=[alt.Tooltip("text:N", title="Deadline")]))
        layers.append(alt.Chart(dl).mark_text(color=DEADLINE_COLOUR, align="left", dx=4,
                                              baseline="top", y=4).encode(x="date:T",
                                                                          text="text:N"))
    return alt.layer(*layers).properties(height=340)
