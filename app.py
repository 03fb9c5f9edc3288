"""Trial Footprint: routes only."""

import streamlit as st

st.set_page_config(page_title="Trial Footprint", page_icon="🌍", layout="wide")
st.navigation([
    st.Page("pages/explore.py", title="Explore", icon="🗺️", default=True),
]).run()
