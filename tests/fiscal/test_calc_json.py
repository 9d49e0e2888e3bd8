"""fiscal.calc_json: the contracts.md §2 example exactly, and the JSON-level rejections."""
from __future__ import annotations

import json

import pytest

from fiscal.calc_json import parse_payment, parse_request, run_calc
from fiscal.errors import FiscalError
from fiscal.receipt import PaymentType

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


@pytest.mark.parametrize("text, where", [
    (item_(1, discount={"amount": "-0.50"}), "items[1].discount"),
    (item_(0, markup={"amount": "-0.10"}), "items[0].markup"),
    (with_(discount={"amount": "-1.00"}), "discount"),
    (with_(markup={"amount": "-1.00"}), "markup"),
])
def test_a_negative_discount_or_markup_amount_is_refused_naming_it(text, where):
    rc, out = run_calc(text)
    assert rc == 2 and out["error"]["code"] == "BAD_FIELD" and where in out["error"]["message"]


def test_a_line_markup_is_applied_not_dropped():
    rc, out = run_calc(item_(2, markup={"amount": "1.00"}))
    assert rc == 0 and out["items"][2]["markup"] == "1.00" and out["items"][2]["line"] == "16.00"
    rc, out = run_calc(item_(0, markup={"percent": "10"}))
    assert rc == 0 and out["items"][0]["markup"] == "0.50" and out["items"][0]["line"] == "4.98"


def test_a_receipt_markup_is_spread_and_shown():
    rc, out = run_calc(with_(discount=None, markup={"amount": "0.30"}, payments=None))
    assert rc == 0 and [i["receipt_markup"] for i in out["items"]] == ["0.06", "0.05", "0.19"]
    assert out["total_due"] == "24.21" and out["discount_total"] == "0.70"


def test_markups_above_discounts_make_the_discount_total_negative():
    rc, out = run_calc(json.dumps({"items": [{"name": "X", "price": "10.00", "qty": "1.000", "vat": "20",
                                              "markup": {"amount": "2.00"}}]}))
    assert rc == 0 and out["discount_total"] == "-2.00" and out["total_due"] == "12.00" and out["vat"] == {"20": "2.00"}


def test_code_section_ref_and_terminal_are_accepted_and_typed():
    doc = json.loads(with_(payments=[{"type": "card", "amount": "22.71", "ref": "123456789012", "terminal": "T1"}]))
    doc["items"][0]["code"] = "4810000000018"
    rc, out = run_calc(json.dumps(doc))
    assert rc == 0 and out["payments"] == {"card": "22.71"} and out["change"] == "0.00"
    for field, value in (("ref", 12), ("terminal", ["T1"])):
        d = json.loads(json.dumps(doc))
        d["payments"][0][field] = value
        rc, out = run_calc(json.dumps(d))
        assert rc == 2 and out["error"]["code"] == "BAD_FIELD" and field in out["error"]["message"]
    d = json.loads(json.dumps(doc))
    d["items"][0]["code"] = 4810000000018
    assert run_calc(json.dumps(d))[1]["error"]["code"] == "BAD_FIELD"


@pytest.mark.parametrize("text, code, item", [
    (item_(0, name=""), "BAD_FIELD", 0),
    (item_(0, name="Я" * 129), "BAD_FIELD", 0),
    (item_(0, section=True), "BAD_FIELD", 0),
    (item_(0, section=-1), "BAD_FIELD", 0),
    (item_(0, vat=20), "BAD_FIELD", 0),
    (item_(0, qty="1.5"), "BAD_FIELD", 0),
    (item_(0, qty="10000.000"), "QTY_RANGE", 0),
    (item_(0, qty="100000.000"), "BAD_FIELD", 0),
    (item_(0, qty="9999.999", price="99999999999.99"), "SUM_RANGE", 0),
    (item_(0, discount={"percent": "5.555"}), "BAD_FIELD", 0),
    (item_(0, discount=[]), "BAD_FIELD", 0),
    (with_(items=[1]), "BAD_FIELD", 0),
    (with_(payments="cash"), "BAD_FIELD", None),
    (with_(payments=[["cash"]]), "BAD_FIELD", None),
    (with_(payments=[{"type": "cash"}]), "BAD_FIELD", None),
    (with_(payments=[{"type": "cash", "amount": "22.71", "tip": "1"}]), "BAD_FIELD", None),
    (with_(payments=[{"type": "cash", "amount": 22.71}]), "BAD_FIELD", None),
    (json.dumps({"items": [{"name": "X", "price": "0.01", "qty": "0.001", "vat": "20"}]}), "SUM_RANGE", 0),
])
def test_each_field_problem_is_its_code_with_the_line(text, code, item):
    rc, out = run_calc(text)
    assert rc == 2 and out["error"]["code"] == code and out["error"]["item"] == item


