"""The scenario schema: the field definitions, validation with every problem at once, resolve."""

from __future__ import annotations

import dataclasses
import itertools
import json

import pytest

from footprint import assumptions
from footprint.enrollment import scenario as sc
from footprint.enrollment.scenario import (
    CountryPlan,
    Problem,
    Scenario,
    resolve,
    scenario_from_dict,
    validate_scenario,
)
from footprint.errors import ScenarioError
from tests.scenarios import EXAMPLE, good_dict, small


def problems_of(data, **kwargs) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, **kwargs)
    return info.value.problems


# --- The schema --------------------------------------------------------------------------------
def test_the_fields_are_the_format_in_its_order():
    assert [f.name for f in sc.SCENARIO_FIELDS] == [
        "schema_version", "name", "indication", "target_patients", "target_kind", "seed",
        "deadline_months", "countries", "site_list"]
    assert [f.name for f in sc.COUNTRY_FIELDS] == [
        "iso3", "sites", "rate", "rate_shape", "rate_cv", "startup_days", "startup_sd_days",
        "never_activate_share", "screen_fail_share", "dropout_share", "cost_per_patient",
        "site_startup_cost", "site_monthly_cost", "min_sites", "max_sites"]
    assert [f.name for f in sc.SCENARIO_FIELDS if f.required] == [
        "schema_version", "name", "indication", "target_patients", "countries"]
    assert [f.name for f in sc.COUNTRY_FIELDS if f.required] == ["iso3", "sites"]


def test_every_field_says_what_it_is_and_what_it_must_be():
    for spec in sc.FIELDS.values():
        assert spec.title and spec.header and spec.rule.startswith("must be "), spec
        assert spec.kind in ("text", "integer", "number", "list"), spec
    assert sc.FIELDS["rate"].unit == "patients/site/month"
    assert sc.FIELDS["startup_days"].header == "Start-up [days]"
    assert sc.FIELDS["sites"].rule == "must be a non-negative integer (at most 2000)"
    assert f"{assumptions.DEFAULT_RATE:g}" in sc.FIELDS["rate"].description
    assert {f.kind for f in sc.COUNTRY_FIELDS if f.name in ("sites", "max_sites")} == {"integer"}


def test_code_builds_scenarios_positionally_and_copies_them():
    s = Scenario("Essai", "hypertension", 200, [CountryPlan("FRA", 4)], seed=3)
    assert s.countries == (CountryPlan("FRA", 4),)  # a list becomes a tuple
    assert s.schema_version == sc.SCHEMA_VERSION and s.deadline_months is None
    assert hash(s) == hash(dataclasses.replace(s)) and dataclasses.replace(s) == s
    with pytest.raises(TypeError):
        Scenario("Essai", "hypertension", 200, (), 3)  # seed and the rest are keyword-only
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.name = "other"  # type: ignore[misc]


