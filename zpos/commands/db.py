"""`zpos db export|import|clear|delete-goods`: the DB maintenance of the manual (§4.2), for field engineers."""
from __future__ import annotations

import os

from storage.archive import clear_until, delete_goods, export_archive, import_archive
from storage.errors import StorageError
from storage.keys import device_key, fingerprint, public_pem
from storage.targets import ARCHIVE_SUFFIX, URL_HELP, parse_target
from zpos.errors import CliError, refusal_line
from zpos.files import locked_data

_TARGET = URL_HELP


def register(sub) -> None:
    p = sub.add_parser("db", help="DB maintenance: export, import, clear, delete goods (manual §4.2)")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    e = dsub.add_parser("export", help="write one signed archive of the DB")
    e.add_argument("--data", required=True, help="data directory")
    e.add_argument("--to", required=True, help=_TARGET)
    e.set_defaults(func=run_export)
    i = dsub.add_parser("import", help="replace the DB with a verified archive (all-or-nothing)")
    i.add_argument("--data", required=True, help="data directory")
    i.add_argument("--from", dest="source", required=True, help=_TARGET)
    i.add_argument("--name", help="archive file name (without it: list the archives there)")
    i.add_argument("--trust-key", help="PEM public key of the register that made the archive (moving data)")
    i.set_defaults(func=run_import)
    c = dsub.add_parser("clear", help="remove documents up to a date inclusive (never ones unsent to the SKO)")
    c.add_argument("--data", required=True, help="data directory")
    c.add_argument("--until", required=True, help="YYYY-MM-DD, inclusive")
    c.add_argument("--sko-sent-up-to", required=True, type=int, help="last document number the SKO confirmed sent")
    c.set_defaults(func=run_clear)
    g = dsub.add_parser("delete-goods", help="delete every item of the catalog")
    g.add_argument("--data", required=True, help="data directory")
    g.set_defaults(func=run_delete_goods)


def _data(path: str, change: bool = True) -> str:
    """The data dir; one this command changes is locked (one process per data dir) until it exits. An export
    only reads (a consistent SQLite snapshot, stores replaced atomically), so it runs beside the register."""
    if not os.path.isdir(path):
        raise CliError(f"data directory {path} does not exist", 2)
    if change:
        locked_data(path)
    return path


def run_export(args) -> int:
    data = _data(args.data, change=False)
    try:
        name = export_archive(data, parse_target(args.to, data))
        fp = fingerprint(public_pem(device_key(data)))
    except StorageError as e:
        raise CliError(refusal_line(e), 1) from None
    print(f"{name} (signed by device key {fp})")
    return 0


def run_import(args) -> int:
    data = _data(args.data)
    try:
        target = parse_target(args.source, data)
        if not args.name:
            for n in target.list():
                if n.endswith(ARCHIVE_SUFFIX):
                    print(n)
            return 0
        from zpos.files import read_key
        trust = read_key(args.trust_key, "the trusted key") if args.trust_key else None
        count = import_archive(data, target, args.name, trust)
    except StorageError as e:
        raise CliError(f"{e.code}: {refusal_line(e)}", 1) from None
    print(f"imported {args.name}: {count} journal documents")
    return 0


def run_clear(args) -> int:
    data = _data(args.data)
    if args.sko_sent_up_to < 0:
        raise CliError("--sko-sent-up-to must be 0 or more", 2)
    try:
        r = clear_until(data, args.until, args.sko_sent_up_to)
    except StorageError as e:
        raise CliError(refusal_line(e), 2 if e.code == "BAD_DATE" else 1) from None
    print(f"removed {r.removed} documents (up to number {r.up_to_number})")
    return 0


def run_delete_goods(args) -> int:
    try:
        n = delete_goods(_data(args.data))
    except StorageError as e:
        raise CliError(refusal_line(e), 1) from None
    print(f"deleted {n} items")
    return 0
