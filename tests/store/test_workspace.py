"""The workspace store on SQLite and on PostgreSQL: versions, access, bad input, failures."""

from __future__ import annotations

import json
import threading

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc

from footprint.assumptions import MAX_NAME_LENGTH, MAX_NOTE_LENGTH, MAX_STORE_PAYLOAD_BYTES
from footprint.errors import FootprintError
from footprint.paths import EXAMPLES_DIR
from footprint.store import migrate
from footprint.store.errors import NotFoundError, SchemaError, StoreError
from footprint.store.schema import metadata
from footprint.store.workspace import (
    INDICATION,
    PRIVATE,
    SITE_LIST,
    TEAM,
    TEAM_USER,
    check_id,
    new_id,
    open_store,
)
from tests.store.conftest import ALICE, BOB

SCENARIO_JSON = (EXAMPLES_DIR / "scenario_latam_hypertension.json").read_text()


def scenario(name: str = "LatAm hypertension", **changes) -> str:
    return json.dumps({**json.loads(SCENARIO_JSON), "name": name, **changes})


def test_first_save_makes_an_id_and_version_1(store):
    saved = store.save_scenario(SCENARIO_JSON, user=ALICE, note="first cut")
    assert check_id(saved.id) == saved.id
    assert (saved.version, saved.latest, saved.visibility) == (1, 1, PRIVATE)
    opened = store.get(saved.id, user=ALICE)
    assert opened == saved
    assert (opened.author, opened.owner_name, opened.note) == ("Alice", "Alice", "first cut")
    assert opened.saved_at.utcoffset().total_seconds() == 0


def test_every_save_is_a_new_version_and_none_is_overwritten(store):
    first = store.save_scenario(scenario(target_patients=100), user=ALICE, note="v1")
    for patients, note in ((200, "v2"), (300, "")):
        store.save_scenario(scenario(target_patients=patients), user=ALICE, note=note,
                            scenario_id=first.id)
    assert [json.loads(store.get(first.id, v, user=ALICE).payload)["target_patients"]
            for v in (1, 2, 3)] == [100, 200, 300]
    assert store.get(first.id, user=ALICE).version == 3
    listed = store.versions(first.id, user=ALICE)
    assert [(v.version, v.latest, v.note) for v in listed] == [(3, 3, ""), (2, 3, "v2"),
                                                              (1, 3, "v1")]
    with pytest.raises(NotFoundError, match="versions 1 to 3; there is no version 4"):
        store.get(first.id, 4, user=ALICE)


@pytest.mark.parametrize("statement", ["UPDATE document_versions SET note = 'changed'",
                                       "DELETE FROM document_versions"])
def test_the_database_refuses_to_change_a_stored_version(store, statement):
    saved = store.save_scenario(SCENARIO_JSON, user=ALICE, note="kept")
    with pytest.raises(sa_exc.DBAPIError, match="never changed or deleted"):
        with store.engine.begin() as conn:
            conn.execute(text(statement))
    assert store.get(saved.id, user=ALICE).note == "kept"


