"""ОПЛАТИ cash-register API wire form: statuses, errors, values, JSON numbers, answer parsers.

Shared by the client (hal/oplati.py) and the simulated service (sim/oplati.py). The shapes are
those of Оплати's own clients (github oplati-by/go-acquiring `dto.go`, php-acquiring `Dto/`).
Sums are JSON numbers in BYN on the wire and integer kopecks here. We send exact decimals
("sum": 12.30); the service encodes float64 and may answer 12.299999999999999, so an answer's
sum is rounded to the nearest kopeck, as the Go client does (`int64(math.Round(Sum*100))`,
conv.go); a true half kopeck, which no sum should have, goes up. Fractional numbers are parsed as text, never `float`.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import IntEnum
from typing import cast

from fiscal.money import MAX_SUM, format_money
from hal.errors import DeviceError

DEVICE = "oplati"


class OplatiStatus(IntEnum):
    """payment-statuses.go: the same numbers for sales and reversals."""

    IN_PROGRESS = 0           # waiting for the customer to confirm on the phone
    OK = 1                    # paid: goods may be handed over
    DECLINE = 2
    NOT_ENOUGH = 3            # insufficient wallet funds
    TIMEOUT = 4               # not confirmed within the service's own window
    TECHNICAL_CANCELLING = 5  # cancelled by the register or the system

    @property
    def final(self) -> bool:
        return self is not OplatiStatus.IN_PROGRESS


class OplatiOperation(IntEnum):
    """payment-types.go."""

    SALE = 1
    PURCHASE = 2
    SALE_REVERSAL = 3
    PURCHASE_REVERSAL = 4


class OplatiItemType(IntEnum):
    """payment.go PaymentItemType."""

    PRODUCT = 1
    SERVICE = 2


class OplatiError(DeviceError):
    """Every Оплати failure. `payment` is the last known state when there is one; `payment_id` the
    id the outcome belongs to (OPLATI_UNKNOWN); `server` is the service's own userMessage.lang_ru
    (shown to the cashier), `dev_message` its devMessage (for the log)."""

    def __init__(self, code: str, detail: str = "", *, payment: OplatiPayment | None = None,
                 payment_id: int | None = None, order_number: str = "", dev_message: str = "",
                 server: str = "", variant: str | None = None, http_status: int | None = None) -> None:
        if payment_id is None and payment is not None:
            payment_id = payment.payment_id
        super().__init__(code, detail or dev_message, DEVICE, variant=variant, server=server,
                         payment_id=payment_id if payment_id is not None else "")
        self.payment = payment
        self.payment_id = payment_id
        self.order_number = order_number
        self.dev_message = dev_message
        self.server = server
        self.http_status = http_status


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
class OplatiItem:
    """One line of the customer's receipt in the app (payment.go PaymentItem)."""

    name: str
    cost: int                                  # kopecks
    type: OplatiItemType = OplatiItemType.PRODUCT


ItemLike = OplatiItem | tuple[str, int] | tuple[str, int, OplatiItemType]


@dataclass(frozen=True)
class OplatiCreated:
    """The answer to `POST /pos/webPayments/v2` (dto.go newPaymentResponse): the payment is IN_PROGRESS."""

    payment_id: int
    redirect_url: str                          # "URL страницы для оплаты": what the QR on the display encodes
    amount: int
    order_number: str


@dataclass(frozen=True)
class OplatiPayment:
    """One Оплати operation as the service reports it (dto.go paymentInfoResponse)."""

    payment_id: int
    status: OplatiStatus
    amount: int = 0                       # kopecks
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

    def require_ok(self) -> OplatiPayment:
        """Self when paid; OPLATI_DECLINED / _NOT_ENOUGH / _TIMEOUT / _CANCELLED when it ended
        otherwise; OPLATI_UNKNOWN while it is still IN_PROGRESS."""
        if self.ok:
            return self
        if self.status is OplatiStatus.IN_PROGRESS:
            raise oplati_error("OPLATI_UNKNOWN", f"payment {self.payment_id} is still in progress", payment=self)
        raise oplati_error(_FAILED_STATUS_CODES[self.status], payment=self)


