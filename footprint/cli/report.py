"""``report``: a scenario's Excel workbook, or its one-pager as PDF or slide."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from footprint.assumptions import (
    DEFAULT_ELIGIBILITY_SHARE,
    DEFAULT_EXPERIENCE_WEIGHT,
    DEFAULT_N_SIMS,
    DEFAULT_SITE_ACTIVATION_DAYS,
)
from footprint.cli.common import METHOD_CHOICES, check_sims, load_scenario
from footprint.errors import FootprintError, ScenarioError, UsageError

if TYPE_CHECKING:
    from footprint.data.model_inputs import ModelInputs
    from footprint.enrollment.scenario import Scenario


def _report_scenarios(inputs: ModelInputs, source: str) -> tuple[ModelInputs, list[Scenario]]:
    """The scenarios of ``report``'s argument: a scenario JSON file, a report workbook
    (``.xlsx``, edited or not), or the id of a scenario in the workspace store; with
    ``inputs``, holding a scenario JSON's stored custom indication (:func:`load_scenario`)."""
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
            return inputs, [scenario_from_json(payload, **catalogues)]
        except ScenarioError as exc:
            raise UsageError(f"stored scenario {item_id} is not valid here:\n  "
                             + "\n  ".join(exc.problems)) from None
    if not source.lower().endswith(".xlsx"):
        inputs, scenario = load_scenario(inputs, source)
        return inputs, [scenario]
    try:
        with open(source, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    try:
        return inputs, list(scenarios_from_workbook(data, **catalogues))
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
    from footprint.views.metrics import landscape_unavailable

    outputs = {kind: getattr(args, kind) for kind in ("xlsx", "pdf", "pptx")
               if getattr(args, kind) is not None}
    if not outputs:
        raise UsageError("say what to write: --xlsx OUT, --pdf OUT and/or --pptx OUT")
    try:
        weights = scoring.Weights(*args.weights, experience=args.experience_weight)
        weights.normalised()
    except ValueError as exc:
        raise UsageError(f"--weights and --experience-weight: {exc}") from exc
    if not 0 < args.eligibility <= 1:
        raise UsageError("--eligibility must be above 0 and at most 1")
    if not 0 <= args.activation <= 3650:
        raise UsageError("--activation must be between 0 and 3650 days")
    n_sims = check_sims(args.sims)
    inputs = model_inputs.load_inputs(con)
    missing = landscape_unavailable(inputs.landscape_meta)
    if weights.experience > 0 and missing:
        raise UsageError(f"--experience-weight: {missing}; leave it at 0")
    scenarios = []
    for source in args.scenario:
        inputs, found = _report_scenarios(inputs, source)
        scenarios += found
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


def register(commands: argparse._SubParsersAction) -> None:
    """the report command"""
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
    rp.add_argument("--experience-weight", type=float, default=DEFAULT_EXPERIENCE_WEIGHT,
                    metavar="W", help="weight of the trial-experience score in the top "
                    "countries (registered studies per million people; default %(default)s: "
                    "not scored)")
    rp.add_argument("--eligibility", type=float, default=DEFAULT_ELIGIBILITY_SHARE,
                    help="share of diagnosed patients eligible [0-1] (default %(default)s)")
    rp.add_argument("--activation", type=float, default=DEFAULT_SITE_ACTIVATION_DAYS,
                    help="site activation after approval [days] (default %(default)s)")
    rp.set_defaults(handler=_cmd_report)

