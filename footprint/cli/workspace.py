"""``scenarios save|list|show``: the workspace store, the app's own."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from footprint.cli.common import load_scenario

if TYPE_CHECKING:
    from footprint.store.workspace import VersionInfo


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

    _, scenario = load_scenario(model_inputs.load_inputs(con), args.file)
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


def register(commands: argparse._SubParsersAction) -> None:
    """the workspace store commands: scenarios save, list, show"""
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
    sc_show.add_argument("id", help="the store id (?scenario=<id> in the app's link); an older id "
                         "that begins with '-' goes after '--'")
    sc_show.add_argument("--version", type=int, help="a version number (default: the latest)")
    sc_show.add_argument("--json", action="store_true", help="print JSON")
    sc_show.set_defaults(handler=_cmd_scenarios_show)

