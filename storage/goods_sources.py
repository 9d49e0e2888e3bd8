"""Where goods come from: a file, a folder or zip of CommerceML, a URL on a target, or a back office (Bitrix24, CloudShop).

`open_source` turns what the administrator names into a staged-import source; remote files are
fetched into `workdir` first (the import then reads a local file, with bounded memory).
"""
from __future__ import annotations

import os

from storage.errors import StorageError
from storage.goods_csv import CsvSource
from storage.targets import ArchiveError, redact, split_location

FORMATS = ("csv", "commerceml", "bitrix24", "cloudshop", "nwp")
EXPORT_FORMATS = ("csv", "commerceml")


def guess_format(spec: str) -> str:
    low = spec.lower().rstrip("/")
    if low.startswith("bitrix24:"):
        return "bitrix24"
    if low.startswith("cloudshop:"):
        return "cloudshop"
    if low.startswith("nwp:"):
        return "nwp"
    remote_folder = spec.endswith("/") and ("://" in spec or low.startswith(("yadisk:", "usb:")))
    if low.endswith((".xml", ".zip")) or remote_folder or (os.path.isdir(spec) and "://" not in spec):
        return "commerceml"
    return "csv"


def _fetch(url: str, data_dir: str, workdir: str) -> str:
    """Download one remote file into `workdir`; returns the local path."""
    target, remote = split_location(url, data_dir)
    local = os.path.join(workdir, os.path.basename(remote))
    target.get(remote, local)
    return local


def open_source(spec: str, fmt: str | None, data_dir: str, workdir: str):
    """The GoodsSource for `spec` (a path or URL); BAD_SOURCE when it cannot be one."""
    fmt = fmt or guess_format(spec)
    if fmt not in FORMATS:
        raise StorageError("BAD_SOURCE", f"format {fmt!r} is not one of {', '.join(FORMATS)}", source=fmt, why=fmt)
    remote = "://" in spec or spec.lower().startswith(("yadisk:", "usb:"))
    shown = redact(spec)
    if fmt == "nwp":
        from storage.nwp import NwpSource
        return NwpSource(spec)
    if fmt == "bitrix24":
        from storage.bitrix24 import Bitrix24Source
        return Bitrix24Source.from_settings(data_dir, spec)
    if fmt == "cloudshop":
        from storage.cloudshop import CloudShopSource
        return CloudShopSource.from_settings(data_dir)
    if fmt == "csv":
        if remote:
            return CsvSource(_fetch(spec, data_dir, workdir), shown)
        if not os.path.isfile(spec):
            raise StorageError("BAD_SOURCE", f"{spec}: no such file", source=shown, why="нет такого файла")
        return CsvSource(spec)
    from storage.commerceml import PAIR, CommerceMLSource
    if not remote:
        return CommerceMLSource(spec, data_dir=data_dir)
    if spec.lower().endswith((".zip", ".xml")):
        return CommerceMLSource(_fetch(spec, data_dir, workdir), data_dir=data_dir, display_name=shown)
    # a remote folder: fetch the pair that is there
    for name in PAIR:
        try:
            _fetch(spec.rstrip("/") + "/" + name, data_dir, workdir)
        except ArchiveError as e:
            if e.code not in ("REMOTE_NOT_FOUND", "NO_ARCHIVE") or name == PAIR[0]:
                raise
    return CommerceMLSource(workdir, data_dir=data_dir, display_name=shown)
