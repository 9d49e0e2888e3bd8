"""Paying the open receipt: every tender type, card on one of several terminals, ОПЛАТИ QR; registered, then printed."""
from __future__ import annotations

from fiscal.documents import Sale, priced_fields
from fiscal.errors import FiscalError
from fiscal.money import parse_money
from fiscal.receipt import Payment, PaymentType
from fsm.context import Registrar, Stores, new_op_id
from fsm.electronic import Electronic
from fsm.errors import OperationError
from fsm.fiscal_path import Outcome
from fsm.intents import PaymentIntents
from fsm.sale import SaleService
from fsm.session import Session
from hal.errors import SkoError

ELECTRONIC = (PaymentType.CARD, PaymentType.OPLATI)


def parse_payments(amounts: dict) -> list[Payment]:
    out = []
    for key, value in amounts.items():
        try:
            ptype = PaymentType(key)
        except ValueError:
            raise OperationError("BAD_PAYMENT_TYPE", variant="BAD_PAYMENT_TYPE_NAMED", type=key) from None
        try:
            out.append(Payment(ptype, parse_money(str(value), key, exact=False)))
        except FiscalError as e:
            raise OperationError.carrying(e) from None
    return out


class Checkout:
    def __init__(self, stores: Stores, session: Session, sale: SaleService, intents: PaymentIntents,
                 electronic: Electronic, registrar: Registrar, shift_number) -> None:
        self.stores = stores
        self.session = session
        self.sale = sale
        self.intents = intents
        self.electronic = electronic
        self.registrar = registrar
        self._shift_number = shift_number
        self.last_outcome: Outcome | None = None

    @property
    def oplati_qr(self) -> str | None:
        return self.electronic.oplati_qr

    def request_abort(self) -> None:
        self.electronic.request_abort()

    def pay(self, amounts: dict, terminal: str | None = None, progress=None) -> Outcome:
        """Pay the open receipt with one or several tender types; on success the receipt is registered and printed."""
        payments = parse_payments(amounts)
        if not self.sale.receipt.lines:
            for p in payments:
                self.session.require_rule(f"pay_{p.type.value}")
            raise OperationError("EMPTY_RECEIPT")
        if self.session.state == "menu":
            self.session.enter_receipt()          # a receipt is paid from the receipt, never from the menu
        for p in payments:
            self.session.require(f"pay_{p.type.value}")
        self.sale.ensure_complete()               # marked goods: every unit whose code is required has one
        receipt = self.sale.receipt
        self.intents.ensure_resolved(receipt)
        pending = self.pending_sale()
        if pending is None:
            try:
                receipt.calc(payments, self.sale.vat_table())
            except FiscalError as e:
                raise OperationError.carrying(e) from None
        self.registrar.check_printer()
        self.session.start_payment(f"pay_{payments[0].type.value}" if payments else "sale")
        try:
            doc = pending or self.build_sale(payments, terminal, progress)
            outcome = self.fiscalize_sale(doc, retry=pending is not None)
        except BaseException:
            self.forget_unused_op_id()
            self.session.payment_cancelled()
            raise
        self.after_sale(doc)
        self.session.payment_done()
        return outcome

    def pending_sale(self):
        """The sale of this receipt already journaled (the SKO did not answer): a retry sends it as it is."""
        op_id = self.sale.receipt.op_id
        if op_id is None:
            return None
        entry = self.stores.journal.get(op_id)
        return entry.doc if entry is not None and entry.status == "pending" else None

    def build_sale(self, payments, terminal, progress) -> Sale:
        receipt = self.sale.receipt
        if receipt.op_id is None:
            receipt.op_id = new_op_id()
            self.sale.save_draft()
        settled = [self.authorize_electronic(p, terminal, progress) if p.type in ELECTRONIC else p for p in payments]
        if any(p.type in ELECTRONIC for p in payments):
            self.registrar.path.crash.point("after_payment")
        calc = receipt.calc(settled, self.sale.vat_table())
        return Sale(op_id=receipt.op_id, shift=self._shift_number(), cashier=self.session.cashier_name,
                    created=self.registrar.now(), discount_card=receipt.discount_card, **priced_fields(calc))

    def fiscalize_sale(self, doc, retry: bool) -> Outcome:
        if not retry:
            outcome = self.registrar.fiscalize(doc)
        else:
            path = self.registrar.path
            try:
                reg = self.registrar.devices.sko.lookup(doc.op_id) or path.register_pending(doc)
                if self.stores.journal.get(doc.op_id).status == "pending":
                    self.stores.journal.mark_registered(doc.op_id, reg)
            except SkoError as e:
                raise OperationError.carrying(e) from None
            outcome = path.print_registered(doc, reg)
            self.registrar.note_print(outcome)
        self.last_outcome = outcome
        return outcome

    def forget_unused_op_id(self) -> None:
        """After a refusal before anything was journaled or charged, the receipt is as it was."""
        receipt = self.sale.receipt
        op_id = receipt.op_id
        if op_id is None or self.stores.journal.get(op_id) is not None or self.intents.has_unfinished(op_id):
            return
        receipt.op_id = None
        self.sale.save_draft()

    def after_sale(self, doc) -> None:
        self.intents.close_for(doc.op_id)
        move_stock(self.stores, doc.lines, -1)
        self.sale.reset()

    def cancel_payment(self) -> None:
        self.session.payment_cancelled()

    def authorize_electronic(self, p: Payment, terminal: str | None, progress) -> Payment:
        """Card at a terminal or ОПЛАТИ: reuse an approved intent of this receipt, else ask and journal."""
        kind = "card" if p.type is PaymentType.CARD else "oplati"
        op_id = self.sale.receipt.op_id
        found = self.intents.reuse(kind, op_id, p.amount)
        if found is not None:
            return Payment(p.type, p.amount, found.result.get("ref"), found.payload.get("terminal"))
        if kind == "card":
            result = self.electronic.card_sale(op_id, p.amount, terminal, progress)
        else:
            lines = [(ln.name, ln.total) for ln in self.sale.receipt.calc(vat=self.sale.vat_table()).lines]
            result = self.electronic.oplati_sale(op_id, p.amount, lines, self._shift_number(), progress)
        return Payment(p.type, p.amount, result["ref"], result.get("terminal"))


def move_stock(stores: Stores, lines, sign: int) -> None:
    """One ledger write per document: stock leaves with a sale and comes back with a refund or annulment."""
    deltas: dict[str, int] = {}
    for ln in lines:
        item = stores.catalog.by_code(ln.code) if ln.code else None
        if item is not None and item.stock is not None:
            deltas[ln.code] = deltas.get(ln.code, 0) + sign * ln.qty
    if deltas:
        stores.catalog.adjust_stock_many(deltas)
