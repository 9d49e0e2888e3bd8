"""Building a working register: from a `setup` (scenario or demo) on simulated devices, or from config on real ones."""
from __future__ import annotations

from pathlib import Path

from fiscal.documents import Requisites
from fiscal.identifiers import ean_check_digit
from fiscal.money import parse_money, parse_qty
from fsm.clock import Clock, SimClock
from fsm.till import Till
from storage.catalog import Catalog
from storage.catalog_items import Item, Section
from storage.settings import SettingsStore
from storage.users import UserStore
from zpos.wiring import open_devices


def ean13(body12: str) -> str:
    return body12 + str(ean_check_digit(body12))


DEMO_REQUISITES = {"org_name": "ООО «Ромашка»", "unp": "191234563", "ksa_number": "123456789",
                   "shop_name": "Магазин «Ромашка» №1", "shop_address": "г. Минск, ул. Притыцкого, 29"}

# code, barcode body (12 digits) or None, name, price, vat, stock, weighed, category
_DEMO_GOODS = (
    ("1", "481000000001", "Хлеб «Нарочанский» нарезной 0,5 кг", "1.89", "10", "40.000", False, "Хлеб"),
    ("2", "481000000002", "Молоко «Савушкин» 3,2% 1 л", "2.49", "10", "60.000", False, "Молочные"),
    ("3", "481000000003", "Кефир «Бабушкина крынка» 2,5% 1 л", "2.35", "10", "30.000", False, "Молочные"),
    ("4", "481000000004", "Сыр «Брест-Литовск» классический 200 г", "6.79", "10", "25.000", False, "Молочные"),
    ("5", "481000000005", "Масло сливочное «Любимое» 82,5% 180 г", "4.99", "10", "20.000", False, "Молочные"),
    ("6", "481000000006", "Вода «Дарида» негазированная 1,5 л", "1.29", "20", "100.000", False, "Напитки"),
    ("7", "481000000007", "Сок «Сочный» яблочный 1 л", "2.89", "20", "35.000", False, "Напитки"),
    ("8", "481000000008", "Шоколад «Коммунарка» горький 90 г", "3.49", "20", "50.000", False, "Сладости"),
    ("9", "481000000009", "Конфеты «Аленка» 250 г", "5.59", "20", "15.000", False, "Сладости"),
    ("10", None, "Яблоки «Антоновка», кг", "2.99", "10", "80.000", True, "Фрукты и овощи"),
    ("11", None, "Бананы, кг", "4.39", "10", "60.000", True, "Фрукты и овощи"),
    ("12", None, "Картофель молодой, кг", "1.49", "10", "120.000", True, "Фрукты и овощи"),
    ("13", "481000000013", "Пакет-майка большой", "0.25", "20", "500.000", False, "Разное"),
    ("14", "481000000014", "Батарейка АА щелочная, 2 шт.", "3.90", "20", "24.000", False, "Разное"),
)

DEMO_SETUP = {
    "mode": "differentiated",
    "requisites": DEMO_REQUISITES,
    "users": [{"login": "ivanova", "name": "Иванова А.С.", "password": "2580", "role": "cashier", "cashier_id": "101"},
              {"login": "petrov", "name": "Петров И.Н.", "password": "3691", "role": "cashier", "cashier_id": "102"}],
    "catalog": [{"code": c, "barcode": ean13(b) if b else None, "name": n, "price": p, "vat": v, "stock": s,
                 "weighed": w, "category": cat} for c, b, n, p, v, s, w, cat in _DEMO_GOODS],
    "sections": [{"code": 1, "name": "Продукты", "vat": "10"}, {"code": 2, "name": "Непродовольственные товары", "vat": "20"},
                 {"code": 3, "name": "Услуги", "vat": "20"}],
    "sko": {"pin": "123456"},
    "admin_password": "7395",
}


class SetupError(ValueError):
    """A setup block that cannot be applied; the message names the key and value."""


