"""The state of a view that a link carries (``st.query_params``): parsed with a notice per
unusable parameter, and written back with the defaults left out.

Parameters (values are case-insensitive; lists are comma-separated):
``region`` one or more region names or slugs (``latin-america,india``), ``countries`` a custom
set of ISO3 codes added to them, ``indication``, ``metric``, ``country`` (the country whose
details are open), ``weights`` pool, friction and infrastructure weights (``10,2,5``),
``experience`` the trial-experience weight (``0``-``10``; a link without it means 0),
``eligibility`` [%], ``activation`` [days], ``include_gated`` (``1`` or ``0``) and ``drill``
(the drill-down's metric).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from footprint.assumptions import (
    DEFAULT_ELIGIBILITY_SHARE,
    DEFAULT_EXPERIENCE_WEIGHT,
    DEFAULT_SITE_ACTIVATION_DAYS,
)
from footprint.views.format import slug
from footprint.views.regions import REGION_ALL

# Longest value a link may carry for one parameter or list item [characters].
MAX_PARAM_LENGTH = 64
# Most items one list parameter may carry (a custom set of countries) [items].
MAX_LIST_ITEMS = 100
# Characters any of our identifiers may contain (region names, indicator codes, ISO3, ids).
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._&+\-]*$")
# The sliders' ranges: weights 0-10, eligible share 1-100 %, site activation 0-365 days in
# steps of 5.
WEIGHT_RANGE = (0, 10)
ELIGIBILITY_RANGE = (1, 100)
ACTIVATION_RANGE = (0, 365, 5)
DEFAULT_WEIGHTS = (5, 5, 5)
DEFAULT_EXPERIENCE = round(DEFAULT_EXPERIENCE_WEIGHT)
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True, slots=True)
class ViewState:
    """What a link to a view carries.

    ``regions`` are region names and ``countries`` ISO3 codes of a custom set (both empty:
    every region); ``country`` is the ISO3 code whose details are open, or None; ``weights``
    the three slider values [0-10]; ``experience`` the trial-experience slider [0-10] (0:
    not scored); ``eligibility`` [%]; ``activation`` [days].
    """

    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    metric: str = ""
    indication: str | None = None
    country: str | None = None
    weights: tuple[int, int, int] = DEFAULT_WEIGHTS
    experience: int = DEFAULT_EXPERIENCE
    eligibility: int = round(DEFAULT_ELIGIBILITY_SHARE * 100)
    activation: int = round(DEFAULT_SITE_ACTIVATION_DAYS)
    include_gated: bool = False
    drill: str | None = None


@dataclass(frozen=True, slots=True)
class Choices:
    """What a link's values may name: region names, metric ids, indication ids, mapped ISO3
    codes and drill-down metrics."""

    regions: Sequence[str] = ()
    metrics: Sequence[str] = ()
    indications: Sequence[str] = ()
    countries: Collection[str] = field(default_factory=frozenset)
    drills: Sequence[str] = ()


# Parameter name -> ViewState field (today's names first; a link never carries a field name).
PARAMS: dict[str, str] = {
    "region": "regions", "metric": "metric", "indication": "indication", "country": "country",
    "countries": "countries", "weights": "weights", "experience": "experience",
    "eligibility": "eligibility", "activation": "activation", "include_gated": "include_gated",
    "drill": "drill",
}
# The settings both Explore and the Executive page read and link.
SETTINGS = ("indication", "weights", "experience", "eligibility", "activation",
            "include_gated")


def parse_view_params(params: Mapping[str, object], *, choices: Choices, default: ViewState,
                      names: Collection[str] = tuple(PARAMS)) -> tuple[ViewState, list[str]]:
    """The view a link asks for, and one notice per parameter that could not be used.

    ``params`` is ``st.query_params.to_dict()`` (or a dict of str / list of str); only the
    parameter ``names`` are read, others are ignored. A missing parameter takes its default
    silently; an unknown, repeated, too long or script-like one takes its default with a
    notice that names the parameter but never echoes the value. A list drops (with a notice)
    the items it does not know and keeps a repeated item once.
    """
    state = default
    notices: list[str] = []
    for name in names:
        if name not in params:
            continue
        attr = PARAMS[name]
        fallback = getattr(default, attr)
        raw = params[name]
        if isinstance(raw, (list, tuple)):
            if len(raw) > 1:
                notices.append(_notice(name, "is given more than once", attr, fallback))
                continue
            raw = raw[0] if raw else ""
        value, problem, note = _PARSERS[attr](str(raw).strip(), choices)
        if problem is not None:
            notices.append(_notice(name, problem, attr, fallback))
            continue
        state = replace(state, **{attr: value})
        if note:
            notices.append(f"Link parameter '{name}' {note}.")
    return state, notices


def _notice(name: str, problem: str, attr: str, fallback) -> str:
    return f"Link parameter '{name}' {problem}; showing {_shown(attr, fallback)} instead."


def _shown(attr: str, value) -> str:
    if attr == "regions":
        return " + ".join(value) if value else REGION_ALL
    if attr == "countries":
        return ", ".join(value) if value else "no added countries"
    if attr == "weights":
        return ",".join(str(w) for w in value)
    if attr == "include_gated":
        return "gated countries included" if value else "gated countries left out"
    if isinstance(value, int):
        return str(value)
    return str(value) if value else "none"


def _single(raw: str) -> tuple[str | None, str | None]:
    """(value, problem) of a one-value parameter."""
    if not raw:
        return None, "is empty"
    if len(raw) > MAX_PARAM_LENGTH:
        return None, f"is longer than {MAX_PARAM_LENGTH} characters"
    if not _SAFE_VALUE.match(raw):
        return None, "contains characters no valid value has"
    return raw, None


def _match(value: str, choices: Sequence[str], keyer: Callable[[str], str]) -> str | None:
    index = {keyer(c): c for c in choices}
    return index.get(keyer(value))


def _one_of(what: str, pick: Callable[[Choices], Sequence[str]], keyer: Callable[[str], str]):
    def parse(raw: str, choices: Choices):
        value, problem = _single(raw)
        if value is None:
            return None, problem, ""
        match = _match(value, list(pick(choices)), keyer)
        return (match, None, "") if match else (None, f"is not {what} this app knows", "")
    return parse


def _list_of(what: str, pick: Callable[[Choices], Sequence[str]], keyer: Callable[[str], str],
             everything: tuple[str, ...] = ()):
    def parse(raw: str, choices: Choices):
        items = [i.strip() for i in raw.split(",")] if raw else []
        if not items or not all(items):
            return None, "is empty or has an empty item", ""
        if len(items) > MAX_LIST_ITEMS:
            return None, f"lists more than {MAX_LIST_ITEMS} items", ""
        known, unknown = [], 0
        for item in items:
            if len(item) > MAX_PARAM_LENGTH:
                return None, f"has an item longer than {MAX_PARAM_LENGTH} characters", ""
            if not _SAFE_VALUE.match(item):
                return None, "has an item with characters no valid value has", ""
            value = item
            if keyer(value) in {keyer(e) for e in everything}:
                return (), None, ""  # 'all-regions': the default scope
            match = _match(value, list(pick(choices)), keyer)
            if match is None:
                unknown += 1
            elif match not in known:
                known.append(match)
        if not known:
            return None, f"names nothing this app knows as {what}", ""
        notes = []
        if unknown:
            notes.append(f"has {unknown} item{'s' if unknown > 1 else ''} that "
                         f"{'are' if unknown > 1 else 'is'} not {what} this app knows "
                         "(left out)")
        if len(known) + unknown < len(items):
            notes.append("repeats an item (kept once)")
        return tuple(known), None, "; ".join(notes)
    return parse


def _digits(text: str) -> bool:
    """Only the ASCII digits 0-9 (``'²'.isdigit()`` is true, but ``int('²')`` fails)."""
    return text.isascii() and text.isdigit()


def _weights(raw: str, choices: Choices):
    low, high = WEIGHT_RANGE
    parts = raw.split(",")
    problem = f"is not three weights from {low} to {high} (like 10,2,5)"
    if len(raw) > MAX_PARAM_LENGTH or len(parts) != 3 or not all(
            _digits(p.strip()) and low <= int(p) <= high for p in parts):
        return None, problem, ""
    return tuple(int(p) for p in parts), None, ""


def _whole(low: int, high: int, step: int, what: str):
    """A parser of one whole number from ``low`` to ``high`` in steps of ``step``; its
    problem reads 'is not {what} from {low} to {high}'."""
    def parse(raw: str, choices: Choices):
        text = raw.strip()
        if len(text) > MAX_PARAM_LENGTH or not _digits(text) or not (
                low <= int(text) <= high and (int(text) - low) % step == 0):
            steps = f" in steps of {step}" if step > 1 else ""
            return None, f"is not {what} from {low} to {high}{steps}", ""
        return int(text), None, ""
    return parse


def _flag(raw: str, choices: Choices):
    text = raw.strip().lower()
    if text in _TRUE:
        return True, None, ""
    if text in _FALSE:
        return False, None, ""
    return None, "is not 1 or 0", ""


_PARSERS = {
    "regions": _list_of("a region", lambda c: c.regions, slug, everything=(REGION_ALL,)),
    "countries": _list_of("a mapped country (ISO3 code)", lambda c: sorted(c.countries),
                          str.upper),
    "metric": _one_of("a metric", lambda c: c.metrics, str.lower),
    "indication": _one_of("an indication", lambda c: c.indications, str.lower),
    "country": _one_of("a mapped country (ISO3 code)", lambda c: sorted(c.countries),
                       str.upper),
    "drill": _one_of("a drill-down metric", lambda c: c.drills, str.lower),
    "weights": _weights,
    "experience": _whole(*WEIGHT_RANGE, 1, "a whole-number weight"),
    "eligibility": _whole(*ELIGIBILITY_RANGE, 1, "a whole number of per cent"),
    "activation": _whole(*ACTIVATION_RANGE, "a whole number of days"),
    "include_gated": _flag,
}


def view_params(state: ViewState, default: ViewState | None = None,
                names: Collection[str] = tuple(PARAMS)) -> dict[str, str]:
    """Query parameters that reopen ``state`` in a fresh browser: the parameter ``names``
    whose values differ from ``default``."""
    default = default or ViewState()
    out: dict[str, str] = {}
    for name in names:
        attr = PARAMS[name]
        value = getattr(state, attr)
        if value == getattr(default, attr) or value is None or value == "":
            continue
        if attr == "regions":
            out[name] = ",".join(slug(r) for r in value) if value else "all-regions"
        elif attr in ("countries", "weights"):
            out[name] = ",".join(str(v) for v in value)
        elif attr == "include_gated":
            out[name] = "1" if value else "0"
        else:
            out[name] = str(value)
    return out
