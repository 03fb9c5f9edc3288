"""The store's refusals, all :class:`~footprint.errors.FootprintError` subclasses."""

from __future__ import annotations

from footprint.errors import FootprintError


class StoreError(FootprintError):
    """A request to the store was refused (a malformed id, an oversized payload, ...)."""


class NotFoundError(StoreError):
    """No stored item the user may open has this id (or version).

    Unknown and forbidden ids raise the same message, so that guessing reveals nothing.
    """


class StoreUnavailable(StoreError):
    """The database cannot be reached or dropped the connection; nothing was changed."""

    exit_code = 1  # the environment is at fault, not the input


class SchemaError(StoreError):
    """The database's schema is newer than this version of the code knows."""

    exit_code = 1
