"""The one glue module between Streamlit and footprint/: cached data access per session.

The DuckDB database is built once per process (``st.cache_resource``, read-only by
convention); every cached reader takes its own cursor, so sessions never share a connection
across threads. Frames are cached with ``st.cache_data`` (each caller gets a copy).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pydeck as pdk
import streamlit as st

from footprint.data import atlas
from footprint.data.database import DataFileError, open_database
from footprint.data.model_inputs import ModelInputs, load_inputs
from footprint.model import pool, scoring
from footprint.views import maps, subnational
from footprint.views import regions as region_views

# Column widths of a legend table (footprint.views.format.legend_rows): a narrow colour swatch
# and narrow counts leave the class labels room.
LEGEND_COLUMNS = {
    "colour": st.column_config.TextColumn(" ", width=36),
    "countries": st.column_config.NumberColumn(width=80),
    "units": st.column_config.NumberColumn(width=60),
}


@st.cache_resource(show_spinner="Building the database from data/ …")
def _database():
    return open_database()


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


@st.cache_resource(show_spinner=False)
def country_geometries() -> tuple[dict, ...]:
    """GeoJSON geometry of every country, row-aligned with :func:`country_shapes`.

    Shared by all sessions (``cache_resource``) because rounding and mapping the shapes is
    the slow half of a map payload (~60 ms). Read-only: map features reference these dicts,
    nothing may mutate them.
    """
    return tuple(maps.geometries(country_shapes(), simplify=maps.WORLD_SIMPLIFY))


@st.cache_resource(show_spinner=False)
def country_borders() -> tuple[dict, ...]:
    """The land borders between countries (segments of :func:`country_geometries`); read-only."""
    return tuple(maps.ring_segments(country_geometries(), shared_only=True))


@st.cache_data(show_spinner=False)
def country_names() -> dict[str, str]:
    """ISO3 -> display name of every mapped country."""
    with cursor() as cur:
        return atlas.country_names(cur)


@st.cache_data(show_spinner=False)
def latest_indicators() -> pd.DataFrame:
    """Latest value, year, source and stale flag per country x indicator (long)."""
    with cursor() as cur:
        return atlas.latest_indicators(cur)


@st.cache_data(show_spinner=False)
def indicator_catalogue() -> pd.DataFrame:
    """The catalogued indicators with unit, source and licence, indexed by code."""
    with cursor() as cur:
        return atlas.indicator_catalogue(cur)


@st.cache_data(show_spinner=False)
def country_notes() -> dict[str, str]:
    """ISO3 -> known data caveat."""
    with cursor() as cur:
        return atlas.country_notes(cur)


@st.cache_data(show_spinner=False)
def subnational_units(iso3: str) -> gpd.GeoDataFrame:
    """States / prefectures of USA, JPN or IND with reachable urban population."""
    with cursor() as cur:
        return atlas.subnational_units(cur, iso3)


@st.cache_data(show_spinner=False)
def major_cities(iso3: str, min_population: int) -> pd.DataFrame:
    """Cities of a country with at least ``min_population`` inhabitants."""
    with cursor() as cur:
        return atlas.major_cities(cur, iso3, min_population)


@st.cache_data(show_spinner=False)
def region_view(region: str) -> pdk.ViewState:
    """The map view that frames a region (the world for all regions)."""
    return region_views.region_view(region, country_shapes(), regions())


@st.cache_data(show_spinner=False)
def country_view(iso3: str) -> pdk.ViewState:
    """The map view that frames one country's sub-national units."""
    return subnational.drill_view(subnational_units(iso3), iso3)


@st.cache_data(show_spinner=False)
def model_inputs() -> ModelInputs:
    """Everything the scoring models read, pulled from the database once."""
    with cursor() as cur:
        return load_inputs(cur)


@st.cache_data(show_spinner=False)
def indications() -> dict[str, pool.Indication]:
    """The shipped indications by id (display name: ``.name``)."""
    return pool.catalogue(model_inputs())


@st.cache_data(show_spinner="Scoring the countries …", max_entries=64)
def country_frame(indication: str, eligibility_share: float,
                  site_activation_days: float) -> pd.DataFrame:
    """Funnel, start-up, friction, infrastructure, scores and tier of every country."""
    return scoring.country_frame(model_inputs(), indication, eligibility_share,
                                 site_activation_days)


@st.cache_data(show_spinner=False, max_entries=256)
def rank_stability(indication: str, eligibility_share: float, site_activation_days: float,
                   weights: tuple[float, float, float], region: str,
                   top_k: int = 5) -> pd.Series:
    """P(stays in the top k of the region) when the weights vary around the chosen ones."""
    frame = country_frame(indication, eligibility_share, site_activation_days)
    w = scoring.Weights(*weights)
    table = scoring.score(frame, w, region_views.scope(region, regions()))
    return scoring.rank_stability(table, w, top_k=top_k, n_draws=1000)


def link_state(page: str, parse) -> list[str]:
    """Seed a page's widgets from the link once per visit; return the link's warnings.

    ``parse(query_params)`` returns ``({widget key: value}, [warning, ...])``. The widgets are
    seeded only when none of them is in session state yet (a new visit: Streamlit forgets a
    widget's state once a run does not draw it); warnings are kept until one of the page's
    widgets changes (see :func:`clear_link_warnings`).
    """
    store = f"_{page}_link_warnings"
    seeds, warnings = parse(st.query_params.to_dict())
    if not any(key in st.session_state for key in seeds):
        for key, value in seeds.items():
            st.session_state[key] = value
        st.session_state[store] = warnings
    return list(st.session_state.get(store, []))


def clear_link_warnings(page: str) -> None:
    """Forget a page's link warnings (an ``on_change`` callback of its widgets)."""
    st.session_state.pop(f"_{page}_link_warnings", None)


def write_link(params: dict[str, str]) -> None:
    """Make the address bar reopen this view (only touches ``st.query_params`` on change)."""
    current = st.query_params.to_dict()
    if current != params:
        st.query_params.from_dict(params)


def attribution() -> None:
    """The CC BY attribution line shown under every map."""
    st.caption(
        "Data: World Bank WDI and WGI (CC BY 4.0), Our World in Data (CC BY 4.0), "
        "NCD-RisC (CC BY 4.0), GeoNames (CC BY 4.0); boundaries: Natural Earth (public domain), "
        "drawn as Natural Earth draws them. See Data & methods."
    )
