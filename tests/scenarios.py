"""Hand-built scenarios and Hypothesis strategies shared by the scenario format tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import strategies as st

from footprint.assumptions import (
    MAX_COST_PER_PATIENT,
    MAX_RATE,
    MAX_RATE_SHAPE,
    MAX_SEED,
    MAX_SITES_PER_COUNTRY,
    MAX_STARTUP_DAYS,
    MAX_TARGET_PATIENTS,
    MIN_RATE,
    MIN_RATE_SHAPE,
)
from footprint.enrollment.scenario import CountryPlan, Scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "scenario_latam_hypertension.json"
NASTY_NAMES = [
    "=cmd|' /C calc'!A0",
    "=SUM(A1)",
    "+1",
    "-x",
    "@a",
    "\tz",
    "\r\nCR first",
    "'already quoted",
    "''=double",
    "'=x",
    'quote " inside, and comma',
    "multi\nline",
    "-1",
    "1e5",
    "Ünïcødé ✓ 東京",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def small(**changes) -> Scenario:
    """Two countries, one with a rate; ``changes`` replace fields (unvalidated)."""
    base = Scenario(
        name="Base",
        indication="hypertension",
        target_patients=120,
        countries=(CountryPlan("BRA", 5), CountryPlan("MEX", 3, rate=0.8)),
    )
    return replace(base, **changes)


def good_dict(**changes) -> dict:
    """A valid scenario in its mapping form; ``changes`` replace keys."""
    data = {
        "schema_version": 1,
        "name": "LatAm",
        "indication": "hypertension",
        "target_patients": 200,
        "countries": [{"iso3": "BRA", "sites": 4}, {"iso3": "MEX", "sites": 2, "rate": 0.5}],
    }
    data.update(changes)
    return data


finite = {"allow_nan": False, "allow_infinity": False}
names = st.one_of(st.sampled_from(NASTY_NAMES), st.text(min_size=1, max_size=40))


@st.composite
def countries(draw):
    codes = draw(
        st.lists(st.from_regex(r"[A-Z]{3}", fullmatch=True), min_size=1, max_size=5, unique=True)
    )
    out = []
    for code in codes:
        sites = draw(st.integers(0, 50))
        opt = st.none()
        out.append(
            CountryPlan(
                iso3=code,
                sites=sites,
                rate=draw(opt | st.floats(min_value=MIN_RATE, max_value=MAX_RATE, **finite)),
                rate_shape=draw(opt | st.floats(min_value=MIN_RATE_SHAPE,
                                                max_value=MAX_RATE_SHAPE, **finite)),
                startup_days=draw(opt | st.floats(min_value=0, max_value=MAX_STARTUP_DAYS,
                                                  **finite)),
                startup_sd_days=draw(opt | st.floats(min_value=0, max_value=MAX_STARTUP_DAYS,
                                                     **finite)),
                never_activate_share=draw(
                    opt | st.floats(min_value=0, max_value=1, exclude_max=True, **finite)
                ),
                cost_per_patient=draw(opt | st.floats(min_value=0, max_value=MAX_COST_PER_PATIENT,
                                                      **finite)),
                max_sites=draw(opt | st.integers(sites, MAX_SITES_PER_COUNTRY)),
            )
        )
    return tuple(out)


scenarios = st.builds(
    Scenario,
    name=names,
    indication=st.one_of(st.sampled_from(["hypertension", "=HYPERLINK(x)"]), names),
    target_patients=st.integers(1, MAX_TARGET_PATIENTS),
    countries=countries(),
    seed=st.integers(0, MAX_SEED),
    deadline_months=st.none() | st.floats(min_value=0.01, max_value=600, **finite),
)
