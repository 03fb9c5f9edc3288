"""Custom indications in the workspace store, on SQLite and on PostgreSQL: they round-trip,
keep their id across versions, and are private to a signed-in owner until shared."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from footprint.io import indications as io
from footprint.store import indications as stored
from footprint.store.errors import NotFoundError
from footprint.store.workspace import INDICATION, PRIVATE, TEAM, TEAM_USER
from tests.store.conftest import ALICE, BOB

VALID = {"USA", "BRA"}


def definition(name: str = "Glioblastoma", **changes) -> io.Definition:
    return io.definition_from_dict(
        {"name": name, "age_low": 18, "age_high": None, "sex": "both",
         "kind": "incident_per_year", "diagnosed_share": 0.9, "note": "adults",
         "rates": [{"iso3": "USA", "rate": 3.2, "unit": "per_100000", "year": 2022,
                    "source": "CBTRUS 2022"},
                   {"country": "Brazil", "rate": 0.1, "unit": "per_1000", "year": 2020,
                    "source": "INCA"}], **changes}, VALID)


def test_a_custom_indication_round_trips(store):
    saved = stored.save_indication(store, definition(), user=TEAM_USER, note="first")
    assert io.is_custom_id(saved.definition.id)
    assert saved.info.kind == INDICATION and saved.info.version == 1
    assert saved.info.visibility == TEAM
    (listed,) = stored.list_indications(store, user=TEAM_USER)
    assert listed.definition == saved.definition == io.from_json(
        store.get(saved.info.id, user=TEAM_USER, kind=INDICATION).payload)
    assert listed.indication == io.to_indication(saved.definition)
    assert listed.indication.country_rates[1] == ("BRA", 0.1 / 1000, 2020, "your data: INCA, "
                                                  "2020")
    assert stored.catalogue(store, user=TEAM_USER) == {
        saved.definition.id: listed.indication}


def test_a_new_version_keeps_the_indication_id(store):
    first = stored.save_indication(store, definition(), user=TEAM_USER)
    second = stored.save_indication(store, definition("Glioblastoma, adults"),
                                    user=TEAM_USER, item_id=first.info.id)
    assert second.info.version == 2 and second.definition.id == first.definition.id
    (listed,) = stored.list_indications(store, user=TEAM_USER)
    assert listed.definition.name == "Glioblastoma, adults"
    found = stored.find(store, first.definition.id, user=TEAM_USER)
    assert found.info.version == 2


def test_private_until_shared(store):
    mine = stored.save_indication(store, definition(), user=ALICE)
    assert mine.info.visibility == PRIVATE
    assert stored.list_indications(store, user=BOB) == []
    with pytest.raises(NotFoundError, match="no custom indication"):
        stored.find(store, mine.definition.id, user=BOB)
    assert stored.catalogue(store, user=ALICE).keys() == {mine.definition.id}
    store.share(mine.info.id, TEAM, user=ALICE, kind=INDICATION)
    assert [i.definition.id for i in stored.list_indications(store, user=BOB)] == [
        mine.definition.id]


def test_scenarios_and_indications_do_not_mix(store, tmp_path):
    stored.save_indication(store, definition(), user=TEAM_USER)
    assert store.list(user=TEAM_USER) == []  # scenarios
    assert len(store.list(user=TEAM_USER, kind=INDICATION)) == 1


def test_a_shipped_id_is_never_shadowed(store):
    saved = stored.save_indication(store, definition(), user=TEAM_USER)
    assert stored.catalogue(store, user=TEAM_USER, shipped={saved.definition.id}) == {}


def test_a_stored_text_that_no_longer_reads_is_left_out_and_said(store):
    good = stored.save_indication(store, definition(), user=TEAM_USER)
    bad = stored.save_indication(store, definition("Broken"), user=TEAM_USER)
    with store.engine.begin() as conn:  # a hand edit past the app: drop the trigger's guard
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE document_versions DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER document_versions_no_update"))
        conn.execute(text("UPDATE document_versions SET payload = :p WHERE document_id = :i"),
                     {"p": '{"name": "Broken"}', "i": bad.info.id})
    assert [i.definition.id for i in stored.list_indications(store, user=TEAM_USER)] == [
        good.definition.id]
    (problem,) = stored.unreadable(store, user=TEAM_USER)
    assert problem.startswith(f"'Broken' ({bad.info.id}, version 1): ")
    assert "age_low: missing" in problem
