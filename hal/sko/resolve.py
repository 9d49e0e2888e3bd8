"""Is the SKO's document number N this document? Matching a stored document's answer on type, sums, shift and time.

The published protocol has no operation id, so a document whose answer was lost is found by the
SKO's counter and the document it stored under the number it would have taken: the answer of
`copy(N)` must be of the same kind, carry the same sums and shift, and have been made within
`tolerance` of the document's creation. Anything less is not proof.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fiscal.documents import Annulment, CashIn, CashOut, Document, Refund, Sale, ShiftClose
from hal.errors import SkoError
from hal.protocols.ikassa import DOCUMENT_TYPE_OF_ID
from hal.protocols.ikassa_values import WireValueError, parse_int, parse_money

KIND_OF_DOC = {Sale: "sale", Refund: "moneyback", Annulment: "rollback", CashIn: "deposit", CashOut: "withdraw",
               ShiftClose: "z_report"}


def _kind_by_shape(a: dict[str, Any]) -> set[str]:
    if isinstance(a.get("target"), dict):
        return {"rollback"}
    if "totals" in a:
        return {"sale"}
    if "totalCash" in a or "totalCashless" in a:
        return {"moneyback"}
    if "sum" in a and "header" in a:
        return {"deposit", "withdraw"}
    if "currencyReports" in a or "firstSaleDocumentNumber" in a:
        return {"z_report"}
    return set()


def _money(d: dict[str, Any], key: str) -> int | None:
    try:
        return parse_money(d.get(key), key) if d.get(key) is not None else None
    except WireValueError:
        return None


def _int(d: dict[str, Any], key: str) -> int | None:
    try:
        return parse_int(d.get(key), key) if d.get(key) is not None else None
    except WireValueError:
        return None


def why_not(doc: Document, answer: Any, tolerance: timedelta, when: datetime | None) -> str | None:
    """None when `answer` (a copy of one stored document) is `doc`'s registration, else the reason it is not."""
    if not isinstance(answer, dict):
        return "the stored document is not an object"
    kind = KIND_OF_DOC.get(type(doc))
    header = answer.get("header") if isinstance(answer.get("header"), dict) else answer
    type_id = _int(header, "documentTypeId")
    kinds = {DOCUMENT_TYPE_OF_ID[type_id]} if type_id in DOCUMENT_TYPE_OF_ID else _kind_by_shape(answer)
    if kind not in kinds:
        return f"it is a {'/'.join(sorted(kinds)) or 'document of unknown kind'}, not a {kind}"
    shift = _int(header, "shiftNumber")
    if shift is not None and shift != doc.shift:
        return f"it belongs to shift {shift}, the document to shift {doc.shift}"
    if when is not None:
        made = datetime.fromisoformat(doc.created)
        if abs(when - made) > tolerance:
            return f"it was made at {when.isoformat()}, the document at {doc.created}"
    if isinstance(doc, Sale):
        totals = answer.get("totals") if isinstance(answer.get("totals"), dict) else {}
        if _money(totals, "sum") != doc.total_due:
            return f"its total is {totals.get('sum')!r}, the document's {doc.total_due / 100:.2f}"
    elif isinstance(doc, Refund):
        got = sum(v or 0 for v in (_money(answer, "totalCash"), _money(answer, "totalCashless"), _money(answer, "totalOther")))
        if got != doc.total_due:
            return f"it paid back {got / 100:.2f}, the document {doc.total_due / 100:.2f}"
    elif isinstance(doc, (CashIn, CashOut)):
        if _money(answer, "sum") != doc.amount:
            return f"its sum is {answer.get('sum')!r}, the document's {doc.amount / 100:.2f}"
    elif isinstance(doc, Annulment):
        target = answer.get("target", {}).get("header", {}) if isinstance(answer.get("target"), dict) else {}
        if _int(target, "documentNumber") not in (None, doc.target_number):
            return f"it annulled document {target.get('documentNumber')}, the document annuls {doc.target_number}"
    elif isinstance(doc, ShiftClose):
        if answer.get("closed") in (None, ""):
            return "the stored report is not a closed shift"
    return None


def unknown(detail: str) -> SkoError:
    return SkoError("SKO_UNKNOWN", f"cannot tell whether the SKO registered the document: {detail}"[:300])
