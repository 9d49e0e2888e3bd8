"""Marked goods at the till: which line waits for its code, what a scanned code belongs to, one code per unit, never twice.

The sale service hands over (a) every item whose rule today says it is marked, (b) every scan
that is a marking code, (c) quantity edits of marked lines; checkout asks `ensure_complete`
before a payment and the refunds ask which codes go back. Codes live on the receipt lines
(`ReceiptLine.markings`) until the sale is registered; then the journal's index knows them
(storage.marking_index), so removing a line or cancelling a receipt frees its codes simply by
dropping them, and an annulment frees them in the index.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime

from fiscal.errors import FiscalError
from fiscal.marking import MarkCode, MarkKind, gtin14, gtin_forms, parse_code
from fiscal.marking_rules import Effective, MarkingRules
from fiscal.receipt import CalcLine, Marking
from fsm.context import Stores
from fsm.errors import OperationError
from fsm.open_receipt import ReceiptLine
from fsm.session import Session
from storage.catalog_items import Item
from storage.errors import StorageError
from storage.marking_index import MarkingIndex, code_key
from storage.marking_settings import load_override, load_rules, save_override

log = logging.getLogger("zpos.marking")

SELF_SERVICE_BAD_READS = 2    # after this many unreadable codes in a row the customer is sent to the cashier


@dataclass(frozen=True)
class Prompt:
    """What the screen asks: «Отсканируйте код маркировки» for line `line` (1-based), `needed` codes to go."""

    line: int
    name: str
    needed: int
    required: bool          # False: the cashier may skip it (policy optional)
    kind: str               # "si" | "ukz"


class MarkingService:
    def __init__(self, stores: Stores, sale, session: Session, now) -> None:
        self.stores = stores
        self.sale = sale
        self.session = session
        self._now = now                       # ISO time of the till's clock: the rules' periods are by date
        self._rules: MarkingRules | None = None
        self._index: MarkingIndex | None = None
        self._index_db = None
        self._asking: tuple[int, str | None] | None = None   # an optional line being asked for (index, item code)
        self._bad_reads = 0

    # ----- rules ---------------------------------------------------------------------------
    def rules(self) -> MarkingRules:
        if self._rules is None:
            try:
                self._rules = load_rules(str(self.stores.data_dir))
            except StorageError as e:
                raise OperationError.carrying(e) from None
        return self._rules

    def today(self) -> date:
        return datetime.fromisoformat(self._now()).date()

    def effective(self, item: Item) -> Effective:
        return self.rules().effective(item.marking, item.marking_policy, item.category, self.today())

    @property
    def receipt_mark(self) -> str:
        return self.rules().receipt_mark

    def settings(self) -> dict:
        """The administrator's override of the goods-group table (groups, categories, receipt_mark)."""
        self.session.require("parameters")
        try:
            return load_override(str(self.stores.data_dir))
        except StorageError as e:
            raise OperationError.carrying(e) from None

    def save_settings(self, override: dict) -> None:
        self.session.require("parameters")
        try:
            self._rules = save_override(str(self.stores.data_dir), override)
        except StorageError as e:
            raise OperationError("BAD_FIELD", e.detail, **e.params) from None

    def index(self) -> MarkingIndex:
        db = self.stores.journal.raw()
        if self._index is None or self._index_db is not db:      # the journal is reopened after a DB import
            self._index, self._index_db = MarkingIndex(db), db
        return self._index

    # ----- what the screen asks ----------------------------------------------------------------
    def _waiting(self) -> list[int]:
        lines = self.sale.receipt.lines
        out = [i for i, ln in enumerate(lines) if ln.marking_required and ln.codes_needed]
        a = self._asking
        if a is not None and a[0] < len(lines) and lines[a[0]].code == a[1] and lines[a[0]].codes_needed \
                and a[0] not in out:
            out.append(a[0])
        return out

    def prompt(self) -> Prompt | None:
        """The line the next marking code is for (required lines first), or None."""
        waiting = self._waiting()
        if not waiting:
            return None
        ln = self.sale.receipt.lines[waiting[0]]
        return Prompt(waiting[0] + 1, ln.name, ln.codes_needed, ln.marking_required, ln.marking or "si")

    def skip(self) -> None:
        """The cashier goes on without the code of an optional item; a required one cannot be skipped."""
        p = self.prompt()
        if p is not None and p.required:
            raise OperationError("MARKING_REQUIRED", name=p.name, count=p.needed)
        self._asking = None

    def awaits_ukz(self) -> bool:
        lines = self.sale.receipt.lines
        return any(lines[i].marking == MarkKind.UKZ for i in self._waiting())

    def ensure_complete(self) -> None:
        """Before a payment: every line whose code is required has one code per unit (MARKING_REQUIRED)."""
        for ln in self.sale.receipt.lines:
            if ln.marking_required and ln.codes_needed:
                raise OperationError("MARKING_REQUIRED", name=ln.name, count=ln.codes_needed)

    def check_qty(self, line: ReceiptLine) -> None:
        """A quantity is not typed for a marked line: its quantity is the number of its codes. An optional
        line that carries no code yet is ordinary goods (six bottles need not six УКЗ scans)."""
        if line.marking and (line.marking_required or line.markings):
            raise OperationError("MARKING_QTY", name=line.name)

    # ----- adding goods ---------------------------------------------------------------------------
    def handles(self, item: Item) -> bool:
        return self.effective(item).marked

    def add(self, item: Item, qty: int | None) -> ReceiptLine:
        """An item whose rule says it is marked, by its EAN or its tile: the line waits for its code."""
        eff = self.effective(item)
        if qty is not None and not item.weighed and eff.required:
            raise OperationError("MARKING_QTY", name=item.name)
        lines = list(self.sale.receipt.lines)
        if qty is None and lines and _mergeable(lines[-1], item):
            self.sale.check_stock(item.code, 1000)
            lines[-1] = replace(lines[-1], qty=lines[-1].qty + 1000)
            index = len(lines) - 1
        else:
            if qty is None:
                qty = self.sale.read_weight() if item.weighed else 1000
            self.sale.check_stock(item.code, qty)
            lines.append(ReceiptLine(item.code, item.name, item.price, qty, item.vat, item.section, item.weighed,
                                     marking=eff.marking, marking_required=eff.required))
            index = len(lines) - 1
        self.sale.apply_lines(lines)
        self._asking = None if eff.required else (index, item.code)
        return self.sale.receipt.lines[index]

    def scan_code(self, raw: str) -> ReceiptLine:
        """A scanned marking code: the waiting line's code (its GTIN must match), or alone it adds its item."""
        mc = self._parse(raw)
        lines = list(self.sale.receipt.lines)
        waiting = self._waiting()
        target = None
        for i in waiting:
            ln = lines[i]
            if mc.kind is MarkKind.SI and self._gtin_matches(ln, mc):
                target = i
                break
            if mc.kind is MarkKind.UKZ and ln.marking == MarkKind.UKZ:
                target = i
                break
        if target is None:
            required = [i for i in waiting if lines[i].marking_required]
            if required:
                first = lines[required[0]]
                if mc.kind is MarkKind.UKZ:
                    raise OperationError("MARKING_BAD", "a УКЗ code for a line that needs a СИ",
                                         variant="MARKING_BAD_NOT_SI", name=first.name)
                raise OperationError("MARKING_GTIN_MISMATCH", f"code GTIN {mc.gtin}, line {first.code}",
                                     gtin=mc.gtin, name=first.name)
            if mc.kind is MarkKind.UKZ:
                raise OperationError("UNKNOWN_ITEM", "a УКЗ code with no line waiting", variant="MARKING_UKZ_ALONE")
            return self._add_alone(mc, lines)
        self._ensure_unique(mc)
        ln = lines[target]
        lines[target] = replace(ln, markings=ln.markings + (Marking(mc.kind.value, mc.code),))
        self.sale.apply_lines(lines)
        if not lines[target].codes_needed:
            self._asking = None
        return self.sale.receipt.lines[target]

    def _parse(self, raw: str, kind: str | None = None) -> MarkCode:
        try:
            mc = parse_code(raw, kind)
        except FiscalError as e:
            self._bad_reads += 1
            if self.session.state == "self_service" and self._bad_reads >= SELF_SERVICE_BAD_READS:
                raise OperationError("MARKING_BAD", e.detail, variant="MARKING_CALL_CASHIER") from None
            raise OperationError.carrying(e) from None
        self._bad_reads = 0
        if mc.repaired:
            log.info("marking code %s: GS separators re-inserted (a scanner in keyboard mode?)", mc.short)
        return mc

    def _item_of(self, line: ReceiptLine) -> Item | None:
        return self.stores.catalog.by_code(line.code) if line.code else None

    def _gtin_matches(self, line: ReceiptLine, mc: MarkCode) -> bool:
        item = self._item_of(line)
        gtin = gtin14(item.barcode) if item is not None else None
        if gtin is None:
            # An item without a GTIN in the catalog cannot be compared; refusing would make it unsellable.
            log.warning("marked item %s has no GTIN in the catalog; code %s accepted unchecked", line.code, mc.short)
            return True
        return gtin == mc.gtin

    def _by_gtin(self, gtin: str) -> Item | None:
        for form in gtin_forms(gtin):
            item = self.stores.catalog.by_barcode(form)
            if item is not None:
                return item
        return None

    def _add_alone(self, mc: MarkCode, lines: list[ReceiptLine]) -> ReceiptLine:
        item = self._by_gtin(mc.gtin or "")
        if item is None:
            raise OperationError("UNKNOWN_ITEM", f"no item with GTIN {mc.gtin}", variant="MARKING_UNKNOWN_GTIN",
                                 gtin=mc.gtin)
        self._ensure_unique(mc)
        eff = self.effective(item)
        if not eff.marked:
            # marking.md §2.6: a СИ scanned for goods the catalog calls unmarked is taken, and the mismatch logged.
            log.warning("item %s is not marked in the catalog but a СИ %s was scanned for it", item.code, mc.short)
        mark = Marking(mc.kind.value, mc.code)
        if lines and not item.weighed and _mergeable(lines[-1], item) and not lines[-1].codes_needed:
            self.sale.check_stock(item.code, 1000)
            lines[-1] = replace(lines[-1], qty=lines[-1].qty + 1000, markings=lines[-1].markings + (mark,))
        else:
            qty = (mc.net_weight or self.sale.read_weight()) if item.weighed else 1000
            self.sale.check_stock(item.code, qty)
            lines.append(ReceiptLine(item.code, item.name, item.price, qty, item.vat, item.section, item.weighed,
                                     marking=mc.kind.value, marking_required=eff.required, markings=(mark,)))
        self.sale.apply_lines(lines)
        self._asking = None
        return self.sale.receipt.lines[len(lines) - 1]

    def _ensure_unique(self, mc: MarkCode) -> None:
        """The same unit twice in this receipt, or sold by this register and not taken back: MARKING_DUPLICATE."""
        key = mc.key
        for ln in self.sale.receipt.lines:
            if any(code_key(m.kind, m.code) == key for m in ln.markings):
                raise OperationError("MARKING_DUPLICATE", f"{mc.short} is already in the receipt", name=ln.name)
        number = self.index().sold_in(key)
        if number is not None:
            raise OperationError("MARKING_DUPLICATE", f"{mc.short} was sold by document {number}",
                                 variant="MARKING_DUPLICATE_SOLD", number=number)

    # ----- refunds ---------------------------------------------------------------------------------
    def refund_units(self, sale_number: int, orig: CalcLine, spec: dict, qty: int) -> tuple[int, tuple[Marking, ...]]:
        """Which units of a marked sale line come back: the codes scanned (each must have been sold on that
        receipt and not yet returned), else the first `qty` units still out; the quantity is their count."""
        index = self.index()
        keyed = [(m, code_key(m.kind, m.code)) for m in orig.markings]
        out = [m for m, k in keyed if index.sold_in(k) == sale_number]
        lenient = not _whole_coded(orig)        # an optional line sold with codes skipped: quantity as typed
        codes = spec.get("codes")
        if codes:
            chosen: list[Marking] = []
            for raw in codes:
                mc = self._parse(str(raw))
                match = next((m for m, k in keyed if k == mc.key), None)
                if match is None:
                    raise OperationError("MARKING_NOT_SOLD", f"{mc.short} is not on sale {sale_number}",
                                         number=sale_number)
                if match not in out:
                    raise OperationError("MARKING_NOT_SOLD", f"{mc.short} of sale {sale_number} is already back",
                                         variant="MARKING_ALREADY_RETURNED", number=sale_number)
                if match in chosen:
                    raise OperationError("MARKING_DUPLICATE", f"{mc.short} twice in the refund", name=orig.name)
                chosen.append(match)
            units = orig.qty if orig_weighed(orig) else len(chosen) * 1000
            if lenient and spec.get("qty") is not None:
                units = qty
            elif spec.get("qty") is not None and qty != units:
                raise OperationError("MARKING_QTY", variant="MARKING_QTY_REFUND", name=orig.name, count=len(chosen))
            return units, tuple(chosen)
        if orig_weighed(orig):
            return qty, tuple(out[:1])
        if lenient:
            return qty, tuple(out[:qty // 1000])
        if spec.get("qty") is not None:
            if qty % 1000:
                raise OperationError("MARKING_QTY", variant="MARKING_QTY_REFUND", name=orig.name, count=len(out))
            n = qty // 1000
        else:
            n = len(out)
        if n < 1 or n > len(out):
            raise OperationError("QTY_RANGE", variant="REFUND_QTY", line=orig.name)
        return n * 1000, tuple(out[:n])

    def goods_codes(self, item: Item, spec: dict, qty: int) -> tuple[int, tuple[Marking, ...]]:
        """A refund without the receipt: the codes are scanned from the goods (required items need them)."""
        eff = self.effective(item)
        codes = spec.get("codes") or []
        if not codes:
            if eff.required:
                raise OperationError("MARKING_REQUIRED", variant="MARKING_REQUIRED_REFUND", name=item.name)
            return qty, ()
        index = self.index()
        chosen: list[Marking] = []
        keys: set[str] = set()
        gtin = gtin14(item.barcode)
        for raw in codes:
            mc = self._parse(str(raw))
            if mc.kind is MarkKind.SI and gtin is not None and mc.gtin != gtin:
                raise OperationError("MARKING_GTIN_MISMATCH", gtin=mc.gtin, name=item.name)
            if mc.key in keys:
                raise OperationError("MARKING_DUPLICATE", f"{mc.short} twice in the refund", name=item.name)
            state = index.state(mc.key)
            if state is not None and state.state == "returned":
                raise OperationError("MARKING_NOT_SOLD", f"{mc.short} was already taken back",
                                     variant="MARKING_ALREADY_RETURNED", number=state.doc_number)
            keys.add(mc.key)
            chosen.append(Marking(mc.kind.value, mc.code))
        units = qty if item.weighed else len(chosen) * 1000
        if spec.get("qty") is not None and qty != units:
            raise OperationError("MARKING_QTY", variant="MARKING_QTY_REFUND", name=item.name, count=len(chosen))
        return units, tuple(chosen)


def orig_weighed(line: CalcLine) -> bool:
    """A sold line of one weighed piece: one code, a quantity that is a weight."""
    return len(line.markings) == 1 and line.qty % 1000 != 0


def _whole_coded(line: CalcLine) -> bool:
    return orig_weighed(line) or len(line.markings) * 1000 == line.qty


def _mergeable(line: ReceiptLine, item: Item) -> bool:
    """One more unit joins the last line when it is the same marked item with no line discount or markup."""
    return (line.code == item.code and bool(line.marking) and not line.weighed
            and line.discount is None and line.markup is None)
