"""The Оплати wire form: exact decimal sums, the answer parsers, and the service's documented error body."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.money import MAX_SUM
from hal.oplati import (
    OplatiError,
    OplatiPayment,
    OplatiStatus,
    WireMoney,
    dumps_wire,
    loads_wire,
    money_from_wire,
    parse_created,
    parse_payment,
    parse_report,
)
from sim.oplati import SimOplati

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20)

payment_keys = st.sampled_from(["paymentId", "status", "sum", "paymentType", "orderNumber", "createdDate",
                                "paidDate", "pursePublicId", "redirectUrl", "qr"])
payment_like = st.dictionaries(payment_keys, json_values | st.integers(-2, 6), max_size=10)


def _through_wire(value: object) -> object:
    """What the client's parsers actually receive: the value as JSON text, read back by loads_wire."""
    return loads_wire(json.dumps(value).encode())


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
            assert isinstance(payment, OplatiPayment) and payment.payment_id > 0
            assert isinstance(payment.status, OplatiStatus) and 0 < payment.amount <= MAX_SUM


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_are_json_or_a_bad_answer(raw: bytes) -> None:
    try:
        loads_wire(raw)
    except OplatiError as exc:
        assert exc.code == "OPLATI_BAD_ANSWER" and "not JSON" in exc.detail


@settings(max_examples=200, deadline=None)
@given(st.integers(1, MAX_SUM))
def test_every_sum_survives_the_wire_exactly(kopecks: int) -> None:
    raw = dumps_wire({"sum": WireMoney(kopecks)})
    assert money_from_wire(loads_wire(raw)["sum"], "sum") == kopecks   # type: ignore[index]


def test_sums_go_on_the_wire_as_plain_decimal_numbers() -> None:
    assert dumps_wire({"sum": WireMoney(1230), "items": [WireMoney(5)], "name": "Хлеб"}) == \
        '{"sum":12.30,"items":[0.05],"name":"Хлеб"}'.encode()


@pytest.mark.parametrize("text, kopecks", [("12.3", 1230), ("12.30", 1230), ("1.230", 123), ("1e2", 10000),
                                           ("0.01", 1), ("5", 500)])
def test_decimal_forms_of_the_same_sum_are_read_exactly(text: str, kopecks: int) -> None:
    assert money_from_wire(loads_wire(f'{{"s": {text}}}'.encode())["s"], "s") == kopecks  # type: ignore[index]


@pytest.mark.parametrize("text", ["0.001", "0", "-1.00", "1e20", "true", '"x"', "null",
                                  "1.0000000000000000000000000000000001"])
def test_sums_that_are_not_whole_kopecks_or_out_of_range_are_bad_answers(text: str) -> None:
    with pytest.raises(OplatiError) as err:
        money_from_wire(loads_wire(f'{{"sum": {text}}}'.encode())["sum"], "sum")  # type: ignore[index]
    assert err.value.code == "OPLATI_BAD_ANSWER" and "sum" in err.value.detail


def test_missing_field_is_named_in_the_message() -> None:
    with pytest.raises(OplatiError, match="'status' is missing"):
        parse_payment({"paymentId": 1, "sum": 1})


def test_nan_is_not_a_number_on_this_wire() -> None:
    with pytest.raises(OplatiError) as err:
        loads_wire(b'{"sum": NaN}')
    assert err.value.code == "OPLATI_BAD_ANSWER"


# --- the simulated service speaks the documented shapes, checked with raw HTTP

@pytest.fixture
def sim() -> Iterator[SimOplati]:
    service = SimOplati(password="pw").start()
    yield service
    service.stop()


def _raw(sim: SimOplati, method: str, path: str, body: bytes | None = None,
         password: str = "pw") -> tuple[int, dict]:
    request = urllib.request.Request(sim.base_url + path, data=body, method=method,
                                     headers={"RegNum": sim.reg_num, "Password": password})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_wrong_password_gets_401_with_the_documented_error_body(sim: SimOplati) -> None:
    status, body = _raw(sim, "GET", "/pos/payments/1", password="nope")
    assert status == 401
    assert set(body) == {"code", "internalCode", "devMessage", "userMessage"}
    assert set(body["userMessage"]) == {"lang_ru", "lang_en"} and body["userMessage"]["lang_ru"]


@pytest.mark.parametrize("body", [b"{broken", b"[]", b'{"sum": 1.00, "orderNumber": "A", "details": {}}',
                                  b'{"sum": 0.005, "orderNumber": "A", "regNum": "OPL000011111", '
                                  b'"details": {"regNum": "OPL000011111", "items": [], "amountTotal": 0.005}}'])
def test_malformed_create_request_gets_400_not_a_crash(sim: SimOplati, body: bytes) -> None:
    status, answer = _raw(sim, "POST", "/pos/webPayments/v2", body)
    assert status == 400 and answer["internalCode"] == "BAD_REQUEST" and answer["devMessage"]
    assert _raw(sim, "GET", "/pos/paymentReports?shift=X")[0] == 200


def test_report_without_a_shift_is_refused(sim: SimOplati) -> None:
    status, answer = _raw(sim, "GET", "/pos/paymentReports")
    assert status == 400 and answer["internalCode"] == "SHIFT_REQUIRED"


def test_unknown_mode_is_refused_with_the_list_of_modes() -> None:
    with pytest.raises(ValueError, match="confirm, decline"):
        SimOplati().set_mode("maybe")
