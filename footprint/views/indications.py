"""What the "Your indications" page shows: the form's values turned into a definition checked
by :mod:`footprint.io.indications` (every problem listed), the rates CSV's columns and its
template, and the table of the stored indications open to the user.

The app ships no invented epidemiology: nothing here supplies a rate, a share or a year; an
empty field is a problem to fix, never a default.
"""

from __future__ import annotations

import csv
import io as text_io
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields

import pandas as pd

from footprint.errors import UploadError
from footprint.io import indications as io
from footprint.store.indications import StoredIndication
from footprint.store.workspace import TEAM

ONE_RATE, PER_COUNTRY = "one_rate", "per_country"
MODES = (ONE_RATE, PER_COUNTRY)
MODE_LABELS = {ONE_RATE: "One rate for all countries",
               PER_COUNTRY: "A rate per country (CSV upload)"}
KIND_LABELS = {"prevalent": "Prevalent (people living with it)",
               "incident_per_year": "Incident per year (new cases a year)"}
SEX_LABELS = {"both": "Both", "female": "Female", "male": "Male"}
UNIT_LABELS = {"percent": "percent [%]", "per_1000": "per 1,000", "per_100000": "per 100,000",
               "per_million": "per million"}
TEMPLATE_NAME = "indication_rates_template.csv"
_NO_DIAGNOSED_SOURCE = next(f.default for f in fields(io.Definition)
                            if f.name == "diagnosed_source")
_EMPTY = {
    "rate": "rate: empty; give the rate of every country (in the band, of that sex)",
    "year": "year: empty; give the year the rate is for, such as 2021",
    "diagnosed_share": "diagnosed_share: empty; give the share of patients who are diagnosed, "
                       "from above 0 to 1 (1: every patient)",
    "age_low": "age_low: empty; give the band's lowest age [years]",
    "age_high": "age_high: empty; give the band's highest age, or tick 'open band'",
}


@dataclass(frozen=True, slots=True)
class Form:
    """The form's values as typed (None: left empty).

    Parameters
    ----------
    age_low, age_high : the band, inclusive [years]; ``age_high`` is ignored when
        ``open_band``.
    mode : one of :data:`MODES`.
    rate, unit, year, source : the one rate of every country (``mode`` ONE_RATE).
    """

    name: str = ""
    age_low: int | None = None
    age_high: int | None = None
    open_band: bool = True
    sex: str = "both"
    kind: str = "prevalent"
    diagnosed_share: float | None = None
    diagnosed_source: str = ""
    note: str = ""
    mode: str = ONE_RATE
    rate: float | None = None
    unit: str = "per_100000"
    year: int | None = None
    source: str = ""


def definition_of(form: Form, valid_iso3: Collection[str], *, rates_csv: bytes | None = None,
                  file_name: str = "", kept: io.Definition | None = None,
                  current_year: int | None = None) -> io.Definition:
    """The checked definition of the form, or an :class:`UploadError` listing every problem.

    Parameters
    ----------
    form : the values typed.
    valid_iso3 : the countries the app has data for.
    rates_csv, file_name : the uploaded rates CSV (``mode`` PER_COUNTRY).
    kept : the stored definition a new version replaces; with no new upload, its
        per-country rates are kept.
    current_year : the latest year a rate may be for (this year when None).
    """
    data: dict[str, object] = {
        "name": form.name, "age_low": form.age_low,
        "age_high": None if form.open_band else form.age_high, "sex": form.sex,
        "kind": form.kind, "diagnosed_share": form.diagnosed_share,
        "diagnosed_source": form.diagnosed_source, "note": form.note}
    empty = [k for k in ("age_low", "diagnosed_share") if data[k] is None]
    if not form.open_band and form.age_high is None:
        empty.append("age_high")
    problems: list[str] = []
    if form.mode == ONE_RATE:
        data.update(rate=form.rate, unit=form.unit, year=form.year, source=form.source)
        empty += [k for k in ("rate", "year") if data[k] is None]
    elif rates_csv is not None:
        data["rates"] = file_name or "the uploaded file"
    elif kept is not None and kept.rates:
        data["rates"] = rate_rows(kept)
    else:
        problems.append("rates: no file; upload a CSV with a rate per country (the columns "
                        "below), or choose one rate for all countries")
    try:
        definition = io.definition_from_dict(data, valid_iso3, rates_csv=rates_csv,
                                             current_year=current_year)
    except UploadError as exc:
        found = [p for p in exc.problems
                 if not any(p.startswith(f"{k}:") for k in empty)
                 and not (problems and p.startswith("no rate:"))]
        problems = [_EMPTY[k] for k in empty] + problems + found
    if problems:
        raise UploadError(problems, headline="The indication was not saved:")
    return definition


