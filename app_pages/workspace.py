"""The workspace store for the pages: opened once per process, and who is asking.

The store's URL is ``FOOTPRINT_DATABASE_URL`` from the environment, else the same key in the
app's secrets (``st.secrets``), else :func:`footprint.store.workspace.database_url`'s default
(the embedded SQLite file in ``workspace/``).
"""

from __future__ import annotations

import os

import streamlit as st

from app_pages import auth
from footprint.store.errors import StoreError
from footprint.store.workspace import TEAM_USER, URL_VARIABLE, Principal, Store, open_store


@st.cache_resource(show_spinner=False)
def _open(url: str | None) -> Store:
    """The store at ``url``, its schema upgraded (a failure is not cached: the next run tries
    again)."""
    return open_store(url)


def store() -> tuple[Store | None, str | None]:
    """(the store, None), or (None, why it cannot be used) when it is down or refused."""
    url = os.environ.get(URL_VARIABLE) or None
    if url is None and st.secrets.load_if_toml_exists():
        url = st.secrets.get(URL_VARIABLE) or None
    try:
        return _open(url), None
    except StoreError as exc:
        return None, str(exc)


def user() -> Principal | None:
    """Who saves and opens: the signed-in user, :data:`TEAM_USER` in a workspace without
    sign-in, None when sign-in is configured and nobody is signed in."""
    if not auth.configured():
        return TEAM_USER
    claims = auth.claims()
    from footprint.views import scenario as view  # the forecast (scipy): only when signed in

    return None if claims is None else view.principal_of(claims)
