"""ОПЛАТИ cash-register API wire form: statuses, errors, values, exact-decimal JSON, answer parsers.

Shared by the client (hal/oplati.py) and the simulated service (sim/oplati.py). Sums are JSON
numbers in BYN on the wire ("sum": 12.30) and integer kopecks here; fractional numbers are
parsed as text, never as `float`.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from enum import IntEnum
from typing import cast

from fiscal.money import MAX_SUM, format_money
from hal.errors import DeviceError

DEVICE = "oplati"


class OplatiStatus(IntEnum):
    IN_PROGRESS = 0           # waiting for the customer to confirm on the phone
    OK = 1                    # paid: goods may be handed over
    DECLINE = 2
    NOT_ENOUGH = 3            # insufficient wallet funds
    TIMEOUT = 4
    TECHNICAL_CANCELLING = 5  # cancelled by the register or the system

    @property
    def final(self) -> bool:
        return self is not OplatiStatus.IN_PROGRESS


class OplatiOperation(IntEnum):
    SALE = 1
    PURCHASE = 2
    SALE_REVERSAL = 3
    PURCHASE_REVERSAL = 4


class OplatiError(DeviceError):
    """Every Оплати failure. `payment` is the last known state when there is one; `server` is the
    service's own userMessage (shown to the cashier), `dev_message` its devMessage (for the log)."""

    def __init__(self, code: str, detail: str = "", *, payment: OplatiPayment | None = None,
                 dev_message: str = "", server: str = "") -> None:
        super().__init__(code, detail or dev_message, DEVICE, server=server)
        self.payment = payment
        self.dev_message = dev_message


_FAILED_STATUS_CODES = {
    OplatiStatus.DECLINE: "OPLATI_DECLINED",
    OplatiStatus.NOT_ENOUGH: "OPLATI_NOT_ENOUGH",
    OplatiStatus.TIMEOUT: "OPLATI_TIMEOUT",
    OplatiStatus.TECHNICAL_CANCELLING: "OPLATI_CANCELLED",
}


def oplati_error(code: str, detail: str = "", **kwargs: object) -> OplatiError:
    """An OplatiError for `code`; its text comes from the catalogues, `detail` goes to the log."""
    return OplatiError(code, detail, **kwargs)  # type: ignore[arg-type]


def bad_answer(detail: str) -> OplatiError:
    return oplati_error("OPLATI_BAD_ANSWER", detail, dev_message=detail)


# --------------------------------------------------------------------------- values

@dataclass(frozen=True)
class OplatiPayment:
    """One Оплати operation as the service reports it. `payment_id` is the ref kept for refunds."""

    payment_id: int
    status: OplatiStatus
    amount: int = 0                       # kopecks
    qr: str = ""                          # what the QR on the customer display encodes
    order_number: str = ""
    operation: OplatiOperation = OplatiOperation.SALE
    created_at: str = ""
    paid_at: str = ""
    purse_public_id: str = ""

    @property
    def final(self) -> bool:
        return self.status.final

    @property
    def ok(self) -> bool:
        return self.status is OplatiStatus.OK

    @property
    def ref(self) -> str:
        """The transaction reference stored in the receipt payment (`Payment.ref`)."""
        return str(self.payment_id)

    def require_ok(self) -> "OplatiPayment":
        """Return self when paid; raise OPLATI_DECLINED / _NOT_ENOUGH / _TIMEOUT / _CANCELLED otherwise."""
        if self.ok:
            return self
        if self.status is OplatiStatus.IN_PROGRESS:
            raise oplati_error("OPLATI_TIMEOUT", payment=self)
        raise oplati_error(_FAILED_STATUS_CODES[self.status], payment=self)


@dataclass(frozen=True)
class OplatiReversal:
    """A reversal (full or partial refund) of a paid Оплати sale."""

    reversal_id: int
    payment_id: int                       # the reversed sale
    amount: int
    status: OplatiStatus
    order_number: str = ""
    created_at: str = ""


# --------------------------------------------------------------------------- wire form

@dataclass(frozen=True)
class WireMoney:
    """A sum in kopecks that goes on the wire as a JSON number in BYN (1230 -> 12.30)."""

    kopecks: int


class WireNumber(str):
    """A JSON number with a fraction or exponent, kept as its exact text."""


def dumps_wire(value: object) -> bytes:
    """JSON-encode dicts/lists/str/int/bool/None/WireMoney; money as an exact decimal number."""
    return _encode(value).encode("utf-8")


