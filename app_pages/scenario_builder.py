"""Scenario builder: plan countries and sites, forecast enrollment, save, compare and export.

State: the widgets' own keys, plus one namespaced dict ``st.session_state["scenario_page"]``
holding the country table's base rows, what is open, the scenarios kept in this tab and the
last results. A scenario is loaded (from a file, the optimiser, a site list, the workspace
store or the link) only once it validated, by writing the header widgets' keys and a new base
table *before* those widgets are drawn (in a callback, or at the top of the run through
``st.session_state["scenario_load"]``).

Saving writes a new version to the workspace store (app_pages/workspace.py), and the link
becomes ``?scenario=<store id>&version=N``, which opens it in any browser that may see it.
When the store cannot be used (down, a newer schema, nobody signed in where sign-in is
configured) a save keeps the scenario in this tab, as before the store, and says so.
Every name a user typed is shown escaped (``view.markdown_text``) or as plain text.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import replace

import streamlit as st

from app_pages import auth, shared, workspace
from footprint.assumptions import (
    DEFAULT_ELIGIBILITY_SHARE,
    DEFAULT_N_SIMS,
    DEFAULT_SITE_ACTIVATION_DAYS,
    MAX_APP_SEED,
    MAX_COMPARE,
    MAX_DEADLINE_MONTHS,
    MAX_HORIZON_MONTHS,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_TARGET_PATIENTS,
    MAX_TOTAL_SITES,
)
from footprint.enrollment import forecast, planning, reforecast
from footprint.enrollment.scenario import (
    FIELDS,
    TARGET_EVALUABLE,
    TARGET_KINDS,
    TARGET_RANDOMISED,
    Scenario,
)
from footprint.errors import BudgetError, ScenarioError, SiteListError, UploadError
from footprint.io import site_lists
from footprint.io.scenario_csv import scenario_to_csv, scenarios_to_csv
from footprint.io.scenario_file import read_scenario_file
from footprint.io.scenario_json import scenario_from_json, scenario_to_json
from footprint.store.errors import NotFoundError, StoreError, StoreUnavailable
from footprint.store.workspace import (
    PRIVATE,
    TEAM,
    StoredVersion,
    VersionInfo,
    check_id,
    check_version,
    link_params,
)
from footprint.views import charts
from footprint.views import plan as plan_view
from footprint.views import scenario as view

STATE = "scenario_page"
LOAD = "scenario_load"  # a Scenario to load at the top of the next run
LINK_PARAM, VERSION_PARAM = "scenario", "version"

K_NAME, K_INDICATION, K_TARGET = "scenario_name", "scenario_indication", "scenario_target"
K_DEADLINE, K_SEED = "scenario_deadline", "scenario_seed"
K_TARGET_KIND = "scenario_target_kind"
K_ELIGIBILITY, K_ACTIVATION, K_SIMS = "scenario_eligibility", "scenario_activation", "scenario_sims"
K_LIVE, K_RUN = "scenario_live", "scenario_run"
K_FILE, K_SITE_FILE, K_USE_SITES = "scenario_file", "scenario_site_file", "scenario_use_sites"
K_GOAL, K_BUDGET, K_FROM_ZERO = "scenario_opt_goal", "scenario_opt_budget", "scenario_opt_zero"
K_PROPOSE, K_USE_PROPOSAL = "scenario_opt_run", "scenario_opt_use"
K_SAVE, K_OPEN, K_COMPARE = "scenario_save", "scenario_open", "scenario_compare"
K_NOTE, K_VISIBILITY, K_VERSION = "scenario_note", "scenario_visibility", "scenario_version"
K_SHARE = "scenario_share"
K_USE_RATE_CV = "scenario_use_rate_cv"
K_ACTUALS_FILE, K_AS_OF = "scenario_actuals_file", "scenario_actuals_as_of"
K_START, K_REFORECAST = "scenario_actuals_start", "scenario_reforecast"
HEADER_KEYS = (K_NAME, K_INDICATION, K_TARGET, K_TARGET_KIND, K_DEADLINE, K_SEED)
# Widgets whose values survive a visit to another page (Streamlit forgets undrawn widgets).
PERSISTED = (*HEADER_KEYS, K_ELIGIBILITY, K_ACTIVATION, K_SIMS, K_LIVE, K_GOAL, K_BUDGET,
             K_FROM_ZERO, K_OPEN, K_COMPARE, K_VERSION, K_NOTE, K_VISIBILITY)
ASSUMPTION_DEFAULTS = {
    K_ELIGIBILITY: int(round(DEFAULT_ELIGIBILITY_SHARE * 100)),
    K_ACTIVATION: int(DEFAULT_SITE_ACTIVATION_DAYS),
}

inputs = shared.model_inputs()
indications = shared.indications()
names: dict[str, str] = inputs.countries["name"].astype(str).to_dict()
valid_iso3 = frozenset(names)


# ---- state ---------------------------------------------------------------------------------------
def page_state() -> dict:
    """This page's own slice of the session (never shared with other pages).

    ``open`` is what the builder holds: None, ``{"tab": name}`` for a scenario kept in this tab
    (``saved``), or ``{"id", "version", "name"}`` for a stored version; ``link`` is the
    (scenario, version) of the address bar last followed or written; ``fetched`` holds the
    stored versions already read, by (id, version) (a version never changes), and
    ``labels`` the labels of older versions offered for comparing.
    """
    if STATE not in st.session_state:
        st.session_state[STATE] = {"rows": None, "last_rows": None, "version": 0,
                                   "saved": {}, "open": None, "widgets": {}, "upload": None,
                                   "forecast": None, "proposal": None, "link_warning": None,
                                   "link": (None, None), "fetched": {}, "labels": {},
                                   "store_message": None}
    return st.session_state[STATE]


def editor_key() -> str:
    return f"scenario_editor_{page_state()['version']}"


def load_rows(rows) -> None:
    """Make ``rows`` the country table (a fresh editor, so no stale edits apply to it)."""
    state = page_state()
    state["rows"] = state["last_rows"] = rows.reset_index(drop=True)
    state["version"] += 1


def load_scenario(s: Scenario) -> None:
    """Write a validated scenario into the header widgets and the country table."""
    h = view.header_of(s)
    st.session_state[K_NAME] = h.name
    st.session_state[K_INDICATION] = h.indication
    st.session_state[K_TARGET] = h.target_patients
    st.session_state[K_TARGET_KIND] = h.target_kind
    st.session_state[K_DEADLINE] = h.deadline_months
    st.session_state[K_SEED] = h.seed
    load_rows(view.editor_frame(s))
    page_state()["link_warning"] = None
    page_state()["site_plan"] = s.site_list


def write_link(params: dict[str, str]) -> None:
    """Make the address bar reopen ``params`` (empty: nothing), remembered as followed."""
    shared.write_link(params)
    page_state()["link"] = (params.get(LINK_PARAM), params.get(VERSION_PARAM))


def open_link() -> dict[str, str]:
    """The link parameters that reopen what the builder holds (none when nothing is)."""
    opened = page_state()["open"]
    if opened is None:
        return {}
    return {LINK_PARAM: opened["tab"]} if "tab" in opened \
        else link_params(opened["id"], opened["version"])


def say(level: str, text: str) -> None:
    """Show ``text`` (plain, escaped here) in the saved scenarios section, once."""
    page_state()["store_message"] = (level, view.markdown_text(text))


def open_saved(name: str) -> None:
    """Load a scenario kept in this tab and make the link point at it (by its name)."""
    state = page_state()
    load_scenario(state["saved"][name])
    state["open"] = {"tab": name}
    st.session_state[K_OPEN] = view.tab_ref(name)
    write_link({LINK_PARAM: name})


def read_stored(item_id: str, version: int | None = None) -> tuple[StoredVersion, Scenario]:
    """A stored version open to the user (the latest when ``version`` is None) and its
    scenario, validated against today's catalogues.

    Raises StoreError (StoreUnavailable when the store cannot be used or nobody is signed in
    where sign-in is configured) or ScenarioError.
    """
    store, problem = workspace.store()
    user = workspace.user()
    if store is None or user is None:
        raise StoreUnavailable(problem or auth.SIGNED_OUT)
    stored = store.get(item_id, version, user=user)
    return stored, scenario_from_json(stored.payload, valid_iso3=valid_iso3,
                                      valid_indications=set(indications))


def show_stored(stored: StoredVersion, found: Scenario) -> None:
    """Load a stored version into the builder and select it below."""
    load_scenario(found)
    select_stored(stored, found)


def select_stored(stored: StoredVersion, found: Scenario) -> None:
    """Make a stored version (``found``, its scenario) the open one in the selectors."""
    state = page_state()
    state["open"] = {"id": stored.id, "version": stored.version, "name": stored.name}
    state["fetched"][(stored.id, stored.version)] = found
    st.session_state[K_OPEN] = view.store_ref(stored.id)
    st.session_state[K_VERSION] = stored.version


def reason(exc: StoreError | ScenarioError) -> str:
    """Why a stored version cannot be opened, in one line."""
    if isinstance(exc, ScenarioError):
        return "it no longer validates: " + "; ".join(exc.problems)
    return str(exc)


def open_stored(item_id: str, version: int | None = None) -> None:
    """Open a stored version from the selectors and link to it; when it cannot be opened,
    say why (the builder is then unchanged)."""
    try:
        stored, found = read_stored(item_id, version)
    except (StoreError, ScenarioError) as exc:
        say("warning", f"This scenario cannot be opened: {reason(exc)}. The builder is "
            "unchanged.")
        return
    show_stored(stored, found)
    write_link(link_params(stored.id, stored.version))


def on_open() -> None:
    ref = st.session_state.get(K_OPEN)
    if ref is None:
        return
    target = view.parse_ref(ref)
    if isinstance(target, str):
        if target in page_state()["saved"]:
            open_saved(target)
        return
    open_stored(target[0])


def on_version() -> None:
    opened, version = page_state()["open"], st.session_state.get(K_VERSION)
    if opened and "id" in opened and version is not None:
        open_stored(opened["id"], version)


def on_share(item_id: str, visibility: str) -> None:
    store, problem = workspace.store()
    user = workspace.user()
    if store is None or user is None:
        say("warning", f"The workspace store cannot be used: {problem or auth.SIGNED_OUT}")
        return
    try:
        store.share(item_id, visibility, user=user)
    except StoreError as exc:
        say("error", f"Who sees it was not changed: {exc}.")
        return
    page_state()["notice"] = ("Shared with the team: anyone signed in can open its link."
                              if visibility == TEAM else "Private: only you can open it now.")


def keep_in_tab(current: Scenario, why: str) -> None:
    """Keep the scenario in this tab only (the store cannot take it), select it, link to it
    by name and add it to the comparison; ``why`` says why, and that nothing is lost."""
    state = page_state()
    state["saved"][current.name] = current
    state["open"] = {"tab": current.name}
    ref = view.tab_ref(current.name)
    st.session_state[K_OPEN] = ref
    write_link({LINK_PARAM: current.name})
    add_to_comparison(ref)
    say("warning", f"'{current.name}' is kept in this browser tab only: {why} Nothing is "
        "lost while the tab stays open: save it again later, or download it.")


def add_to_comparison(ref: str) -> None:
    chosen = [r for r in st.session_state.get(K_COMPARE, []) if r != ref]
    if len(chosen) < MAX_COMPARE:
        chosen.append(ref)
    st.session_state[K_COMPARE] = chosen


def save_target(current: Scenario | None) -> str | None:
    """The stored scenario a save adds a version to: the open one when the name is still
    its name; None for a new scenario."""
    opened = page_state()["open"]
    if current is not None and opened and "id" in opened and opened["name"] == current.name:
        return opened["id"]
    return None


def save(current: Scenario) -> None:
    """Save the scenario as a new version in the workspace store (a new stored scenario when
    :func:`save_target` is None); select it, link to it, add it to the comparison.

    Called inline (not as a callback) so that a name typed just before the click is used,
    and before the note and the selectors below are drawn, so their keys may still be set.
    """
    store, problem = workspace.store()
    user = workspace.user()
    if user is None:
        keep_in_tab(current, auth.SIGNED_OUT)
        return
    if store is None:
        keep_in_tab(current, f"the workspace store cannot be used ({problem}).")
        return
    target = save_target(current)
    try:
        stored = store.save_scenario(
            scenario_to_json(current), user=user, note=st.session_state.get(K_NOTE, ""),
            scenario_id=target,
            visibility=(st.session_state.get(K_VISIBILITY, PRIVATE)
                        if target is None and user.signed_in else None))
    except StoreUnavailable as exc:
        keep_in_tab(current, f"the save did not reach the workspace store ({exc}).")
        return
    except StoreError as exc:
        say("error", f"'{current.name}' was not saved: {exc}.")
        return
    select_stored(stored, current)
    st.session_state[K_NOTE] = ""
    write_link(link_params(stored.id, stored.version))
    add_to_comparison(view.store_ref(stored.id))
    st.toast(view.markdown_text(
        f"Saved '{stored.name}' as version {stored.version} in the workspace store."
        if stored.version > 1 else f"Saved '{stored.name}' in the workspace store."))


def follow_link() -> None:
    """Open what a changed link names: a stored scenario (``?scenario=<id>[&version=N]``) or,
    in the older form, a scenario kept in this tab by its name. A link that cannot be
    followed is said so, and the builder keeps what it shows."""
    state = page_state()
    raw, raw_version = st.query_params.get(LINK_PARAM), st.query_params.get(VERSION_PARAM)
    if raw is None:
        return
    if raw_version is None and raw in state["saved"]:
        open_saved(raw)
        return
    problem, keep = None, False
    try:
        item_id = check_id(raw)
        version = None if raw_version is None else check_version(raw_version)
    except StoreError as exc:
        problem = (f"The link asks for the scenario '{view.safe_text(raw)}', which is neither "
                   f"in the workspace store ({exc}) nor kept in this browser tab (scenarios "
                   "kept in a tab live only as long as the tab).")
    else:
        if workspace.user() is None:
            problem, keep = ("Log in (in the sidebar) to open the linked scenario, then open "
                             "the link again."), True
        else:
            try:
                show_stored(*read_stored(item_id, version))
            except NotFoundError as exc:
                problem = f"The linked scenario was not found or is not shared with you: {exc}."
            except StoreUnavailable as exc:
                problem, keep = f"The linked scenario cannot be opened now: {exc}", True
            except (StoreError, ScenarioError) as exc:
                problem = f"The linked scenario cannot be opened: {reason(exc)}."
    if problem is None:
        return
    state["link_warning"] = view.markdown_text(f"{problem} The scenario on the page is "
                                               "unchanged.")
    if not keep:  # the link points back at what the page shows
        write_link(open_link())


def compared(refs: list[str], stored_by_id: dict[str, VersionInfo],
             labels: dict[str, str]) -> tuple[list[Scenario], list[str]]:
    """The scenarios to compare, and the labelled reasons of those that cannot be read.

    An older version is named ``name · vN``; stored versions are read once per session.
    """
    state, chosen, unreadable = page_state(), [], []
    for ref in refs:
        target = view.parse_ref(ref)
        if isinstance(target, str):
            chosen.append(state["saved"][target])
            continue
        item_id, older = target
        number = older or stored_by_id[item_id].latest
        found = state["fetched"].get((item_id, number))
        if found is None:
            try:
                found = state["fetched"][(item_id, number)] = read_stored(item_id, number)[1]
            except (StoreError, ScenarioError) as exc:
                unreadable.append(f"{labels[ref]}: {reason(exc)}")
                continue
        chosen.append(found if older is None else replace(found, name=f"{found.name} · v{number}"))
    return chosen, unreadable


def on_scenario_file() -> None:
    """Restore an uploaded scenario; a bad file changes nothing but the error shown."""
    state = page_state()
    uploaded = st.session_state.get(K_FILE)
    if uploaded is None:
        state["upload"] = None
        return
    try:
        found = read_scenario_file(uploaded.getvalue(), uploaded.name, valid_iso3=valid_iso3,
                                   valid_indications=set(indications))
    except ScenarioError as exc:
        state["upload"] = {"file": uploaded.name, "problems": exc.problems}
        return
    load_scenario(found[0])
    if len(found) > 1:  # an exported comparison: keep every scenario for comparing
        for s in found:
            state["saved"][s.name] = s
    state["upload"] = {"file": uploaded.name, "loaded": [s.name for s in found]}


def use_proposal(s: Scenario) -> None:
    load_scenario(s)
    page_state()["proposal"] = None
    page_state()["notice"] = "The optimiser's proposal is now the scenario."


def take_plan(request: plan_view.PlanRequest) -> None:
    """Start a new scenario of Explore's selection (its target, deadline and seed are the
    builder's), at Explore's eligible share and site activation: the model's start-up and
    pool cap are then the ones Explore showed."""
    state = page_state()
    load_scenario(plan_view.planned_scenario(
        request, state.get("current") or view.default_scenario(), set(indications)))
    st.session_state[K_ELIGIBILITY] = request.eligibility_pct
    st.session_state[K_ACTIVATION] = request.activation_days
    state["open"] = None  # a new, unsaved scenario: the link no longer names a saved one
    state["plan_notice"] = plan_view.plan_notice(request, names)


def reset_assumptions() -> None:
    for key, value in ASSUMPTION_DEFAULTS.items():
        st.session_state[key] = value


state = page_state()
if state["rows"] is None:  # first visit: the shipped example
    load_scenario(view.default_scenario())
    for key, value in {**ASSUMPTION_DEFAULTS, K_SIMS: DEFAULT_N_SIMS,
                       K_LIVE: False, K_GOAL: planning.GOAL_DEADLINE, K_FROM_ZERO: False}.items():
        st.session_state.setdefault(key, value)
for key, value in state["widgets"].items():  # back from another page
    if key not in st.session_state:
        st.session_state[key] = value
if editor_key() not in st.session_state and state["last_rows"] is not None:
    state["rows"] = state["last_rows"]

pending = st.session_state.pop(LOAD, None)
if pending is not None:
    load_scenario(pending)
planned = st.session_state.pop(plan_view.PLAN_KEY, None)
if planned is not None:  # "Plan these countries" on Explore
    take_plan(planned)

link = (st.query_params.get(LINK_PARAM), st.query_params.get(VERSION_PARAM))
if link != state["link"]:
    state["link"] = link
    follow_link()
    if link == (None, None):  # back from another page: link to what the builder holds
        write_link(open_link())

# ---- header --------------------------------------------------------------------------------------
st.title("Scenario builder")
st.caption("Plan countries and sites, forecast months to the patient target with a "
           "Poisson-gamma Monte Carlo model, compare plans side by side and export them.")
if state["link_warning"]:
    st.warning(state["link_warning"], icon="⚠️")
notice = state.pop("notice", None)
if notice:
    st.toast(notice)
plan_notice = state.pop("plan_notice", None)
if plan_notice:
    st.info(view.markdown_text(plan_notice), icon=":material/map:")

c_name, c_ind, c_target, c_kind, c_deadline, c_seed = st.columns([2.4, 1.9, 1.3, 1.4, 1.5, 1.1])
name = c_name.text_input(FIELDS["name"].header, key=K_NAME, max_chars=MAX_NAME_LENGTH)
indication_id = c_ind.selectbox(FIELDS["indication"].header, list(indications),
                                key=K_INDICATION, format_func=lambda i: indications[i].name)
target = c_target.number_input(FIELDS["target_patients"].header, min_value=1,
                               max_value=MAX_TARGET_PATIENTS, step=10, key=K_TARGET)
target_kind = c_kind.selectbox(FIELDS["target_kind"].header, list(TARGET_KINDS),
                               key=K_TARGET_KIND, help=FIELDS["target_kind"].description,
                               format_func={TARGET_RANDOMISED: "randomised patients",
                                            TARGET_EVALUABLE: "evaluable patients"}.get)
deadline = c_deadline.number_input(FIELDS["deadline_months"].header, min_value=0.0,
                                   max_value=MAX_DEADLINE_MONTHS, value=None, step=1.0,
                                   key=K_DEADLINE, placeholder="none",
                                   help=FIELDS["deadline_months"].description)
seed = c_seed.number_input(FIELDS["seed"].header, min_value=0, max_value=MAX_APP_SEED, step=1,
                           key=K_SEED, help=FIELDS["seed"].description)

c_elig, c_act, c_sims, c_reset = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
eligibility_pct = c_elig.slider(
    "Eligible share of diagnosed patients [%]", 1, 100, key=K_ELIGIBILITY,
    help=f"Default {ASSUMPTION_DEFAULTS[K_ELIGIBILITY]} % (assumption). Sets each country's "
         "eligible pool, which caps what it can recruit.")
activation_days = c_act.slider(
    "Site activation after approval [days]", 0, 365, step=5, key=K_ACTIVATION,
    help=f"Default {ASSUMPTION_DEFAULTS[K_ACTIVATION]} days (assumption): contracts, site "
         "initiation and local ethics. Added to the approval time in the model start-up.")
n_sims = c_sims.select_slider("Simulated trials", options=list(view.SIMS_CHOICES), key=K_SIMS,
                              format_func=lambda n: f"{n:,}",
                              help=f"Monte Carlo runs; default {DEFAULT_N_SIMS:,}.")
c_reset.button("Defaults", key="scenario_reset_assumptions", on_click=reset_assumptions,
               help="Reset the eligible share and the site activation to their defaults.")
st.caption(f"Model assumptions (defaults: eligible share "
           f"{ASSUMPTION_DEFAULTS[K_ELIGIBILITY]} %, site activation "
           f"{ASSUMPTION_DEFAULTS[K_ACTIVATION]} days) apply to every scenario on this page, "
           "saved ones included; they are not part of the exported scenario.")
eligibility = eligibility_pct / 100
activation = float(activation_days)
header = view.Header(name, indication_id, target, deadline, seed, target_kind)


@st.cache_data(show_spinner=False, max_entries=128)
def resolve_cached(scenario: Scenario, eligibility: float, activation: float):
    """The scenario with every value filled in from the model or the defaults."""
    return planning.resolve_with_model(shared.inputs_for(scenario.indication), scenario,
                                       eligibility, activation)


@st.cache_data(show_spinner=False, max_entries=64)
def forecast_cached(scenario: Scenario, eligibility: float, activation: float, n: int):
    return forecast.forecast(resolve_cached(scenario, eligibility, activation), n_sims=n)


@st.cache_data(show_spinner=False, max_entries=64)
def rate_cv_cached(scenario: Scenario, eligibility: float, activation: float):
    """What the rate CVs (the table's, else the proposed ones) do to the P10-P90."""
    return view.rate_cv_effect(resolve_cached(scenario, eligibility, activation))


@st.cache_data(show_spinner=False, max_entries=16)
def reforecast_cached(scenario: Scenario, eligibility: float, activation: float, actuals,
                      as_of, n: int):
    """The rest of the trial forecast from the actual enrollment at ``as_of``."""
    return reforecast.reforecast(resolve_cached(scenario, eligibility, activation), actuals,
                                 as_of, n_sims=n)


@st.cache_data(show_spinner=False, max_entries=32)
def compare_cached(scenarios: tuple[Scenario, ...], eligibility: float, activation: float,
                   n: int):
    resolved = [resolve_cached(s, eligibility, activation) for s in scenarios]
    return planning.compare(resolved, n_sims=n)


@st.cache_data(show_spinner=False, max_entries=16)
def locate_cached(data: bytes):
    """Parsed and located sites of an uploaded site list (raises on a bad file)."""
    parsed = site_lists.parse_site_list(data, valid_iso3)
    with shared.spatial() as cur:
        return site_lists.locate(cur, parsed)


def read_site_list(uploaded):
    """The located sites of an uploaded site list, read once per upload: a refused file
    raises the remembered refusal on every rerun instead of being parsed again."""
    state = page_state()
    memo = state.get("site_list")
    if memo is None or memo[0] != uploaded.file_id:
        try:
            outcome = locate_cached(uploaded.getvalue())
        except (UploadError, SiteListError) as exc:
            outcome = exc
        state["site_list"] = memo = (uploaded.file_id, outcome)
    if isinstance(memo[1], Exception):
        raise memo[1].with_traceback(None)
    return memo[1]


def show_site_plan(current: Scenario) -> None:
    """The plan's listed sites: a table, a map of those with coordinates, a CSV download."""
    frame = site_lists.sites_frame(current.site_list)
    with st.expander(f"Sites in this plan ({len(frame)} listed)", expanded=True):
        left, right = st.columns([1, 1])
        left.dataframe(view.site_plan_table(frame, names), hide_index=True,
                       key="scenario_plan_sites", placeholder="—")
        left.caption("A listed site's historic rate is its rate in the forecast; the "
                     "country's other sites keep the country's rate.")
        left.download_button(
            "Download the sites (CSV)", site_lists.sites_to_csv(current.site_list),
            key="scenario_dl_sites", file_name=f"{view.file_stem(current.name)}-sites.csv",
            mime="text/csv", help="A site list: upload it under 'Site list (CSV)' to plan "
            "these sites again. The scenario JSON holds them too.")
        deck = view.site_map(frame, shared.country_shapes())
        if deck is None:
            right.caption("No listed site has coordinates to map.")
        else:
            right.pydeck_chart(deck, key="scenario_plan_site_map", height=320)
            with right:
                shared.attribution()


def yield_point(slot) -> Callable[[], bool]:
    """The optimiser's ``should_stop``: about every 0.3 s it writes the time spent and the
    steps and Monte Carlo checks so far into ``slot``, and at that write Streamlit ends this
    run when the session asked (a newer click replaces it, the tab was closed); it never asks
    to stop by itself."""
    started = last = time.monotonic()
    calls = 0

    def should_stop() -> bool:
        nonlocal last, calls
        calls += 1
        now = time.monotonic()
        if now - last >= 0.3:
            last = now
            slot.caption(f"Optimising … {now - started:.0f} s, {calls:,} site steps and "
                         "Monte Carlo checks so far")
        return False

    return should_stop


# ---- countries and sites -------------------------------------------------------------------------
st.header("Countries and sites")
st.caption("One row per country. Leave an override empty to use the model or the default; "
           "the table below says which value each country gets and where it comes from.")
number = st.column_config.NumberColumn
edited = st.data_editor(
    state["rows"], key=editor_key(), num_rows="dynamic", hide_index=True, width="stretch",
    placeholder="auto",
    column_config={
        "iso3": st.column_config.SelectboxColumn(
            FIELDS["iso3"].header, options=sorted(valid_iso3), required=True, width="medium",
            format_func=lambda code: f"{code} · {names.get(code, code)}"),
        **{col: number(c.label, min_value=c.min_value, max_value=c.max_value, step=c.step,
                       format=c.format, help=c.help, required=c.required)
           for col, c in view.EDITOR_NUMBERS.items()},
    },
)
state["last_rows"] = edited.reset_index(drop=True)

current: Scenario | None = None
try:
    current = view.scenario_from_editor(header, edited, valid_iso3=valid_iso3,
                                        valid_indications=set(indications))
    current = site_lists.with_site_plan(current, state.get("site_plan", ()))
except ScenarioError as exc:
    st.error("**The scenario cannot be forecast yet:**\n\n" + view.markdown_list(exc.problems))

resolved = None
if current is not None:
    state["current"] = current  # the last valid scenario: a plan from Explore keeps its target
    resolved = resolve_cached(current, eligibility, activation)
    frame = shared.country_frame(current.indication, eligibility, activation)
    st.markdown("**What the forecast uses** — each value with where it comes from: *user* "
                "(your table), *model* (regulatory start-up, patient funnel) or *default* "
                "(a published figure or a stated assumption).")
    st.dataframe(
        view.resolved_table(resolved, names, frame["startup_basis"].astype(str).to_dict(),
                            incident=indications[current.indication].unit
                            == "incident_per_year"),
        hide_index=True, key="scenario_resolved", width="stretch",
        column_config={
            "Rate [patients/site/month]": number(format="%.2f"),
            "Rate shape α": number(format="%.2f"),
            "Start-up [days]": number(format="%.0f"),
            "Start-up sd [days]": number(format="%.0f"),
            "Never-activate share": number(format="%.2f"),
            "Screen fail [0-1]": number(format="%.2f"),
            "Dropout [0-1]": number(format="%.2f"),
            "Rate CV [-]": number(format="%.2f"),
            **{col: number(format="localized") for col in view.RESOLVED_COSTS},
            "Eligible pool cap [patients]": number(format="localized"),
        }, placeholder="—")
    st.caption(view.DEFAULTS_LEGEND)
    effect = rate_cv_cached(current, eligibility, activation)
    c_effect, c_use = st.columns([5, 1.2], vertical_alignment="center")
    c_effect.markdown(view.rate_cv_text(effect, names))
    # inline, not a callback: the CVs merge into this run's table edits
    if effect.proposed and c_use.button(
            "Use these CVs", key=K_USE_RATE_CV,
            help="Writes each proposed CV into the table's Rate CV column where it is empty "
                 "or 0; a CV you typed is kept. Change them there."):
        load_rows(view.rows_with_rate_cv(edited, effect.proposed))
        state["notice"] = "The table now holds the proposed rate CVs."
        st.rerun()
    if current.site_list:
        show_site_plan(current)

# ---- start from ----------------------------------------------------------------------------------
st.header("Start from")
t_opt, t_sites, t_file = st.tabs(["Optimiser proposal", "Site list (CSV)",
                                  "Scenario file (JSON or CSV)"])

with t_opt:
    st.caption("Adds sites until the Monte Carlo chance of meeting the deadline reaches the "
               "confidence (fewest sites; lowest expected cost when costs are given), among "
               "the countries in the table, up to each country's *Max sites* (empty: no cap) "
               "and its eligible pool.")
    goal = st.radio("Goal", list(planning.GOALS), key=K_GOAL, horizontal=True,
                    format_func=lambda g: {planning.GOAL_DEADLINE: "Meet the deadline with the "
                                           "fewest sites",
                                           planning.GOAL_BUDGET: "Fastest with a total number of "
                                           "sites"}[g])
    confidence = st.number_input("Confidence (chance of meeting the deadline)", 0.01, 0.99,
                                 planning.DEFAULT_CONFIDENCE, 0.05, key="scenario_opt_confidence")
    budget = None
    if goal == planning.GOAL_BUDGET:
        st.session_state.setdefault(K_BUDGET, max(10, (resolved.total_sites if resolved else 0)
                                                  + 10))
        budget = st.number_input("Most sites in total", min_value=1, max_value=MAX_TOTAL_SITES,
                                 step=1, key=K_BUDGET)
    elif header.deadline_months is None:
        st.info("Set a deadline above to let the optimiser meet it.")
    from_zero = st.checkbox("Start every country from 0 sites (otherwise add to the current "
                            "sites)", key=K_FROM_ZERO)
    can_propose = resolved is not None and (goal == planning.GOAL_BUDGET
                                            or header.deadline_months is not None)
    opt_key = (current, eligibility, activation, n_sims, goal, budget, from_zero, confidence)
    if st.button("Propose sites", key=K_PROPOSE, disabled=not can_propose):
        try:
            with st.status("Optimising the site mix: the closed form ranks sites, then "
                           f"Monte Carlo checks ({n_sims:,} trials each) judge the plans …"
                           ) as progress:
                started = time.monotonic()
                result = planning.propose(resolved, goal, deadline_months=header.deadline_months,
                                          max_total_sites=budget, from_zero=from_zero,
                                          confidence=confidence, n_sims=n_sims,
                                          should_stop=yield_point(st.empty()))
                progress.update(label=f"Optimised in {time.monotonic() - started:.1f} s "
                                      f"({len(result.checks)} Monte Carlo checks)",
                                state="complete", expanded=False)
        except BudgetError as exc:
            st.error(view.markdown_text(f"No proposal: {exc}."))
        else:
            state["proposal"] = {"key": opt_key, "result": result}
    proposal = state["proposal"]
    if proposal is not None and proposal["key"] == opt_key:
        opt = proposal["result"]
        m1, m2, m3 = st.columns(3)
        h = opt.confirmed.horizon_months if opt.confirmed else MAX_HORIZON_MONTHS
        if opt.baseline is not None and opt.confirmed is not None:
            m1.metric("P50 now (Monte Carlo)", view.months_text(opt.baseline.p50, h))
            m2.metric("P50 with the proposal", view.months_text(opt.confirmed.p50, h))
        m3.metric("Sites added", len(opt.steps))
        if opt_metrics := view.optimiser_metrics(opt):
            for column, (label, value, help_text) in zip(st.columns(3), opt_metrics,
                                                         strict=False):
                column.metric(label, value, help=help_text)
        st.caption(f"Stopped: {opt.stop_reason}.")
        if opt.reason:
            st.error(view.markdown_text(f"The goal is not met: {opt.reason}."))
        for warning in opt.warnings:
            st.warning(warning)
        if opt.steps:
            st.dataframe(view.optimiser_summary(opt, planning.optimiser_base(resolved, from_zero),
                                                names),
                         hide_index=True, key="scenario_opt_summary")
            st.markdown("**Why these sites** — each step added the site the closed form ranked "
                        "first (its quantile at the confidence, or the median, and the gain):")
            st.dataframe(view.optimiser_steps(opt, names), hide_index=True, height=260,
                         key="scenario_opt_steps", width="stretch")
            st.button("Use this proposal", key=K_USE_PROPOSAL, type="primary",
                      on_click=use_proposal, args=(opt.proposal.scenario,))
        elif opt.met is not False:
            st.success("No site to add: the plan already meets the goal.")
    elif proposal is not None:
        st.info("The scenario or the goal changed since the last proposal: propose again.")

with t_sites:
    st.caption("A CSV with `site_name` and either `country` (a name such as Brazil or "
               "South Korea, or an ISO2/ISO3 code) or `latitude` and `longitude`, optionally "
               "`city` and `historic_rate` [patients/site/month]. The table becomes one row "
               "per listed country with its number of sites, and the sites stay in the plan "
               "(mapped, saved and downloaded with it; a historic rate is that site's rate).")
    site_file = st.file_uploader("Site list", key=K_SITE_FILE)
    if site_file is not None:
        try:
            located = read_site_list(site_file)
        except UploadError as exc:
            st.error(f"**{view.markdown_text(site_file.name)} was not read** (the table is "
                     "unchanged):\n\n" + view.markdown_list([str(exc)]))
        except SiteListError as exc:
            st.error(f"**{view.markdown_text(site_file.name)} has problems** (the table is "
                     "unchanged):\n\n" + view.markdown_list(exc.problems))
        else:
            counts = view.site_counts_table(located, names)
            new_rows, notes = view.rows_with_site_counts(edited, counts)
            issues = view.site_list_issues(located)
            left, right = st.columns([1, 1])
            with left:
                st.markdown(f"**{len(located)} sites in {len(counts)} countries**")
                st.dataframe(counts, hide_index=True, key="scenario_site_counts",
                             placeholder="—")
                if issues:
                    st.warning("**Mismatches and sites not counted:**\n\n"
                               + view.markdown_list(issues))
                if notes:
                    st.caption("Using these counts: " + "; ".join(notes) + ".")
                unusable = site_lists.count_problems(site_lists.count_per_country(located))
                if unusable:  # checked before any button is offered
                    st.error("**These site counts cannot be planned** (the table is "
                             "unchanged):\n\n" + view.markdown_list(unusable))
                # inline, not a callback: the counts merge into this run's table edits
                elif st.button("Use these site counts", key=K_USE_SITES, type="primary",
                               disabled=counts.empty):
                    load_rows(new_rows)
                    state["site_plan"] = site_lists.site_plan(located)
                    state["notice"] = view.markdown_text(
                        f"The table now holds the site counts of {site_file.name}.")
                    st.rerun()
            with right:
                deck = view.site_map(located, shared.country_shapes())
                if deck is None:
                    st.caption("No coordinates to map.")
                else:
                    st.pydeck_chart(deck, key="scenario_site_map", height=320)
                    shared.attribution()

with t_file:
    st.caption("A scenario JSON, CSV or Excel workbook exported from this page (the "
               "workbook's Scenario sheet may be edited). It replaces the current scenario "
               "only if the whole file is valid.")
    st.file_uploader("Scenario file", key=K_FILE, on_change=on_scenario_file)
    upload = state["upload"]
    if upload and upload.get("problems"):
        st.error(f"**{view.markdown_text(upload['file'])} was not loaded** — the current "
                 "scenario is unchanged. Problems:\n\n" + view.markdown_list(upload["problems"]))
    elif upload and upload.get("loaded"):
        restored = ", ".join(f"'{n}'" for n in upload["loaded"])
        st.success(view.markdown_text(f"Restored {restored} from {upload['file']}.")
                   + (" Every scenario of the file is also kept in this tab for comparing."
                      if len(upload["loaded"]) > 1 else ""))

# ---- forecast ------------------------------------------------------------------------------------
st.header("Forecast")
c_run, c_live = st.columns([1, 3], vertical_alignment="center")
run = c_run.button("Run forecast", key=K_RUN, type="primary", disabled=current is None)
live = c_live.toggle("Re-run on every change", key=K_LIVE)
fc_key = (current, eligibility, activation, n_sims)
if current is not None and (run or live):
    try:
        with st.status(f"Forecasting {n_sims:,} simulated trials …") as progress:
            started = time.monotonic()
            st.write(f"Simulating {n_sims:,} trials (seed {current.seed}): time to target, "
                     "curves and milestones …")
            state["forecast"] = {"key": fc_key,
                                 "result": forecast_cached(current, eligibility, activation,
                                                           n_sims)}
            progress.update(label=f"Forecast: {n_sims:,} simulated trials in "
                                  f"{time.monotonic() - started:.1f} s",
                            state="complete", expanded=False)
    except BudgetError as exc:
        st.error(view.markdown_text(f"This forecast was not run: {exc}"))
shown = state["forecast"]
result = shown["result"] if shown is not None and shown["key"] == fc_key else None
if result is not None and resolved is not None:
    cost = view.plan_cost(resolved, result)
    for column, (label, value, help_text) in zip(
            st.columns(len(metrics := view.forecast_metrics(result, cost))), metrics,
            strict=True):
        column.metric(label, value, help=help_text)
    st.caption(f"Monte Carlo, {result.n_sims:,} simulated trials, seed {result.seed} "
               f"({result.path.replace('_', ' ')}); curves to {result.horizon_months} months. "
               "Band: P10-P90 of the cumulative patients; line: median; dashed red: target; "
               "dotted: deadline.")
    for warning in result.warnings:
        st.warning(warning, icon="⚠️")
    st.altair_chart(charts.curve_chart(result), key="scenario_curve", width="stretch")
    c_funnel, c_cost = st.columns(2)
    c_funnel.markdown(f"**Screened → randomised → completing**, expected patients at the "
                      f"median time ({result.patients_at_months:.1f} months)")
    c_funnel.dataframe(view.funnel_table(result, names), hide_index=True, key="scenario_funnel",
                       width="stretch")
    if all(c.screen_fail_share == 0 and c.dropout_share == 0 for c in resolved.countries):
        c_funnel.caption("Screen failure and dropout are 0 in every country (assumptions: set "
                         "them in the table above), so the three columns agree.")
    c_cost.markdown("**Expected cost** to the median time")
    if cost.total is None and not cost.not_counted:
        c_cost.caption("No cost is given (start-up cost per site, cost per site per month, "
                       "cost per randomised patient): costs are not totalled, never taken "
                       "as 0.")
    else:
        c_cost.dataframe(view.cost_table(cost), hide_index=True, key="scenario_costs",
                         width="stretch")
    st.markdown("**Per-country contributions** at the median time to target")
    st.table(view.contributions_table(result, resolved, names).style.format(
        {"Expected patients at P50": "{:,.1f}", "Share [%]": "{:.1f}",
         "Pool cap [patients]": "{:,.0f}", "Cost per patient": "{:,.0f}",
         "Patient cost at P50": "{:,.0f}"}, na_rep="—"))
    if result.milestones:
        st.subheader("Milestones")
        st.caption("Per row a bar from P10 to P90 and a black tick at P50 [months from start]: "
                   "the trial, then each country (the last patient in is the trial's). Shares "
                   "count the *planned* sites and a site that never opens never counts, so 90 "
                   "% of them may never be open: a bar whose P90 is not reached runs to the "
                   "chart's end, drawn light, with no tick when its P50 is not reached either "
                   "(the table reads '> horizon'). Dotted: deadline.")
        st.altair_chart(
            charts.milestone_chart(view.milestones_frame(result, names), result.horizon_months,
                                   result.deadline_months, result.target_patients),
            key="scenario_milestones_chart", width="stretch")
        with st.expander("Milestones as a table"):
            st.dataframe(view.milestones_table(result, names), hide_index=True,
                         key="scenario_milestones", width="stretch")
elif shown is not None and current is not None:
    st.info("The scenario changed since the last forecast: press **Run forecast** again.")
else:
    st.caption("Press **Run forecast** to simulate the scenario.")

# ---- downloads -----------------------------------------------------------------------------------
if current is not None:
    stem = view.file_stem(current.name)
    d_csv, d_json, d_xlsx, d_ms, _ = st.columns([1, 1, 1, 1.4, 1.6])
    d_csv.download_button(
        "Download CSV", scenario_to_csv(current, result), key="scenario_dl_csv",
        file_name=f"{stem}.csv", mime="text/csv",
        help="One row per country; with the forecast's outputs when the forecast is shown.")
    d_json.download_button("Download JSON", scenario_to_json(current),
                           key="scenario_dl_json", file_name=f"{stem}.json",
                           mime="application/json")
    d_xlsx.download_button(
        "Download Excel", view.workbook_builder(
            [resolved], eligibility=eligibility, activation=activation, frame=frame,
            sources=shared.data_sources(), n_sims=n_sims, result=result),
        key="scenario_dl_xlsx", file_name=view.report_file_name([current.name]),
        mime=view.XLSX_MIME, on_click="ignore",
        help="The report workbook: the scenario, every value the forecast uses with its "
             "source, the forecast (run now when none is shown) with its milestones, "
             "assumptions and sources. Upload it under 'Scenario file', edited or not, to "
             "restore the scenario.")
    if result is not None and result.milestones:
        d_ms.download_button(
            "Download milestones", view.milestones_csv(result, names),
            key="scenario_dl_milestones", file_name=f"{stem}-milestones.csv", mime="text/csv",
            help="A CSV: P10/P50/P90 of each milestone [months from start], the trial and "
                 "each country; empty when not reached within the horizon.")

# ---- re-forecast from actual enrollment ---------------------------------------------------------
st.header("Re-forecast from actual enrollment")
st.caption("A CSV with one row per site: `iso3`, `site_id`, `opened_on` (YYYY-MM-DD, empty if "
           "not open yet) and `randomised` (patients to date); commas, semicolons with "
           "decimal commas, tabs or pipes. Each open site's rate is updated by its own record "
           "(Anisimov & Fedorov 2007: Gamma(α + k, β + r τ) for k patients in τ months open, "
           "r the randomised share of those screened); sites not open keep the plan's rate "
           "and start-up, counted from the as-of date. A refused file changes nothing.")
c_actuals, c_as_of, c_start = st.columns([3, 1.2, 1.6], vertical_alignment="bottom")
actuals_file = c_actuals.file_uploader("Actual enrollment (CSV)", key=K_ACTUALS_FILE,
                                       type=["csv", "txt", "tsv"])
as_of = c_as_of.date_input("As of", key=K_AS_OF, max_value=dt.date.today(),
                           help="The date the counts are from (no opening date may be later).")
actuals = None
if actuals_file is not None and resolved is not None:
    try:
        actuals = view.read_actuals(actuals_file.getvalue(), resolved, as_of)
    except UploadError as exc:
        st.error(f"**{view.markdown_text(actuals_file.name)} was not used** — the scenario "
                 "and its forecast are unchanged. Problems:\n\n"
                 + view.markdown_list(exc.problems))
elif actuals_file is not None:
    st.info("Fix the scenario above first: the actuals are checked against its countries.")
if actuals is not None and current is not None:
    plan_fc = forecast_cached(current, eligibility, activation, n_sims)
    proposed_start = view.default_start(plan_fc, actuals)
    start = c_start.date_input(
        "Trial start (month 0 of the plan)", value=proposed_start, key=K_START,
        max_value=as_of, help="Places the plan on the calendar. Proposed: the first site's "
                              "opening less the plan's median time to the first site open; "
                              "set your trial's start. The deadline counts from it.")
    rf_key = (current, eligibility, activation, n_sims, actuals, as_of)
    if st.button("Re-forecast", key=K_REFORECAST, type="primary"):
        with st.status(f"Re-forecasting from {len(actuals)} sites of actuals …") as progress:
            started = time.monotonic()
            opened = sum(a.opened_on is not None for a in actuals)
            st.write(f"Updating the rates of {opened} open sites from their own records; "
                     f"{resolved.total_sites - opened} planned sites not open yet keep the "
                     "plan's rate …")
            st.write(f"Simulating the rest of the trial from {as_of} ({n_sims:,} trials) …")
            state["reforecast"] = {"key": rf_key, "result": reforecast_cached(
                current, eligibility, activation, actuals, as_of, n_sims)}
            progress.update(label=f"Re-forecast: {len(actuals)} sites, {n_sims:,} simulated "
                                  f"trials in {time.monotonic() - started:.1f} s",
                            state="complete", expanded=False)
    shown_rf = state.get("reforecast")
    if shown_rf is not None and shown_rf["key"] == rf_key:
        rf = shown_rf["result"]
        rf_metrics = view.reforecast_metrics(rf, start, current.deadline_months)
        for row in (rf_metrics[:2] + rf_metrics[5:], rf_metrics[2:5]):  # counts, then dates
            for column, (label, value, help_text) in zip(st.columns(3), row, strict=False):
                column.metric(label, value, help=help_text)
        for warning in rf.warnings + (rf.result.warnings if rf.result else ()):
            st.warning(warning, icon="⚠️")
        if start is None:
            st.info("Set the trial start to see the plan against the actuals on one calendar.")
        else:
            bands, actual = view.plan_vs_actual(plan_fc, rf, start)
            deadline_date = (None if current.deadline_months is None
                             else view.months_after(start, current.deadline_months))
            st.altair_chart(charts.plan_vs_actual_chart(bands, actual, current.target_patients,
                                                        deadline_date, as_of),
                            key="scenario_plan_vs_actual", width="stretch")
            st.caption(f"Blue: the plan's P10-P90 band and median from {start}; black: the "
                       f"actual patients to {as_of}; orange: the re-forecast's band from "
                       "then; dashed red: target; dotted: deadline; grey: the as-of date.")
        st.dataframe(view.actuals_table(rf, resolved, names), hide_index=True,
                     key="scenario_actuals_table", width="stretch")
    elif shown_rf is not None:
        st.info("The scenario, the file or the date changed: press **Re-forecast** again.")

# ---- saved scenarios -----------------------------------------------------------------------------
st.header("Saved scenarios")
status = st.container()
c_save, c_note, c_who = st.columns([1.3, 3, 2], vertical_alignment="bottom")
if c_save.button("Save current scenario", key=K_SAVE, disabled=current is None,
                 help="Every save is a new version; a scenario with the open one's name is its "
                      "next version, another name a new scenario.") and current is not None:
    save(current)

store, store_problem = workspace.store()
user = workspace.user()
listing: list[VersionInfo] = []
if store is not None and user is not None:
    try:
        listing = store.list(user=user)
    except StoreError as exc:
        store, store_problem = None, str(exc)
stored_by_id = {i.id: i for i in listing}
opened = state["open"] if state["open"] and "id" in state["open"] else None
versions: list[VersionInfo] = []
if opened is not None and store is not None and user is not None:
    try:
        versions = store.versions(opened["id"], user=user)
    except StoreError:
        versions = []  # no longer open to this user, or the store just went down

with status:
    if user is None:
        st.info(auth.SIGNED_OUT)
    elif store is None:
        st.warning(view.markdown_text(
            f"The workspace store cannot be used: {store_problem} Saving keeps scenarios in "
            "this browser tab until it is back; download them to keep them."))
    elif user.signed_in:
        st.caption(view.markdown_text(
            f"Saved in the workspace store as {user.name}, every save a new version; private "
            "to you unless you share it with the team."))
    else:
        st.caption(view.markdown_text(
            f"{auth.SINGLE_TEAM}. Every save is a new version in the workspace store."))
    if state["store_message"] is not None:
        level, text = state["store_message"]
        (st.error if level == "error" else st.warning)(text)
        state["store_message"] = None

c_note.text_input("Note for this version (optional)", key=K_NOTE, max_chars=MAX_NOTE_LENGTH,
                  placeholder="what changed, and why")
target = save_target(current)
if target is not None and target in stored_by_id:
    c_who.caption(view.markdown_text(
        f"Saving adds version {stored_by_id[target].latest + 1} of '{stored_by_id[target].name}'."))
elif user is not None and user.signed_in and store is not None:
    c_who.radio("Who sees a new scenario", [PRIVATE, TEAM], key=K_VISIBILITY, horizontal=True,
                format_func={PRIVATE: "Only me", TEAM: "The team"}.get)

saved = state["saved"]
labels = {i.id: view.stored_label(i) for i in listing} | {
    view.tab_ref(n): f"{n} · this tab only" for n in saved}
if st.session_state.get(K_OPEN) not in labels:
    st.session_state[K_OPEN] = None
c_open, c_version, c_share = st.columns([3, 2, 1.3], vertical_alignment="bottom")
c_open.selectbox("Open a saved scenario", list(labels), index=None, key=K_OPEN,
                 on_change=on_open, format_func=labels.get,
                 placeholder="Choose a saved scenario")
if versions:
    version_labels = {v.version: view.version_label(v) for v in versions}
    if st.session_state.get(K_VERSION) not in version_labels:
        st.session_state[K_VERSION] = opened["version"] if opened["version"] in version_labels \
            else versions[0].version
    c_version.selectbox("Version", list(version_labels), key=K_VERSION, on_change=on_version,
                        format_func=version_labels.get)
    for v in versions[1:]:  # older versions may be compared too
        state["labels"][view.store_ref(v.id, v.version)] = \
            f"{v.name} · {view.version_label(v)}"
mine = stored_by_id.get(opened["id"]) if opened is not None else None
if mine is not None and user is not None and user.signed_in and mine.owner_id == user.id:
    share_to = TEAM if mine.visibility == PRIVATE else PRIVATE
    c_share.button("Share with the team" if share_to == TEAM else "Make private",
                   key=K_SHARE, on_click=on_share, args=(mine.id, share_to),
                   help="Private: only you can open it, by the list or by its link. Shared: "
                        "anyone signed in to this app can.")
if listing:
    with st.expander(f"Every saved scenario open to you ({len(listing)})"):
        st.dataframe(view.stored_table(listing), hide_index=True, key="scenario_stored",
                     width="stretch")

chosen_now = st.session_state.get(K_COMPARE, [])
older = {ref: label for ref, label in state["labels"].items()
         if view.parse_ref(ref)[0] in stored_by_id
         and (ref in chosen_now or (opened is not None
                                    and view.parse_ref(ref)[0] == opened["id"]))}
compare_labels = {**{i.id: view.stored_label(i) for i in listing}, **older,
                  **{view.tab_ref(n): f"{n} · this tab only" for n in saved}}
st.session_state[K_COMPARE] = [r for r in chosen_now if r in compare_labels]
selected = st.multiselect(f"Scenarios to compare (up to {MAX_COMPARE})", list(compare_labels),
                          key=K_COMPARE, format_func=compare_labels.get)
problem = view.compare_problem(selected)
chosen, unreadable = ([], []) if problem else compared(selected, stored_by_id, compare_labels)
if problem:
    st.error(problem)
if unreadable:
    st.warning("**Left out of the comparison:**\n\n" + view.markdown_list(unreadable))
comparison = None
if chosen:
    try:
        with st.spinner(f"Forecasting {len(chosen)} scenarios × {n_sims:,} simulated trials "
                        "on one horizon …"):
            comparison = compare_cached(tuple(chosen), eligibility, activation, n_sims)
    except BudgetError as exc:
        st.error(view.markdown_text(f"The comparison was not run: {exc}"))
if comparison is not None:
    st.dataframe(view.comparison_table(comparison, [resolve_cached(s, eligibility, activation)
                                                    for s in chosen]),
                 hide_index=True, key="scenario_comparison", width="stretch")
    st.markdown("**Cumulative patients**: P10-P90 band and median per scenario; dashed: "
                "its target, dotted: its deadline")
    st.altair_chart(charts.comparison_chart(comparison), key="scenario_compare_curves",
                    width="stretch")
    c_prob, c_time = st.columns(2)
    c_prob.markdown("**Chance of meeting the deadline** (Monte Carlo); dashed: the "
                    "optimiser's confidence")
    c_prob.altair_chart(charts.probability_chart(comparison, confidence),
                        key="scenario_compare_prob", width="stretch")
    c_time.markdown("**Months to target**: P10-P90 bar, P50 tick; grey: each deadline")
    c_time.altair_chart(charts.time_to_target_chart(comparison),
                        key="scenario_compare_times", width="stretch")
    st.download_button("Download the comparison (CSV)",
                       scenarios_to_csv(chosen, list(comparison.results)),
                       key="scenario_dl_compare", file_name="scenario-comparison.csv",
                       mime="text/csv")
    if len({s.indication for s in chosen}) == 1:
        st.download_button(
            "Download the comparison (Excel)", view.workbook_builder(
                [resolve_cached(s, eligibility, activation) for s in chosen],
                eligibility=eligibility, activation=activation,
                frame=shared.country_frame(chosen[0].indication, eligibility, activation),
                sources=shared.data_sources(), n_sims=n_sims, comparison=comparison),
            key="scenario_dl_compare_xlsx", file_name=view.report_file_name(
                [s.name for s in chosen]), mime=view.XLSX_MIME, on_click="ignore")
    else:
        st.caption("The Excel comparison needs scenarios of one indication.")
elif compare_labels and not problem and not chosen:
    st.caption("Pick saved scenarios to compare them.")
elif not problem and not chosen:
    st.caption("Save the current scenario, change it, save it again under another name, "
               "then compare.")

# what a visit to another page must not forget (taken last: saving changes the selectors)
state["widgets"] = {k: st.session_state[k] for k in PERSISTED if k in st.session_state}
