"""Goods export: the catalog as CSV or CommerceML 2, written locally then put on the target (temp name, rename)."""
from __future__ import annotations

import os
import tempfile

from storage.errors import StorageError
from storage.targets import split_location


def write_export(data_dir: str, path: str, fmt: str, progress=None) -> int:
    """Write the catalog of `data_dir` to the local file `path`; returns the number of items."""
    from storage.catalog import Catalog
    catalog = Catalog(data_dir)
    total = len(catalog)
    if fmt == "csv":
        from storage.catalog_csv import format_csv_rows
        done = 0
        with open(path, "w", encoding="utf-8", newline="") as f:
            for chunk in format_csv_rows(catalog.iter_items()):
                f.write(chunk)
                done = min(total, done + chunk.count("\n"))
                if progress:
                    progress("write", done, total)
    elif fmt == "commerceml":
        from storage.commerceml_write import write_commerceml
        write_commerceml(catalog, path)
    else:
        raise StorageError("BAD_SOURCE", f"export format {fmt!r} is not csv or commerceml", source=fmt, why=fmt)
    return total


def export_goods(data_dir: str, dest: str, fmt: str | None = None, progress=None) -> int:
    """Export to a file or URL (`ftp://…/goods.csv`, `yadisk:/goods/goods.csv`, …); returns the number of items."""
    fmt = fmt or ("csv" if dest.lower().endswith(".csv") else "commerceml")
    target, name = split_location(dest, data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, os.path.basename(name) or "goods")
        n = write_export(data_dir, local, fmt, progress)
        target.put(local, name)
    return n
