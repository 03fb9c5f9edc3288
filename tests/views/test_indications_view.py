"""The "Your indications" form turned into a checked definition (footprint.views.indications)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from footprint.errors import UploadError
from footprint.io import indications as io
from footprint.views import indications as view

VALID = {"BRA", "USA", "POL"}
FORM = view.Form(name="GBM", age_low=18, diagnosed_share=0.9, rate=3.2, unit="per_100000",
                 year=2022, source="CBTRUS 2022")


def test_a_stored_definition_fills_the_form_it_came_from():
    definition = view.definition_of(FORM, VALID, current_year=2026)
    assert view.form_of(definition) == FORM
    assert view.definition_of(view.form_of(definition), VALID, current_year=2026) == definition


def test_the_template_reads_back_as_a_rates_table_with_only_its_blanks_refused():
    with pytest.raises(UploadError) as caught:
        io.read_rates_csv(view.template_csv(), VALID, current_year=2026)
    assert all(("rate:" in p or "year:" in p or "source:" in p) for p in caught.value.problems)


def test_a_new_version_without_a_new_file_keeps_the_stored_rates():
    rows = b"iso3,rate,unit,year,source\nBRA,2.5,per_100000,2020,INCA 2020\n"
    first = view.definition_of(replace(FORM, mode=view.PER_COUNTRY), VALID, rates_csv=rows,
                               file_name="r.csv", current_year=2026)
    again = view.definition_of(replace(FORM, mode=view.PER_COUNTRY, note="v2"), VALID,
                               kept=first, current_year=2026)
    assert again.rates == first.rates and again.note == "v2"
    assert view.rates_csv(first).decode().splitlines()[1] == "BRA,2.5,per_100000,2020,INCA 2020"
    with pytest.raises(UploadError) as caught:
        view.definition_of(replace(FORM, mode=view.PER_COUNTRY), VALID, current_year=2026)
    assert caught.value.problems == ["rates: no file; upload a CSV with a rate per country "
                                     "(the columns below), or choose one rate for all "
                                     "countries"]
