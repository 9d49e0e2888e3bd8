"""`zpos goods import|export`: the catalog from and to files, URLs (FTP, WebDAV, Яндекс.Диск, USB) and back offices."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from storage.errors import StorageError
from storage.goods_sources import EXPORT_FORMATS, FORMATS
from storage.targets import URL_HELP
from zpos.errors import CliError, refusal_line


def register(sub) -> None:
    p = sub.add_parser("goods", help="goods import and export (CSV, CommerceML, Bitrix24, CloudShop)")
    gsub = p.add_subparsers(dest="goods_command", metavar="ACTION", required=True)
    i = gsub.add_parser("import", help="load the catalog from SOURCE: staged, previewed, applied in one transaction")
    i.add_argument("source", metavar="SOURCE", help=f"a file, a CommerceML folder or zip, bitrix24:, cloudshop:, or {URL_HELP}")
    i.add_argument("--format", choices=FORMATS[:-1], help="default: from the name (.csv, .xml/.zip/folder, bitrix24:)")
    i.add_argument("--dry-run", action="store_true", help="check and count only; nothing is applied")
    i.add_argument("--keep-missing", action="store_true", help="keep items the source does not list (default: remove)")
    i.add_argument("--data", type=Path, help="data directory")
    i.set_defaults(func=run_import)
    e = gsub.add_parser("export", help="write the catalog to DEST")
    e.add_argument("dest", metavar="DEST", help=f"a file or {URL_HELP} (ending with the file name)")
    e.add_argument("--format", choices=EXPORT_FORMATS, help="default: from the name (.csv, else .xml/.zip: CommerceML)")
    e.add_argument("--data", type=Path, help="data directory")
    e.set_defaults(func=run_export)


def _data(args) -> str:
    from zpos.config import cli_config
    _, data = cli_config(None, args.data)
    if not data.is_dir():
        raise CliError(f"data directory {data} does not exist", 2)
    return str(data)


def run_import(args) -> int:
    from storage.goods_exchange import import_from
    data = _data(args)
    progress = ProgressLine()
    try:
        result = import_from(data, args.source, args.format, dry_run=args.dry_run,
                             remove_missing=not args.keep_missing, progress=progress)
    except StorageError as e:
        progress.done()
        raise CliError(f"{e.code}: {refusal_line(e)}", 1) from None
    progress.done()
    print(result.line())
    return 0


def run_export(args) -> int:
    from storage.goods_export import export_goods
    data = _data(args)
    progress = ProgressLine()
    try:
        n = export_goods(data, args.dest, args.format, progress=progress)
    except StorageError as e:
        progress.done()
        raise CliError(f"{e.code}: {refusal_line(e)}", 1) from None
    progress.done()
    print(f"exported {n} items to {_shown(args.dest)}")
    return 0


def _shown(dest: str) -> str:
    from storage.targets import redact
    return redact(dest) if "://" in dest else os.path.abspath(dest)


_PHASES = {"read": "reading", "check": "checking", "apply": "applying", "write": "writing", "fetch": "fetching"}


class ProgressLine:
    """Call it as a storage progress callback: (phase, done, total or None)."""

    def __init__(self, stream=None, after_s: float = 1.0) -> None:
        self.stream, self.after = stream or sys.stderr, after_s
        self.t0 = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.t0 < self.after or now - self.last < 0.2 and done != total:
            return
        self.last = now
        what = _PHASES.get(phase, phase)
        text = f"{what} {done}/{total} ({done * 100 // total}%)" if total else f"{what} {done}"
        self.stream.write(f"\r{text:<40}")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 40 + "\r")
            self.stream.flush()
