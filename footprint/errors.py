"""The one error family of footprint/: every refusal carries the list of its problems.

A :class:`FootprintError` is a refusal the user can act on (a bad file, an unknown code, a
broken data snapshot), never a bug. The CLI turns any of them into a message and the error's
``exit_code``; the app shows the problems and keeps the current state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from footprint.assumptions import MAX_PROBLEMS_SHOWN

_MORE: Final = re.compile(r"… and ([\d,]+) more problems?$")


def bounded(problems: Iterable[str]) -> list[str]:
    """At most :data:`~footprint.assumptions.MAX_PROBLEMS_SHOWN` problems, then one line
    ``… and N more problems`` (a list already bounded keeps its count when re-wrapped)."""
    kept: list[str] = []
    hidden = 0
    for problem in problems:
        more = _MORE.search(problem)
        if more:
            hidden += int(more[1].replace(",", ""))
        elif len(kept) < MAX_PROBLEMS_SHOWN:
            kept.append(problem)
        else:
            hidden += 1
    if hidden:
        kept.append(f"… and {hidden:,} more problem{'s' if hidden > 1 else ''}")
    return kept


class FootprintError(ValueError):
    """Base of every refusal; ``problems`` lists each problem in plain words, at most
    :data:`~footprint.assumptions.MAX_PROBLEMS_SHOWN` of them (see :func:`bounded`)."""

    exit_code = 2
    """CLI exit code for this kind of error (2: the input was refused)."""

    def __init__(self, problems: str | Sequence[str], headline: str = ""):
        self.problems: list[str] = bounded([problems] if isinstance(problems, str)
                                           else problems)
        self.headline = headline
        if headline:
            text = headline + "\n" + "\n".join(f"- {p}" for p in self.problems)
        else:
            text = "; ".join(self.problems)
        super().__init__(text)


class UsageError(FootprintError):
    """Invalid command-line input (an unknown choice, a value out of range)."""


class DataFileError(FootprintError):
    """A shipped data file is missing or unusable; the message names it."""

    exit_code = 1  # the installation is broken, not the user's input


class QueryError(FootprintError):
    """A query file or a call to it is inconsistent."""


class BudgetError(FootprintError):
    """A unit of work would exceed its budget (memory, steps, bytes); the message says the
    limit and how to stay under it."""


class Cancelled(FootprintError):
    """A unit of work was stopped by its caller (a newer run replaced it, its session ended)."""


class UploadError(FootprintError):
    """An upload cannot be read; the message says why in plain words."""


class ScenarioError(FootprintError):
    """A scenario was refused; each problem starts with its field path."""

    def __init__(self, problems: Sequence[str]):
        super().__init__(problems, headline="invalid scenario:")


class SiteListError(FootprintError):
    """Every problem of a site list, each naming its row and field."""
