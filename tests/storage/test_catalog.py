"""The catalog: SQLite tables, name search index, Cyrillic search, edits written back, CSV import all-or-nothing."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.catalog import Catalog, Item, Section
from storage.catalog_csv import parse_csv
from storage.errors import StorageError
from storage.goods_import import import_csv, import_csv_text

MILK = Item("1001", "4810000000011", "Молоко 3,2% 1 л", 249, "10", 10_000, False, "Молочные", 1)
HEDGEHOG = Item("1002", None, "Печенье «Ёжик»", 180, "20", None, False, "Сладости", None)
APPLES = Item("2001", "2000001000007", "Яблоки", 399, "10", 5_500, True, "Фрукты", None)


@pytest.fixture
def catalog(tmp_path):
    c = Catalog(str(tmp_path))
    for i in (MILK, HEDGEHOG, APPLES):
        c.add(i)
    return c


def test_lookups_by_code_barcode_and_category(catalog):
    assert catalog.by_code("1002") == HEDGEHOG
    assert catalog.by_barcode("4810000000011") == MILK
    assert catalog.by_barcode("0000000000000") is None
    assert catalog.in_category("Фрукты") == [APPLES]
    assert catalog.categories() == ["Молочные", "Сладости", "Фрукты"]


def test_name_search_ignores_case_and_treats_yo_as_ye(catalog):
    assert catalog.search("ЕЖИК") == [HEDGEHOG]
    assert catalog.search("молоко") == [MILK]
    assert [i.code for i in catalog.search("К")] == ["1001", "1002", "2001"]
    assert catalog.search("к", limit=2) == [MILK, HEDGEHOG]
    assert catalog.search("   ") == []


def test_edits_are_written_back_and_seen_after_reload(tmp_path, catalog):
    catalog.update(Item("1001", "4810000000011", "Молоко 2,5%", 239, "10", 10_000, False, "Молочные", 1))
    catalog.delete("2001")
    catalog.adjust_stock("1001", -1_500)
    again = Catalog(str(tmp_path))
    assert again.by_code("1001").name == "Молоко 2,5%" and again.by_code("1001").stock == 8_500
    assert again.by_code("2001") is None and again.search("2,5") == [again.by_code("1001")]


def test_stock_of_untracked_items_is_left_alone(catalog):
    assert catalog.adjust_stock("1002", -1000).stock is None


def test_duplicates_and_bad_fields_are_refused(catalog):
    with pytest.raises(StorageError) as e:
        catalog.add(MILK)
    assert e.value.code == "DUPLICATE_CODE"
    with pytest.raises(StorageError) as e:
        catalog.add(Item("3000", MILK.barcode, "Другое", 100, "20"))
    assert e.value.code == "DUPLICATE_BARCODE"
    with pytest.raises(StorageError) as e:
        catalog.add(Item("3000", None, "Другое", 100, "18"))
    assert e.value.code == "BAD_ITEM" and "vat" in e.value.detail


def test_categories_and_sections_are_renamed(tmp_path, catalog):
    catalog.rename_category("Фрукты", "Фрукты и овощи")
    catalog.set_section(Section(1, "Продукты", "10"))
    catalog.rename_section(1, "Бакалея")
    again = Catalog(str(tmp_path))
    assert again.by_code("2001").category == "Фрукты и овощи"
    assert again.sections() == [Section(1, "Бакалея", "10")]


def test_delete_all_goods_keeps_sections(tmp_path, catalog):
    catalog.set_section(Section(3, "Услуги"))
    catalog.delete_all()
    again = Catalog(str(tmp_path))
    assert len(again) == 0 and again.categories() == [] and again.sections() == [Section(3, "Услуги", "none")]


def test_csv_round_trip(tmp_path, catalog):
    out = tmp_path / "goods.csv"
    assert catalog.export_csv(str(out)) == 3
    fresh = Catalog(str(tmp_path / "other"))
    assert import_csv(str(tmp_path / "other"), str(out)) == 3
    assert fresh.items() == catalog.items()


def test_a_bad_csv_row_is_named_and_nothing_is_imported(tmp_path, catalog):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("code,barcode,name,price,vat,stock,weighed,category,section\n"
                        "5001,,Хлеб,1.20,10,,0,Хлеб,\n"
                        "5002,,Батон,1,2O,10,,0,Хлеб,\n", encoding="utf-8")
    with pytest.raises(StorageError) as e:
        import_csv(str(tmp_path), str(csv_file))
    assert e.value.code == "BAD_CSV" and "row 3" in e.value.detail
    assert catalog.by_code("5001") is None and len(Catalog(str(tmp_path))) == 3


def test_a_wrong_price_names_the_field(tmp_path, catalog):
    with pytest.raises(StorageError) as e:
        import_csv_text(str(tmp_path), "code,barcode,name,price,vat,stock,weighed,category,section\n"
                            "5001,,Хлеб,1.2.3,10,,0,Хлеб,\n")
    assert "row 2, field price" in e.value.detail


def test_a_corrupt_old_json_catalog_is_reported_not_emptied(tmp_path):
    path = tmp_path / "store" / "catalog.json"
    path.parent.mkdir()
    path.write_bytes(b'{"items": {"1": {"code": "1", "na')
    with pytest.raises(StorageError) as e:
        Catalog(str(tmp_path))
    assert e.value.code == "STORE_CORRUPT" and "archive" in e.value.detail
    assert path.read_bytes() == b'{"items": {"1": {"code": "1", "na'


def test_an_old_json_catalog_is_moved_into_the_tables_once_with_the_ledger_winning(tmp_path):
    from storage.catalog_items import item_to_json
    from storage.stock import StockLedger
    path = tmp_path / "store" / "catalog.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"items": {"1": item_to_json(MILK), "2": item_to_json(HEDGEHOG)},
                                "sections": {"2": {"code": 1, "name": "Продукты", "vat": "10"}},
                                "categories": {"1": {"name": "Пустая"}}}, ensure_ascii=False), encoding="utf-8")
    ledger = StockLedger(tmp_path / "journal.sqlite")
    ledger.set_many({"1001": 7_000})
    c = Catalog(str(tmp_path), ledger=ledger)
    assert c.by_code("1001").stock == 7_000 and c.by_code("1002") == HEDGEHOG
    assert c.sections() == [Section(1, "Продукты", "10")] and "Пустая" in c.categories()
    assert not path.exists() and (tmp_path / "store" / "catalog.json.migrated").exists()
    assert Catalog(str(tmp_path)).by_code("1001").unit == "шт"


def test_an_item_keeps_unit_and_marking(tmp_path):
    c = Catalog(str(tmp_path))
    c.add(Item("7", "4810000000073", "Сыр", 1500, "10", None, True, "Сыры", None, "кг", "si", "optional"))
    again = Catalog(str(tmp_path)).by_code("7")
    assert (again.unit, again.marking, again.marking_policy, again.weighed) == ("кг", "si", "optional", True)
    with pytest.raises(StorageError) as e:
        c.add(Item("8", None, "Х", 1, "10", marking="qr"))
    assert "marking" in e.value.detail


HEADER = "code,barcode,name,price,vat,stock,weighed,category,section\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(alphabet=st.sampled_from(list("0123456789,.\n\"-абвАБВёЁ xy")), max_size=200))
def test_arbitrary_csv_is_either_all_in_or_refused_with_nothing_changed(tmp_path_factory, body):
    path = str(tmp_path_factory.mktemp("cat"))
    c = Catalog(path)
    c.add(MILK)
    before = Catalog(path).items()
    try:
        n = import_csv_text(c._data_dir, HEADER + body)
    except StorageError as e:
        assert e.code == "BAD_CSV" and "row" in e.detail
        assert Catalog(path).items() == before == c.items()
    else:
        reloaded = Catalog(path)
        assert n == len(parse_csv(HEADER + body))
        assert all(reloaded.by_code(i.code) == i for i in parse_csv(HEADER + body))


def test_a_change_made_through_another_connection_is_seen_at_once(tmp_path, catalog):
    from storage.goods_csv import CsvSource
    from storage.goods_import import import_goods
    assert catalog.in_category("Фрукты") == [APPLES] and catalog.search("груш") == []
    f = tmp_path / "g.csv"
    f.write_text("code;name;price;vat;category\n2002;Груши;4.50;10;Фрукты\n", encoding="utf-8")
    import_goods(str(tmp_path), CsvSource(str(f)), remove_missing=False)
    assert [i.code for i in catalog.in_category("Фрукты")] == ["2001", "2002"]
    assert [i.code for i in catalog.search("груш")] == ["2002"] and len(catalog) == 4
