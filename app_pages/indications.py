"""Your indications: define an indication the app does not ship (one rate for all countries,
or a rates CSV per country), check it with every problem listed, save it to the workspace
store as the current user, and list the ones open to you (each save a new version).

A save that fails (a bad field, the store down, nobody signed in) saves nothing and keeps
every value typed in the form.
"""

from __future__ import annotations

from dataclasses import asdict, fields

import streamlit as st

from app_pages import shared, workspace
from footprint.assumptions import MAX_NAME_LENGTH, MAX_NOTE_LENGTH, WPP_OPEN_GROUP_TOP
from footprint.errors import UploadError
from footprint.io.indications import KINDS, RATE_UNITS, SEXES
from footprint.store.errors import StoreError
from footprint.store.indications import StoredIndication, list_indications, save_indication
from footprint.store.indications import unreadable as unreadable_indications
from footprint.store.workspace import PRIVATE, TEAM
from footprint.views import indications as view
from footprint.views.scenario import markdown_list, markdown_text

PREFIX = "ind_"
# The form's widget keys, one per footprint.views.indications.Form field (a comment: a bare
# string here would be drawn on the page by Streamlit's magic).
KEYS = {f.name: PREFIX + f.name for f in fields(view.Form)}
K_FILE, K_SHARE, K_SAVE = "ind_rates_file", "ind_share", "ind_save"
K_EDIT, K_LOAD, K_NEW = "ind_edit", "ind_load", "ind_new"
K_TEMPLATE, K_DOWNLOAD_RATES = "ind_template", "ind_download_rates"
K_TARGET, K_MESSAGE = "ind_target", "ind_message"  # state, not widgets
MAX_AGE = WPP_OPEN_GROUP_TOP - 1

# Keep what was typed in a field that is not drawn on this run (the other rate mode, or the
# band's top while it is open): a widget's value is dropped on a run that does not draw it.
for field_name, key in KEYS.items():
    if key in st.session_state:
        st.session_state[key] = st.session_state[key]
    else:
        st.session_state[key] = getattr(view.Form(), field_name)

store, store_problem = workspace.store()
user = workspace.user()
listing: list[StoredIndication] = []
broken: list[str] = []
if store is not None and user is not None:
    try:
        listing = list_indications(store, user=user)
        broken = unreadable_indications(store, user=user)
    except StoreError as exc:
        store, store_problem = None, str(exc)
by_store_id = {item.info.id: item for item in listing}
target = by_store_id.get(st.session_state.get(K_TARGET))


def load_for_new_version() -> None:
    """Fill the form with the chosen stored indication; the next save is its next version."""
    chosen = by_store_id.get(st.session_state.get(K_EDIT))
    if chosen is None:
        return
    for field_name, value in asdict(view.form_of(chosen.definition)).items():
        st.session_state[KEYS[field_name]] = value
    st.session_state[K_TARGET] = chosen.info.id


def start_new() -> None:
    st.session_state[K_TARGET] = None


st.title("Your indications")
st.markdown(
    "Define an indication the app does not ship. **The numbers are yours**: the app ships no "
    "invented epidemiology, so every rate, year, source and diagnosed share below comes from "
    "you, and every pool of this indication is labelled *your data: <source>, <year>*. A rate "
    "is the crude rate among people of the band (and sex), applied as given; a country with "
    "no rate has no pool (missing, never zero).")

with st.container(key="ind_status"):
    if user is None:
        st.info("Log in (in the sidebar) to save your own indications: each is private to you "
                "unless you share it with the team. What you type stays in the form.")
    elif store is None:
        st.warning(markdown_text(
            f"The workspace store cannot be used: {store_problem} Nothing can be saved until "
            "it is back; what you type stays in the form while this tab is open."))
    elif user.signed_in:
        st.caption(markdown_text(
            f"Saved in the workspace store as {user.name}, every save a new version; private "
            "to you unless you share it with the team."))
    else:
        st.caption("Single-team workspace (no sign-in configured): every indication saved "
                   "here is seen by everyone using this app; every save is a new version in "
                   "the workspace store.")

st.header("Define")
if target is not None:
    c_target, c_new = st.columns([4, 1], vertical_alignment="center")
    c_target.info(markdown_text(
        f"Saving adds version {target.info.latest + 1} of '{target.definition.name}' "
        f"({target.definition.id}): scenarios and links naming it keep working."))
    c_new.button("Start a new indication", key=K_NEW, on_click=start_new)

st.text_input("Name", key=KEYS["name"], max_chars=MAX_NAME_LENGTH,
              placeholder="e.g. Glioblastoma, first diagnosis")
c_low, c_high, c_open = st.columns([1, 1, 1], vertical_alignment="bottom")
c_low.number_input("Age band: lowest age [years]", min_value=0, max_value=MAX_AGE, step=1,
                   key=KEYS["age_low"])
c_open.checkbox("Open band (no upper age)", key=KEYS["open_band"])
c_high.number_input("Highest age [years]", min_value=0, max_value=MAX_AGE, step=1,
                    key=KEYS["age_high"], disabled=st.session_state[KEYS["open_band"]])
c_sex, c_kind = st.columns(2)
c_sex.radio("Sex", SEXES, key=KEYS["sex"], format_func=view.SEX_LABELS.get, horizontal=True)
c_kind.radio("Kind", KINDS, key=KEYS["kind"], format_func=view.KIND_LABELS.get,
             horizontal=True)
