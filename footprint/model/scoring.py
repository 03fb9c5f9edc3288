"""Country scores: attractiveness from pool, friction and infrastructure, ranks, risk tiers.

Attractiveness [0-100] = weighted mean of the available scores
``pool_score`` (reachable patients on the log10 scale of :data:`POOL_SCORE_ANCHORS`),
``100 - friction_index`` and ``100 - infrastructure_risk``, with user weights normalised to
sum to 1 (a missing score is dropped and the others re-weighted; ``score_components_used``).
An optional fourth, ``experience_score`` (registered studies per million people on the log10
scale of :data:`EXPERIENCE_SCORE_ANCHORS`), counts only while its weight is above 0, so the
default weight 0 leaves every score exactly as with three. ``crowding`` (registered studies
per 100,000 eligible patients) is an indicator, never scored.

Risk tier (executive map): the mean of friction index and infrastructure risk, ``low`` below
:data:`TIER_LOW_BELOW`, ``high`` from :data:`TIER_HIGH_FROM`, ``medium`` between; a gated
country (embargo, sanctions or war, :mod:`footprint.model.gate`) is always ``high``.

The gate: :func:`score` leaves gated countries out of a ranking unless ``include_gated``; then
they are ranked with :data:`GATE_PENALTY_POINTS` taken off their attractiveness.

Rank stability: weights drawn from a Dirichlet centred on the chosen weights
(``alpha = concentration * weights``); the share of draws in which a country stays in the
top k of the selection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from footprint.assumptions import (
    DEFAULT_EXPERIENCE_WEIGHT,
    EXPERIENCE_SCORE_ANCHORS,
    GATE_PENALTY_POINTS,
    POOL_SCORE_ANCHORS,
    SLOW_APPROVAL_DAYS,
    TIER_HIGH_FROM,
    TIER_LOW_BELOW,
)
from footprint.data.model_inputs import ModelInputs, select
from footprint.model import friction, infrastructure, pool
from footprint.model.components import weighted_mean_present
from footprint.model.gate import gate
from footprint.model.pool import Indication
from footprint.model.scales import anchored

SCORES = ("pool_score", "friction_score", "infrastructure_score")
"""The scores every attractiveness weighs."""
EXPERIENCE = "experience_score"
"""The optional fourth score: counted only while its weight is above 0."""
LANDSCAPE_COLUMNS = ("studies", "studies_recent", "multinational_share", "studies_per_million")
"""What :func:`country_frame` takes from the trial landscape (``ModelInputs.landscape``)."""
CROWDING_PER = 100_000
"""Crowding counts registered studies per this many eligible patients."""
TIERS = ("low", "medium", "high")


@dataclass(frozen=True, slots=True)
class Weights:
    """Relative importance of pool, friction, infrastructure and trial experience [any
    non-negative scale]; trial experience counts only above 0."""

    pool: float = 1.0
    friction: float = 1.0
    infrastructure: float = 1.0
    experience: float = DEFAULT_EXPERIENCE_WEIGHT

    def components(self) -> tuple[str, ...]:
        """The score columns these weights combine: :data:`SCORES`, then :data:`EXPERIENCE`
        while its weight is above 0."""
        return SCORES + ((EXPERIENCE,) if self.experience > 0 else ())

    def normalised(self) -> np.ndarray:
        """The weights of :meth:`components`, scaled to sum to 1.

        Raises
        ------
        ValueError
            A weight is negative or not finite, or all are zero.
        """
        every = np.array([self.pool, self.friction, self.infrastructure, self.experience],
                         dtype=float)
        if not np.all(np.isfinite(every)) or np.any(every < 0):
            raise ValueError("weights must be finite and non-negative")
        w = every[:len(self.components())]
        if w.sum() == 0:
            raise ValueError("at least one weight must be positive")
        return w / w.sum()


@dataclass(frozen=True, slots=True)
class ScoreParams:
    """What a score table is computed for.

    Parameters
    ----------
    indication : catalogue id or a custom :class:`~footprint.pool.Indication`.
    weights : pool / friction / infrastructure weights.
    eligibility_share : share of diagnosed patients meeting the criteria [0-1].
    site_activation_days : start-up after approval (assumption) [days].
    region : one of the six region names, or None for every country.
    include_gated : rank gated countries too (penalised), instead of leaving them out.
    """

    indication: str | Indication
    weights: Weights = field(default_factory=Weights)
    eligibility_share: float = pool.DEFAULT_ELIGIBILITY_SHARE
    site_activation_days: float = friction.DEFAULT_SITE_ACTIVATION_DAYS
    region: str | None = None
    include_gated: bool = False


def resolve_indication(inputs: ModelInputs, indication: str | Indication) -> Indication:
    """The catalogue entry for an id (or the custom indication itself).

    Raises
    ------
    ValueError
        Unknown id; the message lists the valid ones.
    """
    if isinstance(indication, Indication):
        return indication
    known = pool.catalogue(inputs)
    if indication not in known:
        raise ValueError(f"unknown indication {indication!r}; choose one of {sorted(known)}")
    return known[indication]


def country_frame(inputs: ModelInputs, indication: str | Indication,
                  eligibility_share: float = pool.DEFAULT_ELIGIBILITY_SHARE,
                  site_activation_days: float = friction.DEFAULT_SITE_ACTIVATION_DAYS,
                  ) -> pd.DataFrame:
    """Every mapped country's funnel, start-up, friction, infrastructure, trial landscape,
    scores, crowding and tier.

    Independent of the weights (about 0.1 s): compute it once per indication and
    assumption set, then :func:`score` it for each weight change.
    """
    funnel = pool.funnel(inputs, resolve_indication(inputs, indication), eligibility_share)
    start = friction.startup(inputs, site_activation_days)
    fric = friction.friction_index(inputs, start)
    gates = gate(inputs)
    infra = infrastructure.infrastructure(inputs, gates["gated"])
    trials = inputs.landscape.reindex(inputs.countries.index)[list(LANDSCAPE_COLUMNS)]
    out = inputs.countries.join([funnel, start, fric, infra, gates, trials.astype(float)])
    reach = out["reachable_patients"]
    out["pool_score"] = anchored(reach, *POOL_SCORE_ANCHORS)
    out[EXPERIENCE] = anchored(out["studies_per_million"], *EXPERIENCE_SCORE_ANCHORS)
    eligible = out["eligible_patients"].where(out["eligible_patients"] > 0)
    out["crowding"] = out["studies"] / eligible * CROWDING_PER
    out["friction_score"] = 100 - out["friction_index"]
    out["infrastructure_score"] = 100 - out["infrastructure_risk"]
    out["flags"] = _flag_text(out)
    combined = out[["friction_index", "infrastructure_risk"]].mean(axis=1)
    tier = pd.Series(np.select([combined < TIER_LOW_BELOW, combined < TIER_HIGH_FROM],
                               ["low", "medium"], "high"), index=out.index)
    out["risk_tier"] = tier.where(combined.notna(), None).mask(out["gated"], "high")
    out["combined_risk"] = combined
    return out


def attractiveness(scores: pd.DataFrame, weights: Weights) -> tuple[pd.Series, pd.Series]:
    """Weighted mean of the available scores [0-100] (columns: ``weights.components()``)
    and how many were used."""
    attr, used = weighted_mean_present(scores.to_numpy(dtype=float), weights.normalised())
    return pd.Series(attr, index=scores.index), pd.Series(used, index=scores.index)


def left_out(frame: pd.DataFrame, selection: list[str]) -> list[str]:
    """The gated countries of ``selection`` (in its order) that a default ranking leaves out."""
    gated = frame["gated"].reindex(selection).fillna(False).astype(bool)
    return [code for code, g in gated.items() if g]


def score(frame: pd.DataFrame, weights: Weights, selection: list[str],
          include_gated: bool = False) -> pd.DataFrame:
    """The selected rows of a :func:`country_frame`, with attractiveness, the components used
    of those weighted (``score_components_used`` of ``score_components_total``) and rank
    (1 = best), sorted by rank (then name).

    Parameters
    ----------
    include_gated : rank gated countries too, with :data:`GATE_PENALTY_POINTS` off their
        attractiveness; by default they are left out (:func:`left_out` lists them).

    Raises
    ------
    KeyError
        A code of ``selection`` is not in the frame.
    """
    pos = frame.index.get_indexer(selection)
    if (pos < 0).any():
        unknown = [code for code, p in zip(selection, pos, strict=True) if p < 0]
        raise KeyError(f"unknown country codes {unknown}")
    gated = frame["gated"].to_numpy(dtype=bool)[pos]
    if not include_gated:
        pos, gated = pos[~gated], gated[~gated]
    attr, used = weighted_mean_present(
        frame[list(weights.components())].to_numpy(dtype=float)[pos], weights.normalised())
    attr = np.where(gated, np.maximum(attr - GATE_PENALTY_POINTS, 0.0), attr)
    rank = pd.Series(attr).rank(ascending=False, method="min").to_numpy()
    names = frame["name"].to_numpy()[pos]
    order = np.lexsort((names, np.where(np.isnan(rank), np.inf, rank)))
    out = frame.take(pos[order])
    out["attractiveness"] = attr[order]
    out["score_components_used"] = used[order]
    out["score_components_total"] = len(weights.components())
    out["rank"] = pd.array(rank[order], dtype="Int64")
    return out


def score_table(inputs: ModelInputs, params: ScoreParams) -> pd.DataFrame:
    """The selection's countries, ranked by attractiveness (rank 1 = best)."""
    frame = country_frame(inputs, params.indication, params.eligibility_share,
                          params.site_activation_days)
    return score(frame, params.weights, select(inputs, params.region),
                 include_gated=params.include_gated)


