"""Custom indication definitions: every bad input gets its own message, a good one reads
back exactly (footprint.io.indications)."""

from __future__ import annotations

import json
import os

import pytest

from footprint.assumptions import MAX_PROBLEMS_SHOWN
from footprint.errors import UploadError
from footprint.io import indications as io

VALID = {"USA", "BRA", "POL", "IND", "KOR"}
YEAR = 2026
GOOD_CSV = (b"iso3,rate,unit,year,source\n"
            b"USA,3.2,per_100000,2022,CBTRUS 2022\n"
            b"BRA,2.5,per_100000,2020,INCA 2020\n")
BASE = {"name": "Glioblastoma", "age_low": 18, "age_high": None, "sex": "both",
        "kind": "incident_per_year", "diagnosed_share": 0.9, "note": "adults only"}


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(UploadError) as caught:
        io.read_rates_csv(data, VALID, current_year=YEAR)
    return caught.value.problems


def test_a_rates_table_reads_as_written():
    rates = io.read_rates_csv(GOOD_CSV, VALID, current_year=YEAR)
    assert rates == (("USA", io.Rate(3.2, "per_100000", 2022, "CBTRUS 2022")),
                     ("BRA", io.Rate(2.5, "per_100000", 2020, "INCA 2020")))
    assert rates[0][1].fraction == 3.2 / 100_000


def test_country_names_codes_and_a_semicolon_file_with_decimal_commas():
    data = ("country;rate;unit;year;source\nBrasil;5,5;percent;2021;VIGITEL 2021\n"
            "Poland;4;%;2019;NFZ\nKR;1 200;per_100000;2020;KDCA\n").encode("cp1252")
    rates = dict(io.read_rates_csv(data, VALID, current_year=YEAR))
    assert rates["BRA"] == io.Rate(5.5, "percent", 2021, "VIGITEL 2021")
    assert rates["POL"].unit == "percent"
    assert rates["KOR"].value == 1200


@pytest.mark.parametrize(("row", "message"), [
    (b"BRA,101,percent,2020,X", "row 2, rate: 101 is out of range for percent (0 to 100)"),
    (b"BRA,-1,percent,2020,X", "row 2, rate: -1 is out of range for percent (0 to 100)"),
    (b"BRA,100001,per_100000,2020,X",
     "row 2, rate: 100001 is out of range for per_100000 (0 to 100,000)"),
    (b"BRA,lots,percent,2020,X", "row 2, rate: 'lots' is not a number"),
    (b"BRA,1,per_capita,2020,X", "row 2, unit: 'per_capita' is not one of percent, per_1000, "
                                 "per_100000, per_million"),
    (b"BRA,1,percent,2027,X", "row 2, year: 2027 is in the future (after 2026)"),
    (b"BRA,1,percent,21,X", "row 2, year: '21' is not a year such as 2021"),
    (b"BRA,1,percent,2020,", "row 2, source: empty; every rate needs its source"),
    (b"Narnia,1,percent,2020,X", "row 2, country: 'Narnia' is not a country we know"),
    (b",1,percent,2020,X", "row 2, country: empty"),
])
def test_each_bad_cell_has_its_message(row, message):
    problems = problems_of(b"country,rate,unit,year,source\n" + row + b"\n")
    assert len(problems) == 1
    assert problems[0].startswith(message)


def test_a_country_twice_names_the_first_row():
    problems = problems_of(b"country,rate,unit,year,source\nBRA,1,percent,2020,X\n"
                           b"\nBrazil,2,percent,2020,Y\n")
    assert problems == ["row 4, country: 'Brazil' is BRA, already given in row 2: give each "
                        "country once"]


def test_a_country_the_app_has_no_data_for():
    problems = problems_of(b"iso3,rate,unit,year,source\nFRA,1,percent,2020,X\n")
    assert problems == ["row 2, country: 'FRA' is France (FRA), which this app has no data "
                        "for"]


def test_every_problem_is_listed_then_bounded():
    data = b"country,rate,unit,year,source\n" + b"".join(
        f"Nowhere{i},200,percent,2099,\n".encode() for i in range(40))
    problems = problems_of(data)
    assert len(problems) == MAX_PROBLEMS_SHOWN + 1
    assert problems[-1] == f"… and {4 * 40 - MAX_PROBLEMS_SHOWN:,} more problems"


@pytest.mark.parametrize(("header", "message"), [
    (b"iso3,rate,unit,year", "no source column: every rate needs its source"),
    (b"rate,unit,year,source", "no iso3 or country column"),
    (b"iso3,country,rate,unit,year,source", "both an iso3 and a country column"),
    (b"iso3,rate,rate,unit,year,source", "the header names the column(s) 'rate' twice"),
])
def test_a_missing_or_doubled_column(header, message):
    problems = problems_of(header + b"\nBRA,1,percent,2020,X\n")
    assert any(p.startswith(message) for p in problems), problems


