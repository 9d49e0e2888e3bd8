"""Fiscal documents as frozen dataclasses, their canonical JSON, and the SKO registration of one.

A document is built and validated here (pure), journaled as pending, registered by the SKO,
then printed. Its content never changes after that; a correction is a new document.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar

from fiscal.errors import FiscalError
from fiscal.money import format_money, format_qty, parse_money, parse_qty
from fiscal.receipt import MARKING_KINDS, CalcLine, CodeType, Marking, Payment, PaymentType, ReceiptCalc
from fiscal.sko_cheque import SkoCheque


class DocType(StrEnum):
    SHIFT_OPEN = "shift_open"
    SALE = "sale"
    REFUND = "refund"
    ANNULMENT = "annulment"
    CASH_IN = "cash_in"
    CASH_OUT = "cash_out"
    SHIFT_CLOSE = "shift_close"


class RefundKind(StrEnum):
    BY_RECEIPT = "by_receipt"      # lines of an earlier sale, partial or whole
    NO_RECEIPT = "no_receipt"      # goods returned without the receipt
    FUNDS = "funds"                # money back without goods (без дифференцированного учёта)


@dataclass(frozen=True, kw_only=True)
class Requisites:
    """What the SKO and the administrator say about the register; printed on every document."""

    org_name: str
    unp: str
    ksa_number: str
    shop_name: str = ""
    shop_address: str = ""
    sko_serial: str = ""


@dataclass(frozen=True, kw_only=True)
class Registration:
    """The SKO's answer to a registered document.

    `signature` is only there when the SKO type signs its answers (iKassa does not: our own hash
    chain covers uid and number). `cheque` holds the figures the SKO computed from the inputs, when
    its answer carries them; it is not journaled (the chain covers number, uid, time, signature, serial).
    """

    number: int           # gap-free over the register's life
    uid: str              # 24 hex characters ("" for a document the SKO gives no uid, e.g. a shift open)
    time: str             # ISO 8601 with offset
    signature: str = ""   # hex, optional
    sko_serial: str = ""
    cheque: SkoCheque | None = field(default=None, compare=False)


@dataclass(frozen=True, kw_only=True)
class Document:
    type: ClassVar[DocType]
    op_id: str
    shift: int
    cashier: str
    created: str          # ISO 8601 with offset, from the injected clock

    def money_fields(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, kw_only=True)
class ShiftOpen(Document):
    type: ClassVar[DocType] = DocType.SHIFT_OPEN


@dataclass(frozen=True, kw_only=True)
class _Priced(Document):
    lines: tuple[CalcLine, ...]
    total_cost: int
    discount_total: int
    total_due: int
    vat: tuple[tuple[str, int], ...]
    payments: tuple[Payment, ...]
    change: int

    @property
    def paid_by_type(self) -> dict[PaymentType, int]:
        out: dict[PaymentType, int] = {}
        for p in self.payments:
            out[p.type] = out.get(p.type, 0) + p.amount
        return out

    @property
    def cash_net(self) -> int:
        """Cash that stays in (sale) or leaves (refund) the drawer: cash paid minus change."""
        return self.paid_by_type.get(PaymentType.CASH, 0) - self.change


@dataclass(frozen=True, kw_only=True)
class Sale(_Priced):
    type: ClassVar[DocType] = DocType.SALE
    discount_card: str | None = None


@dataclass(frozen=True, kw_only=True)
class Refund(_Priced):
    type: ClassVar[DocType] = DocType.REFUND
    kind: RefundKind
    original_number: int | None = None
    original_uid: str | None = None
    original_lines: tuple[int, ...] = ()   # for each line, its index in the original sale (by_receipt)


@dataclass(frozen=True, kw_only=True)
class Annulment(Document):
    """Reverses the last payment document of the shift; its sums mirror that document."""

    type: ClassVar[DocType] = DocType.ANNULMENT
    target_number: int
    target_uid: str
    target_type: DocType
    total_due: int
    payments: tuple[Payment, ...]
    change: int = 0

    @property
    def cash_net(self) -> int:
        return sum(p.amount for p in self.payments if p.type is PaymentType.CASH) - self.change


@dataclass(frozen=True, kw_only=True)
class CashIn(Document):
    type: ClassVar[DocType] = DocType.CASH_IN
    amount: int


@dataclass(frozen=True, kw_only=True)
class CashOut(Document):
    type: ClassVar[DocType] = DocType.CASH_OUT
    amount: int


@dataclass(frozen=True, kw_only=True)
class ShiftClose(Document):
    """The Z report: the shift's counters frozen into a document (fiscal.reports builds them)."""

    type: ClassVar[DocType] = DocType.SHIFT_CLOSE
    counters: dict[str, Any] = field(default_factory=dict)


DOCUMENT_CLASSES: dict[DocType, type[Document]] = {
    DocType.SHIFT_OPEN: ShiftOpen, DocType.SALE: Sale, DocType.REFUND: Refund,
    DocType.ANNULMENT: Annulment, DocType.CASH_IN: CashIn, DocType.CASH_OUT: CashOut,
    DocType.SHIFT_CLOSE: ShiftClose,
}

_MONEY_KEYS = {"total_cost", "discount_total", "total_due", "change", "amount"}
_LINE_MONEY = {"price", "raw", "discount", "markup", "line", "receipt_discount", "receipt_markup", "total", "vat"}
# Optional line fields: written only when set, so the canonical form of older documents stays the same.
_LINE_OPTIONAL = {"code_type", "section_name", "tp_unp", "markings", "unit"}