def rank_stability(table: pd.DataFrame, weights: Weights, top_k: int = 5,
                   n_draws: int = 2000, concentration: float = 30.0,
                   seed: int = 0) -> pd.Series:
    """Probability [0-1] that each country stays in the top ``top_k`` when weights vary.

    Parameters
    ----------
    table : rows of the selection with the weights' score columns (and ``gated``: a gated
        row carries :data:`GATE_PENALTY_POINTS` in every draw, as in :func:`score`).
    concentration : Dirichlet concentration; larger = draws closer to ``weights``.
    """
    if top_k < 1 or n_draws < 1 or concentration <= 0:
        raise ValueError("top_k and n_draws must be >= 1 and concentration > 0")
    rng = np.random.default_rng(seed)
    alpha = np.maximum(weights.normalised() * concentration, 1e-3)
    draws = rng.dirichlet(alpha, size=n_draws)  # n_draws x components
    scores = table[list(weights.components())]
    present = scores.notna().to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        attr = (scores.fillna(0).to_numpy() @ draws.T) / (present @ draws.T)
    if "gated" in table:
        gated = table["gated"].fillna(False).to_numpy(dtype=bool)[:, None]
        attr = np.where(gated, np.maximum(attr - GATE_PENALTY_POINTS, 0.0), attr)
    attr = np.where(np.isfinite(attr), attr, -np.inf)  # unscored countries rank last
    order = np.argsort(-attr, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(len(table))[:, None], axis=0)
    in_top = (ranks < top_k) & np.isfinite(attr)
    return pd.Series(in_top.mean(axis=1), index=table.index, name="p_top_k")


