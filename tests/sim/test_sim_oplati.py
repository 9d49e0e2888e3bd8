"""The simulated Оплати service over raw HTTP: only the published routes, the documented shapes, its own rules."""
from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from hal.protocols.oplati import OplatiStatus
from sim.oplati import SimOplati

REG = "OPL000011111"


@pytest.fixture
def sim() -> Iterator[SimOplati]:
    service = SimOplati(reg_num=REG, password="pw", confirm_after=0.05).start()
    yield service
    service.stop()


def _raw(sim: SimOplati, method: str, path: str, body: object = None, password: str = "pw",
         base: str | None = None) -> tuple[int, object]:
    data = body if isinstance(body, bytes) or body is None else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request((base or sim.base_url) + path, data=data, method=method,
                                     headers={"RegNum": REG, "Password": password})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=2) as response:
            raw = response.read()
            return response.status, json.loads(raw)
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw.decode()


def _order(number: str, cost: float = 12.3, shift: str | None = "01032025", item_type: int = 1) -> dict:
    """A create body as the Go client builds it (dto.go newPaymentRequest, float sums)."""
    body = {"sum": cost, "orderNumber": number, "regNum": REG,
            "details": {"regNum": REG, "items": [{"type": item_type, "name": "Товар", "cost": cost}],
                        "amountTotal": cost, "footerInfo": ""},
            "successUrl": "", "failureUrl": "", "notificationUrl": ""}
    return {"shift": shift, **body} if shift is not None else body


def _paid(sim: SimOplati, number: str, cost: float = 12.3) -> int:
    status, answer = _raw(sim, "POST", "/pos/webPayments/v2", _order(number, cost))
    assert status == 200
    time.sleep(0.08)
    return answer["paymentId"]


def test_create_answers_payment_id_and_redirect_url_only(sim: SimOplati) -> None:
    status, answer = _raw(sim, "POST", "/pos/webPayments/v2", _order("A-1"))
    assert status == 200 and set(answer) == {"paymentId", "redirectUrl"}
    assert answer["redirectUrl"].endswith(f"/ms-pay/pay/{answer['paymentId']}")


def test_payment_info_has_the_go_dto_fields_and_paid_date_equals_created_until_paid(sim: SimOplati) -> None:
    sim.set_mode("pending")
    _, created = _raw(sim, "POST", "/pos/webPayments/v2", _order("A-2"))
    _, info = _raw(sim, "GET", f"/pos/payments/{created['paymentId']}")
    assert list(info) == ["paymentId", "paymentType", "sum", "status", "createdDate", "paidDate", "orderNumber",
                          "pursePublicId"]
    assert info["status"] == 0 and info["paidDate"] == info["createdDate"] and info["sum"] == 12.3


def test_there_is_no_cancel_route(sim: SimOplati) -> None:
    sim.set_mode("pending")
    _, created = _raw(sim, "POST", "/pos/webPayments/v2", _order("A-3"))
    status, answer = _raw(sim, "POST", f"/pos/payments/{created['paymentId']}/cancel", {})
    assert status == 404 and answer["userMessage"]["lang_ru"]
    assert sim.payment(created["paymentId"]).status == OplatiStatus.IN_PROGRESS


def test_every_error_has_the_documented_body_with_no_invented_internal_code(sim: SimOplati) -> None:
    for status, answer in (_raw(sim, "GET", "/pos/payments/1", password="nope"),
                           _raw(sim, "GET", "/pos/payments/424242"),
                           _raw(sim, "POST", "/pos/webPayments/v2", b"{broken"),
                           _raw(sim, "GET", "/pos/paymentReports")):
        assert status in (400, 401, 404)
        assert set(answer) == {"code", "internalCode", "devMessage", "userMessage"}
        assert answer["code"] == str(status) and answer["internalCode"] == "" and answer["devMessage"]
        assert set(answer["userMessage"]) == {"lang_ru", "lang_en"} and answer["userMessage"]["lang_ru"]


def test_outside_ms_pay_there_is_only_a_web_servers_404(sim: SimOplati) -> None:
    status, answer = _raw(sim, "GET", "/pos/paymentReports?shift=1", base=sim.base_url.removesuffix("/ms-pay"))
    assert status == 404 and answer == "Not Found"


@pytest.mark.parametrize("body", [b"[]", {"sum": 1.0, "orderNumber": "B", "details": {}},
                                  _order("B-1", 0.005), {**_order("B-2"), "sum": 12.4},
                                  _order("B-3", item_type=3), {**_order("B-4"), "shift": ""}])
