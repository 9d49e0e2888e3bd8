"""What the chain walk alone cannot see: deleted last documents, edited columns and report tables, a forged clear.

- The head (`journal.head` beside the journal: the last registered number and its hash) is
  written after every registration; a journal that ends before its head lost its last documents.
- Every column a report reads (type, shift, time, cashier, total, target) and the report tables
  (`doc_lines`, `doc_payments`) must say what the document's own body says.
- A clear marker (`cleared_up_to` / `cleared_hash`) counts only with the device key's signature
  made when the register cleared, so editing the journal cannot hide its first documents.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from fiscal.documents import DocType, from_dict
from fiscal.receipt import PaymentType
from storage.fileops import atomic_write
from storage.journal_schema import VerifyResult

HEAD = "journal.head"


def head_path(journal_path: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(journal_path)), HEAD)


def write_head(journal_path: str, number: int, digest: str) -> None:
    atomic_write(head_path(journal_path), json.dumps({"number": number, "hash": digest}).encode("ascii"))


def read_head(journal_path: str) -> dict | None:
    try:
        with open(head_path(journal_path), encoding="ascii") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def clear_payload(up_to: int, digest: str) -> bytes:
    return f"zpos-clear/1 {up_to} {digest}".encode("ascii")


def _expected_rows(doc, number: int) -> tuple[Counter, Counter]:
    t = doc.type.value
    lines = Counter((number, t, doc.created, ln.code, ln.name, ln.qty, ln.total) for ln in doc.lines)
    by_type = dict(doc.paid_by_type)
    if doc.change:
        by_type[PaymentType.CASH] = by_type.get(PaymentType.CASH, 0) - doc.change
    pays = Counter((number, t, doc.created, p.value, a) for p, a in by_type.items())
    return lines, pays


def audit(db: sqlite3.Connection, journal_path: str, device_public_pem: str | None, count: int) -> VerifyResult | None:
    """None when the journal agrees with its head, its columns, its report tables and its clear marker."""
    last = db.execute("SELECT MAX(number) FROM documents").fetchone()[0] or 0
    head = read_head(journal_path)
    if head is not None:
        row = db.execute("SELECT hash FROM documents WHERE number=?", (head.get("number"),)).fetchone()
        if last < int(head.get("number", 0)) or (row is not None and row[0] != head.get("hash")):
            return VerifyResult(False, count, last + 1, f"the journal ends at document {last} but the register "
                                f"had registered up to {head.get('number')}: documents were removed")
    meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('cleared_up_to', 'cleared_hash', "
                           "'cleared_device_sig')"))
    if "cleared_up_to" in meta:
        if not _clear_signed(meta, device_public_pem):
            return VerifyResult(False, count, int(meta["cleared_up_to"]),
                                "the clear marker was not made by this register (its device signature does not verify)")
    lines_rows = Counter(db.execute("SELECT number, doc_type, created, code, name, qty, total FROM doc_lines"))
    pay_rows = Counter(db.execute("SELECT number, doc_type, created, type, amount FROM doc_payments"))
    want_lines: Counter = Counter()
    want_pays: Counter = Counter()
    for number, body, typ, shift, created, cashier, total, target in db.execute(
            "SELECT number, body, type, shift, created, cashier, total_due, target_number FROM documents "
            "WHERE number IS NOT NULL ORDER BY number"):
        doc = from_dict(json.loads(body))
        doc_total = getattr(doc, "total_due", getattr(doc, "amount", None))
        doc_target = getattr(doc, "target_number", None) or getattr(doc, "original_number", None)
        if (typ, shift, created, cashier, total, target) != (doc.type.value, doc.shift, doc.created, doc.cashier,
                                                             doc_total, doc_target):
            return VerifyResult(False, count, number, "a column reports read (type, shift, time, cashier, total or "
                                "target) differs from the document itself")
        if doc.type in (DocType.SALE, DocType.REFUND):
            lines, pays = _expected_rows(doc, number)
            want_lines.update(lines)
            want_pays.update(pays)
    if lines_rows != want_lines:
        bad = min(n for n, *_ in (lines_rows - want_lines) + (want_lines - lines_rows))
        return VerifyResult(False, count, bad, "the report table of lines differs from the documents")
    if pay_rows != want_pays:
        bad = min(n for n, *_ in (pay_rows - want_pays) + (want_pays - pay_rows))
        return VerifyResult(False, count, bad, "the report table of payments differs from the documents")
    return None


def _clear_signed(meta: dict, device_public_pem: str | None) -> bool:
    sig = meta.get("cleared_device_sig")
    if not sig or not device_public_pem:
        return False
    try:
        key = serialization.load_pem_public_key(device_public_pem.encode("ascii"))
        key.verify(bytes.fromhex(sig), clear_payload(int(meta["cleared_up_to"]), meta.get("cleared_hash", "")))
    except (InvalidSignature, ValueError, TypeError, AttributeError):
        return False
    return True
