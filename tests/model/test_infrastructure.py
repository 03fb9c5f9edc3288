"""Infrastructure risk and DCT readiness: anchored components, missing data, war floor."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose

from footprint.model import infrastructure
from tests.tiny import make_inputs

NO_WAR = pd.Series(dtype="boolean")


def test_better_indicators_mean_lower_risk():
    rich = {k: v * 3 for k, v in {"SH.MED.PHYS.ZS": 2, "SH.MED.BEDS.ZS": 3,
                                   "NY.GDP.PCAP.PP.CD": 20_000}.items()}
    inputs = make_inputs({"AAA": rich, "CCC": {"SH.MED.PHYS.ZS": 0.1}})
    out = infrastructure.infrastructure(inputs, NO_WAR)
    assert out.loc["AAA", "infrastructure_risk"] < out.loc["BBB", "infrastructure_risk"]
    assert out.loc["CCC", "infrastructure_risk"] > out.loc["BBB", "infrastructure_risk"]
    assert out["infrastructure_risk"].between(0, 100).all()


def test_missing_components_are_dropped_not_zero_and_counted():
    gaps = dict.fromkeys(["SH.MED.PHYS.ZS", "SH.MED.BEDS.ZS", "NY.GDP.PCAP.PP.CD",
                          "LP.LPI.OVRL.XQ", "EG.ELC.ACCS.ZS"], np.nan)
    inputs = make_inputs({"AAA": gaps})
    out = infrastructure.infrastructure(inputs, NO_WAR)
    assert out.loc["AAA", "infrastructure_components_used"] == 4
    assert out.loc["BBB", "infrastructure_components_used"] == 9
    parts = out.loc["AAA", [f"infra_{name}" for name in infrastructure.RISK_COMPONENTS]]
    assert parts.isna().sum() == 5
    # the mean of the four present components: a missing one is neither 0 nor 100
    assert_allclose(out.loc["AAA", "infrastructure_risk"], parts.dropna().astype(float).mean())


def test_too_few_components_give_no_score():
    codes = list(infrastructure.RISK_COMPONENTS.values())
    inputs = make_inputs({"AAA": dict.fromkeys(codes[2:], np.nan)})
    out = infrastructure.infrastructure(inputs, NO_WAR)
    assert np.isnan(out.loc["AAA", "infrastructure_risk"])


def test_war_raises_risk_to_the_floor():
    inputs = make_inputs()
    war = pd.Series({"AAA": True, "BBB": False}, dtype="boolean")
    out = infrastructure.infrastructure(inputs, war)
    assert out.loc["AAA", "infrastructure_risk"] >= infrastructure.WAR_RISK_FLOOR
    assert out.loc["BBB", "infrastructure_risk"] < infrastructure.WAR_RISK_FLOOR


def test_scores_do_not_depend_on_the_selection(con):
    """A country's score is the same whichever region the user filters to."""
    from footprint.data import model_inputs
    from footprint.model import scoring
    inputs = model_inputs.load_inputs(con)
    eu = scoring.score_table(inputs, scoring.ScoreParams("hypertension",
                                                          region="European Union"))
    east = scoring.score_table(inputs, scoring.ScoreParams("hypertension",
                                                            region="Eastern Europe"))
    for col in ["infrastructure_risk", "friction_index", "pool_score", "attractiveness"]:
        assert_allclose(eu.loc["POL", col], east.loc["POL", col])
    assert eu.loc["POL", "rank"] != east.loc["POL", "rank"]  # rank is within the selection
