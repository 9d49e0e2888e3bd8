"""Catalog values (items, categories, sections) and the checks every item passes, from a form or a CSV row."""
from __future__ import annotations

from dataclasses import dataclass

from fiscal.errors import FiscalError
from fiscal.money import MAX_SUM, format_money, format_qty, parse_money, parse_qty
from fiscal.vat import DEFAULT_RATES
from storage.errors import StorageError

VAT_KEYS = tuple(r.key for r in DEFAULT_RATES)


@dataclass(frozen=True, slots=True)
class Item:
    code: str
    barcode: str | None
    name: str
    price: int                 # kopecks
    vat: str                   # a VAT rate key: "20", "10", "0", "25", "none"
    stock: int | None = None   # thousandths; None when stock is not tracked
    weighed: bool = False
    category: str = ""
    section: int | None = None
    unit: str = "шт"           # unit of measure as printed: шт, кг, л, м, ...
    marking: str = "none"      # none | si (средство идентификации, DataMatrix) | ukz (контрольный знак)
    marking_policy: str = "required"   # required | optional | off: whether a marked unit's code must be read


MARKINGS = ("none", "si", "ukz")
MARKING_POLICIES = ("required", "optional", "off")


@dataclass(frozen=True, slots=True)
class Category:
    """A category and the marking its new items get when the source names none."""
    name: str
    marking: str = "none"
    marking_policy: str = "required"


@dataclass(frozen=True, slots=True)
class Section:
    code: int                  # 0…255
    name: str
    vat: str = "none"


def check_item(item: Item) -> Item:
    """The item itself, or StorageError BAD_ITEM naming the field."""
    def bad(field: str, why: str) -> StorageError:
        return StorageError("BAD_ITEM", f"{field}: {why}")
    if not isinstance(item.code, str) or not item.code.strip() or len(item.code) > 32 or "\n" in item.code:
        raise bad("code", f"{item.code!r} must be 1–32 characters")
    if item.barcode is not None and not (item.barcode.isdigit() and item.barcode.isascii()
                                         and 8 <= len(item.barcode) <= 14):
        raise bad("barcode", f"{item.barcode!r} must be 8–14 digits")
    if not isinstance(item.name, str) or not item.name.strip() or len(item.name) > 128 or "\n" in item.name:
        raise bad("name", "must be 1–128 characters on one line")
    if type(item.price) is not int or not 0 <= item.price <= MAX_SUM:
        raise bad("price", f"{item.price!r} must be 0…{format_money(MAX_SUM)} in kopecks")
    if item.vat not in VAT_KEYS:
        raise bad("vat", f"{item.vat!r} is not one of {', '.join(VAT_KEYS)}")
    if item.stock is not None and type(item.stock) is not int:
        raise bad("stock", f"{item.stock!r} must be whole thousandths")
    if type(item.weighed) is not bool:
        raise bad("weighed", "must be true or false")
    if not isinstance(item.category, str) or "\n" in item.category:
        raise bad("category", "must be one line of text")
    if item.section is not None and (type(item.section) is not int or not 0 <= item.section <= 255):
        raise bad("section", f"{item.section!r} must be 0…255")
    if not isinstance(item.unit, str) or not item.unit.strip() or len(item.unit) > 16 or "\n" in item.unit:
        raise bad("unit", f"{item.unit!r} must be 1–16 characters")
    if item.marking not in MARKINGS:
        raise bad("marking", f"{item.marking!r} is not one of {', '.join(MARKINGS)}")
    if item.marking_policy not in MARKING_POLICIES:
        raise bad("marking_policy", f"{item.marking_policy!r} is not one of {', '.join(MARKING_POLICIES)}")
    return item


def item_to_json(i: Item) -> dict:
    return {"code": i.code, "barcode": i.barcode, "name": i.name, "price": format_money(i.price), "vat": i.vat,
            "stock": None if i.stock is None else format_qty(i.stock), "weighed": i.weighed,
            "category": i.category, "section": i.section, "unit": i.unit, "marking": i.marking,
            "marking_policy": i.marking_policy}


def parse_stock(text: str, field: str = "stock") -> int:
    neg = text.startswith("-")
    value = parse_qty(text[1:] if neg else text, field, exact=False)
    return -value if neg else value


def item_from_json(d: dict) -> Item:
    try:
        stock = d.get("stock")
        return check_item(Item(code=d["code"], barcode=d.get("barcode"), name=d["name"],
                               price=parse_money(d["price"], "price"), vat=d["vat"],
                               stock=None if stock is None else parse_stock(stock),
                               weighed=d.get("weighed", False), category=d.get("category", ""),
                               section=d.get("section"), unit=d.get("unit") or "шт",
                               marking=d.get("marking") or "none",
                               marking_policy=d.get("marking_policy") or "required"))
    except (KeyError, TypeError, AttributeError, FiscalError) as e:
        raise StorageError("STORE_CORRUPT", f"catalog.json: a malformed item {d!r:.80}: {e}") from None
