"""Scenario builder: plan countries and sites, forecast enrollment, compare and export.

State: the widgets' own keys, plus one namespaced dict ``st.session_state["scenario_page"]``
holding the country table's base rows, the saved scenarios and the last results. A scenario
is loaded (from a file, the optimiser, a site list, a saved scenario or the link) only once it
validated, by writing the header widgets' keys and a new base table *before* those widgets are
drawn (in a callback, or at the top of the run through ``st.session_state["scenario_load"]``).
"""

from __future__ import annotations

import streamlit as st

from app_pages import shared
from footprint.assumptions import (
    DEFAULT_ELIGIBILITY_SHARE,
    DEFAULT_N_SIMS,
    DEFAULT_SITE_ACTIVATION_DAYS,
    MAX_APP_SEED,
    MAX_COMPARE,
    MAX_DEADLINE_MONTHS,
    MAX_HORIZON_MONTHS,
    MAX_NAME_LENGTH,
    MAX_TARGET_PATIENTS,
)
from footprint.enrollment import forecast, planning
from footprint.enrollment.scenario import FIELDS, Scenario
from footprint.errors import ScenarioError, SiteListError, UploadError
from footprint.io import site_lists
from footprint.io.scenario_csv import scenario_to_csv, scenarios_to_csv
from footprint.io.scenario_file import read_scenario_file
from footprint.io.scenario_json import scenario_to_json
from footprint.views import charts
from footprint.views import scenario as view

STATE = "scenario_page"
LOAD = "scenario_load"  # a Scenario to load at the top of the next run
LINK_PARAM = "scenario"

K_NAME, K_INDICATION, K_TARGET = "scenario_name", "scenario_indication", "scenario_target"
K_DEADLINE, K_SEED = "scenario_deadline", "scenario_seed"
K_ELIGIBILITY, K_ACTIVATION, K_SIMS = "scenario_eligibility", "scenario_activation", "scenario_sims"
K_LIVE, K_RUN = "scenario_live", "scenario_run"
K_FILE, K_SITE_FILE, K_USE_SITES = "scenario_file", "scenario_site_file", "scenario_use_sites"
K_GOAL, K_BUDGET, K_FROM_ZERO = "scenario_opt_goal", "scenario_opt_budget", "scenario_opt_zero"
K_PROPOSE, K_USE_PROPOSAL = "scenario_opt_run", "scenario_opt_use"
K_SAVE, K_OPEN, K_COMPARE = "scenario_save", "scenario_open", "scenario_compare"
HEADER_KEYS = (K_NAME, K_INDICATION, K_TARGET, K_DEADLINE, K_SEED)
# Widgets whose values survive a visit to another page (Streamlit forgets undrawn widgets).
PERSISTED = (*HEADER_KEYS, K_ELIGIBILITY, K_ACTIVATION, K_SIMS, K_LIVE, K_GOAL, K_BUDGET,
             K_FROM_ZERO, K_OPEN, K_COMPARE)
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
    """This page's own slice of the session (never shared with other pages)."""
    if STATE not in st.session_state:
        st.session_state[STATE] = {"rows": None, "last_rows": None, "version": 0,
                                   "saved": {}, "open": None, "widgets": {}, "upload": None,
                                   "forecast": None, "proposal": None, "link_warning": None}
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
    st.session_state[K_DEADLINE] = h.deadline_months
    st.session_state[K_SEED] = h.seed
    load_rows(view.editor_frame(s))
    page_state()["link_warning"] = None


def open_saved(name: str) -> None:
    """Load a saved scenario and make the link point at it."""
    state = page_state()
    load_scenario(state["saved"][name])
    state["open"] = name
    st.session_state[K_OPEN] = name
    st.query_params[LINK_PARAM] = name


def on_open() -> None:
    name = st.session_state.get(K_OPEN)
    if name in page_state()["saved"]:
        open_saved(name)


