"""CloudShop goods through its "Connect API v4" — an UNDOCUMENTED API (no public contract; shapes from third-party code).

What is known (external-systems brief §5, from public client code, not from CloudShop): base
https://connect-api.cloudshop.ru/api/v4, header X-CloudShop-API-Access-Token, `GET /product?limit&offset`
answering a bare array or one under `data`/`items`, a bad key answered by a 302 redirect (not
401), 429 when too fast. Fields used: id, code, sku, barcode (several, comma-separated), unit,
price (BYN as a number), tags (the first is the category), stock {storeId: qty}. The product
card carries no VAT rate, so the rate comes from the settings (`default_vat`). The screen must
say that this source depends on an undocumented API and may stop working without notice.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from storage.errors import StorageError
from storage.goods_csv import Why, parse_vat
from storage.targets.http import CONNECT_ERRORS, request

API = "https://connect-api.cloudshop.ru/api/v4"
UNDOCUMENTED = True          # shown by the screen next to the source's name
PAGE = 1000


class CloudShopSource:
    kind = "cloudshop"
    full = True
    fields = frozenset({"code", "barcode", "name", "price", "vat", "unit", "weighed", "category", "stock"})

    def __init__(self, token: str, default_vat: str, store_id: str = "", api: str = API, sleep=time.sleep) -> None:
        vat = parse_vat(str(default_vat or ""))
        if not default_vat or vat is None:
            raise StorageError("BAD_SETTING", "cloudshop: default_vat (20, 10, 0, 25 or none) must be set: the "
                               "product card has no VAT rate", key="cloudshop.default_vat")
        self.token, self.vat, self.store_id, self.api, self.sleep = token, vat, str(store_id or ""), api.rstrip("/"), sleep
        self.name = "CloudShop"

    @classmethod
    def from_settings(cls, data_dir: str) -> "CloudShopSource":
        from storage.targets.settings import ExchangeSettings
        c = ExchangeSettings(data_dir).get("cloudshop")
        if not c.get("token"):
            raise StorageError("BAD_SOURCE", "cloudshop: no token in DATA/exchange/cloudshop.json", source="CloudShop",
                               why="не задан ключ Connect API")
        return cls(c["token"], c.get("default_vat", ""), c.get("store_id", ""), c.get("api", API))

    def error(self, row: int, field: str, why: Why, detail: str = "") -> StorageError:
        return StorageError("BAD_GOODS", f"CloudShop product {row}, field {field}: {why.name.lower()} {detail}".rstrip(),
                            source="CloudShop", row=row, field=field, why=why)

    def _get(self, path: str, params: dict) -> list:
        for pause in (1, 2, 4, 8, 16, None):
            try:
                r = request("GET", f"{self.api}{path}?{urlencode(params)}", follow=False, timeout=60,
                            headers={"X-CloudShop-API-Access-Token": self.token, "Accept": "application/json"})
            except CONNECT_ERRORS as e:
                raise StorageError("TARGET_UNAVAILABLE", f"CloudShop {path}: {e}", target="CloudShop") from None
            if r.status == 429 and pause:
                self.sleep(pause)
                continue
            if r.status in (301, 302, 303, 401, 403):
                raise StorageError("TARGET_AUTH", f"CloudShop {path}: HTTP {r.status} (a bad or weak key)",
                                   target="CloudShop")
            if r.status != 200:
                raise StorageError("SOURCE_FAILED", f"CloudShop {path}: HTTP {r.status}", source="CloudShop",
                                   why=f"HTTP {r.status}")
            try:
                body = json.loads(r.body)
            except ValueError:
                raise StorageError("SOURCE_FAILED", f"CloudShop {path}: not JSON", source="CloudShop",
                                   why="ответ не JSON") from None
            rows = body if isinstance(body, list) else (body.get("data") or body.get("items") or []) \
                if isinstance(body, dict) else []
            return rows if isinstance(rows, list) else []
        raise StorageError("TARGET_BUSY", f"CloudShop {path}: still 429", target="CloudShop")

    def rows(self) -> Iterator[tuple[int, dict]]:
        offset, n = 0, 0
        while True:
            page = self._get("/product", {"limit": PAGE, "offset": offset})
            for p in page:
                n += 1
                row = self._row(n, p)
                if row is not None:
                    yield n, row
            offset += len(page)
            if len(page) < PAGE:
                return

    def _row(self, n: int, p: dict) -> dict | None:
        if not isinstance(p, dict) or p.get("price") is None:
            return None
        code = str(p.get("code") or p.get("sku") or p.get("id") or "").strip()[:32]
        barcodes = [b.strip() for b in str(p.get("barcode") or "").split(",") if b.strip()]
        barcode = next((b for b in barcodes if b.isdigit() and 8 <= len(b) <= 14), None)
        try:
            price = int((Decimal(str(p["price"])) * 100).quantize(Decimal(1), ROUND_HALF_UP))
        except ArithmeticError:
            raise self.error(n, "price", Why.NOT_SUM, repr(p.get("price"))) from None
        stock_map = p.get("stock") if isinstance(p.get("stock"), dict) else {}
        qty = stock_map.get(self.store_id) if self.store_id else (sum(v for v in stock_map.values()
                                                                      if isinstance(v, int | float)) if stock_map else None)
        unit = str(p.get("unit") or "шт")[:16]
        tags = p.get("tags") if isinstance(p.get("tags"), list) else []
        return {"code": code, "barcode": barcode, "name": str((p.get("options") or {}).get("name") or p.get("name") or "")[:128],
                "price": price, "vat": self.vat, "unit": unit, "weighed": unit.lower() in ("кг", "kg"),
                "category": str(tags[0]) if tags else "",
                "stock": None if qty is None else int((Decimal(str(qty)) * 1000).quantize(Decimal(1), ROUND_HALF_UP))}
