"""The goods catalog: SQLite tables beside the stock ledger, read on demand, with an in-memory name search index.

Items live in the register's SQLite file (DATA/journal.sqlite, tables `items`, `sections`,
`categories`, next to the `stock` ledger), so an import changes items and stock in one
transaction and a DB archive carries both. Nothing per item is held in memory except the name
search index (one string of normalized names and two integer arrays), built on the first
search after a change: a 1,000,000-item catalog costs tens of megabytes, not gigabytes. A
catalog written by an older version (store/catalog.json) is moved into the tables once.
"""
from __future__ import annotations

import os
import sqlite3
from array import array
from bisect import bisect_right
from collections.abc import Iterator

from storage.catalog_csv import format_csv_rows
from storage.catalog_items import MARKING_POLICIES, MARKINGS, Category, Item, Section, check_item, item_from_json
from storage.docstore import read_json_file
from storage.errors import StorageError
from storage.fileops import FileOps
from storage.stock import SCHEMA as STOCK_SCHEMA

__all__ = ["Catalog", "Category", "Item", "Section", "normalize", "open_catalog_db", "CATALOG_SCHEMA", "ITEM_COLUMNS"]

CATALOG_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    code TEXT PRIMARY KEY, barcode TEXT, name TEXT NOT NULL, price INTEGER NOT NULL, vat TEXT NOT NULL,
    weighed INTEGER NOT NULL, category TEXT NOT NULL, section INTEGER, unit TEXT NOT NULL,
    marking TEXT NOT NULL, marking_policy TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS items_barcode ON items(barcode) WHERE barcode IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_category ON items(category);
