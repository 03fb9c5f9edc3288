"""Command line: ``python -m footprint <command> ...`` (installed: ``footprint <command> ...``).

Each sub-command is one ``_cmd_<name>`` function registered in :func:`parser`; it imports the
modules it needs when it runs, so a quick command never pays for the forecast's or the maps'
libraries (only ``sites check`` loads DuckDB's spatial extension, in its own instance, to
locate coordinates). Any :class:`~footprint.errors.FootprintError` ends the run with its
message on stderr and its ``exit_code``: 2 for refused input (it lists the valid choices, at
most :data:`~footprint.assumptions.MAX_PROBLEMS_SHOWN` problems), 1 for a broken data file
(:class:`~footprint.errors.DataFileError`). Never a traceback. Files are read with the app's
upload reader, at most :data:`~footprint.assumptions.MAX_UPLOAD_BYTES` of them (a pipe or a
device too); ``sites check`` and ``scenario check`` run the app's readers on a file, so a
hostile file can be tried without a browser. JSON output never holds ``NaN`` or ``Infinity``
(a number that is not finite is ``null``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from footprint.assumptions import (
    DEFAULT_ELIGIBILITY_SHARE,
    DEFAULT_N_SIMS,
    DEFAULT_SITE_ACTIVATION_DAYS,
)
from footprint.data.database import open_database
from footprint.errors import FootprintError, ScenarioError, UploadError, UsageError

if TYPE_CHECKING:
    from footprint.data.model_inputs import ModelInputs
    from footprint.enrollment.scenario import Scenario
    from footprint.store.workspace import VersionInfo

CLI_SIMS_RANGE = (100, 200_000)
"""[trials] the ``--sims`` a command accepts (forecast and export --with-forecast)."""
METHOD_CHOICES = ("monte_carlo", "closed_form")
"""``forecast --method`` values, the first the default: part of the CLI's contract, spelled
out so the parser needs no forecast import (a test checks they are forecast.METHODS)."""


def _cmd_regions(args: argparse.Namespace, con) -> str:
    from footprint.data import atlas

    members = atlas.regions(con)
    if args.json:
        return json.dumps(members, indent=2)
    return "\n".join(f"{name}: {', '.join(codes)}" for name, codes in members.items())


SCORE_COLUMNS = ["rank", "iso3", "name", "reachable_patients", "pool_score", "friction_index",
                 "friction_components_used", "startup_days_mean", "startup_days_sd",
                 "approval_basis", "infrastructure_risk", "infrastructure_components_used",
                 "dct_readiness", "attractiveness", "score_components_used", "risk_tier",
                 "flags", "gate_level", "gate_label", "gate_sources", "gate_as_of"]
POOL_FIELDS = ["rate", "diagnosed_share", "urban_share", "year", "population_year", "source",
               "diagnosed_source"]
"""What a ``pool`` row carries after the funnel counts, for a country and for a unit alike."""


def _indication(inputs: ModelInputs, name: str) -> str:
    from footprint.model import pool

    known = sorted(pool.catalogue(inputs))
    if name not in known:
        raise UsageError(f"unknown indication {name!r}; valid: {', '.join(known)}")
    return name


def _countries(inputs: ModelInputs, text: str) -> list[str]:
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in inputs.countries.index]
    if unknown or not codes:
        raise UsageError(f"unknown country code(s) {unknown or [text]}; valid: ISO3 codes such "
                         f"as {', '.join(inputs.countries.index[:8])}, ... "
                         "(`python -m footprint regions` lists the regions' members)")
    return codes


def _records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready records: NaN becomes null, numpy scalars become Python numbers."""
    return json.loads(frame.to_json(orient="records"))


