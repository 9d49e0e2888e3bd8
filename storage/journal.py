"""The fiscal journal: SQLite (WAL, synchronous=FULL), one transaction per state change, a SHA-256 chain."""
from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from fiscal.documents import DocType, Document, Registration, canonical, chain_hash, document_digest, from_dict
from fiscal.errors import FiscalError
from fiscal.receipt import PaymentType
from storage import journal_audit, journal_effects, marking_index
from storage.errors import StorageError
from storage.intents import IntentLog
from storage.journal_effects import Effects
from storage.journal_schema import (
    GENESIS_HASH,
    ItemTotal,
    JournalEntry,
    PaymentTotal,
    ShiftSummary,
    Status,
    VerifyResult,
    cheque_dumps,
    cheque_loads,
    connect,
    corrupt,
)
from storage.journal_verify import export_rows, verify_journal
from storage.keys import device_key, key_path, public_pem

_COLS = ("op_id, type, shift, body, status, number, uid, reg_time, signature, sko_serial, hash, prev_hash, "
         "printed_at, fail_reason, sko_cheque")


class Journal:
    """The fiscal journal in one SQLite file. Not thread-safe: one owner (the fiscal path) at a time."""

    def __init__(self, path: str, check: bool = True) -> None:
        self.path = str(path)
        self._db = connect(self.path, check=check)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction; a full disk or an I/O error is DISK_FULL / STORAGE_IO and nothing is half-written."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as e:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise sqlite_refusal(e, self.path) from None

    # ---- documents -------------------------------------------------------------------------

    def add_pending(self, doc: Document, effects: Effects | None = None) -> JournalEntry:
        """Journal `doc` as pending, with what its registration will change (stock, intents).
        The same op_id twice is one document; different content is OP_ID_CONFLICT."""
        body = canonical(doc).decode("utf-8")
        total = getattr(doc, "total_due", getattr(doc, "amount", None))
        with self._tx() as db:
            row = db.execute("SELECT body FROM documents WHERE op_id=?", (doc.op_id,)).fetchone()
            if row is None:
                db.execute("INSERT INTO documents (op_id, type, shift, created, cashier, body, digest, status, "
                           "total_due, target_number, effects) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                           (doc.op_id, doc.type.value, doc.shift, doc.created, doc.cashier, body,
                            document_digest(doc), Status.PENDING.value, total,
                            getattr(doc, "target_number", None) or getattr(doc, "original_number", None),
                            (effects or Effects()).dumps()))
            elif row[0] != body:
                raise StorageError("OP_ID_CONFLICT", f"operation {doc.op_id} is already journaled with other content")
        return self.get(doc.op_id)  # type: ignore[return-value]

    def mark_registered(self, op_id: str, reg: Registration) -> JournalEntry:
        """Store the SKO's registration, the chain hash and the document's effects (stock, intents settled)
        in one transaction; the number must be last+1."""
        with self._tx() as db:
            row = db.execute("SELECT status, body, number, uid, reg_time, signature, sko_serial, effects FROM documents "
                             "WHERE op_id=?", (op_id,)).fetchone()
            if row is None:
                raise StorageError("UNKNOWN_OP", f"operation {op_id} is not in the journal")
            if row[0] != Status.PENDING.value:
                if (row[2], row[3], row[4], row[5], row[6] or "") == (reg.number, reg.uid, reg.time,
                                                                       reg.signature, reg.sko_serial):
                    return self._entry_in(db, op_id)
                raise StorageError("ALREADY_REGISTERED",
                                   f"operation {op_id} is already registered as document {row[2]}")
            last = self._last_number(db)
            if reg.number != last + 1:
                raise StorageError("NUMBER_GAP", f"the SKO answered number {reg.number} for {op_id}, "
                                   f"the journal expects {last + 1}")
            doc = _parse(row[1])
            prev = self._hash_of(db, last)
            link = chain_hash(prev, doc, reg)
            db.execute("UPDATE documents SET status=?, number=?, uid=?, reg_time=?, signature=?, sko_serial=?, "
                       "hash=?, prev_hash=?, sko_cheque=? WHERE op_id=?",
                       (Status.REGISTERED.value, reg.number, reg.uid, reg.time, reg.signature, reg.sko_serial,
                        link, prev, cheque_dumps(reg.cheque), op_id))
            self._index_sums(db, doc, reg.number)
            journal_effects.apply(db, op_id, Effects.loads(row[7]))
            marking_index.record(db, doc, reg.number)   # codes sold / returned, in the same transaction
            entry = self._entry_in(db, op_id)
        journal_audit.write_head(self.path, reg.number, link)   # after the commit: a head behind by one is fine
        return entry

    def discard_pending(self, op_id: str, reason: str) -> None:
        """Drop a pending document the SKO refused for certain: it has no number and no place in the chain."""
        with self._tx() as db:
            row = db.execute("SELECT status FROM documents WHERE op_id=?", (op_id,)).fetchone()
            if row is None:
                return
            if row[0] != Status.PENDING.value:
                raise StorageError("BAD_STATUS", f"operation {op_id} is {row[0]}; only a pending one is discarded ({reason})")
            db.execute("DELETE FROM documents WHERE op_id=?", (op_id,))

    def refunds_of(self, sale_number: int) -> list[JournalEntry]:
        """Registered refunds that name `sale_number` as their original receipt (for partial refunds)."""
        return self._entries("WHERE type='refund' AND target_number=? AND number IS NOT NULL ORDER BY number",
                             (sale_number,))

    def mark_printed(self, op_id: str, printed_at: str | None = None) -> JournalEntry:
        """registered | print_failed → printed (a reprint after a failure); printed again is a no-op."""
        return self._move(op_id, Status.PRINTED, (Status.REGISTERED, Status.PRINT_FAILED, Status.PRINTED),
                          printed_at=printed_at)

    def mark_print_failed(self, op_id: str, reason: str) -> JournalEntry:
        """registered → print_failed; the document then shows in not_printed() until reprinted."""
        return self._move(op_id, Status.PRINT_FAILED, (Status.REGISTERED, Status.PRINT_FAILED), reason=reason)

    def _move(self, op_id: str, to: Status, allowed: tuple[Status, ...], printed_at: str | None = None,
              reason: str | None = None) -> JournalEntry:
        with self._tx() as db:
            row = db.execute("SELECT status FROM documents WHERE op_id=?", (op_id,)).fetchone()
            if row is None:
                raise StorageError("UNKNOWN_OP", f"operation {op_id} is not in the journal")
            if Status(row[0]) not in allowed:
                raise StorageError("BAD_STATUS", f"operation {op_id} is {row[0]}; it cannot become {to.value}")
            if to is Status.PRINTED:
                db.execute("UPDATE documents SET status=?, printed_at=COALESCE(?, printed_at) WHERE op_id=?",
                           (to.value, printed_at, op_id))
            else:
                db.execute("UPDATE documents SET status=?, fail_reason=? WHERE op_id=?", (to.value, reason, op_id))
            return self._entry_in(db, op_id)

    def _index_sums(self, db: sqlite3.Connection, doc: Document, number: int) -> None:
        """Copy a registered receipt's lines and payments into the report tables (indexed by time)."""
        if doc.type not in (DocType.SALE, DocType.REFUND):
            return
        t = doc.type.value
        db.executemany("INSERT INTO doc_lines VALUES (?,?,?,?,?,?,?)",
                       [(number, t, doc.created, ln.code, ln.name, ln.qty, ln.total) for ln in doc.lines])  # type: ignore[attr-defined]
        by_type = dict(doc.paid_by_type)  # type: ignore[attr-defined]
        if doc.change:  # type: ignore[attr-defined]
            by_type[PaymentType.CASH] = by_type.get(PaymentType.CASH, 0) - doc.change  # type: ignore[attr-defined]
        db.executemany("INSERT INTO doc_payments VALUES (?,?,?,?,?)",
                       [(number, t, doc.created, p.value, a) for p, a in by_type.items()])

    # ---- reading ---------------------------------------------------------------------------

    def _entry_in(self, db: sqlite3.Connection, op_id: str) -> JournalEntry:
        return _entry(db.execute(f"SELECT {_COLS} FROM documents WHERE op_id=?", (op_id,)).fetchone())

    def _entries(self, sql: str, args: Iterable[Any] = ()) -> list[JournalEntry]:
        return [_entry(r) for r in self._db.execute(f"SELECT {_COLS} FROM documents {sql}", tuple(args))]

    def get(self, op_id: str) -> JournalEntry | None:
        found = self._entries("WHERE op_id=?", (op_id,))
        return found[0] if found else None

    def by_number(self, number: int) -> JournalEntry | None:
        found = self._entries("WHERE number=?", (number,))
        return found[0] if found else None

    def pending(self) -> list[JournalEntry]:
        return self._entries("WHERE status != 'printed' AND status = 'pending' ORDER BY seq")

    def not_printed(self) -> list[JournalEntry]:
        """Registered documents not (yet) printed, in number order."""
        return self._entries("WHERE status != 'printed' AND status IN ('registered', 'print_failed') "
                             "ORDER BY number")

    def shift_documents(self, shift: int) -> list[JournalEntry]:
        """The shift's registered documents in number order."""
        return self._entries("WHERE shift=? AND number IS NOT NULL ORDER BY number", (shift,))

    def last_document(self, types: Iterable[DocType | str] | None = None,
                      shift: int | None = None) -> JournalEntry | None:
        """The registered document with the highest number, optionally of these types and/or this shift."""
        where, args = ["number IS NOT NULL"], []
        if shift is not None:
            where.append("shift=?")
            args.append(shift)
        if types is not None:
            kinds = [DocType(t).value for t in types]
            where.append(f"type IN ({','.join('?' * len(kinds))})")
            args.extend(kinds)
        found = self._entries(f"WHERE {' AND '.join(where)} ORDER BY number DESC LIMIT 1", args)
        return found[0] if found else None

    def last_number(self) -> int:
        """The last registered number; survives clearing the journal."""
        return self._last_number(self._db)

    def _last_number(self, db: sqlite3.Connection) -> int:
        top = db.execute("SELECT max(number) FROM documents").fetchone()[0]
        if top is not None:
            return int(top)
        cleared = db.execute("SELECT value FROM meta WHERE key='cleared_up_to'").fetchone()
        return int(cleared[0]) if cleared else 0

    def _hash_of(self, db: sqlite3.Connection, number: int) -> str:
        if number == 0:
            return GENESIS_HASH
        row = db.execute("SELECT hash FROM documents WHERE number=?", (number,)).fetchone()
        if row is not None:
            return row[0]
        cleared = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('cleared_up_to', 'cleared_hash')"))
        if cleared.get("cleared_up_to") == str(number):
            return cleared["cleared_hash"]
        raise corrupt(self.path, f"document {number} is missing from the chain")

    def documents_between(self, start_iso: str, end_iso: str) -> list[JournalEntry]:
        """Registered documents created in [start, end), number order."""
        return self._entries("WHERE created >= ? AND created < ? AND number IS NOT NULL ORDER BY number",
                             (start_iso, end_iso))

    def sales_by_item(self, start_iso: str, end_iso: str) -> list[ItemTotal]:
        """Per item (code, name) in [start, end): sold and refunded qty and sum; annulled documents left out."""
        rows = self._db.execute(
            "SELECT code, name, "
            "SUM(CASE WHEN doc_type='sale' THEN qty ELSE 0 END), SUM(CASE WHEN doc_type='sale' THEN total ELSE 0 END), "
            "SUM(CASE WHEN doc_type='refund' THEN qty ELSE 0 END), "
            "SUM(CASE WHEN doc_type='refund' THEN total ELSE 0 END) "
            "FROM doc_lines l WHERE created >= ? AND created < ? AND NOT EXISTS "
            "(SELECT 1 FROM documents a WHERE a.target_number = l.number AND a.type = 'annulment' "
            "AND a.number IS NOT NULL) "
            "GROUP BY code, name ORDER BY code, name", (start_iso, end_iso))
        return [ItemTotal(*r) for r in rows]

    def totals_by_payment(self, start_iso: str, end_iso: str) -> dict[PaymentType, PaymentTotal]:
        rows = self._db.execute(
            "SELECT type, SUM(CASE WHEN doc_type='sale' THEN amount ELSE 0 END), "
            "SUM(CASE WHEN doc_type='refund' THEN amount ELSE 0 END) "
            "FROM doc_payments p WHERE created >= ? AND created < ? AND NOT EXISTS "
            "(SELECT 1 FROM documents a WHERE a.target_number = p.number AND a.type = 'annulment' "
            "AND a.number IS NOT NULL) "
            "GROUP BY type", (start_iso, end_iso))
        return {PaymentType(t): PaymentTotal(PaymentType(t), s, r) for t, s, r in rows}

    def shifts(self) -> list[ShiftSummary]:
        rows = self._db.execute(
            "SELECT shift, MAX(CASE WHEN type='shift_open' THEN created END), "
            "MAX(CASE WHEN type='shift_close' THEN created END), MIN(number), MAX(number), COUNT(*) "
            "FROM documents WHERE number IS NOT NULL GROUP BY shift ORDER BY shift")
        return [ShiftSummary(*r) for r in rows]

    def count(self) -> int:
        """Registered documents held (cleared ones are not counted)."""
        return self._db.execute("SELECT COUNT(number) FROM documents").fetchone()[0]

    # ---- meta, intents, draft ----------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def intents(self) -> IntentLog:
        """The outside effects journaled before they were sent (card, ОПЛАТИ)."""
        return IntentLog(self._db, self._tx)

    def effects_of(self, op_id: str) -> Effects:
        row = self._db.execute("SELECT effects FROM documents WHERE op_id=?", (op_id,)).fetchone()
        return Effects.loads(row[0] if row else None)

    def save_draft(self, draft: dict | None) -> None:
        """The receipt being built, saved on every change; None when it is finished or cancelled."""
        with self._tx() as db:
            if draft is None:
                db.execute("DELETE FROM draft")
            else:
                db.execute("INSERT OR REPLACE INTO draft VALUES (1, ?)", (json.dumps(draft, ensure_ascii=False),))

    def load_draft(self) -> dict | None:
        row = self._db.execute("SELECT body FROM draft").fetchone()
        return json.loads(row[0]) if row else None

    # ---- verification and export ------------------------------------------------------------

    def verify(self, public_key_pem: str | None = None) -> VerifyResult:
        """Re-walk numbering, chain hashes and (with the SKO key) the SKO signatures, then hold the journal against
        its head, its report columns and tables and its clear marker (storage.journal_audit); stops at the first break."""
        result = verify_journal(self._db, public_key_pem)
        if not result.ok:
            return result
        return journal_audit.audit(self._db, self.path, self._device_public(), result.count) or result

    def _device_public(self) -> str | None:
        path = key_path(os.path.dirname(os.path.abspath(self.path)))
        if not os.path.exists(path):
            return None
        return public_pem(device_key(os.path.dirname(os.path.abspath(self.path))))

    def export_lines(self) -> Iterator[dict]:
        """Every document as a JSON-ready dict, registered ones in number order, then pending ones."""
        return export_rows(self._db)

    def raw(self) -> sqlite3.Connection:
        """The connection, for the maintenance code in storage.archive only."""
        return self._db


