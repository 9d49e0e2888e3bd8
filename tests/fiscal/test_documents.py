"""fiscal.documents: every document type survives to_dict/from_dict; malformed dicts are BAD_FIELD."""
from __future__ import annotations

import json

import pytest
from fiscal_samples import annulment_of, cash_in, cash_out, refund, reg, sale, sample_sale, shift_close, shift_open

from fiscal.documents import (
    DocType,
    RefundKind,
    canonical,
    chain_hash,
    document_digest,
    from_dict,
    priced_fields,
    registration_payload,
    to_dict,
)
from fiscal.errors import FiscalError
from fiscal.receipt import ItemInput, calculate

EVERY_TYPE = [shift_open(), sample_sale(), sale(), refund(), refund(kind=RefundKind.FUNDS),
              annulment_of(sample_sale(), 1042), cash_in(10_000), cash_out(5_000),
              shift_close({"shift": 5, "sales": {"count": 1, "sum": "1.50"}})]


@pytest.mark.parametrize("doc", EVERY_TYPE, ids=lambda d: d.type.value)
def test_every_document_type_round_trips_through_json(doc):
    d = json.loads(json.dumps(to_dict(doc), ensure_ascii=False))
    assert from_dict(d) == doc
    assert d["type"] == doc.type.value


def test_every_document_type_is_covered():
    assert {d.type for d in EVERY_TYPE} == set(DocType)


def test_money_and_quantities_are_strings_in_the_dict():
    d = to_dict(sample_sale())
    assert d["total_due"] == "38.00" and d["change"] == "2.00"
    assert d["lines"][1]["qty"] == "1.235" and d["lines"][1]["price"] == "3.99"
    assert d["payments"][0] == {"type": "card", "amount": "20.00", "ref": "512345678901", "terminal": "T-01"}


@pytest.mark.parametrize("mutate", [
    lambda d: d.pop("type"),
    lambda d: d.update(type="receipt"),
    lambda d: d.update(total_due=38.0),
    lambda d: d.update(total_due="38"),
    lambda d: d["lines"][0].update(qty="2"),
    lambda d: d["payments"][0].update(type="crypto"),
    lambda d: d.update(lines="none"),
    lambda d: d["lines"][0].pop("vat"),
    lambda d: d.pop("cashier"),
])
def test_a_malformed_document_dict_is_bad_field(mutate):
    d = to_dict(sample_sale())
    mutate(d)
    with pytest.raises(FiscalError) as e:
        from_dict(d)
    assert e.value.code == "BAD_FIELD"


def test_canonical_form_is_stable_and_digest_changes_with_content():
    a, b = sale(op="x"), sale(op="y")
    assert canonical(a) == canonical(sale(op="x"))
    assert document_digest(a) != document_digest(b)
    assert b" " not in canonical(a).replace("Іваноў Ў.І.".encode(), b"")


def test_chain_hash_depends_on_previous_hash_and_registration():
    doc = sale()
    h1 = chain_hash("0" * 64, doc, reg(1))
    assert h1 != chain_hash("1" * 64, doc, reg(1)) != chain_hash("0" * 64, doc, reg(2))
    assert len(h1) == 64


def test_registration_payload_covers_the_previous_signature():
    assert registration_payload("d", 1, "u", "t", "p1") != registration_payload("d", 1, "u", "t", "p2")


def test_a_sale_needs_payments():
    with pytest.raises(FiscalError) as e:
        priced_fields(calculate([ItemInput("Хлеб", 150, 1000, "10")]))
    assert e.value.code == "NOT_ENOUGH_MONEY"


def test_cash_net_is_cash_paid_minus_change():
    s = sample_sale()
    assert s.cash_net == 2000 - 200


def test_a_line_carries_markings_code_type_section_name_and_third_party_unp_through_json():
    from fiscal.documents import Sale
    from fiscal.receipt import CodeType, Marking, Payment, PaymentType
    item = ItemInput("Молоко", 249, 1000, "10", code="4810000000018", section=1, section_name="Молочные",
                     code_type=CodeType.GTIN, tp_unp="200988541",
                     markings=(Marking("si", "0104810000000018" + "21ABC\x1d93xyz"), Marking("ukz", "2321987121CAC")))
    calc = calculate([item], payments=[Payment(PaymentType.CASH, 249)])
    doc = Sale(op_id="m1", shift=1, cashier="И", created="2026-01-15T09:00:00+03:00", **priced_fields(calc))
    d = json.loads(json.dumps(to_dict(doc), ensure_ascii=False))
    assert d["lines"][0]["markings"] == [{"si": "0104810000000018" + "21ABC\x1d93xyz"}, {"ukz": "2321987121CAC"}]
    assert d["lines"][0]["code_type"] == "gtin" and d["lines"][0]["tp_unp"] == "200988541"
    assert from_dict(d) == doc


