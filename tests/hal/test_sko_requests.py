"""hal.sko.requests: each document goes as its published call with its inputs, never our computed totals."""
import logging

import pytest

from fiscal.documents import Annulment, CashIn, CashOut, DocType, Refund, RefundKind, Sale, ShiftClose, ShiftOpen, priced_fields
from fiscal.receipt import Adjustment, CodeType, ItemInput, Marking, Payment, PaymentType, calculate
from hal.errors import SkoError
from hal.protocols.ikassa import Action
from hal.sko import requests
from hal.sko.requests import build

T = "2026-01-15T09:00:00+03:00"
SI = "0104810000000018" + "21ABC123"


CASH = (Payment(PaymentType.CASH, 2000),)


def sale(cashier="Иванова", payments=CASH, **item):
    items = [ItemInput("Хлеб", 120, 1000, "10", code="4810000000018", section=1, section_name="Продукты",
                       discount=Adjustment(amount=10), markings=(Marking("si", SI),), tp_unp="200988541", **item),
             ItemInput("Услуга", 500, 2000, "none", code="A-7", code_type=CodeType.SERVICE,
                       markup=Adjustment(amount=30))]
    calc = calculate(items, Adjustment(percent=500), None, list(payments))
    return Sale(op_id="s1", shift=1, cashier=cashier, created=T, **priced_fields(calc))


def test_a_sale_is_create_sale_with_inputs_and_payment_kinds():
    doc = sale(payments=(Payment(PaymentType.CARD, 500, "RRN1"), Payment(PaymentType.CERTIFICATE, 300),
                         Payment(PaymentType.CASH, 1000)))
    action, data = build(doc)
    assert action is Action.CREATE_SALE
    assert data["cashier"] == "Иванова" and data["header"] == {"cashier": "Иванова", "currency": "BYN"}
    assert (data["cash"], data["cashless"], data["other"]) == ("10.00", "5.00", "3.00")
    assert data["cheque_discount"] == "0.57" and data["cheque_markup"] == "0.00"
    bread, service = data["items"]
    assert bread == {"code": 4810000000018, "codeType": 1, "name": "Хлеб", "price": "1.20", "quantity": "1.000",
                     "discount": "0.10", "markup": "0.00", "section": {"code": 1, "name": "Продукты"}, "tax": 10,
                     "tpTaxNumber": "200988541", "markings": [{"si": SI}]}
    assert (service["code"], service["codeType"], service["markup"], "tax" in service) == (0, 2, "0.30", False)
    assert not {"total", "total_due", "vat", "line", "raw"} & (set(bread) | set(data))


def test_the_cashier_is_shortened_to_16_once_logged_and_an_empty_one_is_refused_before_sending(caplog):
    requests._told.clear()
    with caplog.at_level(logging.WARNING, "zpos.sko"):
        _, data = build(sale(cashier="Администратор (1)"))
        build(sale(cashier="Администратор (1)"))
    assert data["cashier"] == "Администрато (1)" and caplog.text.count("shortened") == 1
    with pytest.raises(SkoError) as e:
        build(sale(cashier=" "))
    assert e.value.code == "SKO_CASHIER_NAME"


def test_a_refund_is_create_money_back_with_its_items_and_the_card_rrn():
    calc = calculate([ItemInput("Хлеб", 120, 1000, "10", code="1")], payments=[Payment(PaymentType.CARD, 120, "RRN9")])
    doc = Refund(op_id="r1", shift=1, cashier="Иванова", created=T, kind=RefundKind.BY_RECEIPT, original_number=3,
                 **priced_fields(calc))
    action, data = build(doc)
    assert action is Action.CREATE_MONEYBACK
    assert (data["cashSum"], data["cashlessSum"], data["otherSum"], data["rrn"]) == ("0.00", "1.20", "0.00", "RRN9")
    assert data["item"] == data["items"][0] and data["items"][0]["code"] == 1


def test_annulment_cash_and_shift_documents_use_their_own_calls():
    ann = Annulment(op_id="a1", shift=1, cashier="Иванова", created=T, target_number=7, target_uid="U",
                    target_type=DocType.SALE, total_due=120, payments=(Payment(PaymentType.CASH, 120),))
    assert build(ann) == (Action.CREATE_ROLLBACK, {"header": {"cashier": "Иванова", "currency": "BYN"}, "chequeNumber": 7})
    assert build(CashIn(op_id="c", shift=1, cashier="И", created=T, amount=1000))[1]["sum"] == "10.00"
    assert build(CashOut(op_id="c", shift=1, cashier="И", created=T, amount=5))[0] is Action.CREATE_WITHDRAW
    assert build(ShiftOpen(op_id="o", shift=1, cashier="И", created=T)) == (Action.OPEN_SHIFT, None)
    assert build(ShiftClose(op_id="z", shift=1, cashier="И", created=T)) == (Action.CLOSE_SHIFT, None)
