"""The staged import: preview of new/changed/removed, one transaction with the stock ledger, nothing half-applied."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage.catalog import Catalog
from storage.catalog_items import Item
from storage.errors import StorageError
from storage.goods_csv import CsvSource
from storage.goods_import import import_goods, stage
from storage.journal import Journal
from storage.stock import StockLedger

ROOT = Path(__file__).resolve().parents[2]
MILK = Item("1", "4810000000017", "Молоко", 249, "10", 10_000, category="Молочные")
BREAD = Item("2", "4810000000024", "Хлеб", 120, "10", None)
CAKE = Item("3", None, "Торт", 1500, "20", 2_000)


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    c = Catalog(str(d))
    for i in (MILK, BREAD, CAKE):
        c.add(i)
    return str(d)


def csv_file(tmp_path, text, name="g.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return CsvSource(str(p))


def test_the_preview_counts_new_changed_removed_and_changes_nothing(tmp_path, data):
    src = csv_file(tmp_path, "Код;Наименование;Цена;НДС;Остаток\n1;Молоко;2.59;10;10\n2;Хлеб;1.20;10;\n4;Сок;3.10;20;5\n")
    staged = stage(data, src)
    p = staged.preview
    assert (p.total, p.new, p.changed, p.removed, p.unchanged) == (3, 1, 1, 1, 1)
    assert {(c.kind, c.code) for c in p.samples} == {("new", "4"), ("changed", "1"), ("removed", "3")}
    assert p.line() == "imported 3 items (1 new, 1 changed, 1 removed)"
    assert Catalog(data).items() == [MILK, BREAD, CAKE]
    staged.discard()
    assert not list(Path(data).glob(".goods-staging-*"))


def test_apply_changes_items_and_stock_together_and_keeps_fields_the_file_lacks(tmp_path, data):
    src = csv_file(tmp_path, "Код;Наименование;Цена;НДС;Остаток\n1;Молоко 3,2%;2.59;10;7\n2;Хлеб;1.20;10;\n4;Сок;3.10;20;5\n")
    result = import_goods(data, src)
    assert result.line() == "imported 3 items (1 new, 1 changed, 1 removed)"
    c = Catalog(data, ledger=StockLedger(os.path.join(data, "journal.sqlite")))
    milk = c.by_code("1")
    assert (milk.name, milk.price, milk.stock, milk.barcode, milk.category) == ("Молоко 3,2%", 259, 7000,
                                                                               MILK.barcode, "Молочные")
    assert c.by_code("3") is None and c.by_code("4").stock == 5000 and c.by_code("4").unit == "шт"
    assert StockLedger(os.path.join(data, "journal.sqlite")).levels() == {"1": 7000, "4": 5000}
    assert c.search("сок") == [c.by_code("4")]


def test_keep_missing_adds_and_replaces_only(tmp_path, data):
    src = csv_file(tmp_path, "code,name,price,vat\n4,Сок,3.10,20\n")
    assert import_goods(data, src, remove_missing=False).line() == "imported 1 items (1 new, 0 changed, 0 removed)"
    assert len(Catalog(data)) == 4


def test_a_dry_run_applies_nothing(tmp_path, data):
    src = csv_file(tmp_path, "code,name,price,vat\n4,Сок,3.10,20\n")
    assert import_goods(data, src, dry_run=True).line() == "imported 1 items (1 new, 0 changed, 3 removed)"
    assert Catalog(data).items() == [MILK, BREAD, CAKE]


@pytest.mark.parametrize("text,row,field", [
    ("code;name;price;vat\n5;А;1;20\n6;Б;1;20\n5;В;1;20\n", 4, "code"),
    ("code;name;price;vat;barcode\n5;А;1;20;4810000000109\n6;Б;1;20;4810000000109\n", 3, "barcode"),
    ("code;name;price\n1;Молоко;2.49\n9;Новый;1.00\n", 3, "vat"),
])
def test_cross_row_problems_name_the_row_and_nothing_changes(tmp_path, data, text, row, field):
    with pytest.raises(StorageError) as e:
        import_goods(data, csv_file(tmp_path, text))
    assert e.value.code == "BAD_CSV" and (e.value.params["row"], e.value.params["field"]) == (row, field)
    assert Catalog(data).items() == [MILK, BREAD, CAKE]


def test_a_barcode_of_a_kept_item_cannot_be_taken(tmp_path, data):
    with pytest.raises(StorageError) as e:
        import_goods(data, csv_file(tmp_path, f"code;name;price;vat;barcode\n9;Х;1;20;{MILK.barcode}\n"),
                     remove_missing=False)
    assert e.value.params["field"] == "barcode" and e.value.params["row"] == 2


def test_barcodes_may_swap_between_items_in_one_import(tmp_path, data):
    text = f"code;name;price;vat;barcode\n1;Молоко;2.49;10;{BREAD.barcode}\n2;Хлеб;1.20;10;{MILK.barcode}\n"
    import_goods(data, csv_file(tmp_path, text), remove_missing=False)
    assert Catalog(data).by_barcode(MILK.barcode).code == "2"


def test_an_import_is_refused_while_a_receipt_is_open(tmp_path, data):
    with Journal(os.path.join(data, "journal.sqlite")) as j:
        j.save_draft({"lines": [{"code": "1"}]})
    staged_src = csv_file(tmp_path, "code,name,price,vat\n4,Сок,3.10,20\n")
    with pytest.raises(StorageError) as e:
        import_goods(data, staged_src)
    assert e.value.code == "RECEIPT_OPEN"
    with Journal(os.path.join(data, "journal.sqlite")) as j:
        j.save_draft(None)
    assert import_goods(data, staged_src).new == 1


def test_progress_is_reported_for_every_phase(tmp_path, data):
    seen = []
    import_goods(data, csv_file(tmp_path, "code,name,price,vat\n4,Сок,3.10,20\n"),
                 progress=lambda phase, done, total: seen.append(phase))
    assert {"read", "check", "apply"} <= set(seen)


def test_sigkill_in_the_middle_of_apply_leaves_the_old_catalog_whole(tmp_path, data):
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8") as f:
        f.write("code;barcode;name;price;vat;stock\n")
        for n in range(120_000):
            f.write(f"{n + 10};{4810000100000 + n};Товар {n};{1 + n % 90}.{n % 100:02d};20;{n % 50}\n")
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("import_child.py")), data, str(big),
                              str(ROOT)], stdout=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    assert line.startswith("apply "), line
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    db = sqlite3.connect(os.path.join(data, "journal.sqlite"))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert Catalog(data).items() == [MILK, BREAD, CAKE]
    assert StockLedger(os.path.join(data, "journal.sqlite")).levels() == {"1": 10_000, "3": 2_000}
    # the next import is not blocked by what the killed one left behind
    assert import_goods(data, csv_file(tmp_path, "code,name,price,vat\n4,Сок,3.10,20\n")).total == 1


def test_the_facade_previews_a_commerceml_folder_then_applies_or_discards(tmp_path, data):
    from storage.goods_exchange import preview_import
    fix = Path(__file__).with_name("fixtures") / "commerceml" / "offers_barcodes"
    staged = preview_import(data, str(fix), remove_missing=False)
    assert (staged.preview.format, staged.preview.new, staged.preview.removed) == ("commerceml", 3, 0)
    assert len(Catalog(data)) == 3
    staged.discard()
    staged = preview_import(data, str(fix), remove_missing=False)
    assert staged.apply().new == 3 and len(Catalog(data)) == 6
    with pytest.raises(StorageError) as e:            # ut11's milk has the barcode of the milk we keep
        preview_import(data, str(fix.with_name("ut11")), remove_missing=False)
    assert e.value.code == "BAD_GOODS" and e.value.params["field"] == "barcode"
    assert not list(Path(data).glob(".goods-*"))


def test_new_items_take_the_marking_defaults_of_their_category(tmp_path, data):
    Catalog(data).add_category("Молочные", marking="si", marking_policy="optional")
    import_goods(data, csv_file(tmp_path, "code;name;price;vat;category\n9;Кефир;1.90;10;Молочные\n"),
                 remove_missing=False)
    kefir = Catalog(data).by_code("9")
    assert (kefir.marking, kefir.marking_policy) == ("si", "optional") and Catalog(data).by_code("1").marking == "none"
