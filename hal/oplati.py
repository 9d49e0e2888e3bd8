"""ОПЛАТИ (Oplati) QR payments: the cash-register API client — create, poll, reverse, find, reconcile.

The four published calls, as Оплати's own clients make them (github oplati-by/go-acquiring,
php-acquiring, bitrix-acquiring): `POST /pos/webPayments/v2`, `GET /pos/payments/{id}`,
`POST /pos/payments/{id}/reversals`, `GET /pos/paymentReports?shift=`, with the headers
`RegNum` / `Password` and JSON bodies in the wire form of `hal.protocols.oplati`. There is no
register-side cancel: a payment the customer has not confirmed ends by itself (status 4 or 5),
so a payment whose end was not seen is *unknown* (OPLATI_UNKNOWN), never declined.
Hosts: docs/oplati.md.
"""
from __future__ import annotations

import http.client
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hal.protocols.oplati import (
    DEVICE,
    ItemLike,
    OplatiCreated,
    OplatiError,
    OplatiItem,
    OplatiItemType,
    OplatiOperation,
    OplatiPayment,
    OplatiReversal,
    OplatiStatus,
    WireMoney,
    dumps_wire,
    items_wire,
    loads_wire,
    oplati_error,
    parse_created,
    parse_payment,
    parse_report,
    parse_server_error,
    reversal_order_number,
)
from texts import t

__all__ = ["DEVICE", "OplatiClient", "OplatiCreated", "OplatiError", "OplatiItem", "OplatiItemType",
           "OplatiOperation", "OplatiPayment", "OplatiReconciliation", "OplatiReversal", "OplatiStatus",
           "reconcile", "reversal_order_number"]

MAX_BODY = 1 << 20            # an answer larger than 1 MiB is not an Оплати answer
SALE_ITEM = "Оплата покупки"  # the one line sent when the receipt lines do not add up to the amount
REVERSAL_ITEM = "Возврат покупки"
POLL_INTERVAL = 2.5           # s between status polls: BX-OLD sleeps 3 s, Magento check_status_timeout = 3
STOP_CHECK = 0.1              # s: how soon a stop request ends a wait
REVERSAL_WAIT = 30.0          # s a reversal answered IN_PROGRESS is polled before it is reported unknown
_TRANSIENT = {408, 425, 429}  # answered, but "try again": not a refusal

ProgressCallback = Callable[[str], None]
StopCheck = Callable[[], bool]


