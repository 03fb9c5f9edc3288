"""The country gate: sanctions, embargoes and war, from a sourced, dated table.

Levels, most severe first (:data:`LEVELS`): ``embargo`` (a comprehensive embargo),
``sanctions`` (broad, country-wide measures), ``war`` (armed conflict that affects much of the
country or its capital), ``targeted`` (listed persons or entities only), ``none_known`` (no
country programme in our table) and ``not_in_table`` (the table has no row: unknown, not
"safe"). A country at :data:`GATED_LEVELS` is *gated*: left out of rankings, top lists,
optimiser proposals and default scenarios unless the user includes gated countries, and then
penalised by :data:`GATE_PENALTY_POINTS`; its risk tier is always high. ``targeted`` and a
regional conflict (``conflict_note``) are notes, not gates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.data.model_inputs import ModelInputs

LEVELS = ("embargo", "sanctions", "war", "targeted", "none_known", "not_in_table")
GATED_LEVELS = ("embargo", "sanctions", "war")
LABELS = {"embargo": "embargo", "sanctions": "sanctions", "war": "war",
          "targeted": "targeted sanctions", "none_known": "none known",
          "not_in_table": "not in our table"}


def gate(inputs: ModelInputs) -> pd.DataFrame:
    """Gate level and its facts per country of ``inputs.countries``.

    Returns
    -------
    DataFrame indexed by iso3: ``gate_level`` (one of :data:`LEVELS`), ``gated`` (bool),
    ``gate_label`` (short text, e.g. "sanctions + war"), ``gate_detail`` (regimes and war
    note), ``gate_source``, ``gate_as_of`` and ``conflict_note`` ('' when none).
    """
    table = inputs.gate.reindex(inputs.countries.index)
    known = table["sanctions_level"].notna()
    war = table["war"].fillna(False).astype(bool)
    level = table["sanctions_level"].where(known, "not_in_table")
    level = level.where(level.isin(["embargo", "sanctions"]) | ~war, "war")
    label = level.map(LABELS)
    label = label.where(~(war & level.isin(["embargo", "sanctions"])), label + " + war")
    regimes = table["sanctions_regimes"].fillna("").str.strip().str.rstrip(".")
    war_text = np.where(war, "War: " + table["war_note"].fillna(""), "")
    detail = pd.Series([". ".join(p for p in pair if p) for pair in zip(regimes, war_text,
                                                                        strict=True)],
                       index=table.index)
    return pd.DataFrame({
        "gate_level": level,
        "gated": level.isin(GATED_LEVELS),
        "gate_label": label,
        "gate_detail": detail,
        "gate_source": table["source"].fillna(""),
        "gate_as_of": table["as_of"].fillna(""),
        "conflict_note": table["conflict_note"].fillna(""),
    }, index=inputs.countries.index)
