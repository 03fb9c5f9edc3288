"""``indications add|list``: your own indications, kept in the workspace store.

``add FILE`` reads a definition (JSON; or a rates CSV with the definition's fields as flags),
checks it with every problem listed, and saves it (team-visible, as every CLI save); its
``my_...`` id then works wherever an indication does (``pool``, ``scores``, the app).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from footprint.cli.common import read_input
from footprint.errors import UploadError, UsageError

if TYPE_CHECKING:
    from footprint.io.indications import Definition
    from footprint.store.indications import StoredIndication

_CSV_FLAGS = ("name", "age_low", "age_high", "sex", "kind", "diagnosed_share",
              "diagnosed_source", "note")
"""The definition's fields a rates CSV takes from the command line."""


def _definition(args: argparse.Namespace, valid_iso3: set[str]) -> Definition:
    from footprint.io import indications as io

    if args.file.lower().endswith(".csv"):
        given = {k: getattr(args, k) for k in _CSV_FLAGS if getattr(args, k) is not None}
        return io.definition_from_dict({**given, "rates": args.file}, valid_iso3,
                                       rates_csv=read_input(args.file))
    flags = [f"--{k.replace('_', '-')}" for k in _CSV_FLAGS if getattr(args, k) is not None]
    if flags:
        raise UsageError(f"{', '.join(flags)}: only for a rates CSV; a JSON definition "
                         "holds its own fields")
    try:
        return io.read_definition(args.file, valid_iso3)
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None


def _record(item: StoredIndication) -> dict:
    d, info = item.definition, item.info
    return {"id": d.id, "name": d.name, "age_band": d.band, "sex": d.sex, "kind": d.kind,
            "diagnosed_share": d.diagnosed_share, "diagnosed_source": d.diagnosed_source,
            "rates": "one rate" if d.rate is not None else f"{len(d.rates)} countries",
            "source": d.sources, "note": d.note, "store_id": info.id,
            "version": info.version, "visibility": info.visibility, "owner": info.owner_name,
            "saved_at": info.saved_at.isoformat()}


def _cmd_add(args: argparse.Namespace, con) -> str:
    from footprint.data import model_inputs
    from footprint.store.indications import save_indication
    from footprint.store.workspace import TEAM_USER, open_store

    inputs = model_inputs.load_inputs(con)
    try:
        definition = _definition(args, set(inputs.countries.index))
    except UploadError as exc:
        raise UsageError(exc.problems, headline=f"{args.file}: {exc.headline or 'refused:'}") \
            from None
    store = open_store()
    try:
        saved = save_indication(store, definition, user=TEAM_USER, item_id=args.update)
    finally:
        store.close()
    if args.json:
        return json.dumps(_record(saved), indent=2)
    d = saved.definition
    return (f"saved {d.name!r} as {d.id} (version {saved.info.version}, store id "
            f"{saved.info.id}) in {store.where}: {d.band}, {d.sex}, {d.kind}; {d.sources}\n"
            f"use it: footprint pool --indication {d.id} --countries USA,BRA")


def _cmd_list(args: argparse.Namespace, con) -> str:
    from footprint.store.indications import list_indications, unreadable
    from footprint.store.workspace import TEAM_USER, open_store

    store = open_store()
    try:
        records = [_record(item) for item in list_indications(store, user=TEAM_USER)]
        broken = unreadable(store, user=TEAM_USER)
    finally:
        store.close()
    for problem in broken:
        print(f"note: a stored indication does not read back and is left out: {problem}",
              file=sys.stderr)
    if args.json:
        return json.dumps(records, indent=2)
    return "\n".join(f"{r['id']}  v{r['version']}  {r['saved_at'][:16]}  {r['name']}  "
                     f"{r['age_band']} {r['sex']} {r['kind']}  {r['rates']}  {r['source']}"
                     for r in records) or "no custom indications (add one: footprint " \
        "indications add FILE)"


def register(commands: argparse._SubParsersAction) -> None:
    """your own indications: indications add, list"""
    ind = commands.add_parser(
        "indications", help="add and list your own indications (the workspace store's: "
        "FOOTPRINT_DATABASE_URL, else .streamlit/secrets.toml, else workspace/footprint.sqlite)")
    ind_commands = ind.add_subparsers(dest="indications_command", required=True)
    add = ind_commands.add_parser(
        "add", help="check a definition (JSON, or a rates CSV with the flags below) and save "
        "it (team-visible); README: 'Your own indications'")
    add.add_argument("file", help="definition JSON, or a rates CSV (iso3 or country, rate, "
                     "unit, year, source)")
    add.add_argument("--update", metavar="STORE_ID",
                     help="save as the next version of this stored indication (keeps its id)")
    add.add_argument("--json", action="store_true", help="print the saved indication as JSON")
    csv_only = add.add_argument_group("the definition of a rates CSV (a JSON holds its own)")
    csv_only.add_argument("--name")
    csv_only.add_argument("--age-low", type=int, help="[years]")
    csv_only.add_argument("--age-high", type=int, help="[years]; leave out for an open band")
    csv_only.add_argument("--sex", help="both (default), female or male")
    csv_only.add_argument("--kind", help="prevalent or incident_per_year")
    csv_only.add_argument("--diagnosed-share", type=float, help="[0-1]")
    csv_only.add_argument("--diagnosed-source")
    csv_only.add_argument("--note")
    add.set_defaults(handler=_cmd_add)
    listing = ind_commands.add_parser("list", help="the custom indications, newest first")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(handler=_cmd_list)
