"""Site lists: validation lists every problem; the spatial join locates each site."""

from __future__ import annotations

import pandas as pd
import pytest

from footprint.assumptions import MAX_PROBLEMS_SHOWN, MAX_SITE_LIST_ROWS
from footprint.enrollment.scenario import CountryPlan, Scenario
from footprint.errors import SiteListError, UploadError
from footprint.io import site_lists
from footprint.io.scenario_csv import scenario_to_csv

VALID = {"BRA", "USA", "JPN", "FRA", "IND"}
WIDE = VALID | {"KOR", "PRK", "CZE", "TUR", "RUS", "GBR", "DEU", "COD", "COG", "CIV", "XKX"}


def test_valid_list_with_codes_and_coordinates(con):
    data = (b"site,country,lat,lon,rate\n"
            b"A,BRA,,,0.5\n"
            b"B,,35.68,139.69,\n"  # Tokyo
            b"C,,34.05,-118.24,1.2\n"  # Los Angeles
            b"D,USA,40.71,-74.0,\n")  # New York (given and located agree)
    parsed = site_lists.parse_site_list(data, VALID)
    located = site_lists.locate(con, parsed)
    assert list(located["iso3"]) == ["BRA", "JPN", "USA", "USA"]
    assert list(located["unit_code"][1:3]) == ["JP.TK", "US.CA"]
    assert not located["mismatch"].any()
    counts = site_lists.count_per_country(located).set_index("iso3")
    assert counts.loc["USA", "sites"] == 2
    assert counts.loc["USA", "mean_historic_rate"] == pytest.approx(1.2)


def test_every_problem_is_listed_with_its_row():
    data = (b"site_name,country,latitude,longitude,historic_rate\n"
            b"A,XXX,,,\n"
            b",BRA,,,\n"
            b"C,,95,10,\n"
            b"D,BRA,,,-1\n"
            b"E,,,,\n"
            b"F,BRA,,,abc\n")
    with pytest.raises(SiteListError) as exc:
        site_lists.parse_site_list(data, VALID)
    text = "\n".join(exc.value.problems)
    assert "row 1, country: 'XXX' is not a country we know" in text
    assert "row 2, site_name" in text
    assert "row 3, latitude" in text
    assert "row 4, historic_rate" in text
    assert "row 5: give a country or both latitude and longitude" in text
    assert "row 6, historic_rate: 'abc' is not a number" in text


def test_coordinates_with_three_decimals_are_read_as_written():
    """'48.856' was read as 48856 (a thousands separator) and refused as out of range."""
    parsed = site_lists.parse_site_list(
        b"site_name,latitude,longitude,historic_rate\nParis,48.856,2.352,0.500\n", VALID)
    assert parsed.loc[0, ["latitude", "longitude", "historic_rate"]].tolist() == [
        48.856, 2.352, 0.5]


def test_a_semicolon_list_has_decimal_commas():
    """Excel in a comma-decimal locale saves ';' and '-23,550'; that is -23.55, not -23550."""
    data = "site_name;country;latitude;longitude\nSão Paulo;BRA;-23,550;-46,633\n"
    parsed = site_lists.parse_site_list(data.encode("cp1252"), VALID)
    assert parsed.loc[0, ["site_name", "latitude", "longitude"]].tolist() == [
        "São Paulo", -23.55, -46.633]


def test_missing_columns_are_named():
    with pytest.raises(SiteListError, match="need 'site_name'"):
        site_lists.parse_site_list(b"hospital,town\nA,B\n", VALID)


def test_mismatch_between_code_and_coordinates_is_reported(con):
    parsed = site_lists.parse_site_list(
        b"site_name,country,latitude,longitude\nX,FRA,35.68,139.69\n", VALID)
    located = site_lists.locate(con, parsed)
    assert located.loc[0, "iso3"] == "FRA" and located.loc[0, "located_country"] == "JPN"
    assert located.loc[0, "mismatch"]


def test_empty_lists_too_many_sites_and_unreadable_files():
    with pytest.raises(SiteListError, match="a header but no sites"):
        site_lists.parse_site_list(b"site_name,country\n\n", VALID)
    with pytest.raises(SiteListError, match="at most 5000 per upload"):
        site_lists.parse_site_list(b"site_name,country\n" + b"A,BRA\n" * 5001, VALID)
    with pytest.raises(UploadError, match="Excel"):
        site_lists.parse_site_list(b"PK\x03\x04" + b"\x00" * 10, VALID)


def test_a_scenario_csv_is_refused_with_a_pointer_to_the_scenario_uploader():
    """Its 'name' and 'iso3' columns read as site names and countries: it was accepted."""
    text = scenario_to_csv(Scenario("Plan", "hypertension", 100, (CountryPlan("BRA", 4),)))
    with pytest.raises(SiteListError) as err:
        site_lists.parse_site_list(text.encode("utf-8"), VALID)
    assert err.value.problems == [
        "this is a scenario CSV exported from the Scenario builder, not a site list: upload it "
        "under 'Scenario file (JSON or CSV)'"]


