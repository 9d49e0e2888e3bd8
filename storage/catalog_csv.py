"""CSV import and export of the catalog: every row is checked before anything is written."""
from __future__ import annotations

import csv
import io

from fiscal.errors import FiscalError
from fiscal.money import format_money, format_qty, parse_money
from storage.catalog_items import Item, check_item, parse_stock
from storage.errors import StorageError

COLUMNS = ("code", "barcode", "name", "price", "vat", "stock", "weighed", "category", "section")
_TRUE = {"1", "yes", "true", "да"}
_FALSE = {"0", "no", "false", "нет", ""}


def _row_error(row: int, field: str, why: str) -> StorageError:
    return StorageError("BAD_CSV", f"row {row}, field {field}: {why}; nothing was imported")


def parse_csv(text: str) -> list[Item]:
    """The items of a catalog CSV (header row with COLUMNS), or BAD_CSV naming the first bad row and field."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header] != list(COLUMNS):
            raise StorageError("BAD_CSV", f"row 1: the header must be {','.join(COLUMNS)}; nothing was imported")
        items: list[Item] = []
        codes: set[str] = set()
        barcodes: set[str] = set()
        for n, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(COLUMNS):
                raise _row_error(n, "-", f"{len(row)} columns instead of {len(COLUMNS)}")
            item = _parse_row(n, dict(zip(COLUMNS, (c.strip() for c in row))))
            if item.code in codes:
                raise _row_error(n, "code", f"{item.code!r} appears twice")
            if item.barcode is not None and item.barcode in barcodes:
                raise _row_error(n, "barcode", f"{item.barcode!r} appears twice")
            codes.add(item.code)
            if item.barcode:
                barcodes.add(item.barcode)
            items.append(item)
    except csv.Error as e:
        raise StorageError("BAD_CSV", f"row {reader.line_num}: {e}; nothing was imported") from None
    return items


def _parse_row(n: int, r: dict[str, str]) -> Item:
    field = "price"
    try:
        price = parse_money(r["price"], "price", exact=False)
        field = "stock"
        stock = parse_stock(r["stock"]) if r["stock"] else None
    except FiscalError as e:
        raise _row_error(n, field, e.message) from None
    weighed = r["weighed"].lower()
    if weighed not in _TRUE | _FALSE:
        raise _row_error(n, "weighed", f"{r['weighed']!r} is not 1/0")
    section = r["section"]
    if section and not (section.isdigit() and section.isascii()):
        raise _row_error(n, "section", f"{section!r} is not a number 0…255")
    try:
        return check_item(Item(code=r["code"], barcode=r["barcode"] or None, name=r["name"], price=price,
                               vat=r["vat"].lower(), stock=stock, weighed=weighed in _TRUE,
                               category=r["category"], section=int(section) if section else None))
    except StorageError as e:
        field, _, why = e.message.partition(": ")
        raise _row_error(n, field, why) from None


def format_csv(items: list[Item]) -> str:
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for i in items:
        w.writerow([i.code, i.barcode or "", i.name, format_money(i.price), i.vat,
                    "" if i.stock is None else format_qty(i.stock), "1" if i.weighed else "0", i.category,
                    "" if i.section is None else str(i.section)])
    return out.getvalue()