def form_of(definition: io.Definition) -> Form:
    """A stored definition as the form shows it (to save its next version)."""
    one = definition.rate
    return Form(
        name=definition.name, age_low=definition.age_low, age_high=definition.age_high,
        open_band=definition.age_high is None, sex=definition.sex, kind=definition.kind,
        diagnosed_share=definition.diagnosed_share,
        diagnosed_source=("" if definition.diagnosed_source == _NO_DIAGNOSED_SOURCE
                          else definition.diagnosed_source),
        note=definition.note, mode=ONE_RATE if one is not None else PER_COUNTRY,
        rate=None if one is None else one.value, unit="per_100000" if one is None else one.unit,
        year=None if one is None else one.year, source="" if one is None else one.source)


def rate_rows(definition: io.Definition) -> list[dict[str, object]]:
    """A definition's per-country rates as rows (iso3, rate, unit, year, source)."""
    return [{"iso3": iso3, "rate": r.value, "unit": r.unit, "year": r.year, "source": r.source}
            for iso3, r in definition.rates]


def rates_csv(definition: io.Definition) -> bytes:
    """A definition's per-country rates as the CSV the page reads back (UTF-8)."""
    out = text_io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["iso3", *io.RATE_COLUMNS], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rate_rows(definition))
    return out.getvalue().encode("utf-8")


def template_csv() -> bytes:
    """An empty rates table to fill in: the header and two rows naming a country (no rate,
    year or source: those are yours)."""
    return b"iso3,rate,unit,year,source\nBRA,,per_100000,,\nPOL,,per_100000,,\n"


def columns_table() -> pd.DataFrame:
    """The rates CSV's columns: what each holds, and how it is written."""
    return pd.DataFrame({
        "Column": ["iso3 or country", "rate", "unit", "year", "source"],
        "What it holds": [
            "the country: an ISO3 code, or a name as people write it (one of the two columns)",
            "the rate among people of the band (and sex): a crude rate, applied as given",
            "the rate's unit: " + ", ".join(io.RATE_UNITS),
            "the year the rate is for (not after this year)",
            "where the rate comes from (publisher, title), shown with every pool"],
        "Written as": ["BRA, or Brazil", "a number such as 12.5", "per_100000, or %",
                       "2022", "your registry's report, 2022"]})


def stored_table(items: Sequence[StoredIndication]) -> pd.DataFrame:
    """The stored indications, newest first: name, id, version, band, sex, kind, rates, the
    source label, when saved and who sees each."""
    columns = ["Name", "Id", "Version", "Age band", "Sex", "Kind", "Rates", "Source",
               "Saved", "Seen by"]
    return pd.DataFrame({
        "Name": [i.definition.name for i in items],
        "Id": [i.definition.id for i in items],
        "Version": [i.info.version for i in items],
        "Age band": [i.definition.band for i in items],
        "Sex": [SEX_LABELS[i.definition.sex] for i in items],
        "Kind": [KIND_LABELS[i.definition.kind].split(" (")[0] for i in items],
        "Rates": ["one for all countries" if i.definition.rate is not None
                  else f"{len(i.definition.rates)} countries" for i in items],
        "Source": [i.definition.sources for i in items],
        "Saved": [i.info.saved_at.strftime("%Y-%m-%d %H:%M UTC") for i in items],
        "Seen by": ["the team" if i.info.visibility == TEAM else f"{i.info.owner_name} only"
                    for i in items],
    }, columns=columns)


def choice_label(item: StoredIndication) -> str:
    """A stored indication as a choice: ``name · my_... · v2``."""
    return f"{item.definition.name} · {item.definition.id} · v{item.info.version}"
