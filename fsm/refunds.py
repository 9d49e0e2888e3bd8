"""Refunds: by receipt (chosen lines and quantities), goods without the receipt, and funds only."""
from __future__ import annotations

from fiscal.documents import DocType, Refund, RefundKind, priced_fields
from fiscal.errors import FiscalError
from fiscal.money import line_sum, parse_money, parse_qty
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType, calculate
from fsm.checkout import parse_payments, stock_effects
from fsm.context import Registrar, Stores, new_op_id
from fsm.electronic import Electronic
from fsm.errors import OperationError
from fsm.session import Session
from storage.journal_effects import Effects
from texts import t


def find_sale(journal, receipt):
    """The registered sale a refund names: its number, or "last"."""
    if receipt in (None, "last"):
        entry = journal.last_document(types=[DocType.SALE])
    else:
        try:
            entry = journal.by_number(int(receipt))
        except (TypeError, ValueError):
            raise OperationError("BAD_FIELD", variant="BAD_RECEIPT_NUMBER", number=receipt) from None
    if entry is None or entry.status == "pending" or str(entry.type) != DocType.SALE:
        raise OperationError("UNKNOWN_ITEM", variant="NO_SUCH_RECEIPT", number=receipt)
    return entry


def refund_share(total: int, qty: int, q: int) -> int:
    """What the customer gets back for `q` of a line of `qty` that cost `total`: total × q / qty, rounded half up
    (the refund screen shows it before the refund is made)."""
    return (total * q * 2 + qty) // (2 * qty)


def _qty(text) -> int:
    try:
        return parse_qty(str(text), "qty", exact=False)
    except FiscalError as e:
        raise OperationError.carrying(e) from None


