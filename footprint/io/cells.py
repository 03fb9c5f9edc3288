"""CSV cells that a spreadsheet shows as written: formula neutralisation and plain numbers.

CSV injection (OWASP): a text cell that begins with ``=``, ``+``, ``-``, ``@``, tab or carriage
return is written with a leading ``'`` so spreadsheets show it as text; so is a text cell that
already begins with ``'``, which makes the escape reversible: :func:`unneutralise_cell` removes
exactly one leading ``'``. Numeric cells are written as plain numbers.

References
----------
OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import math
from typing import Final

FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def neutralise_cell(text: str) -> str:
    """Prefix ``'`` to a text cell a spreadsheet could run as a formula (OWASP CSV injection).

    Cells beginning with ``= + - @``, tab or CR get the prefix; so do cells already beginning
    with ``'``, so that :func:`unneutralise_cell` can always strip exactly one.
    """
    if text.startswith(FORMULA_TRIGGERS) or text.startswith("'"):
        return "'" + text
    return text


def unneutralise_cell(text: str) -> str:
    """Undo :func:`neutralise_cell`."""
    if text.startswith("'") and (text[1:].startswith(FORMULA_TRIGGERS) or text[1:2] == "'"):
        return text[1:]
    return text


def csv_cell(value: str | int | float | None, digits: int | None = None) -> str:
    """Format one CSV cell: text is neutralised, numbers stay plain numbers.

    Parameters
    ----------
    value : str, int, float or None
        None (and NaN) give an empty cell; floats are written exactly (``repr``) unless
        ``digits`` rounds them; infinities as ``inf``/``-inf``.
    digits : int, optional
        Decimals to round floats to (outputs only; inputs are written exactly).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_cell(value)
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if digits is not None:
        value = round(value, digits)
    return repr(value)