CREATE TABLE IF NOT EXISTS sections (code INTEGER PRIMARY KEY, name TEXT NOT NULL, vat TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS categories (name TEXT PRIMARY KEY, marking TEXT NOT NULL DEFAULT 'none',
    marking_policy TEXT NOT NULL DEFAULT 'required');
CREATE TABLE IF NOT EXISTS catalog_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
""" + STOCK_SCHEMA + ";"

# Item fields in dataclass order except stock, which lives in the ledger table.
ITEM_COLUMNS = ("code", "barcode", "name", "price", "vat", "weighed", "category", "section", "unit", "marking",
                "marking_policy")
_SELECT = ("SELECT i.code, i.barcode, i.name, i.price, i.vat, s.qty, i.weighed, i.category, i.section, i.unit, "
           "i.marking, i.marking_policy FROM items i LEFT JOIN stock s ON s.code = i.code ")
_UPSERT = (f"INSERT INTO items ({', '.join(ITEM_COLUMNS)}) VALUES ({', '.join('?' * len(ITEM_COLUMNS))}) "
           "ON CONFLICT(code) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in ITEM_COLUMNS[1:]))


def normalize(text: str) -> str:
    """The form names are searched in: case-folded, ё = е."""
    return text.casefold().replace("ё", "е")


def _item(r: tuple) -> Item:
    return Item(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], r[9], r[10], r[11])


def _row(i: Item) -> tuple:
    return (i.code, i.barcode, i.name, i.price, i.vat, int(i.weighed), i.category, i.section, i.unit, i.marking,
            i.marking_policy)


def open_catalog_db(data_dir: str) -> sqlite3.Connection:
    """A connection to DATA/journal.sqlite with the catalog tables (the journal is created first when absent)."""
    path = os.path.join(data_dir, "journal.sqlite")
    if not os.path.exists(path):
        from storage.journal_schema import connect
        connect(path, check=False).close()
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA busy_timeout=10000")
        db.executescript(CATALOG_SCHEMA)
    except sqlite3.DatabaseError as e:
        raise StorageError("STOCK_UNREADABLE", f"{path}: the catalog tables cannot be opened ({e})") from None
    return db


class Catalog:
    """The catalog of DATA (tables in DATA/journal.sqlite); every edit is one committed transaction."""

    def __init__(self, data_dir: str, ops: FileOps | None = None, ledger=None) -> None:
        self._data_dir = data_dir
        if ledger is not None:
            # one connection for the catalog and the stock ledger: a sale's stock move and an edit never
            # wait for each other's lock
            self._db = ledger.connection
            self._db.executescript(CATALOG_SCHEMA)
        else:
            self._db = open_catalog_db(data_dir)
        self._ledger = ledger
        self._index_gen = None
        self._len: tuple[str | None, int] | None = None
        # per-generation caches of what a screen asks every frame (categories, a category's items)
        self._cache_gen: str | None = None
        self._cache: dict = {}
        self._migrate_json()

    # ---- the older JSON catalog, moved in once ----------------------------------------------

    def _migrate_json(self) -> None:
        path = os.path.join(self._data_dir, "store", "catalog.json")
        if not os.path.exists(path):
            return
        done = self._db.execute("SELECT value FROM catalog_meta WHERE key = 'json_migrated'").fetchone()
        if done is None:
            data = read_json_file(path) or {}
            items = [item_from_json(d) for d in (data.get("items") or {}).values()]
            levels = dict(self._db.execute("SELECT code, qty FROM stock"))
            with self._tx() as db:
                db.executemany(_UPSERT, [_row(i) for i in items])
                # the ledger wins over the JSON's stock, as it did at load before
                db.executemany("INSERT OR IGNORE INTO stock VALUES (?, ?)",
                               [(i.code, i.stock) for i in items if i.stock is not None])
                db.executemany("DELETE FROM stock WHERE code = ?",
                               [(i.code,) for i in items if i.stock is None and i.code in levels])
                db.executemany("INSERT OR REPLACE INTO sections VALUES (?, ?, ?)",
                               [(int(d["code"]), d["name"], d.get("vat", "none"))
                                for d in (data.get("sections") or {}).values()])
                db.executemany("INSERT OR IGNORE INTO categories (name) VALUES (?)",
                               [(d["name"],) for d in (data.get("categories") or {}).values()])
                db.execute("INSERT OR REPLACE INTO catalog_meta VALUES ('json_migrated', ?)", (path,))
        os.replace(path, path + ".migrated")

    # ---- transactions ------------------------------------------------------------------------

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type, exc, tb) -> None:
            if exc_type is not None:
                self.db.execute("ROLLBACK")
                return
            bump_generation(self.db)
            self.db.execute("COMMIT")

    def _tx(self) -> "_Tx":
        return Catalog._Tx(self._db)

    def generation(self) -> str | None:
        """Changes with every committed catalog change (ours, an import's, another process's)."""
        r = self._db.execute("SELECT value FROM catalog_meta WHERE key = 'generation'").fetchone()
        return r[0] if r else None

    # ---- reads -------------------------------------------------------------------------------

    def __len__(self) -> int:
        gen = self.generation()
        if self._len is None or self._len[0] != gen or gen is None:
            self._len = (gen, self._db.execute("SELECT COUNT(*) FROM items").fetchone()[0])
        return self._len[1]

    def by_code(self, code: str) -> Item | None:
        r = self._db.execute(_SELECT + "WHERE i.code = ?", (code,)).fetchone()
        return _item(r) if r else None

    def by_barcode(self, barcode: str) -> Item | None:
        r = self._db.execute(_SELECT + "WHERE i.barcode = ? LIMIT 1", (barcode,)).fetchone()
        return _item(r) if r else None

    def _name_index(self) -> None:
        """One string of all normalized names, newline-separated, so a search is a few str.find calls."""
        gen = self.generation()
        if self._index_gen is not None and self._index_gen == gen and gen is not None:
            return
        # built from chunks of joined names, so the transient copy is one big string, not a million small ones
        rowids, starts, chunks, part, pos = array("q"), array("q"), [], [], 0
        for rowid, name in self._db.execute("SELECT rowid, name FROM items ORDER BY rowid"):
            n = normalize(name)
            rowids.append(rowid)
            starts.append(pos)
            part.append(n)
            pos += len(n) + 1
            if len(part) == 10_000:
                chunks.append("\n".join(part))
                part = []
        if part:
            chunks.append("\n".join(part))
        names = "\n".join(chunks)
        del chunks, part
        self._rowids, self._starts, self._names = rowids, starts, names
        self._index_gen = gen if gen is not None else "-"

    def search(self, text: str, limit: int = 50) -> list[Item]:
        """Items whose name contains `text` (case-insensitive, ё = е), in catalog order, at most `limit`."""
        needle = normalize(text.strip()).replace("\n", " ")
        if not needle:
            return []
        self._name_index()
        found: list[int] = []
        pos = self._names.find(needle)
        while pos != -1 and len(found) < limit:
            k = bisect_right(self._starts, pos) - 1
            found.append(self._rowids[k])
            nxt = self._starts[k + 1] if k + 1 < len(self._starts) else len(self._names)
            pos = self._names.find(needle, nxt)
        if not found:
            return []
        rows = {r[0]: _item(r[1:]) for r in self._db.execute(
            _SELECT.replace("SELECT ", "SELECT i.rowid, ", 1) + f"WHERE i.rowid IN ({','.join('?' * len(found))})",
            found)}
        return [rows[r] for r in found if r in rows]

    def iter_items(self, batch: int = 5000) -> Iterator[Item]:
        """Every item in catalog order, read in batches (bounded memory at any size)."""
        last = 0
        while True:
            rows = self._db.execute(_SELECT.replace("SELECT ", "SELECT i.rowid, ", 1) +
                                    "WHERE i.rowid > ? ORDER BY i.rowid LIMIT ?", (last, batch)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for r in rows:
                yield _item(r[1:])

    def _cached(self, key, make):
        gen = self.generation()
        if gen is None or gen != self._cache_gen:
            self._cache_gen, self._cache = gen, {}
        if key not in self._cache:
            if len(self._cache) > 16:
                self._cache.clear()
            self._cache[key] = make()
        return self._cache[key]

    def items(self) -> list[Item]:
        """Every item (a list: at a million items prefer iter_items). Cached until the catalog changes."""
        if len(self) > 200_000:
            return list(self.iter_items())
        return list(self._cached("items", lambda: list(self.iter_items())))

    def in_category(self, category: str) -> list[Item]:
        return list(self._cached(("cat", category), lambda: [
            _item(r) for r in self._db.execute(_SELECT + "WHERE i.category = ? ORDER BY i.rowid", (category,))]))

    def categories(self) -> list[str]:
        def make() -> list[str]:
            rows = self._db.execute("SELECT DISTINCT category FROM items UNION SELECT name FROM categories")
            return sorted({r[0] for r in rows} - {""})
        return list(self._cached("categories", make))

    def category(self, name: str) -> Category:
        """A category with its marking defaults (plain defaults when none were set)."""
        r = self._db.execute("SELECT name, marking, marking_policy FROM categories WHERE name = ?", (name,)).fetchone()
        return Category(*r) if r else Category(name)

    def sections(self) -> list[Section]:
        return [Section(*r) for r in self._db.execute("SELECT code, name, vat FROM sections ORDER BY code")]

    # ---- edits (each one committed before it returns) ----------------------------------------

    def _check_barcode(self, item: Item) -> None:
        if item.barcode:
            other = self._db.execute("SELECT code FROM items WHERE barcode = ? AND code != ? LIMIT 1",
                                     (item.barcode, item.code)).fetchone()
            if other is not None:
                raise StorageError("DUPLICATE_BARCODE", f"barcode {item.barcode} already belongs to item {other[0]}")

    def _put(self, item: Item) -> None:
        with self._tx() as db:
            db.execute(_UPSERT, _row(item))
            if item.stock is None:
                db.execute("DELETE FROM stock WHERE code = ?", (item.code,))
            else:
                db.execute("INSERT OR REPLACE INTO stock VALUES (?, ?)", (item.code, item.stock))

    def add(self, item: Item) -> Item:
        check_item(item)
        if self.by_code(item.code) is not None:
            raise StorageError("DUPLICATE_CODE", f"item code {item.code} already exists")
        self._check_barcode(item)
        self._put(item)
        return item

    def update(self, item: Item) -> Item:
        check_item(item)
        if self.by_code(item.code) is None:
            raise StorageError("NO_ITEM", f"there is no item with code {item.code}")
        self._check_barcode(item)
        self._put(item)
        return item

    def put_many(self, items) -> int:
        """Add or replace many checked items in one transaction (set-up, tests, benchmarks); returns the count."""
        rows, stock, untracked = [], [], []
        for i in items:
            rows.append(_row(check_item(i)))
            (stock.append((i.code, i.stock)) if i.stock is not None else untracked.append((i.code,)))
        with self._tx() as db:
            db.executemany(_UPSERT, rows)
            db.executemany("INSERT OR REPLACE INTO stock VALUES (?, ?)", stock)
            db.executemany("DELETE FROM stock WHERE code = ?", untracked)
        return len(rows)

    def delete(self, code: str) -> None:
        if self.by_code(code) is None:
            raise StorageError("NO_ITEM", f"there is no item with code {code}")
        with self._tx() as db:
            db.execute("DELETE FROM items WHERE code = ?", (code,))
            db.execute("DELETE FROM stock WHERE code = ?", (code,))

    def delete_all(self) -> None:
        """Delete every item and category (manual §4.2 «удаление товаров»); sections stay."""
        with self._tx() as db:
            db.execute("DELETE FROM items")
            db.execute("DELETE FROM stock")
            db.execute("DELETE FROM categories")

    def reload_stock(self, codes) -> None:
        """The ledger moved through the journal's connection (a registration's effects): stock is read live from
        the table, so only the cached lists (categories, a category's items) are dropped."""
        self._cache_gen, self._cache = None, {}

    def adjust_stock(self, code: str, delta_thousandths: int) -> Item:
        return self.adjust_stock_many({code: delta_thousandths})[code]

    def adjust_stock_many(self, deltas: dict[str, int]) -> dict[str, Item]:
        """Apply several stock changes (one receipt) in one small transaction; untracked items are left as is."""
        for code in deltas:
            if self.by_code(code) is None:
                raise StorageError("NO_ITEM", f"there is no item with code {code}")
        with self._tx() as db:
            db.executemany("UPDATE stock SET qty = qty + ? WHERE code = ?", [(d, c) for c, d in deltas.items()])
        return {c: self.by_code(c) for c in deltas}

    def add_category(self, name: str, marking: str = "none", marking_policy: str = "required") -> None:
        if not name.strip():
            raise StorageError("BAD_ITEM", "category: the name must not be empty")
        if marking not in MARKINGS or marking_policy not in MARKING_POLICIES:
            raise StorageError("BAD_ITEM", f"marking: {marking!r}/{marking_policy!r} is not a known marking and policy")
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO categories VALUES (?, ?, ?)", (name, marking, marking_policy))

    def rename_category(self, old: str, new: str) -> None:
        if old not in self.categories():
            raise StorageError("NO_CATEGORY", f"there is no category {old!r}")
        if not new.strip():
            raise StorageError("BAD_ITEM", "category: the new name must not be empty")
        with self._tx() as db:
            db.execute("UPDATE items SET category = ? WHERE category = ?", (new, old))
            db.execute("UPDATE OR REPLACE categories SET name = ? WHERE name = ?", (new, old))

    def set_section(self, section: Section) -> None:
        if not 0 <= section.code <= 255 or not section.name.strip():
            raise StorageError("BAD_SECTION", f"section {section.code}: code 0…255 and a name are required")
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO sections VALUES (?, ?, ?)", (section.code, section.name, section.vat))

    def rename_section(self, code: int, name: str) -> None:
        r = self._db.execute("SELECT vat FROM sections WHERE code = ?", (code,)).fetchone()
        if r is None:
            raise StorageError("NO_SECTION", f"there is no section {code}")
        self.set_section(Section(code, name, r[0]))

    # ---- files (the staged import of CSV and the other formats is storage.goods_import) -----------

    def export_csv(self, path: str) -> int:
        """Every item to a CSV file (atomically: a temp file renamed into place); returns the count."""
        tmp = f"{path}.tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            for chunk in format_csv_rows(self.iter_items()):
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return len(self)


def bump_generation(db: sqlite3.Connection) -> None:
    """Mark the catalog changed (inside the caller's transaction)."""
    db.execute("INSERT INTO catalog_meta VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE "
               "SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)")
