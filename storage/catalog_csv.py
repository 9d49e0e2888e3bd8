"""Catalog CSV export (streamed, formula-like cells neutralised) and the small in-memory parse kept for callers."""
from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator

from fiscal.money import format_money, format_qty
from storage.catalog_items import Item, check_item
from storage.errors import StorageError  # noqa: F401  (raised by parse_csv)

COLUMNS = ("code", "barcode", "name", "price", "vat", "stock", "weighed", "category", "section", "unit", "marking",
           "marking_policy")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: str) -> str:
    """A text cell a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + text if text and text[0] in _FORMULA else text


def _cells(i: Item) -> list[str]:
    # numbers (price, stock) are written as numbers: a negative stock is not a formula
    return [neutralize(i.code), i.barcode or "", neutralize(i.name), format_money(i.price), i.vat,
            "" if i.stock is None else format_qty(i.stock), "1" if i.weighed else "0", neutralize(i.category),
            "" if i.section is None else str(i.section), neutralize(i.unit), i.marking, i.marking_policy]


def format_csv_rows(items: Iterable[Item], batch: int = 2000) -> Iterator[str]:
    """The CSV text in chunks: the header first, then `batch` items per chunk (bounded memory)."""
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    n = 0
    for i in items:
        w.writerow(_cells(i))
        n += 1
        if n % batch == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def format_csv(items: list[Item]) -> str:
    return "".join(format_csv_rows(items))


def parse_csv(text: str) -> list[Item]:
    """The items of a small catalog CSV held in memory (every column present), or BAD_CSV at the first bad row."""
    from storage.goods_csv import CsvSource, Why, csv_error
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "goods.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        src = CsvSource(path)
        items: list[Item] = []
        codes: set[str] = set()
        barcodes: set[str] = set()
        for n, v in src.rows():
            if "vat" not in v:
                raise csv_error(n, "vat", Why.NEEDED_FOR_NEW)
            if v["code"] in codes:
                raise src.error(n, "code", Why.DUPLICATE)
            if v.get("barcode") and v["barcode"] in barcodes:
                raise src.error(n, "barcode", Why.DUPLICATE)
            codes.add(v["code"])
            if v.get("barcode"):
                barcodes.add(v["barcode"])
            try:
                items.append(check_item(Item(**{"barcode": None, **v})))
            except StorageError as e:
                field, _, why = e.detail.partition(": ")
                raise csv_error(n, field, Why.BAD_TEXT, why) from None
    return items
