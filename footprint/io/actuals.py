"""Actual enrollment files: one row per site, validated against the scenario they update.

Columns (header names in any case and order, read with the one upload reader
:func:`footprint.io.uploads.read_rows`, so ``;``-separated files with decimal commas, tabs
or pipes read as well):

==========  ==============================================================================
iso3        the site's country, one of the scenario's
site_id     the site's own id (text, unique within its country)
opened_on   the date the site opened, ``YYYY-MM-DD``; empty when it is not open yet
randomised  patients randomised at the site to date (a whole number, 0 if none)
==========  ==============================================================================

Every problem is listed, each with its line: a malformed date or one after the as-of date, a
count that is negative or not a whole number, patients at a site that is not open, an
unknown country (not in the scenario), a site listed twice, a country with more patients
randomised than its eligible pool or more sites than the scenario plans. A planned site not
listed is taken as not open yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from footprint.enrollment.reforecast import SiteActual
from footprint.enrollment.scenario import ResolvedScenario
from footprint.errors import UploadError
from footprint.io.uploads import number, read_rows

ACTUALS_COLUMNS: Final = ("iso3", "site_id", "opened_on", "randomised")
MAX_SITE_ID_LENGTH: Final = 100
"""[characters] Longest site id (an id, not a description)."""
_HEADLINE: Final = "actual enrollment refused (the scenario is unchanged):"


def _date(cell: str) -> dt.date:
    if len(cell) != 10:
        raise ValueError
    return dt.date.fromisoformat(cell)


def _row_problems(cells: dict[str, str], as_of: dt.date, known: set[str],
                  decimal_comma: bool) -> tuple[list[str], SiteActual | None]:
    problems = []
    iso3 = cells["iso3"].strip().upper()
    site_id = cells["site_id"].strip()
    if not iso3:
        problems.append("iso3 is empty")
    elif iso3 not in known:
        problems.append(f"unknown country {iso3!r} (the scenario has {', '.join(sorted(known))})")
    if not site_id:
        problems.append("site_id is empty")
    elif len(site_id) > MAX_SITE_ID_LENGTH:
        problems.append(f"site_id has {len(site_id)} characters; at most {MAX_SITE_ID_LENGTH}")
    opened_on = None
    text = cells["opened_on"].strip()
    if text:
        try:
            opened_on = _date(text)
        except ValueError:
            problems.append(f"opened_on {text!r} is not a date YYYY-MM-DD (empty if not open)")
        else:
            if opened_on > as_of:
                problems.append(f"opened_on {opened_on} is after the as-of date {as_of}")
    count: int | None = None
    raw = cells["randomised"].strip()
    try:
        value = number(raw, decimal_comma)
    except ValueError:
        value = raw
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # "4.0" from a spreadsheet
    if value is None:
        problems.append("randomised is empty (0 if no patient yet)")
    elif not isinstance(value, int):
        problems.append(f"randomised must be a whole number of patients >= 0; got {raw!r}")
    elif value < 0:
        problems.append(f"randomised must be >= 0; got {value}")
    else:
        count = value
    if count and not text:
        problems.append(f"{count} patients randomised at a site with no opened_on date")
    if problems:
        return problems, None
    assert count is not None
    return [], SiteActual(iso3, site_id, opened_on, count)


def actuals_from_csv(text: str, resolved: ResolvedScenario,
                     as_of: dt.date) -> tuple[SiteActual, ...]:
    """The sites of an actuals CSV, validated against the scenario and the as-of date.

    Parameters
    ----------
    text : str
        The decoded file (:func:`footprint.io.uploads.decode`).
    resolved : ResolvedScenario
        The scenario the actuals update: its countries, planned sites and pools.
    as_of : datetime.date
        The date the counts are from.

    Raises
    ------
    UploadError
        With every problem, each prefixed with its line (``line 3 (BRA/S-01): ...``).
    """
    rows = read_rows(text)
    names = [h.strip().lower() for h in rows.header]
    problems = []
    missing = [c for c in ACTUALS_COLUMNS if c not in names]
    unknown = [n for n in names if n and n not in ACTUALS_COLUMNS]
    if missing:
        problems.append(f"(header): missing columns: {', '.join(missing)} "
                        f"(the columns are {', '.join(ACTUALS_COLUMNS)})")
    if unknown:
        problems.append(f"(header): unknown columns: {', '.join(map(repr, unknown))} "
                        f"(the columns are {', '.join(ACTUALS_COLUMNS)})")
    if len(set(names)) != len(names):
        problems.append("(header): a column appears twice")
    if problems:
        raise UploadError(problems, headline=_HEADLINE)
    position = {n: names.index(n) for n in ACTUALS_COLUMNS}
    known = {c.iso3 for c in resolved.countries}
    planned = {c.iso3: c for c in resolved.countries}
    seen: dict[tuple[str, str], int] = {}
    sites: list[SiteActual] = []
    lines: dict[str, list[int]] = {}
    for line, record in enumerate(rows.records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(names) and any(c.strip() for c in record[len(names):]):
            problems.append(f"line {line}: {len(record)} cells, the header has {len(names)}")
            continue
        cells = {n: (record[i] if i < len(record) else "") for n, i in position.items()}
        label = f"line {line} ({cells['iso3'].strip().upper()}/{cells['site_id'].strip()})"
        found, site = _row_problems(cells, as_of, known, rows.decimal_comma)
        key = (cells["iso3"].strip().upper(), cells["site_id"].strip())
        if key[1] and key in seen:
            found.append(f"site listed twice (already line {seen[key]})")
            site = None
        seen.setdefault(key, line)
        problems += [f"{label}: {p}" for p in found]
        if site is not None:
            sites.append(site)
            lines.setdefault(site.iso3, []).append(line)
    if not sites and not problems:
        problems.append("(file): no site rows")
    for iso3, members in lines.items():
        c = planned[iso3]
        listed = [s for s in sites if s.iso3 == iso3]
        if len(listed) > c.sites:
            problems.append(f"{iso3} (lines {members[0]}-{members[-1]}): {len(listed)} sites "
                            f"listed, the scenario plans {c.sites}")
        total = sum(s.randomised for s in listed)
        if c.pool_cap is not None and total > c.pool_cap:
            problems.append(f"{iso3}: {total:,} patients randomised, more than its eligible "
                            f"pool of {c.pool_cap:,.0f}")
    if problems:
        raise UploadError(problems, headline=_HEADLINE)
    return tuple(sites)
