"""What every service shares: the stores of one data dir, the notices for the screen, and the fiscal registrar."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from fiscal.documents import Document
from fsm.clock import Clock, iso
from fsm.errors import OperationError
from fsm.fiscal_path import FiscalPath, Outcome
from hal.errors import DeviceError, SkoError
from storage.catalog import Catalog
from storage.journal import Journal
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
        self._open()

    def _open(self) -> None:
        self.settings = SettingsStore(str(self.data_dir))
        self.users = UserStore(str(self.data_dir))
        self.journal = Journal(str(self.data_dir / "journal.sqlite"))
        self.stock = StockLedger(self.data_dir / "journal.sqlite")
        self.catalog = Catalog(str(self.data_dir), ledger=self.stock)

    @property
    def params(self) -> Parameters:
        return self.settings.parameters()

    def close(self) -> None:
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

    def check_printer(self) -> None:
        """A printer already known to be out of paper, open or offline refuses before anything is registered."""
        printer = self.devices.printer
        if printer is None:
            raise OperationError("PRINTER_OFFLINE")
        try:
            printer.check_ready()
        except DeviceError as e:
            raise OperationError.carrying(e) from None

    def fiscalize(self, doc: Document) -> Outcome:
        try:
            outcome = self.path.run(doc)
        except SkoError as e:
            raise OperationError.carrying(e) from None
        self.note_print(outcome)
        return outcome

    def note_print(self, outcome: Outcome) -> None:
        if not outcome.printed:
            self.notices.add(t("notice.not_printed", code=outcome.print_error or ""))