def _encode(value: object) -> str:
    if isinstance(value, WireMoney):
        return format_money(value.kopecks)
    if value is None or isinstance(value, (bool, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{_encode(v)}"
                              for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    raise TypeError(f"cannot put {type(value).__name__} on the Оплати wire")


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def loads_wire(raw: bytes) -> object:
    """Parse an answer body; fractional numbers stay text (WireNumber). Raises OPLATI_BAD_ANSWER."""
    try:
        return json.loads(raw.decode("utf-8"), parse_float=WireNumber, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise bad_answer(f"body is not JSON ({type(exc).__name__}: {str(exc)[:80]})") from None


def money_from_wire(value: object, field: str) -> int:
    """A positive BYN JSON number (int or decimal text) -> kopecks, exactly. Raises OPLATI_BAD_ANSWER."""
    shape = f"{field}: {str(value)[:40]!r} is not a sum in BYN with at most 2 decimals"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise bad_answer(shape)
    if isinstance(value, int):
        kopecks = value * 100 if abs(value) <= MAX_SUM else MAX_SUM + 1
    else:
        if len(value) > 40:
            raise bad_answer(shape)
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise bad_answer(shape) from None
        if not number.is_finite() or number.adjusted() > 14:
            raise bad_answer(shape)
        with localcontext() as ctx:
            ctx.prec = 100            # exact for ≤ 40 digits: nothing is rounded away
            scaled = number * 100
        if scaled != scaled.to_integral_value():
            raise bad_answer(shape)
        kopecks = int(scaled)
    if not 0 < kopecks <= MAX_SUM:
        raise bad_answer(f"{field}: {str(value)[:40]!r} is out of range 0.01 … 99999999999.99")
    return kopecks


def _field(obj: dict, name: str, kind: type, *, required: bool = True, default: object = None) -> object:
    if name not in obj or obj[name] is None:
        if required:
            raise bad_answer(f"field {name!r} is missing")
        return default
    value = obj[name]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise bad_answer(f"{name}: {str(value)[:40]!r} is not an integer")
    if kind is str and (not isinstance(value, str) or isinstance(value, WireNumber)):
        raise bad_answer(f"{name}: {str(value)[:40]!r} is not a string")
    return value


def _positive_id(obj: dict, name: str) -> int:
    value = cast(int, _field(obj, name, int))
    if not 0 < value < 1 << 63:
        raise bad_answer(f"{name}: {value} is not a positive 64-bit id")
    return value


def _enum(obj: dict, name: str, enum: type[IntEnum], default: int | None = None) -> IntEnum:
    value = _field(obj, name, int, required=default is None, default=default)
    try:
        return enum(value)
    except ValueError:
        raise bad_answer(f"{name}: {value} is not a known {enum.__name__}") from None


def parse_payment(value: object) -> OplatiPayment:
    """A `GET /pos/payments/{id}` answer -> OplatiPayment. Raises only OPLATI_BAD_ANSWER."""
    if not isinstance(value, dict):
        raise bad_answer(f"expected a payment object, got {type(value).__name__}")
    return OplatiPayment(
        payment_id=_positive_id(value, "paymentId"),
        status=OplatiStatus(_enum(value, "status", OplatiStatus)),
        amount=money_from_wire(_field(value, "sum", object), "sum"),
        order_number=str(_field(value, "orderNumber", str, required=False, default="")),
        operation=OplatiOperation(_enum(value, "paymentType", OplatiOperation, default=1)),
        created_at=str(_field(value, "createdDate", str, required=False, default="")),
        paid_at=str(_field(value, "paidDate", str, required=False, default="")),
        purse_public_id=str(_field(value, "pursePublicId", str, required=False, default="")),
    )


def parse_created(value: object, amount: int, order_number: str) -> OplatiPayment:
    """A `POST /pos/webPayments/v2` answer -> an IN_PROGRESS OplatiPayment with its QR payload."""
    if not isinstance(value, dict):
        raise bad_answer(f"expected an object with paymentId, got {type(value).__name__}")
    payment_id = _positive_id(value, "paymentId")
    qr = cast(str, _field(value, "qr", str, required=False) or _field(value, "redirectUrl", str))
    if not qr:
        raise bad_answer("redirectUrl is empty: nothing to show as the QR")
    return OplatiPayment(payment_id, OplatiStatus.IN_PROGRESS, amount, qr, order_number)


def parse_report(value: object) -> tuple[OplatiPayment, ...]:
    """A `GET /pos/paymentReports` answer (a list of payments). Raises only OPLATI_BAD_ANSWER."""
    if not isinstance(value, list):
        raise bad_answer(f"expected a list of payments, got {type(value).__name__}")
    return tuple(parse_payment(item) for item in value)


def parse_server_error(raw: bytes) -> tuple[str, str]:
    """The documented error body -> (Russian user message, developer message); ('', '') if absent."""
    try:
        body = loads_wire(raw)
    except OplatiError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    user = body.get("userMessage")
    ru = user.get("lang_ru") if isinstance(user, dict) else None
    dev = body.get("devMessage")
    internal = body.get("internalCode")
    dev_text = " ".join(str(p) for p in (internal, dev) if isinstance(p, str) and p)
    return (ru if isinstance(ru, str) else ""), dev_text


def items_wire(amount: int, items: Sequence[tuple[str, int]], fallback_name: str) -> dict:
    """The `details` items. Items that do not add up to `amount` (a mixed-tender receipt, or none
    given) are replaced by one line `fallback_name` for the whole amount: the service demands the sum."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_SUM:
        raise ValueError(f"amount must be kopecks in 1 … {MAX_SUM}, got {amount!r}")
    for name, cost in items:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"item name must be a non-empty string, got {name!r}")
        if isinstance(cost, bool) or not isinstance(cost, int):
            raise ValueError(f"item {name!r}: cost must be integer kopecks, got {cost!r}")
    lines = list(items)
    if not lines or any(cost <= 0 for _, cost in lines) or sum(cost for _, cost in lines) != amount:
        lines = [(fallback_name, amount)]
    return {"items": [{"type": 1, "name": name, "cost": WireMoney(cost)} for name, cost in lines],
            "amountTotal": WireMoney(amount)}
