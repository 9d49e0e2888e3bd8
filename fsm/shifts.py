"""The shift and the cash drawer: open, X, Z, cash in and out; the shift machine's persistent model.

The shift's state lives in `ShiftRecord`, saved in the journal's meta table whenever the
machine moves and restored at start-up; at the SKO PIN step the SKO's own status is read
and, where it differs (a power loss between the SKO and our commit), adopted and logged.

The drawer is the SKO's cash counter. A shift starts with the cash carried over (the SKO's
counter when it opened, recorded with the shift; the previous Z's closing balance when that
record is missing), so the X and Z print an opening balance and a closing one that agree
with the SKO.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from fiscal.documents import CashIn, CashOut, DocType, ShiftClose, ShiftOpen
from fiscal.errors import FiscalError
from fiscal.layout import PrintedDocument, render_x_report
from fiscal.money import format_money, parse_money
from fiscal.receipt import check_sum
from fiscal.reports import ShiftCounters, aggregate, counters_from_dict, counters_to_dict
from fsm.context import Registrar, Stores, new_op_id
from fsm.errors import OperationError
from fsm.fiscal_path import Outcome
from fsm.machines import ShiftMachine, state_of
from fsm.permissions import ShiftState
from fsm.session import Session
from hal.errors import DeviceError
from storage.errors import StorageError
from texts import t

log = logging.getLogger("zpos.shift")
META_KEY = "shift_record"
# The requisites without which no document can be printed (manual §2.4.1, «обязательный параметр»).
MANDATORY_REQUISITES = ("org_name", "unp", "ksa_number")


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
        self.opening_cash: int | None = saved.get("opening_cash")   # the SKO's drawer when the shift opened
        self.initial = saved.get("state", "closed")

    def is_overdue(self) -> bool:
        return self.opened_at is not None and self._now() - self.opened_at >= timedelta(hours=self._max_hours())

    def can_close(self) -> bool:
        return not self._receipt_open()

    def save(self) -> None:
        self.stores.journal.set_meta(META_KEY, json.dumps({
            "number": self.number, "state": self.state,
            "opened_at": self.opened_at.isoformat() if self.opened_at else None, "opening_cash": self.opening_cash}))

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
            if self.record.number != st.shift_number:
                self.record.opening_cash = None     # not ours: the previous Z's closing balance stands in
            self.record.number, self.record.opened_at = st.shift_number, opened
            self.machine.send("adopt_open")
        else:
            if state_of(self.machine) != "closed":
                log.warning("shift record %s open, the SKO says closed: adopted", self.record.number)
            self.record.number = max(self.record.number, st.shift_number)
            self.machine.send("adopt_closed")
        self.record.save()
        self._hold_serial()

    def _hold_serial(self) -> None:
        """The SKO's serial (Зав.№ СКО) goes into the requisites, where the X report and the requisites screen
        read it; the SKO is the truth for it, as for the organisation, УНП and КСА."""
        serial = self.sko_serial()
        settings = self.stores.settings
        if serial and settings.has_requisites():
            req = settings.requisites()
            if req.sko_serial != serial:
                settings.save_requisites(replace(req, sko_serial=serial))

    def sko_serial(self) -> str:
        """Зав.№ СКО: as the SKO gave it at first contact (journal), else as the requisites hold it."""
        serial = self.stores.journal.get_meta("sko_serial") or ""
        if not serial and self.stores.settings.has_requisites():
            serial = self.stores.settings.requisites().sko_serial
        return serial

    def cash_in_drawer(self) -> int:
        return self.registrar.sko_status().cash_in_drawer

    def last_closing_cash(self) -> int | None:
        """The closing balance («Наличных в кассе») of the last Z report (None: no Z yet, or one unreadable)."""
        z = self.stores.journal.last_document(types=[DocType.SHIFT_CLOSE])
        if z is None:
            return None
        try:
            return counters_from_dict(z.doc.counters).cash_in_drawer
        except FiscalError:
            return None

    def opening_cash(self) -> int:
        """The cash carried into the open shift: recorded from the SKO when it opened, else the last Z's balance."""
        if self.record.opening_cash is not None:
            return int(self.record.opening_cash)
        return self.last_closing_cash() or 0

    def counters(self) -> ShiftCounters:
        """The current shift's counters, from its documents in the journal and the cash carried over."""
        journal = self.stores.journal
        entries = journal.shift_documents(self.number)
        if not entries:
            raise OperationError("SHIFT_CLOSED", f"shift {self.number} has no documents")
        # documents still pending (the SKO did not answer) are counted apart, never in the sums
        pending = [e for e in journal.pending() if e.doc.shift == self.number]
        return aggregate([(e.doc, e.registration) for e in entries + pending], self.opening_cash())

    def missing_requisites(self) -> list[str]:
        """The mandatory requisites not filled in yet (their names as the requisites screen shows them)."""
        settings = self.stores.settings
        try:
            req = settings.requisites() if settings.has_requisites() else None
        except StorageError:
            req = None
        return [t(f"doc.requisite.{k}") for k in MANDATORY_REQUISITES if req is None or not str(getattr(req, k)).strip()]

    def documents_in_shift(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.stores.journal.shift_documents(self.number):
            counts[str(e.type)] = counts.get(str(e.type), 0) + 1
        return counts

    # ----- operations --------------------------------------------------------------------
    def open_shift(self) -> Outcome:
        """Open the next shift: the requisites every document prints must exist; the drawer's cash carries over."""
        self.session.require("open_shift")
        missing = self.missing_requisites()
        if missing:
            raise OperationError("NO_REQUISITES", f"mandatory requisites missing: {len(missing)}",
                                 missing=", ".join(missing))
        self.registrar.check_printer()
        opening = self.registrar.sko_status().cash_in_drawer
        carried = self.last_closing_cash()
        if carried is not None and carried != opening:
            log.warning("the SKO's drawer %s differs from the last Z's closing balance %s: the SKO's is carried over",
                        format_money(opening), format_money(carried))
        doc = ShiftOpen(op_id=new_op_id(), shift=self.number + 1, cashier=self.session.cashier_name,
                        created=self.registrar.now())
        outcome = self.registrar.fiscalize(doc, same=lambda e: str(e.type) == "shift_open" and e.doc.shift == doc.shift)
        self.record.number, self.record.opened_at = doc.shift, datetime.fromisoformat(doc.created)
        self.record.opening_cash = opening
        self.machine.send("open_shift")
        return outcome

    def close_shift(self) -> Outcome:
        self.session.require("close_shift")
        self.registrar.check_printer()
        if self._receipt_open():
            raise OperationError("UNFINISHED_SALE", variant="UNFINISHED_SALE.receipt_open")
        # Documents of this shift still pending are settled first: the Z must count what the SKO counts.
        self.registrar.settle_pending()
        counters = self.counters()
        self._compare_drawer(counters)
        doc = ShiftClose(op_id=new_op_id(), shift=self.number, cashier=self.session.cashier_name,
                         created=self.registrar.now(), counters=counters_to_dict(counters))
        outcome = self.registrar.fiscalize(doc, same=lambda e: str(e.type) == "shift_close" and e.doc.shift == doc.shift)
        self.record.opened_at = None
        self.machine.send("close_shift")
        self._after_close(self.stores.journal.get(doc.op_id))
        return outcome

    def _compare_drawer(self, counters: ShiftCounters) -> int | None:
        """The SKO's drawer when it answers; a difference from the journal's figure is logged (the SKO holds the cash)."""
        try:
            sko_cash = self.registrar.sko_status().cash_in_drawer
        except OperationError:
            return None
        if sko_cash != counters.cash_in_drawer:
            log.warning("shift %s: the journal's closing balance %s differs from the SKO's drawer %s", counters.shift,
                        format_money(counters.cash_in_drawer), format_money(sko_cash))
        return sko_cash

    def x_report_document(self) -> PrintedDocument:
        """The X report as it prints (the reports screen previews it); refused without an open shift."""
        self.session.require_rule("x_report")
        counters = self.counters()
        return render_x_report(counters, self.stores.settings.requisites(), self.stores.params.printer_width,
                               self.registrar.now(), self.session.cashier_name, self.sko_serial(),
                               self._compare_drawer(counters))

    def x_report(self) -> PrintedDocument:
        self.session.require("x_report")
        self.registrar.check_printer()
        printed = self.x_report_document()
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
