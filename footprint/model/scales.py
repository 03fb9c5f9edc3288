"""The one way a score is read off an indicator: between two documented anchors.

A value at the first anchor scores 0, at the second 100, linearly or on a log10 scale in
between, clipped outside; the anchors live in :mod:`footprint.assumptions`. Unlike a
percentile, the score of a country does not depend on the others: a saturated indicator
(electricity access at 100 % nearly everywhere) gives no risk where it is saturated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCALES = ("linear", "log")


def anchored(values: pd.Series, at_zero: float, at_hundred: float,
             scale: str = "linear") -> pd.Series:
    """Score [0-100] of each value between two anchors (NaN stays NaN).

    Parameters
    ----------
    values : indicator values in their own unit.
    at_zero, at_hundred : values that score 0 and 100 (either may be the larger).
    scale : ``"linear"`` or ``"log"`` (log10; values <= 0 score as the lower end).

    Raises
    ------
    ValueError
        Unknown scale, equal anchors, or a non-positive anchor on the log scale.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; allowed: {', '.join(SCALES)}")
    if at_zero == at_hundred:
        raise ValueError("the two anchors must differ")
    x = values.astype(float)
    lo, hi = float(at_zero), float(at_hundred)
    if scale == "log":
        if lo <= 0 or hi <= 0:
            raise ValueError("log-scale anchors must be positive")
        floor = min(lo, hi)
        x = np.log10(x.where(x.isna() | (x > floor), floor))
        lo, hi = np.log10(lo), np.log10(hi)
    return ((x - lo) / (hi - lo) * 100).clip(0, 100)