def test_the_quantity_limits_at_their_edges():
    one = json.dumps({"items": [{"name": "X", "price": "10.00", "qty": "0.001", "vat": "20"}]})
    assert run_calc(one)[1]["total_due"] == "0.01"
    top = json.dumps({"items": [{"name": "X", "price": "0.01", "qty": "9999.999", "vat": "none"}]})
    assert run_calc(top)[1]["total_due"] == "100.00"


def test_exactly_1000_lines_pass_and_the_json_error_names_nothing_extra():
    doc = {"items": [{"name": "X", "price": "0.01", "qty": "1.000", "vat": "none"}] * 1000}
    rc, out = run_calc(json.dumps(doc))
    assert rc == 0 and out["total_due"] == "10.00" and len(out["items"]) == 1000


# --- each refusal names the field it is about (the message a QA engineer reads) --------------------


@pytest.mark.parametrize("text, code, field", [
    (with_(payments=[5]), "BAD_FIELD", "payments[0] must be an object"),
    (with_(payments=[{"type": "cash"}]), "BAD_FIELD", 'payments[0] needs "type" and "amount"'),
    (with_(payments=[{"amount": "1.00"}]), "BAD_FIELD", 'payments[0] needs "type" and "amount"'),
    (with_(payments=[{"type": "cash", "amount": "22.71", "x": 1}]), "BAD_FIELD", "payments[0]: unknown field 'x'"),
    (with_(payments=[{"type": "gold", "amount": "1.00"}]), "BAD_PAYMENT_TYPE",
     "payments[0].type 'gold' is not one of cash, card, certificate, cashless_other, advance_other, oplati"),
    (with_(payments=[{"type": "card", "amount": "1.00", "ref": 5}]), "BAD_FIELD", "payments[0].ref must be a string"),
    (with_(payments=[{"type": "card", "amount": "1.00", "terminal": 5}]), "BAD_FIELD",
     "payments[0].terminal must be a string"),
    (with_(payments=[{"type": "card", "amount": "1"}]), "BAD_FIELD", "payments[0].amount"),
    (item_(0, discount={"percent": "x"}), "BAD_FIELD", "items[0].discount.percent"),
    (item_(0, discount={"amount": "1"}), "BAD_FIELD", "items[0].discount.amount"),
    (item_(0, discount={"rate": "1"}), "BAD_FIELD", 'items[0].discount must be {"percent": "P"} or {"amount": "A"}'),
    (item_(0, discount={}), "BAD_FIELD", "items[0].discount must be"),
    (with_(markup={"percent": "1", "amount": "1.00"}), "BAD_FIELD", "markup must be"),
    (item_(1, price="1"), "BAD_FIELD", "items[1].price"),
    (item_(1, qty="1"), "BAD_FIELD", "items[1].qty"),
    (item_(1, name=5), "BAD_FIELD", "items[1].name must be a non-empty string of at most 128 characters"),
    (item_(1, code=5), "BAD_FIELD", "items[1].code must be a string"),
    (item_(1, section="2"), "BAD_FIELD", "items[1].section must be a whole number 0…255"),
    (item_(1, vat=10), "BAD_FIELD", 'items[1].vat must be a string such as "20" or "none"'),
    (with_(items=[5]), "BAD_FIELD", "items[0] must be an object"),
    (with_(items=5), "BAD_FIELD", "items must be a list"),
    (with_(payments=5), "BAD_FIELD", "payments must be a list"),
    ("5", "BAD_FIELD", "the document must be a JSON object"),
    (with_(extra=1), "BAD_FIELD", "receipt: unknown field 'extra'"),
])
def test_each_refusal_message_names_its_field(text, code, field):
    rc, out = run_calc(text)
    assert rc == 2 and out["error"]["code"] == code and field in out["error"]["message"], out


@pytest.mark.parametrize("text, item", [(item_(2, discount={"percent": "x"}), 2), (item_(1, price="1"), 1),
                                        (item_(1, markup={"amount": "-1.00"}), 1), (with_(markup={"amount": "x"}), None)])
