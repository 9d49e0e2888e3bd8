"""Refunds, as the manual names them (§3.6): «Возврат» by receipt (chosen lines and quantities), «Возврат без
чека» (goods from the catalog, VAT by their rates, stock back) and «Возврат средств» (money without goods).

A refund by receipt pays back at most, per tender, what that tender paid on the original receipt (cash
net of the change) less what earlier refunds of it gave back (an annulled refund gave nothing back); the
register refuses more (REFUND_OVER_PAYMENT) before any device is asked. `proposed_payments` gives the
refund screen the split the original payment had.
"""
from __future__ import annotations

from fiscal.documents import DocType, Refund, RefundKind, priced_fields
from fiscal.errors import FiscalError
from fiscal.money import format_money, line_sum, parse_money, parse_qty
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType, calculate, spread
from fsm.checkout import parse_payments, stock_effects
from fsm.context import Registrar, Stores, new_op_id
from fsm.electronic import Electronic
from fsm.errors import OperationError
from fsm.sale import check_whole, unit_of
from fsm.session import Session
from storage.journal_effects import Effects
from texts import t

ELECTRONIC = (PaymentType.CARD, PaymentType.OPLATI)
# The refund kinds as the manual's table names them (the refund screen shows these).
KIND_NAMES = {RefundKind.BY_RECEIPT: "doc.refund_kind.by_receipt", RefundKind.NO_RECEIPT: "doc.refund_kind.no_receipt",
              RefundKind.FUNDS: "doc.refund_kind.funds"}


def kind_name(kind: RefundKind | str) -> str:
    """«Возврат (с дифференцированным учётом)», «Возврат без чека», «Возврат средств (без дифференцированного учёта)»."""
    return t(KIND_NAMES[RefundKind(kind)])


def annulled_numbers(journal, shift: int) -> set[int]:
    """Numbers of the documents annulled in a shift (an annulment targets the last document of its own shift)."""
    return {e.doc.target_number for e in journal.shift_documents(shift) if str(e.type) == DocType.ANNULMENT}


