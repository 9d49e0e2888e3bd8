"""Paying the open receipt: every tender type, card on one of several terminals, ОПЛАТИ QR; registered, then printed.

Money taken electronically for a receipt is an approved effect tied to the receipt's
operation id. A receipt whose payment was approved but not registered (power loss, the SKO
down) is finished, not undone: after a restart it comes back with that money applied, and
paying it charges only what is still due. Giving the money back instead is `give_back`, an
explicit, permission-checked action that asks the terminal and journals the reversal.
"""
from __future__ import annotations

from fiscal.documents import Sale, priced_fields
from fiscal.errors import FiscalError
from fiscal.money import format_money, parse_money
from fiscal.receipt import Payment, PaymentType
from fsm.context import Registrar, Stores, new_op_id
from fsm.electronic import Electronic
from fsm.errors import OperationError
from fsm.fiscal_path import Outcome
from fsm.intents import Effect, PaymentIntents
from fsm.sale import SaleService
from fsm.session import Session
from storage.journal_effects import Effects

ELECTRONIC = {PaymentType.CARD: "card_sale", PaymentType.OPLATI: "oplati_sale"}


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


def stock_effects(stores: Stores, lines, sign: int) -> tuple[dict[str, int], dict[str, int]]:
    """The stock a document moves (sale −, refund +) and each item's level before, for the ledger."""
    deltas: dict[str, int] = {}
    base: dict[str, int] = {}
    for ln in lines:
        item = stores.catalog.by_code(ln.code) if ln.code else None
        if item is not None and item.stock is not None:
            deltas[ln.code] = deltas.get(ln.code, 0) + sign * ln.qty
            base[ln.code] = item.stock
    return deltas, base


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
        self.customer = None                    # fsm.customer.CustomerView, set by the till
        self.slips = None              # fsm.slips.CardSlips, set by fsm.till: the terminal's slip after the receipt

    @property
    def oplati_qr(self) -> str | None:
        return self.electronic.oplati_qr

    def request_abort(self) -> None:
        self.electronic.request_abort()

    def paid_already(self) -> dict[str, int]:
        """Money already taken electronically for the open receipt, by tender (the payment screen shows it)."""
        return self.intents.paid_by(self.sale.receipt.op_id)

    # ----- paying ----------------------------------------------------------------------------
    def pay(self, amounts: dict, terminal: str | None = None, progress=None) -> Outcome:
        """Pay the open receipt with one or several tender types; on success it is registered and printed."""
        payments = parse_payments(amounts)
        receipt = self.sale.receipt
        if not receipt.lines:
            for p in payments:
                self.session.require_rule(f"pay_{p.type.value}")
            raise OperationError("EMPTY_RECEIPT")
        if self.session.state == "menu":
            self.session.enter_receipt()          # a receipt is paid from the receipt, never from the menu
        for p in payments:
            self.session.require(f"pay_{p.type.value}")
        self.sale.ensure_complete()               # marked goods: every unit whose code is required has one
        self.intents.ensure_resolved(receipt)
        pending = self.pending_sale()
        if pending is not None:
            return self._finish(pending)
        self.resolve_unknown()
        charges = self._new_charges(payments)
        try:
            receipt.calc(payments, self.sale.vat_table())
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        self.registrar.check_printer()
        self.session.start_payment(f"pay_{payments[0].type.value}")
        if self.customer is not None:
            due = receipt.calc(vat=self.sale.vat_table()).total_due
            self.customer.payment(due, sum(p.amount for p in payments))
        try:
            if receipt.op_id is None:
                receipt.op_id = new_op_id()
                self.sale.save_draft()
            for ptype, amount in charges:
                self._charge(ptype, amount, terminal, progress)
            if charges:
                self.registrar.path.crash.point("after_payment")
            doc = self.build_sale([p for p in payments if p.type not in ELECTRONIC])
            return self._finish(doc)
        except BaseException:
            self.forget_unused_op_id()
            self.session.payment_cancelled()
            raise

    def _new_charges(self, payments: list[Payment]) -> list[tuple[PaymentType, int]]:
        """What must still be charged per electronic tender, after what this receipt already has approved."""
        already = self.paid_already()
        out = []
        for p in payments:
            if p.type not in ELECTRONIC:
                continue
            have = already.get(p.type.value, 0)
            if p.amount < have:
                raise OperationError("PAYMENT_PENDING", variant="PAID_ALREADY",
                                     tender=p.type, amount=format_money(have))
            if p.amount > have:
                out.append((p.type, p.amount - have))
        for tender, have in already.items():
            if not any(p.type.value == tender for p in payments):
                raise OperationError("PAYMENT_PENDING", variant="PAID_ALREADY", tender=PaymentType(tender),
                                     amount=format_money(have))
        return out

    def _charge(self, ptype: PaymentType, amount: int, terminal: str | None, progress) -> Effect:
        op_id = self.sale.receipt.op_id
        if ptype is PaymentType.CARD:
            return self.electronic.card("card_sale", op_id, amount, terminal, progress=progress)
        lines = [(ln.name, ln.total) for ln in self.sale.receipt.calc(vat=self.sale.vat_table()).lines]
        return self.electronic.oplati_sale(op_id, amount, lines, self._shift_number(), progress)

    def resolve_unknown(self) -> None:
        """Before anything is charged, ask about every effect of this receipt whose answer was lost."""
        for effect in self.intents.unresolved_for(self.sale.receipt.op_id):
            self.electronic.ask(effect)
            if effect.status in ("sent", "unknown"):
                code = "CARD_UNKNOWN" if effect.kind.startswith("card") else "OPLATI_UNKNOWN"
                raise OperationError(code, f"effect {effect.intent_id} still unknown", device=effect.terminal or "")

    def poll_unknown(self) -> bool:
        """Ask again about the open receipt's payments whose answer was lost (the screen calls this every few
        seconds while one is open: ОПЛАТИ ends a payment nobody confirms by itself). True while one is unknown."""
        for effect in self.intents.unresolved_for(self.sale.receipt.op_id):
            self.electronic.ask(effect)
        return bool(self.intents.unresolved_for(self.sale.receipt.op_id))

    def build_sale(self, other_payments: list[Payment]) -> Sale:
        """The sale of the open receipt: its approved electronic money plus the other tenders."""
        receipt = self.sale.receipt
        electronic = [Payment(PaymentType.CARD if e.kind == "card_sale" else PaymentType.OPLATI, e.amount,
                              e.result.get("ref"), e.terminal) for e in self.intents.approved_for(receipt.op_id)]
        calc = receipt.calc(electronic + other_payments, self.sale.vat_table())
        return Sale(op_id=receipt.op_id, shift=self._shift_number(), cashier=self.session.cashier_name,
                    created=self.registrar.now(), discount_card=receipt.discount_card, **priced_fields(calc))

    def _finish(self, doc: Sale) -> Outcome:
        """Register and print the sale; its stock moves and its effects settle in the same transaction."""
        if self.slips is not None:
            self.slips.print_new(doc.op_id, doc.type)
        stock, base = stock_effects(self.stores, doc.lines, -1)
        ids = tuple(e.intent_id for e in self.intents.approved_for(doc.op_id))
        outcome = self.registrar.fiscalize(doc, Effects(stock, base, ids),
                                           same=lambda entry: entry.op_id == doc.op_id)
        self.stores.catalog.reload_stock(stock)
        self.last_outcome = outcome
        self.sale.reset()
        if self.customer is not None:                  # the change stays on the customer's side until the next sale
            self.customer.payment(doc.total_due, sum(p.amount for p in doc.payments), doc.change)
        self.session.payment_done()
        return outcome

    def pending_sale(self):
        """The sale of this receipt already journaled (the SKO did not answer): a retry completes it as it is."""
        op_id = self.sale.receipt.op_id
        if op_id is None:
            return None
        entry = self.stores.journal.get(op_id)
        return entry.doc if entry is not None and entry.status == "pending" else None

    def forget_unused_op_id(self) -> None:
        """After a refusal before anything was journaled or charged, the receipt is as it was."""
        receipt = self.sale.receipt
        op_id = receipt.op_id
        if op_id is None or self.stores.journal.get(op_id) is not None or self.intents.for_document(op_id):
            return
        receipt.op_id = None
        self.sale.save_draft()

    def cancel_payment(self) -> None:
        self.session.payment_cancelled()

    # ----- giving the money back instead -------------------------------------------------------
    def give_back(self) -> int:
        """Return every approved but unregistered payment (terminal cancel / ОПЛАТИ reversal), each journaled
        as its own effect first; the receipt can then be edited or cancelled. Returns how many were returned."""
        self.session.require_rule("cancel_unfinished")
        n = 0
        for effect in [e for e in self.intents.open() if e.kind in ELECTRONIC.values() and e.status == "approved"]:
            if self.stores.journal.get(effect.op_id or "") is not None:
                continue                     # its sale is journaled: it is completed, never returned
            if effect.kind == "card_sale":
                self.electronic.card("card_cancel", effect.op_id, effect.amount, effect.terminal,
                                     rrn=effect.result.get("rrn", ""))
            else:
                self.electronic.oplati_reverse(effect.op_id, effect.result.get("payment_id", ""), effect.amount,
                                               shift=self._shift_number())
            effect.given_back()
            n += 1
        if n and self.sale.receipt.op_id and not self.intents.has_unfinished(self.sale.receipt.op_id):
            self.sale.receipt.op_id = None
            self.sale.save_draft()
        return n
