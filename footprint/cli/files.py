"""``sites check`` and ``scenario check``: the app's readers run on a file."""

from __future__ import annotations

import argparse

from footprint.cli.common import checked, json_records, read_input


def _cmd_sites_check(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.data.database import open_spatial, spatial_cursor
    from footprint.errors import SiteListError
    from footprint.io import site_lists
    from footprint.views.scenario import site_list_issues

    def check() -> dict:
        parsed = site_lists.parse_site_list(read_input(args.file),
                                            set(model_inputs.load_inputs(con).countries.index))
        located = site_lists.locate(spatial_cursor(open_spatial()), parsed)
        counts = site_lists.count_per_country(located)
        problems = site_lists.count_problems(counts)
        if problems:
            raise SiteListError(problems)
        return {"sites": len(located), "not_located": int(located["iso3"].isna().sum()),
                "countries": json_records(counts), "issues": site_list_issues(located)}

    return checked(args, check)


def _cmd_scenario_check(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.io.scenario_file import read_scenario_file

    def check() -> dict:
        inputs = model_inputs.load_inputs(con)
        found = read_scenario_file(read_input(args.file), args.file,
                                   valid_iso3=set(inputs.countries.index),
                                   valid_indications=set(inputs.indications.index))
        return {"scenarios": [{"name": s.name, "countries": len(s.countries),
                               "sites": sum(c.sites for c in s.countries)} for s in found]}

    return checked(args, check)


def register(commands: argparse._SubParsersAction) -> None:
    """the file checks: sites check, scenario check"""
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

