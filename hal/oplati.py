"""ОПЛАТИ (Oplati) QR payments: the cash-register API client — create, poll, cancel, reverse, reconcile.

Talks the Оплати cash-register API (oplati-by/go-acquiring) over HTTP with `urllib`: auth
headers `RegNum` / `Password`, JSON bodies in the wire form of `hal.protocols.oplati`.
"""
from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Sequence

from hal.protocols.oplati import (
    DEVICE,
    OplatiError,
    OplatiOperation,
    OplatiPayment,
    OplatiReversal,
    OplatiStatus,
    WireMoney,
    WireNumber,
    bad_answer,
    dumps_wire,
    items_wire,
    loads_wire,
    money_from_wire,
    oplati_error,
    parse_created,
    parse_payment,
    parse_report,
    parse_server_error,
)

__all__ = ["DEVICE", "OplatiClient", "OplatiError", "OplatiOperation", "OplatiPayment",
           "OplatiReversal", "OplatiStatus", "WireMoney", "WireNumber", "bad_answer", "dumps_wire",
           "loads_wire", "money_from_wire", "oplati_error", "parse_created", "parse_payment",
           "parse_report", "parse_server_error"]

MAX_BODY = 1 << 20            # an answer larger than 1 MiB is not an Оплати answer
SALE_ITEM = "Оплата покупки"  # the one line sent when the receipt lines do not add up to the amount
REVERSAL_ITEM = "Возврат покупки"

ProgressCallback = Callable[[str], None]

# --------------------------------------------------------------------------- client