def sqlite_refusal(e: sqlite3.Error, path: str) -> StorageError:
    """SQLite's words for a failed write as the refusal the cashier sees (the detail keeps SQLite's text)."""
    text = str(e).lower()
    if "full" in text:
        return StorageError("DISK_FULL", f"{path}: {e}", path=path)
    if "locked" in text or "busy" in text:
        return StorageError("STORAGE_IO", f"{path}: {e} (another writer holds the database)", path=path)
    return StorageError("STORAGE_IO", f"{path}: {e}", path=path)


def _parse(body: str) -> Document:
    try:
        return from_dict(json.loads(body))
    except (FiscalError, json.JSONDecodeError) as e:
        raise StorageError("JOURNAL_CORRUPT", f"a journaled document cannot be read back: {e}") from None


def _entry(r: tuple) -> JournalEntry:
    (op_id, typ, shift, body, status, number, uid, reg_time, sig, serial, h, prev, printed_at, reason, cheque) = r
    reg = None if number is None else Registration(number=number, uid=uid, time=reg_time, signature=sig,
                                                   sko_serial=serial or "", cheque=cheque_loads(cheque))
    return JournalEntry(op_id=op_id, doc=_parse(body), status=Status(status), registration=reg, hash=h,
                        prev_hash=prev, shift=shift, number=number, type=typ, printed_at=printed_at,
                        fail_reason=reason)
