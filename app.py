"""Trial Footprint: routes only (the pages live in app_pages/), and sign-in where configured."""

import streamlit as st

from app_pages import auth

# A material icon, not an emoji: checking an emoji loads Streamlit's emoji catalogue, ~0.1 s
# of the first page view on a fresh server.
st.set_page_config(page_title="Trial Footprint", page_icon=":material/public:", layout="wide")
auth.sidebar()
st.navigation([
    st.Page("app_pages/explore.py", title="Explore", icon=":material/public:", default=True),
    st.Page("app_pages/executive.py", title="Executive risk map", icon=":material/traffic:",
            url_path="risk-map"),
    st.Page("app_pages/scenario_builder.py", title="Scenario builder",
            icon=":material/trending_up:", url_path="scenario"),
    st.Page("app_pages/methods.py", title="Data & methods", icon=":material/menu_book:",
            url_path="data-and-methods"),
]).run()