def find_sale(journal, receipt):
    """The registered sale a refund names: its number, or "last". An annulled sale has nothing left to refund."""
    if receipt in (None, "last"):
        entry = journal.last_document(types=[DocType.SALE])
    else:
        try:
            entry = journal.by_number(int(receipt))
        except (TypeError, ValueError):
            raise OperationError("BAD_FIELD", variant="BAD_RECEIPT_NUMBER", number=receipt) from None
    if entry is None or entry.status == "pending" or str(entry.type) != DocType.SALE:
        raise OperationError("UNKNOWN_ITEM", variant="NO_SUCH_RECEIPT", number=receipt)
    if entry.number in annulled_numbers(journal, entry.doc.shift):
        raise OperationError("NOT_ALLOWED", f"sale {entry.number} was annulled", variant="REFUND_OF_ANNULLED",
                             number=entry.number)
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
        self.slips = None              # fsm.slips.CardSlips, set by fsm.till: the terminal's slip after a card refund

    def kinds(self) -> list[tuple[RefundKind, str, str]]:
        """The refund screen's three entries, in the manual's order: (kind, the manual's name, the permission row
        that greys it) — «Возврат» by receipt, «Возврат средств» (money only), «Возврат без чека» (goods)."""
        return [(RefundKind.BY_RECEIPT, kind_name(RefundKind.BY_RECEIPT), "refund"),
                (RefundKind.FUNDS, kind_name(RefundKind.FUNDS), "refund_funds"),
                (RefundKind.NO_RECEIPT, kind_name(RefundKind.NO_RECEIPT), "refund_no_receipt")]

    def earlier_refunds(self, sale_number: int) -> list:
        """The registered refunds that name this sale and were not annulled afterwards."""
        journal = self.stores.journal
        annulled: dict[int, set[int]] = {}
        out = []
        for e in journal.refunds_of(sale_number):
            if e.doc.shift not in annulled:
                annulled[e.doc.shift] = annulled_numbers(journal, e.doc.shift)
            if e.number not in annulled[e.doc.shift]:
                out.append(e)
        return out

    def refunded_qty(self, sale_number: int) -> dict[int, int]:
        """Quantities already refunded per line index of a sale (all refunds that name it, less annulled ones)."""
        done: dict[int, int] = {}
        for e in self.earlier_refunds(sale_number):
            for idx, ln in zip(e.doc.original_lines, e.doc.lines):
                done[idx] = done.get(idx, 0) + ln.qty
        return done

    def refundable(self, entry) -> dict[PaymentType, int]:
        """What each tender of the sale can still give back: paid (cash net of the change) less earlier refunds."""
        left = dict(paid_net(entry.doc))
        for e in self.earlier_refunds(entry.number):
            for p in e.doc.payments:
                left[p.type] = left.get(p.type, 0) - p.amount
        return {k: max(0, v) for k, v in left.items()}

    def proposed_payments(self, receipt=None, lines: list[dict] | None = None) -> dict[str, str]:
        """The refund screen's proposal: the refund's total split over the tenders as the original payment was
        (in proportion to what each can still give back), e.g. {"card": "2.61", "cash": "2.39"}."""
        self.session.require_rule("refund")
        entry = find_sale(self.stores.journal, receipt)
        items, _ = self._items_of(entry, lines)
        return self._proposal(entry, items)

    def _proposal(self, entry, items: list[ItemInput]) -> dict[str, str]:
        try:
            total = calculate(items, vat_table=self._vat_table()).total_due
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        return {p.value: format_money(a) for p, a in split_like(total, self.refundable(entry)).items()}

    def sale(self, receipt=None):
        """The sale a refund by receipt starts from (for the refund screen)."""
        self.session.require("refund")
        return find_sale(self.stores.journal, receipt)

    def refund(self, receipt=None, lines: list[dict] | None = None, pay: dict | None = None):
        """Refund chosen lines (and quantities) of an earlier sale, at the price the customer paid. Without
        `pay` the money goes back the way it came (`proposed_payments`)."""
        self.session.require("refund")
        self._ensure_unfinished()
        entry = find_sale(self.stores.journal, receipt)
        items, indexes = self._items_of(entry, lines)
        if not pay:
            pay = self._proposal(entry, items)
        return self._refund_doc(items, pay, RefundKind.BY_RECEIPT, entry, entry.doc, tuple(indexes))

    def _items_of(self, entry, lines: list[dict] | None) -> tuple[list[ItemInput], list[int]]:
        """The refund's lines: each chosen line's quantity at what the customer paid for that share of it."""
        sale = entry.doc
        already = self.refunded_qty(entry.number)
        # no lines named: everything not yet refunded
        chosen = lines or [{"line": i + 1, "qty": None} for i, ln in enumerate(sale.lines) if already.get(i, 0) < ln.qty]
        if not chosen:
            raise OperationError("QTY_RANGE", f"sale {entry.number} is refunded in full", variant="REFUND_NOTHING_LEFT",
                                 number=entry.number)
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
            if orig.unit == "шт":
                check_whole(orig.name, False, q)
            target = refund_share(orig.total, orig.qty, q)
            raw = line_sum(orig.price, q)
            adj = {"discount": Adjustment(amount=raw - target)} if raw > target else (
                {"markup": Adjustment(amount=target - raw)} if target > raw else {})
            indexes.append(i)
            items.append(ItemInput(name=orig.name, price=orig.price, qty=q, vat=orig.vat_rate, code=orig.code,
                                   section=orig.section, markings=marks, unit=orig.unit, **adj))
        return items, indexes

    def refund_goods(self, goods: list[dict], pay: dict | None = None):
        """«Возврат без чека»: goods returned without the receipt, chosen from the catalog by code and quantity
        (`goods`: [{"code": "7", "qty": "2.000"}]), at their catalog price and VAT rate, stock back."""
        self.session.require("refund_no_receipt")
        if not goods:
            raise OperationError("EMPTY_RECEIPT")
        items = []
        for g in goods:
            item = self.stores.catalog.by_code(str(g["code"]))
            if item is None:
                raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_ITEM_CODE", code=g["code"])
            qty, marks = _qty(g.get("qty", "1.000")), ()
            check_whole(item.name, item.weighed, qty)
            if self.marking is not None:
                qty, marks = self.marking.goods_codes(item, g, qty)
            items.append(ItemInput(name=item.name, price=item.price, qty=qty, vat=item.vat, code=item.code,
                                   section=item.section, markings=marks, unit=unit_of(item)))
        return self._refund_doc(items, pay or {"cash": None}, RefundKind.NO_RECEIPT, None, None)

    def refund_free(self, amount: str, pay: dict | None = None, vat: str = "none"):
        """«Возврат средств (без дифференцированного учёта)»: money back without goods, at one VAT rate."""
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

    def _with_original_ref(self, p: Payment, sale, entry) -> list[Payment]:
        """A card refund names the sale's RRN and terminal; an ОПЛАТИ refund the sale's payment id. A sale paid
        with two cards (or two ОПЛАТИ payments) is refunded against each in turn, up to what each has left."""
        if p.type not in ELECTRONIC:
            return [p]
        origs = [x for x in (sale.payments if sale else ()) if x.type is p.type and x.ref]
        if p.type is PaymentType.CARD and not origs:
            raise OperationError("CARD_DECLINED", variant="REFUND_NEEDS_RRN")
        if p.type is PaymentType.OPLATI and (not origs or not self.electronic.devices.oplati):
            raise OperationError("OPLATI_DECLINED", variant="REFUND_NEEDS_OPLATI")
        left_by_ref: dict[str, int] = {}
        for x in origs:
            left_by_ref[str(x.ref)] = left_by_ref.get(str(x.ref), 0) + x.amount
        for e in self.earlier_refunds(entry.number):
            for q in e.doc.payments:
                if q.type is p.type and q.ref is not None and str(q.ref) in left_by_ref:
                    left_by_ref[str(q.ref)] -= q.amount
        out, need = [], p.amount
        for x in origs:
            take = min(need, max(0, left_by_ref.get(str(x.ref), 0)))
            left_by_ref[str(x.ref)] = left_by_ref.get(str(x.ref), 0) - take
            if take:
                if p.type is PaymentType.CARD:
                    self.electronic.terminal(x.terminal)
                out.append(Payment(p.type, take, str(x.ref), x.terminal if p.type is PaymentType.CARD else None))
                need -= take
        if need:      # the per-tender check came first; this is a sale whose references do not add up
            raise OperationError("REFUND_OVER_PAYMENT", f"{p.type.value}: {need} kopecks left without a reference",
                                 tender=t(f"ui.pay.type.{p.type.value}"), max=format_money(p.amount - need))
        return out

    @staticmethod
    def check_over_payment(payments: list[Payment], refundable: dict[PaymentType, int], sale) -> None:
        """REFUND_OVER_PAYMENT for the first tender asked to give back more than it can (before any device).
        A card or ОПЛАТИ refund of a sale that tender never paid says what it needs (the RRN, the payment)."""
        asked: dict[PaymentType, int] = {}
        for p in payments:
            asked[p.type] = asked.get(p.type, 0) + p.amount
        used = {p.type for p in sale.payments}
        for tender, amount in asked.items():
            most = refundable.get(tender, 0)
            if tender is PaymentType.CARD and tender not in used:
                raise OperationError("CARD_DECLINED", variant="REFUND_NEEDS_RRN")
            if tender is PaymentType.OPLATI and tender not in used:
                raise OperationError("OPLATI_DECLINED", variant="REFUND_NEEDS_OPLATI")
            if amount > most:
                raise OperationError("REFUND_OVER_PAYMENT", f"{tender.value}: {amount} asked, {most} left",
                                     tender=t(f"ui.pay.type.{tender.value}"), max=format_money(most))

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
            if value is None and amount <= 0:
                continue                 # "the rest" of nothing: that tender gives nothing back
            payments.append(Payment(p.type, amount))
            left -= amount
        try:
            calc = calculate(items, payments=payments, vat_table=vat)
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        if calc.change:
            raise OperationError("CASHLESS_OVERFLOW", variant="REFUND_NO_CHANGE")
        if entry is not None:
            self.check_over_payment(payments, self.refundable(entry), entry.doc)
        cash = sum(p.amount for p in payments if p.type is PaymentType.CASH)
        if cash > self._cash_in_drawer():
            raise OperationError("NOT_ENOUGH_CASH")
        self.registrar.check_printer()
        self.registrar.check_sko()
        # The document carries the original payment's reference (the RRN or ОПЛАТИ id being refunded), so
        # it is journaled before any money moves; the refund's own terminal answer goes to its effect.
        settled = [q for p in payments for q in self._with_original_ref(p, sale, entry)]
        calc = calculate(items, payments=settled, vat_table=vat)
        doc = Refund(op_id=new_op_id(), shift=self._shift_number(), cashier=self.session.cashier_name,
                     created=self.registrar.now(), kind=kind, original_number=entry.number if entry else None,
                     original_uid=entry.registration.uid if entry else None, original_lines=indexes,
                     **priced_fields(calc))
        stock, base = stock_effects(self.stores, doc.lines, +1)
        planned = [(p, new_op_id()) for p in settled if p.type in (PaymentType.CARD, PaymentType.OPLATI)]

        def money_back() -> None:
            self.electronic.give_back(doc.op_id, planned, "card_refund", self._shift_number(),
                                      lambda: self.slips and self.slips.print_new(doc.op_id, DocType.REFUND))

        same = self._same_refund(doc)
        resumed = self.electronic.resume_incomplete(self.registrar, same)
        if resumed is not None:
            return resumed
        outcome = self.registrar.fiscalize(doc, Effects(stock, base, tuple(i for _, i in planned)), same=same,
                                           device_step=money_back if planned else None)
        self.stores.catalog.reload_stock(stock)
        return outcome


def paid_net(sale) -> dict[PaymentType, int]:
    """What each tender paid on a sale: the payments by type, the change taken off the cash."""
    out: dict[PaymentType, int] = {}
    for p in sale.payments:
        out[p.type] = out.get(p.type, 0) + p.amount
    if sale.change:
        out[PaymentType.CASH] = out.get(PaymentType.CASH, 0) - sale.change
    return out


def split_like(total: int, weights: dict[PaymentType, int]) -> dict[PaymentType, int]:
    """`total` over the tenders in proportion to `weights` (what each can give back), none above its weight.

    Largest remainder, so the shares add up to `total` exactly; a share never exceeds its weight while
    `total` ≤ the sum of the weights (a refund by receipt never exceeds what the sale has left)."""
    tenders = [k for k, v in weights.items() if v > 0]
    shares = spread(min(total, sum(weights[k] for k in tenders)), [weights[k] for k in tenders])
    return {k: a for k, a in zip(tenders, shares) if a}
