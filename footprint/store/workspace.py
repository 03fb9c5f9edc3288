"""The workspace store: open it by one URL, save versions, open, list and share them.

Every save is a new version (1, 2, ... per item) with its author, time and note; nothing is
overwritten. An item is a scenario, a custom indication or a site list, stored as text with
its format (the caller validates the text). Each item is private to its owner or visible to
the team; without sign-in everyone is :data:`TEAM_USER` and every item is team-visible.

The URL is the argument of :func:`open_store`, else ``FOOTPRINT_DATABASE_URL`` in the
environment, else the same key in ``.streamlit/secrets.toml``, else the embedded SQLite file
:data:`DEFAULT_URL` (its folder is created on first use).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    Integer,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from footprint.assumptions import (
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_STORE_LISTED,
    MAX_STORE_PAYLOAD_BYTES,
    STORE_TIMEOUT_SECONDS,
)
from footprint.paths import DEFAULT_STORE_FILE, ROOT, STORE_URL_VARIABLE
from footprint.store import migrate
from footprint.store.errors import NotFoundError, StoreError, StoreUnavailable
from footprint.store.schema import ID_LENGTH, USER_ID_LENGTH, document_versions, documents

URL_VARIABLE: Final = STORE_URL_VARIABLE
DEFAULT_URL: Final = f"sqlite:///{DEFAULT_STORE_FILE}"
SECRETS_FILE: Final = ROOT / ".streamlit" / "secrets.toml"

SCENARIO, INDICATION, SITE_LIST = "scenario", "indication", "site_list"
KINDS: Final = (SCENARIO, INDICATION, SITE_LIST)
FORMATS: Final = ("json", "csv")
PRIVATE, TEAM = "private", "team"
VISIBILITIES: Final = (PRIVATE, TEAM)

_ID = re.compile(rf"[A-Za-z0-9_-]{{{ID_LENGTH}}}")
_VERSION = re.compile(r"[1-9][0-9]{0,9}")
_MAX_VERSION = 2**31 - 1  # an SQL INTEGER
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NOT_FOUND = ("no {kind} with this id is open to you: it may not exist, or be private to "
              "its owner")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who asks: ``id`` is the sign-in's stable subject, ``name`` is shown as author."""

    id: str
    name: str
    signed_in: bool = True