def save(current: Scenario) -> str:
    """Keep the scenario under its name; select it, link to it, add it to the comparison.

    Called inline (not as a callback) so that a name typed just before the click is used,
    and before the selectors below are drawn, so their keys may still be set.
    """
    state = page_state()
    replaced = current.name in state["saved"]
    state["saved"][current.name] = current
    state["open"] = current.name
    st.session_state[K_OPEN] = current.name
    st.query_params[LINK_PARAM] = current.name
    chosen = [n for n in st.session_state.get(K_COMPARE, []) if n in state["saved"]]
    if current.name not in chosen and len(chosen) < MAX_COMPARE:
        chosen.append(current.name)
    st.session_state[K_COMPARE] = chosen
    state["link_warning"] = None
    return (f"Replaced the saved scenario '{current.name}'." if replaced
            else f"Saved '{current.name}' in this session.")


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

requested = st.query_params.get(LINK_PARAM)
if requested is not None and requested != state["open"]:
    if requested in state["saved"]:
        open_saved(requested)
    else:
        load_scenario(view.default_scenario())
        state["link_warning"] = (
            f"The link asks for the saved scenario '{view.safe_text(requested)}', which is not "
            "in this session (saved scenarios live only as long as the browser tab). "
            "Showing the default scenario instead.")
        state["open"] = None
        del st.query_params[LINK_PARAM]

# ---- header --------------------------------------------------------------------------------------
st.title("Scenario builder")
st.caption("Plan countries and sites, forecast months to the patient target with a "
           "Poisson-gamma Monte Carlo model, compare plans side by side and export them.")
if state["link_warning"]:
    st.warning(state["link_warning"], icon="⚠️")
notice = state.pop("notice", None)
if notice:
    st.toast(notice)

c_name, c_ind, c_target, c_deadline, c_seed = st.columns([2.6, 2, 1.5, 1.7, 1.3])
name = c_name.text_input(FIELDS["name"].header, key=K_NAME, max_chars=MAX_NAME_LENGTH)
indication_id = c_ind.selectbox(FIELDS["indication"].header, list(indications),
                                key=K_INDICATION, format_func=lambda i: indications[i].name)
target = c_target.number_input(FIELDS["target_patients"].header, min_value=1,
                               max_value=MAX_TARGET_PATIENTS, step=10, key=K_TARGET)
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
header = view.Header(name, indication_id, target, deadline, seed)


@st.cache_data(show_spinner=False, max_entries=128)
def resolve_cached(scenario: Scenario, eligibility: float, activation: float):
    """The scenario with every value filled in from the model or the defaults."""
    return planning.resolve_with_model(shared.model_inputs(), scenario, eligibility, activation)


@st.cache_data(show_spinner=False, max_entries=64)
def forecast_cached(scenario: Scenario, eligibility: float, activation: float, n: int):
    return forecast.forecast(resolve_cached(scenario, eligibility, activation), n_sims=n)


@st.cache_data(show_spinner=False, max_entries=32)
def compare_cached(scenarios: tuple[Scenario, ...], eligibility: float, activation: float,
                   n: int):
    resolved = [resolve_cached(s, eligibility, activation) for s in scenarios]
    return planning.compare(resolved, n_sims=n)


@st.cache_data(show_spinner=False, max_entries=16)
def locate_cached(data: bytes):
    """Parsed and located sites of an uploaded site list (raises on a bad file)."""
    parsed = site_lists.parse_site_list(data, valid_iso3)
    with shared.cursor() as cur:
        return site_lists.locate(cur, parsed)


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
except ScenarioError as exc:
    st.error("**The scenario cannot be forecast yet:**\n\n" + view.markdown_list(exc.problems))

resolved = None
if current is not None:
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
            "Eligible pool cap [patients]": number(format="localized"),
        })
    st.caption(view.DEFAULTS_LEGEND)

# ---- start from ----------------------------------------------------------------------------------
st.header("Start from")
t_opt, t_sites, t_file = st.tabs(["Optimiser proposal", "Site list (CSV)",
                                  "Scenario file (JSON or CSV)"])

