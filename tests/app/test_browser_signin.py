"""Sign-in for real (issue 13): Streamlit's st.login against a local OpenID Connect provider
(PyPI ``oidc-provider-mock``) on 127.0.0.1, two users in two browsers. A private scenario's
link opens nothing for the other user, exactly as a guessed id does, until it is shared."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.app.conftest import ROOT, _free_port, serve, sqlite_url
from tests.app.test_browser_store import save_as, wait_for_builder

pytestmark = pytest.mark.browser

USERS = {"alice": "Alice Martin", "bob": "Bob Okafor"}
NOT_SHARED = "not found or is not shared with you"


@pytest.fixture
def provider() -> Iterator[str]:
    """oidc-provider-mock on a free loopback port, with Alice and Bob; yields its URL."""
    port = _free_port()
    users = [json.dumps({"sub": sub, "name": name, "email": f"{sub}@example.org"})
             for sub, name in USERS.items()]
    log_path = ROOT / "test-results" / "oidc-provider.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port",
             str(port), *[arg for user in users for arg in ("--user-claims", user)]],
            stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail("oidc-provider-mock did not start within 30 s")
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture
def signed_in_server(provider, tmp_path) -> Iterator[str]:
    """The app with sign-in configured (a secrets file of its own: ``--secrets.files``)."""
    port = _free_port()
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "trial-footprint"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n')
    with serve("browser-signin-server.log", sqlite_url(tmp_path), "--secrets.files",
               str(secrets_file), port=port) as url:
        yield url


def log_in(browser, context_args, server: str, sub: str):
    """A new browser, signed in as ``sub`` through the provider's form."""
    page = browser.new_context(**context_args).new_page()
    page.goto(server)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Authorize Client").wait_for(timeout=30_000)
    page.get_by_role("button", name=sub, exact=True).click()  # a predefined user
    page.get_by_text(f"Signed in as {USERS[sub]}").wait_for(timeout=45_000)
    return page


def shown_warning(page) -> str:
    warning = page.get_by_test_id("stAlertContentWarning").first
    warning.wait_for(timeout=30_000)
    return warning.inner_text()


def test_a_signed_in_user_cannot_open_anothers_private_scenario(browser, browser_context_args,
                                                                  signed_in_server):
    server = signed_in_server
    alice = log_in(browser, browser_context_args, server, "alice")
    alice.goto(f"{server}/scenario")
    wait_for_builder(alice)
    link = save_as(alice, "Alice's private plan")  # private: the default when signed in
    alice.get_by_role("button", name="Share with the team").wait_for(timeout=20_000)

    bob = log_in(browser, browser_context_args, server, "bob")
    bob.goto(link)
    wait_for_builder(bob)
    refused = shown_warning(bob)
    assert NOT_SHARED in refused and "The scenario on the page is unchanged" in refused
    assert bob.get_by_label("Scenario name").input_value() != "Alice's private plan"
    guessed = re.sub(r"scenario=[A-Za-z0-9_-]{16}", "scenario=AAAAAAAAAAAAAAAA", link)
    bob.goto(guessed)
    wait_for_builder(bob)
    assert shown_warning(bob) == refused  # a forbidden id reads exactly as an unknown one

    alice.get_by_role("button", name="Share with the team").click()
    alice.get_by_role("button", name="Make private").wait_for(timeout=20_000)
    bob.goto(link)
    wait_for_builder(bob)
    bob.wait_for_function(
        "() => document.querySelector('input[aria-label=\"Scenario name\"]')?.value"
        " === \"Alice's private plan\"", timeout=30_000)
    assert bob.get_by_test_id("stAlertContentWarning").count() == 0
    alice.context.close()
    bob.context.close()