@dataclass(frozen=True)
class OplatiReversal:
    """A reversal (full or partial refund) of a paid Оплати sale that the service completed (status 1)."""

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
    if isinstance(value, WireNumber):
        return str.__str__(value)
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
    """A positive BYN JSON number (an int, or a WireNumber from loads_wire) -> kopecks, rounded to the
    kopeck (the service encodes float64: 12.299999999999999 is 12.30). A JSON string is not a sum
    (Go decodes float64). Raises OPLATI_BAD_ANSWER."""
    shape = f"{field}: {str(value)[:40]!r} is not a sum in BYN"
    if isinstance(value, bool) or not isinstance(value, (int, WireNumber)):
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
            ctx.prec = 100            # exact for ≤ 40 digits before the one rounding below
            kopecks = int((number * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
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
    """A `GET /pos/payments/{id}` / reversal / report entry -> OplatiPayment. Raises only OPLATI_BAD_ANSWER."""
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


def parse_created(value: object, amount: int, order_number: str) -> OplatiCreated:
    """A `POST /pos/webPayments/v2` answer `{paymentId, redirectUrl}` -> OplatiCreated."""
    if not isinstance(value, dict):
        raise bad_answer(f"expected an object with paymentId, got {type(value).__name__}")
    payment_id = _positive_id(value, "paymentId")
    url = cast(str, _field(value, "redirectUrl", str))
    if not url:
        raise bad_answer("redirectUrl is empty: nothing to show as the QR")
    return OplatiCreated(payment_id, url, amount, order_number)


def parse_report(value: object) -> tuple[OplatiPayment, ...]:
    """A `GET /pos/paymentReports` answer (a list of payments). Raises only OPLATI_BAD_ANSWER."""
    if not isinstance(value, list):
        raise bad_answer(f"expected a list of payments, got {type(value).__name__}")
    return tuple(parse_payment(item) for item in value)


@dataclass(frozen=True)
class ServerError:
    """The documented error body (dto.go errorResponse): `{code, internalCode, devMessage,
    userMessage{lang_ru, lang_en}}`. No list of codes is published: nothing branches on them."""

    code: str = ""
    internal_code: str = ""
    dev_message: str = ""
    lang_ru: str = ""
    lang_en: str = ""


def parse_server_error(raw: bytes) -> ServerError | None:
    """The error body, or None when the body is not the documented object (a proxy's HTML page)."""
    try:
        body = loads_wire(raw)
    except OplatiError:
        return None
    if not isinstance(body, dict) or not {"code", "devMessage", "userMessage"} & set(body):
        return None
    user = body.get("userMessage")
    user = user if isinstance(user, dict) else {}

    def text(obj: dict, key: str) -> str:
        v = obj.get(key)
        return str(v).strip()[:300] if isinstance(v, (str, int)) and not isinstance(v, bool) else ""
    return ServerError(text(body, "code"), text(body, "internalCode"), text(body, "devMessage"),
                       text(user, "lang_ru"), text(user, "lang_en"))


def normalise_items(items: Sequence[ItemLike]) -> list[OplatiItem]:
    """OplatiItem from items or (name, cost[, type]) tuples; a bad one is a ValueError naming it."""
    out = []
    for item in items:
        if not isinstance(item, OplatiItem):
            if not isinstance(item, tuple) or len(item) not in (2, 3):
                raise ValueError(f"an Оплати item is OplatiItem or (name, cost[, type]), got {item!r}")
            item = OplatiItem(item[0], item[1], OplatiItemType(item[2]) if len(item) == 3 else OplatiItemType.PRODUCT)
        if not isinstance(item.name, str) or not item.name.strip():
            raise ValueError(f"item name must be a non-empty string, got {item.name!r}")
        if isinstance(item.cost, bool) or not isinstance(item.cost, int):
            raise ValueError(f"item {item.name!r}: cost must be integer kopecks, got {item.cost!r}")
        out.append(item)
    return out


def items_wire(amount: int, items: Sequence[ItemLike], fallback_name: str) -> dict:
    """The `details` items. Items that do not add up to `amount` (a mixed-tender receipt, or none
    given) are replaced by one line `fallback_name` for the whole amount: the service demands the sum
    (Go: "at least one item"; sum == amountTotal == Σ cost, conv.go makePaymentItems)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_SUM:
        raise ValueError(f"amount must be kopecks in 1 … {MAX_SUM}, got {amount!r}")
    lines = normalise_items(items)
    if not lines or any(i.cost <= 0 for i in lines) or sum(i.cost for i in lines) != amount:
        lines = [OplatiItem(fallback_name, amount)]
    return {"items": [{"type": int(i.type), "name": i.name, "cost": WireMoney(i.cost)} for i in lines],
            "amountTotal": WireMoney(amount)}


_OPERATION_ID = re.compile(r"[A-Za-z0-9_-]{1,60}")


def reversal_order_number(operation_id: str) -> str:
    """The reversal's `orderNumber`, derived from the caller's operation id: the same id gives the
    same number, so a repeat after a lost answer is the same reversal (journal it before sending)."""
    if not isinstance(operation_id, str) or not _OPERATION_ID.fullmatch(operation_id):
        raise ValueError(f"operation_id must be 1–60 letters, digits, '-' or '_', got {operation_id!r}")
    return f"R-{operation_id}"
