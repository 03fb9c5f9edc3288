"""Hostile and messy inputs, as users send them to the Scenario builder (issue 6).

Each one is answered by a clear message, and the scenario on screen (name, country rows,
forecast) is exactly what it was before; nothing saved is lost.
"""

from __future__ import annotations

import json
import socket

import pytest
from sqlalchemy import text

from footprint.enrollment.scenario import CountryPlan, Scenario
from footprint.io.scenario_csv import scenario_to_csv
from footprint.store.workspace import URL_VARIABLE, open_store
from footprint.views import scenario as view
from tests.app.test_scenario_page import (
    errors,
    forecast,
    load,
    metrics,
    opened,
    run,
    save,
    sites_of,
    stored,
    table_with,
    upload,
    warnings,
)
from tests.store.postgres import Server

EXAMPLE = json.loads(view.EXAMPLE_PATH.read_text())
MINE = Scenario("Mine", "hypertension", 300, (CountryPlan("FRA", 5, rate=0.9),),
                deadline_months=30.0)


def example(**changes) -> bytes:
    return json.dumps({**EXAMPLE, **changes}).encode()


SCENARIO_FILES = [
    ("empty.json", b"", "empty"),
    ("blank.csv", b"  \n \n", "empty"),
    ("plan.xlsx", b"PK\x03\x04" + b"\x00" * 64, "Excel"),
    ("photo.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("huge.json", b"[" + b"1," * (26 * 1024 * 1024) + b"1]", "limit"),
    ("broken.json", b'{"name": "x", ', "JSON"),
    ("types.json", example(target_patients="four hundred", seed=1.5), "target_patients"),
    ("extra.json", example(sponsor="ACME"), "unknown field"),
    ("missing.json", json.dumps({"schema_version": 1, "name": "x"}).encode(),
     "required field is missing"),
    ("future.json", example(schema_version=2), "newer"),
    ("dupes.json", example(countries=[{"iso3": "BRA", "sites": 2}, {"iso3": "BRA", "sites": 3}]),
     "BRA"),
    ("numbers.json", example(countries=[{"iso3": "BRA", "sites": 2, "rate": -1},
                                        {"iso3": "MEX", "sites": 2, "rate_shape": 0}]),
     "rate"),
    ("nan.json", b'{"schema_version": 1, "name": "x", "indication": "hiv", '
                 b'"target_patients": NaN, "countries": [{"iso3": "BRA", "sites": Infinity}]}',
     "target_patients"),
    ("site-list.csv", b"site_name;country\nHospital A;BRA\n", "columns"),
]


@pytest.mark.parametrize(("name", "data", "expected"), SCENARIO_FILES,
                         ids=[f[0] for f in SCENARIO_FILES])
def test_bad_scenario_files_get_a_clear_message_and_keep_the_scenario(app, name, data,
                                                                       expected):
    load(app, MINE)
    before = forecast(app)
    upload(app, name, data)
    text = errors(app)
    assert f"{name} was not loaded" in text, text
    assert expected.lower() in text.lower(), text
    assert app.text_input(key="scenario_name").value == "Mine"
    assert sites_of(app) == {"FRA": 5}
    assert metrics(app) == before
    assert "Traceback" not in text


def test_a_latin1_semicolon_csv_exported_then_resaved_still_restores(app):
    """Excel on a French or German machine re-saves our CSV as Windows-1252 with ';'."""
    mine = Scenario("Essai Hôpital Nord", "hypertension", 200, (CountryPlan("FRA", 4),))
    resaved = scenario_to_csv(mine).lstrip("\ufeff").replace(",", ";").encode("cp1252")
    load(app, MINE)
    upload(app, "essai.csv", resaved)
    assert not errors(app), errors(app)
    assert app.text_input(key="scenario_name").value == "Essai Hôpital Nord"
    assert sites_of(app) == {"FRA": 4}


# ---- the workspace store (issue 13) ----------------------------------------------------------

MARKUP = "<img src=x onerror=alert(1)> **bold** [link](javascript:alert(1)) :red[red] $x$"


def test_a_scenario_name_with_markup_is_saved_as_typed_and_shown_as_text(app, workspace_url):
    load(app, Scenario(MARKUP, "hypertension", 300, (CountryPlan("FRA", 5),)))
    save(app)
    (kept,) = stored(workspace_url).values()
    assert kept.name == MARKUP  # stored as given
    (toast,) = app.toast
    assert toast.value == view.markdown_text(f"Saved '{MARKUP}' in the workspace store.")
    assert "**" not in toast.value.replace("\\*", "") and "\\<img" in toast.value
    assert app.selectbox(key="scenario_open").options[0].startswith(MARKUP + " · v1")
    assert table_with(app, "Last saved by")["Scenario"].tolist() == [MARKUP]  # a text cell
    assert table_with(app, "P50 [months]")["Scenario"].tolist() == [MARKUP]


@pytest.mark.parametrize(("params", "expected"), [
    ({"scenario": "A" * 10_000}, "not a store id"),
    ({"scenario": "AAAAAAAA'\"><script>x"}, "not a store id"),
    ({"scenario": "AAAAAAAAAAAAAAA%"}, "not a store id"),
    ({"scenario": "AAAAAAAAAAAAAAAA", "version": "0"}, "not a version number"),
    ({"scenario": "AAAAAAAAAAAAAAAA", "version": "1e3"}, "not a version number"),
    ({"scenario": "AAAAAAAAAAAAAAAA", "version": "9" * 400}, "not a version number"),
], ids=["oversized", "markup", "one-bad-character", "version-0", "version-float",
        "version-huge"])
def test_a_tampered_or_oversized_link_says_so_and_keeps_the_scenario(app, params, expected):
    load(app, MINE)
    before = forecast(app)
    app.query_params.update(params)
    run(app)
    text = warnings(app)
    assert expected in text and "The scenario on the page is unchanged" in text, text
    assert len(text) < 600 and "<script>" not in text  # never echoed whole or as markup
    assert app.text_input(key="scenario_name").value == "Mine"
    assert sites_of(app) == {"FRA": 5}
    assert metrics(app) == before


def refused_url() -> str:
    with socket.socket() as probe:  # a port nobody listens on: a PostgreSQL that is down
        probe.bind(("127.0.0.1", 0))
        return f"postgresql://footprint:s3cret@127.0.0.1:{probe.getsockname()[1]}/footprint"


def newer_schema_url(url: str) -> str:
    store = open_store(url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    store.close()
    return url


@pytest.mark.parametrize(("make_url", "expected"), [
    (lambda _: refused_url(), "cannot be reached"),
    (newer_schema_url, "newer than this version of Trial Footprint"),
], ids=["postgresql-down", "newer-schema"])
def test_a_store_that_cannot_be_used_keeps_saves_in_the_tab(monkeypatch, workspace_url,
                                                           make_url, expected):
    monkeypatch.setenv(URL_VARIABLE, make_url(workspace_url))
    at = opened()
    assert expected in warnings(at) and "s3cret" not in warnings(at)
    load(at, MINE)
    shown = forecast(at)  # the page works on
    assert float(shown["P50 [months to target]"]) > 0
    save(at)
    assert "'Mine' is kept in this browser tab only" in warnings(at)
    assert "Nothing is lost" in warnings(at)
    assert at.query_params == {"scenario": "Mine"}  # the tab's link, by name
    assert at.multiselect(key="scenario_compare").value == [view.tab_ref("Mine")]
    assert table_with(at, "P50 [months]")["Scenario"].tolist() == ["Mine"]


def test_a_store_going_down_and_back_loses_nothing(monkeypatch):
    server = Server()
    try:
        monkeypatch.setenv(URL_VARIABLE, server.start())
        at = opened()
        load(at, MINE)
        save(at, note="before the outage")
        first = at.query_params["scenario"]
        server.stop()
        at.number_input(key="scenario_target").set_value(400)
        run(at)
        save(at)  # reaches no store: kept in the tab
        assert "did not reach the workspace store" in warnings(at)
        assert at.query_params == {"scenario": "Mine"}
        forecast(at)
        server.start()
        run(at)  # the next interaction finds the store back: its scenarios are listed again
        assert "cannot be used" not in warnings(at)
        at.selectbox(key="scenario_open").set_value(first)  # the stored version is intact
        run(at)
        assert at.number_input(key="scenario_target").value == 300
        at.number_input(key="scenario_target").set_value(400)
        run(at)
        save(at)
        assert at.query_params == {"scenario": first, "version": "2"}
        assert "kept in this browser tab" not in warnings(at)
    finally:
        server.remove()
