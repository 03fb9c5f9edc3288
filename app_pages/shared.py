"""The one glue module between Streamlit and footprint/: cached data access per session.

The DuckDB database is built once per process (``st.cache_resource``, read-only by
convention); every cached reader takes its own cursor, so sessions never share a connection
across threads. Frames are cached with ``st.cache_data`` (each caller gets a copy).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd
import pydeck as pdk
import streamlit as st

from footprint.assumptions import GATE_PENALTY_POINTS
from footprint.data import atlas
from footprint.data.database import (
    CACHE_DIR,
    DataFileError,
    open_database,
    open_spatial,
    spatial_cursor,
)
from footprint.data.model_inputs import ModelInputs, load_inputs
from footprint.io.report_meta import ATTRIBUTION
from footprint.model import pool, scoring
from footprint.paths import DATA_DIR, DEFAULT_STORE_FILE, STORE_URL_VARIABLE
from footprint.views import explore, maps, metrics, subnational, url_state
from footprint.views import format as fmt
from footprint.views import regions as region_views

# What a fresh browser shows on Explore and the Executive page (a link leaves these out).
DEFAULT_VIEW = url_state.ViewState(metric="attractiveness", indication="type2_diabetes",
                                   drill=next(iter(subnational.SUBNATIONAL_METRICS)))
# The view both pages last showed in this session (a ViewState), so that going to another
# page and back keeps it, and the Executive page uses Explore's weights and assumptions.
VIEW = "_view"

# Column widths of a legend table (footprint.views.format.legend_rows): a narrow colour swatch
# and narrow counts leave the class labels room.
LEGEND_COLUMNS = {
    "colour": st.column_config.TextColumn(" ", width=36),
    "countries": st.column_config.NumberColumn(width=80),
    "units": st.column_config.NumberColumn(width=60),
}


@st.cache_resource(show_spinner="Building the database from data/ …")
def _database():
    # Without the spatial extension (0.3 s of a cold start): only site lists need it, and
    # they get their own instance (:func:`spatial`).
    return open_database(load_spatial=False)


@st.cache_resource(show_spinner="Loading the spatial extension …")
def _spatial_database():
    return open_spatial()


def cursor():
    """A fresh cursor on the shared database; stops the page with a clear message if the
    shipped data is broken."""
    try:
        return _database().cursor()
    except DataFileError as exc:
        st.error(f"The app cannot start: {exc}")
        st.stop()


def spatial():
    """A fresh cursor for the queries that call spatial functions (locating site lists)."""
    try:
        return spatial_cursor(_spatial_database())
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


@dataclass(frozen=True, slots=True)
class _World:
    """The world map's shapes as kept beside the built database between server starts
    (:func:`maps.kept_json`; ~0.5 s of CPU off a fresh server's first run)."""

    key: str  # maps.outlines_key of country_shapes()
    geometry: tuple[dict, ...]  # row-aligned with country_shapes()
    borders: tuple[dict, ...]  # segments shared by two countries
    boxes: dict[str, list[float]]  # iso3 -> main-part box (maps.main_bounds_by_country)


@st.cache_resource(show_spinner=False)
def _world() -> _World:
    shapes, folder = country_shapes(), DATA_DIR / CACHE_DIR
    key = maps.outlines_key(shapes)
    geometry, borders = maps.kept_outlines(shapes, folder, key=key)
    boxes = maps.kept_json(folder, "main-boxes", key,
                           lambda: maps.main_bounds_by_country(shapes))
    return _World(key, tuple(geometry), tuple(borders), boxes)


def country_geometries() -> tuple[dict, ...]:
    """GeoJSON geometry of every country, row-aligned with :func:`country_shapes`.

    Shared by all sessions (``cache_resource``): map features reference these dicts, nothing
    may mutate them.
    """
    return _world().geometry


@st.cache_resource(show_spinner=False, max_entries=64)
def _bands(codes: tuple[str, ...] | None, zoom: float, width_px: float, keep: bool) -> dict:
    # codes None: the land borders; else the outline of those countries
    world = _world()

    def compute() -> dict:
        if codes is None:
            return maps.border_bands(world.borders, zoom, width_px)
        iso3 = list(country_shapes()["iso3"])
        return maps.outline_bands([world.geometry[iso3.index(c)] for c in codes if c in iso3],
                                  zoom, width_px)

    if not keep:
        return compute()
    name = "borders" if codes is None else hashlib.sha256(" ".join(codes).encode()).hexdigest()
    return maps.kept_json(DATA_DIR / CACHE_DIR, f"bands-{name[:16]}-{zoom:g}-{width_px:g}",
                          world.key, compute)


def border_layer(zoom: float) -> pdk.Layer:
    """The land borders between countries as bands 1 px wide at ``zoom``
    (:func:`maps.border_bands`), kept between server starts and shared by all sessions."""
    return maps.border_layer("borders", _bands(None, maps.band_zoom(zoom), 1.0, keep=True))


def outline_layer(layer_id: str, codes, zoom: float, color: maps.Rgba, width_px: float,
                  keep: bool = False) -> pdk.Layer:
    """The outline of the countries ``codes``, coasts included, ``width_px`` wide at ``zoom``
    (:func:`maps.outline_bands`), shared by all sessions; ``keep``: also kept between server
    starts like :func:`border_layer` (for the gated countries, not each selected one)."""
    bands = _bands(tuple(sorted(codes)), maps.band_zoom(zoom), float(width_px), keep)
    return maps.border_layer(layer_id, bands, color)


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
def region_view(selected: tuple[str, ...], countries: tuple[str, ...]) -> pdk.ViewState:
    """The map view that frames a scope: regions and custom countries (all six when empty)."""
    return region_views.region_view(selected, countries, _world().boxes, regions())


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
def shipped_indications() -> dict[str, pool.Indication]:
    """The shipped indications by id (display name: ``.name``)."""
    return pool.catalogue(model_inputs())


def store_in_use() -> bool:
    """Whether a workspace store is set up: its URL in the environment or the app's secrets,
    or the embedded default file already written (checked without importing the store)."""
    if os.environ.get(STORE_URL_VARIABLE):
        return True
    if st.secrets.load_if_toml_exists() and st.secrets.get(STORE_URL_VARIABLE):
        return True
    return DEFAULT_STORE_FILE.exists()


_CUSTOM_MEMO = "_custom_indications"


def forget_custom_indications() -> None:
    """Read the user's own indications afresh on the next call (after this session saved one)."""
    st.session_state.pop(_CUSTOM_MEMO, None)


CUSTOM_INDICATIONS_REFRESH_S = 10.0
"""[s] how long a session reuses its list of the user's own indications."""
CUSTOM_INDICATIONS_RETRY_S = 60.0
"""[s] how long a session waits before trying a store that could not be read again."""


def custom_indications() -> tuple[dict[str, pool.Indication], str | None]:
    """(the user's own indications in the workspace store by ``my_...`` id, None); ({}, why)
    when the store cannot be read.

    Read at most every :data:`CUSTOM_INDICATIONS_REFRESH_S` per session (one a teammate or
    the CLI just saved shows within that), a failure remembered for
    :data:`CUSTOM_INDICATIONS_RETRY_S` (a PostgreSQL that is down costs its timeout once, not
    on every rerun); no store at all (no URL set, no workspace file yet) is read as none,
    without opening or creating one, so a fresh server's first page imports no store code.
    """
    import time

    memo = st.session_state.get(_CUSTOM_MEMO)
    now = time.monotonic()
    if memo is not None and now - memo[0] < (CUSTOM_INDICATIONS_REFRESH_S if memo[2] is None
                                             else CUSTOM_INDICATIONS_RETRY_S):
        return memo[1], memo[2]
    found: tuple[dict[str, pool.Indication], str | None] = ({}, None)
    if store_in_use():
        from app_pages import workspace
        from footprint.store import indications as stored_indications
        from footprint.store.errors import StoreError

        store, problem = workspace.store()
        user = workspace.user()
        if store is None or user is None:
            found = ({}, problem)
        else:
            try:
                found = (stored_indications.catalogue(store, user=user,
                                                      shipped=shipped_indications()), None)
            except StoreError as exc:
                found = ({}, str(exc))
    st.session_state[_CUSTOM_MEMO] = (now, *found)
    return found


def indications() -> dict[str, pool.Indication]:
    """The shipped indications, then the user's own, by id (display name: ``.name``); when
    the store cannot be read, the sidebar says so."""
    own, problem = custom_indications()
    if problem:
        st.sidebar.caption(f"Your own indications are not available: {problem}")
    return shipped_indications() | own


def inputs_for(indication: str) -> ModelInputs:
    """:func:`model_inputs` whose catalogue also holds ``indication`` when it is one of the
    user's own (for the model steps that look an indication up by id)."""
    if indication in shipped_indications():
        return model_inputs()
    own = custom_indications()[0].get(indication)
    return model_inputs() if own is None else pool.with_indications(model_inputs(), [own])


def country_frame(indication: str, eligibility_share: float,
                  site_activation_days: float) -> pd.DataFrame:
    """Funnel, start-up, friction, infrastructure, scores and tier of every country (an
    id that is no longer open to the user gives the default view's indication)."""
    if indication in shipped_indications():
        return _country_frame(indication, eligibility_share, site_activation_days)
    own = custom_indications()[0].get(indication)
    if own is None:
        return _country_frame(DEFAULT_VIEW.indication, eligibility_share,
                              site_activation_days)
    return _country_frame(own, eligibility_share, site_activation_days)


@st.cache_data(show_spinner="Scoring the countries …", max_entries=64)
def _country_frame(indication: str | pool.Indication, eligibility_share: float,
                   site_activation_days: float) -> pd.DataFrame:
    # A custom indication is cached by its whole definition: a new version scores afresh.
    return scoring.country_frame(model_inputs(), indication, eligibility_share,
                                 site_activation_days)


@st.cache_data(show_spinner=False, max_entries=256)
def rank_stability(indication: str, eligibility_share: float, site_activation_days: float,
                   weights: tuple[float, float, float], ranked: tuple[str, ...],
                   top_k: int = 5) -> pd.Series:
    """P(stays in the top k of the ranked countries) when the weights vary around the
    chosen ones (gated countries left out: the weight draws apply no gate penalty)."""
    frame = country_frame(indication, eligibility_share, site_activation_days)
    w = scoring.Weights(*weights)
    table = scoring.score(frame, w, list(ranked))
    return scoring.rank_stability(table, w, top_k=top_k, n_draws=1000)


def open_view(page: str, marker: str,
              parse: Callable[[dict, url_state.ViewState], tuple[dict, list[str]]]
              ) -> list[str]:
    """Seed a page's widgets once per visit; return the link's notices.

    A visit is new when the ``marker`` widget (one the page always draws) is not in session
    state: Streamlit forgets a widget's state once a run does not draw it. Then
    ``parse(query parameters, base)`` returns ``({widget key: value}, [notice, ...])``; the
    ``base`` is the view this session last showed (:func:`remember`) or
    :data:`DEFAULT_VIEW`, so a link's parameters win and the rest is as the user left it.
    Notices are kept until one of the page's widgets changes (:func:`clear_link_warnings`).
    """
    store = f"_{page}_link_warnings"
    if marker not in st.session_state:
        params = {key: st.query_params.get_all(key) for key in st.query_params}
        seeds, notices = parse(params, last_view())
        for key, value in seeds.items():
            st.session_state[key] = value
        st.session_state[store] = notices
    return list(st.session_state.get(store, []))


def last_view() -> url_state.ViewState:
    """The view this session last showed on Explore or the Executive page, or
    :data:`DEFAULT_VIEW`."""
    return st.session_state.get(VIEW, DEFAULT_VIEW)


def remember(state: url_state.ViewState) -> None:
    """Keep the view this page shows for the next page visit (see :func:`open_view`)."""
    st.session_state[VIEW] = state


def settings_seeds(page: str, state: url_state.ViewState) -> dict[str, object]:
    """The sidebar widgets' keys of a page (:func:`settings_sidebar`) and their values."""
    pool_w, friction_w, infra_w = state.weights
    return {f"{page}_w_pool": pool_w, f"{page}_w_friction": friction_w,
            f"{page}_w_infra": infra_w, f"{page}_w_experience": state.experience,
            f"{page}_eligibility": state.eligibility,
            f"{page}_activation": state.activation, f"{page}_include_gated": state.include_gated}


@dataclass(frozen=True, slots=True)
class Settings:
    """What the sidebar sets: weights (as the sliders show them and as used), the eligible
    share [0-1], site activation [days], whether gated countries are ranked and the
    trial-experience slider (0 in ``weights`` while the landscape is unavailable)."""

    sliders: tuple[int, int, int]
    weights: scoring.Weights
    eligibility_share: float
    activation_days: float
    include_gated: bool
    experience: int = url_state.DEFAULT_EXPERIENCE

    def state(self, base: url_state.ViewState) -> url_state.ViewState:
        """``base`` with these settings."""
        return replace(base, weights=self.sliders,
                                 eligibility=round(self.eligibility_share * 100),
                                 activation=round(self.activation_days),
                                 include_gated=self.include_gated,
                                 experience=self.experience)


def settings_sidebar(page: str, on_change: Callable[[], None]) -> Settings:
    """The score weights, assumptions and the gate switch in the sidebar (the same on Explore
    and the Executive page; their values follow the user between the two)."""
    with st.sidebar:
        st.subheader("Score weights")
        low, high = url_state.WEIGHT_RANGE
        sliders = (
            st.slider("Patient pool", low, high, key=f"{page}_w_pool", on_change=on_change),
            st.slider("Regulatory friction", low, high, key=f"{page}_w_friction",
                      on_change=on_change),
            st.slider("Infrastructure risk", low, high, key=f"{page}_w_infra",
                      on_change=on_change))
        trials_missing = metrics.landscape_unavailable(model_inputs().landscape_meta)
        experience = st.slider(
            "Trial experience", low, high, key=f"{page}_w_experience", on_change=on_change,
            disabled=trials_missing is not None,
            help=trials_missing or "Registered studies per million people (ClinicalTrials.gov)"
            "; 0 leaves it out of attractiveness. The registry under-counts Japan, China, "
            "India and the EU.")
        weights, warning = explore.weights_from(
            *sliders, experience_weight=float(experience) if trials_missing is None else 0.0)
        if trials_missing is not None:
            st.caption(trials_missing)
        if warning:
            st.warning(warning)
        st.caption(f"Attractiveness weights: {fmt.weights_text(weights)}.")
        st.subheader("Assumptions")
        eligibility = st.slider("Eligible share of diagnosed patients [%]",
                                *url_state.ELIGIBILITY_RANGE, key=f"{page}_eligibility",
                                on_change=on_change)
        first, last, step = url_state.ACTIVATION_RANGE
        activation = st.slider("Site activation after approval [days]", first, last,
                               step=step, key=f"{page}_activation", on_change=on_change)
        st.subheader("Country gate")
        include_gated = st.toggle(
            "Include gated countries", key=f"{page}_include_gated", on_change=on_change,
            help="Gated: embargo, sanctions or war (see Data & methods). Off: they are left "
                 "out of rankings and top lists. On: they are ranked with "
                 f"{GATE_PENALTY_POINTS:g} points off their attractiveness and marked "
                 f"“{fmt.GATE_BADGE}”.")
        st.caption(fmt.gate_text(include_gated).capitalize() + ".")
    return Settings(sliders, weights, eligibility / 100, float(activation), include_gated,
                    experience)


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
    st.caption(f"{ATTRIBUTION} See Data & methods.")
