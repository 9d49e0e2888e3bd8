"""CommerceML 2 from 1C-like exports: nested groups, both barcode placements, price types, VAT, stock, zip, delta."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from storage.catalog import Catalog
from storage.commerceml import CommerceMLSource
from storage.errors import StorageError
from storage.goods_import import import_goods
from storage.targets import ExchangeSettings

FIX = Path(__file__).with_name("fixtures") / "commerceml"


def test_an_ut11_style_pair_gives_goods_with_retail_prices_vat_units_and_stock():
    src = CommerceMLSource(str(FIX / "ut11"))
    got = {v["code"]: v for _, v in src.rows()}
    assert set(got) == {"M-32", "CH-45", "B-01", "S-DELIVERY"}          # the deleted good is left out
    assert src.price_type_used == "Розничная" and src.full
    milk = got["M-32"]
    assert (milk["barcode"], milk["price"], milk["vat"], milk["unit"], milk["stock"], milk["category"]) == \
        ("4810000000017", 249, "10", "шт", 40_000, "Молочная продукция")
    cheese = got["CH-45"]
    assert cheese["barcode"] == "2000001000007"            # from ЗначенияРеквизитов «Штрихкод»
    assert cheese["weighed"] and cheese["price"] == 1891 and cheese["stock"] == 12_345 and cheese["category"] == "Сыры"
    assert got["B-01"]["barcode"] == "4810000000024"       # <ШтрихКод> spelling
    assert got["S-DELIVERY"]["vat"] == "none" and got["S-DELIVERY"]["stock"] is None


def test_barcodes_in_the_offers_and_variants_become_their_own_items():
    src = CommerceMLSource(str(FIX / "offers_barcodes"))
    got = {v["name"]: v for _, v in src.rows()}
    black, grey = got["Носки мужские (черные, 42)"], got["Носки мужские (серые, 43)"]
    assert black["barcode"] == "4810000000109" and grey["barcode"] == "4810000000116"
    assert black["code"].startswith("N-100-") and black["code"] != grey["code"]
    assert black["category"] == "Носки" and black["price"] == 450 and black["stock"] == 10_000
    assert src.price_type_used == "Базовая"
    juice = got["Сок яблочный 1 л"]
    assert juice["code"] == "a3c5e7f911114a2b9c3d000000000202" and juice["stock"] == 7_500


def test_the_price_type_is_chosen_by_name_or_id_from_the_settings(tmp_path):
    ExchangeSettings(str(tmp_path)).put("commerceml", {"price_type": "Акция"})
    got = {v["name"]: v["price"] for _, v in CommerceMLSource(str(FIX / "offers_barcodes"), data_dir=str(tmp_path)).rows()}
    assert got["Сок яблочный 1 л"] == 299 and "Носки мужские (серые, 43)" not in got     # no Акция price: not on sale
    got = {v["code"]: v["price"] for _, v in CommerceMLSource(str(FIX / "ut11"),
                                                               price_type="e0a1b2c3-8f2b-11ef-b8c4-005056a1c300").rows()}
    assert got["M-32"] == 210
    with pytest.raises(StorageError) as e:
        list(CommerceMLSource(str(FIX / "ut11"), price_type="Нет такой").rows())
    assert e.value.code == "BAD_SOURCE" and "Розничная" in e.value.detail


def test_a_zip_as_1c_sends_it_imports_in_one_transaction(tmp_path):
    z = tmp_path / "v8_2C7E_125d5b.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.write(FIX / "ut11" / "import.xml", "import0_1.xml")
        f.write(FIX / "ut11" / "offers.xml", "offers0_1.xml")
    data = tmp_path / "data"
    data.mkdir()
    r = import_goods(str(data), CommerceMLSource(str(z)))
    assert r.line() == "imported 4 items (4 new, 0 changed, 0 removed)"
    c = Catalog(str(data))
    assert c.by_barcode("2000001000007").name == "Сыр «Российский» 45%" and c.by_code("CH-45").unit == "кг"


def test_a_delta_package_removes_nothing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    import_goods(str(data), CommerceMLSource(str(FIX / "ut11")))
    delta = tmp_path / "delta"
    shutil.copytree(FIX / "offers_barcodes", delta)
    for name in ("import.xml", "offers.xml"):
        p = delta / name
        p.write_text(p.read_text(encoding="utf-8").replace('СодержитТолькоИзменения="false"',
                                                           'СодержитТолькоИзменения="true"'), encoding="utf-8")
    r = import_goods(str(data), CommerceMLSource(str(delta)))
    assert (r.new, r.removed) == (3, 0) and len(Catalog(str(data))) == 7


@pytest.mark.parametrize("payload,words", [
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><КоммерческаяИнформация>&a;</КоммерческаяИнформация>', "DTD"),
    ("<КоммерческаяИнформация><Каталог>", "well-formed"),
])
def test_dtds_entities_and_broken_xml_are_refused_plainly(tmp_path, payload, words):
    (tmp_path / "import.xml").write_text(payload, encoding="utf-8")
    (tmp_path / "offers.xml").write_text("<КоммерческаяИнформация/>", encoding="utf-8")
    with pytest.raises(StorageError) as e:
        list(CommerceMLSource(str(tmp_path)).rows())
    assert e.value.code == "BAD_SOURCE" and words in e.value.detail


def test_a_foreign_currency_names_the_entry(tmp_path):
    shutil.copytree(FIX / "ut11", tmp_path / "x")
    p = tmp_path / "x" / "offers.xml"
    p.write_text(p.read_text(encoding="utf-8").replace("<Валюта>BYN</Валюта>\n\t\t\t\t\t\t<Единица>шт</Единица>",
                                                       "<Валюта>USD</Валюта>\n\t\t\t\t\t\t<Единица>шт</Единица>"),
                 encoding="utf-8")
    with pytest.raises(StorageError) as e:
        list(CommerceMLSource(str(tmp_path / "x")).rows())
    assert e.value.code == "BAD_GOODS" and e.value.params["row"] == 1 and e.value.params["field"] == "price"


def test_an_exported_pair_imports_back_to_the_same_catalog(tmp_path):
    from storage.catalog_items import Item
    from storage.goods_export import export_goods
    a = tmp_path / "a"
    a.mkdir()
    c = Catalog(str(a))
    c.put_many([Item("1", "4810000000017", "Молоко <3,2%> & сливки", 249, "10", 40_000, False, "Молочные"),
                Item("2", None, "Сыр", 1891, "none", None, True, "", None, "кг")])
    (tmp_path / "out").mkdir()
    assert export_goods(str(a), str(tmp_path / "out" / "goods.zip")) == 2
    b = tmp_path / "b"
    b.mkdir()
    import_goods(str(b), CommerceMLSource(str(tmp_path / "out" / "goods.zip")))
    assert Catalog(str(b)).items() == c.items()
