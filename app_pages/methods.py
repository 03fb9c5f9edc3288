"""Data & methods: sources, licences, coverage, formulas, assumptions and caveats."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from footprint.assumptions import DATA_AS_OF_YEAR, STALE_AFTER_YEARS
from footprint.views import methods
from footprint.views.format import table_height
from footprint.views.regions import REGION_ALL, scope

regions = shared.regions()
catalogue = shared.indicator_catalogue()
latest = shared.latest_indicators()
inputs = shared.model_inputs()

st.title("Data & methods")
st.markdown("Everything the app shows comes from the files in `data/`, built into an in-memory "
            "DuckDB database at start-up; nothing is fetched at run time.")

st.subheader("Sources")
st.dataframe(methods.sources_table(shared.data_sources()), hide_index=True, key="methods_sources",
             column_config={"Origin": st.column_config.LinkColumn(),
                            "Title": st.column_config.TextColumn(width="medium")})
shared.attribution()

st.subheader("Indicators and coverage")
coverage = methods.indicator_coverage(latest, catalogue, scope(REGION_ALL, regions))
st.dataframe(coverage, hide_index=True, key="methods_coverage",
             height=table_height(len(coverage)))
st.caption("Countries with a value: mapped countries (of all mapped) and members of the six "
           f"regions (of all members) with a latest value at the {DATA_AS_OF_YEAR} snapshot. "
           "Latest years: the range of the latest year per country. Stale: older than "
           f"{STALE_AFTER_YEARS} years.")

st.subheader("Indications")
st.dataframe(inputs.indications.reset_index(), hide_index=True, key="methods_indications")

st.subheader("Regulatory reference")
st.dataframe(methods.regulatory_table(inputs.regulatory), hide_index=True,
             key="methods_regulatory")
st.caption("A country row overrides its region's row (EU members inherit the EU row). "
           "Countries with no row get their region's median approval ('assumed').")

st.subheader("How the scores are computed")
for title, text in methods.model_sections():
    with st.expander(title, expanded=False):
        st.markdown(text)
st.markdown("**Named assumptions**")
st.dataframe(methods.model_constants(), hide_index=True, key="methods_constants")

st.subheader("Known caveats")
st.markdown("\n".join(f"- {caveat}" for caveat in methods.KNOWN_CAVEATS))
notes = shared.country_notes()
st.dataframe({"ISO3": list(notes), "Note": list(notes.values())}, hide_index=True,
             key="methods_country_notes")
