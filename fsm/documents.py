"""Documents after the sale: the receipts list, annulment of the last document, copies and reprints."""
from __future__ import annotations

from fiscal.documents import Annulment, DocType
from fiscal.layout import PrintedDocument, render
from fsm.checkout import move_stock
from fsm.context import Registrar, Stores, new_op_id
from fsm.electronic import Electronic
from fsm.errors import OperationError
from fsm.fiscal_path import Outcome
from fsm.session import Session

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
        """Annul the last payment document of the shift, if nothing fiscal came after it."""
        self.session.require("annul")
        last = self.stores.journal.last_document(shift=self._shift_number())
        if last is None or str(last.type) not in PAYMENT_DOCS or last.status == "pending":
            raise OperationError("NOTHING_TO_ANNUL")
        target = last.doc
        cash_back = target.cash_net if str(last.type) == DocType.SALE else 0
        if cash_back > self._cash_in_drawer():
            raise OperationError("NOT_ENOUGH_CASH")
        self.registrar.check_printer()
        if str(last.type) == DocType.SALE:
            self.electronic.give_back(target.payments)
        doc = Annulment(op_id=new_op_id(), shift=self._shift_number(), cashier=self.session.cashier_name,
                        created=self.registrar.now(), target_number=last.number, target_uid=last.registration.uid,
                        target_type=DocType(str(last.type)), total_due=target.total_due,
                        payments=target.payments, change=target.change)
        outcome = self.registrar.fiscalize(doc)
        move_stock(self.stores, target.lines, 1 if str(last.type) == DocType.SALE else -1)
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

    def reprint(self) -> int:
        """Print every registered document that did not print; each is marked printed when it does."""
        self.session.require("reprint")
        n = 0
        for entry in self.stores.journal.not_printed():
            self.registrar.check_printer()
            out = self.registrar.path.print_registered(entry.doc, entry.registration)
            if not out.printed:
                raise OperationError(out.print_error or "PRINTER_OFFLINE")
            n += 1
        return n