TEAM_USER: Final = Principal("team", "team", signed_in=False)
"""Everyone, in a workspace without sign-in."""


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One stored version, without its text.

    ``latest`` is the item's newest version; ``saved_at`` is UTC.
    """

    id: str
    kind: str
    version: int
    latest: int
    name: str
    format: str
    author: str
    note: str
    saved_at: datetime
    owner_id: str
    owner_name: str
    visibility: str


@dataclass(frozen=True, slots=True)
class StoredVersion(VersionInfo):
    """One stored version with its text (``payload``)."""

    payload: str


Listing = list[VersionInfo]
"""Versions or items, newest first."""


class Store:
    """The workspace store over one SQLAlchemy engine; open it with :func:`open_store`."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._writer = engine.execution_options(footprint_write=True)
        dialect = engine.dialect
        self._new_item = _Prepared(_NEW_ITEM, dialect, _ITEM_COLUMNS)
        self._next_version = _Prepared(_NEXT_VERSION, dialect)
        self._new_version = _Prepared(_NEW_VERSION, dialect, _VERSION_COLUMNS)

    @property
    def where(self) -> str:
        """The store's URL, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def save(self, kind: str, payload: str, *, name: str, user: Principal, fmt: str = "json",
             author: str = "", note: str = "", item_id: str | None = None,
             visibility: str | None = None) -> StoredVersion:
        """Store ``payload`` as a new item, or as the next version of ``item_id``.

        Parameters
        ----------
        kind : one of :data:`KINDS`.
        payload : the text, already validated by the caller [at most MAX_STORE_PAYLOAD_BYTES].
        name : shown in listings, stored as given (escaping is the page's job).
        user : who saves; a new version needs an item open to them.
        fmt : one of :data:`FORMATS`.
        author : shown with the version; ``user.name`` when empty.
        note : optional [at most MAX_NOTE_LENGTH characters].
        item_id : None for a new item.
        visibility : a new item's; None gives ``private`` when signed in, else ``team``.
            Later versions keep the item's (see :meth:`share`).
        """
        _check_choice("kind", kind, KINDS)
        _check_choice("format", fmt, FORMATS)
        _check_payload(payload)
        name = _check_text("name", name, MAX_NAME_LENGTH, line=True)
        author = _check_text("author", author or user.name, MAX_NAME_LENGTH, line=True)
        note = _check_text("note", note, MAX_NOTE_LENGTH, line=False, required=False)
        _check_text("user id", user.id, USER_ID_LENGTH, line=True)
        _check_text("user name", user.name, MAX_NAME_LENGTH, line=True)
        if item_id is None:
            seen_by = _visibility_for(visibility, user)
        elif visibility is not None:
            raise StoreError("visibility is chosen on the first save; change it with share")
        else:
            item_id = check_id(item_id)
        now = datetime.now(UTC)
        with self._reaching(), self._saving() as run:
            if item_id is None:
                item_id, version = new_id(), 1
                owner_id, owner_name = user.id, user.name
                run(self._new_item, {
                    "id": item_id, "kind": kind, "owner_id": owner_id,
                    "owner_name": owner_name, "visibility": seen_by, "latest_version": 1,
                    "created_at": now})
            else:
                head = run(self._next_version, {"p_id": item_id, "p_kind": kind,
                                                "p_user": user.id}).fetchone()
                if head is None:
                    raise NotFoundError(_NOT_FOUND.format(kind=_word(kind)))
                version, owner_id, owner_name, seen_by = head
            run(self._new_version, {
                "document_id": item_id, "version": version, "name": name, "format": fmt,
                "payload": payload, "author_id": user.id, "author_name": author,
                "note": note, "saved_at": now})
        return StoredVersion(id=item_id, kind=kind, version=version, latest=version,
                             name=name, format=fmt, author=author, note=note, saved_at=now,
                             owner_id=owner_id, owner_name=owner_name,
                             visibility=seen_by, payload=payload)

    def save_scenario(self, scenario_json: str, *, user: Principal, author: str = "",
                      note: str = "", scenario_id: str | None = None,
                      visibility: str | None = None) -> StoredVersion:
        """Store a scenario (its JSON, validated by the caller) under the JSON's ``name``;
        the parameters are :meth:`save`'s."""
        _check_payload(scenario_json)
        try:
            name = json.loads(scenario_json)["name"]
        except (ValueError, KeyError, TypeError):
            raise StoreError("a scenario to save must be a JSON object with a name") from None
        return self.save(SCENARIO, scenario_json, name=name, user=user, author=author,
                         note=note, item_id=scenario_id, visibility=visibility)

    def get(self, item_id: str, version: int | None = None, *, user: Principal,
            kind: str = SCENARIO) -> StoredVersion:
        """One version of an item open to ``user`` (the latest when ``version`` is None).

        Raises :class:`NotFoundError` with one message for an unknown and a forbidden id.
        """
        _check_choice("kind", kind, KINDS)
        item_id = check_id(item_id)
        if version is not None:
            version = check_version(version)
        params = {"p_id": item_id, "p_kind": kind, "p_user": user.id, "p_version": version}
        with self._reaching(), self.engine.connect() as conn:
            row = conn.execute(_GET, params).one_or_none()
            if row is None and version is not None:
                latest = conn.execute(_LATEST, params).scalar_one_or_none()
                if latest is not None:
                    raise NotFoundError(f"this {_word(kind)} has versions 1 to {latest}; "
                                        f"there is no version {version}")
        if row is None:
            raise NotFoundError(_NOT_FOUND.format(kind=_word(kind)))
        return StoredVersion(**_info_fields(row), payload=row.payload)

    def list(self, *, user: Principal, kind: str = SCENARIO) -> Listing:
        """The latest version of each item open to ``user``, newest first [at most
        MAX_STORE_LISTED]."""
        _check_choice("kind", kind, KINDS)
        params = {"p_kind": kind, "p_user": user.id, "p_limit": MAX_STORE_LISTED}
        with self._reaching(), self.engine.connect() as conn:
            return [VersionInfo(**_info_fields(row)) for row in conn.execute(_LIST, params)]

    def versions(self, item_id: str, *, user: Principal,
                 kind: str = SCENARIO) -> Listing:
        """Every version of an item open to ``user``, newest first [at most
        MAX_STORE_LISTED]; :class:`NotFoundError` as :meth:`get`."""
        _check_choice("kind", kind, KINDS)
        item_id = check_id(item_id)
        params = {"p_id": item_id, "p_kind": kind, "p_user": user.id,
                  "p_limit": MAX_STORE_LISTED}
        with self._reaching(), self.engine.connect() as conn:
            rows = [VersionInfo(**_info_fields(row)) for row in conn.execute(_VERSIONS, params)]
        if not rows:
            raise NotFoundError(_NOT_FOUND.format(kind=_word(kind)))
        return rows

    def share(self, item_id: str, visibility: str, *, user: Principal,
              kind: str = SCENARIO) -> None:
        """Make an item ``private`` or ``team``-visible; only its owner may."""
        _check_choice("kind", kind, KINDS)
        item_id = check_id(item_id)
        _visibility_for(visibility, user)
        params = {"p_id": item_id, "p_kind": kind, "p_user": user.id,
                  "p_visibility": visibility}
        with self._reaching(), self._writer.begin() as conn:
            if not conn.execute(_SHARE, params).rowcount:
                if conn.execute(_LATEST, params).first() is None:
                    raise NotFoundError(_NOT_FOUND.format(kind=_word(kind)))
                raise StoreError(f"only its owner can change who sees this {_word(kind)}")

    def close(self) -> None:
        """Close the store's connections."""
        self.engine.dispose()

    @contextmanager
    def _saving(self) -> Iterator[Callable[[_Prepared, dict[str, Any]], Any]]:
        """One write transaction on the driver's own connection (from the engine's pool),
        running :class:`_Prepared` statements: a save costs the database's work and little
        else. Commits when the block ends, rolls back on any error (nothing of the save is
        kept); a driver error comes out as SQLAlchemy's ``DBAPIError``, a lost connection
        invalidated, for :meth:`_reaching` to say what happened.

        SQLite takes its write lock at ``BEGIN IMMEDIATE`` (as :func:`_sqlite_begin` does for
        every other write); PostgreSQL's driver opens the transaction itself.
        """
        dialect = self.engine.dialect
        driver_error = dialect.loaded_dbapi.Error
        sqlite = dialect.name == "sqlite"
        statement = "BEGIN IMMEDIATE" if sqlite else "BEGIN"
        raw = cursor = None
        try:
            raw = self.engine.raw_connection()
            cursor = raw.cursor()
            if sqlite:
                cursor.execute(statement)

            def run(prepared: _Prepared, params: dict[str, Any]) -> Any:
                nonlocal statement
                statement = prepared.sql
                cursor.execute(prepared.sql, prepared.values(params))
                return cursor

            yield run
            statement = "COMMIT"
            raw.commit()
        except driver_error as exc:
            lost = raw is not None and dialect.is_disconnect(exc, raw.driver_connection,
                                                             cursor)
            _roll_back(raw, driver_error, invalidate=lost)
            raise sa_exc.DBAPIError.instance(statement, None, exc, driver_error,
                                             connection_invalidated=lost,
                                             dialect=dialect) from exc
        except BaseException:
            _roll_back(raw, driver_error)
            raise
        finally:
            if raw is not None:
                raw.close()

    @contextmanager
    def _reaching(self) -> Iterator[None]:
        """Turn a database that is down, busy or refusing into a :class:`StoreError`; the
        transaction was rolled back, so the last version is intact."""
        try:
            yield
        except sa_exc.DBAPIError as exc:
            reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
            if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) \
                    or exc.connection_invalidated:
                raise StoreUnavailable(
                    f"the workspace store ({self.where}) cannot be reached or is busy: "
                    f"{reason[:200]}. Nothing was changed; the app works on without it "
                    "until it is back") from exc
            raise StoreError(f"the workspace store refused the change ({reason[:200]}); "
                             "nothing was changed") from exc


