"""Goods import: every source is parsed into a staging file first, checked, previewed, then applied in ONE transaction.

A source (CSV, CommerceML, Bitrix24, CloudShop, later NWP) yields `(row, {field: value})`
with values already in the catalog's units, and names the fields it carries: a field a
source does not carry is left as it is on existing items. Staging is a throw-away SQLite
file beside the data; the apply is one transaction on DATA/journal.sqlite that changes the
items and the stock ledger together, so a kill at any moment leaves the old catalog or the
new one, never a mix. Memory stays flat at any size: rows go to SQLite in batches.
"""
from __future__ import annotations

import glob
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from storage.catalog import ITEM_COLUMNS, bump_generation
from storage.catalog_items import Item, check_item
from storage.errors import StorageError
from storage.goods_csv import FIELDS, Why

Progress = Callable[[str, int, "int | None"], None]   # (phase: read | check | apply, done, total or None)
_BATCH = 5000
_APPLY_CHUNK = 50_000
_DEFAULTS = {"barcode": None, "weighed": 0, "category": "", "section": None, "unit": "шт", "stock": None}


class GoodsSource(Protocol):
    """What the staged import reads; see storage.goods_csv.CsvSource for the reference implementation."""
    kind: str                       # csv | commerceml | bitrix24 | cloudshop | nwp
    name: str                       # shown in messages (a path, a URL without secrets)
    full: bool                      # the whole catalog (False: a delta, nothing is removed)
    fields: frozenset[str]          # known once rows() has started

    def rows(self) -> Iterator[tuple[int, dict]]: ...
    def error(self, row: int, field: str, why: Why, detail: str = "") -> StorageError: ...


@dataclass(frozen=True)
class Change:
    kind: str                       # new | changed | removed
    code: str
    name: str


@dataclass(frozen=True)
class ImportPreview:
    source: str
    format: str
    total: int                      # items in the source
    new: int
    changed: int
    removed: int
    unchanged: int
    samples: tuple[Change, ...] = ()
    ignored_columns: tuple[str, ...] = ()

    def line(self) -> str:
        """The one line the CLI prints (and the screen may show)."""
        return f"imported {self.total} items ({self.new} new, {self.changed} changed, {self.removed} removed)"


def _report(progress: Progress | None, phase: str, done: int, total: int | None) -> None:
    if progress is not None:
        progress(phase, done, total)


def receipt_open(db: sqlite3.Connection) -> bool:
    """True when the register has a receipt being built (its draft is kept in the journal's `draft` table)."""
    try:
        row = db.execute("SELECT body FROM draft").fetchone()
    except sqlite3.OperationalError:
        return False
    if row is None:
        return False
    try:
        return bool(json.loads(row[0]).get("lines", True))
    except (ValueError, AttributeError):
        return True


def refuse_if_receipt_open(data_dir: str) -> None:
    from storage.catalog import open_catalog_db
    db = open_catalog_db(data_dir)
    try:
        if receipt_open(db):
            raise StorageError("RECEIPT_OPEN", "a receipt is open on the register (journal draft); finish or cancel it first")
    finally:
        db.close()


