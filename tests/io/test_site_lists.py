"""Site lists: validation lists every problem; the spatial join locates each site."""

from __future__ import annotations

import pytest

from footprint.io import site_lists

VALID = {"BRA", "USA", "JPN", "FRA", "IND"}


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
    with pytest.raises(site_lists.SiteListError) as exc:
        site_lists.parse_site_list(data, VALID)
    text = "\n".join(exc.value.problems)
    assert "row 1, country: unknown code 'XXX'" in text
    assert "row 2, site_name" in text
    assert "row 3, latitude" in text
    assert "row 4, historic_rate" in text
    assert "row 5: give a country code or both latitude and longitude" in text
    assert "row 6, historic_rate: 'abc' is not a number" in text


def test_missing_columns_are_named():
    with pytest.raises(site_lists.SiteListError, match="need 'site_name'"):
        site_lists.parse_site_list(b"hospital,town\nA,B\n", VALID)


def test_mismatch_between_code_and_coordinates_is_reported(con):
    parsed = site_lists.parse_site_list(b"site_name,country,latitude,longitude\nX,FRA,35.68,139.69\n",
                                   VALID)
    located = site_lists.locate(con, parsed)
    assert located.loc[0, "iso3"] == "FRA" and located.loc[0, "located_country"] == "JPN"
    assert located.loc[0, "mismatch"]
