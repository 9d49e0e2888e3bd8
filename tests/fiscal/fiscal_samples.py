"""Hand-made documents shared by the fiscal tests and the sample receipt."""
from __future__ import annotations

from fiscal.documents import (
    Annulment,
    CashIn,
    CashOut,
    DocType,
    Document,
    Refund,
    RefundKind,
    Registration,
    Requisites,
    Sale,
    ShiftClose,
    ShiftOpen,
    priced_fields,
)
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType, calculate

REQ = Requisites(org_name="ООО «Ромашка»", unp="200988541", ksa_number="123456789",
                 shop_name="Магазин «Лянок» №1", shop_address="г. Мінск, вул. Незалежнасці, 1",
                 sko_serial="AVQ11169990670")

CASHIER = "Іваноў Ў.І."


def reg(number: int, time: str = "2026-01-15T09:12:33+03:00") -> Registration:
    return Registration(number=number, uid=f"{number:024X}", time=time, signature="ab" * 32,
                        sko_serial="AVQ11169990670")


def sale(op: str = "s1", shift: int = 5, items: list[ItemInput] | None = None,
         payments: list[Payment] | None = None, discount: Adjustment | None = None) -> Sale:
    items = items or [ItemInput("Хлеб", 150, 1000, "10")]
    calc = calculate(items, discount, None, payments or [Payment(PaymentType.CASH, 100_000)])
    return Sale(op_id=op, shift=shift, cashier=CASHIER, created="2026-01-15T09:12:30+03:00",
                **priced_fields(calc))


def refund(op: str = "r1", shift: int = 5, items: list[ItemInput] | None = None,
           payments: list[Payment] | None = None, kind: RefundKind = RefundKind.BY_RECEIPT) -> Refund:
    items = items or [ItemInput("Хлеб", 150, 1000, "10")]
    calc = calculate(items, None, None, payments or [Payment(PaymentType.CASH, 150)])
    return Refund(op_id=op, shift=shift, cashier=CASHIER, created="2026-01-15T10:00:00+03:00",
                  kind=kind, original_number=12 if kind is RefundKind.BY_RECEIPT else None,
                  original_uid="00000000000000000000000C" if kind is RefundKind.BY_RECEIPT else None,
                  **priced_fields(calc))


def annulment_of(doc: Sale | Refund, number: int, op: str = "a1") -> Annulment:
    return Annulment(op_id=op, shift=doc.shift, cashier=CASHIER, created="2026-01-15T10:05:00+03:00",
                     target_number=number, target_uid=f"{number:024X}", target_type=doc.type,
                     total_due=doc.total_due, payments=doc.payments, change=doc.change)


def shift_open(shift: int = 5) -> ShiftOpen:
    return ShiftOpen(op_id="o", shift=shift, cashier=CASHIER, created="2026-01-15T09:00:00+03:00")


def cash_in(amount: int, op: str = "ci", shift: int = 5) -> CashIn:
    return CashIn(op_id=op, shift=shift, cashier=CASHIER, created="2026-01-15T09:01:00+03:00", amount=amount)


def cash_out(amount: int, op: str = "co", shift: int = 5) -> CashOut:
    return CashOut(op_id=op, shift=shift, cashier=CASHIER, created="2026-01-15T20:00:00+03:00", amount=amount)


def shift_close(counters: dict, shift: int = 5) -> ShiftClose:
    return ShiftClose(op_id="z", shift=shift, cashier=CASHIER, created="2026-01-15T21:00:00+03:00",
                      counters=counters)


def sample_sale() -> Sale:
    """The sample receipt: wrapped names, Belarusian letters, line and receipt discounts,
    a markup, a weighed item, VAT 20/10/none, card with RRN plus cash with change."""
    items = [
        ItemInput("Малако «Бабулін збан» 3,2% 1 л, пастэрызаванае", 249, 2000, "10",
                  discount=Adjustment(percent=1000)),
        ItemInput("Яблоки Антоновка, вес", 399, 1235, "10", code="2012345012349",
                  discount=Adjustment(amount=50)),
        ItemInput("Кофе молотый «Арабика» 250 г", 1289, 1000, "20"),
        ItemInput("Упаковка подарочная", 300, 1000, "20", markup=Adjustment(amount=20)),
        ItemInput("Услуга доставки", 1500, 1000, "none", section=2),
    ]
    payments = [Payment(PaymentType.CARD, 2000, ref="512345678901", terminal="T-01"),
                Payment(PaymentType.CASH, 2000)]
    calc = calculate(items, Adjustment(percent=500), None, payments)
    return Sale(op_id="sample", shift=7, cashier=CASHIER, created="2026-01-15T12:34:50+03:00",
                discount_card="7800123456", **priced_fields(calc))


SAMPLE_REG = Registration(number=1042, uid="461F60C220B2010407CF1091", time="2026-01-15T12:34:56+03:00",
                          signature="ab" * 32, sko_serial="AVQ11169990670")

__all__ = ["REQ", "CASHIER", "reg", "sale", "refund", "annulment_of", "shift_open", "cash_in", "cash_out",
           "shift_close", "sample_sale", "SAMPLE_REG", "DocType", "Document", "RefundKind"]
