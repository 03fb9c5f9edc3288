"""The trial-experience weight in a link: its own parameter, validated like the others, and
absent from old links (which open with 0, as before the weight existed)."""

from __future__ import annotations

import pytest

from footprint.views.url_state import SETTINGS, Choices, ViewState, parse_view_params, view_params

DEFAULT = ViewState(metric="attractiveness", indication="hiv")
CHOICES = Choices(regions=["Japan"], metrics=["attractiveness"], indications=["hiv"],
                  countries={"BRA"})
REASON = "is not a whole-number weight from 0 to 10"


def parse(params, default=DEFAULT, **kw):
    return parse_view_params(params, choices=CHOICES, default=default, **kw)


def test_an_old_link_without_the_parameter_opens_with_experience_0():
    got, notices = parse({"weights": "10,2,5", "eligibility": "20"})
    assert got.experience == 0 and got.weights == (10, 2, 5) and notices == []


@pytest.mark.parametrize("names", [None, SETTINGS])
def test_the_weight_round_trips_beside_the_other_three(names):
    view = ViewState(metric="attractiveness", indication="hiv", weights=(10, 2, 5),
                     experience=7)
    kw = {} if names is None else {"names": names}
    params = view_params(view, DEFAULT, **kw)
    assert params == {"weights": "10,2,5", "experience": "7"}
    assert parse(params, **kw) == (view, [])


def test_experience_0_is_left_out_of_the_link():
    assert "experience" not in view_params(ViewState(weights=(1, 2, 3)), ViewState())


@pytest.mark.parametrize("value", ["much", "-1", "101", "11", "NaN", "nan", "2.5", "1e1",
                                   "inf", "²", "", "9" * 70, ["3", "4"]])
def test_a_tampered_value_warns_and_keeps_the_default(value):
    base = ViewState(indication="hiv", experience=4)  # the weight this session last showed
    got, notices = parse({"experience": value, "weights": "1,2,3"}, default=base)
    assert got == ViewState(indication="hiv", weights=(1, 2, 3), experience=4)
    assert len(notices) == 1
    reason = "is given more than once" if isinstance(value, list) else REASON
    assert notices[0] == f"Link parameter 'experience' {reason}; showing 4 instead."
