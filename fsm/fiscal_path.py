"""The one function every fiscal document goes through: journal (pending) → SKO → journal (registered) → print.

Each step is durable before the next. The SKO has no operation id: a document whose outcome is
unknown (no answer, a garbled one, the SKO unreachable or busy) stays pending, and before anything
else is sent it is looked up at the SKO by its counter and stored documents — registered → marked,
proven absent → sent once — so a retry or a recovery after power loss never registers a document
twice. The SKO computes each cheque; where its figures differ from ours the difference is logged and
kept on the outcome. Crash points let scenarios and tests cut the power between any two steps.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from fiscal.documents import Document, Registration, Requisites, to_dict
from fiscal.layout import render
from fiscal.sko_cheque import Difference, compare
from hal.errors import DeviceError, PrinterError, SkoError

log = logging.getLogger("zpos.fiscal")

CRASH_POINTS = ("after_payment", "before_sko", "after_sko", "after_commit")

# SKO outcomes that leave the document's fate open: it stays pending and is looked up before anything is
# sent again. Every other SkoError is the SKO's (or the driver's, before sending) refusal: the row is dropped.
UNSETTLED = {"SKO_OFFLINE", "SKO_UNKNOWN", "SKO_BAD_ANSWER", "SKO_IN_USE"}


def same_operation(a: Document, b: Document) -> bool:
    """Whether `b` repeats `a` (the cashier pressing again after an unknown outcome): same content, new op id."""
    if type(a) is not type(b):
        return False
    da, db = to_dict(a), to_dict(b)
    for key in ("op_id", "created"):
        da.pop(key, None)
        db.pop(key, None)
    return da == db


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
    differences: tuple[Difference, ...] = ()     # where the SKO's computed figures differ from ours


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

    def run(self, doc: Document) -> Outcome:
        """Settle what is pending, then journal, register, commit, print. SKO errors propagate after the
        journal is made consistent. A document that repeats a pending one is that one's outcome."""
        earlier = self.settle_pending(retry_of=doc)
        if earlier is not None:
            return earlier
        self.journal.add_pending(doc)
        reg = self.register_pending(doc)
        return self.print_registered(doc, reg)

    def register_pending(self, doc: Document) -> Registration:
        self.crash.point("before_sko")
        try:
            reg = self.sko.register(doc, self.journal.last_number() + 1)
        except SkoError as e:
            if e.code not in UNSETTLED:
                self.journal.discard_pending(doc.op_id, e.code)
            raise
        self.crash.point("after_sko")
        self.journal.mark_registered(doc.op_id, reg)
        self.crash.point("after_commit")
        return reg

    def settle(self, doc: Document) -> Registration:
        """A pending document: the SKO's registration when it has one, else (proven absent) sent now."""
        reg = self.sko.lookup(doc, self.journal.last_number() + 1)
        if reg is None:
            return self.register_pending(doc)
        self.journal.mark_registered(doc.op_id, reg)
        return reg

    def settle_pending(self, retry_of: Document | None = None) -> Outcome | None:
        """Settle and print every pending document; the outcome of the one `retry_of` repeats, if any."""
        found = None
        for entry in self.journal.pending():
            repeat = retry_of is not None and (entry.op_id == retry_of.op_id or same_operation(entry.doc, retry_of))
            try:
                reg = self.settle(entry.doc)
            except SkoError as e:
                if e.code in UNSETTLED or repeat:
                    raise
                log.warning("pending %s %s refused by the SKO when sent again: %s", entry.doc.type, entry.op_id, e.detail)
                continue
            outcome = self.print_registered(entry.doc, reg)
            if repeat and found is None:
                found = outcome
        return found

    def print_registered(self, doc: Document, reg: Registration, *, copy: bool = False) -> Outcome:
        printer = self._printer()
        try:
            if printer is None:
                raise PrinterError("PRINTER_OFFLINE", "принтер не настроен", "принтер")
            printer.print_document(render(doc, reg, self._requisites(), self._width(), copy=copy))
        except DeviceError as e:
            if not copy:
                self.journal.mark_print_failed(doc.op_id, f"{e.code}: {e.message}")
            return Outcome(reg, False, e.code, self.differences(doc, reg) if not copy else ())
        except Exception as e:  # a registered document stays registered whatever the printing code does
            log.exception("printing document %s failed", doc.op_id)
            if not copy:
                self.journal.mark_print_failed(doc.op_id, f"PRINT_ERROR: {e!r}")
            return Outcome(reg, False, "PRINT_ERROR")
        if not copy:
            self.journal.mark_printed(doc.op_id)
        return Outcome(reg, True, differences=self.differences(doc, reg) if not copy else ())

    @staticmethod
    def differences(doc: Document, reg: Registration) -> tuple[Difference, ...]:
        """Where the SKO computed `doc` otherwise than we did; logged, the SKO's figures are the registered ones."""
        diffs = compare(doc, reg.cheque)
        if diffs:
            log.warning("the SKO computed %s №%d differently from the register: %s", doc.type, reg.number,
                        "; ".join(map(str, diffs)))
        return diffs

    def reconcile(self) -> list[str]:
        """After a restart or a lost answer: settle every pending document with the SKO.

        Registered at the SKO → mark registered; proven absent → register it now (the money for it
        was taken); unknown → SkoError, and it stays pending. Returns the op ids that became registered."""
        done = []
        for entry in self.journal.pending():
            try:
                self.settle(entry.doc)
            except SkoError as e:
                if e.code in UNSETTLED:
                    raise
                continue
            self.journal.mark_print_failed(entry.op_id, "POWER_LOSS: не напечатан до сбоя питания")
            done.append(entry.op_id)
        return done