def test_the_mapping_form_gives_the_same_frozen_scenario():
    s = scenario_from_dict(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert isinstance(s.countries, tuple) and isinstance(s.countries[0], CountryPlan)
    assert s.countries[2].startup_days == 150.0 and isinstance(s.countries[2].sites, int)
    assert s == Scenario(s.name, s.indication, s.target_patients, s.countries, seed=s.seed,
                         deadline_months=s.deadline_months)
    assert scenario_from_dict(good_dict(countries=[{"iso3": "BRA", "sites": 1, "rate": 1}])
                              ).countries[0].rate == 1.0


def test_check_gives_the_scenario_or_its_problems():
    scenario, problems = sc.check(good_dict())
    assert scenario is not None and problems == []
    scenario, problems = sc.check(good_dict(seed=-1))
    assert scenario is None
    rule = f"must be a non-negative integer (at most {assumptions.MAX_SEED})"
    assert problems == [Problem(("seed",), f"{rule}; got -1")]
    assert str(problems[0]) == f"seed: {rule}; got -1"
    assert Problem(("countries", 1, "sites"), "x").path == "countries[1].sites"
    assert Problem((), "x").path == "(top level)"


# --- Validation --------------------------------------------------------------------------------
def test_validation_lists_every_problem_with_its_path():
    data = good_dict(
        name="",
        target_patients=0,
        seed=1.5,
        deadline_months=float("inf"),
        countries=[
            {"iso3": "BRA", "sites": 4, "rate": float("nan"), "sitez": 3},
            {"iso3": "bra", "sites": 3.0, "never_activate_share": 1.0},
            {"iso3": "MEX", "sites": -1, "startup_days": -2, "cost_per_patient": "10"},
            {"iso3": "BRA", "sites": True, "max_sites": 1},
            {"iso3": "COL", "sites": 5, "max_sites": 2},
            7,
        ],
    )
    problems = problems_of(data)
    expected = [
        "name: must be a non-empty text",
        "target_patients: must be a positive integer",
        "seed: must be a non-negative integer",
        "deadline_months: must be a positive finite number",
        "countries[0].rate: must be a finite number from 0.001 to 1000",
        "countries[0].sitez: unknown field; did you mean 'sites'?",
        "countries[1].iso3: must be a 3-letter upper-case",
        "countries[1].sites: must be a non-negative integer (at most 2000); got 3.0",
        "countries[1].never_activate_share: must be a finite number with 0 <= x < 1",
        "countries[2].sites: must be a non-negative integer (at most 2000); got -1",
        "countries[2].startup_days: must be a finite number from 0 to 3650 [days]",
        "countries[2].cost_per_patient: must be a finite number from 0 to 10,000,000",
        "countries[3].iso3: duplicate country 'BRA' (already countries[0])",
        "countries[3].sites: must be a non-negative integer (at most 2000); got True",
        "countries[4].max_sites: must be >= sites (5)",
        "countries[5]: must be an object",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    assert len(problems) == len(expected)
    assert problems == [p for t in expected for p in problems if p.startswith(t)]  # in order


def test_countries_that_are_all_wrong_are_not_also_called_empty():
    problems = problems_of(good_dict(countries=[{"iso3": "XXX", "sites": -2}, 7]))
    assert problems == [
        "countries[0].sites: must be a non-negative integer (at most 2000); got -2",
        "countries[1]: must be an object; got 7",
    ]


def test_too_many_countries_is_one_problem():
    codes = ["".join(c) for c in itertools.product("ABCDEFGHIJ", repeat=3)]
    many = [{"iso3": code, "sites": -1} for code in codes[:assumptions.MAX_COUNTRIES + 1]]
    (problem,) = problems_of(good_dict(countries=many))
    assert problem.startswith("countries: must be a non-empty list of at most 250 country")


def test_unknown_codes_and_indication_are_rejected():
    problems = problems_of(
        good_dict(indication="flu"), valid_iso3={"BRA"}, valid_indications={"hypertension"}
    )
    assert problems[0].startswith("indication: unknown indication 'flu' (known: hypertension)")
    assert problems[1] == "countries[1].iso3: unknown country code 'MEX'"
    assert len(problems) == 2


def test_future_schema_version_gets_one_clear_error():
    problems = problems_of(good_dict(schema_version=3, new_field=1))
    assert len(problems) == 1
    assert problems[0].startswith("schema_version: version 3 is newer than this app reads (2)")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (good_dict(extra=1), "extra: unknown field"),
        (good_dict(extra=1), "(allowed: schema_version, name, indication, target_patients, "
                             "target_kind, seed, deadline_months, countries, site_list)"),
        (good_dict(schema_version=0), "schema_version: must be the integer 1 or 2"),
        (good_dict(schema_version="1"), "schema_version: must be the integer 1 or 2"),
        (
            {k: v for k, v in good_dict().items() if k != "schema_version"},
            "schema_version: required",
        ),
        (good_dict(countries=[]), "countries: must be a non-empty list"),
        (good_dict(countries="BRA"), "countries: must be a non-empty list"),
        (good_dict(countries=[{"iso3": "BRA"}]), "countries[0].sites: required field is missing"),
        (good_dict(name=5), "name: must be a non-empty text"),
        (good_dict(target_patients=True), "target_patients: must be a positive integer"),
        (good_dict(target_patients=10**9), "target_patients: must be a positive integer"),
        (["not", "an", "object"], "(top level): must be a JSON object"),
    ],
)
def test_wrong_shapes_and_types_are_rejected(data, fragment):
    problems = problems_of(data)
    assert any(p.startswith(fragment) or fragment in p for p in problems), problems


def test_a_missing_field_is_reported_once():
    data = {k: v for k, v in good_dict().items() if k not in ("schema_version", "name")}
    assert problems_of(data) == ["schema_version: required field is missing",
                                 "name: required field is missing"]


