"""Join scenarios to the footprint model: start-up defaults and pool caps per country.

The regulatory model gives each country's start-up (mean, sd) [days]; the patient funnel
gives its eligible pool, which caps what the country can recruit. For an incident
indication (a pool per year, e.g. tuberculosis), the cap is the yearly pool times the
recruitment window: the deadline, else :data:`DEFAULT_WINDOW_MONTHS` (an assumption).
"""

from __future__ import annotations

import math

from footprint.assumptions import DEFAULT_WINDOW_MONTHS
from footprint.data.model_inputs import ModelInputs
from footprint.enrollment.scenario import ResolvedScenario, Scenario, resolve
from footprint.model import friction, pool, scoring


def model_defaults(inputs: ModelInputs, scenario: Scenario,
                   eligibility_share: float = pool.DEFAULT_ELIGIBILITY_SHARE,
                   site_activation_days: float = friction.DEFAULT_SITE_ACTIVATION_DAYS,
                   ) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    """(start-up mean and sd [days], eligible pool cap [patients]) per scenario country.

    A country with no pool estimate (missing prevalence) gets no cap rather than zero.
    """
    frame = scoring.country_frame(inputs, scenario.indication, eligibility_share,
                                  site_activation_days)
    indication = scoring.resolve_indication(inputs, scenario.indication)
    window = scenario.deadline_months or DEFAULT_WINDOW_MONTHS
    per_window = window / 12 if indication.unit == "incident_per_year" else 1.0
    startup: dict[str, tuple[float, float]] = {}
    caps: dict[str, float] = {}
    for plan in scenario.countries:
        row = frame.loc[plan.iso3]
        startup[plan.iso3] = (float(row["startup_days_mean"]), float(row["startup_days_sd"]))
        eligible = float(row["eligible_patients"])
        if math.isfinite(eligible):
            caps[plan.iso3] = eligible * per_window
    return startup, caps


def resolve_with_model(inputs: ModelInputs, scenario: Scenario,
                       eligibility_share: float = pool.DEFAULT_ELIGIBILITY_SHARE,
                       site_activation_days: float = friction.DEFAULT_SITE_ACTIVATION_DAYS,
                       ) -> ResolvedScenario:
    """The scenario with every left-out value from the model, else the documented default."""
    startup, caps = model_defaults(inputs, scenario, eligibility_share, site_activation_days)
    return resolve(scenario, startup_defaults=startup, pool_caps=caps)