def open_store(url: str | None = None) -> Store:
    """The workspace store at ``url`` (else :func:`database_url`'s), its schema upgraded.

    Raises :class:`StoreUnavailable` when the database cannot be reached [within
    STORE_TIMEOUT_SECONDS], :class:`~footprint.store.errors.SchemaError` when its schema is
    newer than this code, :class:`StoreError` for a URL that is not one.
    """
    store = Store(_engine(database_url(url)))
    try:
        with store._reaching(), store._writer.begin() as conn:
            migrate.upgrade(conn)
    except BaseException:
        store.close()
        raise
    return store


def database_url(url: str | None = None, *, environ: Mapping[str, str] = os.environ,
                 secrets_file: Path = SECRETS_FILE) -> str:
    """The store's URL: ``url``, else ``FOOTPRINT_DATABASE_URL`` from ``environ``, else the
    same key in ``secrets_file``, else :data:`DEFAULT_URL`."""
    for candidate in (url, environ.get(URL_VARIABLE), _secret(secrets_file)):
        if candidate and candidate.strip():
            return candidate.strip()
    return DEFAULT_URL


def new_id() -> str:
    """A fresh random item id: URL-safe, :data:`~footprint.store.schema.ID_LENGTH` long, and
    never beginning with '-' (a command line would read it as an option; about 1 in 64 did)."""
    while (item_id := secrets.token_urlsafe(12)).startswith("-"):
        pass
    return item_id


