"""The one glue module between Streamlit and footprint/: cached data access per session.

The DuckDB database is built once per process (``st.cache_resource``, read-only by
convention); every cached reader takes its own cursor, so sessions never share a connection
across threads. Frames are cached with ``st.cache_data`` (each caller gets a copy).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from footprint import atlas
from footprint.database import DataFileError, build_database


@st.cache_resource(show_spinner="Building the database from data/ …")
def _database():
    return build_database()


def cursor():
    """A fresh cursor on the shared database; stops the page with a clear message if the
    shipped data is broken."""
    try:
        return _database().cursor()
    except DataFileError as exc:
        st.error(f"The app cannot start: {exc}")
        st.stop()


@st.cache_data(show_spinner=False)
def regions() -> dict[str, list[str]]:
    """Region name -> member ISO3 codes."""
    with cursor() as cur:
        return atlas.regions(cur)


@st.cache_data(show_spinner=False)
def country_shapes() -> gpd.GeoDataFrame:
    """Every mapped country with its regions and geometry."""
    with cursor() as cur:
        return atlas.country_shapes(cur)


@st.cache_data(show_spinner=False)
def data_sources() -> pd.DataFrame:
    """Every shipped source with its licence and years."""
    with cursor() as cur:
        return atlas.data_sources(cur)


def attribution() -> None:
    """The CC BY attribution line shown under every map."""
    st.caption(
        "Data: World Bank WDI and WGI (CC BY 4.0), Our World in Data (CC BY 4.0), "
        "NCD-RisC (CC BY 4.0), GeoNames (CC BY 4.0); boundaries: Natural Earth (public domain), "
        "drawn as Natural Earth draws them. See Data & methods."
    )