with t_opt:
    st.caption("Adds sites one at a time where they shorten the median time to target most, "
               "among the countries in the table, up to each country's *Max sites* (empty: "
               "no cap) and its eligible pool.")
    goal = st.radio("Goal", list(planning.GOALS), key=K_GOAL, horizontal=True,
                    format_func=lambda g: {planning.GOAL_DEADLINE: "Meet the deadline with the "
                                           "fewest sites",
                                           planning.GOAL_BUDGET: "Fastest with a total number of "
                                           "sites"}[g])
    budget = None
    if goal == planning.GOAL_BUDGET:
        st.session_state.setdefault(K_BUDGET, max(10, (resolved.total_sites if resolved else 0)
                                                  + 10))
        budget = st.number_input("Most sites in total", min_value=1, max_value=10_000, step=1,
                                 key=K_BUDGET)
    elif header.deadline_months is None:
        st.info("Set a deadline above to let the optimiser meet it.")
    from_zero = st.checkbox("Start every country from 0 sites (otherwise add to the current "
                            "sites)", key=K_FROM_ZERO)
    can_propose = resolved is not None and (goal == planning.GOAL_BUDGET
                                            or header.deadline_months is not None)
    opt_key = (current, eligibility, activation, n_sims, goal, budget, from_zero)
    if st.button("Propose sites", key=K_PROPOSE, disabled=not can_propose):
        with st.spinner("Optimising the site mix, then checking it with Monte Carlo …"):
            result = planning.propose(resolved, goal, deadline_months=header.deadline_months,
                                      max_total_sites=budget, from_zero=from_zero,
                                      n_sims=n_sims)
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
        st.caption(f"Stopped: {opt.stop_reason}.")
        for warning in opt.warnings:
            st.warning(warning)
        if opt.steps:
            st.dataframe(view.optimiser_summary(opt, planning.optimiser_base(resolved, from_zero),
                                                names),
                         hide_index=True, key="scenario_opt_summary")
            st.markdown("**Why these sites** — each step added the site with the largest cut "
                        "in the closed-form median (marginal gain):")
            st.dataframe(view.optimiser_steps(opt, names), hide_index=True, height=260,
                         key="scenario_opt_steps", width="stretch")
            st.button("Use this proposal", key=K_USE_PROPOSAL, type="primary",
                      on_click=use_proposal, args=(opt.proposal.scenario,))
        else:
            st.success("No site to add: the plan already meets the goal.")
    elif proposal is not None:
        st.info("The scenario or the goal changed since the last proposal: propose again.")

with t_sites:
    st.caption("A CSV with `site_name` and either `country` (ISO3) or `latitude` and "
               "`longitude`, optionally `historic_rate` [patients/site/month]. The table "
               "becomes one row per listed country with its number of sites.")
    site_file = st.file_uploader("Site list", key=K_SITE_FILE)
    if site_file is not None:
        try:
            located = locate_cached(site_file.getvalue())
        except UploadError as exc:
            st.error(f"**{site_file.name} was not read** (the table is unchanged):\n\n"
                     + view.markdown_list([str(exc)]))
        except SiteListError as exc:
            st.error(f"**{site_file.name} has problems** (the table is unchanged):\n\n"
                     + view.markdown_list(exc.problems))
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
                # inline, not a callback: the counts merge into this run's table edits
                if st.button("Use these site counts", key=K_USE_SITES, type="primary",
                             disabled=counts.empty):
                    load_rows(new_rows)
                    state["notice"] = f"The table now holds the site counts of {site_file.name}."
                    st.rerun()
            with right:
                deck = view.site_map(located, shared.country_shapes())
                if deck is None:
                    st.caption("No coordinates to map.")
                else:
                    st.pydeck_chart(deck, key="scenario_site_map", height=320)
                    shared.attribution()

with t_file:
    st.caption("A scenario JSON or a CSV exported from this page. It replaces the current "
               "scenario only if the whole file is valid.")
    st.file_uploader("Scenario file", key=K_FILE, on_change=on_scenario_file)
    upload = state["upload"]
    if upload and upload.get("problems"):
        st.error(f"**{upload['file']} was not loaded** — the current scenario is unchanged. "
                 f"Problems:\n\n" + view.markdown_list(upload["problems"]))
    elif upload and upload.get("loaded"):
        restored = ", ".join(f"'{n}'" for n in upload["loaded"])
        st.success(f"Restored {restored} from {upload['file']}."
                   + (" Every scenario of the file is also saved for comparing."
                      if len(upload["loaded"]) > 1 else ""))

