"""The state of a view that a link carries (``st.query_params``): parsed with a warning per
unusable parameter, and written back with the defaults left out."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from footprint.views.format import slug
from footprint.views.regions import REGION_ALL

# Longest value a link may carry for one parameter [characters].
MAX_PARAM_LENGTH = 64
# Characters any of our identifiers may contain (region names, indicator codes, ISO3, ids).
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._&+\-]*$")


@dataclass(frozen=True, slots=True)
class ViewState:
    """What a link to a view carries.

    ``region`` is a region name or :data:`~footprint.views.regions.REGION_ALL`; ``country``
    an ISO3 code or None.
    """

    region: str = REGION_ALL
    metric: str = ""
    indication: str | None = None
    country: str | None = None


def parse_view_params(params: Mapping[str, object], *, regions: Sequence[str],
                      metrics: Sequence[str], countries: Collection[str],
                      indications: Sequence[str] = (),
                      default: ViewState) -> tuple[ViewState, list[str]]:
    """The view a link asks for, and one warning per parameter that could not be used.

    ``params`` is ``st.query_params`` (or a dict of str / list of str). A region may be given
    by name or slug (``latin-america``), a metric by id (case-insensitive), a country by ISO3.
    A missing parameter takes its default silently; an unknown, too long or script-like one
    takes its default with a warning that names the parameter but never echoes the value.
    Unknown parameter names are ignored.
    """
    state = default
    warnings: list[str] = []
    fields = (
        ("region", regions, slug, "a region", default.region),
        ("metric", metrics, str.lower, "a metric", default.metric),
        ("indication", indications, str.lower, "an indication", default.indication),
        ("country", sorted(countries), str.upper, "a mapped country (ISO3 code)",
         default.country),
    )
    for name, choices, keyer, what, fallback in fields:
        if name not in params:
            continue
        value, problem = _clean(params[name])
        if problem is None and value is not None:
            match = _match(value, choices, keyer) if choices else None
            if match is not None:
                state = replace(state, **{name: match})
                continue
            problem = f"is not {what} this app knows"
        shown = fallback if fallback else "none"
        warnings.append(f"Link parameter '{name}' {problem}; showing {shown} instead.")
    return state, warnings


def _clean(raw) -> tuple[str | None, str | None]:
    """(value, problem): the last value of a parameter, or why it cannot be used."""
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else ""
    value = str(raw).strip()
    if not value:
        return None, "is empty"
    if len(value) > MAX_PARAM_LENGTH:
        return None, f"is longer than {MAX_PARAM_LENGTH} characters"
    if not _SAFE_VALUE.match(value):
        return None, "contains characters no valid value has"
    return value, None


def _match(value: str, choices: Sequence[str], keyer: Callable[[str], str]) -> str | None:
    index = {keyer(c): c for c in choices}
    return index.get(keyer(value))


def view_params(state: ViewState, default: ViewState | None = None) -> dict[str, str]:
    """Query parameters that reopen ``state`` (values equal to ``default`` are left out)."""
    default = default or ViewState()
    out: dict[str, str] = {}
    if state.region != default.region:
        out["region"] = slug(state.region)
    if state.indication and state.indication != default.indication:
        out["indication"] = state.indication
    if state.metric and state.metric != default.metric:
        out["metric"] = state.metric
    if state.country:
        out["country"] = state.country
    return out
