"""Site lists: validation lists every problem; the spatial join locates each site."""

from __future__ import annotations

import pytest

from footprint.errors import SiteListError, UploadError
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
    with pytest.raises(SiteListError) as exc:
        site_lists.parse_site_list(data, VALID)
    text = "\n".join(exc.value.problems)
    assert "row 1, country: unknown code 'XXX'" in text
    assert "row 2, site_name" in text
    assert "row 3, latitude" in text
    assert "row 4, historic_rate" in text
    assert "row 5: give a country code or both latitude and longitude" in text
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
