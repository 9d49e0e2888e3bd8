"""The receipt being built: lines, discounts, markups. Saved as a draft on every change."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from fiscal.receipt import Adjustment, ItemInput, Marking, Payment, ReceiptCalc, calculate
from fiscal.vat import VatTable


@dataclass(frozen=True)
class ReceiptLine:
    code: str | None
    name: str
    price: int
    qty: int
    vat: str
    section: int | None = None
    weighed: bool = False
    discount: Adjustment | None = None
    markup: Adjustment | None = None
    marking: str | None = None          # "si" | "ukz": the line takes one marking code per unit (fsm.marking)
    marking_required: bool = False      # the receipt is not paid until every unit has its code
    markings: tuple[Marking, ...] = ()
    section_name: str | None = None     # the section's name as the SKO is told it
    unit: str | None = None             # шт, кг, ... as printed; None: кг for weighed goods, шт for other items

    def item(self) -> ItemInput:
        unit = self.unit or (None if self.code is None else "кг" if self.weighed else "шт")
        return ItemInput(name=self.name, price=self.price, qty=self.qty, vat=self.vat, code=self.code,
                         section=self.section, discount=self.discount, markup=self.markup, markings=self.markings,
                         section_name=self.section_name, unit=unit)

    @property
    def units(self) -> int:
        """Units that each take a code: a weighed marked line is one piece, else whole pieces."""
        return 1 if self.weighed else max(1, self.qty // 1000)

    @property
    def codes_needed(self) -> int:
        return max(0, self.units - len(self.markings)) if self.marking else 0


def _adj_dict(a: Adjustment | None) -> dict | None:
    return None if a is None else {"percent": a.percent, "amount": a.amount}


def _line_dict(ln: ReceiptLine) -> dict:
    d = dict(ln.__dict__)
    d["discount"], d["markup"] = _adj_dict(ln.discount), _adj_dict(ln.markup)
    d["markings"] = [{m.kind: m.code} for m in ln.markings]
    return d


def _adj(d: dict | None) -> Adjustment | None:
    return Adjustment(**d) if d else None


@dataclass
class OpenReceipt:
    lines: list[ReceiptLine] = field(default_factory=list)
    discount: Adjustment | None = None
    markup: Adjustment | None = None
    discount_card: str | None = None
    op_id: str | None = None          # fixed at the first payment attempt, so a retry is idempotent

    def items(self) -> list[ItemInput]:
        return [ln.item() for ln in self.lines]

    def calc(self, payments: list[Payment] | None = None, vat: VatTable | None = None) -> ReceiptCalc:
        return calculate(self.items(), self.discount, self.markup, payments, vat)

    def changed(self) -> None:
        """Any edit makes a new document: the next payment attempt gets a new operation id."""
        self.op_id = None

    def with_line(self, index: int, **kw) -> ReceiptLine:
        return replace(self.lines[index], **kw)

    def to_dict(self) -> dict:
        # Saved on every edit: a direct field copy (dataclasses.asdict deep-copies and is 10× slower).
        return {"lines": [_line_dict(ln) for ln in self.lines], "discount": _adj_dict(self.discount),
                "markup": _adj_dict(self.markup), "discount_card": self.discount_card, "op_id": self.op_id}

    @classmethod
    def from_dict(cls, d: dict) -> "OpenReceipt":
        lines = []
        for ln in d.get("lines", []):
            ln = dict(ln)
            ln["discount"], ln["markup"] = _adj(ln.get("discount")), _adj(ln.get("markup"))
            ln["markings"] = tuple(Marking(k, c) for m in ln.get("markings") or () for k, c in m.items())
            lines.append(ReceiptLine(**ln))
        return cls(lines, _adj(d.get("discount")), _adj(d.get("markup")), d.get("discount_card"), d.get("op_id"))
