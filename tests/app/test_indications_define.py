"""AppTest: the "Your indications" page defines a custom indication, lists every problem of a
bad one and saves nothing, and a second save is version 2 of the same indication."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from footprint.store.indications import list_indications
from footprint.store.workspace import TEAM_USER, URL_VARIABLE, Principal, open_store
from tests.app.test_hostile_inputs import refused_url
from tests.app.test_signin import ALICE, AUTH, BOB, SIGNED_OUT

APP = "../../app.py"  # relative to this file
PAGE = "app_pages/indications.py"
SOURCE = "Our registry report"


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    run(at)
    at.switch_page(PAGE)
    return run(at)


def stored(url: str, user: Principal = TEAM_USER) -> list:
    store = open_store(url)
    try:
        return list_indications(store, user=user)
    finally:
        store.close()


def fill_one_rate(at: AppTest, name: str = "Glioblastoma") -> AppTest:
    at.text_input(key="ind_name").input(name)
    at.number_input(key="ind_age_low").set_value(18)
    at.number_input(key="ind_diagnosed_share").set_value(0.9)
    at.number_input(key="ind_rate").set_value(3.2)
    at.selectbox(key="ind_unit").set_value("per_100000")
    at.number_input(key="ind_year").set_value(2022)
    at.text_input(key="ind_source").input(SOURCE)
    return run(at)


def save(at: AppTest) -> AppTest:
    at.button(key="ind_save").click()
    return run(at)


def listed(at: AppTest):
    """The table of saved indications."""
    return next(t.value for t in at.dataframe if "Id" in t.value.columns)


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error).replace("\\", "")


def test_the_page_says_the_numbers_are_the_users_and_the_workspace_is_shared():
    at = page()
    text = "\n".join(m.value for m in at.markdown)
    assert "ships no invented epidemiology" in text
    assert any("Single-team workspace" in c.value for c in at.caption)


def test_a_single_rate_saves_and_then_explore_offers_it(workspace_url):
    at = save(fill_one_rate(page()))
    assert not at.error, errors(at)
    (item,) = stored(workspace_url)
    d = item.definition
    assert (d.name, d.age_low, d.age_high, d.sex, d.kind, d.diagnosed_share) == \
        ("Glioblastoma", 18, None, "both", "prevalent", 0.9)
    assert (d.rate.value, d.rate.unit, d.rate.year, d.rate.source) == \
        (3.2, "per_100000", 2022, SOURCE)
    assert item.info.version == 1 and item.info.visibility == "team"
    said = [s.value.replace("\\", "") for s in at.success]
    assert any(d.id in s and "version 1" in s for s in said), said
    table = listed(at)
    assert table.loc[0, "Id"] == d.id and table.loc[0, "Source"] == f"your data: {SOURCE}, 2022"

    at.switch_page("app_pages/explore.py")
    run(at)
    box = at.selectbox(key="explore_indication")
    assert "Glioblastoma (your data)" in box.options


def test_a_bad_rates_csv_lists_its_problems_and_saves_nothing(workspace_url):
    at = page()
    at.text_input(key="ind_name").input("Bad table")
    at.number_input(key="ind_age_low").set_value(40)
    at.number_input(key="ind_diagnosed_share").set_value(0.5)
    at.radio(key="ind_mode").set_value("per_country")
    run(at)
    bad = (b"country,rate,unit,year,source\n"
           b"Brazil,150,percent,2020,A\n"          # out of range for percent
           b"Atlantis,1,percent,2020,B\n"          # not a country
           b"BRA,1,percent,2999,C\n")              # Brazil again, and a future year
    at.file_uploader(key="ind_rates_file").set_value(("rates.csv", bad, "text/csv"))
    run(at)
    at = save(at)
    shown = errors(at)
    for part in ("row 2, rate: 150 is out of range for percent", "row 3, country: 'Atlantis'",
                 "row 4, country: 'BRA' is BRA, already given in row 2",
                 "row 4, year: 2999 is in the future"):
        assert part in shown, shown
    assert stored(workspace_url) == []
    assert at.text_input(key="ind_name").value == "Bad table"  # the form keeps its values
    assert at.number_input(key="ind_age_low").value == 40


def test_an_empty_form_lists_each_missing_field():
    at = save(page())
    shown = errors(at)
    for part in ("name: missing or empty", "age_low: empty", "diagnosed_share: empty",
                 "rate: empty", "year: empty", "source: empty"):
        assert part in shown, shown
    assert "None" not in shown


def test_a_second_save_is_version_2_of_the_same_indication(workspace_url):
    at = save(fill_one_rate(page()))
    (first,) = stored(workspace_url)
    at.number_input(key="ind_rate").set_value(3.5)
    run(at)
    at = save(at)
    assert not at.error, errors(at)
    (second,) = stored(workspace_url)
    assert (second.info.id, second.definition.id) == (first.info.id, first.definition.id)
    assert second.info.version == 2 and second.definition.rate.value == 3.5
    assert listed(at).loc[0, "Version"] == 2


def test_a_new_version_of_a_listed_one_is_loaded_into_the_form(workspace_url):
    at = save(fill_one_rate(page(), "First"))
    at.button(key="ind_new").click()
    run(at)
    at = save(fill_one_rate(at, "Second"))
    assert len(stored(workspace_url)) == 2
    first = next(i for i in stored(workspace_url) if i.definition.name == "First")
    at.selectbox(key="ind_edit").set_value(first.info.id)
    run(at)
    at.button(key="ind_load").click()
    run(at)
    assert at.text_input(key="ind_name").value == "First"
    at.text_area(key="ind_note").input("adults only")
    at = save(run(at))
    assert not at.error, errors(at)
    again = next(i for i in stored(workspace_url) if i.info.id == first.info.id)
    assert again.info.version == 2 and again.definition.note == "adults only"
    assert again.definition.id == first.definition.id


def test_a_store_that_is_down_says_so_saves_nothing_and_keeps_what_was_typed(monkeypatch):
    monkeypatch.setenv(URL_VARIABLE, refused_url())
    at = fill_one_rate(page())
    assert any("cannot be used" in w.value for w in at.warning)
    at = save(at)
    assert "Not saved" in errors(at) and "s3cret" not in errors(at)
    assert at.text_input(key="ind_name").value == "Glioblastoma"
    assert at.number_input(key="ind_rate").value == 3.2


def as_user(claims: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets = AUTH
    at.user = claims
    run(at)
    at.switch_page(PAGE)
    return run(at)


def test_signed_in_it_is_private_unless_shared_with_the_team(workspace_url):
    at = save(fill_one_rate(as_user(ALICE), "Alice's own"))
    assert not at.error, errors(at)
    at.button(key="ind_new").click()
    run(at)
    at = fill_one_rate(at, "For the team")
    at.checkbox(key="ind_share").check()
    save(run(at))
    alice = {i.definition.name: i.info for i in stored(workspace_url, Principal("alice-sub",
                                                                                 "Alice"))}
    assert {n: (i.visibility, i.owner_name) for n, i in alice.items()} == {
        "Alice's own": ("private", "Alice"), "For the team": ("team", "Alice")}
    bob = as_user(BOB)
    assert listed(bob)["Name"].tolist() == ["For the team"]
    signed_out = as_user(SIGNED_OUT)
    assert any("Log in" in i.value for i in signed_out.info)
    assert signed_out.button(key="ind_save").disabled