def test_a_line_without_the_new_fields_keeps_its_canonical_form():
    line = to_dict(sample_sale())["lines"][0]
    assert set(line) == {"name", "code", "section", "price", "qty", "vat_rate", "raw", "discount", "markup", "line",
                         "receipt_discount", "receipt_markup", "total", "vat"}


def test_a_line_without_marking_codes_keeps_the_canonical_form_it_had():
    assert "markings" not in to_dict(sale())["lines"][0]
    assert b"markings" not in canonical(sale())


def test_marking_codes_round_trip_as_smartx_shows_them():
    from fiscal.receipt import Marking
    codes = (Marking("si", "0104811234567896" "21ABCdef123+-_%\x1d91EE05\x1d92" + "x" * 44), Marking("ukz", "2321987121CAC"))
    doc = sale(items=[ItemInput("Молоко", 249, 2000, "10", markings=codes)])
    d = json.loads(json.dumps(to_dict(doc), ensure_ascii=False))
    assert d["lines"][0]["markings"][1] == {"ukz": "2321987121CAC"}
    assert "\x1d" in d["lines"][0]["markings"][0]["si"]
    assert from_dict(d) == doc


def test_a_marking_of_an_unknown_kind_is_bad_field():
    d = to_dict(sale())
    d["lines"][0]["markings"] = [{"qr": "x"}]
    with pytest.raises(FiscalError) as e:
        from_dict(d)
    assert e.value.code == "BAD_FIELD"


def test_a_registration_needs_no_signature_and_its_cheque_is_not_part_of_its_identity():
    from fiscal.documents import Registration
    from fiscal.sko_cheque import SkoCheque
    a = Registration(number=1, uid="U", time="t")
    b = Registration(number=1, uid="U", time="t", cheque=SkoCheque(total=5))
    assert a.signature == "" and a == b


# --- golden vectors: the exact bytes hashed and signed, fixed so that a change of form cannot pass unnoticed ---

GOLDEN_SALE = (
    '{"cashier":"Іваноў Ў.І.","change":"998.50","created":"2026-01-15T09:12:30+03:00","discount_card":null,'
    '"discount_total":"0.00","lines":[{"code":null,"discount":"0.00","line":"1.50","markup":"0.00","name":"Хлеб",'
    '"price":"1.50","qty":"1.000","raw":"1.50","receipt_discount":"0.00","receipt_markup":"0.00","section":null,'
    '"total":"1.50","vat":"0.14","vat_rate":"10"}],"op_id":"s1","payments":[{"amount":"1000.00","type":"cash"}],'
    '"shift":5,"total_cost":"1.50","total_due":"1.50","type":"sale","vat":{"10":"0.14"}}')


def test_the_canonical_bytes_of_a_sale_are_the_golden_vector():
    assert canonical(sale()) == GOLDEN_SALE.encode("utf-8")
    assert document_digest(sale()) == "49961fc816b86f1f10cd5ab5d91e088043a51fc921647f982f77c4f9747dd069"


def test_the_canonical_bytes_of_a_cash_in_are_the_golden_vector():
    assert canonical(cash_in(500)) == ('{"amount":"5.00","cashier":"Іваноў Ў.І.","created":"2026-01-15T09:01:00+03:00",'
                                       '"op_id":"ci","shift":5,"type":"cash_in"}').encode()


def test_the_chain_hash_is_sha256_of_the_previous_hash_and_the_registered_document():
    import hashlib
    body = json.dumps({"document": json.loads(GOLDEN_SALE), "registration": {
        "number": 1, "uid": "000000000000000000000001", "time": "2026-01-15T09:12:33+03:00",
        "signature": "ab" * 32, "sko_serial": "AVQ11169990670"}}, sort_keys=True, separators=(",", ":"),
        ensure_ascii=False).encode("utf-8")
    first = chain_hash("0" * 64, sale(), reg(1))
    assert first == hashlib.sha256(("0" * 64).encode("ascii") + body).hexdigest()
    assert first == "b31c90c042df8bccaf287420bc3d73f591d896025b0c899e2113b13580b98672"
    assert chain_hash(first, cash_in(500), reg(2)) == "ea7f40a8565875d875d74e9d5695b14572fd28bdc6d3578d59a3c813eadd49b4"