class Refunds:
    def __init__(self, stores: Stores, session: Session, ensure_unfinished, electronic: Electronic,
                 registrar: Registrar, shift_number, cash_in_drawer, vat_table) -> None:
        self.stores = stores
        self.session = session
        self._ensure_unfinished = ensure_unfinished
        self.electronic = electronic
        self.registrar = registrar
        self._shift_number = shift_number
        self._cash_in_drawer = cash_in_drawer
        self._vat_table = vat_table
        self.marking = None            # fsm.marking.MarkingService, set by fsm.till: which marked units come back

    def refunded_qty(self, sale_number: int) -> dict[int, int]:
        """Quantities already refunded per line index of a sale (all refunds that name it)."""
        done: dict[int, int] = {}
        for e in self.stores.journal.refunds_of(sale_number):
            for idx, ln in zip(e.doc.original_lines, e.doc.lines):
                done[idx] = done.get(idx, 0) + ln.qty
        return done

    def sale(self, receipt=None):
        """The sale a refund by receipt starts from (for the refund screen)."""
        self.session.require("refund")
        return find_sale(self.stores.journal, receipt)

    def refund(self, receipt=None, lines: list[dict] | None = None, pay: dict | None = None):
        """Refund chosen lines (and quantities) of an earlier sale, at the price the customer paid."""
        self.session.require("refund")
        self._ensure_unfinished()
        entry = find_sale(self.stores.journal, receipt)
        sale = entry.doc
        chosen = lines or [{"line": i + 1, "qty": None} for i in range(len(sale.lines))]
        already = self.refunded_qty(entry.number)
        items, indexes = [], []
        for spec in chosen:
            i = int(spec["line"]) - 1
            if not 0 <= i < len(sale.lines):
                raise OperationError("BAD_FIELD", variant="BAD_LINE", line=i + 1, count=len(sale.lines))
            orig = sale.lines[i]
            q = orig.qty - already.get(i, 0) if spec.get("qty") is None else _qty(spec["qty"])
            marks = ()
            if orig.markings and self.marking is not None:
                q, marks = self.marking.refund_units(entry.number, orig, spec, q)
            if q <= 0 or q + already.get(i, 0) > orig.qty:
                raise OperationError("QTY_RANGE", variant="REFUND_QTY", line=i + 1)
            target = refund_share(orig.total, orig.qty, q)
            raw = line_sum(orig.price, q)
            adj = {"discount": Adjustment(amount=raw - target)} if raw > target else (
                {"markup": Adjustment(amount=target - raw)} if target > raw else {})
            indexes.append(i)
            items.append(ItemInput(name=orig.name, price=orig.price, qty=q, vat=orig.vat_rate, code=orig.code,
                                   section=orig.section, markings=marks, **adj))
        payments = pay if pay else {sale.payments[0].type.value: None}
        return self._refund_doc(items, payments, RefundKind.BY_RECEIPT, entry, sale, tuple(indexes))

    def refund_goods(self, goods: list[dict], pay: dict | None = None):
        """Goods returned without the receipt: by catalog code and quantity, VAT by their rates, stock back."""
        self.session.require("refund_no_receipt")
        items = []
        for g in goods:
            item = self.stores.catalog.by_code(str(g["code"]))
            if item is None:
                raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_ITEM_CODE", code=g["code"])
            qty, marks = _qty(g.get("qty", "1.000")), ()
            if self.marking is not None:
                qty, marks = self.marking.goods_codes(item, g, qty)
            items.append(ItemInput(name=item.name, price=item.price, qty=qty, vat=item.vat, code=item.code,
                                   section=item.section, markings=marks))
        return self._refund_doc(items, pay or {"cash": None}, RefundKind.NO_RECEIPT, None, None)

    def refund_free(self, amount: str, pay: dict | None = None, vat: str = "none"):
        """Money back without goods (возврат денежных средств)."""
        self.session.require("refund_funds")
        try:
            kop = parse_money(str(amount), "amount", exact=False)
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        items = [ItemInput(name=t("doc.refund_funds_line"), price=kop, qty=1000, vat=vat)]
        return self._refund_doc(items, pay or {"cash": None}, RefundKind.FUNDS, None, None)

    @staticmethod
    def _same_refund(doc: Refund):
        """An earlier attempt of this very refund whose answer was lost: same receipt, lines and money."""
        key = (doc.kind, doc.original_number, doc.original_lines, tuple((ln.code, ln.qty, ln.total) for ln in doc.lines),
               tuple((p.type, p.amount) for p in doc.payments))

        def same(entry) -> bool:
            d = entry.doc
            return str(entry.type) == "refund" and (d.kind, d.original_number, d.original_lines,
                                                    tuple((ln.code, ln.qty, ln.total) for ln in d.lines),
                                                    tuple((p.type, p.amount) for p in d.payments)) == key
        return same

    def _with_original_ref(self, p: Payment, sale) -> Payment:
        """A card refund names the sale's RRN and terminal; an ОПЛАТИ refund the sale's payment id."""
        if p.type is PaymentType.CARD:
            orig = next((x for x in (sale.payments if sale else ()) if x.type is PaymentType.CARD), None)
            if orig is None or not orig.ref:
                raise OperationError("CARD_DECLINED", variant="REFUND_NEEDS_RRN")
            self.electronic.terminal(orig.terminal)
            return Payment(PaymentType.CARD, p.amount, orig.ref, orig.terminal)
        if p.type is PaymentType.OPLATI:
            orig = next((x for x in (sale.payments if sale else ()) if x.type is PaymentType.OPLATI), None)
            if orig is None or not orig.ref or not self.electronic.devices.oplati:
                raise OperationError("OPLATI_DECLINED", variant="REFUND_NEEDS_OPLATI")
            return Payment(PaymentType.OPLATI, p.amount, str(orig.ref))
        return p

    def _refund_doc(self, items, pay: dict, kind: RefundKind, entry, sale, indexes: tuple[int, ...] = ()):
        vat = self._vat_table()
        try:
            calc = calculate(items, vat_table=vat)
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        # A refund pays back exactly: unspecified amounts take what is left.
        payments, left = [], calc.total_due
        for key, value in pay.items():
            p = parse_payments({key: value if value is not None else "0.01"})[0]
            amount = left if value is None else p.amount
            payments.append(Payment(p.type, amount))
            left -= amount
        try:
            calc = calculate(items, payments=payments, vat_table=vat)
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        if calc.change:
            raise OperationError("CASHLESS_OVERFLOW", variant="REFUND_NO_CHANGE")
        cash = sum(p.amount for p in payments if p.type is PaymentType.CASH)
        if cash > self._cash_in_drawer():
            raise OperationError("NOT_ENOUGH_CASH")
        self.registrar.check_printer()
        self.registrar.check_sko()
        # The document carries the original payment's reference (the RRN or ОПЛАТИ id being refunded), so
        # it is journaled before any money moves; the refund's own terminal answer goes to its effect.
        settled = [self._with_original_ref(p, sale) for p in payments]
        calc = calculate(items, payments=settled, vat_table=vat)
        doc = Refund(op_id=new_op_id(), shift=self._shift_number(), cashier=self.session.cashier_name,
                     created=self.registrar.now(), kind=kind, original_number=entry.number if entry else None,
                     original_uid=entry.registration.uid if entry else None, original_lines=indexes,
                     **priced_fields(calc))
        stock, base = stock_effects(self.stores, doc.lines, +1)
        planned = [(p, new_op_id()) for p in settled if p.type in (PaymentType.CARD, PaymentType.OPLATI)]

        def money_back() -> None:
            for p, intent_id in planned:
                if p.type is PaymentType.CARD:
                    effect = self.electronic.intents.begin(
                        "card_refund", {"op_id": doc.op_id, "amount": p.amount, "terminal": p.terminal,
                                        "rrn": p.ref or ""}, intent_id)
                    self.electronic.card("card_refund", doc.op_id, p.amount, p.terminal, rrn=p.ref or "",
                                         effect=effect)
                else:
                    effect = self.electronic.intents.begin(
                        "oplati_reversal", {"op_id": doc.op_id, "amount": p.amount, "payment_id": p.ref or "",
                                            "shift": str(self._shift_number())}, intent_id)
                    self.electronic.oplati_reverse(doc.op_id, p.ref or "", p.amount, effect=effect,
                                                   shift=self._shift_number())

        same = self._same_refund(doc)
        resumed = self.electronic.resume_incomplete(self.registrar, same)
        if resumed is not None:
            return resumed
        outcome = self.registrar.fiscalize(doc, Effects(stock, base, tuple(i for _, i in planned)), same=same,
                                           device_step=money_back if planned else None)
        self.stores.catalog.reload_stock(stock)
        return outcome