def apply_setup(data_dir: Path, setup: dict) -> None:
    """Write a scenario's or the demo's set-up into a fresh data directory."""
    allowed = {"mode", "requisites", "users", "catalog", "sections", "sko", "admin_password", "parameters",
               "device_password", "printer_width", "marking"}
    unknown = sorted(set(setup) - allowed)
    if unknown:
        raise SetupError(f"setup: unknown key {unknown[0]!r}")
    settings = SettingsStore(str(data_dir))
    req = {**DEMO_REQUISITES, **setup.get("requisites", {})}
    settings.save_requisites(Requisites(**{k: str(v) for k, v in req.items()}))
    params = settings.parameters()
    extra = dict(setup.get("parameters", {}))
    if "mode" in setup:
        extra["accounting_mode"] = setup["mode"]
    if "printer_width" in setup:
        extra["printer_width"] = setup["printer_width"]
    if extra:
        from storage.settings import Parameters
        settings.save_parameters(Parameters.from_dict({**params.to_dict(), **extra}))
    if "device_password" in setup:
        settings.set_device_password(str(setup["device_password"]))
    users = UserStore(str(data_dir))
    for u in setup.get("users", []):
        users.add(u["login"], u.get("name") or u["login"], u.get("role", "cashier"), str(u.get("cashier_id", "")),
                  str(u["password"]))
    if "admin_password" in setup:
        users.set_password("admin", str(setup["admin_password"]))
    catalog = Catalog(str(data_dir))
    for row in setup.get("catalog", []):
        catalog.add(Item(code=str(row["code"]), barcode=row.get("barcode"), name=row["name"],
                         price=parse_money(str(row["price"]), "price", exact=False), vat=str(row.get("vat", "20")),
                         stock=parse_qty(str(row["stock"]), "stock", exact=False) if row.get("stock") is not None else None,
                         weighed=bool(row.get("weighed", False)), category=str(row.get("category", "")),
                         unit=str(row.get("unit") or ("кг" if row.get("weighed") else "шт")),
                         section=row.get("section"), marking=str(row.get("marking", "none")),
                         marking_policy=str(row.get("marking_policy", "required"))))
    for sec in setup.get("sections", []):
        catalog.set_section(Section(int(sec["code"]), str(sec["name"]), str(sec.get("vat", "none"))))
    if "marking" in setup:   # the administrator's marking rules: {categories: {name: group id | {marking, policy}}, ...}
        from storage.marking_settings import save_override
        save_override(str(data_dir), dict(setup["marking"]))


def sim_options_for(setup: dict):
    from sim.hub import SimOptions
    req = {**DEMO_REQUISITES, **setup.get("requisites", {})}
    return SimOptions(org_name=req["org_name"], unp=req["unp"], ksa_number=req["ksa_number"],
                      pin=str(setup.get("sko", {}).get("pin", "123456")),
                      printer_columns=int(setup.get("printer_width", 42)))


def build_sim_register(data_dir: Path, setup: dict | None = None, clock: Clock | None = None,
                       hub=None, sleep=None) -> tuple[Till, object]:
    """A register on simulated devices. A fresh data dir gets `setup` (the demo's when None); the
    simulators keep their state under DATA/sim, so a second call on the same dir goes on from there."""
    from sim.hub import SimHub
    data_dir = Path(data_dir)
    fresh = not (data_dir / "journal.sqlite").exists() and not (data_dir / "store").exists()
    setup = DEMO_SETUP if setup is None else setup
    data_dir.mkdir(parents=True, exist_ok=True)
    if fresh:
        apply_setup(data_dir, setup)
    clock = clock or SimClock()
    if hub is None:
        options = sim_options_for(setup)
        options.sko_clock = clock.now        # the SKO keeps its own clock: in a scenario it is the scenario's
        hub = SimHub(data_dir / "sim", options).start()
    devices = open_devices(hub.device_config())
    kw = {"sleep": sleep} if sleep else {}
    till = Till(data_dir, devices, clock, **kw)
    return till, hub


def reopen(till: Till, hub, clock: Clock, crash=None, sleep=None) -> Till:
    """After a power loss: drop the old till without a clean shutdown, start a new one on the same data."""
    key = till.journal_public_key()
    try:
        till.devices.close()
        till.close()
    except Exception:  # a "dead" process does not close anything cleanly; we only free file handles
        pass
    devices = open_devices(hub.device_config(), key)
    kw = {"sleep": sleep} if sleep else {}
    return Till(till.data_dir, devices, clock, crash=crash, **kw)