class _MaybeDone(Exception):
    """A request left us, but no answer came back: the service may have acted on it."""

    def __init__(self, detail: str, server: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.server = server              # a 5xx answer's userMessage.lang_ru, if it had one


class OplatiClient:
    """The register's side of the Оплати cash-register API. Every failure is an OplatiError."""

    def __init__(self, base_url: str, reg_num: str, password: str, *, timeout: float = 5.0,
                 poll_interval: float = POLL_INTERVAL, proxy: str | None = None) -> None:
        if not isinstance(poll_interval, (int, float)) or poll_interval <= 0:
            raise ValueError(f"poll_interval must be a positive number of seconds, got {poll_interval!r}")
        self.base_url = base_url.rstrip("/")
        self.reg_num = reg_num
        self.password = password
        self.timeout = timeout
        self.poll_interval = float(poll_interval)
        proxies = {} if proxy is None else {"http": proxy, "https": proxy}
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))

    # -- sale

    def create_payment(self, amount: int, order_number: str, items: Sequence[ItemLike],
                       shift: str | None, footer: str = "") -> OplatiCreated:
        """Create a sale; the customer pays it by the QR of `redirect_url` (then `wait()`).

        `items` are OplatiItem or (name, line total in kopecks[, OplatiItemType]); when they do
        not add up to `amount` (part of a mixed-tender receipt) one line for `amount` is sent.
        `order_number` must be unique and journaled first. Raises OPLATI_UNKNOWN (no `payment_id`)
        when the request went out but no answer came: `find(order_number, shift)` tells whether
        the payment exists. OPLATI_OFFLINE means nothing was sent; OPLATI_AUTH / _REFUSED /
        _NOT_FOUND are the service's refusals (nothing created).
        """
        if not isinstance(order_number, str) or not order_number:
            raise ValueError("order_number must be unique and non-empty")
        details = {"regNum": self.reg_num, **items_wire(amount, items, SALE_ITEM), "footerInfo": footer}
        body = {**_shift(shift), "sum": WireMoney(amount), "orderNumber": order_number,
                "regNum": self.reg_num, "details": details,
                "successUrl": "", "failureUrl": "", "notificationUrl": ""}
        try:
            return parse_created(self._post("/pos/webPayments/v2", body, order_number), amount, order_number)
        except OplatiError as exc:
            if exc.code == "OPLATI_BAD_ANSWER":   # it answered 200: created, but we cannot read its id
                raise _unknown(exc.detail, order_number=order_number) from None
            raise

    def status(self, payment_id: int | str) -> OplatiPayment:
        """The current state of a payment or reversal (also after a restart: only the id is needed)."""
        return parse_payment(self._call("GET", f"/pos/payments/{_check_id(payment_id)}"))

    def wait(self, payment_id: int | str, timeout: float, progress: ProgressCallback | None = None,
             should_stop: StopCheck | None = None) -> OplatiPayment:
        """Poll every `poll_interval` s until the payment ends; return it only when paid (status 1).

        Status 2–5 raise OPLATI_DECLINED / _NOT_ENOUGH / _TIMEOUT / _CANCELLED with `.payment`.
        Anything else raises OPLATI_UNKNOWN with `.payment_id` (and `.payment`, the last state
        seen): at the deadline, when `should_stop()` turns true (the cashier's «Отмена» stops the
        waiting, not the payment — variant OPLATI_STOPPED), and after errors that never cleared.
        The payment may still be paid later: keep asking `status(payment_id)`.
        """
        pid = _check_id(payment_id)
        last, cause = self._poll_until_final(pid, timeout, progress, should_stop)
        if last is not None and last.final:
            return last.require_ok()
        stopped = should_stop is not None and should_stop()
        server = cause.server if cause is not None else ""
        variant = "OPLATI_STOPPED" if stopped else ("OPLATI_UNKNOWN_SERVER" if server else None)
        raise _unknown(f"payment {pid}: not ended after {timeout:g} s"
                       + (f" (last error: {cause.code} {cause.detail})" if cause is not None else "")
                       + (", the cashier stopped waiting" if stopped else ""),
                       payment=last, payment_id=pid, variant=variant, server=server)

    def find(self, order_number: str, shift: str) -> OplatiPayment | None:
        """The operation created with `order_number` in `shift` (a sale, or a reversal by its
        `reversal_order_number`), for recovery after a lost create or reversal answer; None
        when the shift report proves it absent. Raises like `report()`."""
        for payment in self.report(shift):
            if payment.order_number == order_number:
                return payment
        return None

    # -- refund

    def reverse(self, payment_id: int | str, amount: int, items: Sequence[ItemLike], *, operation_id: str,
                shift: str | None, footer: str = "", timeout: float = REVERSAL_WAIT,
                should_stop: StopCheck | None = None) -> OplatiReversal:
        """Full or partial refund of a paid sale; returns only when the service completed it (status 1).

        Its `orderNumber` is `reversal_order_number(operation_id)`: journal that before calling,
        and on a repeat pass the same operation id. An answer IN_PROGRESS is polled until it ends.
        Raises OPLATI_REFUSED (variant OPLATI_REVERSAL_FAILED) when it ended with 2–5, OPLATI_REFUSED
        / _AUTH / _NOT_FOUND for the service's refusals (above the unreversed rest, not paid...),
        OPLATI_OFFLINE when nothing was sent, and OPLATI_UNKNOWN when its end was not seen: with
        `payment_id` = the reversal's id when it is known (poll `wait_reversal`), without one when
        the answer was lost (`find(order_number, shift)`).
        """
        sale_id = _check_id(payment_id)
        order = reversal_order_number(operation_id)
        details = {"regNum": self.reg_num, **items_wire(amount, items, REVERSAL_ITEM), "footerInfo": footer}
        body = {**_shift(shift), "sum": WireMoney(amount), "orderNumber": order,
                "regNum": self.reg_num, "details": details}
        try:
            answer = parse_payment(self._post(f"/pos/payments/{sale_id}/reversals", body, order))
        except OplatiError as exc:
            if exc.code == "OPLATI_BAD_ANSWER":
                raise _unknown(exc.detail, order_number=order, variant="OPLATI_REVERSAL_UNKNOWN") from None
            raise
        return self._settle_reversal(sale_id, answer.payment_id, answer, timeout, should_stop)

    def wait_reversal(self, payment_id: int | str, reversal_id: int | str, *, timeout: float = REVERSAL_WAIT,
                      should_stop: StopCheck | None = None) -> OplatiReversal:
        """Poll a reversal that was IN_PROGRESS (or found by `find`) until it ends; raises as `reverse`."""
        sale_id, rid = _check_id(payment_id), _check_id(reversal_id)
        return self._settle_reversal(sale_id, rid, self._status_or_none(rid), timeout, should_stop)

    def _settle_reversal(self, sale_id: int, rid: int, answer: OplatiPayment | None, timeout: float,
                         should_stop: StopCheck | None) -> OplatiReversal:
        if answer is None or not answer.final:
            answer, _ = self._poll_until_final(rid, timeout, None, should_stop, first=answer)
        if answer is None or not answer.final:
            raise _unknown(f"reversal {rid} of payment {sale_id}: not ended after {timeout:g} s",
                           payment=answer, payment_id=rid, variant="OPLATI_REVERSAL_UNKNOWN")
        if not answer.ok:
            why = f"reversal {rid} of payment {sale_id} ended with status {int(answer.status)} ({answer.status.name})"
            raise oplati_error("OPLATI_REFUSED", why, dev_message=why, payment=answer, variant="OPLATI_REVERSAL_FAILED")
        return OplatiReversal(answer.payment_id, sale_id, answer.amount, answer.status,
                              answer.order_number, answer.created_at)

    # -- shift report

    def report(self, shift: str) -> tuple[OplatiPayment, ...]:
        """All operations of a shift (sales and reversals, every status), for reconciliation."""
        if not isinstance(shift, str) or not shift:
            raise ValueError("the shift report needs the shift the operations were sent with")
        query = urllib.parse.urlencode({"shift": shift})
        return parse_report(self._call("GET", f"/pos/paymentReports?{query}"))

    def reconcile(self, shift: str, expected: Mapping[str, int]) -> OplatiReconciliation:
        """Compare the shift report with what the register booked: `expected` maps the orderNumber of
        every sale and reversal the register counts as done to its amount in kopecks."""
        return reconcile(self.report(shift), expected)

    # -- polling

    def _poll_until_final(self, pid: int, timeout: float, progress: ProgressCallback | None,
                          should_stop: StopCheck | None, first: OplatiPayment | None = None,
                          ) -> tuple[OplatiPayment | None, OplatiError | None]:
        """(last state seen, the error of the last poll if it failed) once it is final, at the
        deadline or when stopped."""
        deadline = time.monotonic() + timeout
        last: OplatiPayment | None = first
        cause: OplatiError | None = None
        while True:
            if self._sleep(min(self.poll_interval, max(deadline - time.monotonic(), 0)), should_stop):
                return last, cause
            try:
                last, cause = self.status(pid), None
            except OplatiError as exc:        # whatever it is, the payment's fate is still open
                cause = exc
            if last is not None and last.final:
                return last, cause
            if progress is not None:
                progress(t("oplati.progress.retrying" if cause is not None else "oplati.progress.waiting"))
            if should_stop is not None and should_stop():
                return last, cause
            if time.monotonic() >= deadline:
                return last, cause

    @staticmethod
    def _sleep(seconds: float, should_stop: StopCheck | None) -> bool:
        """Sleep, looking at `should_stop` every STOP_CHECK s; True when it asked to stop."""
        end = time.monotonic() + seconds
        pause = threading.Event()
        while True:
            if should_stop is not None and should_stop():
                return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            pause.wait(min(left, STOP_CHECK))

    def _status_or_none(self, pid: int) -> OplatiPayment | None:
        try:
            return self.status(pid)
        except OplatiError:
            return None

    # -- transport

    def _post(self, path: str, body: object, order_number: str) -> object:
        """A POST that changes money: a lost or 5xx answer is OPLATI_UNKNOWN, never a refusal."""
        try:
            return self._call("POST", path, body, unsafe=True)
        except _MaybeDone as exc:
            base = "OPLATI_REVERSAL_UNKNOWN" if path.endswith("/reversals") else "OPLATI_UNKNOWN"
            variant = f"{base}_SERVER" if exc.server else (base if base != "OPLATI_UNKNOWN" else None)
            raise _unknown(exc.detail, order_number=order_number, variant=variant, server=exc.server) from None

    def _call(self, method: str, path: str, body: object | None = None, *, unsafe: bool = False) -> object:
        headers = {"RegNum": self.reg_num, "Password": self.password, "Accept": "application/json"}
        data = None
        if body is not None:
            data = dumps_wire(body)
            headers["Content-Type"] = "application/json; charset=utf-8"
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        where = f"{method} {path.split('?')[0]}"
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read(MAX_BODY + 1)
        except urllib.error.HTTPError as exc:
            try:
                raw = exc.read(MAX_BODY + 1)
            except (OSError, http.client.HTTPException):
                raw = b""
            error = _http_error(exc.code, raw, where)
            if unsafe and error.code == "OPLATI_OFFLINE":    # a 5xx after the request arrived: done or not?
                raise _MaybeDone(error.detail, error.server) from None
            raise error from None
        except urllib.error.URLError as exc:
            # urllib raises URLError only while connecting and sending: the request did not arrive whole.
            raise oplati_error("OPLATI_OFFLINE", dev_message=f"{where}: {exc.reason}") from None
        except (OSError, http.client.HTTPException) as exc:
            if unsafe:                       # sent, but the answer was lost on the way back
                raise _MaybeDone(f"{where}: no answer ({type(exc).__name__}: {exc})") from None
            raise oplati_error("OPLATI_OFFLINE", dev_message=f"{where}: {exc}") from None
        if len(raw) > MAX_BODY:
            raise oplati_error("OPLATI_BAD_ANSWER", dev_message=f"{where}: answer longer than {MAX_BODY} bytes")
        return loads_wire(raw)


