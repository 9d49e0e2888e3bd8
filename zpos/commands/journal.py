"""`zpos journal verify|export`: re-walk the fiscal journal, or dump it as JSON lines (contracts.md §1)."""
from __future__ import annotations

import json
import os
import sys

from storage.errors import StorageError
from storage.journal import Journal
from zpos.errors import CliError, refusal_line


def register(sub) -> None:
    p = sub.add_parser("journal", help="fiscal journal: verify the chain, export as JSON lines")
    jsub = p.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    v = jsub.add_parser("verify", help="re-walk chain hashes, SKO signatures and gap-free numbering")
    v.add_argument("--data", required=True, help="data directory holding journal.sqlite")
    v.add_argument("--sko-key", help="PEM file of the SKO public key (default: the key pinned at set-up)")
    v.set_defaults(func=run_verify)
    e = jsub.add_parser("export", help="every fiscal document as one JSON object per line, journal order")
    e.add_argument("--data", required=True, help="data directory holding journal.sqlite")
    e.add_argument("--out", required=True, help="output file, or - for stdout")
    e.set_defaults(func=run_export)


def open_journal(data: str) -> Journal:
    path = os.path.join(data, "journal.sqlite")
    if not os.path.isfile(path):
        raise CliError(f"no fiscal journal at {path}", 2)
    try:
        return Journal(path)
    except StorageError as e:
        raise CliError(refusal_line(e), 1) from None


def run_verify(args) -> int:
    from zpos.files import read_key
    key = read_key(args.sko_key, "the SKO key") if args.sko_key else None
    with open_journal(args.data) as j:
        try:
            result = j.verify(key or j.get_meta("sko_public_key"))
        except StorageError as e:
            raise CliError(refusal_line(e), 1) from None
    if result.ok:
        print(f"OK {result.count} documents")
        return 0
    print(f"BROKEN at document {result.broken_number}: {result.reason} ({result.count} documents verified before it)")
    return 1


def run_export(args) -> int:
    with open_journal(args.data) as j:
        try:
            out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
        except OSError as e:
            raise CliError(f"cannot write {args.out}: {e.strerror}", 2) from None
        try:
            try:
                for row in j.export_lines():
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            finally:
                if out is not sys.stdout:
                    out.close()      # a write the file refuses may surface only here (buffered)
        except StorageError as e:
            raise CliError(refusal_line(e), 1) from None
        except OSError as e:
            raise CliError(f"cannot write {args.out}: {e.strerror or e}", 2) from None
    return 0