def check_id(item_id: object) -> str:
    """``item_id`` when it is well-formed, else a :class:`StoreError` (that never echoes it)."""
    if isinstance(item_id, str) and _ID.fullmatch(item_id):
        return item_id
    raise StoreError(f"not a store id: an id is {ID_LENGTH} letters, digits, '-' or '_' "
                     "(the link may have been cut or changed)")


def check_version(version: object) -> int:
    """A version number (an int, or its digits from a link) in 1..2**31-1, else a
    :class:`StoreError`."""
    if isinstance(version, str) and _VERSION.fullmatch(version):
        version = int(version)
    if isinstance(version, int) and not isinstance(version, bool) \
            and 1 <= version <= _MAX_VERSION:
        return version
    raise StoreError("not a version number: a version is a whole number from 1")


def link_params(item_id: str, version: int | None = None) -> dict[str, str]:
    """The query parameters of a link that opens a stored scenario (``?scenario=<id>``,
    ``&version=N`` for one version rather than the latest)."""
    params = {"scenario": check_id(item_id)}
    if version is not None:
        params["version"] = str(check_version(version))
    return params


def parse_link(params: Mapping[str, Any]) -> tuple[str, int | None] | None:
    """The (id, version or None) a link asks to open, None when it names no scenario;
    :class:`StoreError` for a tampered id or version.

    ``params`` is ``st.query_params`` or a dict of str (or of lists of str: the last counts).
    """
    if "scenario" not in params:
        return None
    item_id = check_id(_last(params["scenario"]))
    version = params.get("version")
    return item_id, None if version is None else check_version(_last(version))


# The statements, built once (SQLAlchemy caches their compiled SQL); values are bound.
_ID_IS = documents.c.id == bindparam("p_id")
_KIND_IS = documents.c.kind == bindparam("p_kind")
_OPEN_TO = or_(documents.c.visibility == TEAM, documents.c.owner_id == bindparam("p_user"))
"""The one access rule: an item is open to its owner, and to everyone when team-visible."""
_INFO = (documents.c.id, documents.c.kind, document_versions.c.version,
         documents.c.latest_version, document_versions.c.name, document_versions.c.format,
         document_versions.c.author_name, document_versions.c.note,
         document_versions.c.saved_at, documents.c.owner_id, documents.c.owner_name,
         documents.c.visibility)