def test_ten_megabytes_of_junk():
    assert problems_of(os.urandom(10 * 2**20)) == ["this is a binary file, not CSV or JSON "
                                                   "text"]
    text_junk = b"x" * (10 * 2**20)
    assert problems_of(text_junk)[0].startswith("the first line is longer than 20,000")


def test_past_the_upload_limit():
    with pytest.raises(UploadError, match="the limit is 50 MB per file"):
        io.read_rates_csv(b"a" * (50 * 2**20 + 1), VALID)


def test_a_definition_with_one_rate():
    d = io.definition_from_dict({**BASE, "rate": 3.2, "unit": "per_100000", "year": 2022,
                                 "source": "CBTRUS 2022"}, VALID, current_year=YEAR)
    assert d.rate == io.Rate(3.2, "per_100000", 2022, "CBTRUS 2022") and d.rates == ()
    assert d.band == "18+" and d.sources == "your data: CBTRUS 2022, 2022"
    ind = io.to_indication(d)
    assert (ind.kind, ind.unit, ind.age_high, ind.name) == (
        "custom", "incident_per_year", None, "Glioblastoma (your data)")


def test_a_definition_with_inline_rows_round_trips_through_its_stored_form():
    d = io.definition_from_dict({**BASE, "id": "my_glioblastoma_abc123", "rates": [
        {"iso3": "USA", "rate": 3.2, "unit": "per_100000", "year": 2022, "source": "CBTRUS"},
        {"country": "Brazil", "rate": 2.5, "unit": "per_100000", "year": 2020,
         "source": "INCA"}]}, VALID, current_year=YEAR)
    assert io.from_json(io.to_json(d)) == d
    assert io.sources_of(io.to_indication(d)) == "your data: CBTRUS, 2022; INCA, 2020"


def test_a_definition_file_with_its_rates_csv(tmp_path):
    (tmp_path / "rates.csv").write_bytes(GOOD_CSV)
    path = tmp_path / "gbm.json"
    path.write_text(json.dumps({**BASE, "rates": "rates.csv"}))
    d = io.read_definition(path, VALID, current_year=YEAR)
    assert [iso3 for iso3, _ in d.rates] == ["USA", "BRA"]


def test_a_bad_rates_csv_is_named_in_the_definitions_problems(tmp_path):
    (tmp_path / "rates.csv").write_bytes(b"iso3,rate,unit,year\nBRA,1,percent,2020\n")
    path = tmp_path / "gbm.json"
    path.write_text(json.dumps({**BASE, "rates": "rates.csv"}))
    with pytest.raises(UploadError) as caught:
        io.read_definition(path, VALID, current_year=YEAR)
    assert caught.value.problems == ["rates (rates.csv): no source column: every rate needs "
                                     "its source (publisher, title), shown with every pool "
                                     "of this indication"]


def test_every_problem_of_a_definition_at_once():
    with pytest.raises(UploadError) as caught:
        io.definition_from_dict({"name": "", "age_low": 70, "age_high": 20, "sex": "all",
                                 "kind": "chronic", "diagnosed_share": 1.5, "colour": "red",
                                 "rate": 3}, VALID, current_year=YEAR)
    problems = caught.value.problems
    for start in ("unknown key(s) 'colour'", "name: missing or empty",
                  "age_high: 20 is below age_low 70", "sex: 'all' is not one of both",
                  "kind: 'chronic' is not one of prevalent, incident_per_year",
                  "diagnosed_share: 1.5 is not a share", "unit: empty",
                  "year: None is not a year", "source: empty"):
        assert any(p.startswith(start) for p in problems), (start, problems)


@pytest.mark.parametrize(("change", "message"), [
    ({}, "no rate: give one rate for all countries"),
    ({"rate": 1, "unit": "percent", "year": 2020, "source": "X", "rates": []},
     "give either one rate for all countries"),
    ({"rates": []}, "rates: must be a CSV file name or a non-empty list of rows"),
    ({"rates": "missing.csv"}, "rates: the file 'missing.csv' was not given"),
    ({"rates": [{"iso3": "BRA", "rate": 1, "unit": "percent", "year": 2020}]},
     "rates row 1: no source column"),
])
def test_rates_given_wrongly(change, message):
    with pytest.raises(UploadError) as caught:
        io.definition_from_dict({**BASE, **change}, VALID, current_year=YEAR)
    assert any(p.startswith(message) for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize("text", ["[]", "{", '{"name": NaN}', "null"])
def test_a_definition_that_is_not_a_json_object(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(UploadError, match="JSON"):
        io.read_definition(path, VALID)


def test_new_ids_are_lower_case_and_custom():
    ind_id = io.new_id("Non-small-cell Lung Cancer (NSCLC)")
    assert ind_id.startswith("my_non_small_cell_lung_cancer_nsclc_")
    assert io.is_custom_id(ind_id) and not io.is_custom_id("type2_diabetes")
    assert ind_id != io.new_id("Non-small-cell Lung Cancer (NSCLC)")
