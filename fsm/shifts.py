"""The shift and the cash drawer: open, X, Z, cash in and out; the shift machine's persistent model.

The shift's state lives in `ShiftRecord`, saved in the journal's meta table whenever the
machine moves and restored at start-up; at the SKO PIN step the SKO's own status is read
and, where it differs (a power loss between the SKO and our commit), adopted and logged.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from fiscal.documents import CashIn, CashOut, ShiftClose, ShiftOpen
from fiscal.errors import FiscalError
from fiscal.layout import PrintedDocument, render_x_report
from fiscal.money import parse_money
from fiscal.receipt import check_sum
from fiscal.reports import aggregate, counters_to_dict
from fsm.context import Registrar, Stores, new_op_id
from fsm.errors import OperationError
from fsm.fiscal_path import Outcome
from fsm.machines import ShiftMachine, state_of
from fsm.permissions import ShiftState
from fsm.session import Session
from hal.errors import DeviceError

log = logging.getLogger("zpos.shift")
META_KEY = "shift_record"


class ShiftRecord:
    """The model of ShiftMachine: number, when it opened, and the rule for expiry (the machine sets `state`)."""

    def __init__(self, stores: Stores, now: Callable[[], datetime], max_hours: Callable[[], int],
                 receipt_open: Callable[[], bool]) -> None:
        self.stores = stores
        self._now = now
        self._max_hours = max_hours
        self._receipt_open = receipt_open
        saved = json.loads(stores.journal.get_meta(META_KEY) or "{}")
        self.number = int(saved.get("number", 0))
        self.opened_at = datetime.fromisoformat(saved["opened_at"]) if saved.get("opened_at") else None
        self.initial = saved.get("state", "closed")

    def is_overdue(self) -> bool:
        return self.opened_at is not None and self._now() - self.opened_at >= timedelta(hours=self._max_hours())

    def can_close(self) -> bool:
        return not self._receipt_open()

    def save(self) -> None:
        self.stores.journal.set_meta(META_KEY, json.dumps({
            "number": self.number, "state": self.state,
            "opened_at": self.opened_at.isoformat() if self.opened_at else None}))

    def after_transition(self) -> None:
        self.save()


class Shifts:
    def __init__(self, stores: Stores, devices, registrar: Registrar, session: Session, clock,
                 receipt_open: Callable[[], bool], after_close: Callable[[object], None] | None = None) -> None:
        self.stores = stores
        self.devices = devices
        self.registrar = registrar
        self.session = session
        self.clock = clock
        self._receipt_open = receipt_open
        self._after_close = after_close or (lambda entry: None)
        self.record = ShiftRecord(stores, self._peek, self._max_hours, receipt_open)
        self.machine = ShiftMachine(model=self.record, start_value=self.record.initial)

    def _peek(self) -> datetime:
        peek = getattr(self.clock, "peek", None)
        return peek() if peek else self.clock.now()

    def _max_hours(self) -> int:
        return int(getattr(self.stores.params, "shift_max_hours", 24) or 24)

    # ----- state -----------------------------------------------------------------------
    @property
    def number(self) -> int:
        return self.record.number

    @property
    def opened_at(self) -> datetime | None:
        return self.record.opened_at

    @property
    def state(self) -> ShiftState:
        if state_of(self.machine) == "open" and self.record.is_overdue():
            self.machine.send("expire")
        return ShiftState(state_of(self.machine))

    def reload(self) -> None:
        """After a DB import: the record comes from the new journal."""
        self.record = ShiftRecord(self.stores, self._peek, self._max_hours, self._receipt_open)
        self.machine = ShiftMachine(model=self.record, start_value=self.record.initial)

    def sync(self) -> None:
        """Hold the record against the SKO's status; the SKO is the truth where they differ."""
        st = self.devices.sko.status(self.registrar.now())
        opened = datetime.fromisoformat(st.shift_opened_at) if st.shift_opened_at else None
        if st.shift_open:
            if state_of(self.machine) == "closed" or self.record.number != st.shift_number:
                log.warning("shift record %s/%s adopted from the SKO: open shift %s", self.record.number,
                            state_of(self.machine), st.shift_number)
            self.record.number, self.record.opened_at = st.shift_number, opened
            self.machine.send("adopt_open")
        else:
            if state_of(self.machine) != "closed":
                log.warning("shift record %s open, the SKO says closed: adopted", self.record.number)
            self.record.number = max(self.record.number, st.shift_number)
            self.machine.send("adopt_closed")
        self.record.save()

    def cash_in_drawer(self) -> int:
        return self.registrar.sko_status().cash_in_drawer

    def counters(self, shift: int | None = None):
        shift = self.number if shift is None else shift
        return aggregate([(e.doc, e.registration) for e in self.stores.journal.shift_documents(shift)])

    def documents_in_shift(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.stores.journal.shift_documents(self.number):
            counts[str(e.type)] = counts.get(str(e.type), 0) + 1
        return counts

    # ----- operations --------------------------------------------------------------------
    def open_shift(self) -> Outcome:
        self.session.require("open_shift")
        self.registrar.check_printer()
        doc = ShiftOpen(op_id=new_op_id(), shift=self.number + 1, cashier=self.session.cashier_name,
                        created=self.registrar.now())
        outcome = self.registrar.fiscalize(doc, same=lambda e: str(e.type) == "shift_open" and e.doc.shift == doc.shift)
        self.record.number, self.record.opened_at = doc.shift, datetime.fromisoformat(doc.created)
        self.machine.send("open_shift")
        return outcome

    def close_shift(self) -> Outcome:
        self.session.require("close_shift")
        self.registrar.check_printer()
        if self._receipt_open():
            raise OperationError("UNFINISHED_SALE", variant="UNFINISHED_SALE.receipt_open")
        doc = ShiftClose(op_id=new_op_id(), shift=self.number, cashier=self.session.cashier_name,
                         created=self.registrar.now(), counters=counters_to_dict(self.counters()))
        outcome = self.registrar.fiscalize(doc, same=lambda e: str(e.type) == "shift_close" and e.doc.shift == doc.shift)
        self.record.opened_at = None
        self.machine.send("close_shift")
        self._after_close(self.stores.journal.get(doc.op_id))
        return outcome

    def x_report(self) -> PrintedDocument:
        self.session.require("x_report")
        self.registrar.check_printer()
        printed = render_x_report(self.counters(), self.stores.settings.requisites(), self.stores.params.printer_width,
                                  self.registrar.now(), self.session.cashier_name)
        try:
            self.devices.printer.print_document(printed)
        except DeviceError as e:
            raise OperationError.carrying(e) from None
        return printed

    def cash_in(self, amount: str | int) -> Outcome:
        self.session.require("cash_in")
        kop = amount if isinstance(amount, int) else parse_amount(amount)
        self.registrar.check_printer()
        return self.registrar.fiscalize(CashIn(op_id=new_op_id(), shift=self.number, cashier=self.session.cashier_name,
                                               created=self.registrar.now(), amount=kop),
                                        same=lambda e: self._same_cash(e, "cash_in", kop))

    def cash_out(self, amount: str | int) -> Outcome:
        self.session.require("cash_out")
        kop = amount if isinstance(amount, int) else parse_amount(amount)
        if kop > self.cash_in_drawer():
            raise OperationError("NOT_ENOUGH_CASH")
        self.registrar.check_printer()
        return self.registrar.fiscalize(CashOut(op_id=new_op_id(), shift=self.number, cashier=self.session.cashier_name,
                                                created=self.registrar.now(), amount=kop),
                                        same=lambda e: self._same_cash(e, "cash_out", kop))

    def _same_cash(self, entry, kind: str, amount: int) -> bool:
        """An earlier cash in/out of this amount in this shift whose answer was lost is this very one."""
        return str(entry.type) == kind and entry.doc.amount == amount and entry.doc.shift == self.number


def parse_amount(text: str) -> int:
    """A cash amount typed by the cashier: 0.01 … 99 999 999 999.99."""
    try:
        kop = parse_money(text, "amount", exact=False)
        check_sum(kop, "amount")
    except FiscalError as e:
        raise OperationError.carrying(e) from None
    return kop
