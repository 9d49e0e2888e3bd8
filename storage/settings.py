"""Requisites, working parameters, device settings and the device password, in DATA/store/settings.json."""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from typing import Any

from fiscal.documents import Requisites
from fiscal.errors import FiscalError
from fiscal.money import parse_percent
from fiscal.vat import DEFAULT_RATES
from storage.docstore import open_db
from storage.errors import StorageError
from storage.fileops import FileOps
from storage.passwords import check_password, hash_password

DEFAULT_DEVICE_PASSWORD = "1111"
_VAT_KEYS = {r.key for r in DEFAULT_RATES}


def _bad(key: str, value: object, want: str) -> StorageError:
    return StorageError("BAD_SETTING", f"parameter {key!r}: {value!r} is not {want}")


def _slides_dir_ok(value: object) -> bool:
    """A relative folder that stays inside the data dir (the slideshow must not read the whole disk)."""
    if not isinstance(value, str) or len(value) > 200 or "\0" in value or "\\" in value:
        return False
    if value == "":
        return True
    parts = value.split("/")
    return not value.startswith("/") and all(p not in ("", ".", "..") for p in parts) and ":" not in parts[0]


@dataclass(frozen=True)
class Parameters:
    """The register's working parameters (manual §2.4.2); every value is checked on construction."""

    accounting_mode: str = "differentiated"       # "differentiated" | "sum"
    printer_width: int = 42                        # 32 | 42 | 48 characters
    vat_rates: tuple[str, ...] = ("20", "10", "0", "25", "none")
    forbid_negative_stock: bool = False
    weight_prefixes: tuple[str, ...] = ("20", "21", "22", "23", "24", "25", "26", "27", "28", "29")
    offline_limit_hours: int = 72
    self_service_enabled: bool = False
    language: str = "ru"                           # "ru" | "be" | "en"
    shift_max_hours: int = 24
    receipt_footer: str = ""
    reports_target: str = ""                       # where Z reports go at shift close: a directory or ftp://…
    merge_lines: bool = True                       # the same goods again add to its line's quantity
    favourites: tuple[str, ...] = ()               # item codes on the sale screen's favourites page, in order
    discount_card_percent: str = "5"               # the receipt discount a discount card gives, percent (0.01…100)
    card_slip_merchant_copy: bool = False          # print the card slip twice: the customer's and the cashier's copy
    customer_slides_dir: str = "slides"            # the customer screen's slideshow: a folder in the data dir ("" = none)

    def __post_init__(self) -> None:
        if self.accounting_mode not in ("differentiated", "sum"):
            raise _bad("accounting_mode", self.accounting_mode, '"differentiated" or "sum"')
        if type(self.printer_width) is not int or self.printer_width not in (32, 42, 48):
            raise _bad("printer_width", self.printer_width, "32, 42 or 48")
        if (not isinstance(self.vat_rates, (tuple, list)) or not self.vat_rates
                or any(k not in _VAT_KEYS for k in self.vat_rates)):
            raise _bad("vat_rates", self.vat_rates, f"a non-empty list of {sorted(_VAT_KEYS)}")
        object.__setattr__(self, "vat_rates", tuple(self.vat_rates))
        for key in ("forbid_negative_stock", "self_service_enabled", "merge_lines", "card_slip_merchant_copy"):
            if type(getattr(self, key)) is not bool:
                raise _bad(key, getattr(self, key), "true or false")
        if (not isinstance(self.weight_prefixes, (tuple, list))
                or any(not (isinstance(p, str) and len(p) == 2 and p.isdigit()) for p in self.weight_prefixes)):
            raise _bad("weight_prefixes", self.weight_prefixes, "a list of two-digit strings")
        object.__setattr__(self, "weight_prefixes", tuple(self.weight_prefixes))
        for key, top in (("offline_limit_hours", 24 * 31), ("shift_max_hours", 24)):
            v = getattr(self, key)
            if type(v) is not int or not 1 <= v <= top:
                raise _bad(key, v, f"a whole number 1…{top}")
        if self.language not in ("ru", "be", "en"):
            raise _bad("language", self.language, '"ru", "be" or "en"')
        if (not isinstance(self.receipt_footer, str) or len(self.receipt_footer) > 240
                or len(self.receipt_footer.splitlines()) > 6):
            raise _bad("receipt_footer", self.receipt_footer, "text of at most 240 characters and 6 lines")
        if (not isinstance(self.favourites, (tuple, list)) or len(self.favourites) > 60
                or any(not (isinstance(c, str) and c) for c in self.favourites)):
            raise _bad("favourites", self.favourites, "a list of at most 60 item codes")
        object.__setattr__(self, "favourites", tuple(self.favourites))
        if not isinstance(self.reports_target, str):
            raise _bad("reports_target", self.reports_target, "a directory or ftp://user:password@host/dir")
        try:
            pct = parse_percent(self.discount_card_percent, "discount_card_percent")
        except FiscalError:
            pct = None
        if pct is None or not 1 <= pct <= 10_000:
            raise _bad("discount_card_percent", self.discount_card_percent, 'a percent 0.01…100 such as "5" or "7.5"')
        if not _slides_dir_ok(self.customer_slides_dir):
            raise _bad("customer_slides_dir", self.customer_slides_dir,
                       'a folder inside the data dir such as "slides" or "ads/summer" (no "..", not absolute), or ""')

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Parameters":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise StorageError("BAD_SETTING", f"unknown parameter {unknown[0]!r}")
        return cls(**d)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["vat_rates"], d["weight_prefixes"] = list(self.vat_rates), list(self.weight_prefixes)
        d["favourites"] = list(self.favourites)
        return d


