"""A simulated ОПЛАТИ cash-register API: a real HTTP server on loopback with scriptable customer behaviour.

It serves the four published calls only (oplati-by/go-acquiring: webPayments/v2, payments/{id},
payments/{id}/reversals, paymentReports), answers in the Go client's DTO shapes, and fails the
way the service does: any other route is 404 with the documented error body `{code,
internalCode, devMessage, userMessage{lang_ru, lang_en}}` (no list of internal codes is
published, so `internalCode` is left empty), a payment nobody confirms ends by itself with
status 4 after `confirm_window` seconds, reversals are capped at the unreversed rest of the sale,
and an orderNumber is used once.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from fiscal.money import format_money
from hal.protocols.oplati import (
    OplatiOperation,
    OplatiStatus,
    WireMoney,
    dumps_wire,
)
from sim.oplati_rules import ApiError, operation_request

MODES = {
    "confirm": OplatiStatus.OK,
    "decline": OplatiStatus.DECLINE,
    "not_enough": OplatiStatus.NOT_ENOUGH,
    "timeout": OplatiStatus.TIMEOUT,
    "pending": OplatiStatus.IN_PROGRESS,      # the customer never answers: the service's window ends it
}
REVERSAL_MODES = {
    "ok": OplatiStatus.OK,                    # completed in the answer
    "slow": OplatiStatus.IN_PROGRESS,         # answered IN_PROGRESS, completed after `confirm_after`
    "decline": OplatiStatus.DECLINE,
    "cancel": OplatiStatus.TECHNICAL_CANCELLING,
}
CONFIRM_WINDOW = 300.0     # s; the real window is not published (payment-statuses.go: "предопределенного")
MAX_REQUEST = 1 << 20


@dataclass
class SimPayment:
    """One operation held by the service (sale or reversal)."""

    payment_id: int
    operation: int
    amount: int
    order_number: str
    shift: str
    items: list[tuple[int, str, int]]
    status: int
    planned: int                      # the status it turns into at `resolve_at`
    resolve_at: float | None          # wall-clock time; None = never by the customer
    created: str
    paid: str = ""
    parent: int | None = None         # for a reversal: the sale it reverses
    purse: str = ""
    deadline: float | None = None     # the service's own window: IN_PROGRESS at this time becomes 4

    def settle(self, now: float) -> None:
        if self.status != OplatiStatus.IN_PROGRESS:
            return
        if self.resolve_at is not None and now >= self.resolve_at and self.planned != OplatiStatus.IN_PROGRESS:
            self._end(self.planned, self.resolve_at)
        elif self.deadline is not None and now >= self.deadline:
            self._end(OplatiStatus.TIMEOUT, self.deadline)

    def _end(self, status: int, at: float) -> None:
        self.status = int(status)
        self.paid = _iso(at)
        if self.status == OplatiStatus.OK and self.operation == OplatiOperation.SALE:
            self.purse = f"SIM{self.payment_id:09d}"

    def wire(self) -> dict:
        return {"paymentId": self.payment_id, "paymentType": self.operation, "sum": WireMoney(self.amount),
                "status": self.status, "createdDate": self.created, "paidDate": self.paid or self.created,
                "orderNumber": self.order_number, "pursePublicId": self.purse}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class _State:
    next_id: int = 1001
    payments: dict[int, SimPayment] = field(default_factory=dict)


class SimOplati:
    """The service. `set_mode` decides what the customer does with payments created from now on."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, reg_num: str = "OPL000011111",
                 password: str = "secret", confirm_after: float = 0.2, confirm_window: float = CONFIRM_WINDOW,
                 state_path: str | Path | None = None) -> None:
        self.host, self.port = host, port
        self.reg_num, self.password = reg_num, password
        self.confirm_after = confirm_after
        self.confirm_window = confirm_window
        self.mode = "confirm"
        self.reversal_mode = "ok"
        self.offline = False
        self.requests = 0
        self.lose_answers = 0             # the next N money-changing POSTs are done, their answers lost
        self._state_path = Path(state_path) if state_path else None
        self._lock = threading.RLock()
        self._state = self._load()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle

    def start(self) -> SimOplati:
        self._listen()
        return self

    def stop(self) -> None:
        self._unlisten()

    def __enter__(self) -> SimOplati:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Like the real hosts, the API lives under /ms-pay (docs/oplati.md)."""
        return f"http://{self.host}:{self.port}/ms-pay"

    def _listen(self) -> None:
        server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="sim-oplati", daemon=True)
        self._thread.start()

    def _unlisten(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # -- behaviour control

    def set_mode(self, mode: str, confirm_after: float | None = None) -> None:
        """confirm | decline | not_enough | timeout | pending, for payments created from now on."""
        if mode not in MODES:
            raise ValueError(f"unknown Оплати mode {mode!r}; use one of {', '.join(MODES)}")
        with self._lock:
            self.mode = mode
            if confirm_after is not None:
                self.confirm_after = confirm_after

    def set_reversal_mode(self, mode: str) -> None:
        """ok | slow | decline | cancel, for reversals made from now on."""
        if mode not in REVERSAL_MODES:
            raise ValueError(f"unknown Оплати reversal mode {mode!r}; use one of {', '.join(REVERSAL_MODES)}")
        with self._lock:
            self.reversal_mode = mode

    def lose_next_answer(self, count: int = 1) -> None:
        """The next `count` creates/reversals are carried out, but the connection drops before the answer."""
        with self._lock:
            self.lose_answers = count

    def set_offline(self, offline: bool, *, refuse: bool = False) -> None:
        """offline: answer 503 to everything; with refuse=True, close the port (connection refused)."""
        with self._lock:
            self.offline = offline
        if offline and refuse and self._server is not None:
            self._unlisten()
        elif not offline and self._server is None and self.port:
            self._listen()

    def resolve(self, payment_id: int, status: OplatiStatus) -> None:
        """The customer acts now on an unconfirmed payment (for manual and scenario control)."""
        with self._lock:
            payment = self._state.payments.get(payment_id)
            if payment is None:
                raise ValueError(f"no Оплати payment {payment_id}")
            payment.planned, payment.resolve_at = int(status), time.time()
            payment.settle(time.time())
            self._save()

    def last_payment_id(self) -> int | None:
        """The newest sale, for `oplati resolve last ...`."""
        with self._lock:
            sales = [p.payment_id for p in self._state.payments.values() if p.operation == OplatiOperation.SALE]
            return max(sales) if sales else None

    def payment(self, payment_id: int) -> SimPayment | None:
        with self._lock:
            found = self._state.payments.get(payment_id)
            if found is not None:
                found.settle(time.time())
            return found

    def reversed_total(self, payment_id: int) -> int:
        """Kopecks of `payment_id` returned or being returned (reversals at status 0 or 1)."""
        with self._lock:
            now = time.time()
            total = 0
            for p in self._state.payments.values():
                if p.parent == payment_id:
                    p.settle(now)
                    if p.status in (OplatiStatus.IN_PROGRESS, OplatiStatus.OK):
                        total += p.amount
            return total

    # -- persistence

    def _load(self) -> _State:
        if self._state_path is None or not self._state_path.exists():
            return _State()
        try:
            raw = json.loads(self._state_path.read_text("utf-8"))
            known = {f.name for f in fields(SimPayment)}
            payments = {}
            for item in raw["payments"]:
                item = {k: v for k, v in item.items() if k in known}
                item["items"] = [tuple(x) for x in item["items"]]
                payments[item["payment_id"]] = SimPayment(**item)
            return _State(int(raw["next_id"]), payments)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"Оплати simulator state {self._state_path} is unreadable: {exc}") from None

    def _save(self) -> None:
        if self._state_path is None:
            return
        data = {"next_id": self._state.next_id, "payments": [asdict(p) for p in self._state.payments.values()]}
        fd, tmp = tempfile.mkstemp(dir=self._state_path.parent, prefix=".oplati-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._state_path)

    # -- the API

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, object, bool]:
        """One request -> (HTTP status, JSON-able answer, answer lost). Thread-safe."""
        with self._lock:
            self.requests += 1
            if self.offline:
                raise ApiError(503, "simulated outage", "Сервис временно недоступен", "Service temporarily unavailable")
            url = urllib.parse.urlsplit(path)
            route = url.path[len("/ms-pay"):] if url.path.startswith("/ms-pay/") else None
            if route is None:                 # outside /ms-pay there is no API, only the web server's 404
                raise ApiError(404, f"no route {method} {url.path}", "", "", plain=True)
            if headers.get("regnum") != self.reg_num or headers.get("password") != self.password:
                raise ApiError(401, "RegNum/Password do not match a cash register",
                               "Неверный номер кассы или пароль", "Wrong cash register number or password")
            for route_method, pattern, action in _ROUTES:
                match = pattern.fullmatch(route)
                if match and route_method == method:
                    answer = action(self, match, url.query, body)
                    lost = method == "POST" and self.lose_answers > 0
                    if lost:
                        self.lose_answers -= 1
                    return 200, answer, lost
            raise ApiError(404, f"no route {method} {url.path}", "Не найдено", "Not found")

    def _get(self, payment_id: int) -> SimPayment:
        payment = self._state.payments.get(payment_id)
        if payment is None:
            raise ApiError(404, f"payment {payment_id} does not exist", "Платёж не найден", "Payment not found")
        payment.settle(time.time())
        return payment

    def _add(self, payment: SimPayment) -> SimPayment:
        self._state.payments[payment.payment_id] = payment
        self._state.next_id += 1
        self._save()
        return payment

    def _create(self, match: re.Match, query: str, body: bytes) -> object:
        amount, order, shift, items = self._operation_request(body)
        now = time.time()
        planned = MODES[self.mode]
        resolve_at = None if planned == OplatiStatus.IN_PROGRESS else now + self.confirm_after
        payment = SimPayment(self._state.next_id, OplatiOperation.SALE, amount, order, shift, items,
                             OplatiStatus.IN_PROGRESS, planned, resolve_at, _iso(now),
                             deadline=now + self.confirm_window)
        payment.settle(now)
        self._add(payment)
        return {"paymentId": payment.payment_id, "redirectUrl": f"{self.base_url}/pay/{payment.payment_id}"}

    def _status(self, match: re.Match, query: str, body: bytes) -> object:
        return self._get(int(match.group(1))).wire()

    def _reverse(self, match: re.Match, query: str, body: bytes) -> object:
        sale = self._get(int(match.group(1)))
        amount, order, shift, items = self._operation_request(body)
        if sale.operation != OplatiOperation.SALE or sale.status != OplatiStatus.OK:
            raise ApiError(400, f"payment {sale.payment_id} is not a paid sale",
                           "Платёж не оплачен, возврат невозможен", "Payment is not paid; cannot reverse")
        rest = sale.amount - self.reversed_total(sale.payment_id)
        if amount > rest:
            raise ApiError(400, f"reversal {format_money(amount)} > unreversed {format_money(rest)}",
                           f"Сумма возврата больше остатка платежа ({format_money(rest)} BYN)",
                           "Reversal exceeds the unreversed rest of the payment")
        now = time.time()
        planned = REVERSAL_MODES[self.reversal_mode]
        slow = planned == OplatiStatus.IN_PROGRESS
        reversal = SimPayment(self._state.next_id, OplatiOperation.SALE_REVERSAL, amount, order, shift, items,
                              OplatiStatus.IN_PROGRESS, OplatiStatus.OK if slow else planned,
                              now + self.confirm_after if slow else now, _iso(now), parent=sale.payment_id,
                              deadline=now + self.confirm_window)
        reversal.settle(now)
        return self._add(reversal).wire()

    def _report(self, match: re.Match, query: str, body: bytes) -> object:
        shift = urllib.parse.parse_qs(query).get("shift", [""])[0]
        if not shift:
            raise ApiError(400, "query parameter shift is required", "Не указана смена", "Shift is required")
        now = time.time()
        found = [p for p in self._state.payments.values() if p.shift == shift]
        for p in found:
            p.settle(now)
        return [p.wire() for p in sorted(found, key=lambda p: p.payment_id)]

    def _operation_request(self, body: bytes) -> tuple[int, str, str, list[tuple[int, str, int]]]:
        amount, order, shift, items = operation_request(body, self.reg_num)
        if any(p.order_number == order for p in self._state.payments.values()):
            raise ApiError(400, f"orderNumber {order!r} already used",
                           "Номер заказа уже использован", "Order number already used")
        return amount, order, shift, items


_ROUTES: list[tuple[str, re.Pattern, Callable[..., object]]] = [
    ("POST", re.compile(r"/pos/webPayments/v2"), SimOplati._create),
    ("GET", re.compile(r"/pos/payments/(\d{1,18})"), SimOplati._status),
    ("POST", re.compile(r"/pos/payments/(\d{1,18})/reversals"), SimOplati._reverse),
    ("GET", re.compile(r"/pos/paymentReports"), SimOplati._report),
]


def _handler_for(sim: SimOplati) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, method: str) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            lost = False
            if not 0 <= length <= MAX_REQUEST:
                status, answer = 413, ApiError(413, "body too large", "Слишком большой запрос",
                                               "Request too large").body()
            else:
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    status, answer, lost = sim.handle(method, self.path, headers, body)
                except ApiError as exc:
                    status, answer = exc.http_status, exc.body()
            self.close_connection = True
            if lost:
                return                    # done at the service; the connection closes without an answer
            plain = isinstance(answer, str)
            raw = answer.encode() if plain else dumps_wire(answer)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if plain else "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args: object) -> None:
            return  # the register's log is the place for this, not the test output

    return Handler
