"""A simulated ОПЛАТИ cash-register API: a real HTTP server on loopback with scriptable customer behaviour."""
from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from fiscal.money import format_money
from hal.protocols.oplati import OplatiError, OplatiOperation, OplatiStatus, WireMoney, dumps_wire, loads_wire, money_from_wire

MODES = {
    "confirm": OplatiStatus.OK,
    "decline": OplatiStatus.DECLINE,
    "not_enough": OplatiStatus.NOT_ENOUGH,
    "timeout": OplatiStatus.TIMEOUT,
    "pending": OplatiStatus.IN_PROGRESS,      # the customer never answers
}
MAX_REQUEST = 1 << 20


@dataclass
class SimPayment:
    """One operation held by the service (sale or reversal)."""

    payment_id: int
    operation: int
    amount: int
    order_number: str
    shift: str
    items: list[tuple[str, int]]
    status: int
    planned: int                      # the status it turns into at `resolve_at`
    resolve_at: float | None          # wall-clock time; None = never by itself
    created: str
    paid: str = ""
    parent: int | None = None         # for a reversal: the sale it reverses
    reversed_total: int = 0           # for a sale: kopecks reversed so far
    purse: str = ""

    def settle(self, now: float) -> None:
        if self.status == OplatiStatus.IN_PROGRESS and self.resolve_at is not None and now >= self.resolve_at:
            self.status = self.planned
            self.paid = _iso(now)
            if self.status == OplatiStatus.OK:
                self.purse = f"SIM{self.payment_id:09d}"

    def wire(self) -> dict:
        return {"paymentId": self.payment_id, "paymentType": self.operation, "sum": WireMoney(self.amount),
                "status": self.status, "createdDate": self.created, "paidDate": self.paid or self.created,
                "orderNumber": self.order_number, "pursePublicId": self.purse}


class ApiError(Exception):
    """An answer with the documented error body."""

    def __init__(self, http_status: int, internal: str, dev: str, ru: str, en: str) -> None:
        super().__init__(dev)
        self.http_status, self.internal, self.dev, self.ru, self.en = http_status, internal, dev, ru, en

    def body(self) -> dict:
        return {"code": str(self.http_status), "internalCode": self.internal, "devMessage": self.dev,
                "userMessage": {"lang_ru": self.ru, "lang_en": self.en}}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class _State:
    next_id: int = 1001
    payments: dict[int, SimPayment] = field(default_factory=dict)


