"""Sign-in, where it is configured: Streamlit's ``st.login`` with the OpenID Connect provider of
the ``[auth]`` section of the secrets (``.streamlit/secrets.toml``, or the files named by the
``secrets.files`` setting). Without that section the app is one team's shared workspace.

Imports Streamlit only (the router calls :func:`sidebar` on every page; the workspace store
and its libraries load with the pages that use them).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

SINGLE_TEAM = ("Single-team workspace: everyone using this app shares the saved scenarios "
               "and indications (no sign-in configured)")
SIGNED_OUT = ("Log in to save scenarios to the workspace and open the links people share "
              "with you; until then scenarios are kept in this browser tab only.")


def configured() -> bool:
    """Whether the secrets have an ``[auth]`` section (sign-in is on)."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def claims() -> dict[str, Any] | None:
    """The signed-in user's identity claims (``sub``, ``name``, ``email``, ...), None when
    nobody is signed in."""
    user = st.user.to_dict()
    return user if user.get("is_logged_in") else None


def sidebar() -> None:
    """Log in / Log out in the sidebar, or the note that the workspace is shared by all."""
    if not configured():
        st.sidebar.caption(SINGLE_TEAM)
        return
    signed_in = claims()
    if signed_in is None:
        st.sidebar.button("Log in", key="auth_login", on_click=st.login, icon=":material/login:")
        st.sidebar.caption(SIGNED_OUT)
        return
    who = signed_in.get("name") or signed_in.get("email") or signed_in.get("sub")
    st.sidebar.text(f"Signed in as {who}")  # text, never markdown: the provider's name
    st.sidebar.button("Log out", key="auth_logout", on_click=st.logout,
                      icon=":material/logout:")
