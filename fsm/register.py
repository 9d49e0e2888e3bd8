"""The cash register: the machines, the stores, the journal and the devices wired into one object.

Screens, scenarios and the demo drive this facade only. Every operation checks the
permission table first, does device I/O before any state changes, and raises
`OperationError` with a contracts.md §3 code when it refuses; a refusal changes nothing.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from fiscal.documents import CashIn, CashOut, ShiftClose, ShiftOpen
from fiscal.layout import PrintedDocument, render_x_report
from fiscal.money import parse_money
from fiscal.reports import aggregate, counters_to_dict
from fsm.admin_ops import AdminOps
from fsm.clock import Clock, iso
from fsm.devices import DeviceSet
from fsm.docs_ops import DocumentOps
from fsm.errors import OperationError
from fsm.fiscal_path import CrashSwitch, FiscalPath, Outcome
from fsm.machines import LifecycleMachine, PaymentMachine, ShiftMachine, state_of
from fsm.open_receipt import OpenReceipt
from fsm.passwords import Backoff, check_new_password
from fsm.paying import PaymentOps
from fsm.permissions import Denial, Mode, Role, ShiftState, check
from fsm.selling import SellingOps
from hal.errors import DeviceError, SkoError
from storage.catalog import Catalog
from storage.journal import Journal
from storage.settings import SettingsStore
from storage.stock import StockLedger
from storage.users import UserStore

SHIFT_MAX_AGE = timedelta(hours=24)


def device_error(e: DeviceError) -> OperationError:
    """A device's typed error as an operation refusal, keeping its code and its message."""
    return OperationError.carrying(e)


