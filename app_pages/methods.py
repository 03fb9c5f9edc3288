"""Data & methods: sources, licences, coverage, regulators, the country gate, formulas,
assumptions and caveats."""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from footprint.assumptions import (
    DATA_AS_OF_YEAR,
    DEFAULT_ELIGIBILITY_SHARE,
    DEFAULT_SITE_ACTIVATION_DAYS,
    GATE_AS_OF,
    GATE_PENALTY_POINTS,
    STALE_AFTER_YEARS,
)
from footprint.views import methods
from footprint.views.format import MISSING, table_height
from footprint.views.regions import scope

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
coverage = methods.indicator_coverage(latest, catalogue, scope((), (), regions))
st.dataframe(coverage, hide_index=True, key="methods_coverage", placeholder=MISSING,
             height=table_height(len(coverage)))
st.caption("Countries with a value: mapped countries (of all mapped) and members of the six "
           f"regions (of all members) with a latest value at the {DATA_AS_OF_YEAR} snapshot. "
           "Latest years: the range of the latest year per country. Stale: older than "
           f"{STALE_AFTER_YEARS} years.")

st.subheader("Indications")
st.dataframe(inputs.indications.reset_index(), hide_index=True, key="methods_indications",
             placeholder=MISSING)

st.subheader("Regulatory reference")
st.dataframe(methods.regulatory_table(inputs.regulatory), hide_index=True,
             key="methods_regulatory", placeholder=MISSING)
st.caption("A country row overrides its region's row (EU members inherit the EU row). "
           "Countries with no row get their region's median approval ('assumed').")
st.markdown("**Regulators**")
regulators = methods.regulators_table(inputs.regulators, shared.country_names())
st.dataframe(regulators, hide_index=True, key="methods_regulators", placeholder=MISSING,
             height=table_height(len(regulators), 12))
st.caption("The authority that authorises clinical trials of medicines in every member of "
           "the six regions (data/regulators.csv), with its source and as-of month.")

st.subheader("Country gate")
frame = shared.country_frame(shared.DEFAULT_VIEW.indication, DEFAULT_ELIGIBILITY_SHARE,
                             DEFAULT_SITE_ACTIVATION_DAYS)
gates = methods.gate_table(frame, scope((), (), regions))
st.dataframe(gates, hide_index=True, key="methods_gate", placeholder=MISSING,
             height=table_height(len(gates), 12),
             column_config={"Detail": st.column_config.TextColumn(width="large")})
st.caption(f"Sanctions, embargoes and war as of {GATE_AS_OF} (each row has its own month; "
           "data/country_gate.csv and data/country_gate_SOURCES.md). Gated countries "
           "(embargo, sanctions or war) are left out of rankings unless included, then ranked "
           f"with {GATE_PENALTY_POINTS:g} points off; targeted sanctions and regional "
           "conflicts are notes, not gates.")

st.subheader("How the scores are computed")
for title, text in methods.model_sections():
    with st.expander(title, expanded=False):
        st.markdown(text)
st.markdown("**Named assumptions**")
st.dataframe(methods.model_constants(), hide_index=True, key="methods_constants",
             placeholder=MISSING)

st.subheader("Known caveats")
st.markdown("\n".join(f"- {caveat}" for caveat in methods.KNOWN_CAVEATS))
notes = shared.country_notes()
st.dataframe({"ISO3": list(notes), "Note": list(notes.values())}, hide_index=True,
             key="methods_country_notes")
