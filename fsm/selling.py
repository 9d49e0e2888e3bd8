"""Building the receipt: scan, code, weighed goods, sections, quantities, discounts; the draft is saved on every change."""
from __future__ import annotations

from fiscal.errors import FiscalError
from fiscal.money import parse_money, parse_percent, parse_qty
from fiscal.receipt import Adjustment
from fsm.errors import OperationError
from fsm.open_receipt import OpenReceipt, ReceiptLine
from hal.errors import DeviceError

SCALE_WAIT_S = 3.0             # how long a weight may take to settle
DISCOUNT_CARD_PERCENT = "5"    # a discount card's percent when none is configured


def fiscal_refusal(e: FiscalError) -> OperationError:
    return OperationError.carrying(e)


class SellingOps:
    """Mixin of fsm.register.Register: everything before the payment."""

    # ----- navigation and the draft ---------------------------------------------------
    def ensure_receipt(self) -> None:
        if self.state == "payment":
            self.cancel_payment()
        if self.state in ("menu", "receipt"):
            self.life.open_receipt()

    def save_draft(self) -> None:
        self.journal.save_draft(self.receipt.to_dict() if self.receipt.lines else None)

    def restore_draft(self) -> None:
        """After login: the receipt that was being built before a power loss comes back — unless it was registered."""
        draft = self.journal.load_draft()
        if not draft:
            return
        receipt = OpenReceipt.from_dict(draft)
        if receipt.op_id:
            entry = self.journal.get(receipt.op_id)
            if entry is not None and entry.status != "pending":
                self.journal.save_draft(None)
                return
        self.receipt = receipt
        if self.user is not None and self.user.role == "cashier" and receipt.lines:
            self.life.open_receipt()

    def _edit(self, new_lines=None, **kw) -> None:
        """Apply an edit, check the arithmetic still holds, then commit it and save the draft."""
        candidate = OpenReceipt(list(self.receipt.lines if new_lines is None else new_lines),
                                kw.get("discount", self.receipt.discount), kw.get("markup", self.receipt.markup),
                                kw.get("discount_card", self.receipt.discount_card), None)
        if candidate.lines:
            try:
                candidate.calc(vat=self.vat_table())
            except FiscalError as e:
                raise fiscal_refusal(e) from None
        self.ensure_no_pending_payment()
        self.ensure_receipt()              # navigate only once the edit is known to be good
        self.receipt = candidate
        self.save_draft()

    def vat_table(self):
        from fiscal.vat import VatTable
        return VatTable.from_config(list(self.params.vat_rates))

    def ensure_no_pending_payment(self) -> None:
        if self.receipt.op_id and self.journal.get(self.receipt.op_id) is not None:
            raise OperationError("UNFINISHED_SALE")

    def _line_index(self, line: int) -> int:
        if not isinstance(line, int) or not 1 <= line <= len(self.receipt.lines):
            raise OperationError("BAD_FIELD", variant="BAD_LINE", line=line, count=len(self.receipt.lines))
        return line - 1

    # ----- adding goods ---------------------------------------------------------------
    def _sell_op(self) -> None:
        if self.state == "self_service":
            return
        self.require("sale")
        self.ensure_unfinished_resolved()

    def scan(self, code: str) -> ReceiptLine:
        """A code from the scanner: EAN/UPC of a catalog item, or a weight barcode (item code + grams)."""
        from fiscal.identifiers import barcode_valid, parse_weight_barcode
        self._sell_op()
        code = str(code).strip()
        # The catalog is the truth for what is on the shelf: a code stored there sells even if its
        # check digit is off (in-store codes often are); only an unknown code is judged by its digits.
        item = self.catalog.by_barcode(code)
        if item is not None:
            return self._add(item, None)
        try:
            weight = parse_weight_barcode(code, self.weight_layout())
        except FiscalError as e:
            raise fiscal_refusal(e) from None
        if weight is not None:
            item = self.catalog.by_code(weight.item_code) or self.catalog.by_code(weight.item_code.lstrip("0"))
            if item is None:
                raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_ITEM_CODE", code=code)
            return self._add(item, weight.value)
        if code.isdigit() and len(code) in (8, 12, 13) and not barcode_valid(code):
            raise OperationError("BAD_BARCODE", variant="BAD_BARCODE", code=code)
        raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_ITEM_CODE", code=code)

    def weight_layout(self):
        from fiscal.identifiers import WeightBarcodeLayout
        return WeightBarcodeLayout(prefixes=tuple(self.params.weight_prefixes))

    def add_item(self, code: str, qty: str | None = None) -> ReceiptLine:
        self._sell_op()
        item = self.catalog.by_code(str(code))
        if item is None:
            raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_ITEM_CODE", code=code)
        q = None
        if qty is not None:
            try:
                q = parse_qty(str(qty), "qty", exact=False)
            except FiscalError as e:
                raise fiscal_refusal(e) from None
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
        if qty is None:
            qty = self.read_weight() if item.weighed else 1000
        self.check_stock(item.code, qty)
        line = ReceiptLine(item.code, item.name, item.price, qty, item.vat, item.section, item.weighed)
        self._edit(self.receipt.lines + [line])
        return line

    def check_stock(self, code: str, extra_qty: int) -> None:
        if not self.params.forbid_negative_stock:
            return
        item = self.catalog.by_code(code)
        if item is None or item.stock is None:
            return
        in_receipt = sum(ln.qty for ln in self.receipt.lines if ln.code == code)
        if in_receipt + extra_qty > item.stock:
            raise OperationError("STOCK_NEGATIVE", variant="STOCK_NEGATIVE_ITEM", name=item.name)

    def add_section(self, section: int, amount: str) -> ReceiptLine:
        """Sum mode: a free amount on a section (секция), no catalog item."""
        if self.state != "self_service":
            self.require("section_sale")
        self.ensure_unfinished_resolved()
        sec = next((s for s in self.catalog.sections() if int(s.code) == int(section)), None)
        if sec is None:
            raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_SECTION", section=section)
        try:
            price = parse_money(str(amount), "amount", exact=False)
        except FiscalError as e:
            raise fiscal_refusal(e) from None
        line = ReceiptLine(None, sec.name, price, 1000, sec.vat, int(sec.code))
        self._edit(self.receipt.lines + [line])
        return line

    # ----- editing --------------------------------------------------------------------
    def set_qty(self, line: int, qty: str) -> None:
        self.require("edit_line")
        i = self._line_index(line)
        try:
            q = parse_qty(str(qty), "qty", exact=False)
        except FiscalError as e:
            raise fiscal_refusal(e) from None
        current = self.receipt.lines[i]
        if current.code:
            self.check_stock(current.code, q - current.qty)
        lines = list(self.receipt.lines)
        lines[i] = self.receipt.with_line(i, qty=q)
        self._edit(lines)

    def remove_line(self, line: int) -> None:
        self.require("sale")
        i = self._line_index(line)
        self._edit(self.receipt.lines[:i] + self.receipt.lines[i + 1:])

    @staticmethod
    def adjustment(spec: dict) -> Adjustment:
        try:
            if "percent" in spec:
                return Adjustment(percent=parse_percent(str(spec["percent"]), "percent"))
            if "amount" in spec:
                return Adjustment(amount=parse_money(str(spec["amount"]), "amount", exact=False))
        except FiscalError as e:
            raise fiscal_refusal(e) from None
        raise OperationError("BAD_FIELD", "discount: expected percent or amount", field="discount")

    def item_discount(self, line: int, spec: dict) -> None:
        self.require("line_discount")
        i = self._line_index(line)
        kind = "markup" if spec.get("markup") else "discount"
        adj = self.adjustment({k: v for k, v in spec.items() if k in ("percent", "amount")})
        lines = list(self.receipt.lines)
        lines[i] = self.receipt.with_line(i, **{kind: adj})
        self._edit(lines)

    def receipt_discount(self, spec: dict, card: str | None = None) -> None:
        self.require("receipt_discount")
        if not self.receipt.lines:
            raise OperationError("EMPTY_RECEIPT")
        kind = "markup" if spec.get("markup") else "discount"
        adj = self.adjustment({k: v for k, v in spec.items() if k in ("percent", "amount")})
        self._edit(**{kind: adj, "discount_card": card or self.receipt.discount_card})

    def discount_card(self, card_number: str) -> None:
        """A discount card: its percent comes from parameters (discount_card_percent)."""
        pct = getattr(self.params, "discount_card_percent", DISCOUNT_CARD_PERCENT)
        self.receipt_discount({"percent": pct}, card=card_number)

    def cancel_receipt(self) -> None:
        """Drop the receipt being built (nothing fiscal happened to it). A receipt whose card or ОПЛАТИ
        payment was approved is finished or its payment returned first (cancel_unfinished)."""
        self.ensure_no_pending_payment()
        if self.approved_intents():
            raise OperationError("UNFINISHED_SALE")
        if self.state == "payment":
            self.cancel_payment()
        self.receipt = OpenReceipt()
        self.save_draft()
