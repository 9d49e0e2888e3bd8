"""The one path every fiscal document takes: journal (pending, with its effects) → SKO → journal (registered) → print.

Each step is durable before the next. A document is journaled as pending together with
what its registration changes (stock, the card/ОПЛАТИ intents it settles); the registered row,
the stock moves, the intents' `settled` and the chain hash commit in one transaction. An SKO
answer that did not arrive or could not be read (and an SKO unreachable or busy) leaves the
document pending: it is resolved by asking the SKO (lookup by its document counter and stored
documents: the published protocol has no operation id) before anything is sent again, at the next
operation and at every start. The SKO computes each cheque; where its figures differ from ours the
difference is logged and kept on the outcome. Crash points let scenarios and tests cut the power
between any two steps.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from fiscal.documents import Document, Registration, Requisites
from fiscal.layout import render
from fiscal.sko_cheque import Difference, compare
from hal.errors import DeviceError, PrinterError, SkoError
from hal.interfaces import JobOutcome
from hal.printer import PrintInterrupted
from storage.journal_effects import Effects
from storage.journal_schema import IntentStatus

log = logging.getLogger("zpos.fiscal")

CRASH_POINTS = ("after_payment", "before_sko", "after_sko", "after_commit")

# SKO outcomes that leave the document's fate open: it stays pending and is looked up before anything is
# sent again. Every other SkoError is a refusal (the SKO's, or the driver's before sending): the pending row
# can be dropped (unless money already moved for it: then it stays pending and blocks until resolved).
UNSETTLED = {"SKO_OFFLINE", "SKO_UNKNOWN", "SKO_BAD_ANSWER", "SKO_IN_USE"}


def definite(e: SkoError) -> bool:
    """Whether the SKO (or the driver, before sending) refused for certain: nothing was registered."""
    return str(e.code) not in UNSETTLED


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
    resumed: bool = False           # an earlier attempt of this document was completed instead
    differences: tuple[Difference, ...] = ()     # where the SKO's computed figures differ from ours
    paper_near_end: bool = False                 # printed, but the roll is running out (shown, never blocking)


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

    def run(self, doc: Document, effects: Effects | None = None) -> Outcome:
        """Journal, register, commit, print. SKO errors propagate after the journal is made consistent."""
        self.journal.add_pending(doc, effects)
        reg = self.register_pending(doc, maybe_sent=False)
        return self.print_registered(doc, reg)

    def money_moved(self, op_id: str) -> bool:
        """Whether any outside effect of this document happened (or may have): then it is never dropped."""
        ids = set(self.journal.effects_of(op_id).intents)
        return any(i.status in (IntentStatus.APPROVED, IntentStatus.UNKNOWN, IntentStatus.SENT, IntentStatus.SETTLED)
                   for i in self.journal.intents.for_document(op_id) if i.intent_id in ids)

    def register_pending(self, doc: Document, maybe_sent: bool = True) -> Registration:
        """Register a journaled document. One that may have reached the SKO before (a retry, a recovery)
        is looked up first and sent again only when the SKO proves it does not have it."""
        self.crash.point("before_sko")
        try:
            reg = (self.sko.lookup(doc, self.journal.last_number() + 1) if maybe_sent else None) or \
                self.sko.register(doc, self.journal.last_number() + 1)
        except SkoError as e:
            if definite(e) and not self.money_moved(doc.op_id):
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
                raise PrinterError("PRINTER_OFFLINE", "no printer is configured", "printer")
            result = printer.print_document(render(doc, reg, self._requisites(), self._width(), copy=copy,
                                                  **self.render_options()))
        except PrintInterrupted as e:
            # Cut short mid-job: the printer's buffer was cleared and its status read again (hal.printer).
            if e.result.outcome is JobOutcome.PRINTED:
                if not copy:
                    self.journal.mark_printed(doc.op_id)
                return Outcome(reg, True, paper_near_end=e.result.status.paper_near_end)
            if not copy:
                maybe = "MAYBE_PRINTED " if e.result.outcome is JobOutcome.UNKNOWN else ""
                self.journal.mark_print_failed(doc.op_id, f"{maybe}{e.code}: {e.detail}")
            return Outcome(reg, False, str(e.code))
        except DeviceError as e:
            if not copy:
                self.journal.mark_print_failed(doc.op_id, f"{e.code}: {e.detail}")
            return Outcome(reg, False, str(e.code), differences=() if copy else self.differences(doc, reg))
        except Exception as e:  # a registered document stays registered whatever the printing code does
            log.exception("printing document %s failed", doc.op_id)
            if not copy:
                self.journal.mark_print_failed(doc.op_id, f"PRINT_ERROR: {e!r}")
            return Outcome(reg, False, "PRINT_ERROR")
        if not copy:
            self.journal.mark_printed(doc.op_id)
        near_end = bool(getattr(getattr(result, "status", None), "paper_near_end", False))
        return Outcome(reg, True, differences=() if copy else self.differences(doc, reg), paper_near_end=near_end)

    @staticmethod
    def differences(doc: Document, reg: Registration) -> tuple[Difference, ...]:
        """Where the SKO computed `doc` otherwise than we did; logged (the SKO's figures are the registered ones)."""
        diffs = compare(doc, reg.cheque)
        if diffs:
            log.warning("the SKO computed %s №%d differently from the register: %s", doc.type, reg.number,
                        "; ".join(map(str, diffs)))
        return diffs

    def ready_to_register(self, entry) -> bool:
        """A pending document registers only when every outside effect it names was approved."""
        ids = set(self.journal.effects_of(entry.op_id).intents)
        found = {i.intent_id: i for i in self.journal.intents.for_document(entry.op_id)}
        return all(i in found and found[i].status in (IntentStatus.APPROVED, IntentStatus.SETTLED) for i in ids)

    def reconcile(self) -> list[str]:
        """Settle every pending document with the SKO (after a restart or a lost answer).

        Registered at the SKO → mark registered; absent → register it (the money for it was taken).
        A document whose outside effects are not all approved yet is left for its service to finish.
        Returns the op ids that became registered."""
        done = []
        for entry in self.journal.pending():
            if not self.ready_to_register(entry):
                continue
            try:
                self.register_pending(entry.doc)
            except SkoError as e:
                if definite(e):
                    continue
                raise
            self.journal.mark_print_failed(entry.op_id, "POWER_LOSS: not printed before the registration was confirmed")
            done.append(entry.op_id)
        return done
