"""CommerceML 2 goods (1C «обмен с сайтом» files): import.xml + offers.xml in a folder or a zip, parsed as a stream.

import.xml gives groups (nested) and goods (Ид, Артикул, Наименование, БазоваяЕдиница, Группы,
СтавкиНалогов, a barcode as Штрихкод/ШтрихКод or a ЗначениеРеквизита «Штрихкод»); offers.xml
gives price types, offers (Ид = товар or товар#характеристика, a barcode, prices per type,
Количество or Склад/@КоличествоНаСкладе). Both are read with iterparse, each element cleared
once used, DTDs and entities refused (defusedxml); goods wait in a temporary SQLite table until
their offer comes, so memory stays flat at any size. A default namespace
(urn:1C.ru:commerceml_2), a BOM and decimal commas are tolerated. Prices and quantities come
as decimals and are rounded half-up to the kopeck / to the thousandth (the only rounding here).
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from storage.errors import StorageError
from storage.goods_csv import Why, parse_vat

PAIR = ("import.xml", "offers.xml")
_OKEI = {"796": "шт", "166": "кг", "112": "л", "006": "м", "163": "г", "055": "м²", "113": "м³", "778": "упак"}
_CURRENCIES = {"", "byn", "933", "руб", "руб.", "бел. руб", "br", "rub_by"}
_MAX_ZIP_MEMBER = 512 * 1024**2


def _tag(el) -> str:
    return el.tag.rsplit("}", 1)[-1]


def _child(el, name: str):
    for c in el:
        if _tag(c) == name:
            return c
    return None


def _text(el, name: str) -> str:
    c = _child(el, name)
    return (c.text or "").strip() if c is not None else ""


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        return None


def _barcode(text: str) -> str | None:
    b = text.strip().split(",")[0].strip() if text else ""
    return b if b.isdigit() and b.isascii() and 8 <= len(b) <= 14 else None


class CommerceMLSource:
    """A staged-import source over a CommerceML pair (folder, zip, or the path of import.xml)."""

    kind = "commerceml"

    def __init__(self, path: str, data_dir: str | None = None, display_name: str | None = None,
                 price_type: str | None = None, code_from: str | None = None, default_vat: str | None = None) -> None:
        conf = {}
        if data_dir:
            from storage.targets.settings import ExchangeSettings
            conf = ExchangeSettings(data_dir).get("commerceml")
        self.path = path
        self.name = display_name or path
        self.price_type = price_type or conf.get("price_type") or ""
        self.code_from = code_from or conf.get("code_from") or "article"      # article | id
        self.default_vat = default_vat or conf.get("default_vat")
        self.full = True
        self.fields = frozenset({"code", "barcode", "name", "price", "vat", "unit", "weighed", "category", "stock"})
        self.price_type_used = ""
        self.skipped = 0

    def error(self, row: int, field: str, why: Why, detail: str = "") -> StorageError:
        return StorageError("BAD_GOODS", f"{self.name}: entry {row}, field {field}: {why.name.lower()} {detail}".rstrip(),
                            source=os.path.basename(self.name.rstrip("/")) or self.name, row=row, field=field, why=why)

    def _bad(self, why: str) -> StorageError:
        return StorageError("BAD_SOURCE", f"{self.name}: {why}", source=self.name, why=why)

    # ---- files ------------------------------------------------------------------------------

    def _files(self, tmp: str) -> tuple[str, str | None]:
        p = self.path
        if os.path.isfile(p) and zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                found = {}
                for info in z.infolist():
                    base = os.path.basename(info.filename).lower()
                    kind = "import" if base.startswith("import") else "offers" if base.startswith("offers") else None
                    if kind and base.endswith(".xml") and kind not in found:
                        if info.file_size > _MAX_ZIP_MEMBER:
                            raise self._bad(f"{info.filename} is larger than {_MAX_ZIP_MEMBER} bytes")
                        out = os.path.join(tmp, f"{kind}.xml")     # never the member's own path (zip slip)
                        with z.open(info) as src, open(out, "wb") as dst:
                            while chunk := src.read(1 << 20):
                                dst.write(chunk)
                        found[kind] = out
            if "import" not in found:
                raise self._bad("the zip has no import*.xml")
            return found["import"], found.get("offers")
        folder = p if os.path.isdir(p) else os.path.dirname(p)
        names = {n.lower(): n for n in os.listdir(folder)} if os.path.isdir(folder) else {}
        imp = next((os.path.join(folder, names[n]) for n in sorted(names) if n.startswith("import") and n.endswith(".xml")),
                   None) if os.path.isdir(p) else p
        off = next((os.path.join(folder, names[n]) for n in sorted(names) if n.startswith("offers") and n.endswith(".xml")),
                   None)
        if not imp or not os.path.isfile(imp):
            raise self._bad("no import.xml there")
        return imp, off

    def _events(self, path: str):
        try:
            yield from iterparse(path, events=("start", "end"), forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
        except DefusedXmlException as e:
            raise self._bad(f"{os.path.basename(path)} declares a DTD or entities ({type(e).__name__}); refused") from None
        except SyntaxError as e:        # ET.ParseError
            raise self._bad(f"{os.path.basename(path)} is not well-formed XML ({e})") from None
        except OSError as e:
            raise self._bad(f"{os.path.basename(path)} cannot be read ({e.strerror})") from None

    # ---- import.xml -------------------------------------------------------------------------

    def _read_import(self, path: str, db: sqlite3.Connection) -> None:
        groups: dict[str, str] = {}
        stack: list[str] = []
        gstack: list[dict] = []
        batch = []
        for event, el in self._events(path):
            tag = _tag(el)
            if event == "start":
                stack.append(tag)
                if tag == "Группа":
                    gstack.append({"id": "", "name": ""})
                elif tag == "Каталог" and el.get("СодержитТолькоИзменения", "false").lower() == "true":
                    self.full = False
                continue
            stack.pop()
            if tag in ("Ид", "Наименование") and stack and stack[-1] == "Группа" and gstack:
                gstack[-1]["id" if tag == "Ид" else "name"] = (el.text or "").strip()
            elif tag == "Группа" and gstack:
                g = gstack.pop()
                groups[g["id"]] = g["name"]
                el.clear()
            elif tag == "Товар":
                batch.append(self._good(el, groups))
                el.clear()
                if len(batch) >= 2000:
                    db.executemany("INSERT OR REPLACE INTO goods VALUES (?,?,?,?,?,?,?,?)", batch)
                    batch.clear()
        db.executemany("INSERT OR REPLACE INTO goods VALUES (?,?,?,?,?,?,?,?)", batch)

    def _good(self, el, groups: dict[str, str]) -> tuple:
        gid = _text(el, "Ид")
        deleted = _text(el, "ПометкаУдаления").lower() == "true" or _text(el, "Статус") == "Удален"
        barcode = _barcode(_text(el, "Штрихкод") or _text(el, "ШтрихКод"))
        rekv = _child(el, "ЗначенияРеквизитов")
        if barcode is None and rekv is not None:
            for r in rekv:
                if _text(r, "Наименование").lower() in ("штрихкод", "штрих-код", "штрихкоды"):
                    barcode = _barcode(_text(r, "Значение"))
        unit_el = _child(el, "БазоваяЕдиница")
        unit = ""
        if unit_el is not None:
            unit = (unit_el.text or "").strip() or _OKEI.get(unit_el.get("Код", ""), "") or \
                (unit_el.get("НаименованиеКраткое") or "").strip()
        grp = _child(el, "Группы")
        category = groups.get(_text(grp, "Ид"), "") if grp is not None else ""
        vat = None
        taxes = _child(el, "СтавкиНалогов")
        if taxes is not None:
            for t in taxes:
                if _text(t, "Наименование").upper() in ("НДС", "VAT", ""):
                    raw = _text(t, "Ставка")
                    vat = parse_vat(raw) if raw else None
                    vat = vat if vat is not None else f"?{raw}"
        code = _text(el, "Артикул") if self.code_from == "article" else ""
        return (gid, code or gid.replace("-", "")[:32], _text(el, "Наименование"), barcode, unit or "шт", category,
                vat, int(deleted))

    # ---- offers.xml -------------------------------------------------------------------------

    def _price_type_id(self, types: list[tuple[str, str]]) -> str:
        if not types:
            raise self._bad("offers.xml names no price type (ТипыЦен)")
        want = self.price_type.strip().casefold()
        for tid, name in types:
            if want and want in (tid.casefold(), name.casefold()):
                self.price_type_used = name
                return tid
        if want:
            raise self._bad(f"no price type {self.price_type!r}; there are: {', '.join(n for _, n in types)}")
        tid, name = next(((t, n) for t, n in types if "розн" in n.casefold()), types[0])
        self.price_type_used = name
        return tid

    def rows(self) -> Iterator[tuple[int, dict]]:
        with tempfile.TemporaryDirectory() as tmp:
            imp, off = self._files(tmp)
            db = sqlite3.connect(os.path.join(tmp, "goods.sqlite"), isolation_level=None)
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("CREATE TABLE goods (id TEXT PRIMARY KEY, code TEXT, name TEXT, barcode TEXT, unit TEXT, "
                       "category TEXT, vat TEXT, deleted INTEGER)")
            db.execute("BEGIN")
            self._read_import(imp, db)
            db.execute("COMMIT")
            if off is None:
                raise self._bad("offers.xml is missing: prices come only from it")
            try:
                yield from self._read_offers(off, db)
            finally:
                db.close()

    def _read_offers(self, path: str, db: sqlite3.Connection) -> Iterator[tuple[int, dict]]:
        types: list[tuple[str, str]] = []
        price_id = None
        n = 0
        stack: list[str] = []
        for event, el in self._events(path):
            tag = _tag(el)
            if event == "start":
                stack.append(tag)
                if tag == "ПакетПредложений" and el.get("СодержитТолькоИзменения", "false").lower() == "true":
                    self.full = False
                continue
            stack.pop()
            if tag == "ТипЦены":
                types.append((_text(el, "Ид"), _text(el, "Наименование")))
                el.clear()
            elif tag == "Предложение":
                if price_id is None:
                    price_id = self._price_type_id(types)
                n += 1
                row = self._offer(n, el, price_id, db)
                el.clear()
                if row is not None:
                    yield n, row

    def _offer(self, n: int, el, price_id: str, db: sqlite3.Connection) -> dict | None:
        oid = _text(el, "Ид")
        gid, _, variant = oid.partition("#")
        g = db.execute("SELECT code, name, barcode, unit, category, vat, deleted FROM goods WHERE id = ?", (gid,)).fetchone()
        if g is None or g[6]:
            self.skipped += 1
            return None                  # an offer of a good not in this catalogue, or one marked deleted
        code, name, barcode, unit, category, vat, _ = g
        if variant:
            # the characteristic's GUID hashed to 8 hex digits keeps the code within 32 characters
            code = f"{code[:23]}-{hashlib.sha1(variant.encode()).hexdigest()[:8]}"
            name = _text(el, "Наименование") or name
        barcode = _barcode(_text(el, "Штрихкод") or _text(el, "ШтрихКод")) or (None if variant else barcode)
        price = None
        prices = _child(el, "Цены")
        for p in prices if prices is not None else ():
            if _text(p, "ИдТипаЦены") == price_id:
                if _text(p, "Валюта").lower() not in _CURRENCIES:
                    raise self.error(n, "price", Why.NOT_SUM, f"currency {_text(p, 'Валюта')!r} is not BYN")
                d = _decimal(_text(p, "ЦенаЗаЕдиницу"))
                if d is None or d < 0:
                    raise self.error(n, "price", Why.NOT_SUM, repr(_text(p, "ЦенаЗаЕдиницу")))
                price = int((d * 100).quantize(Decimal(1), ROUND_HALF_UP))
        if price is None:
            self.skipped += 1
            return None                  # not on sale at this price type
        if vat is None:
            vat = self.default_vat
        if vat is None or vat.startswith("?"):
            raise self.error(n, "vat", Why.NOT_VAT, repr(vat))
        stock = None
        qty = _text(el, "Количество")
        if qty:
            d = _decimal(qty)
            if d is None:
                raise self.error(n, "stock", Why.NOT_QTY, repr(qty))
            stock = int((d * 1000).quantize(Decimal(1), ROUND_HALF_UP))
        else:
            total = [_decimal(s.get("КоличествоНаСкладе", "")) for s in el if _tag(s) == "Склад"]
            if total and None not in total:
                stock = int((sum(total) * 1000).quantize(Decimal(1), ROUND_HALF_UP))
        return {"code": code, "barcode": barcode, "name": name[:128], "price": price, "vat": vat, "unit": unit[:16],
                "weighed": unit.lower() in ("кг", "kg"), "category": category, "stock": stock}