class Register(SellingOps, PaymentOps, DocumentOps, AdminOps):
    def __init__(self, data_dir: Path, devices: DeviceSet, clock: Clock, *,
                 sleep: Callable[[float], None] = time.sleep, crash: CrashSwitch | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.devices = devices
        self.settings = SettingsStore(self.data_dir)
        self.users = UserStore(self.data_dir)
        self.journal = Journal(self.data_dir / "journal.sqlite")
        self.stock = StockLedger(self.data_dir / "journal.sqlite")
        self.catalog = Catalog(self.data_dir, ledger=self.stock)
        self.life = LifecycleMachine()
        self.shift_sm = ShiftMachine()
        self.payment_sm = PaymentMachine()
        self.user = None
        self.receipt = OpenReceipt()
        self.backoff = Backoff(sleep)
        self.shift_number = 0
        self.shift_opened_at: datetime | None = None
        self.path = FiscalPath(self.journal, devices.sko, lambda: self.devices.printer,
                               self.settings.requisites, lambda: self.params.printer_width, crash)
        self.last_outcome: Outcome | None = None
        self.messages: list[str] = []          # non-fatal notices for the screen (e.g. "not printed")

    # ----- state -------------------------------------------------------------------------
    @property
    def params(self):
        return self.settings.parameters()

    @property
    def state(self) -> str:
        return state_of(self.life)

    @property
    def role(self) -> Role | None:
        return Role(self.user.role) if self.user else None

    @property
    def mode(self) -> Mode:
        return Mode(self.params.accounting_mode)

    @property
    def shift_state(self) -> ShiftState:
        self.refresh_expiry()
        return ShiftState(state_of(self.shift_sm))

    def now(self) -> str:
        return iso(self.clock.now())

    def new_op_id(self) -> str:
        return uuid.uuid4().hex

    @property
    def cashier_name(self) -> str:
        if self.user is None:
            return ""
        return f"{self.user.name} ({self.user.cashier_id})" if self.user.cashier_id else self.user.name

    def allowed(self, op: str) -> Denial | None:
        return check(op, self.role, self.shift_state, self.mode)

    def require(self, op: str) -> None:
        if self.state in ("locked", "sko_pin", "login", "change_password"):
            raise OperationError("NOT_ALLOWED")
        denial = self.allowed(op)
        if denial:
            raise OperationError(denial.code, variant=denial.variant)

    def refresh_expiry(self) -> None:
        if (state_of(self.shift_sm) == "open" and self.shift_opened_at is not None
                and self.clock_now_peek() - self.shift_opened_at >= SHIFT_MAX_AGE):
            self.shift_sm.expire()

    def clock_now_peek(self) -> datetime:
        peek = getattr(self.clock, "peek", None)
        return peek() if peek else self.clock.now()

    # ----- start-up and lifecycle -----------------------------------------------------------
    def unlock(self, password: str) -> None:
        if self.state != "locked":
            raise OperationError("NOT_ALLOWED")
        if not self.settings.check_device_password(password):
            self.backoff.failed()
            raise OperationError("WRONG_PASSWORD")
        self.backoff.succeeded()
        self.life.unlock()

    def sko_pin(self, pin: str) -> None:
        if self.state != "sko_pin":
            raise OperationError("NOT_ALLOWED")
        try:
            self.devices.sko.authorize(pin)
            self.pin_sko_key()
            self.sync_shift()
            self.path.reconcile()
            self.recover_intents()
        except SkoError as e:
            if e.code == "WRONG_PIN":
                self.backoff.failed()
            raise device_error(e) from None
        self.backoff.succeeded()
        self.life.sko_authorized()

    def pin_sko_key(self) -> None:
        """Remember the SKO at first contact: its serial, and its public key only where the SKO type signs.

        The iKassa SKO signs nothing; the journal's own hash chain covers each document with the SKO's
        uid and number, and a key pinned by an earlier SKO type is still used to check old signatures."""
        pem = self.journal.get_meta("sko_public_key")
        if not self.journal.get_meta("sko_serial"):
            info = self.devices.sko.info()
            self.journal.set_meta("sko_serial", info.serial)
            if info.public_key_pem and not pem:
                pem = info.public_key_pem
                self.journal.set_meta("sko_public_key", pem)
        if pem and hasattr(self.devices.sko, "pin_key"):
            self.devices.sko.pin_key(pem)

    def sync_shift(self) -> None:
        st = self.devices.sko.status(self.now())
        self.shift_number = st.shift_number
        self.shift_opened_at = datetime.fromisoformat(st.shift_opened_at) if st.shift_opened_at else None
        target = "open" if st.shift_open else "closed"
        if state_of(self.shift_sm) != target:
            self.shift_sm = ShiftMachine(start_value=target)
        self.refresh_expiry()

    def login(self, login: str, password: str) -> None:
        if self.state != "login":
            raise OperationError("NOT_ALLOWED")
        user = self.users.get(login)
        if user is None or not self.users.verify(login, password):
            self.backoff.failed()
            raise OperationError("WRONG_PASSWORD")
        self.backoff.succeeded()
        self.user = user
        if user.must_change_password:
            self.life.must_change_password()
            return
        self.life.logged_in()
        self.restore_draft()

    def change_password(self, old: str, new: str) -> None:
        if self.state != "change_password" or self.user is None:
            raise OperationError("NOT_ALLOWED")
        if not self.users.verify(self.user.login, old):
            self.backoff.failed()
            raise OperationError("WRONG_PASSWORD")
        check_new_password(new)
        if new == old:
            raise OperationError("WEAK_PASSWORD", variant="WEAK_PASSWORD.same_as_old")
        self.users.set_password(self.user.login, new)
        self.user = None
        self.life.password_changed()

    def logout(self) -> None:
        if self.state == "payment":
            self.cancel_payment()
        self.user = None
        self.life.logout()

    def t(self, key: str, **kw) -> str:
        from texts import t
        return t(key, **kw)

    def go_menu(self) -> None:
        if self.state == "payment":
            self.cancel_payment()
        self.life.to_menu()

    # ----- shift and cash ---------------------------------------------------------------
    def fiscalize(self, doc) -> Outcome:
        try:
            outcome = self.path.run(doc)
        except SkoError as e:
            raise device_error(e) from None
        self.last_outcome = outcome
        if not outcome.printed:
            self.messages.append(self.t("notice.not_printed", code=outcome.print_error or ""))
        return outcome

    def check_printer(self) -> None:
        printer = self.devices.printer
        if printer is None:
            raise OperationError("PRINTER_OFFLINE")
        try:
            printer.check_ready()
        except DeviceError as e:
            raise device_error(e) from None

    def open_shift(self) -> Outcome:
        self.require("open_shift")
        self.check_printer()
        doc = ShiftOpen(op_id=self.new_op_id(), shift=self.shift_number + 1, cashier=self.cashier_name,
                        created=self.now())
        outcome = self.fiscalize(doc)
        self.sync_shift()
        return outcome

    def shift_counters(self, shift: int | None = None):
        shift = self.shift_number if shift is None else shift
        entries = [(e.doc, e.registration) for e in self.journal.shift_documents(shift)]
        return aggregate(entries)

    def close_shift(self) -> Outcome:
        self.require("close_shift")
        self.check_printer()
        if self.receipt.lines:
            raise OperationError("UNFINISHED_SALE")
        counters = self.shift_counters()
        doc = ShiftClose(op_id=self.new_op_id(), shift=self.shift_number, cashier=self.cashier_name,
                         created=self.now(), counters=counters_to_dict(counters))
        outcome = self.fiscalize(doc)
        self.sync_shift()
        from fsm.reports_export import export_z
        notice = export_z(self, self.journal.get(doc.op_id))
        if notice:
            self.messages.append(notice)
        return outcome

    def x_report(self) -> PrintedDocument:
        self.require("x_report")
        self.check_printer()
        printed = render_x_report(self.shift_counters(), self.settings.requisites(), self.params.printer_width,
                                  self.now(), self.cashier_name)
        try:
            self.devices.printer.print_document(printed)
        except DeviceError as e:
            raise device_error(e) from None
        return printed

    def cash_in_drawer(self) -> int:
        return self.devices.sko.status(self.now()).cash_in_drawer

    def cash_in(self, amount: str | int) -> Outcome:
        self.require("cash_in")
        kop = amount if isinstance(amount, int) else self.parse_amount(amount)
        self.check_printer()
        return self.fiscalize(CashIn(op_id=self.new_op_id(), shift=self.shift_number, cashier=self.cashier_name,
                                     created=self.now(), amount=kop))

    def cash_out(self, amount: str | int) -> Outcome:
        self.require("cash_out")
        kop = amount if isinstance(amount, int) else self.parse_amount(amount)
        if kop > self.cash_in_drawer():
            raise OperationError("NOT_ENOUGH_CASH")
        self.check_printer()
        return self.fiscalize(CashOut(op_id=self.new_op_id(), shift=self.shift_number, cashier=self.cashier_name,
                                      created=self.now(), amount=kop))

    @staticmethod
    def parse_amount(text: str) -> int:
        from fiscal.errors import FiscalError
        from fiscal.receipt import check_sum
        try:
            kop = parse_money(text, "amount", exact=False)
            check_sum(kop, "amount")
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        return kop

    # ----- documents in the shift ----------------------------------------------------------
    def documents_in_shift(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.journal.shift_documents(self.shift_number):
            key = str(e.type)
            counts[key] = counts.get(key, 0) + 1
        return counts

    def close(self) -> None:
        self.stock.close()
        self.journal.close()

    # ----- self-service ----------------------------------------------------------------------
    def start_self_service(self) -> None:
        """A cashier hands the register to customers: scan and pay by card or ОПЛАТИ only."""
        self.require("self_service")
        if not self.params.self_service_enabled:
            raise OperationError("NOT_ALLOWED", variant="SELF_SERVICE_OFF")
        if self.shift_state is not ShiftState.OPEN:
            raise OperationError("SHIFT_CLOSED" if self.shift_state is ShiftState.CLOSED else "SHIFT_EXPIRED")
        self.life.start_self_service()

    def end_self_service(self, password: str) -> None:
        """Only the cashier who started it ends it, with their password."""
        if self.state != "self_service" or self.user is None:
            raise OperationError("NOT_ALLOWED")
        if not self.users.verify(self.user.login, password):
            self.backoff.failed()
            raise OperationError("WRONG_PASSWORD")
        self.backoff.succeeded()
        self.life.end_self_service()
