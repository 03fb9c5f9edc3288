"""Uploads: encodings, delimiters, thousands separators, binaries, sizes."""

from __future__ import annotations

import pytest

from footprint.io.uploads import UploadError, decode, number, read_table

TABLE = "site_name,country,rate\nSão Paulo Hospital,BRA,1.5\nHôpital Nord,FRA,0.8\n"


@pytest.mark.parametrize(
    "data",
    [
        TABLE.encode("utf-8"),
        b"\xef\xbb\xbf" + TABLE.encode("utf-8"),  # Excel's UTF-8 with BOM
        TABLE.encode("cp1252"),  # Latin-1 / Windows-1252
        TABLE.replace(",", ";").encode("utf-8"),
        TABLE.replace(",", "\t").encode("utf-8"),
        TABLE.replace("\n", "\r\n").encode("utf-8"),
    ],
)
def test_messy_but_valid_files_read_the_same(data):
    frame = read_table(decode(data))
    assert list(frame.columns) == ["site_name", "country", "rate"]
    assert list(frame["site_name"]) == ["São Paulo Hospital", "Hôpital Nord"]
    assert list(frame["rate"]) == ["1.5", "0.8"]


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
     ("1 234", 1234.0), ("-3", -3.0), ("0.25", 0.25), ("", None), (None, None)],
)
def test_numbers_with_separators(text, value):
    assert number(text) == value


def test_text_is_not_a_number():
    with pytest.raises(ValueError):
        number("twelve")


def test_central_european_code_page_is_recognised():
    text = "site,country\nSzpital Łódź Główny,POL\nKraków Uniwersytecki,POL\n"
    assert decode(text.encode("cp1250")) == text
