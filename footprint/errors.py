"""The one error family of footprint/: every refusal carries the list of its problems.

A :class:`FootprintError` is a refusal the user can act on (a bad file, an unknown code, a
broken data snapshot), never a bug. The CLI turns any of them into a message and the error's
``exit_code``; the app shows the problems and keeps the current state.
"""

from __future__ import annotations

from collections.abc import Sequence


class FootprintError(ValueError):
    """Base of every refusal; ``problems`` lists each problem in plain words."""

    exit_code = 2
    """CLI exit code for this kind of error (2: the input was refused)."""

    def __init__(self, problems: str | Sequence[str], headline: str = ""):
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
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


class UploadError(FootprintError):
    """An upload cannot be read; the message says why in plain words."""


class ScenarioError(FootprintError):
    """A scenario was refused; each problem starts with its field path."""

    def __init__(self, problems: Sequence[str]):
        super().__init__(problems, headline="invalid scenario:")


class SiteListError(FootprintError):
    """Every problem of a site list, each naming its row and field."""
