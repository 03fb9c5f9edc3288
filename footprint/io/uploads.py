"""Turn uploaded bytes into text, rows and numbers, with a clear message for every bad file.

The one reader of every file the app and the CLI take (site lists, scenario JSON and CSV, the
upload sniffer). It handles what analysts' spreadsheets produce: a UTF-8 BOM, UTF-16 (what
Excel saves as "Unicode text"), Latin-1 / Windows-1252 text (detected with
charset-normalizer), comma, semicolon, tab or pipe delimiters (told by the header line),
decimal commas (a semicolon file is what Excel saves in a comma-decimal locale), thousands
separators in numbers, an Excel workbook or other binary where CSV was expected, empty files.

Every read is bounded before it starts and linear in the file: at most
:data:`~footprint.assumptions.MAX_UPLOAD_BYTES` are read (from a file or a pipe), and a CSV
may have at most :data:`~footprint.assumptions.MAX_UPLOAD_COLUMNS` columns,
:data:`~footprint.assumptions.MAX_UPLOAD_ROWS` records and
:data:`~footprint.assumptions.MAX_UPLOAD_LINE_CHARS` characters a record; the delimiter is
chosen from the header line alone, by counting (no pattern that can backtrack). Each refusal
says the limit and how to stay under it.
"""

from __future__ import annotations

import collections
import csv
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final

import charset_normalizer
import pandas as pd

from footprint.assumptions import (
    MAX_INTEGER_DIGITS,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_COLUMNS,
    MAX_UPLOAD_LINE_CHARS,
    MAX_UPLOAD_ROWS,
)
from footprint.errors import UploadError

DELIMITERS: Final = ",;\t|"
"""Delimiters a CSV may use; the header line tells which (a tie or none: the first)."""
# Code pages tried when a file is not UTF-8: Western, Central and Eastern European (Cyrillic)
LEGACY_ENCODINGS: Final = ("cp1252", "cp1250", "cp1251", "iso8859_2")
_EXCEL_MAGIC: Final = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # xlsx (zip), xls
_UTF_BOMS: Final = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_SAMPLE: Final = 4096  # bytes looked at to tell binary from text
_BOM: Final = "\ufeff"
_READ_CHUNK: Final = 1 << 20
_LINE: Final = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
"""One line with its ending (a last line may have none); never empty."""
_PLAIN: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INTEGER: Final = re.compile(r"[+-]?\d+")
_GROUPED: Final = re.compile(
    r"[+-]?\d{1,3}(?P<sep>[,. \u00a0'])\d{3}(?:(?P=sep)\d{3})*(?:(?P<dec>[.,])\d+)?")
_SEPARATORS: Final = re.compile(r"[,. \u00a0']")
_COMMA_DECIMAL: Final = re.compile(r"[+-]?\d*,\d+")


def megabytes(n_bytes: int) -> str:
    """A size as every message says it: megabytes as Streamlit counts them (2^20 bytes)."""
    return f"{n_bytes / 2**20:,.1f}".removesuffix(".0") + " MB"


def _too_large(max_bytes: int, size: str | None = None) -> UploadError:
    limit = megabytes(max_bytes)
    said = (f"is {size}; the limit is {limit} per file" if size is not None
            else f"is larger than {limit}, the limit per file")
    return UploadError(f"the file {said}: split it, or remove what the app does not read")


