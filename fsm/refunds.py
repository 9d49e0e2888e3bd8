"""Refunds: by receipt (chosen lines and quantities), goods without the receipt, and funds only."""
from __future__ import annotations

from fiscal.documents import DocType, Refund, RefundKind, priced_fields
from fiscal.errors import FiscalError
from fiscal.money import line_sum, parse_money, parse_qty
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType, calculate
from fsm.checkout import move_stock, parse_payments
from fsm.context import Registrar, Stores, new_op_id
from fsm.electronic import Electronic
from fsm.errors import OperationError
from fsm.session import Session
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
            if q <= 0 or q + already.get(i, 0) > orig.qty:
                raise OperationError("QTY_RANGE", variant="REFUND_QTY", line=i + 1)
            target = refund_share(orig.total, orig.qty, q)
            raw = line_sum(orig.price, q)
            adj = {"discount": Adjustment(amount=raw - target)} if raw > target else (
                {"markup": Adjustment(amount=target - raw)} if target > raw else {})
            indexes.append(i)
            items.append(ItemInput(name=orig.name, price=orig.price, qty=q, vat=orig.vat_rate, code=orig.code,
                                   section=orig.section, **adj))
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
            items.append(ItemInput(name=item.name, price=item.price, qty=_qty(g.get("qty", "1.000")),
                                   vat=item.vat, code=item.code, section=item.section))
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
        settled = []
        for p in payments:
            if p.type is PaymentType.CARD:
                settled.append(self.electronic.card_refund(p, sale))
            elif p.type is PaymentType.OPLATI:
                settled.append(self.electronic.oplati_refund(p, sale))
            else:
                settled.append(p)
        calc = calculate(items, payments=settled, vat_table=vat)
        doc = Refund(op_id=new_op_id(), shift=self._shift_number(), cashier=self.session.cashier_name,
                     created=self.registrar.now(), kind=kind, original_number=entry.number if entry else None,
                     original_uid=entry.registration.uid if entry else None, original_lines=indexes,
                     **priced_fields(calc))
        outcome = self.registrar.fiscalize(doc)
        move_stock(self.stores, doc.lines, +1)
        return outcome
