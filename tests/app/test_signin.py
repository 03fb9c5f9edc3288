"""Sign-in (issue 13) under AppTest: private scenarios, sharing, the signed-out and the
single-team workspace. ``at.secrets`` gives the app an ``[auth]`` section and ``at.user`` the
signed-in user's claims, as Streamlit's st.login would (tests/app/test_browser_signin.py signs
in for real, against a local OpenID Connect provider)."""

from __future__ import annotations

from dataclasses import replace

from streamlit.testing.v1 import AppTest

from app_pages import auth
from footprint.enrollment.scenario import CountryPlan, Scenario
from footprint.store.workspace import Principal
from footprint.views import scenario as view
from tests.app.test_scenario_page import APP, PAGE, run, save, sites_of, stored, warnings

AUTH = {"auth": {"redirect_uri": "http://127.0.0.1:8501/oauth2callback",
                 "cookie_secret": "a-test-secret-of-32-characters!!", "client_id": "footprint",
                 "client_secret": "test",
                 "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}}
ALICE = {"is_logged_in": True, "sub": "alice-sub", "name": "Alice", "email": "alice@example.org"}
BOB = {"is_logged_in": True, "sub": "bob-sub", "name": "Bob", "email": "bob@example.org"}
SIGNED_OUT = {"is_logged_in": False}
PLAN = Scenario("Alice's plan", "hypertension", 300, (CountryPlan("FRA", 5),))
NOT_SHARED = "not found or is not shared with you"


def as_user(claims: dict, **params: str) -> AppTest:
    """A session of the user with ``claims`` on the Scenario builder (at a link)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets = AUTH
    at.user = claims
    run(at)
    at.switch_page(PAGE)
    at.query_params.update(params)
    return run(at)


def saved_by_alice(visibility: str | None = None) -> tuple[AppTest, str]:
    """Alice's session after she saved PLAN, and its store id."""
    at = as_user(ALICE)
    at.session_state["scenario_load"] = PLAN
    run(at)
    if visibility is not None:
        at.radio(key="scenario_visibility").set_value(visibility)
    save(at)
    return at, at.query_params["scenario"]


def test_a_users_scenario_is_private_until_shared_and_guessing_ids_reveals_nothing(
        workspace_url):
    alice, item_id = saved_by_alice()
    mine = stored(workspace_url, Principal("alice-sub", "Alice"))[PLAN.name]
    assert (mine.id, mine.author, mine.owner_id, mine.visibility) == (
        item_id, "Alice", "alice-sub", "private")
    assert stored(workspace_url, Principal("bob-sub", "Bob")) == {}

    bob = as_user(BOB, scenario=item_id)
    refused = warnings(bob)
    assert NOT_SHARED in refused and "The scenario on the page is unchanged" in refused
    assert bob.text_input(key="scenario_name").value == view.default_scenario().name
    assert not bob.selectbox(key="scenario_open").options  # nothing of Alice's is listed
    guessed = as_user(BOB, scenario="AAAAAAAAAAAAAAAA")
    assert warnings(guessed) == refused  # a forbidden id reads as an unknown one
    assert "Alice" not in refused

    alice.button(key="scenario_share").click()  # "Share with the team"
    run(alice)
    assert stored(workspace_url, Principal("bob-sub", "Bob"))[PLAN.name].visibility == "team"
    bob = as_user(BOB, scenario=item_id)
    assert not warnings(bob)
    assert bob.text_input(key="scenario_name").value == PLAN.name
    assert sites_of(bob) == {"FRA": 5}
    assert not [b for b in bob.button if b.key == "scenario_share"]  # only its owner may

    alice.button(key="scenario_share").click()  # "Make private" again
    run(alice)
    assert NOT_SHARED in warnings(as_user(BOB, scenario=item_id))


def test_a_scenario_saved_for_the_team_is_listed_for_everyone(workspace_url):
    _, item_id = saved_by_alice(visibility="team")
    bob = as_user(BOB)
    assert bob.selectbox(key="scenario_open").options[0].startswith(f"{PLAN.name} · v1 · Alice")
    bob.selectbox(key="scenario_open").set_value(item_id)
    run(bob)
    bob.number_input(key="scenario_target").set_value(400)
    run(bob)
    save(bob, note="Bob's change")
    latest = stored(workspace_url, Principal("alice-sub", "Alice"))[PLAN.name]
    assert (latest.version, latest.author, latest.owner_name) == (2, "Bob", "Alice")


def test_signed_out_where_sign_in_is_configured_keeps_scenarios_in_the_tab(workspace_url):
    _, item_id = saved_by_alice(visibility="team")
    at = as_user(SIGNED_OUT, scenario=item_id)
    assert "Log in (in the sidebar) to open the linked scenario" in warnings(at)
    assert at.query_params["scenario"] == item_id  # kept, to open after logging in
    assert any(auth.SIGNED_OUT in i.value for i in at.info)
    assert [b.label for b in at.sidebar.button] == ["Log in"]
    at.session_state["scenario_load"] = replace(PLAN, name="Anonymous")
    run(at)
    save(at)
    assert "'Anonymous' is kept in this browser tab only" in warnings(at)
    assert "Anonymous" not in stored(workspace_url, Principal("alice-sub", "Alice"))


def test_the_sidebar_says_who_is_signed_in_and_offers_to_log_out():
    at = as_user(ALICE)
    assert [t.value for t in at.sidebar.text] == ["Signed in as Alice"]
    assert [b.label for b in at.sidebar.button] == ["Log out"]
    assert at.radio(key="scenario_visibility").value == "private"  # until shared


def test_without_sign_in_the_page_says_the_workspace_is_shared():
    at = AppTest.from_file(APP, default_timeout=60)
    run(at)
    assert auth.SINGLE_TEAM in [c.value for c in at.sidebar.caption]
    assert not at.sidebar.button
    at.switch_page(PAGE)
    run(at)
    assert any(auth.SINGLE_TEAM in c.value.replace("\\", "") for c in at.caption)
    assert not [r for r in at.radio if r.key == "scenario_visibility"]  # all team-visible