def priced_fields(calc: ReceiptCalc) -> dict[str, Any]:
    """The keyword arguments a Sale or Refund takes from a calculation with payments."""
    if calc.change is None:
        raise FiscalError("NOT_ENOUGH_MONEY", "a sale needs its payments")
    return dict(lines=calc.lines, total_cost=calc.total_cost, discount_total=calc.discount_total,
                total_due=calc.total_due, vat=calc.vat, payments=calc.payment_list, change=calc.change)


def _line_to_dict(ln: CalcLine) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for f in fields(ln):
        v = getattr(ln, f.name)
        if f.name in _LINE_OPTIONAL and v in (None, ()):
            continue
        if f.name in _LINE_MONEY:
            v = format_money(v)
        elif f.name == "qty":
            v = format_qty(v)
        elif f.name == "code_type":
            v = v.value
        elif f.name == "markings":
            v = [{m.kind: m.code} for m in v]
        d[f.name] = v
    return d


def _marking_from_dict(d: object) -> Marking:
    if not isinstance(d, dict) or len(d) != 1:
        raise ValueError(f"a marking is one of {MARKING_KINDS} with its code, got {d!r}")
    (kind, code), = d.items()
    if kind not in MARKING_KINDS or not isinstance(code, str):
        raise ValueError(f"a marking is one of {MARKING_KINDS} with its code, got {d!r}")
    return Marking(kind, code)


def _line_from_dict(d: dict[str, Any]) -> CalcLine:
    kw = dict(d)
    for k in _LINE_MONEY:
        kw[k] = parse_money(kw[k], k)
    kw["qty"] = parse_qty(kw["qty"], "qty")
    if kw.get("code_type") is not None:
        kw["code_type"] = CodeType(kw["code_type"])
    if "markings" in kw:
        kw["markings"] = tuple(_marking_from_dict(m) for m in kw["markings"])
    return CalcLine(**kw)


def _payment_to_dict(p: Payment) -> dict[str, Any]:
    d: dict[str, Any] = {"type": p.type.value, "amount": format_money(p.amount)}
    if p.ref is not None:
        d["ref"] = p.ref
    if p.terminal is not None:
        d["terminal"] = p.terminal
    return d


def _payment_from_dict(d: dict[str, Any]) -> Payment:
    return Payment(PaymentType(d["type"]), parse_money(d["amount"], "amount"), d.get("ref"), d.get("terminal"))


def to_dict(doc: Document) -> dict[str, Any]:
    """A document as plain JSON types: money as 2-decimal strings, quantities as 3-decimal strings."""
    out: dict[str, Any] = {"type": doc.type.value}
    for f in fields(doc):
        v = getattr(doc, f.name)
        if f.name == "lines":
            v = [_line_to_dict(ln) for ln in v]
        elif f.name == "payments":
            v = [_payment_to_dict(p) for p in v]
        elif f.name == "vat":
            v = {k: format_money(a) for k, a in v}
        elif f.name in _MONEY_KEYS:
            v = format_money(v)
        elif isinstance(v, StrEnum):
            v = v.value
        elif isinstance(v, tuple):
            v = list(v)
        out[f.name] = v
    return out


def from_dict(d: dict[str, Any]) -> Document:
    """The inverse of to_dict; raises FiscalError BAD_FIELD on anything malformed."""
    try:
        cls = DOCUMENT_CLASSES[DocType(d["type"])]
        kw: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in d:
                continue
            v = d[f.name]
            if f.name == "lines":
                v = tuple(_line_from_dict(x) for x in v)
            elif f.name == "payments":
                v = tuple(_payment_from_dict(x) for x in v)
            elif f.name == "vat":
                v = tuple((k, parse_money(a, "vat")) for k, a in v.items())
            elif f.name in _MONEY_KEYS:
                v = parse_money(v, f.name)
            elif f.name == "kind":
                v = RefundKind(v)
            elif f.name == "target_type":
                v = DocType(v)
            elif f.name == "original_lines":
                v = tuple(int(x) for x in v)
            kw[f.name] = v
        return cls(**kw)
    except FiscalError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise FiscalError("BAD_FIELD", f"malformed document: {e!r}") from None


def canonical_json(obj: Any) -> bytes:
    """The byte form hashed and signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def canonical(doc: Document) -> bytes:
    return canonical_json(to_dict(doc))


def document_digest(doc: Document) -> str:
    """SHA-256 (hex) of the document's canonical JSON."""
    import hashlib
    return hashlib.sha256(canonical(doc)).hexdigest()


def registration_payload(doc_digest: str, number: int, uid: str, time: str, prev_signature: str) -> bytes:
    """The exact bytes the SKO signs (ECDSA P-256, SHA-256) for one registration.

    Each signature covers the previous one, so the SKO's signatures form a chain that
    `zpos journal verify` re-walks with the SKO public key pinned at set-up.
    """
    return canonical_json({"doc_sha256": doc_digest, "number": number, "uid": uid, "time": time,
                           "prev_signature": prev_signature})


def chain_hash(prev_hash: str, doc: Document, reg: Registration) -> str:
    """The journal's hash chain link: SHA-256 over the previous hash and the canonical registered document."""
    import hashlib
    body = canonical_json({"document": to_dict(doc), "registration": {
        "number": reg.number, "uid": reg.uid, "time": reg.time, "signature": reg.signature,
        "sko_serial": reg.sko_serial}})
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()