def test_scenario_built_in_code_is_validated_on_resolve():
    bad = small(target_patients=-5)
    with pytest.raises(ScenarioError, match="target_patients"):
        validate_scenario(bad)
    with pytest.raises(ScenarioError, match="target_patients"):
        resolve(bad)
    with pytest.raises(ScenarioError, match=r"countries\[0\].sites.*got 1.0"):
        validate_scenario(small(countries=(CountryPlan("BRA", 1.0),)))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not CountryPlan"):
        validate_scenario(small(countries=({"iso3": "BRA", "sites": 1},)))
    assert small(countries=[CountryPlan("BRA", 1)]).countries == (CountryPlan("BRA", 1),)


# --- Resolve -----------------------------------------------------------------------------------
def test_resolve_fills_user_then_model_then_default_and_records_sources():
    s = small(
        countries=(
            CountryPlan("BRA", 5),
            CountryPlan("MEX", 3, rate=0.8, startup_days=100.0),
            CountryPlan("ARG", 2, startup_sd_days=10.0, cost_per_patient=50.0, max_sites=9),
            CountryPlan("COL", 1),
        )
    )
    r = resolve(s, startup_defaults={"BRA": (120.0, 30.0), "ARG": (90.0, 20.0)},
                pool_caps={"BRA": 40.5})
    bra, mex, arg, col = r.countries
    assert (bra.startup_days, bra.startup_sd_days) == (120.0, 30.0)
    assert bra.sources["startup_days"] == bra.sources["startup_sd_days"] == "model"
    assert bra.rate == assumptions.DEFAULT_RATE and bra.sources["rate"] == "default"
    assert bra.pool_cap == 40.5 and bra.sources["pool_cap"] == "model"
    assert bra.never_activate_share == assumptions.DEFAULT_NEVER_ACTIVATE_SHARE
    assert (mex.rate, mex.sources["rate"]) == (0.8, "user")
    assert (mex.startup_days, mex.startup_sd_days) == (100.0, 0.0)  # fixed start-up
    assert mex.sources["startup_sd_days"] == "user"
    assert (arg.startup_days, arg.startup_sd_days) == (90.0, 10.0)
    assert arg.sources["startup_days"] == "model" and arg.sources["startup_sd_days"] == "user"
    assert (arg.cost_per_patient, arg.max_sites) == (50.0, 9)
    assert col.startup_days == pytest.approx(31.4 * 7)
    assert col.startup_sd_days == pytest.approx(0.3 * 31.4 * 7)
    assert col.sources["startup_days"] == "default" and col.pool_cap is None
    assert col.cost_per_patient is None and col.sources["cost_per_patient"] == "default"
    assert r.total_sites == 11 and r.scenario == s
    assert set(bra.sources) == {
        "rate", "rate_shape", "startup_days", "startup_sd_days", "never_activate_share",
        "cost_per_patient", "max_sites", "pool_cap", "screen_fail_share", "dropout_share",
        "rate_cv", "min_sites", "site_startup_cost", "site_monthly_cost",
    }


def test_resolve_rejects_bad_model_values_and_with_sites_checks():
    with pytest.raises(ValueError, match="startup_defaults"):
        resolve(small(), startup_defaults={"BRA": (float("nan"), 1.0)})
    with pytest.raises(ValueError, match="pool_caps"):
        resolve(small(), pool_caps={"BRA": -1})
    r = resolve(small())
    r2 = r.with_sites({"MEX": 7})
    assert [c.sites for c in r2.countries] == [5, 7]
    assert r2.scenario.countries[1].sites == 7
    with pytest.raises(ValueError, match="not in the scenario"):
        r.with_sites({"XXX": 1})
    with pytest.raises(ValueError, match="non-negative integer"):
        r.with_sites({"BRA": -1})


# --- Bounds: whatever validates, the forecast can compute (issue 15) ---------------------------
NUMBER_BOUNDS = [
    ("rate", assumptions.MIN_RATE, assumptions.MAX_RATE),
    ("rate_shape", assumptions.MIN_RATE_SHAPE, assumptions.MAX_RATE_SHAPE),
    ("startup_days", 0.0, assumptions.MAX_STARTUP_DAYS),
    ("startup_sd_days", 0.0, assumptions.MAX_STARTUP_DAYS),
    ("cost_per_patient", 0.0, assumptions.MAX_COST_PER_PATIENT),
]


@pytest.mark.parametrize(("field", "low", "high"), NUMBER_BOUNDS,
                         ids=[b[0] for b in NUMBER_BOUNDS])
