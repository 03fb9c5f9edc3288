"""Infrastructure risk and decentralised-trial (DCT) readiness per country.

Normalisation
-------------
Each component is scored between two documented anchors (:data:`RISK_ANCHORS`,
:data:`DCT_ANCHORS` in :mod:`footprint.assumptions`; :func:`footprint.model.scales.anchored`):
a country's risk does not depend on the other countries, and a saturated indicator
(electricity access at 100 %) carries no risk where it is saturated.

Infrastructure risk [0-100, higher = riskier]: equal-weight mean of the available
components in :data:`RISK_COMPONENTS` (healthcare workforce and beds, wealth, logistics and
cold chain, electricity, research capacity, political stability, government
effectiveness). A country with fewer than :data:`MIN_COMPONENTS` components gets no score
(NaN). A gated country (embargo, sanctions or war: :mod:`footprint.model.gate`) has a risk
of at least :data:`WAR_RISK_FLOOR`.

DCT readiness [0-100, higher = more ready]: mean anchored score of internet users, fixed
broadband and mobile subscriptions.
"""

from __future__ import annotations

import pandas as pd

from footprint.assumptions import DCT_ANCHORS, MIN_COMPONENTS, RISK_ANCHORS, WAR_RISK_FLOOR
from footprint.data.model_inputs import ModelInputs
from footprint.model.components import weighted_mean
from footprint.model.scales import anchored

# component name -> indicator code; all are "more is better"
RISK_COMPONENTS = {
    "physicians": "SH.MED.PHYS.ZS",
    "hospital_beds": "SH.MED.BEDS.ZS",
    "gdp_per_capita_ppp": "NY.GDP.PCAP.PP.CD",
    "logistics": "LP.LPI.OVRL.XQ",
    "electricity": "EG.ELC.ACCS.ZS",
    "researchers": "SP.POP.SCIE.RD.P6",
    "articles_per_million": "IP.JRN.ARTC.SC",  # divided by population below
    "political_stability": "WGI.PV",
    "government_effectiveness": "WGI.GE",
}
DCT_COMPONENTS = {
    "internet_users": "IT.NET.USER.ZS",
    "broadband": "IT.NET.BBND.P2",
    "mobile": "IT.CEL.SETS.P2",
}


def component_values(inputs: ModelInputs) -> pd.DataFrame:
    """Raw component values per country in their source units."""
    v = inputs.values
    out = pd.DataFrame({name: v[code] for name, code in RISK_COMPONENTS.items()})
    out["articles_per_million"] = v["IP.JRN.ARTC.SC"] / v["SP.POP.TOTL"] * 1e6
    return out


def scored(frame: pd.DataFrame, anchors: dict[str, tuple[float, float, str]]) -> pd.DataFrame:
    """Each column scored [0-100] between its anchors (NaN where the value is missing)."""
    return pd.DataFrame({name: anchored(frame[name], *anchors[name]) for name in frame.columns})


def infrastructure(inputs: ModelInputs, gated: pd.Series) -> pd.DataFrame:
    """Risk components, infrastructure risk and DCT readiness per country.

    Parameters
    ----------
    gated : boolean per iso3, the country gate (embargo, sanctions or war; NA = not gated).
    """
    risk = scored(component_values(inputs), RISK_ANCHORS)
    score, used = weighted_mean(risk)
    score = score.where(used >= MIN_COMPONENTS)
    war = gated.reindex(risk.index).fillna(False).astype(bool)
    score = score.where(~war | score.isna(), score.clip(lower=WAR_RISK_FLOOR))
    out = risk.add_prefix("infra_")
    out["infrastructure_risk"] = score
    out["infrastructure_components_used"] = used
    dct = scored(pd.DataFrame({n: inputs.values[c] for n, c in DCT_COMPONENTS.items()}),
                 DCT_ANCHORS)
    out["dct_readiness"], out["dct_components_used"] = weighted_mean(dct)
    return out
