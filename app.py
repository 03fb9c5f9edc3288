"""Trial Footprint: routes only (the pages live in app_pages/), and sign-in where configured."""

from pathlib import Path

import streamlit as st

from app_pages import auth

# The page icon is a local SVG, sent inline as a data: URL. A material icon as page_icon makes
# the browser fetch it from fonts.gstatic.com (the app runs offline), and an emoji loads
# Streamlit's emoji catalogue (~70 ms of a fresh server's first view; the SVG costs ~12 ms,
# importing PIL). The sidebar's material icons come from the font Streamlit ships.
ICON = Path(__file__).parent / "assets" / "globe.svg"
st.set_page_config(page_title="Trial Footprint", page_icon=str(ICON), layout="wide")
auth.sidebar()
st.navigation([
    st.Page("app_pages/explore.py", title="Explore", icon=":material/public:", default=True),
    st.Page("app_pages/executive.py", title="Executive risk map", icon=":material/traffic:",
            url_path="risk-map"),
    st.Page("app_pages/scenario_builder.py", title="Scenario builder",
            icon=":material/trending_up:", url_path="scenario"),
    st.Page("app_pages/indications.py", title="Your indications", icon=":material/biotech:",
            url_path="indications"),
    st.Page("app_pages/methods.py", title="Data & methods", icon=":material/menu_book:",
            url_path="data-and-methods"),
]).run()
