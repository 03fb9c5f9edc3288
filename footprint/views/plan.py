"""From exploring to planning: Explore's selection handed to the Scenario builder.

Explore's "Plan these countries" puts a :class:`PlanRequest` under :data:`PLAN_KEY` in the
session and switches to the Scenario builder, which reads it once (the same hand-off as the
builder's ``scenario_load``) and starts a new scenario of those countries with
:func:`planned_scenario`. Every model value of the new scenario is left to the model, so the
builder resolves each country's start-up from the regulatory model and its pool cap from the
indication's funnel, with Explore's eligible share and site activation. Gated countries
(embargo, sanctions, war) come along only when Explore includes them; otherwise they are
left out and named (:func:`plan_notice`). Kept apart from :mod:`footprint.views.scenario` so
that Explore imports neither the forecast nor pydeck for it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from footprint.assumptions import MAX_NAME_LENGTH, PLAN_START_SITES
from footprint.enrollment.scenario import CountryPlan, Scenario

PLAN_KEY: Final = "scenario_plan"
"""Session key of a :class:`PlanRequest` on its way to the Scenario builder."""
PLAN_PREFIX: Final = "Plan: "


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Explore's selection, to plan in the Scenario builder.

    Parameters
    ----------
    countries : tuple of str
        ISO3 codes to plan, in Explore's ranking order.
    indication : str
        Indication id.
    scope : str
        The selection's label ('Latin America', 'Japan + 5 countries').
    eligibility_pct : int
        Explore's eligible share of diagnosed patients [%].
    activation_days : int
        Explore's site activation after approval [days].
    left_out : tuple of str
        Gated countries of the selection that are not planned (ISO3).
    """

    countries: tuple[str, ...]
    indication: str
    scope: str
    eligibility_pct: int
    activation_days: int
    left_out: tuple[str, ...] = ()


def plan_request(countries: Sequence[str], indication: str, scope: str,
                 eligibility_share: float, activation_days: float,
                 left_out: Sequence[str] = ()) -> PlanRequest:
    """The request for Explore's ranked countries (gated ones already left out or not).

    Parameters
    ----------
    eligibility_share : float
        [0-1]
    activation_days : float
        [days]
    """
    return PlanRequest(tuple(countries), indication, scope,
                       int(round(eligibility_share * 100)), int(round(activation_days)),
                       tuple(left_out))


def planned_scenario(request: PlanRequest, base: Scenario,
                     indications: Collection[str]) -> Scenario:
    """A new scenario of the request's countries, :data:`PLAN_START_SITES` sites each and
    every model value left to the model; its target, deadline and seed are ``base``'s (what
    the builder held), and so is its indication unless the request's is in ``indications``.
    """
    return replace(
        base, name=(PLAN_PREFIX + request.scope)[:MAX_NAME_LENGTH],
        indication=request.indication if request.indication in indications else base.indication,
        countries=tuple(CountryPlan(c, PLAN_START_SITES) for c in request.countries))


def plan_notice(request: PlanRequest, names: Mapping[str, str]) -> str:
    """What the builder took from Explore, in plain words (gated countries named)."""
    n = len(request.countries)
    text = (f"Planned from Explore: {n} countr{'y' if n == 1 else 'ies'} of {request.scope}, "
            f"{PLAN_START_SITES} site{'' if PLAN_START_SITES == 1 else 's'} each (a starting "
            "point: set the counts, or let the optimiser propose them). Start-up comes from "
            "the regulatory model and the pool cap from the indication's funnel, at Explore's "
            f"eligible share ({request.eligibility_pct} %) and site activation "
            f"({request.activation_days} days).")
    if request.left_out:
        gated = ", ".join(names.get(c, c) for c in request.left_out)
        text += (f" Left out as gated (embargo, sanctions or war): {gated}; include gated "
                 "countries in Explore's sidebar to plan them.")
    return text
