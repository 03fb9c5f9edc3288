"""Turn uploaded bytes into text, rows and numbers, with a clear message for every bad file.

The one reader of every CSV the app takes (site lists, scenario CSV, the upload sniffer). It
handles what analysts' spreadsheets produce: a UTF-8 BOM, Latin-1 / Windows-1252 text
(detected with charset-normalizer), comma, semicolon, tab or pipe delimiters (told by the
header line), decimal commas (a semicolon file is what Excel saves in a comma-decimal locale),
thousands separators in numbers, an Excel workbook or other binary where CSV was expected,
empty and oversized files.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from typing import Final

import charset_normalizer
import pandas as pd

from footprint.assumptions import MAX_UPLOAD_BYTES
from footprint.errors import UploadError

DELIMITERS: Final = ",;\t|"
"""Delimiters a CSV may use; the header line tells which (a tie or none: the first)."""
# Code pages tried when a file is not UTF-8: Western, Central and Eastern European (Cyrillic)
LEGACY_ENCODINGS: Final = ("cp1252", "cp1250", "cp1251", "iso8859_2")
_EXCEL_MAGIC: Final = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # xlsx (zip), xls
_BOM: Final = "\ufeff"
_QUOTED: Final = re.compile(r'"[^"]*"')
_PLAIN: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INTEGER: Final = re.compile(r"[+-]?\d+")
_GROUPED: Final = re.compile(
    r"[+-]?\d{1,3}(?P<sep>[,. \u00a0'])\d{3}(?:(?P=sep)\d{3})*(?:(?P<dec>[.,])\d+)?")
_SEPARATORS: Final = re.compile(r"[,. \u00a0']")
_COMMA_DECIMAL: Final = re.compile(r"[+-]?\d*,\d+")


def decode(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Text of an uploaded file (BOM removed).

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
        raise UploadError(f"the file is {len(data) / 1e6:.1f} MB; the limit is "
                          f"{max_bytes / 1e6:.0f} MB")
    if not data.strip():
        raise UploadError("the file is empty")
    if data.startswith(_EXCEL_MAGIC):
        raise UploadError("this looks like an Excel workbook: save it as CSV (UTF-8) and "
                          "upload the CSV")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadError("this is a binary file, not CSV or JSON text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data)


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
        twice = sorted({names[i] for i in keep if names.count(names[i]) > 1})
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
    """The delimiter of :data:`DELIMITERS` most frequent in a header line, outside quotes."""
    bare = _QUOTED.sub("", header_line)
    return max(DELIMITERS, key=bare.count)


def read_rows(text: str) -> Rows:
    """The records of a CSV text, its delimiter told by the header line.

    Text after a closing quote (``"Santa" Maria``) is kept, as spreadsheets read it.

    Raises
    ------
    UploadError
        No header, or a quoted cell left open at the end of the file.
    """
    text = text.removeprefix(_BOM)
    delimiter = delimiter_of(text.split("\n", 1)[0])
    try:
        rows = _records(text, delimiter, strict=True)
    except csv.Error as exc:
        if "expected after" not in str(exc):
            raise UploadError(f"the file is not a readable table: {exc}") from None
        rows = _records(text, delimiter, strict=False)
    if not rows:
        raise UploadError("the file is empty")
    return Rows(tuple(rows[0]), tuple(tuple(r) for r in rows[1:]), delimiter)


def _records(text: str, delimiter: str, strict: bool) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict))


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
        The text is not a number.
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
    return int(s) if _INTEGER.fullmatch(s) else float(s)
