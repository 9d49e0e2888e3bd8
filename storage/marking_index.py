"""Marking codes this register sold and did not take back: a SQLite table in the journal, kept with each registration.

One row per unit (key = GTIN + serial for a СИ, the whole code for a УКЗ: fiscal.marking.MarkCode.key)
in state `sold` (with the sale's number) or `returned`. `record` runs inside the journal's
registration transaction (storage.journal.mark_registered), so the index never disagrees with the
registered documents: a sale marks its codes sold, a refund returned, an annulment undoes the
document it annuls (an annulled sale frees its codes). The duplicate check is one primary-key
lookup, a few microseconds at millions of codes.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from fiscal.documents import Annulment, DocType, Document, Refund, Sale
from fiscal.errors import FiscalError
from fiscal.marking import parse_code

SCHEMA = ("CREATE TABLE IF NOT EXISTS marking_codes (key TEXT PRIMARY KEY, state TEXT NOT NULL, "
          "sale_number INTEGER, doc_number INTEGER NOT NULL) WITHOUT ROWID")
SOLD, RETURNED = "sold", "returned"


@dataclass(frozen=True)
class CodeState:
    state: str                 # sold | returned
    sale_number: int | None    # the sale that sold it (None for a unit taken back without a receipt)
    doc_number: int            # the last document that changed it


@lru_cache(maxsize=8192)     # a receipt's codes are compared on every scan; parsing one costs ~0.1 ms
def code_key(kind: str, code: str) -> str:
    """The unit's key; a code that no longer parses (the rules got stricter) is keyed by its whole text.
    Never raises: it runs inside a registration that must be journaled whatever the codes look like."""
    try:
        return parse_code(code, kind).key
    except (FiscalError, ValueError):
        return code


def _line_keys(lines: Iterable) -> list[str]:
    return [code_key(m.kind, m.code) for ln in lines for m in ln.markings]


def _keys_of_body(body: str) -> list[str]:
    doc = json.loads(body)
    return [code_key(kind, code) for ln in doc.get("lines", []) for m in ln.get("markings", [])
            for kind, code in m.items()]


def ensure(db: sqlite3.Connection) -> None:
    db.execute(SCHEMA)


def record(db: sqlite3.Connection, doc: Document, number: int) -> None:
    """Apply one registered document to the index (the caller holds the transaction)."""
    if isinstance(doc, Sale):
        keys = _line_keys(doc.lines)
        if keys:
            ensure(db)
            db.executemany("INSERT OR REPLACE INTO marking_codes VALUES (?,?,?,?)",
                           [(k, SOLD, number, number) for k in keys])
    elif isinstance(doc, Refund):
        keys = _line_keys(doc.lines)
        if keys:
            ensure(db)
            db.executemany("INSERT OR REPLACE INTO marking_codes VALUES (?,?,?,?)",
                           [(k, RETURNED, doc.original_number, number) for k in keys])
    elif isinstance(doc, Annulment) and doc.target_type in (DocType.SALE, DocType.REFUND):
        row = db.execute("SELECT body FROM documents WHERE number=?", (doc.target_number,)).fetchone()
        keys = _keys_of_body(row[0]) if row else []
        if not keys:
            return
        ensure(db)
        if doc.target_type is DocType.SALE:
            db.executemany("DELETE FROM marking_codes WHERE key=? AND state=? AND sale_number=?",
                           [(k, SOLD, doc.target_number) for k in keys])
        else:
            original = json.loads(row[0]).get("original_number")
            for k in keys:
                if original is None:
                    db.execute("DELETE FROM marking_codes WHERE key=? AND doc_number=?", (k, doc.target_number))
                else:
                    db.execute("UPDATE marking_codes SET state=?, doc_number=? WHERE key=? AND doc_number=?",
                               (SOLD, number, k, doc.target_number))


class MarkingIndex:
    """Read side of the index for the till (the write side is `record`, inside the journal's transaction)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        ensure(db)

    def state(self, key: str) -> CodeState | None:
        row = self._db.execute("SELECT state, sale_number, doc_number FROM marking_codes WHERE key=?",
                               (key,)).fetchone()
        return CodeState(*row) if row else None

    def sold_in(self, key: str) -> int | None:
        """The number of the sale that sold this unit and that it was not taken back from, else None."""
        row = self._db.execute("SELECT sale_number FROM marking_codes WHERE key=? AND state='sold'", (key,)).fetchone()
        return row[0] if row else None

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM marking_codes").fetchone()[0]

    def rows(self) -> Iterator[tuple[str, str, int | None, int]]:
        yield from self._db.execute("SELECT key, state, sale_number, doc_number FROM marking_codes ORDER BY key")


def rebuild(db: sqlite3.Connection) -> int:
    """Re-derive the index from the registered documents (after a journal written without it); returns rows."""
    from fiscal.documents import from_dict
    ensure(db)
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("DELETE FROM marking_codes")
        for number, body in db.execute("SELECT number, body FROM documents WHERE number IS NOT NULL "
                                       "AND type IN ('sale','refund','annulment') ORDER BY number").fetchall():
            record(db, from_dict(json.loads(body)), number)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return db.execute("SELECT COUNT(*) FROM marking_codes").fetchone()[0]
