"""Turn uploaded bytes into text and tables, with a clear message for every bad file.

Handles what analysts' spreadsheets produce: a UTF-8 BOM, Latin-1 / Windows-1252 text
(detected with charset-normalizer), comma, semicolon, tab or pipe delimiters (csv.Sniffer),
thousands separators in numbers, an Excel workbook or other binary where CSV was expected,
empty and oversized files.
"""

from __future__ import annotations

import csv
import io
import re

import charset_normalizer
import pandas as pd

from footprint.assumptions import MAX_UPLOAD_BYTES
from footprint.errors import UploadError

DELIMITERS = ",;\t|"
# Code pages tried when a file is not UTF-8: Western, Central and Eastern European (Cyrillic)
LEGACY_ENCODINGS = ["cp1252", "cp1250", "cp1251", "iso8859_2"]
_EXCEL_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # xlsx (zip), xls (OLE)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,\u00a0 ']\d{3})+(\.\d+)?$")
_DECIMAL_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def decode(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Text of an uploaded file (BOM removed).

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
    matches = list(charset_normalizer.from_bytes(data, cp_isolation=LEGACY_ENCODINGS))
    if not matches:
        raise UploadError("the text encoding could not be recognised; save the file as UTF-8")
    best = min(matches, key=lambda m: (round(m.chaos, 3), -round(m.coherence, 3),
                                       m.encoding != "cp1252"))
    return str(best)


def read_table(text: str) -> pd.DataFrame:
    """A table of strings from CSV text with any usual delimiter (header row required).

    Cells are stripped; empty cells are NaN. Numbers stay text: convert with :func:`number`.
    """
    sample = text[:64_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","  # one column, or too irregular to tell: the header check will say
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, skipinitialspace=True,
                            keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UploadError(f"the file is not a readable table: {exc}") from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame.apply(lambda col: col.str.strip())


def number(text: str | float | None) -> float | None:
    """A number from a cell, accepting thousands separators ('1,234.5', '1.234,5', '1 234').

    Returns None for an empty cell; raises ValueError for text that is not a number.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    s = str(text).strip()
    if not s:
        return None
    if _THOUSANDS.match(s):
        s = re.sub(r"[,\u00a0 ']", "", s)
    elif _DECIMAL_COMMA_THOUSANDS.match(s):
        s = s.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[+-]?\d+,\d+", s):
        s = s.replace(",", ".")
    return float(s)
