"""Custom indications in the workspace store: saved, listed and opened as the store's
``indication`` items (kind :data:`~footprint.store.workspace.INDICATION`, format json).

An item's text is the definition's stored form (:func:`footprint.io.indications.to_json`),
checked again whenever it is read. Every save is a new version; an item is private to a
signed-in owner until shared, team-visible without sign-in, exactly as scenarios
(:class:`~footprint.store.workspace.Store` applies the one access rule). The indication's id
(``my_...``) is given on the first save and kept by every later version, so scenarios that
name it keep working.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass, replace

from sqlalchemy import select

from footprint.assumptions import MAX_STORE_LISTED, STORE_PARSED_INDICATIONS
from footprint.errors import UploadError
from footprint.io import indications as io
from footprint.model import pool
from footprint.store.errors import NotFoundError, StoreError
from footprint.store.schema import document_versions, documents
from footprint.store.workspace import (
    _INFO,
    _KIND_IS,
    _LIMIT,
    _OPEN_TO,
    INDICATION,
    Principal,
    Store,
    StoredVersion,
    VersionInfo,
    _info_fields,
)

_LIST_WITH_TEXT = (
    select(*_INFO, document_versions.c.payload).join_from(documents, document_versions)
    .where(_KIND_IS, _OPEN_TO, document_versions.c.version == documents.c.latest_version)
    .order_by(document_versions.c.saved_at.desc(), documents.c.id).limit(_LIMIT))
"""The latest version of every indication open to the user, with its text."""


@dataclass(frozen=True, slots=True)
class StoredIndication:
    """A stored custom indication: the store's version record and the definition."""

    info: VersionInfo
    definition: io.Definition

    @property
    def indication(self) -> pool.Indication:
        """The pool's indication."""
        return io.to_indication(self.definition)


def save_indication(store: Store, definition: io.Definition, *, user: Principal,
                    note: str = "", item_id: str | None = None,
                    visibility: str | None = None) -> StoredIndication:
    """Store a checked definition as a new item (it gets a fresh ``my_...`` id), or as the
    next version of ``item_id`` (it keeps that item's indication id).

    Parameters are :meth:`~footprint.store.workspace.Store.save`'s.
    """
    if item_id is None:
        definition = replace(definition, id=io.new_id(definition.name))
    else:
        previous = _definition(store.get(item_id, user=user, kind=INDICATION))
        definition = replace(definition, id=previous.id)
    saved = store.save(INDICATION, io.to_json(definition), name=definition.name, user=user,
                       note=note, item_id=item_id, visibility=visibility)
    return StoredIndication(_info(saved), definition)


def list_indications(store: Store, *, user: Principal) -> list[StoredIndication]:
    """The latest version of every custom indication open to ``user``, newest first [at
    most MAX_STORE_LISTED]; one that does not read back is left out (see
    :func:`unreadable`)."""
    return [item for item in _listed(store, user) if isinstance(item, StoredIndication)]


def unreadable(store: Store, *, user: Principal) -> list[str]:
    """What is wrong with each stored indication that no longer reads back (edited in the
    database by hand, or written by a newer version of the app)."""
    return [item for item in _listed(store, user) if isinstance(item, str)]


def catalogue(store: Store, *, user: Principal,
              shipped: Collection[str] = ()) -> dict[str, pool.Indication]:
    """The custom indications open to ``user`` by id (the newest first), leaving out an id
    of ``shipped`` (none is ``my_...``) or one seen already."""
    out: dict[str, pool.Indication] = {}
    for item in list_indications(store, user=user):
        ind_id = item.definition.id
        if ind_id not in shipped and ind_id not in out:
            out[ind_id] = item.indication
    return out


def find(store: Store, indication_id: str, *, user: Principal) -> StoredIndication:
    """The stored indication with this ``my_...`` id, or a :class:`NotFoundError`."""
    for item in list_indications(store, user=user):
        if item.definition.id == indication_id:
            return item
    raise NotFoundError(f"no custom indication {indication_id!r} is open to you: it may not "
                        "exist, or be private to its owner")


def _listed(store: Store, user: Principal) -> list[StoredIndication | str]:
    params = {"p_kind": INDICATION, "p_user": user.id, "p_limit": MAX_STORE_LISTED}
    with store._reaching(), store.engine.connect() as conn:
        rows = conn.execute(_LIST_WITH_TEXT, params).all()
    out: list[StoredIndication | str] = []
    for row in rows:
        info = VersionInfo(**_info_fields(row))
        read = _read(row.payload)
        out.append(StoredIndication(info, read) if isinstance(read, io.Definition) else
                   f"{info.name!r} ({info.id}, version {info.version}): {read}")
    return out


@functools.lru_cache(maxsize=STORE_PARSED_INDICATIONS)
def _read(payload: str) -> io.Definition | str:
    """A stored text read and checked again, or what is wrong with it (kept per text: a
    stored version never changes)."""
    try:
        return io.from_json(payload)
    except UploadError as exc:
        return "; ".join(exc.problems)


def _definition(stored: StoredVersion) -> io.Definition:
    try:
        return io.from_json(stored.payload)
    except UploadError as exc:
        raise StoreError(f"the stored indication {stored.name!r} does not read back: "
                         + "; ".join(exc.problems)) from None


def _info(stored: StoredVersion) -> VersionInfo:
    fields = {name: getattr(stored, name) for name in VersionInfo.__dataclass_fields__}
    return VersionInfo(**fields)
