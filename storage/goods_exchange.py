"""The calls the screens' services and the register make for goods exchange (one place to look).

    staged = preview_import(data_dir, "usb:KASSA/1c/", progress=cb)   # parse + check + diff, nothing changed
    staged.preview.new / .changed / .removed / .samples            # show them
    result = staged.apply(progress=cb)                             # one transaction; RECEIPT_OPEN while a receipt is open
    staged.discard()                                               # the administrator said no
    export_goods(data_dir, "yadisk:/goods/goods.csv", "csv", cb)
"""
from __future__ import annotations

import shutil
import tempfile

from storage.goods_export import export_goods
from storage.goods_import import ImportPreview, Progress, StagedImport, import_goods, refuse_if_receipt_open, stage
from storage.goods_sources import EXPORT_FORMATS, FORMATS, open_source

__all__ = ["EXPORT_FORMATS", "FORMATS", "ImportPreview", "Progress", "StagedImport", "export_goods", "import_from",
           "preview_import"]


def preview_import(data_dir: str, source: str, fmt: str | None = None, *, remove_missing: bool = True,
                   progress: Progress | None = None) -> StagedImport:
    """Fetch (when remote), parse and check `source`, and count what would change; nothing is applied yet."""
    refuse_if_receipt_open(data_dir)
    work = tempfile.mkdtemp(prefix=".goods-fetch-", dir=data_dir)
    try:
        return stage(data_dir, open_source(source, fmt, data_dir, work), remove_missing=remove_missing,
                     progress=progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def import_from(data_dir: str, source: str, fmt: str | None = None, *, dry_run: bool = False,
                remove_missing: bool = True, progress: Progress | None = None) -> ImportPreview:
    """Preview and apply in one go (the command line's path)."""
    work = tempfile.mkdtemp(prefix=".goods-fetch-", dir=data_dir)
    try:
        return import_goods(data_dir, open_source(source, fmt, data_dir, work), dry_run=dry_run,
                            remove_missing=remove_missing, progress=progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)
