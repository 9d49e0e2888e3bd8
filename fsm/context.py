"""What every service shares: the stores of one data dir, the notices for the screen, and the fiscal registrar."""
from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fiscal.documents import DocType, Document
from fiscal.receipt import PaymentType
from fsm.clock import Clock, iso
from fsm.errors import OperationError
from fsm.fiscal_path import FiscalPath, Outcome, PowerLoss
from hal.errors import DeviceError, SkoError
from storage import swap
from storage.archive import verify_data_dir
from storage.catalog import Catalog
from storage.journal import Journal
from storage.journal_effects import Effects
from storage.lock import DataDirLock
from storage.settings import Parameters, SettingsStore
from storage.stock import StockLedger
from storage.users import UserStore
from texts import t

log = logging.getLogger("zpos.register")


class Stores:
    """The journal, stock ledger, catalog, settings and users of one data dir, reopened together after an import."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)          # stores, journal and keys: the register's user only
        self.lock = DataDirLock(self.data_dir).acquire()
        try:
            self._open()
        except BaseException:
            self.lock.release()
            raise

    def _open(self) -> None:
        data = str(self.data_dir)
        swap.recover(data, verify_data_dir)    # an import a kill interrupted is finished or undone first
        swap.check_present(data)               # a lost journal is never replaced by an empty one
        self.settings = SettingsStore(str(self.data_dir))
        self.users = UserStore(str(self.data_dir))
        self.journal = Journal(str(self.data_dir / "journal.sqlite"))
        self.stock = StockLedger(self.data_dir / "journal.sqlite")
        self.catalog = Catalog(str(self.data_dir), ledger=self.stock)
        swap.check_present(data)

    @property
    def params(self) -> Parameters:
        return self.settings.parameters()

    def close(self) -> None:
        """Close the stores; the data dir lock is released last, whatever closing the files did."""
        try:
            self.stock.close()
            self.journal.close()
        finally:
            self.lock.release()

    def close_files(self) -> None:
        """Close the files for a maintenance swap, keeping the data dir locked."""
        self.stock.close()
        self.journal.close()

    def reopen(self) -> None:
        self._open()


@dataclass
class Notices:
    """Non-fatal notices for the screen (a document not printed, a report not exported); read once."""

    items: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.items.append(text)

    def take(self) -> list[str]:
        out, self.items = self.items, []
        return out


def moves_cash(doc: Document) -> bool:
    """Whether the drawer must open for this document: cash in or out, cash taken or change given, cash back."""
    if doc.type in (DocType.CASH_IN, DocType.CASH_OUT):
        return True
    payments = getattr(doc, "payments", ())
    return any(p.type is PaymentType.CASH and p.amount for p in payments) or bool(getattr(doc, "change", 0))


def new_op_id() -> str:
    return uuid.uuid4().hex


class Registrar:
    """The fiscal path as the services use it: a document in, an Outcome out, refusals as OperationError."""

    def __init__(self, path: FiscalPath, devices, notices: Notices, clock: Clock) -> None:
        self.path = path
        self.devices = devices
        self.notices = notices
        self.clock = clock

    def now(self) -> str:
        return iso(self.clock.now())

    def kick_drawer(self) -> None:
        """Open the cash drawer (through the printer); a drawer that does not open is a notice, never a refusal."""
        printer = self.devices.printer
        if printer is None:
            return
        try:
            printer.kick_drawer()
        except DeviceError as e:
            log.warning("the cash drawer did not open: %s", e.detail)
            self.notices.add(t("notice.drawer_failed"))

    def check_printer(self) -> None:
        """A printer already known to be out of paper, open or offline refuses before anything is registered."""
        self.on_printer("check_ready")

    def on_printer(self, call: str) -> None:
        """`call` on the printer (check_ready, kick_drawer); no printer or its refusal is an OperationError."""
        printer = self.devices.printer
        if printer is None:
            raise OperationError("PRINTER_OFFLINE")
        try:
            getattr(printer, call)()
        except DeviceError as e:
            raise OperationError.carrying(e) from None

    def sko_status(self):
        """The SKO's status (shift, drawer, counters); an SKO that does not answer is the operation's refusal."""
        try:
            return self.devices.sko.status(self.now())
        except SkoError as e:
            raise OperationError.carrying(e) from None

    def check_sko(self) -> None:
        """Before money moves for a document (a card refund, a cancel), make sure the SKO answers at all."""
        self.sko_status()

    def fiscalize(self, doc: Document, effects: Effects | None = None,
                  same: Callable[[object], bool] | None = None,
                  device_step: Callable[[], None] | None = None) -> Outcome:
        """Register and print `doc`, finishing earlier pending documents first.

        `same(entry)` recognises an earlier attempt of this very operation whose answer was lost:
        that attempt is completed and returned instead of making a second document. `device_step`
        runs the document's card/ОПЛАТИ effects after it is journaled and before the SKO is asked;
        if it fails before any money moved, the pending document is dropped."""
        resumed = self.settle_pending(same)
        if resumed is not None:
            return resumed
        path = self.path
        try:
            if device_step is None:
                outcome = path.run(doc, effects)
            else:
                path.journal.add_pending(doc, effects)
                try:
                    device_step()
                except BaseException as e:
                    if not isinstance(e, PowerLoss) and not path.money_moved(doc.op_id):
                        path.journal.discard_pending(doc.op_id, "device step failed")
                    raise
                reg = path.register_pending(doc, maybe_sent=False)
                outcome = path.print_registered(doc, reg)
        except SkoError as e:
            raise OperationError.carrying(e) from None
        self.note_print(outcome)
        if moves_cash(doc):
            self.kick_drawer()                 # cash in, cash out, cash paid or given back: the drawer opens
        return outcome

    def settle_pending(self, same: Callable[[object], bool] | None = None) -> Outcome | None:
        """Complete every pending document whose effects are all approved (lookup first, then send);
        returns the outcome of the one `same` recognises, if any."""
        path = self.path
        found = None
        for entry in path.journal.pending():
            if not path.ready_to_register(entry):
                continue
            try:
                reg = path.register_pending(entry.doc, maybe_sent=True)
            except SkoError as e:
                raise OperationError.carrying(e) from None
            outcome = path.print_registered(entry.doc, reg)
            self.note_print(outcome)
            if found is None and same is not None and same(entry):
                found = Outcome(outcome.registration, outcome.printed, outcome.print_error, resumed=True)
        return found

    def note_print(self, outcome: Outcome) -> None:
        if outcome.paper_near_end:
            self.notices.add(t("notice.paper_near_end"))
        if not outcome.printed:
            self.notices.add(t("notice.not_printed", code=outcome.print_error or ""))