def test_two_sessions_saving_at_once_make_consecutive_versions(store, store_url):
    first = store.save_scenario(SCENARIO_JSON, user=ALICE)
    sessions = [open_store(store_url), open_store(store_url)]  # two app replicas
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def save_many(session, author):
        start.wait()
        try:
            for i in range(10):
                session.save_scenario(SCENARIO_JSON, user=ALICE, author=author,
                                      note=str(i), scenario_id=first.id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=save_many, args=(s, a))
               for s, a in zip(sessions, ("one", "two"), strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in sessions:
        s.close()
    assert errors == []
    listed = store.versions(first.id, user=ALICE)
    assert [v.version for v in listed] == list(range(21, 0, -1))
    assert sorted(v.author for v in listed[:-1]) == ["one"] * 10 + ["two"] * 10


def test_unknown_and_forbidden_ids_give_the_same_message(store):
    private = store.save_scenario(SCENARIO_JSON, user=ALICE)
    unknown = new_id()
    messages = set()
    for item_id in (private.id, unknown):
        for attempt in (lambda i: store.get(i, user=BOB),
                        lambda i: store.get(i, 1, user=BOB),
                        lambda i: store.versions(i, user=BOB),
                        lambda i: store.save_scenario(SCENARIO_JSON, user=BOB, scenario_id=i),
                        lambda i: store.share(i, TEAM, user=BOB)):
            with pytest.raises(NotFoundError) as refused:
                attempt(item_id)
            messages.add(str(refused.value))
    assert len(messages) == 1
    assert store.versions(private.id, user=ALICE)[0].version == 1  # Bob's save did nothing


def test_private_until_shared_with_the_team(store):
    mine = store.save_scenario(scenario("Alice's plan"), user=ALICE)
    theirs = store.save_scenario(scenario("Bob's plan"), user=BOB, visibility=TEAM)
    assert [s.name for s in store.list(user=ALICE)] == ["Bob's plan", "Alice's plan"]
    assert [s.name for s in store.list(user=BOB)] == ["Bob's plan"]

    store.share(mine.id, TEAM, user=ALICE)
    assert store.get(mine.id, user=BOB).name == "Alice's plan"
    edited = store.save_scenario(scenario("Alice's plan, Bob's edit"), user=BOB,
                                 scenario_id=mine.id)
    assert (edited.version, edited.owner_id, edited.author) == (2, ALICE.id, "Bob")
    with pytest.raises(StoreError, match="only its owner"):
        store.share(mine.id, PRIVATE, user=BOB)
    with pytest.raises(StoreError, match="only its owner"):
        store.share(theirs.id, PRIVATE, user=ALICE)

    store.share(mine.id, PRIVATE, user=ALICE)
    with pytest.raises(NotFoundError):
        store.get(mine.id, user=BOB)
    assert store.get(mine.id, user=ALICE).name == "Alice's plan, Bob's edit"


def test_without_sign_in_everything_is_the_teams(store):
    saved = store.save_scenario(SCENARIO_JSON, user=TEAM_USER)
    assert (saved.visibility, saved.owner_id) == (TEAM, TEAM_USER.id)
    assert store.get(saved.id, user=ALICE).id == saved.id
    with pytest.raises(StoreError, match="sign-in is not configured"):
        store.save_scenario(SCENARIO_JSON, user=TEAM_USER, visibility=PRIVATE)
    with pytest.raises(StoreError, match="sign-in is not configured"):
        store.share(saved.id, PRIVATE, user=TEAM_USER)


TAMPERED_IDS = ["", "short", "A" * 15, "A" * 17, "A" * 100_000, "' OR 1=1 --abcde",
                "../../etc/passw", "<script>x</script>", "é" * 16, "AAAAAAAAAAAAAAA\n", 12345,
                b"AAAAAAAAAAAAAAAA"]
BAD_VERSIONS = [0, -1, 2**31, True, 1.0, "1; DROP TABLE documents", "01", "", [1]]


def test_tampered_or_oversized_ids_are_refused_before_any_sql(store, monkeypatch):
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    checked_out = []  # every connection (of a read or a save) comes from here
    monkeypatch.setattr(store.engine, "raw_connection", lambda: checked_out.append(1))
    for item_id in TAMPERED_IDS:
        for attempt in (lambda i: store.get(i, user=ALICE),
                        lambda i: store.versions(i, user=ALICE),
                        lambda i: store.share(i, TEAM, user=ALICE),
                        lambda i: store.save_scenario(SCENARIO_JSON, user=ALICE,
                                                      scenario_id=i)):
            with pytest.raises(StoreError, match="not a store id") as refused:
                attempt(item_id)
            assert not isinstance(refused.value, NotFoundError)
            if isinstance(item_id, str) and len(item_id) > 3:
                assert item_id not in str(refused.value)
    assert statements == [] and checked_out == []


def test_bad_version_numbers_are_refused(store):
    saved = store.save_scenario(SCENARIO_JSON, user=ALICE)
    for version in BAD_VERSIONS:
        with pytest.raises(StoreError, match="not a version number"):
            store.get(saved.id, version, user=ALICE)


def test_markup_in_a_name_round_trips_unchanged(store):
    name = "<script>alert('x')</script> & <b>\"bold\"</b> ✓ {{ name }} ${x}"
    saved = store.save_scenario(scenario(name), user=ALICE, note="<i>note</i>\nline 2")
    opened = store.get(saved.id, user=ALICE)
    assert opened.name == name and store.list(user=ALICE)[0].name == name
    assert json.loads(opened.payload)["name"] == name
    assert opened.note == "<i>note</i>\nline 2"


@pytest.mark.parametrize(("changes", "problem"), [
    ({"payload": "x" * (MAX_STORE_PAYLOAD_BYTES + 1)}, "larger than"),
    ({"payload": "é" * (MAX_STORE_PAYLOAD_BYTES // 2 + 1)}, "larger than"),
    ({"payload": "{}\x00"}, "NUL"),
    ({"payload": "\ud800"}, "not valid Unicode"),
    ({"name": ""}, "name: empty"),
    ({"name": "x" * (MAX_NAME_LENGTH + 1)}, "name: longer than"),
    ({"name": "two\nlines"}, "name: contains control"),
    ({"note": "n" * (MAX_NOTE_LENGTH + 1)}, "note: longer than"),
    ({"note": "a\x00b"}, "note: contains control"),
    ({"author": "a\tb"}, "author: contains control"),
    ({"kind": "recipe"}, "unknown kind"),
    ({"fmt": "xml"}, "unknown format"),
    ({"visibility": "public"}, "unknown visibility"),
])
def test_bad_input_is_refused_and_nothing_saved(store, changes, problem):
    arguments = {"kind": INDICATION, "payload": "{}", "name": "custom", "note": "",
                 "author": "", "fmt": "json", "visibility": None, **changes}
    kind, payload = arguments.pop("kind"), arguments.pop("payload")
    with pytest.raises(StoreError, match=problem):
        store.save(kind, payload, user=ALICE, **arguments)
    assert store.list(user=ALICE, kind=INDICATION) == []


@pytest.mark.parametrize("text_", ["not json", "[1, 2]", '{"no": "name"}', '{"name": 3}'])
def test_a_scenario_needs_a_json_object_with_a_name(store, text_):
    with pytest.raises(StoreError):
        store.save_scenario(text_, user=ALICE)


def test_custom_indications_and_site_lists_are_versioned_items_of_their_kind(store):
    indication = store.save(INDICATION, '{"code": "nash"}', name="NASH", user=ALICE)
    sites = store.save(SITE_LIST, "site,country\nA,BRA\n", name="Brazil sites", fmt="csv",
                       user=ALICE, visibility=TEAM)
    store.save(SITE_LIST, "site,country\nA,BRA\nB,ARG\n", name="Brazil sites", fmt="csv",
               user=ALICE, item_id=sites.id, note="added Argentina")
    assert store.get(indication.id, user=ALICE, kind=INDICATION).payload == '{"code": "nash"}'
    latest = store.get(sites.id, user=BOB, kind=SITE_LIST)
    assert (latest.version, latest.format, latest.note) == (2, "csv", "added Argentina")
    assert store.list(user=ALICE) == []  # no scenarios
    with pytest.raises(NotFoundError, match="no scenario with this id"):
        store.get(sites.id, user=ALICE)  # a site list's id does not open as a scenario


FAILING_INSERT = {  # a write the database refuses after the version counter was raised
    "sqlite": ["CREATE TRIGGER fail BEFORE INSERT ON document_versions "
               "WHEN NEW.note = 'disk on fire' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"],
    "postgresql": ["CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "IF NEW.note = 'disk on fire' THEN RAISE EXCEPTION 'disk on fire'; END IF; "
                   "RETURN NEW; END $$",
                   "CREATE TRIGGER fail BEFORE INSERT ON document_versions "
                   "FOR EACH ROW EXECUTE FUNCTION fail()"],
}


def test_a_failed_write_leaves_the_last_version_intact(store):
    saved = store.save_scenario(scenario(target_patients=100), user=ALICE)
    with store.engine.begin() as conn:
        for statement in FAILING_INSERT[store.engine.dialect.name]:
            conn.execute(text(statement))
    with pytest.raises(StoreError, match="disk on fire"):
        store.save_scenario(scenario(target_patients=999), user=ALICE, note="disk on fire",
                            scenario_id=saved.id)
    assert store.get(saved.id, user=ALICE) == saved
    assert store.save_scenario(SCENARIO_JSON, user=ALICE, scenario_id=saved.id).version == 2


def test_an_error_between_the_statements_of_a_save_rolls_it_back(store, monkeypatch):
    saved = store.save_scenario(SCENARIO_JSON, user=ALICE)

    def interrupted(params):  # the counter is raised; then the app fails before the INSERT
        raise KeyboardInterrupt

    monkeypatch.setattr(store._new_version, "values", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.save_scenario(SCENARIO_JSON, user=ALICE, scenario_id=saved.id)
    monkeypatch.undo()
    assert store.get(saved.id, user=ALICE) == saved
    assert store.save_scenario(SCENARIO_JSON, user=ALICE, scenario_id=saved.id).version == 2


def test_a_constraint_violation_is_refused_and_rolled_back(store):
    saved = store.save_scenario(SCENARIO_JSON, user=ALICE, note="the last good one")
    store.save_scenario(SCENARIO_JSON, user=ALICE, scenario_id=saved.id)
    with store.engine.begin() as conn:  # a stale counter: the next version number is taken
        conn.execute(text("UPDATE documents SET latest_version = 1"))
    with pytest.raises(StoreError, match="refused the change") as refused:
        store.save_scenario(SCENARIO_JSON, user=ALICE, note="lost", scenario_id=saved.id)
    assert isinstance(refused.value, FootprintError)
    assert [v.note for v in store.versions(saved.id, user=ALICE)] == ["", "the last good one"]


def test_a_newer_schema_is_refused_and_left_alone(store, store_url):
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaError, match="9999_future, newer than this version") as refused:
        open_store(store_url)
    assert refused.value.exit_code == 1
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            == "9999_future"


def test_migrations_build_exactly_the_models_and_run_down_and_up(store):
    saved = store.save_scenario(SCENARIO_JSON, user=ALICE)
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert MigrationContext.configure(conn).get_current_heads() == (migrate.head(),)
    with store.engine.begin() as conn:
        command.downgrade(migrate.config(conn), "base")
    with store.engine.begin() as conn:
        migrate.upgrade(conn)
    with pytest.raises(NotFoundError):
        store.get(saved.id, user=ALICE)
    assert store.save_scenario(SCENARIO_JSON, user=ALICE).version == 1


def test_a_store_reopens_with_its_data(store, store_url):
    saved = store.save_scenario(SCENARIO_JSON, user=ALICE)
    again = open_store(store_url)
    try:
        assert again.get(saved.id, user=ALICE) == saved
    finally:
        again.close()


def test_listing_is_newest_first_and_bounded(store, monkeypatch):
    ids = [store.save_scenario(scenario(f"plan {i}"), user=ALICE, visibility=TEAM).id
           for i in range(4)]
    assert [s.id for s in store.list(user=BOB)] == ids[::-1]
    monkeypatch.setattr("footprint.store.workspace.MAX_STORE_LISTED", 2)
    assert [s.id for s in store.list(user=BOB)] == ids[:1:-1]


def test_two_replicas_creating_the_store_at_once_both_open_it(store_url):
    start = threading.Barrier(4)
    opened, errors = [], []

    def open_at_once():
        start.wait()
        try:
            opened.append(open_store(store_url))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_at_once) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    saved = opened[0].save_scenario(SCENARIO_JSON, user=ALICE)
    assert opened[-1].get(saved.id, user=ALICE) == saved
    for s in opened:
        s.close()