class SettingsStore:
    """One TinyDB file with the tables requisites, parameters, devices and secrets."""

    def __init__(self, data_dir: str, ops: FileOps | None = None) -> None:
        self._db = open_db(os.path.join(data_dir, "store", "settings.json"), ops)
        # The parameters are read on every step of a sale; the data dir lock makes this process their only
        # writer, so they are read from the file once and again only after they are saved.
        self._params: Parameters | None = None

    def _get(self, table: str) -> dict | None:
        rows = self._db.table(table).all()
        return dict(rows[0]) if rows else None

    def _put(self, table: str, value: dict) -> None:
        t = self._db.table(table)
        if len(t):
            t.update(value, doc_ids=[t.all()[0].doc_id])
            removed = set(t.all()[0]) - set(value)
            if removed:
                t.truncate()
                t.insert(value)
        else:
            t.insert(value)

    def has_requisites(self) -> bool:
        return self._get("requisites") is not None

    def requisites(self) -> Requisites:
        d = self._get("requisites")
        if d is None:
            raise StorageError("NO_REQUISITES", "the register's requisites are not set yet (set-up, administrator)")
        try:
            return Requisites(**d)
        except TypeError as e:
            raise StorageError("STORE_CORRUPT", f"settings.json: requisites are malformed ({e})") from None

    def save_requisites(self, req: Requisites) -> None:
        self._put("requisites", asdict(req))

    def parameters(self) -> Parameters:
        if self._params is None:
            d = self._get("parameters")
            self._params = Parameters() if d is None else Parameters.from_dict(d)
        return self._params

    def save_parameters(self, p: Parameters) -> None:
        self._params = None
        self._put("parameters", Parameters.from_dict(p.to_dict()).to_dict())
        self._params = None

    def devices(self) -> dict:
        return self._get("devices") or {}

    def save_devices(self, devices: dict) -> None:
        if not all(isinstance(k, str) for k in devices):
            raise StorageError("BAD_SETTING", "device settings must be keyed by device name")
        t = self._db.table("devices")
        t.truncate()
        t.insert(dict(devices))

    def set_device_password(self, password: str) -> None:
        self._put("secrets", {"device_password": hash_password(password)})

    def check_device_password(self, password: str) -> bool:
        d = self._get("secrets")
        if d is None:
            return password == DEFAULT_DEVICE_PASSWORD
        return check_password(password, d["device_password"])
