"""Building the receipt: scan, code, weighed goods, sections, quantities, discounts; the draft is saved on every change."""
from __future__ import annotations

from collections.abc import Callable

from fiscal.errors import FiscalError
from fiscal.identifiers import BarcodeKind, WeightBarcodeLayout, classify
from fiscal.money import parse_money, parse_percent, parse_qty
from fiscal.receipt import Adjustment
from fiscal.vat import VatTable
from fsm.context import Stores
from fsm.errors import OperationError
from fsm.open_receipt import OpenReceipt, ReceiptLine
from fsm.session import Session
from hal.errors import DeviceError

SCALE_WAIT_S = 3.0             # how long a weight may take to settle
DISCOUNT_CARD_PERCENT = "5"    # a discount card's percent when none is configured


class SaleService:
    """The open receipt and every edit of it. Payment (`fsm.checkout`) takes the receipt from here."""

    def __init__(self, stores: Stores, devices, session: Session, *,
                 unfinished_check: Callable[[OpenReceipt], None] = lambda r: None,
                 money_taken: Callable[[str | None], dict[str, int]] = lambda op_id: {},
                 money_unknown: Callable[[str | None], bool] = lambda op_id: False) -> None:
        self.stores = stores
        self.devices = devices
        self.session = session
        self._unfinished_check = unfinished_check
        self._money_taken = money_taken
        self._money_unknown = money_unknown
        self.receipt = OpenReceipt()
        self.on_change: Callable[[OpenReceipt], None] = lambda receipt: None
        self.marking = None            # fsm.marking.MarkingService, set by fsm.till: marked goods and their codes

    # ----- the draft ------------------------------------------------------------------
    def vat_table(self) -> VatTable:
        return VatTable.from_config(list(self.stores.params.vat_rates))

    def save_draft(self) -> None:
        """Saved on every change (and the customer's display told)."""
        self.stores.journal.save_draft(self.receipt.to_dict() if self.receipt.lines else None)
        self.on_change(self.receipt)

    def restore_draft(self) -> None:
        """After login: the receipt that was being built before a power loss comes back — unless it was registered."""
        draft = self.stores.journal.load_draft()
        if not draft:
            return
        receipt = OpenReceipt.from_dict(draft)
        if receipt.op_id:
            entry = self.stores.journal.get(receipt.op_id)
            if entry is not None and entry.status != "pending":
                self.stores.journal.save_draft(None)
                return
        self.receipt = receipt
        if receipt.lines and self.session.denial("sale") is None:
            self.session.enter_receipt()

    def reset(self) -> None:
        """The receipt is done (registered) or dropped: the next customer starts empty."""
        self.receipt = OpenReceipt()
        self.save_draft()

    @property
    def is_open(self) -> bool:
        return bool(self.receipt.lines)

    def contains(self, code: str) -> bool:
        return any(ln.code == code for ln in self.receipt.lines)

    def _edit(self, new_lines=None, **kw) -> None:
        """Apply an edit, check the arithmetic still holds, then commit it and save the draft."""
        candidate = OpenReceipt(list(self.receipt.lines if new_lines is None else new_lines),
                                kw.get("discount", self.receipt.discount), kw.get("markup", self.receipt.markup),
                                kw.get("discount_card", self.receipt.discount_card), None)
        total = 0
        if candidate.lines:
            try:
                total = candidate.calc(vat=self.vat_table()).total_due
            except FiscalError as e:
                raise OperationError.carrying(e) from None
        self.ensure_editable(total)
        if self.session.state in ("menu", "payment"):
            self.session.enter_receipt()
        candidate.op_id = self.receipt.op_id if self._money_taken(self.receipt.op_id) else None
        self.receipt = candidate
        self.save_draft()

    def apply_lines(self, lines: list[ReceiptLine]) -> None:
        """Replace the lines (the marking service adds units and codes through this); checked, then saved."""
        self._edit(lines)

    def ensure_complete(self) -> None:
        """A line still waiting for its marking code keeps the receipt from being paid (MARKING_REQUIRED)."""
        if self.marking is not None:
            self.marking.ensure_complete()

    def ensure_editable(self, new_total: int | None = None) -> None:
        """A journaled sale is finished, not edited; a receipt whose card/ОПЛАТИ answer is unknown waits
        for it; one with money already taken may grow, but never below what was taken."""
        op_id = self.receipt.op_id
        if not op_id:
            return
        if self.stores.journal.get(op_id) is not None or self._money_unknown(op_id):
            raise OperationError("UNFINISHED_SALE", variant="UNFINISHED_SALE.paid")
        taken = sum(self._money_taken(op_id).values())
        if taken and (new_total is None or new_total < taken):
            raise OperationError("UNFINISHED_SALE", variant="UNFINISHED_SALE.paid")

    def _line_index(self, line: int) -> int:
        if not isinstance(line, int) or not 1 <= line <= len(self.receipt.lines):
            raise OperationError("BAD_FIELD", variant="BAD_LINE", line=line, count=len(self.receipt.lines))
        return line - 1

    # ----- adding goods ---------------------------------------------------------------
    def _sell_op(self, op: str = "sale") -> None:
        self.session.require(op)
        self._unfinished_check(self.receipt)

    def weight_layout(self) -> WeightBarcodeLayout:
        return WeightBarcodeLayout(prefixes=tuple(self.stores.params.weight_prefixes))

    def scan(self, code: str) -> ReceiptLine:
        """A code from the scanner: the catalog first (a code stored there sells even if its check digit is
        off — in-store codes often are), then a weight barcode (item code + grams); only an unknown code is
        judged by its check digit (fiscal.identifiers.classify_barcode is the one classifier)."""
        self._sell_op("catalog_sale")
        code = str(code).strip()
        item = self.stores.catalog.by_barcode(code)
        if item is not None:
            return self._add(item, None)
        try:
            kind = classify(code, self.weight_layout())
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        if self.marking is not None and (kind.kind is BarcodeKind.MARKING or
                                         (kind.kind is BarcodeKind.OTHER and self.marking.awaits_ukz())):
            return self.marking.scan_code(code)
        if kind.weight is not None:
            w = kind.weight
            item = self.stores.catalog.by_code(w.item_code) or self.stores.catalog.by_code(w.item_code.lstrip("0"))
            if item is None:
                raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_ITEM_CODE", code=code)
            return self._add(item, w.value)
        raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_ITEM_CODE", code=code)

    def add_item(self, code: str, qty: str | None = None) -> ReceiptLine:
        self._sell_op("catalog_sale")
        item = self.stores.catalog.by_code(str(code))
        if item is None:
            raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_ITEM_CODE", code=code)
        q = None
        if qty is not None:
            q = _parse_qty(qty)
        return self._add(item, q)

    def read_weight(self) -> int:
        """A stable weight from the scales in grams (= thousandths of a kg); unstable or overload is refused."""
        scale = self.devices.scale
        if scale is None:
            raise OperationError("SCALE_NO_ANSWER", variant="SCALE_MISSING")
        try:
            reading = scale.read_stable(SCALE_WAIT_S) if hasattr(scale, "read_stable") else scale.read()
        except DeviceError as e:
            raise OperationError.carrying(e) from None
        if not reading.stable:
            raise OperationError("SCALE_UNSTABLE")
        if reading.overload:
            raise OperationError("SCALE_OVERLOAD")
        if reading.negative or reading.weight_g <= 0:
            raise OperationError("SCALE_UNSTABLE", variant="SCALE_EMPTY")
        return reading.weight_g

    def _add(self, item, qty: int | None) -> ReceiptLine:
        if self.marking is not None and self.marking.handles(item):
            return self.marking.add(item, qty)
        if qty is None:
            qty = self.read_weight() if item.weighed else 1000
        check_whole(item.name, item.weighed, qty)
        self.check_stock(item.code, qty)
        lines = list(self.receipt.lines)
        same = self._mergeable(item) if self.stores.params.merge_lines else None
        if same is not None:              # the same goods again: one line, more of it
            lines[same] = line = self.receipt.with_line(same, qty=lines[same].qty + qty)
        else:
            line = ReceiptLine(item.code, item.name, item.price, qty, item.vat, item.section, item.weighed,
                               section_name=self._section_name(item.section), unit=unit_of(item))
            lines.append(line)
        self._edit(lines)
        return line

    def _section_name(self, section: int | None) -> str | None:
        if section is None:
            return None
        return next((s.name for s in self.stores.catalog.sections() if int(s.code) == int(section)), None)

    def _mergeable(self, item) -> int | None:
        """The line the same goods join: same code and price, counted (not weighed), without a discount."""
        for i in range(len(self.receipt.lines) - 1, -1, -1):
            ln = self.receipt.lines[i]
            if ln.code == item.code and ln.price == item.price and not ln.weighed and not item.weighed \
                    and ln.discount is None and ln.markup is None:
                return i
        return None

    def check_stock(self, code: str, extra_qty: int) -> None:
        if not self.stores.params.forbid_negative_stock:
            return
        item = self.stores.catalog.by_code(code)
        if item is None or item.stock is None:
            return
        in_receipt = sum(ln.qty for ln in self.receipt.lines if ln.code == code)
        if in_receipt + extra_qty > item.stock:
            raise OperationError("STOCK_NEGATIVE", variant="STOCK_NEGATIVE_ITEM", name=item.name)

    def add_section(self, section: int, amount: str) -> ReceiptLine:
        """Sum mode: a free amount on a section (секция), no catalog item."""
        self._sell_op("section_sale")
        sec = next((s for s in self.stores.catalog.sections() if int(s.code) == int(section)), None)
        if sec is None:
            raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_SECTION", section=section)
        try:
            price = parse_money(str(amount), "amount", exact=False)
        except FiscalError as e:
            raise OperationError.carrying(e) from None
        line = ReceiptLine(None, sec.name, price, 1000, sec.vat, int(sec.code), section_name=sec.name)
        self._edit(self.receipt.lines + [line])
        return line

    # ----- editing --------------------------------------------------------------------
    def set_qty(self, line: int, qty: str) -> None:
        self.session.require("edit_line")
        i = self._line_index(line)
        q = _parse_qty(qty)
        current = self.receipt.lines[i]
        if current.code is not None:
            check_whole(current.name, current.weighed, q)
        if self.marking is not None:
            self.marking.check_qty(current)
        if current.code:
            self.check_stock(current.code, q - current.qty)
        lines = list(self.receipt.lines)
        lines[i] = self.receipt.with_line(i, qty=q)
        self._edit(lines)

    def remove_line(self, line: int) -> None:
        self.session.require("sale")
        i = self._line_index(line)
        self._edit(self.receipt.lines[:i] + self.receipt.lines[i + 1:])

    def item_discount(self, line: int, spec: dict) -> None:
        self.session.require("line_discount")
        i = self._line_index(line)
        kind = "markup" if spec.get("markup") else "discount"
        adj = adjustment({k: v for k, v in spec.items() if k in ("percent", "amount")})
        lines = list(self.receipt.lines)
        lines[i] = self.receipt.with_line(i, **{kind: adj})
        self._edit(lines)

    def receipt_discount(self, spec: dict, card: str | None = None) -> None:
        self.session.require("receipt_discount")
        if not self.receipt.lines:
            raise OperationError("EMPTY_RECEIPT")
        kind = "markup" if spec.get("markup") else "discount"
        adj = adjustment({k: v for k, v in spec.items() if k in ("percent", "amount")})
        self._edit(**{kind: adj, "discount_card": card or self.receipt.discount_card})

    def discount_card(self, card_number: str) -> None:
        """A discount card: its percent comes from parameters (discount_card_percent)."""
        pct = getattr(self.stores.params, "discount_card_percent", DISCOUNT_CARD_PERCENT)
        self.receipt_discount({"percent": pct}, card=card_number)

    def cancel_receipt(self) -> None:
        """Drop the receipt being built (nothing fiscal happened to it). A receipt whose card or ОПЛАТИ
        payment was approved is finished or its payment given back first."""
        self.ensure_editable()
        if self.session.state == "payment":
            self.session.payment_cancelled()
        self.reset()


def unit_of(item) -> str:
    """The unit printed after the quantity: the item's own, but a weighed item left at the default «шт» is in кг."""
    unit = getattr(item, "unit", "") or "шт"
    return "кг" if item.weighed and unit == "шт" else unit


def check_whole(name: str, weighed: bool, qty: int) -> None:
    """Piece goods sell in whole pieces: 1.5 chocolate bars is refused (weighed goods take any weight)."""
    if not weighed and qty % 1000:
        raise OperationError("QTY_RANGE", f"{name}: {qty} thousandths of a piece", variant="QTY_PIECE", name=name)


def adjustment(spec: dict) -> Adjustment:
    try:
        if "percent" in spec:
            return Adjustment(percent=parse_percent(str(spec["percent"]), "percent"))
        if "amount" in spec:
            return Adjustment(amount=parse_money(str(spec["amount"]), "amount", exact=False))
    except FiscalError as e:
        raise OperationError.carrying(e) from None
    raise OperationError("BAD_FIELD", "discount: expected percent or amount", field="discount")


def _parse_qty(text) -> int:
    try:
        return parse_qty(str(text), "qty", exact=False)
    except FiscalError as e:
        raise OperationError.carrying(e) from None