@dataclass(frozen=True)
class OplatiReconciliation:
    """The shift report against the register's books; `ok` when every completed operation agrees."""

    sales: int                                   # kopecks of sales at status 1
    reversals: int                               # kopecks of reversals at status 1
    matched: tuple[str, ...]
    only_at_service: tuple[OplatiPayment, ...]   # done (status 1) at Оплати, not booked: money without a document
    only_booked: tuple[str, ...]                 # booked, but absent or not status 1 at Оплати
    differ: tuple[tuple[str, int, int], ...]     # (orderNumber, booked, service)
    in_progress: tuple[OplatiPayment, ...]       # status 0: not ended yet

    @property
    def net(self) -> int:
        return self.sales - self.reversals

    @property
    def ok(self) -> bool:
        return not (self.only_at_service or self.only_booked or self.differ)


def reconcile(report: Sequence[OplatiPayment], expected: Mapping[str, int]) -> OplatiReconciliation:
    """Pure comparison of a shift report with the booked operations (orderNumber -> kopecks)."""
    done = {p.order_number: p for p in report if p.ok}
    sales = sum(p.amount for p in done.values() if p.operation in (OplatiOperation.SALE, OplatiOperation.PURCHASE))
    back = sum(p.amount for p in done.values() if p.operation not in (OplatiOperation.SALE, OplatiOperation.PURCHASE))
    matched = tuple(o for o in expected if o in done and done[o].amount == expected[o])
    differ = tuple((o, expected[o], done[o].amount) for o in expected if o in done and done[o].amount != expected[o])
    return OplatiReconciliation(
        sales=sales, reversals=back, matched=matched,
        only_at_service=tuple(p for o, p in done.items() if o not in expected),
        only_booked=tuple(o for o in expected if o not in done), differ=differ,
        in_progress=tuple(p for p in report if not p.final))