def test_every_number_has_both_ends(field, low, high):
    """rate 1e308, rate_shape 5e-324 or startup_sd_days 1e308 passed and crashed the forecast
    ("lam value too large"); a cost of 1e308 showed "inf"."""
    for ok in (low, high):
        assert sc.check(good_dict(countries=[{"iso3": "BRA", "sites": 1, field: ok}]))[0]
    for bad in (1e308, high * 1.0001, 5e-324 if low > 0 else -5e-324):
        problems = problems_of(good_dict(countries=[{"iso3": "BRA", "sites": 1, field: bad}]))
        assert problems == [f"countries[0].{field}: {sc.FIELDS[field].rule}; got {bad!r}"]


def test_a_plan_has_at_most_max_total_sites_over_all_countries():
    fits = [{"iso3": c, "sites": 2000} for c in ("BRA", "MEX")] + [{"iso3": "ARG", "sites": 1000}]
    assert sc.check(good_dict(countries=fits))[0] is not None
    over = [*fits[:2], {"iso3": "ARG", "sites": 1001}]
    assert problems_of(good_dict(countries=over)) == [
        "countries: at most 5,000 sites in total over all countries (what one forecast can "
        "hold in memory); this plan has 5,001"]


def test_max_total_sites_fits_the_forecast_memory_budget_at_the_default_trials():
    from footprint.enrollment import forecast as fc

    worst = fc.memory_bytes(assumptions.MAX_TOTAL_SITES, assumptions.DEFAULT_N_SIMS,
                            assumptions.MAX_HORIZON_MONTHS, assumptions.MAX_COUNTRIES + 1,
                            True, 1)
    assert worst <= assumptions.MAX_FORECAST_BYTES


def test_a_collection_past_its_limit_is_one_problem_its_items_unchecked():
    many = [{"iso3": "XXX", "sites": -1}] * 300_000
    problems = problems_of(good_dict(countries=many), valid_iso3={"BRA"})
    assert problems == [f"countries: {sc.FIELDS['countries'].rule}; got "
                        "[{'iso3': 'XXX', 'sites': -1}, {'iso3..."]
    wide = {"iso3": "BRA", "sites": 1, **{f"x{i}": 0 for i in range(100_000)}}
    assert problems_of(good_dict(countries=[wide])) == [
        "countries[0]: has 100,002 fields; the format has 15 (iso3, sites, rate, rate_shape, "
        "rate_cv, startup_days, startup_sd_days, never_activate_share, screen_fail_share, "
        "dropout_share, cost_per_patient, site_startup_cost, site_monthly_cost, min_sites, "
        "max_sites)"]
    assert problems_of(good_dict(**{f"x{i}": 0 for i in range(100)})) == [
        "(top level): has 105 fields; the format has 9 (schema_version, name, indication, "
        "target_patients, target_kind, seed, deadline_months, countries, site_list)"]
    unknown = problems_of(good_dict(**{f"x{i}": 0 for i in range(52)}))  # 52 problems
    assert len(unknown) == 51 and unknown[-1] == "… and 2 more problems"


CORNERS = list(itertools.product(
    (assumptions.MIN_RATE, assumptions.MAX_RATE),
    (assumptions.MIN_RATE_SHAPE, assumptions.MAX_RATE_SHAPE),
    ((0.0, 0.0), (1e-300, assumptions.MAX_STARTUP_DAYS), (assumptions.MAX_STARTUP_DAYS,) * 2),
))


@pytest.mark.parametrize(("rate", "shape", "startup"), CORNERS)
def test_the_forecast_computes_every_corner_the_schema_accepts(rate, shape, startup):
    from footprint.enrollment import forecast as fc

    s = Scenario("corner", "hypertension", assumptions.MAX_TARGET_PATIENTS, (
        CountryPlan("BRA", assumptions.MAX_SITES_PER_COUNTRY, rate=rate, rate_shape=shape,
                    startup_days=startup[0], startup_sd_days=startup[1],
                    never_activate_share=0.999,
                    cost_per_patient=assumptions.MAX_COST_PER_PATIENT),
        CountryPlan("MEX", 1, rate=rate, rate_shape=shape)),
        seed=assumptions.MAX_SEED, deadline_months=assumptions.MAX_DEADLINE_MONTHS)
    for caps in ({}, {"BRA": 5.0}):  # the exact path, and the time grid
        result = fc.forecast_monte_carlo(resolve(s, pool_caps=caps), n_sims=100)
        values = [*result.months_to_target, result.prob_by_deadline,
                  *result.patients_at_p50.values()]
        assert not any(v != v for v in values)  # no NaN
        cost = result.total_cost_at_p50
        assert cost is None or cost < 1e14


