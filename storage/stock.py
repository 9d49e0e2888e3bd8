"""Stock levels in SQLite: one row per tracked item, changed by a small transaction per receipt.

The catalog (TinyDB JSON) is rewritten whole on every edit, which costs half a second at
100,000 items; a sale must not pay that. The ledger lives in the register's SQLite file, so
DB archives (a consistent SQLite backup) carry it, and it wins over the JSON at load.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.errors import StorageError

SCHEMA = "CREATE TABLE IF NOT EXISTS stock (code TEXT PRIMARY KEY, qty INTEGER NOT NULL)"


class StockLedger:
    def __init__(self, path: Path | str) -> None:
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.execute(SCHEMA)
        except sqlite3.DatabaseError as e:
            raise StorageError("STOCK_UNREADABLE", f"{path}: stock ledger cannot be opened ({e})") from None

    @property
    def connection(self) -> sqlite3.Connection:
        """The ledger's connection; the catalog shares it, so items and stock change in one transaction."""
        return self._db

    def levels(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT code, qty FROM stock"))

    def levels_of(self, codes) -> dict[str, int]:
        codes = list(codes)
        if not codes:
            return {}
        return dict(self._db.execute(f"SELECT code, qty FROM stock WHERE code IN ({','.join('?' * len(codes))})",
                                     codes))

    def apply(self, deltas: dict[str, int], base: dict[str, int]) -> dict[str, int]:
        """Add each delta to the item's level (starting from `base` when the ledger has no row yet)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            out = {}
            for code, delta in deltas.items():
                self._db.execute("INSERT OR IGNORE INTO stock VALUES (?, ?)", (code, base[code]))
                self._db.execute("UPDATE stock SET qty = qty + ? WHERE code = ?", (delta, code))
                out[code] = self._db.execute("SELECT qty FROM stock WHERE code = ?", (code,)).fetchone()[0]
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return out

    def set_many(self, levels: dict[str, int | None]) -> None:
        """Levels set by an edit or an import; None means the item no longer tracks stock (row removed)."""
        if not levels:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany("INSERT OR REPLACE INTO stock VALUES (?, ?)",
                                 [(c, q) for c, q in levels.items() if q is not None])
            self._db.executemany("DELETE FROM stock WHERE code = ?", [(c,) for c, q in levels.items() if q is None])
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()