_LIMIT = bindparam("p_limit", type_=Integer)

_NEW_ITEM = insert(documents)
_NEW_VERSION = insert(document_versions)
_NEXT_VERSION = (update(documents).where(_ID_IS, _KIND_IS, _OPEN_TO)
                 .values(latest_version=documents.c.latest_version + 1)
                 .returning(documents.c.latest_version, documents.c.owner_id,
                            documents.c.owner_name, documents.c.visibility))
_SHARE = (update(documents)
          .where(_ID_IS, _KIND_IS, documents.c.owner_id == bindparam("p_user"))
          .values(visibility=bindparam("p_visibility")))
_LATEST = select(documents.c.latest_version).where(_ID_IS, _KIND_IS, _OPEN_TO)
_GET = (select(*_INFO, document_versions.c.payload).join_from(documents, document_versions)
        .where(_ID_IS, _KIND_IS, _OPEN_TO, document_versions.c.version == func.coalesce(
            bindparam("p_version", type_=Integer), documents.c.latest_version)))
_LIST = (select(*_INFO).join_from(documents, document_versions)
         .where(_KIND_IS, _OPEN_TO, document_versions.c.version == documents.c.latest_version)
         .order_by(document_versions.c.saved_at.desc(), documents.c.id).limit(_LIMIT))
_VERSIONS = (select(*_INFO).join_from(documents, document_versions)
             .where(_ID_IS, _KIND_IS, _OPEN_TO)
             .order_by(document_versions.c.version.desc()).limit(_LIMIT))


_ITEM_COLUMNS: Final = tuple(c.name for c in documents.c)
_VERSION_COLUMNS: Final = tuple(c.name for c in document_versions.c)


class _Prepared:
    """A statement compiled once for a dialect (its SQL, the order of its values and their
    bind processors, e.g. a SQLite date as text), run by :meth:`Store._saving` on the
    driver's cursor; the driver reuses its prepared statement for the same SQL text
    (sqlite3's statement cache, psycopg's prepared statements)."""

    def __init__(self, statement: Any, dialect: Dialect,
                 columns: tuple[str, ...] | None = None) -> None:
        compiled = statement.compile(dialect=dialect,
                                     column_keys=list(columns) if columns else None)
        self._compiled = compiled
        self.sql: str = compiled.string
        self._order = compiled.positiontup  # None for named parameters
        self._processors = {
            name: processor for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))}

    def values(self, params: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The driver's parameters for ``params`` (the statement's constants included)."""
        bound = self._compiled.construct_params(params)
        for name, processor in self._processors.items():
            bound[name] = processor(bound[name])
        return bound if self._order is None else tuple(bound[n] for n in self._order)


def _roll_back(raw: Any, driver_error: type[Exception], *, invalidate: bool = False) -> None:
    """Roll back a failed save's transaction (a lost connection is invalidated instead)."""
    if raw is None:
        return
    if invalidate:
        raw.invalidate()
        return
    try:
        raw.rollback()
    except driver_error:
        raw.invalidate()  # the connection broke: the database rolls the transaction back


def _info_fields(row: Any) -> dict[str, Any]:
    saved_at = row.saved_at
    saved_at = saved_at.replace(tzinfo=UTC) if saved_at.tzinfo is None \
        else saved_at.astimezone(UTC)
    return {"id": row.id, "kind": row.kind, "version": row.version,
            "latest": row.latest_version, "name": row.name, "format": row.format,
            "author": row.author_name, "note": row.note, "saved_at": saved_at,
            "owner_id": row.owner_id, "owner_name": row.owner_name,
            "visibility": row.visibility}


def _visibility_for(visibility: str | None, user: Principal) -> str:
    if visibility is None:
        return PRIVATE if user.signed_in else TEAM
    _check_choice("visibility", visibility, VISIBILITIES)
    if visibility == PRIVATE and not user.signed_in:
        raise StoreError("sign-in is not configured, so everything saved is visible to the "
                         "whole team")
    return visibility


