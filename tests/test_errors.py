"""The one error base: every refusal lists at most MAX_PROBLEMS_SHOWN problems, then a count."""

from __future__ import annotations

from footprint.assumptions import MAX_PROBLEMS_SHOWN
from footprint.errors import ScenarioError, UploadError, bounded


def test_a_long_list_is_cut_with_the_count_of_the_rest():
    err = UploadError([f"problem {i}" for i in range(600_000)])
    assert len(err.problems) == MAX_PROBLEMS_SHOWN + 1
    assert err.problems[-1] == f"… and {600_000 - MAX_PROBLEMS_SHOWN:,} more problems"
    assert len(str(err)) < 2_000
    assert bounded(["a"] * (MAX_PROBLEMS_SHOWN + 1))[-1] == "… and 1 more problem"
    assert bounded(["a", "b"]) == ["a", "b"]


def test_a_cut_list_wrapped_again_keeps_its_count():
    inner = ScenarioError([f"p{i}" for i in range(120)])
    outer = ScenarioError(["hint", *inner.problems])
    assert outer.problems[0] == "hint" and len(outer.problems) == MAX_PROBLEMS_SHOWN + 1
    assert outer.problems[-1] == "… and 71 more problems"
    prefixed = UploadError([f"(csv): {p}" for p in inner.problems])
    assert prefixed.problems[-1] == "… and 70 more problems"