class SimOplati:
    """The service. `set_mode` decides what the customer does with payments created from now on."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, reg_num: str = "OPL000011111",
                 password: str = "secret", confirm_after: float = 0.2, state_path: str | Path | None = None) -> None:
        self.host, self.port = host, port
        self.reg_num, self.password = reg_num, password
        self.confirm_after = confirm_after
        self.mode = "confirm"
        self.offline = False
        self.requests = 0
        self._state_path = Path(state_path) if state_path else None
        self._lock = threading.RLock()
        self._state = self._load()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle

    def start(self) -> "SimOplati":
        self._listen()
        return self

    def stop(self) -> None:
        self._unlisten()

    def __enter__(self) -> "SimOplati":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

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
            payment = self._state.payments[payment_id]
            payment.planned, payment.resolve_at = int(status), time.time()
            payment.settle(time.time())
            self._save()

    def payment(self, payment_id: int) -> SimPayment | None:
        with self._lock:
            found = self._state.payments.get(payment_id)
            if found is not None:
                found.settle(time.time())
            return found

    # -- persistence

    def _load(self) -> _State:
        if self._state_path is None or not self._state_path.exists():
            return _State()
        try:
            raw = json.loads(self._state_path.read_text("utf-8"))
            payments = {}
            for item in raw["payments"]:
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

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, object]:
        """One request -> (HTTP status, JSON-able answer). Thread-safe."""
        with self._lock:
            self.requests += 1
            if self.offline:
                raise ApiError(503, "SERVICE_UNAVAILABLE", "simulated outage",
                               "Сервис временно недоступен", "Service temporarily unavailable")
            if headers.get("regnum") != self.reg_num or headers.get("password") != self.password:
                raise ApiError(401, "AUTH_FAILED", "RegNum/Password do not match a cash register",
                               "Неверный номер кассы или пароль", "Wrong cash register number or password")
            url = urllib.parse.urlsplit(path)
            for route_method, pattern, action in _ROUTES:
                match = pattern.fullmatch(url.path)
                if match and route_method == method:
                    return 200, action(self, match, url.query, body)
            raise ApiError(404, "NOT_FOUND", f"no route {method} {url.path}", "Не найдено", "Not found")

    def _get(self, payment_id: int) -> SimPayment:
        payment = self._state.payments.get(payment_id)
        if payment is None:
            raise ApiError(404, "PAYMENT_NOT_FOUND", f"payment {payment_id} does not exist",
                           "Платёж не найден", "Payment not found")
        payment.settle(time.time())
        return payment

    def _create(self, match: re.Match, query: str, body: bytes) -> object:
        amount, order, shift, items = _operation_request(body, self.reg_num)
        if any(p.order_number == order for p in self._state.payments.values()):
            raise ApiError(409, "DUPLICATE_ORDER", f"orderNumber {order!r} already used",
                           "Номер заказа уже использован", "Order number already used")
        now = time.time()
        planned = MODES[self.mode]
        resolve_at = None if planned == OplatiStatus.IN_PROGRESS else now + self.confirm_after
        payment = SimPayment(self._state.next_id, OplatiOperation.SALE, amount, order, shift, items,
                             OplatiStatus.IN_PROGRESS, planned, resolve_at, _iso(now))
        payment.settle(now)
        self._state.payments[payment.payment_id] = payment
        self._state.next_id += 1
        self._save()
        return {"paymentId": payment.payment_id, "redirectUrl": f"{self.base_url}/pay/{payment.payment_id}"}

    def _status(self, match: re.Match, query: str, body: bytes) -> object:
        return self._get(int(match.group(1))).wire()

    def _cancel(self, match: re.Match, query: str, body: bytes) -> object:
        payment = self._get(int(match.group(1)))
        if payment.status == OplatiStatus.OK:
            raise ApiError(409, "ALREADY_PAID", "payment is confirmed; use a reversal",
                           "Платёж уже оплачен, оформите возврат", "Payment is paid; make a reversal")
        if payment.status == OplatiStatus.IN_PROGRESS:
            payment.status = payment.planned = OplatiStatus.TECHNICAL_CANCELLING
            payment.paid = _iso(time.time())
            self._save()
        return payment.wire()

    def _reverse(self, match: re.Match, query: str, body: bytes) -> object:
        sale = self._get(int(match.group(1)))
        amount, order, shift, items = _operation_request(body, self.reg_num)
        if sale.operation != OplatiOperation.SALE or sale.status != OplatiStatus.OK:
            raise ApiError(409, "NOT_REVERSIBLE", f"payment {sale.payment_id} is not a paid sale",
                           "Платёж не оплачен, возврат невозможен", "Payment is not paid; cannot reverse")
        rest = sale.amount - sale.reversed_total
        if amount > rest:
            raise ApiError(400, "REVERSAL_TOO_BIG",
                           f"reversal {format_money(amount)} > unreversed {format_money(rest)}",
                           f"Сумма возврата больше остатка платежа ({format_money(rest)} BYN)",
                           "Reversal exceeds the unreversed rest of the payment")
        now = time.time()
        reversal = SimPayment(self._state.next_id, OplatiOperation.SALE_REVERSAL, amount, order,
                              shift or sale.shift, items, OplatiStatus.OK, OplatiStatus.OK, now,
                              _iso(now), _iso(now), parent=sale.payment_id, purse=sale.purse)
        self._state.payments[reversal.payment_id] = reversal
        self._state.next_id += 1
        sale.reversed_total += amount
        self._save()
        return reversal.wire()

    def _report(self, match: re.Match, query: str, body: bytes) -> object:
        shift = urllib.parse.parse_qs(query).get("shift", [""])[0]
        if not shift:
            raise ApiError(400, "SHIFT_REQUIRED", "query parameter shift is required",
                           "Не указана смена", "Shift is required")
        now = time.time()
        found = [p for p in self._state.payments.values() if p.shift == shift]
        for p in found:
            p.settle(now)
        return [p.wire() for p in sorted(found, key=lambda p: p.payment_id)]


_ROUTES: list[tuple[str, re.Pattern, Callable[..., object]]] = [
    ("POST", re.compile(r"/pos/webPayments/v2"), SimOplati._create),
    ("GET", re.compile(r"/pos/payments/(\d{1,18})"), SimOplati._status),
    ("POST", re.compile(r"/pos/payments/(\d{1,18})/cancel"), SimOplati._cancel),
    ("POST", re.compile(r"/pos/payments/(\d{1,18})/reversals"), SimOplati._reverse),
    ("GET", re.compile(r"/pos/paymentReports"), SimOplati._report),
]


def _bad_request(dev: str) -> ApiError:
    return ApiError(400, "BAD_REQUEST", dev, "Неверный запрос", "Bad request")


def _operation_request(body: bytes, reg_num: str) -> tuple[int, str, str, list[tuple[str, int]]]:
    """Validate a create/reversal body -> (amount, orderNumber, shift, items)."""
    try:
        data = loads_wire(body)
        if not isinstance(data, dict) or not isinstance(data.get("details"), dict):
            raise _bad_request("body must be an object with details")
        details = data["details"]
        amount = money_from_wire(data.get("sum"), "sum")
        order, shift = data.get("orderNumber"), data.get("shift", "")
        if not isinstance(order, str) or not order:
            raise _bad_request("orderNumber must be a non-empty string")
        if not isinstance(shift, str):
            raise _bad_request("shift must be a string")
        if data.get("regNum") != reg_num or details.get("regNum") != reg_num:
            raise _bad_request("regNum in the body does not match the RegNum header")
        raw_items = details.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise _bad_request("details.items must be a non-empty list")
        items = []
        for i, item in enumerate(raw_items):
            if not isinstance(item, dict) or item.get("type") not in (1, 2) or not isinstance(item.get("name"), str):
                raise _bad_request(f"details.items[{i}] needs type 1|2, name and cost")
            items.append((item["name"], money_from_wire(item.get("cost"), f"details.items[{i}].cost")))
        total = money_from_wire(details.get("amountTotal"), "details.amountTotal")
        if not amount == total == sum(cost for _, cost in items):
            raise _bad_request("sum, details.amountTotal and the items' costs disagree")
    except OplatiError as exc:
        raise _bad_request(exc.dev_message or exc.message) from None
    return amount, order, shift, items


def _handler_for(sim: SimOplati) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, method: str) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_REQUEST:
                status, answer = 413, ApiError(413, "TOO_LARGE", "body too large", "Слишком большой запрос",
                                               "Request too large").body()
            else:
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    status, answer = sim.handle(method, self.path, headers, body)
                except ApiError as exc:
                    status, answer = exc.http_status, exc.body()
            raw = dumps_wire(answer)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(raw)
            self.close_connection = True

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args: object) -> None:
            return  # the register's log is the place for this, not the test output

    return Handler