class OplatiClient:
    """The register's side of the Оплати cash-register API. Every failure is an OplatiError."""

    def __init__(self, base_url: str, reg_num: str, password: str, *, timeout: float = 5.0,
                 proxy: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.reg_num = reg_num
        self.password = password
        self.timeout = timeout
        proxies = {} if proxy is None else {"http": proxy, "https": proxy}
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))

    # -- operations

    def create_payment(self, amount: int, order_number: str, items: Sequence[tuple[str, int]],
                       shift: str, footer: str = "") -> OplatiPayment:
        """Create a sale; returns it IN_PROGRESS with `qr` to show on the customer display.

        `items` are (name, line total in kopecks) for the customer's receipt in the app; when they
        do not add up to `amount` (part of a mixed-tender receipt) one line for `amount` is sent.
        `order_number` must be unique: journal it first, then `find()` recovers a lost id.
        """
        if not order_number:
            raise ValueError("order_number must be unique and non-empty")
        details = {"regNum": self.reg_num, **items_wire(amount, items, SALE_ITEM), "footerInfo": footer}
        body = {"shift": shift, "sum": WireMoney(amount), "orderNumber": order_number,
                "regNum": self.reg_num, "details": details,
                "successUrl": "", "failureUrl": "", "notificationUrl": ""}
        return parse_created(self._call("POST", "/pos/webPayments/v2", body), amount, order_number)

    def status(self, payment_id: int | str) -> OplatiPayment:
        """The current state of a payment (also after a register restart: only the id is needed)."""
        return parse_payment(self._call("GET", f"/pos/payments/{_check_id(payment_id)}"))

    def wait(self, payment_id: int | str, timeout: float, poll: float = 0.2,
             progress: ProgressCallback | None = None, *, cancel_on_deadline: bool = True) -> OplatiPayment:
        """Poll until the customer answers; return the payment only when it is paid (status 1).

        Status 2–5 raise OPLATI_DECLINED / _NOT_ENOUGH / _TIMEOUT / _CANCELLED. A lost
        connection while polling is retried until the deadline. At the deadline the payment is
        technically cancelled (so a late confirmation cannot take money without a receipt); if
        it turns out to be paid meanwhile it is returned. Otherwise OPLATI_TIMEOUT is raised with
        the last known payment in `.payment` — still IN_PROGRESS if the cancel could not be
        delivered: then ask `status()` later — or OPLATI_OFFLINE if the service never answered.
        """
        deadline = time.monotonic() + timeout
        last: OplatiPayment | None = None
        offline: OplatiError | None = None
        while True:
            try:
                last = self.status(payment_id)
                offline = None
            except OplatiError as exc:
                if exc.code != "OPLATI_OFFLINE":
                    raise
                offline = exc
            if last is not None and last.final:
                return last.require_ok()
            if progress is not None:
                progress("ОПЛАТИ: нет связи, повторяем запрос" if offline
                         else "ОПЛАТИ: ждём подтверждения в приложении покупателя")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            time.sleep(min(poll, remaining))
        if cancel_on_deadline:
            last = self._cancel_at_deadline(payment_id, last)
            if last is not None and last.ok:
                return last
        if offline is not None and last is None:
            raise offline
        raise oplati_error("OPLATI_TIMEOUT", payment=last)

    def _cancel_at_deadline(self, payment_id: int | str, last: OplatiPayment | None) -> OplatiPayment | None:
        try:
            return self.cancel(payment_id)
        except OplatiError as exc:
            if exc.code != "OPLATI_REFUSED":
                return last                      # cancel not delivered: the payment stays IN_PROGRESS
        try:                                     # refused: most likely confirmed at the last moment
            return self.status(payment_id)
        except OplatiError:
            return last

    def cancel(self, payment_id: int | str) -> OplatiPayment:
        """Technically cancel an unconfirmed payment (status 5). A paid one is refused: reverse it."""
        return parse_payment(self._call("POST", f"/pos/payments/{_check_id(payment_id)}/cancel", {}))

    def reverse(self, payment_id: int | str, amount: int, items: Sequence[tuple[str, int]], *,
                shift: str = "", order_number: str | None = None, footer: str = "") -> OplatiReversal:
        """Full or partial refund of a paid sale. Above the unreversed rest or unpaid: OPLATI_REFUSED."""
        order = order_number or f"R{_check_id(payment_id)}-{uuid.uuid4().hex[:12]}"
        details = {"regNum": self.reg_num, **items_wire(amount, items, REVERSAL_ITEM), "footerInfo": footer}
        body = {"shift": shift, "sum": WireMoney(amount), "orderNumber": order,
                "regNum": self.reg_num, "details": details}
        answer = parse_payment(self._call("POST", f"/pos/payments/{_check_id(payment_id)}/reversals", body))
        return OplatiReversal(answer.payment_id, _check_id(payment_id), answer.amount, answer.status,
                              answer.order_number or order, answer.created_at)

    def report(self, shift: str) -> tuple[OplatiPayment, ...]:
        """All operations of a shift (sales and reversals), for reconciliation."""
        query = urllib.parse.urlencode({"shift": shift})
        return parse_report(self._call("GET", f"/pos/paymentReports?{query}"))

    def find(self, order_number: str, shift: str) -> OplatiPayment | None:
        """The payment created with `order_number` in `shift`, for recovery when its id was never saved."""
        for payment in self.report(shift):
            if payment.order_number == order_number and payment.operation is OplatiOperation.SALE:
                return payment
        return None

    # -- transport

    def _call(self, method: str, path: str, body: object | None = None) -> object:
        headers = {"RegNum": self.reg_num, "Password": self.password, "Accept": "application/json"}
        data = None
        if body is not None:
            data = dumps_wire(body)
            headers["Content-Type"] = "application/json; charset=utf-8"
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read(MAX_BODY + 1)
        except urllib.error.HTTPError as exc:
            try:
                raw = exc.read(MAX_BODY + 1)
            except (OSError, http.client.HTTPException):
                raw = b""
            raise _http_error(exc.code, raw, path) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise oplati_error("OPLATI_OFFLINE", dev_message=f"{method} {path}: {exc}") from None
        if len(raw) > MAX_BODY:
            raise bad_answer(f"{method} {path}: answer longer than {MAX_BODY} bytes")
        return loads_wire(raw)


def _check_id(payment_id: int | str) -> int:
    """A payment id as kept in the journal or in `Payment.ref`: an int or its decimal text."""
    if isinstance(payment_id, str) and payment_id.isascii() and payment_id.isdigit() and len(payment_id) < 19:
        payment_id = int(payment_id)
    if isinstance(payment_id, bool) or not isinstance(payment_id, int) or payment_id <= 0:
        raise ValueError(f"payment_id must be a positive integer, got {payment_id!r}")
    return payment_id


def _http_error(status: int, raw: bytes, path: str) -> OplatiError:
    user, dev = parse_server_error(raw)
    dev = f"HTTP {status} on {path}" + (f": {dev}" if dev else "")
    if status in (401, 403):
        code = "OPLATI_AUTH"
    elif status == 404:
        code = "OPLATI_NOT_FOUND"
    elif status in (400, 409, 422):
        code = "OPLATI_REFUSED"
    elif status >= 500:
        code = "OPLATI_OFFLINE"
    else:
        code = "OPLATI_BAD_ANSWER"
    return oplati_error(code, dev_message=dev, server=user)