def test_the_signed_registration_payload_is_the_golden_vector():
    assert registration_payload("ab", 7, "U", "2026-01-15T09:12:33+03:00", "ff") == (
        b'{"doc_sha256":"ab","number":7,"prev_signature":"ff","time":"2026-01-15T09:12:33+03:00","uid":"U"}')


def test_a_line_unit_is_kept_when_set_and_absent_from_the_canonical_form_when_not():
    doc = sale(items=[ItemInput("Яблоки", 299, 1235, "10", unit="кг")])
    d = to_dict(doc)
    assert d["lines"][0]["unit"] == "кг" and from_dict(json.loads(json.dumps(d))) == doc
    assert "unit" not in to_dict(sale())["lines"][0]


def test_money_keys_and_enums_come_back_typed():
    r = from_dict(to_dict(refund(kind=RefundKind.NO_RECEIPT)))
    assert r.kind is RefundKind.NO_RECEIPT and r.total_due == 150 and r.change == 0
    a = from_dict(to_dict(annulment_of(sale(), 9)))
    assert a.target_type is DocType.SALE and a.target_number == 9 and a.change == 99850
    assert from_dict(to_dict(cash_out(5000))).amount == 5000
    assert from_dict(to_dict(refund())).original_lines == ()


@pytest.mark.parametrize("mutate, detail", [
    (lambda d: d["lines"][0].update(price="1"), 'price: \'1\' is not a sum with 2 decimals such as "1.20"'),
    (lambda d: d["lines"][0].update(qty="1"), 'qty: \'1\' is not a quantity with 3 decimals such as "1.000"'),
    (lambda d: d["payments"][0].update(amount="1"), 'amount: \'1\' is not a sum with 2 decimals such as "1.20"'),
    (lambda d: d.update(vat={"10": "1"}), 'vat: \'1\' is not a sum with 2 decimals such as "1.20"'),
    (lambda d: d.update(total_due="1"), 'total_due: \'1\' is not a sum with 2 decimals such as "1.20"'),
    (lambda d: d.update(type="receipt"), "malformed document: ValueError(\"'receipt' is not a valid DocType\")"),
    (lambda d: d["lines"][0].update(markings=["x"]), "malformed document: ValueError(\"a marking is one of ('si', "
                                                     "'ukz') with its code, got 'x'\")"),
    (lambda d: d["lines"][0].update(markings=[{"si": 5}]), "malformed document: ValueError(\"a marking is one of "
                                                           "('si', 'ukz') with its code, got {'si': 5}\")"),
])
def test_a_malformed_document_is_named_exactly(mutate, detail):
    d = to_dict(sale())
    mutate(d)
    with pytest.raises(FiscalError) as e:
        from_dict(d)
    assert e.value.code == "BAD_FIELD" and e.value.detail == detail


def test_a_refunds_original_lines_and_a_lines_code_type_come_back_typed():
    from fiscal.documents import Refund
    from fiscal.receipt import CodeType, Payment, PaymentType
    calc = calculate([ItemInput("Молоко", 249, 1000, "10", code_type=CodeType.SERVICE),
                      ItemInput("Хлеб", 150, 1000, "10")], payments=[Payment(PaymentType.CASH, 399)])
    r = Refund(op_id="r", shift=1, cashier="К", created="2026-01-15T09:00:00+03:00", kind=RefundKind.BY_RECEIPT,
               original_number=3, original_uid="U", original_lines=(2, 0), **priced_fields(calc))
    d = json.loads(json.dumps(to_dict(r)))
    assert d["original_lines"] == [2, 0] and d["lines"][0]["code_type"] == "service" and "code_type" not in d["lines"][1]
    back = from_dict(d)
    assert back.original_lines == (2, 0) and back.lines[0].code_type is CodeType.SERVICE and back == r
    d["original_lines"] = ["2", "0"]
    assert from_dict(d).original_lines == (2, 0)


def test_the_canonical_form_keeps_non_ascii_letters_as_utf8():
    raw = canonical(sale())
    assert "Іваноў Ў.І.".encode() in raw and b"\\u" not in raw


def test_a_sale_without_payments_is_refused_saying_so():
    with pytest.raises(FiscalError) as e:
        priced_fields(calculate([ItemInput("Хлеб", 150, 1000, "10")]))
    assert e.value.detail == "a sale needs its payments"
