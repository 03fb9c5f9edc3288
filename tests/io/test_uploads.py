"""Uploads: encodings, delimiters, decimal commas, thousands separators, binaries, sizes."""

from __future__ import annotations

import pytest

from footprint.errors import UploadError
from footprint.io.uploads import decode, delimiter_of, number, read_rows

TABLE = "site_name,country,rate\nSão Paulo Hospital,BRA,1.5\nHôpital Nord,FRA,0.8\n"


@pytest.mark.parametrize(
    "data",
    [
        TABLE.encode("utf-8"),
        b"\xef\xbb\xbf" + TABLE.encode("utf-8"),  # Excel's UTF-8 with BOM
        TABLE.encode("cp1252"),  # Latin-1 / Windows-1252
        TABLE.replace(",", ";").encode("utf-8"),
        TABLE.replace(",", "\t").encode("utf-8"),
        TABLE.replace(",", "|").encode("utf-8"),
        TABLE.replace("\n", "\r\n").encode("utf-8"),
        TABLE.replace(",", ", ").encode("utf-8"),  # spaces after the delimiter
        TABLE.replace("site_name,", " Site_Name ,").encode("utf-8"),
    ],
)
def test_messy_but_valid_files_read_the_same(data):
    frame = read_rows(decode(data)).frame()
    assert list(frame.columns) == ["site_name", "country", "rate"]
    assert list(frame["site_name"]) == ["São Paulo Hospital", "Hôpital Nord"]
    assert list(frame["rate"]) == ["1.5", "0.8"]


def test_rows_keep_every_cell_as_written():
    rows = read_rows('\ufeffname,iso3\r\n" x ",BRA\r\n\r\n"a\nb",\r\n')
    assert rows.header == ("name", "iso3") and rows.delimiter == ","
    assert rows.records == ((" x ", "BRA"), (), ("a\nb", ""))
    assert not rows.decimal_comma and read_rows("a;b\n1;2\n").decimal_comma


def test_the_header_line_tells_the_delimiter_quotes_aside():
    assert delimiter_of("site_name;country;latitude") == ";"
    assert delimiter_of('"site, name";country') == ";"  # the comma is inside quotes
    assert delimiter_of("site_name") == ","  # one column: the default


def test_text_after_a_closing_quote_is_kept_and_an_open_quote_is_refused():
    frame = read_rows('site,country\n"Santa" Maria,BRA\n').frame()
    assert frame.loc[0, "site"] == "Santa Maria"
    with pytest.raises(UploadError, match="not a readable table: unexpected end of data"):
        read_rows('site,country\n"Santa Maria,BRA\n')


def test_frame_pads_short_rows_and_refuses_surplus_cells_and_twice_named_columns():
    frame = read_rows("a;b;;\n1\n2;3;;\n").frame()  # trailing ';' as Excel writes them
    assert list(frame.columns) == ["a", "b"]
    assert frame.to_dict("records") == [{"a": "1", "b": None}, {"a": "2", "b": "3"}]
    with pytest.raises(UploadError, match="record 2 has 3 cells; the header has 2"):
        read_rows("a,b\n1,2,3\n").frame()
    with pytest.raises(UploadError, match="the column 'a' twice"):
        read_rows("a,A\n1,2\n").frame()


def test_a_trailing_delimiter_does_not_shift_the_columns():
    """Rows ending in ',' made pandas take the first column as the index: 'BRA' as the name."""
    frame = read_rows("site_name,country\nA,BRA,\nB,FRA,\n").frame()
    assert frame.to_dict("records") == [{"site_name": "A", "country": "BRA"},
                                        {"site_name": "B", "country": "FRA"}]


def test_the_delimiter_is_told_by_the_header_not_guessed_from_the_rows():
    """csv.Sniffer read 'site_name;country' over uneven rows as one column."""
    frame = read_rows("site_name;country\nA;BRA;;\nB;FRA\n").frame()
    assert list(frame.columns) == ["site_name", "country"]
    assert list(frame["country"]) == ["BRA", "FRA"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n  ", "empty"),
        (b"PK\x03\x04" + b"\x00" * 100, "Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    ],
)
def test_unreadable_files_get_a_clear_message(data, message):
    with pytest.raises(UploadError, match=message):
        decode(data)


def test_oversized_files_are_refused_before_parsing():
    with pytest.raises(UploadError, match="limit is 1 MB"):
        decode(b"a" * 1_000_001, max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234", 1234.0), ("1,234,567.5", 1234567.5), ("1.234,5", 1234.5), ("12,5", 12.5),
     ("1 234", 1234.0), ("-3", -3.0), ("0.25", 0.25), ("", None), (None, None),
     ("1\u00a0234,5", 1234.5), ("1'234.5", 1234.5), ("+5", 5), ("1e5", 1e5), (" 7 ", 7),
     (float("nan"), None)],
)
def test_numbers_with_separators(text, value):
    assert number(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("2.352", 2.352), ("0.500", 0.5), ("48.856", 48.856), ("-46.633", -46.633)],
)
def test_three_decimals_are_not_thousands(text, value):
    """A '.' before three digits was read as a thousands separator ('48.856' -> 48856)."""
    assert number(text) == value
    assert number(text, decimal_comma=True) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234", 1.234), ("0,7", 0.7), ("-23,55", -23.55), ("1.234,5", 1234.5),
     ("1 234,5", 1234.5), ("1.234.567", 1234567), ("12", 12)],
)
def test_numbers_in_a_decimal_comma_file(text, value):
    assert number(text, decimal_comma=True) == value


def test_integers_stay_integers():
    assert isinstance(number("12"), int) and isinstance(number("1 234"), int)
    assert isinstance(number("12.0"), float)


@pytest.mark.parametrize("text", ["twelve", "1.234.5", "1,2,3", "12abc"])
def test_text_is_not_a_number(text):
    with pytest.raises(ValueError):
        number(text)


def test_central_european_code_page_is_recognised():
    text = "site,country\nSzpital Łódź Główny,POL\nKraków Uniwersytecki,POL\n"
    assert decode(text.encode("cp1250")) == text