class StagedImport:
    """A parsed and checked import waiting to be applied (or discarded); `preview` says what it would change."""

    def __init__(self, data_dir: str, path: str, source: GoodsSource, fields: frozenset[str], remove: bool,
                 preview: ImportPreview) -> None:
        self._data_dir, self._path, self._source = data_dir, path, source
        self._fields, self._remove = fields, remove
        self.preview = preview

    def _connect(self) -> sqlite3.Connection:
        from storage.catalog import open_catalog_db
        db = open_catalog_db(self._data_dir)
        db.execute("ATTACH DATABASE ? AS st", (self._path,))
        return db

    def apply(self, progress: Progress | None = None) -> ImportPreview:
        """Apply in one transaction (refused while a receipt is open); returns what was applied."""
        if not os.path.exists(self._path):
            raise StorageError("IMPORT_FAILED", "the staged import is gone (applied or discarded already)")
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                if receipt_open(db):
                    raise StorageError("RECEIPT_OPEN", "a receipt is open on the register; finish or cancel it first")
                counts = _diff(db, self._fields, self._remove, 0)
                _apply(db, self._fields, self._remove, progress)
                bump_generation(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()
        self.discard()
        p = self.preview
        return ImportPreview(p.source, p.format, p.total, counts[0], counts[1], counts[2], counts[3], (),
                             p.ignored_columns)

    def discard(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.unlink(self._path + suffix)
            except FileNotFoundError:
                pass


def stage(data_dir: str, source: GoodsSource, *, remove_missing: bool = True, progress: Progress | None = None,
          sample_limit: int = 20) -> StagedImport:
    """Parse `source` into a staging file and check it whole; BAD_CSV / BAD_GOODS names the first bad row."""
    os.makedirs(data_dir, exist_ok=True)
    for old in glob.glob(os.path.join(data_dir, ".goods-staging-*.sqlite")):
        if time.time() - os.path.getmtime(old) > 86400:     # left by a killed import; a fresh one may be in use
            os.unlink(old)
    path = os.path.join(data_dir, f".goods-staging-{os.getpid()}-{time.monotonic_ns()}.sqlite")
    st = sqlite3.connect(path, isolation_level=None)
    try:
        st.execute("PRAGMA journal_mode=OFF")
        st.execute("PRAGMA synchronous=OFF")
        cols = ("code", "row") + tuple(f for f in FIELDS if f != "code")
        st.execute(f"CREATE TABLE staged ({', '.join(cols)})")
        total = _read(st, source, cols, progress)
        st.execute("CREATE INDEX st_code ON staged(code, row)")
        st.execute("CREATE INDEX st_barcode ON staged(barcode, row) WHERE barcode IS NOT NULL")
        _check_duplicates(st, source)
    except BaseException:
        st.close()
        for suffix in ("", "-journal"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        raise
    st.close()
    fields = source.fields
    remove = remove_missing and source.full
    staged = StagedImport(data_dir, path, source, fields, remove, ImportPreview(source.name, source.kind, total, 0, 0, 0, 0))
    try:
        db = staged._connect()
        try:
            _report(progress, "check", 0, total)
            _check_against_catalog(db, source, fields, remove)
            n_new, n_changed, n_removed, n_same = _diff(db, fields, remove, 0)
            samples = _samples(db, fields, remove, sample_limit)
            _report(progress, "check", total, total)
        finally:
            db.close()
    except BaseException:
        staged.discard()
        raise
    staged.preview = ImportPreview(source.name, source.kind, total, n_new, n_changed, n_removed, n_same, samples,
                                   tuple(getattr(source, "ignored_columns", ())))
    return staged


def _read(st: sqlite3.Connection, source: GoodsSource, cols: tuple[str, ...], progress: Progress | None) -> int:
    insert = f"INSERT INTO staged VALUES ({', '.join('?' * len(cols))})"
    batch: list[tuple] = []
    total = 0
    st.execute("BEGIN")
    for row, v in source.rows():
        _validate(source, row, v)
        batch.append((v["code"], row) + tuple(_db_value(v.get(f)) for f in cols[2:]))
        total += 1
        if len(batch) >= _BATCH:
            st.executemany(insert, batch)
            batch.clear()
            _report(progress, "read", total, None)
    if batch:
        st.executemany(insert, batch)
    st.execute("COMMIT")
    _report(progress, "read", total, total)
    return total


def _db_value(v):
    return int(v) if isinstance(v, bool) else v


def _validate(source: GoodsSource, row: int, v: dict) -> None:
    """The checks every item passes (storage.catalog_items.check_item) on the fields this row carries."""
    probe = {"code": "x", "barcode": None, "name": "x", "price": 0, "vat": "none", "stock": None, "weighed": False,
             "category": "", "section": None, "unit": "шт", "marking": "none", "marking_policy": "required"}
    probe.update(v)
    try:
        check_item(Item(**probe))
    except StorageError as e:
        field, _, why = e.detail.partition(": ")
        raise source.error(row, field, Why.BAD_TEXT, why) from None
    except TypeError as e:
        raise source.error(row, "-", Why.BAD_TEXT, str(e)) from None


def _check_duplicates(st: sqlite3.Connection, source: GoodsSource) -> None:
    for field in ("code", "barcode"):
        r = st.execute(f"SELECT MIN(row) FROM (SELECT row, ROW_NUMBER() OVER (PARTITION BY {field} ORDER BY row) AS k "
                       f"FROM staged WHERE {field} IS NOT NULL) WHERE k = 2").fetchone()
        if r[0] is not None:
            raise source.error(r[0], field, Why.DUPLICATE)


def _check_against_catalog(db: sqlite3.Connection, source: GoodsSource, fields: frozenset[str], remove: bool) -> None:
    for f in ("vat", "name", "price"):
        if f not in fields:
            r = db.execute("SELECT MIN(s.row) FROM st.staged s WHERE NOT EXISTS "
                           "(SELECT 1 FROM main.items i WHERE i.code = s.code)").fetchone()
            if r[0] is not None:
                raise source.error(r[0], f, Why.NEEDED_FOR_NEW)
    if "barcode" in fields and not remove:
        r = db.execute("SELECT MIN(s.row) FROM st.staged s JOIN main.items i ON i.barcode = s.barcode "
                       "AND i.code != s.code WHERE NOT EXISTS (SELECT 1 FROM st.staged t WHERE t.code = i.code)").fetchone()
        if r[0] is not None:
            raise source.error(r[0], "barcode", Why.BARCODE_TAKEN)


def _differs(fields: frozenset[str]) -> str:
    terms = [f"s.{f} IS NOT i.{f}" for f in ITEM_COLUMNS if f in fields and f != "code"]
    if "stock" in fields:
        terms.append("s.stock IS NOT k.qty")
    return " OR ".join(terms) or "0"


def _diff(db: sqlite3.Connection, fields: frozenset[str], remove: bool, _: int) -> tuple[int, int, int, int]:
    new = db.execute("SELECT COUNT(*) FROM st.staged s WHERE NOT EXISTS "
                     "(SELECT 1 FROM main.items i WHERE i.code = s.code)").fetchone()[0]
    changed, same = db.execute(
        f"SELECT COALESCE(SUM({_differs(fields)}), 0), COUNT(*) FROM st.staged s JOIN main.items i ON i.code = s.code "
        "LEFT JOIN main.stock k ON k.code = s.code").fetchone()
    removed = db.execute("SELECT COUNT(*) FROM main.items i WHERE NOT EXISTS "
                         "(SELECT 1 FROM st.staged s WHERE s.code = i.code)").fetchone()[0] if remove else 0
    return new, changed, removed, same - changed


def _samples(db: sqlite3.Connection, fields: frozenset[str], remove: bool, limit: int) -> tuple[Change, ...]:
    out = [Change("new", c, n) for c, n in db.execute(
        "SELECT s.code, s.name FROM st.staged s WHERE NOT EXISTS (SELECT 1 FROM main.items i WHERE i.code = s.code) "
        "ORDER BY s.row LIMIT ?", (limit,))]
    out += [Change("changed", c, n) for c, n in db.execute(
        f"SELECT s.code, COALESCE(s.name, i.name) FROM st.staged s JOIN main.items i ON i.code = s.code "
        f"LEFT JOIN main.stock k ON k.code = s.code WHERE {_differs(fields)} ORDER BY s.row LIMIT ?", (limit,))]
    if remove:
        out += [Change("removed", c, n) for c, n in db.execute(
            "SELECT i.code, i.name FROM main.items i WHERE NOT EXISTS (SELECT 1 FROM st.staged s WHERE s.code = i.code) "
            "ORDER BY i.rowid LIMIT ?", (limit,))]
    return tuple(out)


def _apply(db: sqlite3.Connection, fields: frozenset[str], remove: bool, progress: Progress | None) -> None:
    """The writes of one import, inside the caller's transaction."""
    if remove:
        db.execute("DELETE FROM main.stock WHERE code IN (SELECT i.code FROM main.items i WHERE NOT EXISTS "
                   "(SELECT 1 FROM st.staged s WHERE s.code = i.code))")
        db.execute("DELETE FROM main.items WHERE NOT EXISTS (SELECT 1 FROM st.staged s WHERE s.code = items.code)")
    exprs = []
    for f in ITEM_COLUMNS:
        if f in fields:
            exprs.append(f"s.{f}")
        elif f in ("marking", "marking_policy"):
            default = "none" if f == "marking" else "required"
            cat = "s.category" if "category" in fields else "''"
            exprs.append(f"COALESCE((SELECT c.{f} FROM main.categories c WHERE c.name = {cat}), '{default}')")
        else:
            d = _DEFAULTS[f]
            exprs.append("NULL" if d is None else repr(d) if isinstance(d, str) else str(d))
    updates = ", ".join(f"{f} = excluded.{f}" for f in ITEM_COLUMNS if f in fields and f != "code") or "code = code"
    sql = (f"INSERT INTO main.items ({', '.join(ITEM_COLUMNS)}) SELECT {', '.join(exprs)} FROM st.staged s "
           f"WHERE s.rowid > ? AND s.rowid <= ? ORDER BY s.rowid ON CONFLICT(code) DO UPDATE SET {updates}")
    top = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM st.staged").fetchone()[0]
    for lo in range(0, top, _APPLY_CHUNK):
        db.execute(sql, (lo, lo + _APPLY_CHUNK))
        if "stock" in fields:
            db.execute("DELETE FROM main.stock WHERE code IN (SELECT code FROM st.staged WHERE stock IS NULL "
                       "AND rowid > ? AND rowid <= ?)", (lo, lo + _APPLY_CHUNK))
            db.execute("INSERT OR REPLACE INTO main.stock SELECT code, stock FROM st.staged WHERE stock IS NOT NULL "
                       "AND rowid > ? AND rowid <= ?", (lo, lo + _APPLY_CHUNK))
        _report(progress, "apply", min(lo + _APPLY_CHUNK, top), top)
    if top == 0:
        _report(progress, "apply", 0, 0)


def import_goods(data_dir: str, source: GoodsSource, *, dry_run: bool = False, remove_missing: bool = True,
                 progress: Progress | None = None) -> ImportPreview:
    """Stage, check, and (unless `dry_run`) apply; refused while a receipt is open. Returns the counts."""
    refuse_if_receipt_open(data_dir)
    staged = stage(data_dir, source, remove_missing=remove_missing, progress=progress)
    if dry_run:
        staged.discard()
        return staged.preview
    try:
        return staged.apply(progress)
    finally:
        staged.discard()


__all__ = ["Change", "GoodsSource", "ImportPreview", "Progress", "StagedImport", "import_goods",
           "receipt_open", "refuse_if_receipt_open", "stage"]


def import_csv(data_dir: str, path: str, progress=None) -> int:
    """Add or replace items from a CSV file (items not in the file stay); a bad row changes nothing."""
    from storage.goods_csv import CsvSource
    staged = stage(data_dir, CsvSource(path), remove_missing=False, progress=progress)
    return staged.apply(progress).total


def import_csv_text(data_dir: str, text: str) -> int:
    """The same from CSV text (tests, the scenario set-up)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "goods.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return import_csv(data_dir, path)
