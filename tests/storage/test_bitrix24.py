"""Bitrix24 goods through the webhook against the simulator: sections, base prices, VAT, units, stock, barcode, limits."""
from __future__ import annotations

import pytest

from sim.bitrix24 import Bitrix24Sim
from storage.bitrix24 import Bitrix24Client, Bitrix24Source
from storage.catalog import Catalog
from storage.errors import StorageError
from storage.goods_import import import_goods
from storage.targets import ExchangeSettings


def fill(sim: Bitrix24Sim, n: int) -> None:
    sim.add("catalogs", id=1, iblockId=23, name="Торговый каталог", productIblockId=None)
    sim.add("catalogs", id=2, iblockId=24, name="Предложения", productIblockId=23)
    sim.add("sections", id=10, iblockId=23, iblockSectionId=None, name="Продукты")
    sim.add("sections", id=11, iblockId=23, iblockSectionId=10, name="Молочные")
    for vid, rate in ((1, None), (2, 0), (3, 10), (4, 20)):
        sim.add("vats", id=vid, name=f"НДС {rate}", rate=rate, active="Y")
    sim.add("measures", id=5, code=796, measureTitle="Штука", symbol="шт", isDefault="Y")
    sim.add("measures", id=6, code=166, measureTitle="Килограмм", symbol="кг", isDefault="N")
    sim.add("priceTypes", id=1, name="BASE", base="Y")
    sim.add("priceTypes", id=2, name="Оптовая", base="N")
    sim.add("stores", id=1, title="Магазин №1", active="Y")
    for i in range(1, n + 1):
        sim.add("products", id=100 + i, iblockId=23, name=f"Товар {i}", active="N" if i == 7 else "Y",
                iblockSectionId=11 if i % 2 else 10, measure=6 if i % 10 == 0 else 5, vatId=3 if i % 3 else 4,
                vatIncluded="Y", quantity=i, type=3 if i == 8 else 1,
                property45={"valueId": str(900 + i), "value": str(4810000000000 + i)})
        sim.add("prices", id=i, productId=100 + i, catalogGroupId=1, price=round(1 + i * 0.37, 2), currency="BYN")
        sim.add("prices", id=10_000 + i, productId=100 + i, catalogGroupId=2, price=1.0, currency="BYN")
        sim.add("storeProducts", id=i, productId=100 + i, storeId=1, amount=i * 2, quantityReserved=0)


@pytest.fixture
def portal():
    sim = Bitrix24Sim()
    fill(sim, 130)
    sim.start()
    yield sim
    sim.stop()


def source(sim, **kw):
    return Bitrix24Source(Bitrix24Client(sim.webhook, min_interval_s=0, backoff_s=0.02), barcode_property="45", **kw)


def test_goods_come_with_sections_base_prices_vat_units_and_the_chosen_barcode_property(portal):
    got = {v["code"]: v for _, v in source(portal).rows()}
    assert len(got) == 128 and "107" not in got and "108" not in got          # inactive and a parent left out
    one, ten = got["101"], got["110"]
    assert (one["name"], one["price"], one["vat"], one["unit"], one["category"], one["barcode"], one["stock"]) == \
        ("Товар 1", 137, "10", "шт", "Молочные", "4810000000001", 1000)
    assert ten["unit"] == "кг" and ten["weighed"] and ten["category"] == "Продукты" and got["103"]["vat"] == "20"


def test_stock_of_the_configured_store_and_another_price_type(portal):
    got = {v["code"]: v for _, v in source(portal, store_id="1", price_type="Оптовая").rows()}
    assert got["105"]["stock"] == 10_000 and got["105"]["price"] == 100


def test_the_rate_limit_is_honoured_by_backing_off(portal):
    portal.bucket_size, portal.drain_per_s = 4, 40.0
    src = source(portal)
    assert len(list(src.rows())) == 128
    assert portal.limited > 0 and src.client.waits


def test_an_import_from_the_settings_in_one_transaction(tmp_path, portal):
    ExchangeSettings(str(tmp_path)).put("bitrix24", {"webhook": portal.webhook, "barcode_property": "property45",
                                                     "min_interval_s": 0})
    r = import_goods(str(tmp_path), Bitrix24Source.from_settings(str(tmp_path)))
    assert r.line() == "imported 128 items (128 new, 0 changed, 0 removed)"
    assert Catalog(str(tmp_path)).by_barcode("4810000000002").name == "Товар 2"


def test_a_wrong_webhook_is_a_sign_in_refusal_without_its_code(portal):
    bad = Bitrix24Client(portal.webhook.replace(portal.secret, "wr0ngc0de"), min_interval_s=0)
    with pytest.raises(StorageError) as e:
        list(Bitrix24Source(bad).rows())
    assert e.value.code == "TARGET_AUTH" and "wr0ngc0de" not in e.value.detail
    with pytest.raises(StorageError) as e:
        Bitrix24Client("https://portal.example/catalog")
    assert e.value.code == "BAD_SETTING"
