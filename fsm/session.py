"""Who is at the till and what they may do now: the lifecycle machine's model, log-in, and the one gate.

Every operation goes through `require(op)`: it is sent to the lifecycle machine as the event
`operate`, whose guard reads the permission table; an operation the machine does not allow
raises `TransitionNotAllowed`, turned here — and only here — into `OperationError` with the
reason (role, shift, accounting mode or lifecycle state).
"""
from __future__ import annotations

import time
from collections.abc import Callable

from statemachine.exceptions import TransitionNotAllowed

from fsm.errors import OperationError
from fsm.machines import LifecycleMachine
from fsm.passwords import Backoff, check_new_password
from fsm.permissions import Denial, Mode, Role, ShiftState, check
from hal.errors import SkoError

CASHIER_NAME_MAX = 16          # the SKO's limit for the cashier's name on a document (iKassa note 1)
PRE_LOGIN = ("locked", "sko_pin", "login", "change_password")


class Session:
    """The model of `LifecycleMachine` (the machine keeps its state in `self.state`)."""

    def __init__(self, stores, shift_state: Callable[[], ShiftState], *, sleep: Callable[[float], None] = time.sleep,
                 on_sko_pin: Callable[[str], None] | None = None, on_leave_payment: Callable[[], None] | None = None,
                 on_login: Callable[[], None] | None = None) -> None:
        self.stores = stores
        self._shift_state = shift_state
        self._on_sko_pin = on_sko_pin or (lambda pin: None)
        self._on_leave_payment = on_leave_payment or (lambda: None)
        self._on_login = on_login or (lambda: None)
        self.user = None
        self.backoff = Backoff(sleep)
        self.last_denial: Denial | None = None
        self.machine = LifecycleMachine(model=self)

    # ----- what the guards read --------------------------------------------------------
    @property
    def role(self) -> Role | None:
        return Role(self.user.role) if self.user else None

    @property
    def mode(self) -> Mode:
        return Mode(self.stores.params.accounting_mode)

    @property
    def cashier_name(self) -> str:
        """The name on documents: the user's name and cashier number, cut to what the SKO accepts."""
        if self.user is None:
            return ""
        full = f"{self.user.name} ({self.user.cashier_id})" if self.user.cashier_id else self.user.name
        if len(full) <= CASHIER_NAME_MAX:
            return full
        suffix = f" ({self.user.cashier_id})" if self.user.cashier_id else ""
        return self.user.name[:max(1, CASHIER_NAME_MAX - len(suffix))].rstrip() + suffix

    def denial(self, op: str) -> Denial | None:
        """Why `op` is not allowed right now (None when it is): the grey buttons read this."""
        if self.state in PRE_LOGIN:
            return Denial("NOT_ALLOWED", "NOT_ALLOWED.login")
        return check(op, self.role, self._shift_state(), self.mode, self.state)

    def permitted(self, op: str | None = None) -> bool:
        """The lifecycle machine's guard."""
        self.last_denial = self.denial(op) if op else None
        return self.last_denial is None

    # ----- the one gate ----------------------------------------------------------------
    def send(self, event: str, **kw) -> None:
        """Send a lifecycle event; a move the machine does not allow becomes the product's refusal."""
        self.last_denial = None
        try:
            self.machine.send(event, **kw)
        except TransitionNotAllowed:
            d = self.last_denial or Denial("NOT_ALLOWED", "NOT_ALLOWED.state")
            raise OperationError(d.code, f"{event} refused in state {self.state}", variant=d.variant) from None

    def require(self, op: str) -> None:
        self.send("operate", op=op)

    def require_rule(self, op: str) -> None:
        """The permission table's role, shift and mode rule alone, wherever the lifecycle is."""
        if self.state in PRE_LOGIN:
            raise OperationError("NOT_ALLOWED", variant="NOT_ALLOWED.login")
        d = check(op, self.role, self._shift_state(), self.mode)
        if d is not None:
            raise OperationError(d.code, variant=d.variant)

    def allowed(self, op: str) -> Denial | None:
        return self.denial(op)

    # ----- start-up and log-in -----------------------------------------------------------
    def login_choices(self) -> list:
        """The users the login screen offers (names and roles; no secrets)."""
        return self.stores.users.list()

    def unlock(self, password: str) -> None:
        if self.state != "locked":
            raise OperationError("NOT_ALLOWED", variant="NOT_ALLOWED.state")
        if not self.stores.settings.check_device_password(password):
            self.backoff.failed()
            raise OperationError("WRONG_PASSWORD")
        self.backoff.succeeded()
        self.send("unlock")

    def sko_pin(self, pin: str) -> None:
        if self.state != "sko_pin":
            raise OperationError("NOT_ALLOWED", variant="NOT_ALLOWED.state")
        try:
            self._on_sko_pin(pin)
        except SkoError as e:
            if e.code == "WRONG_PIN":
                self.backoff.failed()
            raise OperationError.carrying(e) from None
        self.backoff.succeeded()
        self.send("sko_authorized")

    def login(self, login: str, password: str) -> None:
        if self.state != "login":
            raise OperationError("NOT_ALLOWED", variant="NOT_ALLOWED.state")
        user = self.stores.users.get(login)
        if user is None or not self.stores.users.verify(login, password):
            self.backoff.failed()
            raise OperationError("WRONG_PASSWORD")
        self.backoff.succeeded()
        self.user = user
        if user.must_change_password:
            self.send("must_change_password")
            return
        self.send("logged_in")
        self._on_login()

    def change_password(self, old: str, new: str) -> None:
        if self.state != "change_password" or self.user is None:
            raise OperationError("NOT_ALLOWED", variant="NOT_ALLOWED.state")
        if not self.stores.users.verify(self.user.login, old):
            self.backoff.failed()
            raise OperationError("WRONG_PASSWORD")
        check_new_password(new)
        if new == old:
            raise OperationError("WEAK_PASSWORD", variant="WEAK_PASSWORD.same_as_old")
        self.stores.users.set_password(self.user.login, new)
        self.user = None
        self.send("password_changed")

    def logout(self) -> None:
        if self.state in ("locked", "sko_pin"):
            raise OperationError("NOT_ALLOWED", variant="NOT_ALLOWED.login")
        if self.state == "payment":
            self._on_leave_payment()
        if self.state == "self_service":
            raise OperationError("NOT_ALLOWED", variant="NOT_ALLOWED.state")
        self.user = None
        self.send("logout")

    def go_menu(self) -> None:
        if self.state == "payment":
            self._on_leave_payment()
        if self.state in ("menu", "receipt", "payment"):
            self.send("to_menu")

    def power_off(self) -> None:
        self.send("power_off")

    # ----- the receipt and the payment ------------------------------------------------------
    def enter_receipt(self) -> None:
        """The sale screen: menu → receipt (a cashier with an open shift)."""
        if self.state == "payment":
            self._on_leave_payment()
        self.send("open_receipt", op="sale")

    def start_payment(self, op: str) -> None:
        if self.state != "payment":
            self.send("start_payment", op=op)

    def payment_done(self) -> None:
        if self.state in ("payment", "self_service"):
            self.send("payment_done")

    def payment_cancelled(self) -> None:
        if self.state in ("payment", "self_service"):
            self.send("payment_cancelled")

    def start_self_service(self) -> None:
        """A cashier hands the register to customers (when the parameter allows): scan and pay by card or ОПЛАТИ."""
        if not self.stores.params.self_service_enabled:
            raise OperationError("NOT_ALLOWED", variant="SELF_SERVICE_OFF")
        shift = self._shift_state()
        if shift is not ShiftState.OPEN and self.role is Role.CASHIER:
            raise OperationError("SHIFT_CLOSED" if shift is ShiftState.CLOSED else "SHIFT_EXPIRED")
        self.send("start_self_service", op="self_service")

    def end_self_service(self, password: str) -> None:
        """Only the cashier who started it ends it, with their password."""
        if self.state != "self_service" or self.user is None:
            raise OperationError("NOT_ALLOWED", variant="NOT_ALLOWED.state")
        if not self.stores.users.verify(self.user.login, password):
            self.backoff.failed()
            raise OperationError("WRONG_PASSWORD")
        self.backoff.succeeded()
        self.send("end_self_service")
