"""Goods CSV as shops have it: UTF-8 (with or without BOM) or CP1251, `;` or `,`, known columns in any order.

The file is read as a stream (constant memory at any size); every value is parsed into the
catalog's units (kopecks, thousandths, VAT keys) here, and the first bad value is one
BAD_CSV refusal naming the row (as a spreadsheet numbers it: the header is row 1), the
column as the file names it, and why.
"""
from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator

from storage.catalog_items import MARKING_POLICIES, MARKINGS, VAT_KEYS
from storage.errors import StorageError
from texts.errors import Code


class Why(Code):
    """Why a value was refused; shown through the catalogue entry `code.<value>` (not an error code itself)."""
    NOT_SUM = "CSV_NOT_SUM"
    NOT_QTY = "CSV_NOT_QTY"
    NOT_VAT = "CSV_NOT_VAT"
    NOT_YES_NO = "CSV_NOT_YES_NO"
    NOT_SECTION = "CSV_NOT_SECTION"
    BAD_BARCODE = "CSV_BAD_BARCODE"
    BAD_TEXT = "CSV_BAD_TEXT"
    BAD_UNIT = "CSV_BAD_UNIT"
    NOT_MARKING = "CSV_NOT_MARKING"
    NOT_POLICY = "CSV_NOT_POLICY"
    MISSING_COLUMN = "CSV_MISSING_COLUMN"
    COLUMNS = "CSV_COLUMNS"
    NOT_TEXT = "CSV_NOT_TEXT"
    NO_HEADER = "CSV_NO_HEADER"
    DUPLICATE = "CSV_DUPLICATE"
    BARCODE_TAKEN = "CSV_BARCODE_TAKEN"
    NEEDED_FOR_NEW = "CSV_NEEDED_FOR_NEW"
    BAD_QUOTES = "CSV_BAD_QUOTES"


FIELDS = ("code", "barcode", "name", "price", "vat", "unit", "weighed", "category", "section", "stock", "marking",
          "marking_policy")
REQUIRED = ("code", "name", "price")


def _key(header: str) -> str:
    return re.sub(r"[\s._\-/]+", " ", header.casefold().replace("ё", "е")).strip()


_ALIASES = {
    "code": ["code", "код", "артикул", "код товара", "id", "sku"],
    "barcode": ["barcode", "штрихкод", "штрих-код", "штрих код", "ean", "ean13", "шк", "gtin"],
    "name": ["name", "наименование", "название", "товар", "наименование товара"],
    "price": ["price", "цена", "розничная цена", "цена продажи", "цена руб", "цена byn"],
    "vat": ["vat", "ндс", "ставка ндс", "ставка", "nds", "ндс %"],
    "unit": ["unit", "ед", "ед. изм.", "ед изм", "единица", "единица измерения", "еи"],
    "weighed": ["weighed", "весовой", "вес", "весовой товар"],
    "category": ["category", "категория", "группа", "group", "группа товаров"],
    "section": ["section", "секция", "отдел"],
    "stock": ["stock", "остаток", "количество", "кол-во", "qty", "остатки"],
    "marking": ["marking", "маркировка"],
    "marking_policy": ["marking_policy", "политика маркировки", "сканирование кода", "код маркировки"],
}
ALIASES = {_key(a): f for f, names in _ALIASES.items() for a in names}

_TRUE = {"1", "yes", "true", "да", "y", "д", "+", "весовой"}
_FALSE = {"0", "no", "false", "нет", "n", "н", "-", ""}
_VAT_NONE = {"none", "без ндс", "без налога", "без", "нет", "-", "не облагается"}
_MARKING = {"none": "none", "нет": "none", "": "none", "si": "si", "си": "si", "ukz": "ukz", "укз": "ukz"}
_POLICY = {"required": "required", "обязательно": "required", "": "required", "optional": "optional",
           "необязательно": "optional", "off": "off", "выкл": "off", "нет": "off"}
