"""Documents after the sale: refunds (by receipt, without receipt, funds only), annulment, copies, reprint."""
from __future__ import annotations

from fiscal.documents import Annulment, DocType, Refund, RefundKind, priced_fields
from fiscal.errors import FiscalError
from fiscal.money import line_sum, parse_money, parse_qty
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType, calculate
from fsm.errors import OperationError
from hal.errors import DeviceError

PAYMENT_DOCS = (DocType.SALE, DocType.REFUND)


class DocumentOps:
    """Mixin of fsm.register.Register."""

    def find_sale(self, receipt) -> object:
        if receipt in (None, "last"):
            entry = self.journal.last_document(types=[DocType.SALE])
        else:
            try:
                entry = self.journal.by_number(int(receipt))
            except (TypeError, ValueError):
                raise OperationError("BAD_FIELD", variant="BAD_RECEIPT_NUMBER", number=receipt) from None
        if entry is None or entry.status == "pending" or str(entry.type) != DocType.SALE:
            raise OperationError("UNKNOWN_ITEM", variant="NO_SUCH_RECEIPT", number=receipt)
        return entry

    def refunded_qty(self, sale_number: int) -> dict[int, int]:
        """Quantities already refunded per line index of a sale (all refunds that name it)."""
        done: dict[int, int] = {}
        for e in self.journal.refunds_of(sale_number):
            for idx, ln in zip(e.doc.original_lines, e.doc.lines):
                done[idx] = done.get(idx, 0) + ln.qty
        return done

    def refund(self, receipt=None, lines: list[dict] | None = None, pay: dict | None = None):
        """Refund chosen lines (and quantities) of an earlier sale, at the price the customer paid."""
        self.require("refund")
        self.ensure_unfinished_resolved()
        entry = self.find_sale(receipt)
        sale = entry.doc
        chosen = lines or [{"line": i + 1, "qty": None} for i in range(len(sale.lines))]
        already = self.refunded_qty(entry.number)
        items, indexes = [], []
        for spec in chosen:
            i = int(spec["line"]) - 1
            if not 0 <= i < len(sale.lines):
                raise OperationError("BAD_FIELD", variant="BAD_LINE", line=i + 1, count=len(sale.lines))
            orig = sale.lines[i]
            q = orig.qty - already.get(i, 0) if spec.get("qty") is None else self._qty(spec["qty"])
            if q <= 0 or q + already.get(i, 0) > orig.qty:
                raise OperationError("QTY_RANGE", variant="REFUND_QTY", line=i + 1)
            # The customer gets back what they paid for this share of the line: total × q / qty.
            target = (orig.total * q * 2 + orig.qty) // (2 * orig.qty)
            raw = line_sum(orig.price, q)
            adj = {"discount": Adjustment(amount=raw - target)} if raw > target else (
                {"markup": Adjustment(amount=target - raw)} if target > raw else {})
            indexes.append(i)
            items.append(ItemInput(name=orig.name, price=orig.price, qty=q, vat=orig.vat_rate, code=orig.code,
                                   section=orig.section, **adj))
        payments = pay if pay else {sale.payments[0].type.value: None}
        return self._refund_doc(items, payments, RefundKind.BY_RECEIPT, entry, sale, tuple(indexes))

    def refund_goods(self, goods: list[dict], pay: dict | None = None):
        """Goods returned without the receipt: by catalog code and quantity."""
        self.require("refund_no_receipt")
        items = []
        for g in goods:
            item = self.catalog.by_code(str(g["code"]))
            if item is None:
                raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_ITEM_CODE", code=g["code"])
            items.append(ItemInput(name=item.name, price=item.price, qty=self._qty(g.get("qty", "1.000")),
                                   vat=item.vat, code=item.code, section=item.section))
        return self._refund_doc(items, pay or {"cash": None}, RefundKind.NO_RECEIPT, None, None)

    def refund_free(self, amount: str, pay: dict | None = None, vat: str = "none"):
        """Money back without goods (возврат средств без дифференцированного учёта)."""
        self.require("refund_funds")
        try:
            kop = parse_money(str(amount), "amount", exact=False)
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        items = [ItemInput(name=self.t("doc.refund_funds_line"), price=kop, qty=1000, vat=vat)]
        return self._refund_doc(items, pay or {"cash": None}, RefundKind.FUNDS, None, None)

    def _qty(self, text) -> int:
        try:
            return parse_qty(str(text), "qty", exact=False)
        except FiscalError as e:
            raise OperationError.carrying(e) from None

    def _refund_doc(self, items, pay: dict, kind: RefundKind, entry, sale, indexes: tuple[int, ...] = ()):
        try:
            calc = calculate(items, vat_table=self.vat_table())
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        due = calc.total_due
        # A refund pays back exactly: unspecified amounts take what is left.
        payments, left = [], due
        for key, value in pay.items():
            p = self.parse_payments({key: value if value is not None else "0.01"})[0]
            amount = left if value is None else p.amount
            payments.append(Payment(p.type, amount))
            left -= amount
        try:
            calc = calculate(items, payments=payments, vat_table=self.vat_table())
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        if calc.change:
            raise OperationError("CASHLESS_OVERFLOW", variant="REFUND_NO_CHANGE")
        cash = sum(p.amount for p in payments if p.type is PaymentType.CASH)
        if cash > self.cash_in_drawer():
            raise OperationError("NOT_ENOUGH_CASH")
        self.check_printer()
        settled = []
        for p in payments:
            if p.type is PaymentType.CARD:
                settled.append(self._card_refund(p, sale))
            elif p.type is PaymentType.OPLATI:
                settled.append(self._oplati_refund(p, sale))
            else:
                settled.append(p)
        calc = calculate(items, payments=settled, vat_table=self.vat_table())
        doc = Refund(op_id=self.new_op_id(), shift=self.shift_number, cashier=self.cashier_name, created=self.now(),
                     kind=kind, original_number=entry.number if entry else None,
                     original_uid=entry.registration.uid if entry else None, original_lines=indexes,
                     **priced_fields(calc))
        outcome = self.fiscalize(doc)
        self.move_stock(doc.lines, +1)
        return outcome

    def _card_refund(self, p: Payment, sale) -> Payment:
        orig = next((x for x in (sale.payments if sale else ()) if x.type is PaymentType.CARD), None)
        if orig is None or not orig.ref:
            raise OperationError("CARD_DECLINED", variant="REFUND_NEEDS_RRN")
        term = self.terminal(orig.terminal)
        try:
            res = term.refund(p.amount, orig.ref, self.new_op_id())
        except DeviceError as e:
            raise OperationError.carrying(e) from None
        if not res.approved:
            raise OperationError("CARD_DECLINED", variant="CARD_DECLINED_WHY", why=res.message or res.status)
        return Payment(PaymentType.CARD, p.amount, res.rrn, term.name)

    def _oplati_refund(self, p: Payment, sale) -> Payment:
        orig = next((x for x in (sale.payments if sale else ()) if x.type is PaymentType.OPLATI), None)
        if orig is None or not orig.ref or self.devices.oplati is None:
            raise OperationError("OPLATI_DECLINED", variant="REFUND_NEEDS_OPLATI")
        try:
            rev = self.devices.oplati.reverse(orig.ref, p.amount, [], operation_id=self.new_op_id(),
                                              shift=str(self.shift_number))
        except DeviceError as e:
            raise OperationError.carrying(e) from None
        return Payment(PaymentType.OPLATI, p.amount, getattr(rev, "reversal_id", orig.ref))

    # ----- annulment ----------------------------------------------------------------------
    def annul_last(self):
        """Annul the last payment document of the shift, if nothing fiscal came after it."""
        self.require("annul")
        last = self.journal.last_document(shift=self.shift_number)
        if last is None or str(last.type) not in PAYMENT_DOCS or last.status == "pending":
            raise OperationError("NOTHING_TO_ANNUL")
        target = last.doc
        cash_back = target.cash_net if str(last.type) == DocType.SALE else 0
        if cash_back > self.cash_in_drawer():
            raise OperationError("NOT_ENOUGH_CASH")
        self.check_printer()
        if str(last.type) == DocType.SALE:
            self._give_back_electronic(target.payments)
        doc = Annulment(op_id=self.new_op_id(), shift=self.shift_number, cashier=self.cashier_name,
                        created=self.now(), target_number=last.number, target_uid=last.registration.uid,
                        target_type=DocType(str(last.type)), total_due=target.total_due,
                        payments=target.payments, change=target.change)
        outcome = self.fiscalize(doc)
        self.move_stock(target.lines, 1 if str(last.type) == DocType.SALE else -1)
        return outcome

    def _give_back_electronic(self, payments) -> None:
        """Annulling a sale returns its card money (terminal cancel by RRN) and its ОПЛАТИ money (reversal)."""
        for p in payments:
            try:
                if p.type is PaymentType.CARD:
                    res = self.terminal(p.terminal).cancel(p.amount, p.ref or "", self.new_op_id())
                    if not res.approved:
                        raise OperationError("CARD_DECLINED", variant="CARD_DECLINED_WHY", why=res.message)
                elif p.type is PaymentType.OPLATI and self.devices.oplati is not None:
                    self.devices.oplati.reverse(p.ref, p.amount, [], operation_id=self.new_op_id(),
                                                shift=str(self.shift_number))
            except DeviceError as e:
                raise OperationError.carrying(e) from None

    # ----- copies and reprint -----------------------------------------------------------------
    def copy(self, number=None):
        """Print a copy of a registered document (marked «КОПИЯ»; no counter changes)."""
        self.require("copy")
        if number in (None, "last"):
            entry = self.journal.last_document(types=list(PAYMENT_DOCS))
        else:
            entry = self.journal.by_number(int(number))
        if entry is None or entry.registration is None:
            raise OperationError("UNKNOWN_ITEM", variant="NO_SUCH_RECEIPT", number=number)
        self.check_printer()
        out = self.path.print_registered(entry.doc, entry.registration, copy=True)
        if not out.printed:
            raise OperationError(out.print_error or "PRINTER_OFFLINE")
        return out

    def reprint(self) -> int:
        """Print every registered document that did not print; each is marked printed when it does."""
        self.require("reprint")
        n = 0
        for entry in self.journal.not_printed():
            self.check_printer()
            out = self.path.print_registered(entry.doc, entry.registration)
            if not out.printed:
                raise OperationError(out.print_error or "PRINTER_OFFLINE")
            n += 1
        return n
