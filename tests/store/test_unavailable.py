"""A store that is down, goes down, or drops the connection mid-save: StoreUnavailable with a
clear message within the timeout, and the last version intact."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import text

from footprint.assumptions import STORE_TIMEOUT_SECONDS
from footprint.errors import FootprintError
from footprint.paths import EXAMPLES_DIR
from footprint.store.errors import StoreUnavailable
from footprint.store.workspace import open_store
from tests.store.conftest import ALICE
from tests.store.postgres import Server

SCENARIO_JSON = (EXAMPLES_DIR / "scenario_latam_hypertension.json").read_text()


@pytest.mark.timeout(STORE_TIMEOUT_SECONDS)  # a hang guard: refused at once, not after a wait
def test_a_refused_connection_is_reported_at_once():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreUnavailable, match="cannot be reached") as refused:
        open_store(f"postgresql://footprint:s3cret@127.0.0.1:{port}/footprint")
    message = str(refused.value)
    assert f"127.0.0.1:{port}" in message and "s3cret" not in message
    assert "the app works on without it" in message
    assert isinstance(refused.value, FootprintError) and refused.value.exit_code == 1


@pytest.mark.timeout(3 * STORE_TIMEOUT_SECONDS)  # a hang guard: the connect timeout applies
def test_a_server_that_never_answers_times_out():
    with socket.socket() as silent:  # accepts the TCP handshake, then says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        with pytest.raises(StoreUnavailable):
            open_store(f"postgresql://footprint@127.0.0.1:{silent.getsockname()[1]}/x")


def test_an_unusable_sqlite_folder_is_reported(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(StoreUnavailable, match="cannot be created"):
        open_store(f"sqlite:///{blocker / 'workspace' / 'footprint.sqlite'}")


def test_a_server_going_down_loses_nothing():
    server = Server()
    try:
        store = open_store(server.start())
        saved = store.save_scenario(SCENARIO_JSON, user=ALICE, note="before the outage")
        server.stop()
        with pytest.raises(StoreUnavailable, match="Nothing was changed"):
            store.save_scenario(SCENARIO_JSON, user=ALICE, scenario_id=saved.id)
        with pytest.raises(StoreUnavailable):
            store.list(user=ALICE)
        server.start()
        assert store.get(saved.id, user=ALICE) == saved
        assert store.save_scenario(SCENARIO_JSON, user=ALICE,
                                   scenario_id=saved.id).version == 2
        store.close()
    finally:
        server.remove()


def test_a_connection_lost_mid_save_keeps_the_last_version(postgres_server):
    with postgres_server.database() as url:
        store = open_store(url)
        saved = store.save_scenario(SCENARIO_JSON, user=ALICE, note="kept")
        with store.engine.begin() as conn:  # the server drops the saving connection mid-INSERT
            conn.execute(text(
                "CREATE FUNCTION cut() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.note = 'lost' THEN PERFORM pg_terminate_backend(pg_backend_pid()); "
                "PERFORM pg_sleep(5); END IF; RETURN NEW; END $$"))
            conn.execute(text("CREATE TRIGGER cut BEFORE INSERT ON document_versions "
                              "FOR EACH ROW EXECUTE FUNCTION cut()"))
        with pytest.raises(StoreUnavailable):
            store.save_scenario(SCENARIO_JSON, user=ALICE, note="lost", scenario_id=saved.id)
        assert store.get(saved.id, user=ALICE) == saved
        assert [v.note for v in store.versions(saved.id, user=ALICE)] == ["kept"]
        assert store.save_scenario(SCENARIO_JSON, user=ALICE,
                                   scenario_id=saved.id).version == 2  # the pool recovered
        store.close()
