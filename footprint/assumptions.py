"""Every default, anchor and limit of the models, in one registry with unit, meaning and source.

The models read their constants from here, and the Data & methods page and the page captions
read the same entries (:data:`REGISTRY`), so no prose repeats a number by hand. ``kind`` says
what an entry is: a ``default`` the user can change, an ``assumption`` with no published figure
(changeable where the page offers it), a model ``anchor`` (what maps to a score's ends), or a
``limit`` that keeps one request from exhausting the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

KINDS: Final = ("default", "assumption", "anchor", "limit")


@dataclass(frozen=True, slots=True)
class Assumption:
    """One named number of the model.

    Parameters
    ----------
    name : the constant's name (``DEFAULT_RATE``).
    value : its value.
    unit : unit in words (``patients/site/month``; ``-`` for a ratio).
    meaning : one sentence on what it does.
    source : where the value comes from, or ``assumption`` with why.
    kind : one of :data:`KINDS`.
    """

    name: str
    value: Any
    unit: str
    meaning: str
    source: str
    kind: str


REGISTRY: dict[str, Assumption] = {}
"""Name -> entry, in the order they are defined (read-only by convention)."""


def _entry(name: str, value: Any, unit: str, meaning: str, source: str,
           kind: str = "default") -> Any:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; allowed: {', '.join(KINDS)}")
    if name in REGISTRY:
        raise ValueError(f"{name} is registered twice")
    REGISTRY[name] = Assumption(name, value, unit, meaning, source, kind)
    return value


_STARTUP_SURVEY = ("industry survey: 31.4 weeks from site identification to start-up "
                   "(lab-supply.dvlcloud.com/?p=6046, quoted in the regulatory start-up "
                   "reference)")

# --- Data snapshot ---------------------------------------------------------------------------
DATA_AS_OF_YEAR: Final[int] = _entry(
    "DATA_AS_OF_YEAR", 2025, "year", "reference year of the data snapshot",
    "latest year of the World Bank population series (WDI)", "anchor")
STALE_AFTER_YEARS: Final[int] = _entry(
    "STALE_AFTER_YEARS", 5, "years",
    "an indicator value older than this at the snapshot year is flagged stale",
    "assumption: five years, the usual revision cycle of the WDI health series", "assumption")

# --- Patient pool ----------------------------------------------------------------------------
OPEN_AGE_TOP: Final[int] = _entry(
    "OPEN_AGE_TOP", 90, "years", "the open 65+ band is spread evenly over ages 65 to 89 (only for "
    "countries with no UN WPP age data: Kosovo, micro-states)",
    "assumption: the World Bank gives only the 65+ share", "assumption")
WPP_OPEN_GROUP_TOP: Final[int] = _entry(
    "WPP_OPEN_GROUP_TOP", 105, "years",
    "the open 100+ group of UN WPP 2019 is spread evenly over ages 100 to 104 (a band ending "
    "inside it takes part of it)", "assumption: WPP gives 100+ as one group", "assumption")
AGE_PATTERN_SHAPE: Final[str] = _entry(
    "AGE_PATTERN_SHAPE", "US NHANES (NCHS)", "age pattern",
    "an age-standardised rate becomes a country's crude rate through the US NHANES age "
    "pattern of prevalence (NCHS: total diabetes 2017-March 2020, hypertension 2015-2016), "
    "scaled per country so that its standardised rate equals the country's: the pattern's "
    "shape (relative prevalence by age) is assumed to hold in every country",
    "assumption: no global age-specific table (IDF Diabetes Atlas 2021, NCD-RisC) was "
    "reachable; data/prevalence_age_patterns.csv", "assumption")
IDF_STANDARD_STAND_IN: Final[str] = _entry(
    "IDF_STANDARD_STAND_IN", "un_world_2025", "standard population",
    "the UN world population of 2025 (UN WPP 2019, medium variant) stands in for the UN "
    "world population of 2021, the standard of the IDF Diabetes Atlas 10th edition",
    "assumption: WPP 2019's projection file starts at 2025; IDF Diabetes Atlas 2021 "
    "glossary, 'age-adjusted comparative prevalence'", "assumption")
NCDRISC_STANDARD: Final[str] = _entry(
    "NCDRISC_STANDARD", "who_world_2000_2025", "standard population",
    "NCD-RisC's age-standardised hypertension prevalence (30-79) is taken as standardised to "
    "the WHO World Standard Population 2000-2025 (Ahmad et al. 2001)",
    "assumption: the standard was not checked against the paper's text (NCD-RisC, Lancet "
    "2021)", "assumption")
DEFAULT_ELIGIBILITY_SHARE: Final[float] = _entry(
    "DEFAULT_ELIGIBILITY_SHARE", 0.10, "0-1",
    "share of diagnosed patients who meet a trial's criteria (sidebar)",
    "assumption: protocol-specific; change it per trial", "assumption")
SUBNATIONAL_SHARE_KEY: Final[str] = _entry(
    "SUBNATIONAL_SHARE_KEY", "reach", "column",
    "a state's, prefecture's or Indian state's patients are its country's funnel times its "
    "share of the country's urban reach (people in GeoNames places of 15,000+, each district "
    "listed beside its city counted once), so the units add up to the country",
    "assumption: the one sub-national figure in the data (no sub-national census, age or "
    "prevalence is shipped), so rural people are shared out as the urban ones are",
    "assumption")
DEFAULT_WINDOW_MONTHS: Final[float] = _entry(
    "DEFAULT_WINDOW_MONTHS", 36.0, "months",
    "recruitment window that turns a yearly incident pool into a cap when a scenario has no "
    "deadline", "assumption: a three-year phase III recruitment", "assumption")

# --- Regulatory friction and start-up ----------------------------------------------------------
DEFAULT_SITE_ACTIVATION_DAYS: Final[float] = _entry(
    "DEFAULT_SITE_ACTIVATION_DAYS", 90.0, "days",
    "site activation (contract, budget, initiation) after the approval (sidebar)",
    "assumption: no single published figure; changeable on every page", "assumption")
DEFAULT_STARTUP_WEEKS: Final[float] = _entry(
    "DEFAULT_STARTUP_WEEKS", 31.4, "weeks",
    "mean start-up of a site where neither the user nor the regulatory table gives one",
    _STARTUP_SURVEY)
DEFAULT_STARTUP_DAYS: Final[float] = DEFAULT_STARTUP_WEEKS * 7.0
"""[days] :data:`DEFAULT_STARTUP_WEEKS` in days (219.8)."""
GLOBAL_APPROVAL_DAYS: Final[float] = DEFAULT_STARTUP_DAYS - DEFAULT_SITE_ACTIVATION_DAYS
"""[days] Approval assumed outside the six regions: the survey start-up less site activation."""
STARTUP_CV: Final[float] = _entry(
    "STARTUP_CV", 0.30, "-",
    "start-up standard deviation as a share of its mean when no range is sourced",
    "assumption: no published figure", "assumption")
APPROVAL_ANCHOR_DAYS: Final[float] = _entry(
    "APPROVAL_ANCHOR_DAYS", 180.0, "days", "approval time that maps to friction 100",
    "assumption: twice the EU CTR's 60-day standard clock plus a request for information",
    "anchor")
FRICTION_WEIGHTS: Final[dict[str, float]] = _entry(
    "FRICTION_WEIGHTS",
    {"approval": 0.4, "flags": 0.2, "regulatory_quality": 0.2, "rule_of_law": 0.2}, "-",
    "weights of the friction components (re-weighted over the components present)",
    "assumption: approval time counts double", "assumption")
SLOW_APPROVAL_DAYS: Final[float] = _entry(
    "SLOW_APPROVAL_DAYS", 120.0, "days", "an approval this slow or slower is flagged",
    "assumption: twice the EU CTR's 60-day standard clock", "anchor")

# --- Infrastructure --------------------------------------------------------------------------
MIN_COMPONENTS: Final[int] = _entry(
    "MIN_COMPONENTS", 3, "components",
    "fewer infrastructure components present and the country gets no infrastructure score",
    "assumption: a score from one or two indicators would mislead", "limit")
WAR_RISK_FLOOR: Final[float] = _entry(
    "WAR_RISK_FLOOR", 75.0, "0-100",
    "infrastructure risk of a country at war or under sanctions is at least this",
    "assumption", "anchor")

# --- Scores and tiers ------------------------------------------------------------------------
TIER_LOW_BELOW: Final[float] = _entry(
    "TIER_LOW_BELOW", 35.0, "0-100", "combined risk below this is the low tier",
    "assumption: tier cut-offs of the executive map", "anchor")
TIER_HIGH_FROM: Final[float] = _entry(
    "TIER_HIGH_FROM", 55.0, "0-100", "combined risk from this is the high tier",
    "assumption: tier cut-offs of the executive map", "anchor")

# --- Enrollment model ------------------------------------------------------------------------
DEFAULT_RATE: Final[float] = _entry(
    "DEFAULT_RATE", 0.6, "patients/site/month",
    "mean recruitment rate of a site where the scenario gives none",
    "industry phase III median 0.4-0.8 (PLOS ONE 2022, doi:10.1371/journal.pone.0271819, "
    "table 2); 0.6 is the middle of that range")
DEFAULT_RATE_SHAPE: Final[float] = _entry(
    "DEFAULT_RATE_SHAPE", 2.0, "-",
    "gamma shape alpha of the site rates (how much sites differ)",
    "'typically 1.2-4', a secondary quote in the enrollment model reference (no primary "
    "source found): a default to change, not a fact")
DEFAULT_NEVER_ACTIVATE_SHARE: Final[float] = _entry(
    "DEFAULT_NEVER_ACTIVATE_SHARE", 0.11, "0-1", "share of selected sites that never open",
    "'selected sites never activated ~11 %' (sanogenetics.com, quoted in the regulatory "
    "start-up reference)")
DEFAULT_SCREEN_FAIL_SHARE: Final[float] = _entry(
    "DEFAULT_SCREEN_FAIL_SHARE", 0.0, "0-1",
    "share of screened patients not randomised where the scenario gives none (a site's rate "
    "counts patients screened)",
    "assumption: no cross-area published figure found, so 0 (every screened patient is "
    "randomised): set it per trial. Published shares differ by area: phase III "
    "genitourinary cancer trials 19-26 % (Clin Genitourin Cancer 2018, PMID 28993132); 51 % "
    "in 15 oncology trials in India (Parekh et al., ecancermedicalscience 2022, "
    "doi:10.3332/ecancer.2022.1476); 70-80 % in Alzheimer's trials (Advarra 2021, quoted)",
    "assumption")
DEFAULT_DROPOUT_SHARE: Final[float] = _entry(
    "DEFAULT_DROPOUT_SHARE", 0.0, "0-1",
    "share of randomised patients who do not complete where the scenario gives none",
    "assumption: no cross-area published figure found, so 0 (every randomised patient "
    "completes): set it per trial from the protocol's expected attrition",
    "assumption")
DEFAULT_RATE_CV: Final[float] = _entry(
    "DEFAULT_RATE_CV", 0.0, "-",
    "coefficient of variation of a country's mean rate itself (a multiplier with mean 1 "
    "drawn once per simulated trial) where the scenario gives none",
    "assumption: 0, the mean rate taken as known. Poisson-gamma intervals are too narrow when "
    "it is not (Mountain & Sherlock 2022; Urbas & Sherlock 2022); no published figure for "
    "its size found: set it from how well the rate is known",
    "assumption")

# --- Forecast --------------------------------------------------------------------------------
DEFAULT_N_SIMS: Final[int] = _entry(
    "DEFAULT_N_SIMS", 10_000, "trials", "simulated trials of a Monte Carlo forecast",
    "Monte Carlo error of a P50 below 1 % at this size", "default")
MILESTONE_SIMS: Final[int] = _entry(
    "MILESTONE_SIMS", 2048, "trials",
    "simulated trials the milestones (sites open, first patient in) are taken from: the "
    "first ones of a forecast",
    "limit: the Monte Carlo error of a milestone's P50 is under 2 % of its P10-P90 spread at "
    "this size; sorting every site of every trial nearly doubled a 10,000-trial forecast "
    "(bench_forecast)",
    "limit")
MAX_N_SIMS: Final[int] = _entry(
    "MAX_N_SIMS", 1_000_000, "trials", "most simulated trials one forecast may run",
    "limit", "limit")
MIN_HORIZON_MONTHS: Final[int] = _entry(
    "MIN_HORIZON_MONTHS", 12, "months", "shortest horizon of a forecast curve", "limit",
    "limit")
MAX_HORIZON_MONTHS: Final[int] = _entry(
    "MAX_HORIZON_MONTHS", 600, "months", "longest horizon of a forecast (50 years)",
    "limit", "limit")
MAX_COMPARE: Final[int] = _entry(
    "MAX_COMPARE", 4, "scenarios", "most scenarios compared side by side", "limit", "limit")
MAX_OPTIMISER_STEPS: Final[int] = _entry(
    "MAX_OPTIMISER_STEPS", 5000, "steps", "most sites the optimiser adds in one run",
    "limit", "limit")
MAX_OPTIMISER_EVALUATIONS: Final[int] = _entry(
    "MAX_OPTIMISER_EVALUATIONS", 2_000_000, "country evaluations",
    "most closed-form work one optimiser run may do: a step costs (candidate countries x "
    "countries + 1,000) evaluations, so the steps allowed shrink with the square of the "
    "countries (about 30 steps among 241 countries, 570 among 50); a site budget that needs "
    "more is refused before the run starts",
    "limit: about 25 s of one core on this 2-core server under load (bench_hostile); keeps "
    "one click from holding the server for an hour", "limit")
MAX_OPTIMISER_SECONDS: Final[float] = _entry(
    "MAX_OPTIMISER_SECONDS", 60.0, "s",
    "longest wall time of one optimiser run (checked after every step; a busy server may "
    "need twice the idle time of the evaluation budget)",
    "limit: a safety net behind MAX_OPTIMISER_EVALUATIONS", "limit")
PRIOR_CERTAINTY: Final[float] = _entry(
    "PRIOR_CERTAINTY", 0.5, "0-1",
    "how sure the planners are of the mean rates, as the share of the planned target a prior "
    "on the rate is worth: the proposed rate CV of a country expected to recruit n patients "
    "is 1/sqrt(certainty x n)",
    "Gajewski, Simon & Carlson 2008 (Stat Med 27:2328, doi:10.1002/sim.3128): the accrual "
    "rate's prior is Gamma(n P, T P), worth P times the planned sample size, whose CV is "
    "1/sqrt(n P); 0.5 is the middle of the sceptical (0.25) to optimistic (1) range and the "
    "value of the authors' R package accrual's examples", "assumption")
DEFAULT_CONFIDENCE: Final[float] = _entry(
    "DEFAULT_CONFIDENCE", 0.8, "0-1",
    "chance of reaching the target by the deadline the optimiser plans for (Monte Carlo "
    "probability of success)",
    "assumption: issue 12's default (80 %), a planning convention and no published "
    "standard; the user sets it (allowed: strictly between 0 and 1)", "assumption")
MAX_OPTIMISER_CHECKS: Final[int] = _entry(
    "MAX_OPTIMISER_CHECKS", 24, "Monte Carlo runs",
    "most Monte Carlo checks one confidence optimisation may run (each simulates the "
    "candidate plan once, up to the deadline)",
    "limit: the search needs about 2 log2(sites added) checks at worst; 24 covers 4,000 "
    "added sites and keeps a run within about 24 forecasts", "limit")

MAX_FORECAST_BYTES: Final[int] = _entry(
    "MAX_FORECAST_BYTES", 512 * 1024**2, "bytes",
    "most memory one Monte Carlo forecast may use (checked before it starts; threads are "
    "reduced first)", "limit: keeps one request from exhausting the server for everyone",
    "limit")

# --- Scenario format -------------------------------------------------------------------------
MAX_SITES_PER_COUNTRY: Final[int] = _entry(
    "MAX_SITES_PER_COUNTRY", 2000, "sites", "most sites one country of a scenario may plan",
    "limit", "limit")
MAX_COUNTRIES: Final[int] = _entry(
    "MAX_COUNTRIES", 250, "countries", "most countries in one scenario", "limit", "limit")
MAX_TOTAL_SITES: Final[int] = _entry(
    "MAX_TOTAL_SITES", 5000, "sites", "most sites of one scenario over all its countries",
    "limit: a forecast of that many sites at DEFAULT_N_SIMS trials fits MAX_FORECAST_BYTES on "
    "one thread at any horizon and any number of capped countries", "limit")
PLAN_START_SITES: Final[int] = _entry(
    "PLAN_START_SITES", 1, "sites",
    "sites per country of a scenario started from Explore's selection ('Plan these "
    "countries')", "assumption: a starting point, not an estimate; the user sets the counts "
    "or lets the optimiser propose them", "assumption")
MIN_RATE: Final[float] = _entry(
    "MIN_RATE", 0.001, "patients/site/month", "smallest recruitment rate of a scenario",
    "limit: one patient per site in 83 years; smaller rates only slow the arithmetic down",
    "limit")
MAX_RATE: Final[float] = _entry(
    "MAX_RATE", 1000.0, "patients/site/month", "largest recruitment rate of a scenario",
    "limit: far above any trial's (phase III medians 0.4-0.8); keeps every simulated count "
    "within what a Poisson draw can hold", "limit")
MIN_RATE_SHAPE: Final[float] = _entry(
    "MIN_RATE_SHAPE", 0.1, "-", "smallest gamma shape of the site rates",
    "limit: below it one site in a million would recruit like thousands", "limit")
MAX_RATE_SHAPE: Final[float] = _entry(
    "MAX_RATE_SHAPE", 1000.0, "-", "largest gamma shape of the site rates (near-equal sites)",
    "limit", "limit")
MAX_STARTUP_DAYS: Final[float] = _entry(
    "MAX_STARTUP_DAYS", 3650.0, "days",
    "longest mean start-up, and largest start-up sd, a scenario may give (10 years)",
    "limit", "limit")
MAX_COST_PER_PATIENT: Final[float] = _entry(
    "MAX_COST_PER_PATIENT", 10_000_000.0, "currency/patient",
    "largest cost per patient of a scenario",
    "limit: keeps every total finite (at most 10^13 for MAX_TARGET_PATIENTS)", "limit")
MAX_SITE_STARTUP_COST: Final[float] = _entry(
    "MAX_SITE_STARTUP_COST", 100_000_000.0, "currency/site",
    "largest one-off start-up cost of a site in a scenario",
    "limit: keeps every total finite (at most 5x10^11 for MAX_TOTAL_SITES)", "limit")
MAX_SITE_MONTHLY_COST: Final[float] = _entry(
    "MAX_SITE_MONTHLY_COST", 10_000_000.0, "currency/site/month",
    "largest monthly cost of an open site in a scenario",
    "limit: keeps every total finite (at most 3x10^13 for MAX_TOTAL_SITES open for "
    "MAX_HORIZON_MONTHS)", "limit")
MAX_RATE_CV: Final[float] = _entry(
    "MAX_RATE_CV", 2.0, "-", "largest coefficient of variation of a country's mean rate",
    "limit: at 2 the multiplier is Gamma(0.25, 0.25) and half of all simulated trials "
    "recruit at less than 0.17 of the mean rate; more says the rate is unknown", "limit")
MAX_INTEGER_DIGITS: Final[int] = _entry(
    "MAX_INTEGER_DIGITS", 20, "digits",
    "longest integer literal a file may write (the largest seed has 19 digits)",
    "limit: Python refuses to read integers of more than 4,300 digits at all", "limit")
MAX_TARGET_PATIENTS: Final[int] = _entry(
    "MAX_TARGET_PATIENTS", 1_000_000, "patients", "largest patient target of a scenario",
    "limit", "limit")
MAX_DEADLINE_MONTHS: Final[float] = _entry(
    "MAX_DEADLINE_MONTHS", 600.0, "months", "latest deadline of a scenario", "limit", "limit")
MAX_NAME_LENGTH: Final[int] = _entry(
    "MAX_NAME_LENGTH", 200, "characters", "longest scenario name", "limit", "limit")
MAX_SEED: Final[int] = _entry(
    "MAX_SEED", 2**63 - 1, "-", "largest Monte Carlo seed a file may carry", "limit", "limit")
MAX_APP_SEED: Final[int] = _entry(
    "MAX_APP_SEED", 2**53 - 1, "-",
    "largest seed the page's number field holds exactly (browsers count in doubles)",
    "limit", "limit")

# --- Uploads ---------------------------------------------------------------------------------
MAX_UPLOAD_MB: Final[int] = _entry(
    "MAX_UPLOAD_MB", 50, "MB",
    "largest file an upload may be, in megabytes as Streamlit counts them (1 MB = 1,048,576 "
    "bytes); .streamlit/config.toml sets server.maxUploadSize to the same figure",
    "limit", "limit")
MAX_UPLOAD_BYTES: Final[int] = MAX_UPLOAD_MB * 1024 * 1024
"""[bytes] :data:`MAX_UPLOAD_MB` in bytes (every message says it in MB)."""
MAX_UPLOAD_ROWS: Final[int] = _entry(
    "MAX_UPLOAD_ROWS", 10_000, "records", "most records (after the header) of an uploaded CSV",
    "limit: twice a site list's MAX_SITE_LIST_ROWS; ten times an exported comparison",
    "limit")
MAX_UPLOAD_COLUMNS: Final[int] = _entry(
    "MAX_UPLOAD_COLUMNS", 100, "columns", "most columns of an uploaded CSV",
    "limit: a scenario CSV has 20, a site list 5", "limit")
MAX_UPLOAD_LINE_CHARS: Final[int] = _entry(
    "MAX_UPLOAD_LINE_CHARS", 20_000, "characters", "longest record of an uploaded CSV",
    "limit: a scenario CSV row with a 200-character name has about 300", "limit")
MAX_SITE_LIST_ROWS: Final[int] = _entry(
    "MAX_SITE_LIST_ROWS", 5000, "sites", "most sites one uploaded site list may hold",
    "limit", "limit")
MAX_FILE_SCENARIOS: Final[int] = _entry(
    "MAX_FILE_SCENARIOS", 20, "scenarios", "most scenarios one scenario CSV may hold",
    "limit: an exported comparison holds up to MAX_COMPARE", "limit")
MAX_PROBLEMS_SHOWN: Final[int] = _entry(
    "MAX_PROBLEMS_SHOWN", 50, "problems",
    "most problems one refusal lists (then 'and N more problems'), in the app and the CLI",
    "limit: 600,000 listed problems crashed a browser tab", "limit")


def table() -> list[dict[str, str]]:
    """Every entry as display text: name, value, unit, kind, meaning, source."""
    return [{"name": a.name, "value": _text(a.value), "unit": a.unit, "kind": a.kind,
             "meaning": a.meaning, "source": a.source} for a in REGISTRY.values()]


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items())
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


# --- Workspace store (footprint.store) -------------------------------------------------------
MAX_STORE_PAYLOAD_BYTES: Final[int] = _entry(
    "MAX_STORE_PAYLOAD_BYTES", 5 * 1024**2, "bytes",
    "largest text one stored version may hold (a scenario, a custom indication or a site "
    "list; 5 MiB)", "limit", "limit")
MAX_NOTE_LENGTH: Final[int] = _entry(
    "MAX_NOTE_LENGTH", 2000, "characters", "longest note of a saved version", "limit", "limit")
MAX_STORE_LISTED: Final[int] = _entry(
    "MAX_STORE_LISTED", 1000, "rows",
    "most items or versions one listing of the workspace store returns (newest first)",
    "limit", "limit")
STORE_PARSED_INDICATIONS: Final[int] = _entry(
    "STORE_PARSED_INDICATIONS", 256, "versions",
    "stored custom indication versions each process keeps read and checked (a version never "
    "changes; the pages list them on every run)", "limit: 20 indications of 241 countries "
    "take about 0.1 s to check again", "limit")
STORE_TIMEOUT_SECONDS: Final[int] = _entry(
    "STORE_TIMEOUT_SECONDS", 5, "s",
    "longest wait for the workspace store: a PostgreSQL connection or row lock, a SQLite "
    "write lock", "limit: a store that is down or busy is reported instead of hanging the page",
    "limit")

# --- Score scales (anchors: what maps to 0 and to 100) ---------------------------------------
# Each anchor is (value scoring 0, value scoring 100, "linear" | "log"); values outside are
# clipped. Risk anchors go from the best value (risk 0) to the worst (risk 100).
_OECD_2023 = ("OECD Health at a Glance 2023 (OECD average, 2021), as quoted in "
              "leiriaeconomica.com/which-countries-have-the-most")
POOL_SCORE_ANCHORS: Final[tuple[float, float, str]] = _entry(
    "POOL_SCORE_ANCHORS", (100.0, 10_000_000.0, "log"), "reachable patients",
    "pool score 0 at 100 reachable patients, 100 at 10 million, 20 points per factor of ten",
    "assumption: spans the reachable pools of the shipped indications (about 10 to 7.6 "
    "million); an absolute scale, so twelve times the patients is 22 more points", "anchor")
RISK_ANCHORS: Final[dict[str, tuple[float, float, str]]] = _entry(
    "RISK_ANCHORS", {
        "physicians": (3.7, 0.1, "log"),
        "hospital_beds": (4.3, 0.0, "linear"),
        "gdp_per_capita_ppp": (50_000.0, 1_000.0, "log"),
        "logistics": (5.0, 1.0, "linear"),
        "electricity": (100.0, 0.0, "linear"),
        "researchers": (5_000.0, 10.0, "log"),
        "articles_per_million": (1_000.0, 1.0, "log"),
        "political_stability": (2.5, -2.5, "linear"),
        "government_effectiveness": (2.5, -2.5, "linear"),
    }, "component units",
    "infrastructure risk 0 at the first value, 100 at the second, per component",
    "physicians 3.7 and beds 4.3 per 1,000: " + _OECD_2023 + "; logistics 1-5 and WGI "
    "-2.5..2.5: the indices' own scales; electricity: 100 % access is no risk; GDP per "
    "capita, researchers and articles: assumptions (high-income levels score 0)", "anchor")
DCT_ANCHORS: Final[dict[str, tuple[float, float, str]]] = _entry(
    "DCT_ANCHORS", {
        "internet_users": (0.0, 100.0, "linear"),
        "broadband": (0.0, 40.0, "linear"),
        "mobile": (0.0, 100.0, "linear"),
    }, "per 100 people",
    "DCT readiness 0 at the first value, 100 at the second, per component",
    "internet users: share of people; broadband 40 per 100 is about the best-connected "
    "countries' level (WDI, 95th percentile 45); mobile: one subscription per person",
    "anchor")

# --- Country gate (sanctions, embargoes, war) -------------------------------------------------
GATE_PENALTY_POINTS: Final[float] = _entry(
    "GATE_PENALTY_POINTS", 30.0, "0-100 points",
    "points taken off the attractiveness of a gated country (embargo, sanctions or war) when "
    "the user includes gated countries", "assumption: enough to drop a gated country below "
    "every comparable ungated one; gated countries are left out by default", "assumption")
GATE_AS_OF: Final[str] = _entry(
    "GATE_AS_OF", "2026-11", "month",
    "date of the sanctions and war snapshot (each row has its own as-of month)",
    "data/country_gate.csv (OFAC, EU Sanctions Map, UN Security Council, Geneva Academy "
    "RULAC; see data/SOURCES.md)", "anchor")

# --- Trial landscape (ClinicalTrials.gov via AACT, snapshot 2023-10) -------------------------
LANDSCAPE_WINDOW_YEARS: Final[int] = _entry(
    "LANDSCAPE_WINDOW_YEARS", 5, "years",
    "recent studies: those registered in the last this many years of the snapshot "
    "(2018-11-01 to 2023-10-31), dated by a monotone map from NCT number, an estimate",
    "issue 14 (the last five years of the snapshot); 60 whole months up to the snapshot month")
EXPERIENCE_SCORE_ANCHORS: Final[tuple[float, float, str]] = _entry(
    "EXPERIENCE_SCORE_ANCHORS", (1.0, 1_000.0, "log"), "registered studies per million people",
    "trial-experience score 0 at 1 study per million people, 100 at 1,000, about 33 points "
    "per factor of ten",
    "assumption: spans the registry's countries (ClinicalTrials.gov via AACT 2023-10 over "
    "World Bank 2025 populations: 23 mapped countries below 1, the median about 16, the USA "
    "about 490, Belgium about 1,100 and Denmark about 1,800, so the few above 1,000 score "
    "100); an absolute scale, so a country's score does not depend on the others", "anchor")
DEFAULT_EXPERIENCE_WEIGHT: Final[float] = _entry(
    "DEFAULT_EXPERIENCE_WEIGHT", 0.0, "any non-negative scale",
    "weight of the trial-experience score in attractiveness beside pool, friction and "
    "infrastructure",
    "assumption: off by default (0), as the registry under-counts Japan, China, India and "
    "the EU; the user switches it on")