def _check_choice(field: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise StoreError(f"unknown {field} {value!r}; allowed: {', '.join(allowed)}")


def _check_payload(payload: object) -> None:
    if not isinstance(payload, str):
        raise StoreError("the text to store must be a string")
    if len(payload) > MAX_STORE_PAYLOAD_BYTES:  # cheap first: a character is >= 1 byte
        _too_large()
    try:
        size = len(payload.encode("utf-8"))
    except UnicodeEncodeError:
        raise StoreError("the text to store is not valid Unicode") from None
    if size > MAX_STORE_PAYLOAD_BYTES:
        _too_large()
    if "\x00" in payload:
        raise StoreError("the text to store contains a NUL character")


def _too_large() -> None:
    raise StoreError(f"the text to store is larger than {MAX_STORE_PAYLOAD_BYTES:,} bytes "
                     "(MAX_STORE_PAYLOAD_BYTES)")


def _check_text(field: str, value: object, limit: int, *, line: bool,
                required: bool = True) -> str:
    """``value`` unchanged when it is text of at most ``limit`` characters (one line of
    printable characters when ``line``; never a NUL), else a :class:`StoreError`."""
    if not isinstance(value, str):
        raise StoreError(f"{field}: expected text")
    if required and not value.strip():
        raise StoreError(f"{field}: empty")
    if len(value) > limit:
        raise StoreError(f"{field}: longer than {limit:,} characters")
    if _LINE_CONTROL.search(value) if line else "\x00" in value:
        raise StoreError(f"{field}: contains control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise StoreError(f"{field}: not valid Unicode") from None
    return value


def _word(kind: str) -> str:
    return kind.replace("_", " ")


def _last(value: Any) -> Any:
    return value[-1] if isinstance(value, list | tuple) and value else value


def _secret(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        value = tomllib.loads(path.read_text(encoding="utf-8")).get(URL_VARIABLE)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StoreError(f"{path} cannot be read as TOML: {exc}") from None
    if value is not None and not isinstance(value, str):
        raise StoreError(f"{URL_VARIABLE} in {path} must be a string")
    return value


def _engine(url_text: str) -> Engine:
    """An engine for a SQLite file or a PostgreSQL server (through psycopg 3)."""
    try:
        url = make_url(url_text)
    except sa_exc.ArgumentError:
        raise StoreError(f"{URL_VARIABLE} is not a database URL: expected "
                         "sqlite:///<file> or postgresql://<user>:<password>@<host>/<db>") \
            from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        timeout = STORE_TIMEOUT_SECONDS
        return create_engine(
            url.set(drivername="postgresql+psycopg"), pool_pre_ping=True,
            connect_args={"connect_timeout": timeout, "application_name": "trial-footprint",
                          "options": f"-c lock_timeout={timeout * 1000}"})
    if backend != "sqlite":
        raise StoreError(f"the workspace store runs on sqlite or postgresql, not {backend}")
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise StoreError("the SQLite store needs a file path (sqlite:///<file>); an "
                         "in-memory database would lose every save")
    folder = Path(url.database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(f"the workspace folder {folder} cannot be created: "
                               f"{exc.strerror}") from None
    engine = create_engine(url, connect_args={"timeout": STORE_TIMEOUT_SECONDS})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Our transactions, not the driver's (SQLAlchemy's pysqlite recipe); WAL so readers
    never wait for a writer; synchronous=NORMAL: a commit survives an app crash without an
    fsync per save (a power cut may lose the last commits, never the file's consistency)."""
    dbapi_connection.isolation_level = None
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                   "PRAGMA foreign_keys=ON"):
        dbapi_connection.execute(pragma)


def _sqlite_begin(conn: Connection) -> None:
    """Writes (saves, shares, migrations) take SQLite's write lock at BEGIN, so concurrent
    ones queue [for up to STORE_TIMEOUT_SECONDS] instead of failing on a stale read (two
    replicas creating the store at once)."""
    write = conn.get_execution_options().get("footprint_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