def _finite_json(value: Any) -> Any:
    """``value`` with every float that is not finite replaced by None (JSON has no inf)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_json(v) for v in value]
    return value


def _json(value: Any) -> str:
    """JSON text of ``value``, strictly JSON (``allow_nan=False`` after :func:`_finite_json`)."""
    return json.dumps(_finite_json(value), indent=2, allow_nan=False, ensure_ascii=False)


def _read(path: str) -> bytes:
    """The bytes of an input file, at most the upload limit; a message for every failure."""
    from footprint.io.uploads import read_limited

    try:
        return read_limited(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UploadError as exc:
        raise UsageError(f"{path}: {exc}") from None


def _write(path: str, text: str) -> None:
    """Write an output file; a missing folder or a full disk is a message, not a traceback."""
    try:
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _sims(n: int) -> int:
    """``--sims`` checked against :data:`CLI_SIMS_RANGE` (the one check of both commands)."""
    low, high = CLI_SIMS_RANGE
    if not low <= n <= high:
        raise UsageError(f"--sims must be between {low} and {high}")
    return n


def _cmd_pool(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.model import pool

    inputs = model_inputs.load_inputs(con)
    indication = _indication(inputs, args.indication)
    if not 0 <= args.eligibility <= 1:
        raise UsageError("--eligibility must be between 0 and 1")
    if (args.countries is None) == (args.subnational is None):
        raise UsageError("give --countries or --subnational (one of them)")
    funnel = pool.funnel(inputs, pool.catalogue(inputs)[indication], args.eligibility)
    if args.subnational is not None:
        frame = _subnational_pool(con, funnel, args.subnational.upper())
        keys = ["unit_code", "name", "iso3", "reach", "share"]
    else:
        codes = _countries(inputs, args.countries)
        frame = funnel.join(inputs.countries["name"]).loc[codes].reset_index()
        keys = ["iso3", "name"]
    frame = frame.rename(columns={"pool_year": "year", "pool_source": "source"})
    frame = frame[[*keys, *pool.FUNNEL, *POOL_FIELDS]]
    if args.json:
        return json.dumps(_records(frame), indent=2)
    return frame.to_string(index=False)


def _subnational_pool(con, funnel: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """The units of ``iso3`` with the country's funnel shared out; the rule goes to stderr."""
    from footprint.data import atlas
    from footprint.model import pool

    if iso3 not in pool.SUBNATIONAL_COUNTRIES:
        raise UsageError(f"--subnational {iso3!r} has no units; valid: "
                         f"{', '.join(pool.SUBNATIONAL_COUNTRIES)}")
    units = pool.subnational_funnel(funnel.loc[iso3], atlas.subnational_units(con, iso3))
    print(f"note: {pool.SHARE_OUT_RULE}", file=sys.stderr)
    return pd.DataFrame(units.drop(columns="geometry"))