c_share, c_share_source = st.columns(2)
c_share.number_input("Diagnosed share [0-1]", min_value=0.0, max_value=1.0, step=0.05,
                     format="%.2f", key=KEYS["diagnosed_share"],
                     help="The share of patients who are diagnosed (1: every patient).")
c_share_source.text_input("Where the diagnosed share comes from (optional)",
                          key=KEYS["diagnosed_source"], max_chars=MAX_NAME_LENGTH)
st.text_area("Note (optional)", key=KEYS["note"], max_chars=MAX_NOTE_LENGTH,
             placeholder="who is counted, and who is not")

st.radio("Rates", view.MODES, key=KEYS["mode"], format_func=view.MODE_LABELS.get,
         horizontal=True)
uploaded = None
if st.session_state[KEYS["mode"]] == view.ONE_RATE:
    c_rate, c_unit, c_year, c_source = st.columns([1, 1, 1, 2])
    c_rate.number_input("Rate", min_value=0.0, step=0.1, format="%g", key=KEYS["rate"])
    c_unit.selectbox("Unit", list(RATE_UNITS), key=KEYS["unit"],
                     format_func=view.UNIT_LABELS.get)
    c_year.number_input("Year the rate is for", min_value=1000, max_value=9999, step=1,
                        key=KEYS["year"])
    c_source.text_input("Source (publisher, title)", key=KEYS["source"],
                        max_chars=MAX_NAME_LENGTH)
else:
    uploaded = st.file_uploader("Rates per country (CSV)", key=K_FILE,
                                type=["csv", "tsv", "txt"])
    st.dataframe(view.columns_table(), hide_index=True, key="ind_columns", width="stretch")
    c_template, c_kept = st.columns(2)
    c_template.download_button("Download a template CSV", view.template_csv(),
                               file_name=view.TEMPLATE_NAME, mime="text/csv", key=K_TEMPLATE,
                               icon=":material/download:")
    if target is not None and target.definition.rates and uploaded is None:
        c_kept.caption(f"No new file: the {len(target.definition.rates)} countries' rates of "
                       f"version {target.info.version} are kept.")
        c_kept.download_button("Download its rates (CSV)", view.rates_csv(target.definition),
                               file_name=f"{target.definition.id}_rates.csv", mime="text/csv",
                               key=K_DOWNLOAD_RATES, icon=":material/download:")

c_save, c_who = st.columns([1, 3], vertical_alignment="center")
if target is None and user is not None and user.signed_in:
    c_who.checkbox("Share with the team", key=K_SHARE,
                   help="Off: only you see it. On: anyone signed in to this app does.")
clicked = c_save.button("Save indication", key=K_SAVE, type="primary", disabled=user is None,
                        icon=":material/save:")
message = st.session_state.pop(K_MESSAGE, None)  # the last save's, shown by its button
if message is not None:
    st.success(markdown_text(message))

if clicked and user is not None:
    form = view.Form(**{name: st.session_state[key] for name, key in KEYS.items()})
    try:
        definition = view.definition_of(
            form, set(shared.model_inputs().countries.index),
            rates_csv=None if uploaded is None else uploaded.getvalue(),
            file_name="" if uploaded is None else uploaded.name,
            kept=None if target is None else target.definition)
    except UploadError as exc:
        st.error(markdown_text(exc.headline) + "\n" + markdown_list(exc.problems))
    else:
        store, store_problem = workspace.store()
        if store is None:
            st.error(markdown_text(f"Not saved: the workspace store cannot be used "
                                   f"({store_problem}). What you typed stays in the form: "
                                   "save again when the store is back."))
        else:
            visibility = None
            if target is None and user.signed_in:
                visibility = TEAM if st.session_state.get(K_SHARE) else PRIVATE
            try:
                saved = save_indication(store, definition, user=user,
                                        item_id=None if target is None else target.info.id,
                                        visibility=visibility)
            except StoreError as exc:
                st.error(markdown_text(f"Not saved: {exc}. What you typed stays in the form: "
                                       "save again when the store is back."))
            else:
                shared.forget_custom_indications()  # the other pages offer it at once
                st.session_state[K_TARGET] = saved.info.id
                st.session_state[K_MESSAGE] = (
                    f"Saved '{saved.definition.name}' as {saved.definition.id}, version "
                    f"{saved.info.version} ({saved.definition.sources}). Saving again adds "
                    "the next version; 'Start a new indication' defines another.")
                st.rerun()

st.header("Saved indications")
if listing:
    st.dataframe(view.stored_table(listing), hide_index=True, key="ind_stored",
                 width="stretch")
    st.caption("Each one now appears in Explore, the Executive risk map and the Scenario "
               "builder beside the shipped indications, named '<name> (your data)' (a new "
               "one within a few seconds), and in the CLI (footprint indications list).")
    c_edit, c_load = st.columns([3, 1], vertical_alignment="bottom")
    c_edit.selectbox("Save a new version of", list(by_store_id), key=K_EDIT, index=None,
                     format_func=lambda i: view.choice_label(by_store_id[i]),
                     placeholder="Choose a saved indication")
    c_load.button("Load into the form", key=K_LOAD, on_click=load_for_new_version,
                  disabled=st.session_state.get(K_EDIT) is None)
elif store is not None and user is not None:
    st.caption("None saved yet: the ones you save are listed here, and offered in Explore, "
               "the Executive risk map and the Scenario builder.")
for problem in broken:
    st.warning(markdown_text(f"A stored indication does not read back and is left out: "
                             f"{problem}"))
