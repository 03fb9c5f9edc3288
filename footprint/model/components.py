"""The one rule for combining score components: a weighted mean of the components present.

A missing component (NaN) is dropped and the others re-weighted, so a country is scored on
what is known about it; the count of components used is returned beside the mean so that
callers can refuse a score built from too few.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def weighted_mean_present(values: np.ndarray,
                          weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise weighted mean over the non-NaN entries, and how many entries were used.

    Parameters
    ----------
    values : (rows, components) array, NaN where a component is missing.
    weights : (components,) non-negative weights (need not sum to 1).

    Returns
    -------
    (mean, used) : mean is NaN where no weighted component is present.
    """
    present = ~np.isnan(values)
    weight = (present * weights).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(weight > 0, (np.nan_to_num(values) * weights).sum(axis=1) / weight,
                        np.nan)
    return mean, present.sum(axis=1)


def weighted_mean(components: pd.DataFrame,
                  weights: Mapping[str, float] | None = None) -> tuple[pd.Series, pd.Series]:
    """:func:`weighted_mean_present` of a frame's columns (equal weights when None)."""
    w = (np.ones(components.shape[1]) if weights is None
         else np.array([weights[c] for c in components.columns], dtype=float))
    mean, used = weighted_mean_present(components.to_numpy(dtype=float), w)
    return (pd.Series(mean, index=components.index),
            pd.Series(used, index=components.index))