def read_limited(source: str | os.PathLike[str] | BinaryIO,
                 max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """The bytes of a file, a device or a pipe, reading at most ``max_bytes + 1`` of them.

    Parameters
    ----------
    source : path or binary file
        A path (a regular file larger than the limit is refused before any read) or an open
        binary file such as ``sys.stdin.buffer``.
    max_bytes : int
        Largest file accepted [bytes].

    Raises
    ------
    UploadError
        More than ``max_bytes``.
    OSError
        The file cannot be opened or read.
    """
    if not hasattr(source, "read"):
        with open(source, "rb") as handle:  # type: ignore[arg-type]
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise _too_large(max_bytes, megabytes(size))
            return read_limited(handle, max_bytes)  # a device or a pipe may say size 0
    chunks, total = [], 0
    while total <= max_bytes:
        chunk = source.read(min(_READ_CHUNK, max_bytes + 1 - total))  # type: ignore[union-attr]
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > max_bytes:
        raise _too_large(max_bytes)
    return b"".join(chunks)


def decode(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Text of an uploaded file (BOM removed).

    UTF-8, UTF-16 and UTF-32 (with a byte-order mark, or UTF-16 without one), else a Windows
    or ISO code page (:data:`LEGACY_ENCODINGS`).

    Parameters
    ----------
    data : bytes
        The file as uploaded.
    max_bytes : int
        Largest file accepted [bytes].

    Raises
    ------
    UploadError
        Empty, too large, a spreadsheet or other binary, or undecodable text.
    """
    if len(data) > max_bytes:
        raise _too_large(max_bytes, megabytes(len(data)))
    if not data or data.isspace():  # isspace: no stripped copy of a 50 MB file
        raise UploadError("the file is empty")
    if data.startswith(_EXCEL_MAGIC):
        raise UploadError("this looks like an Excel workbook: save it as CSV (UTF-8) and "
                          "upload the CSV")
    encoding = _unicode_encoding(data[:_SAMPLE])
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise UploadError(f"the file looks like {encoding.upper()} text but does not "
                              "decode as such: save it as CSV (UTF-8)") from None
        if not text.strip(_BOM + " \t\r\n"):
            raise UploadError("the file is empty")
        return text.removeprefix(_BOM)
    if b"\x00" in data[:_SAMPLE]:
        raise UploadError("this is a binary file, not CSV or JSON text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data)


def _unicode_encoding(head: bytes) -> str | None:
    """``utf-16``/``utf-32`` told by a byte-order mark, ``utf-16-le``/``-be`` by text whose
    every other byte is zero (ASCII in UTF-16 without a mark), else None."""
    for bom, encoding in _UTF_BOMS:
        if head.startswith(bom):
            return encoding
    pairs = len(head) // 2
    if pairs < 2:
        return None
    zero_odd, zero_even = head[1::2].count(0), head[0::2].count(0)
    if zero_odd >= 0.9 * pairs and zero_even == 0:
        return "utf-16-le"
    if zero_even >= 0.9 * pairs and zero_odd == 0:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes) -> str:
    """Text in a Windows/ISO code page (what Excel saves as "CSV" outside UTF-8).

    charset-normalizer ranks the candidates; on a tie (short files with few accents),
    Windows-1252 wins as the most common.
    """
    matches = list(charset_normalizer.from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)))
    if not matches:
        raise UploadError("the text encoding could not be recognised; save the file as UTF-8")
    best = min(matches, key=lambda m: (round(m.chaos, 3), -round(m.coherence, 3),
                                       m.encoding != "cp1252"))
    return str(best)


@dataclass(frozen=True, slots=True)
class Rows:
    """A CSV as its text cells, exactly as written (nothing stripped, nothing converted).

    Parameters
    ----------
    header : tuple of str
        The first record.
    records : tuple of tuple of str
        Every record after the header, blank ones included: ``records[i]`` is record
        ``i + 2`` of the file.
    delimiter : str
        One of :data:`DELIMITERS`.
    """

    header: tuple[str, ...]
    records: tuple[tuple[str, ...], ...]
    delimiter: str

    @property
    def decimal_comma(self) -> bool:
        """Whether numbers have a decimal comma: the file is ``;``-separated, as Excel saves
        CSV in a comma-decimal locale (French, German, ...)."""
        return self.delimiter == ";"

    def frame(self) -> pd.DataFrame:
        """The rows as a table of strings: header names stripped and lower-cased, cells
        stripped, empty cells None, blank records skipped.

        A column with an empty header name is dropped; a record shorter than the header is
        padded with empty cells. Numbers stay text: convert them with :func:`number`.

        Raises
        ------
        UploadError
            A header name appears twice, or a record has more filled cells than the header.
        """
        names = [h.strip().lower() for h in self.header]
        keep = [i for i, n in enumerate(names) if n]
        counts = collections.Counter(names[i] for i in keep)
        twice = sorted(n for n, k in counts.items() if k > 1)
        if twice:
            raise UploadError(f"the header names the column {twice[0]!r} twice")
        width = len(names)
        cells = []
        for number_in_file, record in enumerate(self.records, start=2):
            row = [c.strip() for c in record]
            if not any(row):
                continue
            if any(row[width:]):
                raise UploadError(f"record {number_in_file} has {len(row)} cells; the header "
                                  f"has {width}")
            row += [""] * (width - len(row))
            cells.append([row[i] or None for i in keep])
        return pd.DataFrame(cells, columns=[names[i] for i in keep], dtype=object)


def delimiter_of(header_line: str) -> str:
    """The delimiter of :data:`DELIMITERS` most frequent in a header line, outside quotes.

    One pass over the line, counting (linear time whatever the quotes: nothing backtracks).
    """
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(DELIMITERS, key=counts.__getitem__)


def read_rows(text: str, max_rows: int = MAX_UPLOAD_ROWS) -> Rows:
    """The records of a CSV text, its delimiter told by the header line.

    Text after a closing quote (``"Santa" Maria``) is kept, as spreadsheets read it.

    Parameters
    ----------
    text : str
        The decoded file.
    max_rows : int
        Most records after the header [records].

    Raises
    ------
    UploadError
        No header, a quoted cell left open at the end of the file, or past a limit: more
        than :data:`~footprint.assumptions.MAX_UPLOAD_COLUMNS` columns, ``max_rows`` records
        or :data:`~footprint.assumptions.MAX_UPLOAD_LINE_CHARS` characters in a record.
    """
    text = text.removeprefix(_BOM)
    head = text[: MAX_UPLOAD_LINE_CHARS + 2]
    first = _LINE.match(head).group().rstrip("\r\n") if head else ""  # type: ignore[union-attr]
    if len(first) > MAX_UPLOAD_LINE_CHARS:
        raise UploadError(f"the first line is longer than {MAX_UPLOAD_LINE_CHARS:,} characters, "
                          "the limit of a CSV record: is this a CSV with a header line?")
    delimiter = delimiter_of(first)
    try:
        rows = _records(text, delimiter, strict=True, max_rows=max_rows)
    except csv.Error as exc:
        if "expected after" not in str(exc):
            raise UploadError(f"the file is not a readable table: {exc}") from None
        rows = _records(text, delimiter, strict=False, max_rows=max_rows)
    if not rows:
        raise UploadError("the file is empty")
    return Rows(tuple(rows[0]), tuple(tuple(r) for r in rows[1:]), delimiter)


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings, one at a time (no copy of the whole text);
    a line longer than a record may be comes in pieces (the reader refuses its record, or
    joins the pieces of a quoted cell), so no scan goes further than one record."""
    pos, size, window = 0, len(text), MAX_UPLOAD_LINE_CHARS + 2
    while pos < size:
        line = _LINE.match(text, pos, pos + window).group()  # type: ignore[union-attr]
        pos += len(line)
        yield line


def _records(text: str, delimiter: str, strict: bool, max_rows: int) -> list[list[str]]:
    """The records, refused at the first one past a limit (a Python loop: other sessions'
    threads get the interpreter between records)."""
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=strict)
    out: list[list[str]] = []
    try:
        for record in reader:
            if len(record) > MAX_UPLOAD_COLUMNS:
                raise UploadError(
                    f"record {len(out) + 1} has {len(record):,} columns; a CSV may have at "
                    f"most {MAX_UPLOAD_COLUMNS}: keep only the columns the app reads")
            if sum(map(len, record)) > MAX_UPLOAD_LINE_CHARS:
                raise UploadError(
                    f"record {len(out) + 1} is longer than {MAX_UPLOAD_LINE_CHARS:,} "
                    "characters, the limit of a CSV record: is a quote left open?")
            if len(out) > max_rows:
                raise UploadError(f"the file has more than {max_rows:,} records after the "
                                  f"header, the limit: split it into files of at most "
                                  f"{max_rows:,}")
            out.append(record)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UploadError(
                f"a cell is longer than {csv.field_size_limit():,} characters: is a quote "
                "left open?") from None
        raise
    return out


def number(text: str | float | None, decimal_comma: bool = False) -> int | float | None:
    """A number from a cell: an int when it is written as one, else a float.

    Plain numbers (``12``, ``-0.25``, ``2.352``, ``1e5``) read as written. Digits grouped in
    threes by ``,`` ``.`` space or ``'`` are thousands when the other mark, or none, ends the
    number (``1,234.5``, ``1.234,5``, ``1 234``); a lone comma is a decimal comma (``12,5``).
    ``1,234`` is 1234, or 1.234 in a file with a decimal comma.

    Parameters
    ----------
    text : str, float or None
        The cell; None, NaN and blank text are an empty cell.
    decimal_comma : bool
        The file writes decimals with a comma (:attr:`Rows.decimal_comma`).

    Returns
    -------
    int, float or None
        None for an empty cell.

    Raises
    ------
    ValueError
        The text is not a number, or an integer of more than
        :data:`~footprint.assumptions.MAX_INTEGER_DIGITS` digits.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    s = str(text).strip()
    if not s:
        return None
    grouped = _GROUPED.fullmatch(s)
    if _PLAIN.fullmatch(s):
        pass
    elif (grouped and grouped["sep"] != grouped["dec"]
          and not (decimal_comma and grouped["sep"] == "," and grouped["dec"] is None)):
        if grouped["dec"] is None:
            s = _SEPARATORS.sub("", s)
        else:
            cut = grouped.start("dec")
            s = _SEPARATORS.sub("", s[:cut]) + "." + s[cut + 1:]
    elif _COMMA_DECIMAL.fullmatch(s):
        s = s.replace(",", ".")
    if not _INTEGER.fullmatch(s):
        return float(s)
    if len(s.lstrip("+-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"an integer of more than {MAX_INTEGER_DIGITS} digits")
    return int(s)
