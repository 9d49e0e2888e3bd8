"""Stock levels in the SQLite ledger beside the items: a sale updates a row; edits mirror into it."""
from dataclasses import replace

from storage.catalog import Catalog
from storage.catalog_items import Item
from storage.stock import StockLedger


def catalog_with(tmp_path, ledger):
    c = Catalog(str(tmp_path), ledger=ledger)
    c.add(Item("1", None, "Хлеб", 120, "10", stock=5000))
    c.add(Item("2", None, "Услуга", 500, "20"))
    return c


def test_a_sale_moves_stock_without_touching_the_items(tmp_path):
    ledger = StockLedger(tmp_path / "journal.sqlite")
    c = catalog_with(tmp_path, ledger)
    before = ledger.connection.execute("SELECT rowid, * FROM items ORDER BY rowid").fetchall()
    c.adjust_stock_many({"1": -2000, "2": -1000})
    assert ledger.connection.execute("SELECT rowid, * FROM items ORDER BY rowid").fetchall() == before
    assert c.by_code("1").stock == 3000 and c.by_code("2").stock is None
    assert ledger.levels() == {"1": 3000}


def test_stock_moves_are_seen_after_reload(tmp_path):
    ledger = StockLedger(tmp_path / "journal.sqlite")
    c = catalog_with(tmp_path, ledger)
    c.adjust_stock("1", -1500)
    again = Catalog(str(tmp_path), ledger=StockLedger(tmp_path / "journal.sqlite"))
    assert again.by_code("1").stock == 3500


def test_an_edit_that_sets_stock_is_mirrored_into_the_ledger(tmp_path):
    ledger = StockLedger(tmp_path / "journal.sqlite")
    c = catalog_with(tmp_path, ledger)
    c.update(replace(c.by_code("1"), stock=9000))
    assert ledger.levels()["1"] == 9000
    c.delete("1")
    assert "1" not in ledger.levels()


def test_stock_moved_by_the_journal_connection_is_seen_after_reload_stock(tmp_path):
    import sqlite3
    ledger = StockLedger(tmp_path / "journal.sqlite")
    c = catalog_with(tmp_path, ledger)
    assert c.in_category("")[0].stock == 5000
    other = sqlite3.connect(tmp_path / "journal.sqlite", isolation_level=None)
    other.execute("UPDATE stock SET qty = qty - 1000 WHERE code = '1'")
    other.close()
    assert c.by_code("1").stock == 4000
    c.reload_stock({"1": -1000})
    assert c.in_category("")[0].stock == 4000
