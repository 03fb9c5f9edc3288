"""Uploads: encodings, delimiters, decimal commas, thousands separators, binaries, sizes, and
the limits every read stays within."""

from __future__ import annotations

import io
import tomllib

import pytest

from footprint.assumptions import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB
from footprint.errors import UploadError
from footprint.io.uploads import (
    DELIMITERS,
    decode,
    delimiter_of,
    megabytes,
    number,
    read_limited,
    read_rows,
)
from footprint.paths import ROOT

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


# --- Bounded by design (issue 15) --------------------------------------------------------------
def test_the_size_limit_is_one_figure_in_mb_as_streamlit_counts_them():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    assert MAX_UPLOAD_BYTES == MAX_UPLOAD_MB * 1024 * 1024
    with pytest.raises(UploadError) as err:
        decode(b"a" * (MAX_UPLOAD_BYTES + 1))
    assert str(err.value) == ("the file is 50 MB; the limit is 50 MB per file: split it, or "
                              "remove what the app does not read")
    assert megabytes(52_428_800 + 104_858) == "50.1 MB"


def test_read_limited_reads_at_most_the_limit_plus_one_byte_from_a_pipe_or_a_file(tmp_path):
    class Endless(io.RawIOBase):
        """/dev/zero as a stream: counts what is asked of it."""
        given = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"\x00" * len(buffer)
            self.given += len(buffer)
            return len(buffer)

    endless = Endless()
    with pytest.raises(UploadError, match="larger than 1 MB, the limit per file"):
        read_limited(io.BufferedReader(endless, 4096), max_bytes=2**20)
    assert endless.given <= 2**20 + 1 + 4096
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (2**20 + 1))
    with pytest.raises(UploadError, match="is 1 MB; the limit is 1 MB"):
        read_limited(big, max_bytes=2**20)  # refused from its size, before any read
    small = tmp_path / "small.csv"
    small.write_bytes(b"a,b\n1,2\n")
    assert read_limited(small) == b"a,b\n1,2\n"
    assert read_limited(io.BytesIO(b"a" * 10), max_bytes=10) == b"a" * 10


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_text_is_decoded(encoding):
    """Excel's "Unicode text" is UTF-16: it was let past the binary check, then called
    undecodable."""
    assert decode(TABLE.encode(encoding)) == TABLE
    assert read_rows(decode(TABLE.encode(encoding))).frame().loc[0, "site_name"] == \
        "São Paulo Hospital"


def test_broken_utf16_is_refused_as_such():
    with pytest.raises(UploadError, match="looks like UTF-16 text but does not decode"):
        decode(b"\xff\xfe" + "ab".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    with pytest.raises(UploadError, match="empty"):
        decode(b"\xff\xfe" + " \n".encode("utf-16-le"))


@pytest.mark.timeout(10)  # a hang guard (the old sniffer took about a minute); speed: bench/
def test_a_header_line_of_unbalanced_quotes_is_counted_in_linear_time():
    """csv.Sniffer backtracked for about a minute on 63 KB of unbalanced quotes."""
    line = '"a;b,' * 200_000
    assert delimiter_of(line) in DELIMITERS
    with pytest.raises(UploadError, match="first line is longer than 20,000 characters"):
        read_rows(line + "\n1\n")
    for hostile in ('site_name,country\n' + '"A,"B""C,\n' * 6000,  # 63 KB
                    'site_name,country\n"' + 'A,"B"",\n' * 6000):
        try:
            read_rows(hostile)
        except UploadError:
            pass


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (",".join(f"c{i}" for i in range(100_000)) + "\n",
         "the first line is longer than 20,000 characters"),
        (",".join(f"c{i}" for i in range(150)) + "\n", "record 1 has 150 columns; a CSV may "
                                                        "have at most 100"),
        ("a,b\n" + "1,2\n" * 10_001, "more than 10,000 records after the header"),
        ("a,b\n1," + "x" * 20_001 + "\n", "record 2 is longer than 20,000 characters"),
        ('a,b\n"' + "x" * 200_000 + "\n", "a cell is longer than 131,072 characters"),
    ],
    ids=["100000-columns", "columns", "rows", "record", "cell"],
)
@pytest.mark.timeout(10)  # a hang guard; the refusal times are bench/bench_hostile.py's
def test_a_csv_past_a_limit_is_refused_with_the_limit(text, message):
    with pytest.raises(UploadError, match=message):
        read_rows(text)


def test_the_row_limit_can_be_lowered_by_the_caller():
    assert len(read_rows("a\n1\n2\n", max_rows=2).records) == 2
    with pytest.raises(UploadError, match="more than 1 records"):
        read_rows("a\n1\n2\n", max_rows=1)


def test_integers_have_at_most_twenty_digits():
    assert number("9" * 20) == int("9" * 20)
    with pytest.raises(ValueError, match="more than 20 digits"):
        number("9" * 21)
    with pytest.raises(ValueError, match="more than 20 digits"):
        number("1" * 5000)  # Python itself refuses integers past 4,300 digits
