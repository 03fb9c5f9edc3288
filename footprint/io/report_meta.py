"""What every report carries besides its figures: when, from which data and app, with which
settings, and the attribution the CC BY licences of the data require.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Final

import pandas as pd

from footprint.assumptions import (
    DATA_AS_OF_YEAR,
    DEFAULT_ELIGIBILITY_SHARE,
    DEFAULT_SITE_ACTIVATION_DAYS,
    GATE_AS_OF,
)
from footprint.model.scoring import Weights

DISTRIBUTION: Final = "trial-footprint"
"""The installed distribution whose version a report names."""
ATTRIBUTION: Final = (
    "Data: World Bank WDI and WGI, Our World in Data, NCD-RisC, GeoNames (CC BY 4.0); UN "
    "DESA, World Population Prospects 2019 (CC BY 3.0 IGO); ClinicalTrials.gov (NLM) via "
    "AACT, snapshot 2023-10; NCHS NHANES (public domain). Boundaries: Natural Earth (public "
    "domain), drawn as Natural Earth draws them."
)
"""The attribution line of every map and report (the CC BY licences require it)."""


def app_version() -> str:
    """The installed version of Trial Footprint (``"unknown"`` when it is not installed)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True, slots=True)
class ReportMeta:
    """The settings and provenance printed on a report.

    Parameters
    ----------
    eligibility_share : share of diagnosed patients meeting the criteria [0-1].
    site_activation_days : site activation after approval [days].
    weights : pool / friction / infrastructure / trial-experience weights of the scores.
    generated_at : when the report was made [UTC].
    app_version : Trial Footprint's version.
    data_as_of_year : reference year of the data snapshot [year].
    gate_as_of : month of the sanctions and war snapshot (``YYYY-MM``).
    """

    eligibility_share: float = DEFAULT_ELIGIBILITY_SHARE
    site_activation_days: float = DEFAULT_SITE_ACTIVATION_DAYS
    weights: Weights = field(default_factory=Weights)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    app_version: str = field(default_factory=app_version)
    data_as_of_year: int = DATA_AS_OF_YEAR
    gate_as_of: str = GATE_AS_OF

    def __post_init__(self) -> None:
        if self.generated_at.utcoffset() is None:
            raise ValueError("generated_at must carry a time zone (UTC)")
        object.__setattr__(self, "generated_at", self.generated_at.astimezone(UTC))

    @property
    def date(self) -> str:
        """The report's date, ``YYYY-MM-DD`` (UTC)."""
        return self.generated_at.strftime("%Y-%m-%d")

    def rows(self) -> list[tuple[str, str | int | float, str]]:
        """(what, value, unit) of every setting, in the order reports print them."""
        w = self.weights
        return [
            ("Generated", self.generated_at.strftime("%Y-%m-%d %H:%M UTC"), ""),
            ("Trial Footprint version", self.app_version, ""),
            ("Data snapshot", self.data_as_of_year, "year"),
            ("Sanctions and war snapshot", self.gate_as_of, "month"),
            ("Weight: patient pool", w.pool, "relative"),
            ("Weight: regulatory friction", w.friction, "relative"),
            ("Weight: infrastructure", w.infrastructure, "relative"),
            ("Weight: trial experience", w.experience, "relative (0: not scored)"),
            ("Eligible share of diagnosed patients", self.eligibility_share, "0-1"),
            ("Site activation after approval", self.site_activation_days, "days"),
        ]

    def settings_text(self) -> str:
        """The settings in one line (weights, eligibility, site activation, snapshot)."""
        w = self.weights
        return (f"Weights pool {w.pool:g} / friction {w.friction:g} / infrastructure "
                f"{w.infrastructure:g} / trial experience {w.experience:g}; "
                f"{self.eligibility_share:.0%} of diagnosed patients "
                f"eligible; {self.site_activation_days:g} days of site activation. Data "
                f"snapshot {self.data_as_of_year}, sanctions and war as of {self.gate_as_of}; "
                f"Trial Footprint {self.app_version}.")


def source_lines(sources: pd.DataFrame) -> list[str]:
    """One line per shipped source: publisher, title, licence, version and address.

    Parameters
    ----------
    sources : the frame of :func:`footprint.data.atlas.data_sources`.
    """
    return [f"{r.publisher}: {r.title} ({r.licence}; {r.version}; {r.years}) {r.url}"
            for r in sources.itertuples()]