def test_counts_a_scenario_cannot_hold_are_named_before_they_are_used():
    counts = pd.DataFrame({"iso3": ["BRA", "USA", "FRA"], "sites": [2345, 10, 0]})
    assert site_lists.count_problems(counts) == [
        "BRA: sites must be a non-negative integer (at most 2000); got 2345"]
    at_caps = pd.DataFrame({"iso3": ["BRA", "USA", "FRA"], "sites": [2000, 2000, 1001]})
    assert site_lists.count_problems(at_caps) == [
        "countries: at most 5,000 sites in total over all countries (what one forecast can "
        "hold in memory); this plan has 5,001"]
    assert site_lists.count_problems(counts.iloc[1:]) == []
    assert site_lists.count_problems(counts.iloc[:0]) == []


def test_a_list_over_the_row_limit_is_refused_before_its_rows_are_checked():
    data = b"site_name,country\n" + b"A,XXX\n" * (MAX_SITE_LIST_ROWS + 1)
    with pytest.raises(SiteListError) as err:
        site_lists.parse_site_list(data, VALID)
    assert err.value.problems == [f"{MAX_SITE_LIST_ROWS + 1} sites: at most "
                                  f"{MAX_SITE_LIST_ROWS} per upload"]


def test_many_bad_rows_give_at_most_fifty_problems_and_a_count():
    data = b"site_name,country\n" + b"A,XXX\n" * 400
    with pytest.raises(SiteListError) as err:
        site_lists.parse_site_list(data, VALID)
    assert len(err.value.problems) == MAX_PROBLEMS_SHOWN + 1
    assert err.value.problems[-1] == "… and 350 more problems"


@pytest.mark.parametrize(("written", "iso3"), [
    ("Brazil", "BRA"), ("Brasil", "BRA"), ("brazil ", "BRA"), ("BR", "BRA"), ("bra", "BRA"),
    ("076", "BRA"),  # ISO 3166 numeric
    ("United States", "USA"), ("USA", "USA"), ("U.S.", "USA"), ("U.S.A.", "USA"),
    ("United States of America", "USA"), ("US", "USA"),
    ("Korea, Republic of", "KOR"), ("South Korea", "KOR"),
    ("Republic of Korea", "KOR"),  # pycountry's search_fuzzy gives North Korea
    ("North Korea", "PRK"),
    ("Czech Republic", "CZE"), ("Czechia", "CZE"),
    ("Türkiye", "TUR"), ("Turkiye", "TUR"), ("Turkey", "TUR"),
    ("Russia", "RUS"), ("Russian Federation", "RUS"),
    ("United Kingdom", "GBR"), ("UK", "GBR"), ("England", "GBR"), ("Great Britain", "GBR"),
    ("Deutschland", None), ("Germany", "DEU"),
    ("Democratic Republic of the Congo", "COD"), ("DR Congo", "COD"), ("Congo", "COG"),
    ("Republic of the Congo", "COG"),
    ("Côte d'Ivoire", "CIV"), ("Cote d'Ivoire", "CIV"), ("Ivory Coast", "CIV"),
    ("Kosovo", "XKX"),  # the World Bank's code, not in ISO 3166
])
def test_countries_are_read_as_people_write_them(written, iso3):
    if iso3 is None:
        with pytest.raises(ValueError, match="is not a country we know"):
            site_lists.country_code(written, WIDE)
    else:
        assert site_lists.country_code(written, WIDE) == iso3


def test_a_wrong_country_is_quoted_with_its_close_matches():
    data = ("site_name,country\n" + "A,Brazil\n" * 6 + "G,Brasil?\nH,Korea\nI,Taiwan\n"
            "J,Paris\n").encode()
    with pytest.raises(SiteListError) as exc:
        site_lists.parse_site_list(data, WIDE)
    assert exc.value.problems == [
        "row 7, country: 'Brasil?' is not a country we know; did you mean Brazil (BRA)?",
        "row 8, country: 'Korea' could be South Korea (KOR) or North Korea (PRK): write the "
        "country's name or ISO3 code",
        "row 9, country: 'Taiwan' is Taiwan (TWN), which this app has no data for",
        "row 10, country: 'Paris' is not a country we know",  # a city, not guessed
    ]


def test_a_list_with_country_names_cities_and_rates_is_read(con):
    data = ("Site,Town,Country,Rate\n"
            "Hospital das Clínicas,São Paulo,Brasil,0.8\n"
            "Mass General,Boston,United States,\n"
            "Keio,Tokyo,JP,1.1\n").encode()
    parsed = site_lists.parse_site_list(data, VALID)
    assert parsed["country"].tolist() == ["BRA", "USA", "JPN"]
    assert parsed["city"].tolist() == ["São Paulo", "Boston", "Tokyo"]
    assert parsed["historic_rate"].tolist()[::2] == [0.8, 1.1]
    located = site_lists.locate(con, parsed)
    assert located["iso3"].tolist() == ["BRA", "USA", "JPN"]


def test_a_country_name_that_disagrees_with_the_coordinates_is_a_mismatch(con):
    parsed = site_lists.parse_site_list(
        b"site_name,country,latitude,longitude\nX,France,35.68,139.69\nY,Japan,35.68,139.69\n",
        VALID)
    located = site_lists.locate(con, parsed)
    assert located["mismatch"].tolist() == [True, False]
    assert located.loc[0, "located_country"] == "JPN" and located.loc[0, "iso3"] == "FRA"