# ---- forecast ------------------------------------------------------------------------------------
st.header("Forecast")
c_run, c_live = st.columns([1, 3], vertical_alignment="center")
run = c_run.button("Run forecast", key=K_RUN, type="primary", disabled=current is None)
live = c_live.toggle("Re-run on every change", key=K_LIVE)
fc_key = (current, eligibility, activation, n_sims)
if current is not None and (run or live):
    with st.spinner(f"Simulating {n_sims:,} trials …"):
        state["forecast"] = {"key": fc_key,
                             "result": forecast_cached(current, eligibility, activation,
                                                       n_sims)}
shown = state["forecast"]
result = shown["result"] if shown is not None and shown["key"] == fc_key else None
if result is not None and resolved is not None:
    for column, (label, value, help_text) in zip(
            st.columns(len(metrics := view.forecast_metrics(result))), metrics, strict=True):
        column.metric(label, value, help=help_text)
    st.caption(f"Monte Carlo, {result.n_sims:,} simulated trials, seed {result.seed} "
               f"({result.path.replace('_', ' ')}); curves to {result.horizon_months} months. "
               "Band: P10-P90 of the cumulative patients; line: median; dashed red: target; "
               "dotted: deadline.")
    for warning in result.warnings:
        st.warning(warning, icon="⚠️")
    st.altair_chart(charts.curve_chart(result), key="scenario_curve", width="stretch")
    st.markdown("**Per-country contributions** at the median time to target")
    st.table(view.contributions_table(result, resolved, names).style.format(
        {"Expected patients at P50": "{:,.1f}", "Share [%]": "{:.1f}",
         "Pool cap [patients]": "{:,.0f}", "Cost per patient": "{:,.0f}",
         "Cost at P50": "{:,.0f}"}, na_rep="—"))
elif shown is not None and current is not None:
    st.info("The scenario changed since the last forecast: press **Run forecast** again.")
else:
    st.caption("Press **Run forecast** to simulate the scenario.")

# ---- downloads -----------------------------------------------------------------------------------
if current is not None:
    stem = view.file_stem(current.name)
    d_csv, d_json, _ = st.columns([1, 1, 4])
    d_csv.download_button(
        "Download CSV", scenario_to_csv(current, result), key="scenario_dl_csv",
        file_name=f"{stem}.csv", mime="text/csv",
        help="One row per country; with the forecast's outputs when the forecast is shown.")
    d_json.download_button("Download JSON", scenario_to_json(current),
                           key="scenario_dl_json", file_name=f"{stem}.json",
                           mime="application/json")

# ---- compare -------------------------------------------------------------------------------------
st.header("Compare saved scenarios")
st.caption("Saved scenarios live in this browser tab only; download them to keep them.")
saved = state["saved"]
c_save, c_open = st.columns([1, 2], vertical_alignment="bottom")
if c_save.button("Save current scenario", key=K_SAVE, disabled=current is None,
                 help="Saved under its name; same name replaces.") and current is not None:
    st.toast(save(current))
c_open.selectbox("Open a saved scenario", list(saved), index=None, key=K_OPEN,
                 on_change=on_open, placeholder="Choose a saved scenario")
selected = st.multiselect(f"Scenarios to compare (up to {MAX_COMPARE})", list(saved),
                          key=K_COMPARE)
problem = view.compare_problem(selected)
if problem:
    st.error(problem)
elif selected:
    chosen = [saved[name] for name in selected]
    with st.spinner(f"Forecasting {len(chosen)} scenarios …"):
        comparison = compare_cached(tuple(chosen),
                                    eligibility, activation, n_sims)
    st.dataframe(view.comparison_table(comparison), hide_index=True, key="scenario_comparison",
                 width="stretch")
    st.altair_chart(charts.comparison_chart(comparison), key="scenario_compare_curves",
                    width="stretch")
    st.download_button("Download the comparison (CSV)",
                       scenarios_to_csv(chosen, list(comparison.results)),
                       key="scenario_dl_compare", file_name="scenario-comparison.csv",
                       mime="text/csv")
elif saved:
    st.caption("Pick saved scenarios to compare them.")
else:
    st.caption("Save the current scenario, change it, save it again under another name, "
               "then compare.")

# what a visit to another page must not forget (taken last: saving changes the selectors)
state["widgets"] = {k: st.session_state[k] for k in PERSISTED if k in st.session_state}