def test_malformed_create_request_gets_400_not_a_crash(sim: SimOplati, body: object) -> None:
    status, answer = _raw(sim, "POST", "/pos/webPayments/v2", body)
    assert status == 400 and answer["devMessage"]
    assert _raw(sim, "GET", "/pos/paymentReports?shift=X")[0] == 200


def test_an_order_number_is_used_once(sim: SimOplati) -> None:
    assert _raw(sim, "POST", "/pos/webPayments/v2", _order("C-1"))[0] == 200
    status, answer = _raw(sim, "POST", "/pos/webPayments/v2", _order("C-1"))
    assert status == 400 and answer["userMessage"]["lang_ru"] == "Номер заказа уже использован"


def test_the_services_own_window_ends_an_unconfirmed_payment_with_status_4(sim: SimOplati) -> None:
    sim.set_mode("pending")
    sim.confirm_window = 0.1
    _, created = _raw(sim, "POST", "/pos/webPayments/v2", _order("D-1"))
    time.sleep(0.15)
    _, info = _raw(sim, "GET", f"/pos/payments/{created['paymentId']}")
    assert info["status"] == 4 and info["paidDate"] != ""
    sim.resolve(created["paymentId"], OplatiStatus.OK)          # too late: it stays ended
    assert sim.payment(created["paymentId"]).status == OplatiStatus.TIMEOUT


def test_reversals_are_capped_at_the_unreversed_rest(sim: SimOplati) -> None:
    pid = _paid(sim, "E-1", 12.3)
    status, rev = _raw(sim, "POST", f"/pos/payments/{pid}/reversals", _order("E-R1", 10.0))
    assert status == 200 and rev["paymentType"] == 3 and rev["status"] == 1 and rev["sum"] == 10.0
    status, answer = _raw(sim, "POST", f"/pos/payments/{pid}/reversals", _order("E-R2", 2.31))
    assert status == 400 and "2.30 BYN" in answer["userMessage"]["lang_ru"]
    assert _raw(sim, "POST", f"/pos/payments/{pid}/reversals", _order("E-R3", 2.3))[0] == 200
    assert sim.reversed_total(pid) == 1230


def test_a_reversal_in_progress_holds_its_sum_and_a_declined_one_releases_it(sim: SimOplati) -> None:
    pid = _paid(sim, "F-1", 12.3)
    sim.set_reversal_mode("slow")
    sim.confirm_after = 0.3
    _, rev = _raw(sim, "POST", f"/pos/payments/{pid}/reversals", _order("F-R1", 12.3))
    assert rev["status"] == 0
    assert _raw(sim, "POST", f"/pos/payments/{pid}/reversals", _order("F-R2", 0.01))[0] == 400
    sim.set_reversal_mode("decline")
    sim.confirm_after = 0.05
    pid2 = _paid(sim, "F-2", 5.0)
    _, rev2 = _raw(sim, "POST", f"/pos/payments/{pid2}/reversals", _order("F-R3", 5.0))
    assert rev2["status"] == 2 and sim.reversed_total(pid2) == 0


def test_a_reversal_without_shift_is_accepted_as_the_go_client_omits_it(sim: SimOplati) -> None:
    pid = _paid(sim, "G-1")
    status, rev = _raw(sim, "POST", f"/pos/payments/{pid}/reversals", _order("G-R1", shift=None))
    assert status == 200 and sim.payment(rev["paymentId"]).shift == ""


def test_the_shift_report_accepts_the_bitrix_date_range_parameters(sim: SimOplati) -> None:
    _paid(sim, "H-1")
    status, report = _raw(sim, "GET", "/pos/paymentReports?shift=01032025&shiftStart=2025-03-01&shiftEnd=2025-03-01")
    assert status == 200 and [p["orderNumber"] for p in report] == ["H-1"]


def test_a_lost_answer_is_carried_out_but_never_arrives(sim: SimOplati) -> None:
    sim.lose_next_answer()
    with pytest.raises(http.client.RemoteDisconnected):       # closed without a status line
        _raw(sim, "POST", "/pos/webPayments/v2", _order("I-1"))
    _, report = _raw(sim, "GET", "/pos/paymentReports?shift=01032025")
    assert [p["orderNumber"] for p in report] == ["I-1"]


def test_unknown_modes_are_refused_with_the_list_of_modes() -> None:
    with pytest.raises(ValueError, match="confirm, decline"):
        SimOplati().set_mode("maybe")
    with pytest.raises(ValueError, match="ok, slow"):
        SimOplati().set_reversal_mode("maybe")


def test_an_unreadable_state_file_is_one_clear_error(tmp_path) -> None:
    state = tmp_path / "oplati.json"
    state.write_text("{not json", "utf-8")
    with pytest.raises(ValueError, match="oplati.json is unreadable"):
        SimOplati(state_path=state)