def _shift(shift: str | None) -> dict:
    """The shift goes in every create and reversal; unknown (None or "") it is left out, as the Go
    client's `json:"shift,omitempty"` does, never sent as an empty string."""
    if shift is None or shift == "":
        return {}
    if not isinstance(shift, str):
        raise ValueError(f"shift must be text, e.g. the shift number or ДДММГГГГ, got {shift!r}")
    return {"shift": shift}


def _unknown(detail: str, **kwargs: object) -> OplatiError:
    return oplati_error("OPLATI_UNKNOWN", detail, dev_message=detail, **kwargs)


def _check_id(payment_id: int | str) -> int:
    """A payment id as kept in the journal or in `Payment.ref`: an int or its decimal text."""
    if isinstance(payment_id, str) and payment_id.isascii() and payment_id.isdigit() and len(payment_id) < 19:
        payment_id = int(payment_id)
    if isinstance(payment_id, bool) or not isinstance(payment_id, int) or not 0 < payment_id < 1 << 63:
        raise ValueError(f"payment_id must be a positive integer, got {payment_id!r}")
    return payment_id


def _http_error(status: int, raw: bytes, where: str) -> OplatiError:
    """Any non-200 answer (Go: ServerError). The code follows the HTTP status; the cashier sees the
    service's userMessage.lang_ru whenever it sent one."""
    body = parse_server_error(raw)
    server = body.lang_ru if body is not None else ""
    dev = f"HTTP {status} on {where}" + (
        f": {' '.join(x for x in (body.code, body.internal_code, body.dev_message) if x)}" if body else "")
    if status in (401, 403):
        code = "OPLATI_AUTH"
    elif status == 404:
        code = "OPLATI_NOT_FOUND"
    elif status >= 500 or status in _TRANSIENT:
        code = "OPLATI_OFFLINE"
    elif 400 <= status < 500:
        code = "OPLATI_REFUSED"
    else:
        code = "OPLATI_BAD_ANSWER"
    if server:
        variant = None if code == "OPLATI_REFUSED" else f"{code}_SERVER"
    elif code == "OPLATI_REFUSED":
        variant = "OPLATI_REFUSED_PLAIN"
    elif code == "OPLATI_NOT_FOUND" and body is None:
        variant = "OPLATI_NO_SERVICE"        # not the service's error body: most likely a wrong URL (no /ms-pay)
    else:
        variant = None
    return oplati_error(code, dev_message=dev, server=server, variant=variant, http_status=status)
