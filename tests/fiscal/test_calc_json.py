"""fiscal.calc_json: the contracts.md §2 example exactly, and the JSON-level rejections."""
from __future__ import annotations

import json

import pytest

from fiscal.calc_json import run_calc

EXAMPLE = {
    "items": [
        {"name": "Молоко 3,2% 1 л", "price": "2.49", "qty": "2.000", "vat": "10", "discount": {"percent": "10"}},
        {"name": "Яблоки", "price": "3.99", "qty": "1.235", "vat": "10", "discount": {"amount": "0.50"}},
        {"name": "Услуга", "price": "15.00", "qty": "1.000", "vat": "none", "section": 2},
    ],
    "discount": {"percent": "5"},
    "payments": [{"type": "card", "amount": "10.00"}, {"type": "cash", "amount": "20.00"}],
}

EXAMPLE_RESULT = {
    "items": [
        {"raw": "4.98", "discount": "0.50", "markup": "0.00", "line": "4.48", "receipt_discount": "0.23",
         "receipt_markup": "0.00", "total": "4.25", "vat_rate": "10", "vat": "0.39"},
        {"raw": "4.93", "discount": "0.50", "markup": "0.00", "line": "4.43", "receipt_discount": "0.22",
         "receipt_markup": "0.00", "total": "4.21", "vat_rate": "10", "vat": "0.38"},
        {"raw": "15.00", "discount": "0.00", "markup": "0.00", "line": "15.00", "receipt_discount": "0.75",
         "receipt_markup": "0.00", "total": "14.25", "vat_rate": "none", "vat": "0.00"},
    ],
    "total_cost": "24.91", "discount_total": "2.20", "total_due": "22.71",
    "vat": {"10": "0.77", "none": "0.00"},
    "payments": {"card": "10.00", "cash": "20.00"},
    "change": "7.29",
}


def with_(**changes) -> str:
    doc = json.loads(json.dumps(EXAMPLE))
    doc.update(changes)
    return json.dumps(doc, ensure_ascii=False)


def item_(i: int = 0, **changes) -> str:
    doc = json.loads(json.dumps(EXAMPLE))
    doc["items"][i].update(changes)
    return json.dumps(doc, ensure_ascii=False)


def test_the_contract_example_gives_exactly_the_hand_computed_result():
    assert run_calc(json.dumps(EXAMPLE, ensure_ascii=False)) == (0, EXAMPLE_RESULT)


def test_without_payments_there_is_no_change_in_the_output():
    code, out = run_calc(with_(payments=None))
    assert code == 0 and "change" not in out and "payments" not in out


def test_bytes_input_is_accepted():
    assert run_calc(json.dumps(EXAMPLE).encode())[0] == 0


@pytest.mark.parametrize("text, code, item", [
    ("{", "BAD_JSON", None),
    (b"\xff\xfe", "BAD_JSON", None),
    ("[]", "BAD_FIELD", None),
    (with_(items=[]), "EMPTY_RECEIPT", None),
    (with_(items="milk"), "BAD_FIELD", None),
    (with_(items=[EXAMPLE["items"][2]] * 1001), "TOO_MANY_ITEMS", None),
    (item_(1, qty="0.000"), "QTY_RANGE", 1),
    (item_(1, qty="1.5"), "BAD_FIELD", 1),
    (item_(0, price="0.00"), "PRICE_RANGE", 0),
    (item_(0, price=2.49), "BAD_FIELD", 0),
    (item_(2, vat="18"), "BAD_VAT", 2),
    (item_(2, discount={"amount": "15.00"}), "DISCOUNT_TOO_LARGE", 2),
    (item_(2, discount={"percent": "5", "amount": "1.00"}), "BAD_FIELD", 2),
    (item_(0, colour="red"), "BAD_FIELD", 0),
    (item_(0, section=256), "BAD_FIELD", 0),
    (with_(discount={"percent": "100"}), "DISCOUNT_TOO_LARGE", None),
    (with_(payments=[{"type": "crypto", "amount": "30.00"}]), "BAD_PAYMENT_TYPE", None),
    (with_(payments=[{"type": "cash", "amount": "22.70"}]), "NOT_ENOUGH_MONEY", None),
    (with_(payments=[{"type": "card", "amount": "30.00"}]), "CASHLESS_OVERFLOW", None),
    (with_(payments=[{"type": "card", "amount": "22.71"}, {"type": "cash", "amount": "1.00"}]),
     "CASH_OVERFLOW", None),
    (with_(tip="1.00"), "BAD_FIELD", None),
])
def test_each_bad_input_gives_its_documented_code(text, code, item):
    rc, out = run_calc(text)
    assert rc == 2 and out["error"]["code"] == code and out["error"]["item"] == item
    assert out["error"]["message"]
