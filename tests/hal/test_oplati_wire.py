"""The Оплати wire form: sums to the kopeck, the answer parsers on the Go/PHP DTO shapes, the error body."""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.money import MAX_SUM
from hal.protocols.oplati import (
    OplatiCreated,
    OplatiError,
    OplatiItem,
    OplatiItemType,
    OplatiOperation,
    OplatiPayment,
    OplatiStatus,
    WireMoney,
    dumps_wire,
    items_wire,
    loads_wire,
    money_from_wire,
    parse_created,
    parse_payment,
    parse_report,
    parse_server_error,
    reversal_order_number,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20)

payment_keys = st.sampled_from(["paymentId", "status", "sum", "paymentType", "orderNumber", "createdDate",
                                "paidDate", "pursePublicId", "redirectUrl"])
payment_like = st.dictionaries(payment_keys, json_values | st.integers(-2, 6), max_size=10)


def _through_wire(value: object) -> object:
    """What the client's parsers actually receive: the value as JSON text, read back by loads_wire."""
    return loads_wire(json.dumps(value).encode())


# --- recorded answers, in the shapes of dto.go (paymentInfoResponse, newPaymentResponse, errorResponse)

PAYMENT_INFO = (b'{"paymentId":273121,"paymentType":1,"sum":59.99,"status":1,'
                b'"createdDate":"2025-04-18T17:06:55+03:00","paidDate":"2025-04-18T17:07:31+03:00",'
                b'"orderNumber":"AA-1111","pursePublicId":"8c1f0e"}')
REVERSAL_INFO = (b'{"paymentId":273122,"paymentType":3,"sum":12.299999999999999,"status":0,'
                 b'"createdDate":"2025-04-18T17:10:00+03:00","paidDate":"2025-04-18T17:10:00+03:00",'
                 b'"orderNumber":"R-AA-1111","pursePublicId":""}')
CREATED = b'{"paymentId":273121,"redirectUrl":"https://pay.o-plati.by/x/273121"}'
SERVER_ERROR = ('{"code":"400","internalCode":"PAY-001","devMessage":"Payment not found",'
                '"userMessage":{"lang_ru":"Платёж не найден","lang_en":"Payment not found"}}').encode()


def test_a_recorded_payment_info_reads_field_by_field() -> None:
    p = parse_payment(loads_wire(PAYMENT_INFO))
    assert p == OplatiPayment(273121, OplatiStatus.OK, 5999, "AA-1111", OplatiOperation.SALE,
                              "2025-04-18T17:06:55+03:00", "2025-04-18T17:07:31+03:00", "8c1f0e")
    assert p.ok and p.final and p.ref == "273121" and p.require_ok() is p


def test_a_recorded_reversal_in_progress_with_a_float_sum() -> None:
    p = parse_payment(loads_wire(REVERSAL_INFO))
    assert (p.operation, p.status, p.amount, p.final) == (OplatiOperation.SALE_REVERSAL, OplatiStatus.IN_PROGRESS,
                                                          1230, False)
    with pytest.raises(OplatiError) as err:
        p.require_ok()
    assert err.value.code == "OPLATI_UNKNOWN" and err.value.payment_id == 273122


def test_a_recorded_create_answer_and_report() -> None:
    assert parse_created(loads_wire(CREATED), 6498, "AA-1111") == OplatiCreated(
        273121, "https://pay.o-plati.by/x/273121", 6498, "AA-1111")
    report = parse_report(loads_wire(b"[" + PAYMENT_INFO + b"," + REVERSAL_INFO + b"]"))
    assert [p.payment_id for p in report] == [273121, 273122]
    assert parse_report(loads_wire(b"[]")) == ()


def test_an_answer_with_only_dynamic_qr_or_an_invented_qr_key_has_no_redirect_url() -> None:
    for body in (b'{"paymentId":1,"dynamicQR":"1A2B"}', b'{"paymentId":1,"qr":"x"}'):
        with pytest.raises(OplatiError, match="redirectUrl"):
            parse_created(loads_wire(body), 100, "S")


def test_the_documented_error_body_is_read_and_anything_else_is_not_it() -> None:
    e = parse_server_error(SERVER_ERROR)
    assert e is not None and (e.code, e.internal_code, e.dev_message, e.lang_ru, e.lang_en) == (
        "400", "PAY-001", "Payment not found", "Платёж не найден", "Payment not found")
    for other in (b"<html>404</html>", b"", b"[]", b'{"error":"x"}'):
        assert parse_server_error(other) is None
    assert parse_server_error(b'{"code":"500","userMessage":"oops"}').lang_ru == ""


@pytest.mark.parametrize("status, code", [(2, "OPLATI_DECLINED"), (3, "OPLATI_NOT_ENOUGH"), (4, "OPLATI_TIMEOUT"),
                                          (5, "OPLATI_CANCELLED")])
def test_each_final_status_other_than_1_is_its_own_refusal(status: int, code: str) -> None:
    p = parse_payment(loads_wire(PAYMENT_INFO.replace(b'"status":1', b'"status":%d' % status)))
    with pytest.raises(OplatiError) as err:
        p.require_ok()
    assert err.value.code == code and err.value.payment is p


