"""Re-walking the fiscal journal (numbering, chain hashes, SKO signatures where given) and its JSON-lines export.

The chain hash covers every document with the SKO's number and uid; an SKO signature is optional
(the iKassa SKO gives none) and, with a pinned key, checked only on the documents that carry one.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fiscal.documents import Registration, chain_hash, document_digest, from_dict, registration_payload
from fiscal.errors import FiscalError
from storage.errors import StorageError
from storage.journal_schema import GENESIS_HASH, Status, VerifyResult

_EXPORT_FIELDS = ("number", "shift", "type", "uid", "op_id", "status", "created", "cashier", "total_due",
                  "payments", "change", "lines", "amount", "hash", "prev_hash")


def _load_key(pem: str) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as e:
        raise StorageError("BAD_SKO_KEY", f"the pinned SKO public key is not a PEM public key: {e}") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise StorageError("BAD_SKO_KEY", "the pinned SKO public key is not an ECDSA key")
    return key


def verify_journal(db: sqlite3.Connection, public_key_pem: str | None) -> VerifyResult:
    key = _load_key(public_key_pem) if public_key_pem else None
    meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN "
                           "('cleared_up_to', 'cleared_hash', 'cleared_signature')"))
    expected = int(meta.get("cleared_up_to", "0")) + 1
    prev_hash = meta.get("cleared_hash", GENESIS_HASH)
    prev_sig = meta.get("cleared_signature", "")
    count = 0
    rows = db.execute("SELECT number, body, digest, status, uid, reg_time, signature, sko_serial, hash, prev_hash "
                      "FROM documents WHERE number IS NOT NULL ORDER BY number")
    for number, body, digest, status, uid, rtime, sig, serial, h, stored_prev in rows:
        def broken(why: str) -> VerifyResult:
            return VerifyResult(False, count, number, why)  # noqa: B023 (called inside this iteration)
        if number != expected:
            return VerifyResult(False, count, expected, f"document {expected} is missing (next is {number})")
        if status not in (Status.REGISTERED, Status.PRINTED, Status.PRINT_FAILED):
            return broken(f"status {status!r} is not a registered status")
        try:
            doc = from_dict(json.loads(body))
        except (FiscalError, json.JSONDecodeError, TypeError) as e:
            return broken(f"the document cannot be read: {e}")
        if document_digest(doc) != digest:
            return broken("the document's content was changed after it was journaled")
        if stored_prev != prev_hash:
            return broken("prev_hash does not match the previous document's hash")
        reg = Registration(number=number, uid=uid or "", time=rtime, signature=sig or "", sko_serial=serial or "")
        if chain_hash(prev_hash, doc, reg) != h:
            return broken("the chain hash does not match the document and its registration")
        if key is not None and sig:
            payload = registration_payload(digest, number, uid, rtime, prev_sig)
            try:
                key.verify(bytes.fromhex(sig), payload, ec.ECDSA(hashes.SHA256()))
            except (InvalidSignature, ValueError):
                return broken("the SKO signature does not verify with the pinned SKO key")
        prev_hash, prev_sig, expected = h, sig or prev_sig, expected + 1
        count += 1
    return VerifyResult(True, count)


def export_rows(db: sqlite3.Connection) -> Iterator[dict]:
    rows = db.execute("SELECT body, status, number, uid, hash, prev_hash, reg_time, signature, printed_at, "
                      "fail_reason FROM documents ORDER BY number IS NULL, number, seq")
    for body, status, number, uid, h, prev, rtime, sig, printed_at, reason in rows:
        doc = json.loads(body)
        out = {k: None for k in _EXPORT_FIELDS}
        out.update({k: v for k, v in doc.items() if k not in ("lines", "payments", "change", "amount",
                                                                "total_due")})
        for k in ("total_due", "payments", "change", "lines", "amount"):
            if k in doc:
                out[k] = doc[k]
        out.update(number=number, uid=uid, status=status, hash=h, prev_hash=prev, registered=rtime,
                   signature=sig, printed_at=printed_at, fail_reason=reason)
        yield out
