"""fiscal.layout against golden pages: every document kind at every width, each line with its style.

The golden files (tests/fiscal/golden/layout-WIDTH.txt) were read by a person against the paper forms;
a change of layout shows here line by line. After an intended change, regenerate them with
`ZPOS_UPDATE_GOLDEN=1 pytest tests/fiscal/test_layout_golden.py` and read the diff before committing.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from fiscal_samples import REQ, SAMPLE_REG, annulment_of, cash_in, cash_out, refund, sale, sample_sale, shift_close, shift_open
from test_reports import busy_day

from fiscal.documents import RefundKind, Registration
from fiscal.layout import WIDTHS, PrintedDocument, render, render_card_slip, render_x_report
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType
from fiscal.reports import aggregate, counters_to_dict

GOLDEN = Path(__file__).with_name("golden")
SLIP = ["ОПЛАТА", "Терминал: T9993425", "Сумма: 19.58 BYN", "Карта: **** 1234", "Код авторизации: 007919",
        "RRN: 525000000001", "", "ОДОБРЕНО"]


def style(doc: PrintedDocument) -> str:
    """One line per printed line: its flags (b bold, 2 double size, c/r centred/right), a bar, its text."""
    head = [f"title: {doc.title}", f"qr: {doc.qr}", f"barcode: {doc.barcode}"]
    rows = []
    for ln in doc.lines:
        flags = ("b" if ln.bold else "") + ("2" if ln.double else "") + {"left": "", "center": "c", "right": "r"}[ln.align]
        rows.append(f"{flags:3}|{ln.text}")
    return "\n".join(head + rows) + "\n"


def documents(width: int) -> list[tuple[str, PrintedDocument]]:
    no_uid = Registration(number=20, uid="", time="2026-01-15T08:59:00+03:00", sko_serial="AVQ11169990670")
    discounted = sale("d", items=[ItemInput("Яблоки «Антоновка»", 299, 1235, "10", unit="кг"),
                                  ItemInput("Хлеб", 150, 2000, "10", unit="шт", markup=Adjustment(amount=10)),
                                  ItemInput("Кофе", 1289, 1000, "20", unit="шт")],
                      payments=[Payment(PaymentType.CARD, 1000, ref="512345678901", terminal="Приорбанк"),
                                Payment(PaymentType.CASH, 1000)], discount=Adjustment(percent=500))
    card_refund = refund("rc", items=[ItemInput("Кофе", 1289, 1000, "20", unit="шт")],
                         payments=[Payment(PaymentType.CARD, 289, ref="512345678901", terminal="Приорбанк"),
                                   Payment(PaymentType.CASH, 1000)])
    oplati_refund = refund("ro", payments=[Payment(PaymentType.OPLATI, 150, ref="1003")])
    entries = busy_day() + [(shift_close({}), SAMPLE_REG)]
    z = shift_close(counters_to_dict(aggregate(entries, opening_cash=2500)))
    x = aggregate(busy_day(), opening_cash=2500)
    small = sale("s", items=[ItemInput("Пакет", 25, 1000, "20", unit="шт")], payments=[Payment(PaymentType.CASH, 100)])
    return [
        ("sale", render(sample_sale(), SAMPLE_REG, REQ, width)),
        ("sale copy", render(sample_sale(), SAMPLE_REG, REQ, width, copy=True)),
        ("sale with units and a receipt discount", render(discounted, SAMPLE_REG, REQ, width)),
        ("refund by receipt to card and cash", render(card_refund, SAMPLE_REG, REQ, width)),
        ("refund to ОПЛАТИ", render(oplati_refund, SAMPLE_REG, REQ, width)),
        ("refund without receipt", render(refund(kind=RefundKind.NO_RECEIPT), SAMPLE_REG, REQ, width)),
        ("refund of funds", render(refund(kind=RefundKind.FUNDS), SAMPLE_REG, REQ, width)),
        ("annulment of a sale with change", render(annulment_of(small, 1041), SAMPLE_REG, REQ, width)),
        ("annulment of a mixed sale", render(annulment_of(sample_sale(), 1041), SAMPLE_REG, REQ, width)),
        ("annulment of a refund", render(annulment_of(refund(), 1040), SAMPLE_REG, REQ, width)),
        ("cash in", render(cash_in(10_000), SAMPLE_REG, REQ, width)),
        ("cash out", render(cash_out(5_000), SAMPLE_REG, REQ, width)),
        ("shift open without a uid", render(shift_open(), no_uid, REQ, width)),
        ("z report", render(z, SAMPLE_REG, REQ, width)),
        ("z report copy", render(z, SAMPLE_REG, REQ, width, copy=True)),
        ("x report", render_x_report(x, REQ, width, "2026-01-15T12:34:56+03:00", "Іваноў Ў.І.", "AVQ11169990670",
                                     sko_cash=6450)),
        ("card slip", render_card_slip(SLIP, width, document="к чеку продажи")),
        ("card slip, cashier's copy", render_card_slip(SLIP, width, copy_of="merchant", document="к чеку продажи")),
        ("card slip reprinted", render_card_slip(SLIP, width, reprint=True, document="к чеку продажи № 1042")),
    ]


def golden_text(width: int) -> str:
    return "".join(f"=== {name}\n{style(doc)}" for name, doc in documents(width))


@pytest.mark.parametrize("width", WIDTHS)
def test_every_document_prints_as_its_golden_page(width):
    path = GOLDEN / f"layout-{width}.txt"
    text = golden_text(width)
    if os.environ.get("ZPOS_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8").split("=== ")
    got = text.split("=== ")
    for want, have in zip(expected, got):
        assert have == want, f"{have.splitlines()[0]} differs from its golden page"
    assert len(got) == len(expected)