# --- sums ------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.integers(1, MAX_SUM))
def test_every_sum_survives_the_wire_exactly(kopecks: int) -> None:
    raw = dumps_wire({"sum": WireMoney(kopecks)})
    assert money_from_wire(loads_wire(raw)["sum"], "sum") == kopecks   # type: ignore[index]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**12))
def test_a_float64_encoding_of_any_sum_rounds_back_to_the_same_kopecks(kopecks: int) -> None:
    as_go_sends_it = kopecks / 100                  # float64(kopecks) / 100, written in its shortest form
    neighbours = (math.nextafter(as_go_sends_it, 0), math.nextafter(as_go_sends_it, math.inf))
    for text in map(json.dumps, (as_go_sends_it, *neighbours)):
        assert money_from_wire(loads_wire(f'{{"s": {text}}}'.encode())["s"], "s") == kopecks  # type: ignore[index]


def test_sums_go_on_the_wire_as_plain_decimal_numbers() -> None:
    assert dumps_wire({"sum": WireMoney(1230), "items": [WireMoney(5)], "name": "Хлеб"}) == \
        '{"sum":12.30,"items":[0.05],"name":"Хлеб"}'.encode()


@pytest.mark.parametrize("text, kopecks", [("12.3", 1230), ("12.30", 1230), ("1.230", 123), ("1e2", 10000),
                                           ("0.01", 1), ("5", 500), ("12.299999999999999", 1230),
                                           ("0.07000000000000001", 7), ("12.345", 1235), ("12.344", 1234)])
def test_sums_are_read_as_sent_and_rounded_to_the_kopeck(text: str, kopecks: int) -> None:
    assert money_from_wire(loads_wire(f'{{"s": {text}}}'.encode())["s"], "s") == kopecks  # type: ignore[index]


@pytest.mark.parametrize("text", ["0.004", "0", "-1.00", "1e20", "true", '"x"', "null", '"12.30"'])
def test_sums_below_a_kopeck_out_of_range_or_not_numbers_are_bad_answers(text: str) -> None:
    with pytest.raises(OplatiError) as err:
        money_from_wire(loads_wire(f'{{"sum": {text}}}'.encode())["sum"], "sum")  # type: ignore[index]
    assert err.value.code == "OPLATI_BAD_ANSWER" and "sum" in err.value.detail


# --- parsers never crash ----------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(st.one_of(json_values, payment_like))
def test_payment_parser_returns_a_valid_payment_or_raises_bad_answer(value: object) -> None:
    for parse in (parse_payment, parse_report, lambda v: parse_created(v, 100, "S")):
        try:
            result = parse(_through_wire(value))
        except OplatiError as exc:
            assert exc.code == "OPLATI_BAD_ANSWER" and exc.message.startswith("непонятный ответ сервиса")
            continue
        payments = result if isinstance(result, tuple) else (result,)
        for payment in payments:
            assert payment.payment_id > 0
            if isinstance(payment, OplatiPayment):
                assert isinstance(payment.status, OplatiStatus) and 0 < payment.amount <= MAX_SUM


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_are_json_or_a_bad_answer_and_never_crash_the_error_reader(raw: bytes) -> None:
    try:
        loads_wire(raw)
    except OplatiError as exc:
        assert exc.code == "OPLATI_BAD_ANSWER" and "not JSON" in exc.detail
    err = parse_server_error(raw)
    assert err is None or isinstance(err.lang_ru, str)


def test_missing_field_is_named_in_the_message() -> None:
    with pytest.raises(OplatiError, match="'status' is missing"):
        parse_payment({"paymentId": 1, "sum": 1})


def test_nan_is_not_a_number_on_this_wire() -> None:
    with pytest.raises(OplatiError) as err:
        loads_wire(b'{"sum": NaN}')
    assert err.value.code == "OPLATI_BAD_ANSWER"


# --- request parts ---------------------------------------------------------------------------

def test_items_carry_their_type_and_fall_back_to_one_line_when_they_do_not_add_up() -> None:
    wire = items_wire(600, [OplatiItem("Доставка", 300, OplatiItemType.SERVICE), ("Хлеб", 300)], "Оплата")
    assert json.loads(dumps_wire(wire)) == {"items": [{"type": 2, "name": "Доставка", "cost": 3.0},
                                                      {"type": 1, "name": "Хлеб", "cost": 3.0}], "amountTotal": 6.0}
    assert json.loads(dumps_wire(items_wire(500, [("Хлеб", 300)], "Оплата")))["items"] == [
        {"type": 1, "name": "Оплата", "cost": 5.0}]
    with pytest.raises(ValueError):
        items_wire(5, [("Хлеб", 5, 7)], "x")          # 7 is not an item type


def test_the_reversal_order_number_is_the_same_for_the_same_operation() -> None:
    assert reversal_order_number("4f2a") == reversal_order_number("4f2a") == "R-4f2a"
    assert reversal_order_number("a") != reversal_order_number("b")
    for bad in ("", "a b", "x" * 61, None):
        with pytest.raises(ValueError, match="operation_id"):
            reversal_order_number(bad)  # type: ignore[arg-type]