# --- Version 2 ---------------------------------------------------------------------------------
def v2_dict(**country):
    data = good_dict(schema_version=2)
    data["countries"] = [{**data["countries"][0], **country}, *data["countries"][1:]]
    return data


def test_a_version_1_file_reads_as_version_2_with_no_screen_failure_dropout_or_rate_cv():
    s = scenario_from_dict(good_dict())
    assert s.schema_version == 2 and s.target_kind == "randomised"
    assert {(c.screen_fail_share, c.dropout_share, c.rate_cv) for c in s.countries} == {
        (0.0, 0.0, 0.0)}
    r = resolve(s)
    assert all(c.randomised_share == c.evaluable_share == 1.0 for c in r.countries)
    plans = tuple(CountryPlan(**c) for c in good_dict()["countries"])
    assert resolve(Scenario(s.name, s.indication, s.target_patients, plans,
                            schema_version=1)).countries == r.countries


def test_a_version_1_file_may_not_give_version_2_fields():
    problems = problems_of(good_dict(target_kind="evaluable"))  # "randomised" is v1 anyway
    assert problems == ["target_kind: is new in schema_version 2; set schema_version to 2 "
                        "to use it"]
    data = good_dict()
    data["countries"][0]["dropout_share"] = 0.1
    assert problems_of(data) == ["countries[0].dropout_share: is new in schema_version 2; "
                                 "set schema_version to 2 to use it"]


def test_version_2_fields_resolve_with_their_sources():
    s = scenario_from_dict(v2_dict(screen_fail_share=0.25, dropout_share=0.1, rate_cv=0.3,
                                   min_sites=1, site_startup_cost=20_000.0,
                                   site_monthly_cost=1500.0) | {"target_kind": "evaluable"})
    r = resolve(s)
    first, second = r.countries[0], r.countries[1]
    assert (first.screen_fail_share, first.dropout_share, first.rate_cv) == (0.25, 0.1, 0.3)
    assert (first.min_sites, first.site_startup_cost, first.site_monthly_cost) == (
        1, 20_000.0, 1500.0)
    assert first.sources["screen_fail_share"] == "user"
    assert first.evaluable_share == pytest.approx(0.75 * 0.9)
    assert r.target_kind == "evaluable" and r.counted_share(first) == pytest.approx(0.675)
    assert second.screen_fail_share == assumptions.DEFAULT_SCREEN_FAIL_SHARE
    assert second.sources["screen_fail_share"] == second.sources["rate_cv"] == "default"
    assert (second.min_sites, second.site_startup_cost) == (0, None)


@pytest.mark.parametrize(("country", "message"), [
    ({"screen_fail_share": 1.0}, "countries[0].screen_fail_share: must be a finite number "
                                 "with 0 <= x < 1; got 1.0"),
    ({"dropout_share": -0.1}, "countries[0].dropout_share: must be a finite number with "
                              "0 <= x < 1; got -0.1"),
    ({"rate_cv": 2.5}, "countries[0].rate_cv: must be a finite number from 0 to 2 "
                       "(coefficient of variation); got 2.5"),
    ({"site_startup_cost": -1.0}, "countries[0].site_startup_cost: must be a finite number "
                                  "from 0 to 100,000,000 [currency/site]; got -1.0"),
    ({"site_monthly_cost": float("inf")}, "countries[0].site_monthly_cost: must be a finite "
                                          "number from 0 to 10,000,000 [currency/site/month]"),
    ({"min_sites": 5, "max_sites": 4, "sites": 3}, "countries[0].min_sites: must be from 0 to "
                                                   "max_sites (4), got 5"),
    ({"min_sites": 5, "sites": 3}, "countries[0].min_sites: must be from 0 to sites (3), got 5"),
])
def test_version_2_values_out_of_range_name_the_allowed_range(country, message):
    problems = problems_of(v2_dict(**country))
    assert any(p.startswith(message) for p in problems), problems


def test_an_unknown_target_kind_names_the_allowed_ones():
    assert problems_of(good_dict(schema_version=2, target_kind="enrolled")) == [
        "target_kind: must be one of 'randomised', 'evaluable'; got 'enrolled'"]
