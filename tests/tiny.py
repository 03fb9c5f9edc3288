"""A tiny hand-built world for known-value tests of the models (no database)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.data.model_inputs import ModelInputs

REG_COLUMNS = ["regulator", "clock_value", "clock_unit", "clock_note", "approval_low_days",
               "approval_high_days", "approval_note", "startup_low_days", "startup_high_days",
               "startup_note", "import_permit", "sample_export_restriction",
               "local_legal_representative", "translation", "sequential_ethics",
               "source", "as_of"]
FLAGS_OFF = dict.fromkeys(["import_permit", "sample_export_restriction",
                           "local_legal_representative", "translation", "sequential_ethics"],
                          False)

BASE_VALUES = {
    "SP.POP.TOTL": 1_000_000, "SP.POP.0014.TO.ZS": 30, "SP.POP.1564.TO.ZS": 50,
    "SP.POP.65UP.TO.ZS": 20, "SP.URB.TOTL.IN.ZS": 50, "SH.STA.DIAB.ZS": 10,
    "NCD.HTN.PREV": 30, "NCD.HTN.DIAG": 50, "SH.TBS.INCD": 100, "SH.DYN.AIDS.ZS": 1,
    "WGI.RQ": 0.0, "WGI.RL": 0.0, "WGI.PV": 0.0, "WGI.GE": 0.0,
    "SH.MED.PHYS.ZS": 2, "SH.MED.BEDS.ZS": 3, "NY.GDP.PCAP.PP.CD": 20_000,
    "LP.LPI.OVRL.XQ": 3, "EG.ELC.ACCS.ZS": 90, "SP.POP.SCIE.RD.P6": 1000,
    "IP.JRN.ARTC.SC": 1000, "IT.NET.USER.ZS": 70, "IT.NET.BBND.P2": 20, "IT.CEL.SETS.P2": 100,
}
INDICATIONS = pd.DataFrame([
    {"indication": "type2_diabetes", "name": "Type 2 diabetes", "kind": "indicator",
     "metric": "SH.STA.DIAB.ZS", "metric_denominator": 100.0, "age_low": 20, "age_high": 79,
     "sex": "both", "unit": "prevalent", "rate_basis": "age_standardised",
     "standard_population": "test standard", "diagnosed_metric": None,
     "default_diagnosed_share": 0.5,
     "diagnosed_source": "test", "note": ""},
    {"indication": "hypertension", "name": "Hypertension", "kind": "indicator",
     "metric": "NCD.HTN.PREV", "metric_denominator": 100.0, "age_low": 30, "age_high": 79,
     "sex": "both", "unit": "prevalent", "rate_basis": "age_standardised",
     "standard_population": "test standard", "diagnosed_metric": "NCD.HTN.DIAG",
     "default_diagnosed_share": np.nan, "diagnosed_source": "test", "note": ""},
    {"indication": "tuberculosis", "name": "Tuberculosis", "kind": "indicator",
     "metric": "SH.TBS.INCD", "metric_denominator": 100_000.0, "age_low": 0, "age_high": np.nan,
     "sex": "both", "unit": "incident_per_year", "rate_basis": "crude",
     "standard_population": None, "diagnosed_metric": None, "default_diagnosed_share": 0.7,
     "diagnosed_source": "test", "note": ""},
]).set_index("indication")


def regulatory_row(**cells) -> dict:
    row = dict.fromkeys(REG_COLUMNS, np.nan) | FLAGS_OFF | {"source": "test", "as_of": "2025"}
    return row | cells


GATE_COLUMNS = ["sanctions_level", "sanctions_regimes", "war", "war_note", "conflict_note",
                "source", "as_of"]


def gate_row(level: str = "none_known", war: bool = False, **cells) -> dict:
    row = {"sanctions_level": level, "sanctions_regimes": "", "war": war, "war_note": "",
           "conflict_note": "", "source": "test", "as_of": "2026-11"}
    return row | cells


def make_inputs(values: dict[str, dict[str, float]] | None = None,
                regulatory: dict[str, dict] | None = None,
                regions: dict[str, list[str]] | None = None,
                gate: dict[str, dict] | None = None) -> ModelInputs:
    """Countries AAA, BBB, CCC with BASE_VALUES, overridden per country by ``values``; every
    country is in the gate table as "none_known" unless ``gate`` says otherwise."""
    values = values or {}
    codes = sorted({"AAA", "BBB", "CCC"} | set(values))
    regions = regions or {"Testland": codes}
    table = pd.DataFrame({c: BASE_VALUES | values.get(c, {}) for c in codes}).T.astype(float)
    years = pd.DataFrame(2024, index=table.index, columns=table.columns)
    country_regions = {c: sorted(r for r, m in regions.items() if c in m) for c in codes}
    countries = pd.DataFrame({"name": [f"Country {c}" for c in codes],
                              "regions": [country_regions[c] for c in codes]}, index=codes)
    reg = pd.DataFrame.from_dict(regulatory or {}, orient="index", columns=REG_COLUMNS)
    for flag in FLAGS_OFF:
        reg[flag] = reg[flag].astype(bool)
    return ModelInputs(
        countries=countries, values=table, years=years,
        sources=pd.Series("Test source", index=table.columns),
        indications=INDICATIONS, regulatory=reg, region_members=regions,
        gate=pd.DataFrame.from_dict({c: gate_row() for c in codes} | (gate or {}),
                                    orient="index", columns=GATE_COLUMNS),
        regulators=pd.DataFrame(columns=["regulator", "ethics_note", "source", "as_of"]),
    )
