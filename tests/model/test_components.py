"""The one weighted mean of the components present: known values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose, assert_array_equal

from footprint.model.components import weighted_mean, weighted_mean_present


def test_missing_components_are_dropped_and_the_rest_reweighted():
    values = np.array([[10.0, 20.0, 40.0], [10.0, np.nan, 40.0], [np.nan, np.nan, np.nan]])
    mean, used = weighted_mean_present(values, np.array([0.5, 0.25, 0.25]))
    assert_allclose(mean[:2], [20.0, (0.5 * 10 + 0.25 * 40) / 0.75])
    assert np.isnan(mean[2])
    assert_array_equal(used, [3, 2, 0])


def test_a_component_with_zero_weight_alone_gives_no_mean():
    mean, used = weighted_mean_present(np.array([[np.nan, 7.0]]), np.array([1.0, 0.0]))
    assert np.isnan(mean[0]) and used[0] == 1


def test_frame_version_matches_named_weights_and_equal_weights():
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": [3.0, 5.0]}, index=["X", "Y"])
    mean, used = weighted_mean(frame, {"b": 3.0, "a": 1.0})
    assert_allclose(mean, [2.5, 5.0])
    assert list(used) == [2, 1] and list(mean.index) == ["X", "Y"]
    equal, _ = weighted_mean(frame)
    assert_allclose(equal, [2.0, 5.0])