FLAG_LABELS = {
    "import_permit": "import permit",
    "sample_export_restriction": "sample-export restriction",
    "local_legal_representative": "local legal representative",
    "translation": "translation",
    "sequential_ethics": "sequential ethics review",
}


def _flag_text(frame: pd.DataFrame) -> pd.Series:
    """Readable friction flags per country ('' when none, 'flags unknown' with no data)."""
    parts = pd.DataFrame({
        flag: np.where(frame[flag].fillna(False).astype(bool), label, "")
        for flag, label in FLAG_LABELS.items()
    }, index=frame.index)
    slow = frame["approval_days"] >= SLOW_APPROVAL_DAYS
    assumed = np.where(frame["approval_basis"] == "assumed", ", assumed", "")
    parts["slow"] = np.where(slow, "slow approval (~" + frame["approval_days"].round()
                             .astype("Int64").astype(str) + " days" + assumed + ")", "")
    parts["unknown"] = np.where(frame["import_permit"].isna(), "regulatory flags unknown", "")
    noted = ~frame["gate_level"].isin(["none_known", "not_in_table"])
    parts.insert(0, "gate", np.where(noted, frame["gate_label"], ""))
    parts["conflict"] = np.where(frame["conflict_note"] != "", "regional conflict", "")
    # a comprehension over the rows: DataFrame.apply(axis=1) took ~10x longer (~40 ms)
    return pd.Series(["; ".join(p for p in row if p) for row in parts.to_numpy(dtype=object)],
                     index=frame.index, dtype="str")
