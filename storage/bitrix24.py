"""Bitrix24 goods through an incoming webhook: catalog.* REST methods, paged by id, throttled, backing off on limits.

Per the official REST docs (github.com/bitrix24/b24restdocs, see the external-systems brief §4):
products come from `catalog.product.list` ordered by id with `>id` as the cursor and
`start: -1` (the documented fast way for large catalogues, 50 a page); prices
(`catalog.price.list`, the base price type or the configured one) and stock
(`catalog.storeproduct.list` for the configured store, else the product's `quantity`) are
fetched for 50 pages at a time in one `batch` (the rate limit counts HTTP requests). The client
keeps at most 2 requests a second and, on 503 QUERY_LIMIT_EXCEEDED, waits and tries again with a
growing pause; 429 OPERATION_TIME_LIMIT waits for `operating_reset_at`. The barcode is not a
catalogue field in Bitrix24: it is read from the product property the administrator names.
The webhook URL holds its secret code and is never logged (storage.targets.redact).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from storage.errors import StorageError
from storage.goods_csv import Why
from storage.targets import redact
from storage.targets.http import CONNECT_ERRORS, request

PAGE = 50
BATCH = 50


def php_query(params: dict, prefix: str = "") -> list[tuple[str, str]]:
    """PHP-style query items (filter[@productId][0]=5), how batch sub-calls are written."""
    out: list[tuple[str, str]] = []
    items = params.items() if isinstance(params, dict) else enumerate(params)
    for k, v in items:
        key = f"{prefix}[{k}]" if prefix else str(k)
        if isinstance(v, dict | list):
            out += php_query(v, key)
        else:
            out.append((key, str(v)))
    return out


class Bitrix24Client:
    """A thin webhook client: one request at a time, ≥ `min_interval_s` apart, retries on the documented limits."""

    def __init__(self, webhook: str, min_interval_s: float = 0.5, max_retries: int = 8, timeout: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 backoff_s: float = 1.0) -> None:
        if not webhook.startswith(("https://", "http://")) or "/rest/" not in webhook:
            raise StorageError("BAD_SETTING", f"{redact(webhook)} is not an incoming webhook URL "
                               "(https://<portal>/rest/<user>/<code>/)", key="bitrix24.webhook")
        self.webhook = webhook.rstrip("/") + "/"
        self.min_interval, self.max_retries, self.timeout = min_interval_s, max_retries, timeout
        self.sleep, self.clock, self.backoff = sleep, clock, backoff_s
        self._last = -1e9
        self.waits: list[float] = []           # the pauses taken for limits (diagnostics, tests)

    @property
    def label(self) -> str:
        return redact(self.webhook)

    def _fail(self, code: str, why: str) -> StorageError:
        return StorageError(code, f"Bitrix24 {self.label}: {why}", source="Битрикс24", target="Битрикс24", why=why)

    def call(self, method: str, params: dict | None = None) -> dict:
        delay = self.backoff
        for _attempt in range(self.max_retries + 1):
            wait = self._last + self.min_interval - self.clock()
            if wait > 0:
                self.sleep(wait)
            self._last = self.clock()
            try:
                r = request("POST", f"{self.webhook}{method}.json", body=json.dumps(params or {}).encode(),
                            headers={"Content-Type": "application/json", "Accept": "application/json",
                                     "User-Agent": "zPOS-BY/0.1"}, timeout=self.timeout)
            except CONNECT_ERRORS as e:
                raise self._fail("TARGET_UNAVAILABLE", f"{method}: {e}") from None
            try:
                body = json.loads(r.body or b"{}")
            except ValueError:
                body = {}
            err = str(body.get("error", "")) if isinstance(body, dict) else ""
            if r.status == 200 and not err:
                return body
            if err == "QUERY_LIMIT_EXCEEDED" or r.status in (500, 502, 504) and err != "PORTAL_DELETED":
                self.waits.append(delay)
                self.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if err == "OPERATION_TIME_LIMIT":
                reset = (body.get("time") or {}).get("operating_reset_at")
                pause = max(1.0, min(600.0, float(reset) - time.time())) if reset else 60.0
                self.waits.append(pause)
                self.sleep(pause)
                continue
            if r.status == 401 or err in ("NO_AUTH_FOUND", "expired_token", "INVALID_CREDENTIALS"):
                raise self._fail("TARGET_AUTH", f"{method}: {err or r.status}")
            raise self._fail("SOURCE_FAILED", f"{method}: HTTP {r.status} {err} {body.get('error_description', '')}".strip())
        raise self._fail("TARGET_BUSY", f"{method}: still limited after {self.max_retries} pauses")

    def batch(self, calls: dict[str, tuple[str, dict]]) -> dict[str, dict]:
        """Up to 50 sub-calls in one request; a sub-call's error is raised like a call's."""
        body = self.call("batch", {"halt": 0, "cmd": {k: f"{m}?{urlencode(php_query(p))}" for k, (m, p) in calls.items()}})
        res = body.get("result", {})
        errors = res.get("result_error") or {}
        if errors:
            name, e = next(iter(errors.items()))
            raise self._fail("SOURCE_FAILED", f"batch {name}: {e.get('error')} {e.get('error_description', '')}")
        return res.get("result") or {}

    def list_by_id(self, method: str, key: str, select: list[str], flt: dict) -> Iterator[list[dict]]:
        """Every row of a list method, a page at a time: order by id, `>id` cursor, `start: -1` (no count)."""
        last = 0
        while True:
            body = self.call(method, {"select": select, "filter": {**flt, ">id": last}, "order": {"id": "asc"},
                                      "start": -1})
            rows = _rows(body.get("result"), key)
            if rows:
                yield rows
                last = int(rows[-1]["id"])
            if len(rows) < PAGE:
                return


def _rows(result, key: str) -> list[dict]:
    # the docs show some lists wrapped in `result` and some not: accept both
    if isinstance(result, dict):
        return result.get(key) or []
    return result if isinstance(result, list) else []


def _money(value) -> int:
    """Bitrix24 sends prices as JSON numbers: taken through str and rounded half-up to the kopeck."""
    return int((Decimal(str(value)) * 100).quantize(Decimal(1), ROUND_HALF_UP))


def _qty(value) -> int:
    return int((Decimal(str(value)) * 1000).quantize(Decimal(1), ROUND_HALF_UP))


def _vat_key(rate) -> str | None:
    if rate is None or rate == "":
        return "none"
    try:
        r = Decimal(str(rate))
    except ArithmeticError:
        return None
    key = str(int(r)) if r == int(r) else None
    return key if key in ("20", "10", "0", "25") else None


class Bitrix24Source:
    """Goods of one Bitrix24 trade catalogue as a staged-import source."""

    kind = "bitrix24"
    full = True
    fields = frozenset({"code", "barcode", "name", "price", "vat", "unit", "weighed", "category", "stock"})

    def __init__(self, client: Bitrix24Client, barcode_property: str = "", price_type: str = "", store_id: str = "",
                 iblock_id: int | None = None) -> None:
        self.client = client
        self.name = "Битрикс24"
        prop = str(barcode_property or "")
        self.barcode_property = prop if not prop or prop.startswith("property") else f"property{prop}"
        self.price_type, self.store_id, self.iblock_id = str(price_type or ""), str(store_id or ""), iblock_id

    @classmethod
    def from_settings(cls, data_dir: str, spec: str = "bitrix24:", **kw) -> "Bitrix24Source":
        from storage.targets.settings import ExchangeSettings
        conf = ExchangeSettings(data_dir).get("bitrix24")
        if not conf.get("webhook"):
            raise StorageError("BAD_SOURCE", "bitrix24: no webhook in DATA/exchange/bitrix24.json", source="Битрикс24",
                               why="не задан вебхук")
        client = Bitrix24Client(conf["webhook"], float(conf.get("min_interval_s", 0.5)), **kw)
        return cls(client, conf.get("barcode_property", ""), conf.get("price_type", ""), conf.get("store_id", ""),
                   conf.get("iblock_id"))

    def error(self, row: int, field: str, why: Why, detail: str = "") -> StorageError:
        return StorageError("BAD_GOODS", f"Bitrix24 product {row}, field {field}: {why.name.lower()} {detail}".rstrip(),
                            source="Битрикс24", row=row, field=field, why=why)

    def _dictionary(self, method: str, key: str, flt: dict | None = None) -> list[dict]:
        out = []
        for page in self.client.list_by_id(method, key, ["*"], flt or {}):
            out += page
        return out

    def rows(self) -> Iterator[tuple[int, dict]]:
        c = self.client
        catalogs = _rows(c.call("catalog.catalog.list", {"select": ["id", "iblockId", "name", "productIblockId"]})
                         .get("result"), "catalogs")
        iblock = self.iblock_id or next((k["iblockId"] for k in catalogs if not k.get("productIblockId")), None)
        if iblock is None:
            raise c._fail("SOURCE_FAILED", "no trade catalogue (catalog.catalog.list is empty)")
        sections = {int(s["id"]): s["name"] for s in self._dictionary("catalog.section.list", "sections",
                                                                       {"iblockId": iblock})}
        vats = {int(v["id"]): v.get("rate") for v in self._dictionary("catalog.vat.list", "vats")}
        measures = {int(m["id"]): m.get("symbol") or m.get("measureTitle") or "шт"
                    for m in self._dictionary("catalog.measure.list", "measures")}
        types = self._dictionary("catalog.priceType.list", "priceTypes")
        pt = next((t for t in types if self.price_type and self.price_type in (str(t["id"]), t.get("name"))), None) \
            if self.price_type else next((t for t in types if t.get("base") == "Y"), None)
        if pt is None:
            raise c._fail("SOURCE_FAILED", f"no price type {self.price_type or 'base'} among "
                                           f"{', '.join(str(t.get('name')) for t in types)}")
        select = ["id", "iblockId", "name", "active", "iblockSectionId", "measure", "vatId", "vatIncluded", "quantity",
                  "type"] + ([self.barcode_property] if self.barcode_property else [])
        n = 0
        pages: list[list[dict]] = []
        for page in c.list_by_id("catalog.product.list", "products", select, {"iblockId": iblock}):
            pages.append(page)
            if len(pages) == BATCH:
                yield from self._emit(pages, pt, vats, measures, sections, n)
                n += sum(len(p) for p in pages)
                pages = []
        if pages:
            yield from self._emit(pages, pt, vats, measures, sections, n)

    def _emit(self, pages, pt, vats, measures, sections, n0) -> Iterator[tuple[int, dict]]:
        calls = {f"p{k}": ("catalog.price.list", {"select": ["id", "productId", "price", "currency"],
                                                   "filter": {"catalogGroupId": pt["id"],
                                                              "@productId": [p["id"] for p in page]}})
                 for k, page in enumerate(pages)}
        if self.store_id:
            calls.update({f"s{k}": ("catalog.storeproduct.list", {"select": ["id", "productId", "amount"],
                                                                   "filter": {"storeId": self.store_id,
                                                                              "@productId": [p["id"] for p in page]}})
                          for k, page in enumerate(pages)})
        res = self.client.batch(calls)
        prices = {int(r["productId"]): r for k in res if k.startswith("p") for r in _rows(res[k], "prices")}
        stock = {int(r["productId"]): r.get("amount") for k in res if k.startswith("s")
                 for r in _rows(res[k], "storeProducts")}
        n = n0
        for page in pages:
            for p in page:
                n += 1
                row = self._row(n, p, prices.get(int(p["id"])), stock, vats, measures, sections)
                if row is not None:
                    yield n, row

    def _row(self, n, p, price, stock, vats, measures, sections) -> dict | None:
        if p.get("active") == "N" or int(p.get("type") or 1) == 3 or price is None:
            return None        # archived, a parent of variations, or not priced at this type: not for sale here
        pid = int(p["id"])
        if str(price.get("currency", "BYN")).upper() not in ("BYN", "BYR", ""):
            raise self.error(pid, "price", Why.NOT_SUM, f"currency {price.get('currency')}")
        vat = _vat_key(vats.get(int(p["vatId"])) if p.get("vatId") else None)
        if vat is None:
            raise self.error(pid, "vat", Why.NOT_VAT, repr(vats.get(int(p["vatId"]))))
        amount = _money(price["price"])
        if p.get("vatIncluded") == "N" and vat not in ("none", "0"):
            # the till's prices include VAT: add it, rounded half-up to the kopeck
            amount = int((Decimal(amount) * (100 + int(vat)) / 100).quantize(Decimal(1), ROUND_HALF_UP))
        unit = str(measures.get(int(p["measure"])) if p.get("measure") else "шт")[:16] or "шт"
        barcode = None
        if self.barcode_property:
            v = p.get(self.barcode_property)
            v = v[0] if isinstance(v, list) and v else v
            v = v.get("value") if isinstance(v, dict) else v
            b = str(v or "").strip()
            barcode = b if b.isdigit() and b.isascii() and 8 <= len(b) <= 14 else None
        qty = stock.get(pid) if self.store_id else p.get("quantity")
        return {"code": str(pid), "barcode": barcode, "name": str(p.get("name", ""))[:128], "price": amount, "vat": vat,
                "unit": unit, "weighed": unit.lower() in ("кг", "kg"),
                "category": sections.get(int(p["iblockSectionId"]), "") if p.get("iblockSectionId") else "",
                "stock": None if qty is None else _qty(qty)}