_SUM = re.compile(r"(\d+)(?:[.,](\d{1,2}))?")
_QTY = re.compile(r"(-?)(\d+)(?:[.,](\d{1,3}))?")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_FORMULA = ("=", "+", "-", "@")
MAX_SUM = 99_999_999_999_99


def csv_error(row: int, field: str, why: Why, detail: str = "") -> StorageError:
    return StorageError("BAD_CSV", f"row {row}, field {field}: {why.name.lower()} {detail}".rstrip() +
                        "; nothing was imported", row=row, field=field, why=why)


def detect_encoding(path: str) -> str:
    """utf-8-sig for a BOM, utf-8 when the whole file decodes as UTF-8, else cp1251 (what Excel saves in Russia)."""
    with open(path, "rb") as f:
        head = f.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        f.seek(0)
        dec = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(1 << 20):
                dec.decode(chunk)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1251"
    return "utf-8"


def detect_delimiter(header_line: str) -> str:
    """The separator the header uses most: `;` (Excel in Russian locales), `,` or a tab."""
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def unneutralize(text: str) -> str:
    """Undo our own export's guard: a leading apostrophe before = + - @ (see catalog_csv.neutralize)."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA else text


def parse_sum(text: str) -> int | None:
    m = _SUM.fullmatch(_SPACES.sub("", text))
    if not m:
        return None
    value = int(m.group(1)) * 100 + int((m.group(2) or "").ljust(2, "0"))
    return value if value <= MAX_SUM else None


def parse_qty_text(text: str) -> int | None:
    m = _QTY.fullmatch(_SPACES.sub("", text))
    if not m:
        return None
    value = int(m.group(2)) * 1000 + int((m.group(3) or "").ljust(3, "0"))
    return -value if m.group(1) else value


def parse_vat(text: str) -> str | None:
    v = text.strip().lower().rstrip("%").strip()
    if v in _VAT_NONE:
        return "none"
    if re.fullmatch(r"\d+(?:[.,]0+)?", v):
        v = re.split(r"[.,]", v)[0]
        return v if v in VAT_KEYS else None
    return None


def parse_unit(text: str) -> str | None:
    u = text.strip().rstrip(".").strip() or "шт"
    return u if len(u) <= 16 and "\n" not in u else None


class CsvSource:
    """A goods CSV file as a staged-import source: `fields` from the header, `rows()` parsed values."""

    kind = "csv"
    full = True

    def __init__(self, path: str, display_name: str | None = None) -> None:
        self.path = path
        self.name = display_name or path
        self.fields: frozenset[str] = frozenset()
        self.ignored_columns: tuple[str, ...] = ()
        self._header: list[str] = []

    def error(self, row: int, field: str, why: Why, detail: str = "") -> StorageError:
        shown = next((h for h, f in zip(self._header, self._map) if f == field), field) if self._header else field
        return csv_error(row, shown, why, detail)

    def _open(self):
        try:
            encoding = detect_encoding(self.path)
            f = open(self.path, encoding=encoding, newline="")
        except OSError as e:
            raise StorageError("BAD_CSV", f"cannot read {self.path}: {e.strerror}", row=0, field="-",
                               why=Why.NOT_TEXT) from None
        return f

    def rows(self) -> Iterator[tuple[int, dict]]:
        """(row number, {field: value}) for every non-empty row; BAD_CSV at the first bad value."""
        with self._open() as f:
            first = f.readline()
            if not first.strip():
                raise csv_error(1, "-", Why.NO_HEADER)
            delim = detect_delimiter(first)
            header = next(csv.reader([first], delimiter=delim))
            self._header = [h.strip() for h in header]
            self._map = [ALIASES.get(_key(h)) for h in self._header]
            seen: set[str] = set()
            for h, m in zip(self._header, self._map):
                if m in seen:
                    raise csv_error(1, h, Why.DUPLICATE)
                if m:
                    seen.add(m)
            missing = [r for r in REQUIRED if r not in seen]
            if missing:
                raise csv_error(1, missing[0], Why.MISSING_COLUMN)
            self.ignored_columns = tuple(h for h, m in zip(self._header, self._map) if m is None and h)
            fields = set(seen)
            if "unit" in fields:
                fields.add("weighed")
            self.fields = frozenset(fields)
            width = len(self._header)
            cols = [(k, m) for k, m in enumerate(self._map) if m]
            reader = csv.reader(f, delimiter=delim)
            n = 1
            try:
                for raw in reader:
                    n += 1
                    if not raw or all(not c.strip() for c in raw):
                        continue
                    if len(raw) != width and not (len(raw) > width and all(not c.strip() for c in raw[width:])):
                        raise csv_error(n, "-", Why.COLUMNS, f"{len(raw)} columns instead of {width}")
                    yield n, self._values(n, {m: raw[k].strip() for k, m in cols if k < len(raw)})
            except csv.Error as e:
                raise csv_error(n, "-", Why.BAD_QUOTES, str(e)) from None
            except UnicodeDecodeError:
                raise csv_error(n, "-", Why.NOT_TEXT) from None

    def _values(self, n: int, r: dict[str, str]) -> dict:
        out: dict = {}
        code = unneutralize(r["code"])
        if not code or len(code) > 32:
            raise self.error(n, "code", Why.BAD_TEXT)
        out["code"] = code
        name = unneutralize(r["name"])
        if not name or len(name) > 128:
            raise self.error(n, "name", Why.BAD_TEXT)
        out["name"] = name
        price = parse_sum(r["price"])
        if price is None:
            raise self.error(n, "price", Why.NOT_SUM, repr(r["price"]))
        out["price"] = price
        if "barcode" in r:
            b = unneutralize(r["barcode"])
            if b and not (b.isdigit() and b.isascii() and 8 <= len(b) <= 14):
                raise self.error(n, "barcode", Why.BAD_BARCODE, repr(b))
            out["barcode"] = b or None
        if "vat" in r:
            vat = parse_vat(r["vat"])
            if vat is None:
                raise self.error(n, "vat", Why.NOT_VAT, repr(r["vat"]))
            out["vat"] = vat
        if "unit" in r:
            unit = parse_unit(unneutralize(r["unit"]))
            if unit is None:
                raise self.error(n, "unit", Why.BAD_UNIT)
            out["unit"] = unit
        if "weighed" in r:
            w = r["weighed"].lower()
            if w not in _TRUE and w not in _FALSE:
                raise self.error(n, "weighed", Why.NOT_YES_NO, repr(r["weighed"]))
            out["weighed"] = w in _TRUE
        elif "unit" in r:
            out["weighed"] = out["unit"].lower() in ("кг", "kg")
        if "category" in r:
            cat = unneutralize(r["category"])
            if len(cat) > 128:
                raise self.error(n, "category", Why.BAD_TEXT)
            out["category"] = cat
        if "section" in r:
            s = r["section"]
            if s and not (s.isdigit() and s.isascii() and int(s) <= 255):
                raise self.error(n, "section", Why.NOT_SECTION, repr(s))
            out["section"] = int(s) if s else None
        if "stock" in r:
            s = r["stock"]
            q = parse_qty_text(s) if s else None
            if s and q is None:
                raise self.error(n, "stock", Why.NOT_QTY, repr(s))
            out["stock"] = q
        if "marking" in r:
            m = _MARKING.get(r["marking"].lower())
            if m is None or m not in MARKINGS:
                raise self.error(n, "marking", Why.NOT_MARKING, repr(r["marking"]))
            out["marking"] = m
        if "marking_policy" in r:
            p = _POLICY.get(r["marking_policy"].lower())
            if p is None or p not in MARKING_POLICIES:
                raise self.error(n, "marking_policy", Why.NOT_POLICY, repr(r["marking_policy"]))
            out["marking_policy"] = p
        return out
