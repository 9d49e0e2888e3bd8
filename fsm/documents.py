"""Documents after the sale: the receipts list, annulment of the last document, copies and reprints.

Every reprint of a registered document that already printed is a copy (marked «КОПИЯ» at the
top and bottom, no counter moves); only a document that never printed prints as the original.
"""
from __future__ import annotations

from fiscal.documents import Annulment, DocType
from fiscal.layout import PrintedDocument, render
from fiscal.receipt import PaymentType
from fsm.checkout import stock_effects
from fsm.context import Registrar, Stores, new_op_id
from fsm.electronic import Electronic
from fsm.errors import OperationError
from fsm.fiscal_path import Outcome
from fsm.session import Session
from storage.journal_effects import Effects

PAYMENT_DOCS = (DocType.SALE, DocType.REFUND)


class Documents:
    def __init__(self, stores: Stores, session: Session, electronic: Electronic, registrar: Registrar,
                 shift_number, cash_in_drawer) -> None:
        self.stores = stores
        self.session = session
        self.electronic = electronic
        self.registrar = registrar
        self._shift_number = shift_number
        self._cash_in_drawer = cash_in_drawer
        self.slips = None              # fsm.slips.CardSlips, set by fsm.till

    # ----- lists -------------------------------------------------------------------------
    def shifts(self):
        self.session.require("shifts_list")
        return self.stores.journal.shifts()

    def receipts(self, shift: int | None = None):
        self.session.require("receipts_list")
        return self.stores.journal.shift_documents(self._shift_number() if shift is None else shift)

    def receipt(self, number: int):
        self.session.require("receipt_detail")
        entry = self.stores.journal.by_number(int(number))
        if entry is None:
            raise OperationError("UNKNOWN_ITEM", variant="NO_SUCH_RECEIPT", number=number)
        return entry

    def last_document(self, types=None, shift: int | None = None):
        return self.stores.journal.last_document(types=types, shift=shift)

    def entry(self, number: int):
        """A registered document by its number (no permission: the screen that just made it shows it)."""
        return self.stores.journal.by_number(int(number))

    def not_printed(self) -> list:
        return self.stores.journal.not_printed()

    def count(self) -> int:
        return self.stores.journal.count()

    def printed_form(self, entry, copy: bool = False) -> PrintedDocument:
        """A document as it prints (the receipts screen previews it)."""
        return render(entry.doc, entry.registration, self.stores.settings.requisites(),
                      self.stores.params.printer_width, copy=copy, **self.registrar.path.render_options())

    # ----- annulment ----------------------------------------------------------------------
    def annul_last(self) -> Outcome:
        """Annul the last payment document of the shift, if nothing fiscal came after it. A sale's card and
        ОПЛАТИ money goes back through the terminal / the service, each journaled as an effect first."""
        self.session.require("annul")
        last = self.stores.journal.last_document(shift=self._shift_number())
        if last is None or str(last.type) not in PAYMENT_DOCS or last.status == "pending":
            raise OperationError("NOTHING_TO_ANNUL")
        target = last.doc
        is_sale = str(last.type) == DocType.SALE
        electronic = [p for p in target.payments if p.type in (PaymentType.CARD, PaymentType.OPLATI)]
        if not is_sale and electronic:
            raise OperationError("NOT_ALLOWED", variant="ANNUL_ELECTRONIC_REFUND")
        cash_back = target.cash_net if is_sale else 0
        if cash_back > self._cash_in_drawer():
            raise OperationError("NOT_ENOUGH_CASH")
        def same(entry) -> bool:
            return str(entry.type) == DocType.ANNULMENT and entry.doc.target_number == last.number
        resumed = self.electronic.resume_incomplete(self.registrar, same)
        if resumed is not None:
            return resumed
        self.registrar.check_printer()
        if electronic:
            self.registrar.check_sko()
        doc = Annulment(op_id=new_op_id(), shift=self._shift_number(), cashier=self.session.cashier_name,
                        created=self.registrar.now(), target_number=last.number, target_uid=last.registration.uid,
                        target_type=DocType(str(last.type)), total_due=target.total_due,
                        payments=target.payments, change=target.change)
        stock, base = stock_effects(self.stores, target.lines, 1 if is_sale else -1)
        planned = [(p, new_op_id()) for p in electronic]

        def money_back() -> None:
            self.electronic.give_back(doc.op_id, planned, "card_cancel", self._shift_number(),
                                      lambda: self.slips and self.slips.print_new(doc.op_id, DocType.ANNULMENT))

        outcome = self.registrar.fiscalize(doc, Effects(stock, base, tuple(i for _, i in planned)), same=same,
                                           device_step=money_back if planned else None)
        self.stores.catalog.reload_stock(stock)
        return outcome

    # ----- copies and reprint -----------------------------------------------------------------
    def copy(self, number=None) -> Outcome:
        """Print a copy of a registered document (marked «КОПИЯ»; no counter changes)."""
        self.session.require("copy")
        journal = self.stores.journal
        if number in (None, "last"):
            entry = journal.last_document(types=list(PAYMENT_DOCS))
        else:
            try:
                entry = journal.by_number(int(number))
            except (TypeError, ValueError):
                raise OperationError("BAD_FIELD", variant="BAD_RECEIPT_NUMBER", number=number) from None
        if entry is None or entry.registration is None:
            raise OperationError("UNKNOWN_ITEM", variant="NO_SUCH_RECEIPT", number=number)
        self.registrar.check_printer()
        out = self.registrar.path.print_registered(entry.doc, entry.registration, copy=True)
        if not out.printed:
            raise OperationError(out.print_error or "PRINTER_OFFLINE")
        return out

    def reprint_slip(self, number) -> int:
        """«Чеки» → a document paid, refunded or cancelled by card → its card slip(s) again, marked as copies."""
        self.session.require("copy")
        try:
            n = int(number)
        except (TypeError, ValueError):
            raise OperationError("BAD_FIELD", variant="BAD_RECEIPT_NUMBER", number=number) from None
        self.registrar.check_printer()
        return self.slips.reprint(n)

    def reprint(self) -> int:
        """Print every registered document that did not print; each is marked printed when it does."""
        self.session.require("reprint")
        n = 0
        for entry in self.stores.journal.not_printed():
            self.registrar.check_printer()
            # A job cut short that may have reached the paper is reprinted as a copy: never two originals.
            maybe = (entry.fail_reason or "").startswith("MAYBE_PRINTED")
            out = self.registrar.path.print_registered(entry.doc, entry.registration, copy=maybe)
            if not out.printed:
                raise OperationError(out.print_error or "PRINTER_OFFLINE")
            if maybe:
                self.stores.journal.mark_printed(entry.op_id)
            n += 1
        return n
