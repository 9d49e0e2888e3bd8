"""The one function every fiscal document goes through: journal (pending) → SKO → journal (registered) → print.

Each step is durable before the next. The SKO is idempotent by operation id, so a retry or
a recovery after power loss never registers a document twice. Crash points let scenarios
and tests cut the power between any two steps.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from fiscal.documents import Document, Registration, Requisites
from fiscal.layout import render
from hal.errors import DeviceError, PrinterError, SkoError

log = logging.getLogger("zpos.fiscal")

CRASH_POINTS = ("after_payment", "before_sko", "after_sko", "after_commit")

# SKO answers that prove the document was not registered: the pending row can be dropped.
DEFINITE_REFUSALS = {"WRONG_PIN", "SKO_LOCKED", "NOT_AUTHORIZED", "SHIFT_OPEN", "SHIFT_CLOSED", "SHIFT_EXPIRED",
                     "BAD_TIME", "BAD_NUMBER", "TOTALS_MISMATCH", "NOT_ENOUGH_CASH", "NOTHING_TO_ANNUL",
                     "SKO_UNSENT_LIMIT", "UNSENT_DOCUMENTS", "SKO_ERROR"}


class PowerLoss(BaseException):
    """Raised at an armed crash point: the process 'dies' here (BaseException so nothing catches it)."""


@dataclass
class CrashSwitch:
    armed: str | None = None
    hits: list[str] = field(default_factory=list)

    def point(self, name: str) -> None:
        if self.armed == name:
            self.armed = None
            self.hits.append(name)
            raise PowerLoss(name)


@dataclass(frozen=True)
class Outcome:
    registration: Registration
    printed: bool
    print_error: str | None = None


class FiscalPath:
    def __init__(self, journal, sko, printer_fn: Callable[[], object | None],
                 requisites_fn: Callable[[], Requisites], width_fn: Callable[[], int],
                 crash: CrashSwitch | None = None) -> None:
        self.journal = journal
        self.sko = sko
        self._printer = printer_fn
        self._requisites = requisites_fn
        self._width = width_fn
        self.crash = crash or CrashSwitch()
        self.render_options: Callable[[], dict] = dict    # extra layout options (the marked-line mark)

    def run(self, doc: Document) -> Outcome:
        """Journal, register, commit, print. SKO errors propagate after the journal is made consistent."""
        self.journal.add_pending(doc)
        reg = self.register_pending(doc)
        return self.print_registered(doc, reg)

    def register_pending(self, doc: Document) -> Registration:
        self.crash.point("before_sko")
        try:
            reg = self.sko.register(doc, self.journal.last_number() + 1)
        except SkoError as e:
            if e.code in DEFINITE_REFUSALS:
                self.journal.discard_pending(doc.op_id, e.code)
            raise
        self.crash.point("after_sko")
        self.journal.mark_registered(doc.op_id, reg)
        self.crash.point("after_commit")
        return reg

    def print_registered(self, doc: Document, reg: Registration, *, copy: bool = False) -> Outcome:
        printer = self._printer()
        try:
            if printer is None:
                raise PrinterError("PRINTER_OFFLINE", "принтер не настроен", "принтер")
            printer.print_document(render(doc, reg, self._requisites(), self._width(), copy=copy,
                                         **self.render_options()))
        except DeviceError as e:
            if not copy:
                self.journal.mark_print_failed(doc.op_id, f"{e.code}: {e.message}")
            return Outcome(reg, False, e.code)
        except Exception as e:  # a registered document stays registered whatever the printing code does
            log.exception("printing document %s failed", doc.op_id)
            if not copy:
                self.journal.mark_print_failed(doc.op_id, f"PRINT_ERROR: {e!r}")
            return Outcome(reg, False, "PRINT_ERROR")
        if not copy:
            self.journal.mark_printed(doc.op_id)
        return Outcome(reg, True)

    def reconcile(self) -> list[str]:
        """After a restart or a lost answer: settle every pending document with the SKO.

        Registered at the SKO → mark registered; unknown → register it again with the same
        operation id (the SKO makes that idempotent): the money for it was taken. Returns the
        op ids that became registered."""
        done = []
        for entry in self.journal.pending():
            reg = self.sko.lookup(entry.op_id)
            if reg is None:
                try:
                    reg = self.sko.register(entry.doc, self.journal.last_number() + 1)
                except SkoError as e:
                    if e.code in DEFINITE_REFUSALS:
                        self.journal.discard_pending(entry.op_id, e.code)
                        continue
                    raise
            self.journal.mark_registered(entry.op_id, reg)
            self.journal.mark_print_failed(entry.op_id, "POWER_LOSS: не напечатан до сбоя питания")
            done.append(entry.op_id)
        return done