def _cmd_scores(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.model import scoring

    inputs = model_inputs.load_inputs(con)
    indication = _indication(inputs, args.indication)
    if not 0 < args.eligibility <= 1:
        raise UsageError("--eligibility must be above 0 and at most 1 (a share, e.g. 0.1)")
    if args.region is not None and args.region not in inputs.region_members:
        raise UsageError(f"unknown region {args.region!r}; valid: "
                         f"{', '.join(sorted(inputs.region_members))}")
    try:
        weights = scoring.Weights(*args.weights)
        weights.normalised()
    except ValueError as exc:
        raise UsageError(f"--weights: {exc}") from exc
    params = scoring.ScoreParams(indication, weights, args.eligibility, region=args.region,
                                 include_gated=args.include_gated)
    frame = scoring.country_frame(inputs, params.indication, params.eligibility_share,
                                  params.site_activation_days)
    selection = model_inputs.select(inputs, params.region)
    table = scoring.score(frame, weights, selection, include_gated=params.include_gated)
    left = [] if params.include_gated else scoring.left_out(frame, selection)
    if left:
        print(f"note: {len(left)} gated countries left out (embargo, sanctions or war; "
              "--include-gated ranks them with a penalty): " + ", ".join(
                  f"{code} ({frame.at[code, 'gate_label']})" for code in left),
              file=sys.stderr)
    table = table.reset_index().rename(columns={"gate_source": "gate_sources"})
    table = table[SCORE_COLUMNS]
    if args.csv is not None:
        text = table.to_csv(index=False)
        if args.csv == "-":
            return text.rstrip("\n")
        _write(args.csv, text)
        return f"wrote {len(table)} rows to {args.csv}"
    if args.json:
        records = _records(table)
        for row in records:  # a list in JSON; "; "-separated in the CSV and the table
            row["gate_sources"] = [part.strip() for part in (row["gate_sources"] or "")
                                   .split(";") if part.strip()]
        return json.dumps(records, indent=2)
    return table.to_string(index=False)


def _load_scenario(inputs: ModelInputs, path: str) -> Scenario:
    from footprint.io.scenario_json import scenario_from_json
    from footprint.io.uploads import decode

    try:
        text = decode(_read(path))
    except UploadError as exc:
        raise UsageError(f"{path}: {exc}") from exc
    try:
        return scenario_from_json(text, valid_iso3=set(inputs.countries.index),
                                  valid_indications=set(inputs.indications.index))
    except ScenarioError as exc:
        raise UsageError(f"{path} is not a valid scenario:\n  " +
                         "\n  ".join(exc.problems)) from exc


def _cmd_forecast(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.enrollment import forecast, planning

    inputs = model_inputs.load_inputs(con)
    scenario = _load_scenario(inputs, args.scenario)
    n_sims = _sims(args.sims)
    resolved = planning.resolve_with_model(inputs, scenario)
    result = forecast.forecast(resolved, args.method, n_sims=n_sims)
    p10, p50, p90 = (_finite_json(float(m)) for m in result.months_to_target)
    countries = [
        {"iso3": c.iso3, "sites": c.sites, "rate": c.rate, "rate_shape": c.rate_shape,
         "startup_days": c.startup_days, "startup_sd_days": c.startup_sd_days,
         "never_activate_share": c.never_activate_share, "pool_cap": c.pool_cap,
         "patients_at_p50": result.patients_at_p50.get(c.iso3),
         "cost_at_p50": result.cost_by_country.get(c.iso3), "sources": c.sources}
        for c in resolved.countries
    ]
    out = {
        "scenario": scenario.name,
        "method": result.method,
        "n_sims": result.n_sims,
        "target_patients": result.target_patients,
        "months_to_target": {"p10": p10, "p50": p50, "p90": p90},
        "prob_by_deadline": result.prob_by_deadline,
        "total_cost_at_p50": result.total_cost_at_p50,
        "countries": countries,
        "warnings": list(result.warnings),
    }
    if args.json:
        return _json(out)
    lines = [f"{scenario.name}: {scenario.target_patients} patients",
             f"months to target P10/P50/P90: {p10} / {p50} / {p90}"]
    lines += [f"  {c.iso3}: {c.sites} sites, "
              f"{result.patients_at_p50.get(c.iso3, float('nan')):.0f} patients at P50"
              for c in resolved.countries]
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


def _cmd_export(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.enrollment import forecast, planning
    from footprint.io.scenario_csv import scenario_to_csv

    inputs = model_inputs.load_inputs(con)
    scenario = _load_scenario(inputs, args.scenario)
    result = None
    if args.with_forecast:
        n_sims = _sims(args.sims)
        resolved = planning.resolve_with_model(inputs, scenario)
        result = forecast.forecast(resolved, n_sims=n_sims)
    _write(args.csv, scenario_to_csv(scenario, result))
    return f"wrote {len(scenario.countries)} rows to {args.csv}"


def _checked(args: argparse.Namespace, check: Any) -> str:
    """Run a file check: its report, or its refusal (as JSON on stdout too with ``--json``)."""
    try:
        report = check()
    except FootprintError as exc:
        if args.json:
            print(_json({"file": args.file, "ok": False, "error": type(exc).__name__,
                         "problems": exc.problems}))
        raise
    if args.json:
        return _json({"file": args.file, "ok": True, **report})
    return "\n".join(f"{key}: {value}" for key, value in report.items())


def _cmd_sites_check(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.data.database import open_spatial, spatial_cursor
    from footprint.errors import SiteListError
    from footprint.io import site_lists

    def check() -> dict:
        parsed = site_lists.parse_site_list(_read(args.file),
                                            set(model_inputs.load_inputs(con).countries.index))
        located = site_lists.locate(spatial_cursor(open_spatial()), parsed)
        counts = site_lists.count_per_country(located)
        problems = site_lists.count_problems(counts)
        if problems:
            raise SiteListError(problems)
        return {"sites": len(located), "not_located": int(located["iso3"].isna().sum()),
                "countries": _records(counts)}

    return _checked(args, check)


def _cmd_scenario_check(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.io.scenario_file import read_scenario_file

    def check() -> dict:
        inputs = model_inputs.load_inputs(con)
        found = read_scenario_file(_read(args.file), args.file,
                                   valid_iso3=set(inputs.countries.index),
                                   valid_indications=set(inputs.indications.index))
        return {"scenarios": [{"name": s.name, "countries": len(s.countries),
                               "sites": sum(c.sites for c in s.countries)} for s in found]}

    return _checked(args, check)


def _stored_record(info: VersionInfo) -> dict:
    """A stored version for ``--json``: who saved it when, with the link that opens it."""
    from urllib.parse import urlencode

    from footprint.store.workspace import link_params

    return {"id": info.id, "version": info.version, "latest": info.latest, "name": info.name,
            "author": info.author, "note": info.note, "saved_at": info.saved_at.isoformat(),
            "visibility": info.visibility, "owner": info.owner_name,
            "link": "?" + urlencode(link_params(info.id, info.version))}


def _cmd_scenarios_save(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.io.scenario_json import scenario_to_json
    from footprint.store.workspace import TEAM_USER, open_store

    scenario = _load_scenario(model_inputs.load_inputs(con), args.file)
    store = open_store()
    try:
        saved = store.save_scenario(scenario_to_json(scenario), user=TEAM_USER, note=args.note,
                                    scenario_id=args.id)
    finally:
        store.close()
    record = _stored_record(saved)
    return (f"saved {saved.name!r} as version {saved.version} of {saved.id} in {store.where}; "
            f"the app opens it at {record['link']}")


def _cmd_scenarios_list(args: argparse.Namespace, con) -> str:
    from footprint.store.workspace import TEAM_USER, open_store

    store = open_store()
    try:
        listing = [_stored_record(info) for info in store.list(user=TEAM_USER)]
    finally:
        store.close()
    if args.json:
        return json.dumps(listing, indent=2)
    return "\n".join(f"{r['id']}  v{r['version']}  {r['saved_at'][:16]}  {r['author']}  "
                     f"{r['name']}" for r in listing) or "no saved scenarios"


def _cmd_scenarios_show(args: argparse.Namespace, con) -> str:
    from footprint.store.workspace import TEAM_USER, open_store

    store = open_store()
    try:
        stored = store.get(args.id, args.version, user=TEAM_USER)
    finally:
        store.close()
    if args.json:
        return json.dumps({**_stored_record(stored), "scenario": json.loads(stored.payload)},
                          indent=2)
    return (f"{stored.name}: version {stored.version} of {stored.latest}, saved by "
            f"{stored.author} at {stored.saved_at:%Y-%m-%d %H:%M} UTC"
            + (f"\nnote: {stored.note}" if stored.note else "") + f"\n{stored.payload}")


def _report_scenarios(inputs: ModelInputs, source: str) -> list[Scenario]:
    """The scenarios of ``report``'s argument: a scenario JSON file, a report workbook
    (``.xlsx``, edited or not), or the id of a scenario in the workspace store."""
    import os

    from footprint.io.report_xlsx import scenarios_from_workbook
    from footprint.io.scenario_json import scenario_from_json
    from footprint.store.workspace import TEAM_USER, check_id, open_store

    catalogues = {"valid_iso3": set(inputs.countries.index),
                  "valid_indications": set(inputs.indications.index)}
    if not os.path.exists(source):
        try:
            item_id = check_id(source)
        except FootprintError:
            raise UsageError(f"{source}: no such file, nor a stored scenario id") from None
        store = open_store()
        try:
            payload = store.get(item_id, user=TEAM_USER).payload
        finally:
            store.close()
        try:
            return [scenario_from_json(payload, **catalogues)]
        except ScenarioError as exc:
            raise UsageError(f"stored scenario {item_id} is not valid here:\n  "
                             + "\n  ".join(exc.problems)) from None
    if not source.lower().endswith(".xlsx"):
        return [_load_scenario(inputs, source)]
    try:
        with open(source, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    try:
        return list(scenarios_from_workbook(data, **catalogues))
    except ScenarioError as exc:
        raise UsageError(f"{source} holds no valid scenario:\n  "
                         + "\n  ".join(exc.problems)) from None


def _scenario_onepager(con, inputs: ModelInputs, resolved, result, meta, frame):
    """The one-pager of a scenario: the regions of its countries, its countries outlined."""
    import geopandas as gpd

    from footprint.data import atlas
    from footprint.io.report_map import MapKey
    from footprint.io.report_onepager import forecast_figures, risk_onepager
    from footprint.model import pool
    from footprint.views import executive, maps

    regions = atlas.regions(con)
    shapes = atlas.country_shapes(con)
    codes = [c.iso3 for c in resolved.countries]
    touched = {name: members for name, members in regions.items()
               if set(members) & set(codes)}
    in_scope = sorted(set(codes).union(*touched.values()))
    props, legend, counts = executive.tier_properties(shapes, frame, in_scope)
    keys = [MapKey(e.label, e.color, n, hatch=e.label == executive.GATED_LEGEND)
            for e, n in zip(legend, counts, strict=True)]
    keys.append(MapKey("outside the scope", maps.CONTEXT_LAND))
    planned = shapes[shapes["iso3"].isin(codes)]
    bounds = gpd.GeoSeries(maps.main_parts(planned)).total_bounds
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    extent = (minx, miny, maxx, maxy)
    indication = pool.catalogue(inputs)[resolved.indication].name
    where = " + ".join(sorted(touched)) or ", ".join(codes)
    return risk_onepager(
        shapes, props["fill"], frame, in_scope, keys, title=resolved.name,
        subtitle=f"{indication} · {resolved.target_patients:,} patients · "
                 f"{resolved.total_sites} sites in {len(codes)} countries · {where}",
        top=executive.top_per_region(frame, meta.weights, touched or {where: codes}),
        flags=executive.flags_that_matter(frame, in_scope, regions), meta=meta,
        sources=atlas.data_sources(con), extent=extent, highlight=codes,
        figures=forecast_figures(result),
        notes=(executive.tier_rule(), "Heavy outline: the scenario's countries."))


def _cmd_report(args: argparse.Namespace, con) -> str:
    from footprint.data import atlas, model_inputs
    from footprint.enrollment import forecast, planning
    from footprint.io import report_onepager, report_xlsx
    from footprint.io.report_meta import ReportMeta
    from footprint.model import scoring

    outputs = {kind: getattr(args, kind) for kind in ("xlsx", "pdf", "pptx")
               if getattr(args, kind) is not None}
    if not outputs:
        raise UsageError("say what to write: --xlsx OUT, --pdf OUT and/or --pptx OUT")
    try:
        weights = scoring.Weights(*args.weights)
        weights.normalised()
    except ValueError as exc:
        raise UsageError(f"--weights: {exc}") from exc
    if not 0 < args.eligibility <= 1:
        raise UsageError("--eligibility must be above 0 and at most 1")
    if not 0 <= args.activation <= 3650:
        raise UsageError("--activation must be between 0 and 3650 days")
    n_sims = _sims(args.sims)
    inputs = model_inputs.load_inputs(con)
    scenarios = [s for source in args.scenario for s in _report_scenarios(inputs, source)]
    if len(scenarios) > 1 and ("pdf" in outputs or "pptx" in outputs):
        raise UsageError(f"--pdf and --pptx report one scenario; got {len(scenarios)} "
                         "(--xlsx compares up to four)")
    if len({s.indication for s in scenarios}) > 1:
        raise UsageError("the scenarios of one report share an indication")
    meta = ReportMeta(eligibility_share=args.eligibility,
                      site_activation_days=args.activation, weights=weights)
    frame = scoring.country_frame(inputs, scenarios[0].indication, args.eligibility,
                                  args.activation)
    resolved = [planning.resolve_with_model(inputs, s, args.eligibility, args.activation)
                for s in scenarios]
    if len(resolved) == 1:
        results = [forecast.forecast(resolved[0], args.method, n_sims=n_sims)]
        comparison = None
    else:
        try:
            comparison = planning.compare(resolved, method=args.method, n_sims=n_sims)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        results = list(comparison.results)
    files = {}
    if "xlsx" in outputs:
        sources = atlas.data_sources(con)
        files["xlsx"] = (report_xlsx.scenario_workbook(resolved[0], results[0], meta,
                                                       frame=frame, sources=sources)
                         if comparison is None else
                         report_xlsx.comparison_workbook(resolved, comparison, meta,
                                                         frame=frame, sources=sources))
    if "pdf" in outputs or "pptx" in outputs:
        page = _scenario_onepager(con, inputs, resolved[0], results[0], meta, frame)
        if "pdf" in outputs:
            files["pdf"] = report_onepager.onepager_pdf(page)
        if "pptx" in outputs:
            files["pptx"] = report_onepager.onepager_pptx(page)
    lines = []
    for kind, data in files.items():
        try:
            with open(outputs[kind], "wb") as out:
                out.write(data)
        except OSError as exc:
            raise UsageError(f"cannot write {outputs[kind]}: {exc.strerror}") from None
        lines.append(f"wrote {outputs[kind]} ({len(data):,} bytes)")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    root = argparse.ArgumentParser(prog="python -m footprint", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    regions = commands.add_parser("regions", help="list the six regions and their countries")
    regions.add_argument("--json", action="store_true", help="print JSON {region: [ISO3, ...]}")
    regions.set_defaults(handler=_cmd_regions)

    pool_cmd = commands.add_parser(
        "pool", help="patient funnel per country, or per state / prefecture of one country")
    pool_cmd.add_argument("--indication", required=True, help="e.g. type2_diabetes")
    pool_cmd.add_argument("--countries", help="ISO3 codes, e.g. USA,IND,JPN")
    pool_cmd.add_argument("--subnational", metavar="ISO3",
                          help="one row per state / prefecture of USA, JPN or IND: the "
                          "country's funnel shared out by urban reach (instead of --countries)")
    pool_cmd.add_argument("--eligibility", type=float, default=DEFAULT_ELIGIBILITY_SHARE,
                          help="share of diagnosed patients eligible [0-1] (default %(default)s)")
    pool_cmd.add_argument("--json", action="store_true", help="print a JSON list")
    pool_cmd.set_defaults(handler=_cmd_pool)

    scores = commands.add_parser("scores", help="score and rank the countries of a region")
    scores.add_argument("--region", help='one of the six regions, e.g. "Latin America" '
                        "(default: every country)")
    scores.add_argument("--indication", required=True)
    scores.add_argument("--weights", type=float, nargs=3, default=(1.0, 1.0, 1.0),
                        metavar=("POOL", "FRICTION", "INFRA"))
    scores.add_argument("--eligibility", type=float, default=DEFAULT_ELIGIBILITY_SHARE)
    scores.add_argument("--include-gated", action="store_true",
                        help="rank countries under embargo, sanctions or war too, with a "
                        "penalty (default: left out, listed in a note on stderr)")
    scores.add_argument("--csv", metavar="FILE", help="write CSV to FILE ('-' = stdout)")
    scores.add_argument("--json", action="store_true", help="print a JSON list")
    scores.set_defaults(handler=_cmd_scores)

    fc = commands.add_parser("forecast", help="forecast enrollment for a scenario JSON")
    fc.add_argument("scenario", help="scenario JSON file (format in README.md)")
    fc.add_argument("--sims", type=int, default=DEFAULT_N_SIMS,
                    help="simulated trials (default %(default)s)")
    fc.add_argument("--method", choices=METHOD_CHOICES, default=METHOD_CHOICES[0])
    fc.add_argument("--json", action="store_true", help="print JSON")
    fc.set_defaults(handler=_cmd_forecast)

    ex = commands.add_parser("export", help="write a scenario as the analyst CSV")
    ex.add_argument("scenario", help="scenario JSON file")
    ex.add_argument("--csv", required=True, metavar="OUT.csv")
    ex.add_argument("--with-forecast", action="store_true",
                    help="add the forecast outputs (Monte Carlo) to each row")
    ex.add_argument("--sims", type=int, default=DEFAULT_N_SIMS)
    ex.set_defaults(handler=_cmd_export)

    sites = commands.add_parser("sites", help="site lists, read as the app reads them")
    sites_commands = sites.add_subparsers(dest="sites_command", required=True)
    sites_check = sites_commands.add_parser(
        "check", help="read a site list as the Scenario builder does: its sites per country, "
        "or every problem (exit 2)")
    sites_check.add_argument("file", help="site list CSV")
    sites_check.add_argument("--json", action="store_true", help="print JSON")
    sites_check.set_defaults(handler=_cmd_sites_check)

    scenario_cmd = commands.add_parser("scenario",
                                       help="scenario files, read as the app reads them")
    scenario_commands = scenario_cmd.add_subparsers(dest="scenario_command", required=True)
    scenario_check = scenario_commands.add_parser(
        "check", help="read a scenario JSON or CSV as the Scenario builder does: its scenarios, "
        "or every problem (exit 2)")
    scenario_check.add_argument("file", help="scenario JSON or CSV file")
    scenario_check.add_argument("--json", action="store_true", help="print JSON")
    scenario_check.set_defaults(handler=_cmd_scenario_check)

    sc = commands.add_parser(
        "scenarios", help="save, list and show scenarios in the workspace store (the app's: "
        "FOOTPRINT_DATABASE_URL, else .streamlit/secrets.toml, else workspace/footprint.sqlite)")
    sc_commands = sc.add_subparsers(dest="scenarios_command", required=True)
    sc_save = sc_commands.add_parser(
        "save", help="validate a scenario JSON and save it as a new version (team-visible)")
    sc_save.add_argument("file", help="scenario JSON file")
    sc_save.add_argument("--note", default="", help="what this version changes")
    sc_save.add_argument("--id", help="save as the next version of this stored scenario")
    sc_save.set_defaults(handler=_cmd_scenarios_save)
    sc_list = sc_commands.add_parser("list", help="the latest version of each, newest first")
    sc_list.add_argument("--json", action="store_true", help="print a JSON list")
    sc_list.set_defaults(handler=_cmd_scenarios_list)
    sc_show = sc_commands.add_parser("show", help="one stored version and its scenario")
    sc_show.add_argument("id", help="the store id (?scenario=<id> in the app's link)")
    sc_show.add_argument("--version", type=int, help="a version number (default: the latest)")
    sc_show.add_argument("--json", action="store_true", help="print JSON")
    sc_show.set_defaults(handler=_cmd_scenarios_show)

    rp = commands.add_parser(
        "report", help="write a scenario's Excel report, or its one-pager as PDF or slide")
    rp.add_argument("scenario", nargs="+", metavar="SCENARIO|ID",
                    help="a scenario JSON file, a report .xlsx (edited or not) or a stored "
                    "scenario id (the workspace store, as `scenarios show`); several "
                    "compare in one workbook")
    rp.add_argument("--xlsx", metavar="OUT.xlsx", help="the Excel workbook")
    rp.add_argument("--pdf", metavar="OUT.pdf", help="the one-pager as PDF (one scenario)")
    rp.add_argument("--pptx", metavar="OUT.pptx", help="the one-pager as a slide")
    rp.add_argument("--sims", type=int, default=DEFAULT_N_SIMS,
                    help="simulated trials (default %(default)s)")
    rp.add_argument("--method", choices=METHOD_CHOICES, default=METHOD_CHOICES[0])
    rp.add_argument("--weights", type=float, nargs=3, default=(1.0, 1.0, 1.0),
                    metavar=("POOL", "FRICTION", "INFRA"), help="of the top countries")
    rp.add_argument("--eligibility", type=float, default=DEFAULT_ELIGIBILITY_SHARE,
                    help="share of diagnosed patients eligible [0-1] (default %(default)s)")
    rp.add_argument("--activation", type=float, default=DEFAULT_SITE_ACTIVATION_DAYS,
                    help="site activation after approval [days] (default %(default)s)")
    rp.set_defaults(handler=_cmd_report)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = parser().parse_args(argv)
    try:
        output = args.handler(args, open_database(load_spatial=False))
    except FootprintError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if output:
        try:
            print(output, flush=True)
        except BrokenPipeError:  # the reader left (`footprint ... | head`): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
