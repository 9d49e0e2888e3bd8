"""Test helpers: build real documents and registrations signed by a throwaway SKO key."""
from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fiscal.documents import CashIn, Document, Registration, Sale, ShiftOpen, document_digest, priced_fields, registration_payload
from fiscal.receipt import ItemInput, Payment, PaymentType, calculate


def sale(op_id: str, shift: int = 1, created: str = "2024-03-01T10:00:00+03:00", price: int = 249,
         qty: int = 2000, code: str = "1001", name: str = "Молоко", pay: PaymentType = PaymentType.CASH,
         paid: int | None = None) -> Sale:
    calc = calculate([ItemInput(name=name, price=price, qty=qty, vat="10", code=code)],
                     payments=[Payment(pay, paid if paid is not None else price * qty // 1000)])
    return Sale(op_id=op_id, shift=shift, cashier="Иванова", created=created, **priced_fields(calc))


def shift_open(op_id: str, shift: int = 1, created: str = "2024-03-01T08:00:00+03:00") -> ShiftOpen:
    return ShiftOpen(op_id=op_id, shift=shift, cashier="Иванова", created=created)


def cash_in(op_id: str, amount: int, shift: int = 1, created: str = "2024-03-01T09:00:00+03:00") -> CashIn:
    return CashIn(op_id=op_id, shift=shift, cashier="Иванова", created=created, amount=amount)


class FakeSko:
    """Registers documents like the SKO: gap-free numbers, uid, ECDSA P-256 signatures chained by prev_signature."""

    def __init__(self, start: int = 1, prev_signature: str = "", seed: int | None = None) -> None:
        self.key = (ec.generate_private_key(ec.SECP256R1()) if seed is None
                    else ec.derive_private_key(seed, ec.SECP256R1()))
        self.number = start - 1
        self.prev_sig = prev_signature

    @property
    def public_pem(self) -> str:
        return self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def register(self, doc: Document, time: str = "2024-03-01T10:00:01+03:00") -> Registration:
        self.number += 1
        uid = hashlib.sha256(doc.op_id.encode()).hexdigest()[:24]
        payload = registration_payload(document_digest(doc), self.number, uid, time, self.prev_sig)
        sig = self.key.sign(payload, ec.ECDSA(hashes.SHA256())).hex()
        self.prev_sig = sig
        return Registration(number=self.number, uid=uid, time=time, signature=sig, sko_serial="SKO-TEST")