def test_a_line_refusal_names_its_line_and_a_receipt_one_none(text, item):
    assert run_calc(text)[1]["error"]["item"] == item


def test_a_payment_keeps_its_reference_and_terminal():
    p = parse_payment({"type": "card", "amount": "1.00", "ref": "123", "terminal": "T1"}, 0)
    assert (p.type, p.amount, p.ref, p.terminal) == (PaymentType.CARD, 100, "123", "T1")
    q = parse_payment({"type": "cash", "amount": "2.00"}, 3)
    assert (q.ref, q.terminal) == (None, None)


def test_the_request_parses_into_typed_inputs():
    items, disc, mark, pays = parse_request(with_(markup={"amount": "0.10"}))
    assert [i.qty for i in items] == [2000, 1235, 1000] and items[2].section == 2 and items[2].vat == "none"
    assert items[0].discount.percent == 1000 and items[1].discount.amount == 50 and items[0].markup is None
    assert disc.percent == 500 and mark.amount == 10 and [p.amount for p in pays] == [1000, 2000]
    assert parse_request(with_(payments=None))[3] is None
    with pytest.raises(FiscalError):
        parse_request(b"\xff")


def test_the_result_lists_each_rate_used_and_the_payments_by_type():
    rc, out = run_calc(json.dumps({"items": [{"name": "A", "price": "1.20", "qty": "1.000", "vat": "20"},
                                             {"name": "B", "price": "1.10", "qty": "1.000", "vat": "10"},
                                             {"name": "C", "price": "1.25", "qty": "1.000", "vat": "25"}],
                                   "payments": [{"type": "oplati", "amount": "1.00"}, {"type": "certificate",
                                                                                       "amount": "2.55"}]}))
    assert rc == 0 and out["vat"] == {"20": "0.20", "10": "0.10", "25": "0.25"}
    assert out["payments"] == {"oplati": "1.00", "certificate": "2.55"} and out["change"] == "0.00"


def _err(text):
    rc, out = run_calc(text)
    assert rc == 2
    return out["error"]


@pytest.mark.parametrize("key", ["name", "price", "qty", "vat"])
def test_a_missing_item_field_is_named_with_its_line(key):
    doc = json.loads(with_(payments=None))
    del doc["items"][1][key]
    e = _err(json.dumps(doc))
    assert e["code"] == "BAD_FIELD" and e["item"] == 1 and f"items[1].{key} is missing" in e["message"]


def test_the_name_and_section_limits_at_their_edges():
    assert run_calc(item_(0, name="Я" * 128))[0] == 0 and _err(item_(0, name="Я" * 129))["item"] == 0
    assert run_calc(item_(0, section=0))[0] == 0 and run_calc(item_(0, section=255))[0] == 0
    assert _err(item_(0, section=256))["code"] == "BAD_FIELD" and _err(item_(0, name="  "))["item"] == 0


def test_a_line_refusal_of_an_inner_field_keeps_its_code_detail_and_line():
    e = _err(item_(2, price="0.00"))
    assert e == {"code": "PRICE_RANGE", "item": 2, "message": e["message"]}
    assert e["message"].endswith("(price must be 0.01 … 99 999 999 999.99)")
    e = _err(item_(1, markup={"percent": "1.234"}))
    assert e["item"] == 1 and "items[1].markup.percent: '1.234' is not a percent with up to 2 decimals" in e["message"]


def test_the_json_refusals_say_what_was_wrong():
    assert "not valid JSON: Expecting value" in _err("")["message"]
    assert "not valid JSON: nested too deeply" in _err("[" * 100_000)["message"]
    assert "the receipt has no lines" in _err(with_(items=[]))["message"]
    e = _err(with_(items=[EXAMPLE["items"][2]] * 1001))
    assert e["code"] == "TOO_MANY_ITEMS" and "1001 lines; at most 1000 are allowed" in e["message"]
    assert "items must be a list" in _err(with_(items={}))["message"]
    assert "payments must be a list" in _err(with_(payments={}))["message"]
    assert "the document must be a JSON object" in _err("[1]")["message"]


def test_the_message_is_in_the_requested_language():
    from fiscal.errors import FiscalError
    e = FiscalError("QTY_RANGE", "quantity must be 0.001 … 9999.999", 0)
    assert e.as_json("en")["error"]["message"] != e.as_json("ru")["error"]["message"]
    assert "Quantity" in e.as_json("en")["error"]["message"]
