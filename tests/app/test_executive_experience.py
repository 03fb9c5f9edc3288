"""AppTest: the trial-experience weight on the Executive page and in the link, as on Explore
(the same sidebar): a high weight changes the top countries; a link carries it; without the
landscape the slider is disabled with the reason."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from footprint.data import atlas, model_inputs
from footprint.data.database import open_database
from footprint.model import scoring
from footprint.views import executive, metrics

APP = "../../app.py"  # AppTest paths are relative to this file
EXECUTIVE = "app_pages/executive.py"
TOP = "Attractiveness [0-100]"


@pytest.fixture
def at() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(at: AppTest, page: str, **params) -> AppTest:
    run(at)
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    return run(at)


def top_of(at: AppTest) -> pd.DataFrame:
    return next(f.value for f in at.dataframe if TOP in f.value.columns)


def region_top(top: pd.DataFrame, region: str) -> list[str]:
    return list(top.loc[top["Region"] == region, "ISO3"])


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    """The top three per region at the default weights 5/5/5 and trial experience 10."""
    con = open_database()
    try:
        cur = con.cursor()
        frame = scoring.country_frame(model_inputs.load_inputs(cur), "type2_diabetes")
        return executive.top_per_region(frame, scoring.Weights(5, 5, 5, 10), atlas.regions(cur))
    finally:
        con.close()


def test_a_high_experience_weight_changes_the_top_countries(at, expected):
    open_page(at, EXECUTIVE)
    slider = at.slider(key="executive_w_experience")
    assert slider.value == 0 and not slider.proto.disabled
    before = top_of(at)
    # Registered studies per million (AACT 2023-10): Estonia ~808, Poland ~251; Belgium and
    # Denmark lead the EU, Germany and Spain fall out of its top three.
    assert region_top(before, "Eastern Europe") == ["POL", "CZE", "LTU"]
    assert region_top(before, "European Union") == ["DEU", "FRA", "ESP"]
    slider.set_value(10)
    run(at)
    after = top_of(at)
    assert region_top(after, "Eastern Europe") == ["EST", "CZE", "LTU"]
    assert region_top(after, "European Union") == ["BEL", "DNK", "FRA"]
    assert list(after["ISO3"]) == list(expected["ISO3"])
    assert list(after[TOP]) == pytest.approx(list(expected[TOP]))
    text = "\n".join(str(c.value) for c in at.caption)
    assert "trial experience 40 %" in text  # 10 of 5 + 5 + 5 + 10
    assert at.query_params["experience"] == "10"
    assert "weights" not in at.query_params  # the other three are still the defaults


def test_a_link_sets_the_weight_and_a_bad_one_warns_and_keeps_0(at):
    open_page(at, EXECUTIVE, experience="10")
    assert at.slider(key="executive_w_experience").value == 10
    assert region_top(top_of(at), "Eastern Europe")[0] == "EST"
    bad = AppTest.from_file(APP, default_timeout=60)
    open_page(bad, EXECUTIVE, experience="NaN")
    assert bad.slider(key="executive_w_experience").value == 0
    assert [w.value for w in bad.warning] == [
        "Link parameter 'experience' is not a whole-number weight from 0 to 10; showing 0 "
        "instead."]
    assert region_top(top_of(bad), "Eastern Europe")[0] == "POL"


def test_the_weight_follows_the_user_from_explore_to_the_executive_page(at):
    run(at)
    at.slider(key="explore_w_experience").set_value(6)
    run(at)
    assert at.query_params["experience"] == "6"
    at.switch_page(EXECUTIVE)
    run(at)
    assert at.slider(key="executive_w_experience").value == 6


def test_without_the_landscape_the_slider_is_disabled_with_the_reason(at, monkeypatch):
    reason = "The trial landscape is not available: test"
    monkeypatch.setattr(metrics, "landscape_unavailable", lambda meta: reason)
    open_page(at, EXECUTIVE, experience="10")
    slider = at.slider(key="executive_w_experience")
    assert slider.proto.disabled and slider.proto.help == reason
    assert reason in [c.value for c in at.sidebar.caption]
    assert region_top(top_of(at), "Eastern Europe")[0] == "POL"  # not scored
