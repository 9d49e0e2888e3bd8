"""OplatiClient against the simulated Оплати service and against answers recorded from Оплати's own clients."""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hal.errors import DeviceError
from hal.oplati import (
    OplatiClient,
    OplatiError,
    OplatiItem,
    OplatiItemType,
    OplatiOperation,
    OplatiStatus,
    reversal_order_number,
)
from sim.oplati import SimOplati

REG, PASSWORD, SHIFT = "OPL000011111", "secret", "01032025"
ITEMS = [("Хлеб", 230), ("Молоко 3,2%", 1000)]
FAST = 0.02          # s between polls against the simulator (the product default is 2.5 s)


@pytest.fixture
def sim() -> Iterator[SimOplati]:
    service = SimOplati(reg_num=REG, password=PASSWORD, confirm_after=0.05).start()
    yield service
    service.stop()


@pytest.fixture
def client(sim: SimOplati) -> OplatiClient:
    return OplatiClient(sim.base_url, REG, PASSWORD, timeout=2.0, poll_interval=FAST)


def _paid(client: OplatiClient, order: str = "S-1", amount: int = 1230, items=ITEMS):
    created = client.create_payment(amount, order, items, SHIFT)
    return client.wait(created.payment_id, timeout=2.0)


# --- the sale: create, poll, end ------------------------------------------------------------

def test_confirmed_payment_returns_ok_and_the_qr_is_the_redirect_url(client: OplatiClient) -> None:
    created = client.create_payment(1230, "S-1", ITEMS, SHIFT)
    assert created.redirect_url.endswith(f"/ms-pay/pay/{created.payment_id}")
    assert (created.amount, created.order_number) == (1230, "S-1")
    seen: list[str] = []
    final = client.wait(created.payment_id, timeout=2.0, progress=seen.append)
    assert final.ok and final.require_ok() is final
    assert (final.payment_id, final.amount, final.order_number) == (created.payment_id, 1230, "S-1")
    assert final.ref == str(created.payment_id) and final.purse_public_id
    assert all(line.startswith("ОПЛАТИ:") for line in seen)


def test_polling_is_every_two_and_a_half_seconds_unless_configured() -> None:
    assert OplatiClient("http://x/ms-pay", REG, PASSWORD).poll_interval == 2.5
    for bad in (0, -1, "2"):
        with pytest.raises(ValueError, match="poll_interval"):
            OplatiClient("http://x/ms-pay", REG, PASSWORD, poll_interval=bad)  # type: ignore[arg-type]


def test_wait_polls_at_the_configured_interval_not_faster(sim: SimOplati) -> None:
    sim.set_mode("pending")
    client = OplatiClient(sim.base_url, REG, PASSWORD, poll_interval=0.25)
    created = client.create_payment(1230, "S-rate", ITEMS, SHIFT)
    before = sim.requests
    with pytest.raises(OplatiError):
        client.wait(created.payment_id, timeout=1.0)
    assert 3 <= sim.requests - before <= 5          # ≈ one GET per 0.25 s over 1 s


@pytest.mark.parametrize("mode, status, code, text", [
    ("decline", OplatiStatus.DECLINE, "OPLATI_DECLINED", "ОПЛАТИ: покупатель отклонил платёж"),
    ("not_enough", OplatiStatus.NOT_ENOUGH, "OPLATI_NOT_ENOUGH", "ОПЛАТИ: недостаточно средств в кошельке"),
    ("timeout", OplatiStatus.TIMEOUT, "OPLATI_TIMEOUT", "ОПЛАТИ: покупатель не подтвердил платёж вовремя"),
])
def test_failed_payment_raises_the_reason_with_the_final_payment_attached(
        sim: SimOplati, client: OplatiClient, mode: str, status: OplatiStatus, code: str, text: str) -> None:
    sim.set_mode(mode)
    created = client.create_payment(1230, f"S-{mode}", ITEMS, SHIFT)
    with pytest.raises(OplatiError) as err:
        client.wait(created.payment_id, timeout=2.0)
    assert err.value.code == code and err.value.message == text
    final = err.value.payment
    assert final is not None and final.status is status and final.final and not final.ok
    assert client.status(created.payment_id) == final


def test_at_the_deadline_the_payment_is_unknown_and_can_still_be_paid(sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("pending")
    created = client.create_payment(1230, "S-2", ITEMS, SHIFT)
    with pytest.raises(OplatiError) as err:
        client.wait(created.payment_id, timeout=0.1)
    e = err.value
    assert e.code == "OPLATI_UNKNOWN" and e.payment_id == created.payment_id and e.params["payment_id"] == e.payment_id
    assert e.payment is not None and e.payment.status is OplatiStatus.IN_PROGRESS
    assert "Другую оплату для этого чека не принимайте" in e.message
    sim.resolve(created.payment_id, OplatiStatus.OK)        # the customer confirms late: nothing cancelled it
    assert client.status(created.payment_id).ok
    assert client.wait(created.payment_id, timeout=1.0).ok  # the register keeps polling and learns it


def test_the_cashiers_stop_ends_the_waiting_at_once_not_the_payment(sim: SimOplati) -> None:
    sim.set_mode("pending")
    client = OplatiClient(sim.base_url, REG, PASSWORD, poll_interval=5.0)
    created = client.create_payment(1230, "S-3", ITEMS, SHIFT)
    asked = threading.Event()
    threading.Timer(0.15, asked.set).start()
    start = time.monotonic()
    with pytest.raises(OplatiError) as err:
        client.wait(created.payment_id, timeout=60, should_stop=asked.is_set)
    assert time.monotonic() - start < 1.0
    assert err.value.code == "OPLATI_UNKNOWN" and err.value.variant == "OPLATI_STOPPED"
    assert "платёж не отменён" in err.value.message
    assert client.status(created.payment_id).status is OplatiStatus.IN_PROGRESS


def test_a_payment_nobody_confirms_is_ended_by_the_service_itself_while_the_register_polls(
        sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("pending")
    sim.confirm_window = 0.3
    created = client.create_payment(1230, "S-3w", ITEMS, SHIFT)
    with pytest.raises(OplatiError) as err:
        client.wait(created.payment_id, timeout=3.0)
    assert err.value.code == "OPLATI_TIMEOUT" and err.value.payment.status is OplatiStatus.TIMEOUT


def test_no_register_side_cancel_is_called_and_the_client_has_none(sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("pending")
    created = client.create_payment(1230, "S-4", ITEMS, SHIFT)
    with pytest.raises(OplatiError):
        client.wait(created.payment_id, timeout=0.1)
    assert not hasattr(client, "cancel")
    assert sim.payment(created.payment_id).status == OplatiStatus.IN_PROGRESS


def test_wait_keeps_polling_through_a_short_outage(sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("confirm", confirm_after=0.15)
    created = client.create_payment(1230, "S-6", ITEMS, SHIFT)
    seen: list[str] = []

    def progress(line: str) -> None:
        seen.append(line)
        if len(seen) == 1:
            sim.set_offline(True)
        elif len(seen) == 3:
            sim.set_offline(False)

    assert client.wait(created.payment_id, timeout=2.0, progress=progress).ok
    assert "ОПЛАТИ: нет связи, повторяем запрос" in seen


def test_an_outage_that_outlasts_the_wait_is_unknown_and_shows_the_services_message(
        sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("pending")
    created = client.create_payment(1230, "S-6o", ITEMS, SHIFT)
    sim.set_offline(True)
    with pytest.raises(OplatiError) as err:
        client.wait(created.payment_id, timeout=0.1)
    assert err.value.code == "OPLATI_UNKNOWN" and err.value.payment_id == created.payment_id
    assert "Сервис временно недоступен" in err.value.message and "OPLATI_OFFLINE" in err.value.detail


def test_a_lost_create_answer_is_unknown_and_find_recovers_the_payment(sim: SimOplati, client: OplatiClient) -> None:
    sim.lose_next_answer()
    with pytest.raises(OplatiError) as err:
        client.create_payment(1230, "S-lost", ITEMS, SHIFT)
    assert err.value.code == "OPLATI_UNKNOWN" and err.value.payment_id is None
    assert err.value.order_number == "S-lost"
    found = client.find("S-lost", SHIFT)
    assert found is not None and found.operation is OplatiOperation.SALE and found.amount == 1230
    assert client.wait(found.payment_id, timeout=2.0).ok


def test_a_create_answered_503_is_unknown_until_the_report_proves_it_absent(sim: SimOplati, client: OplatiClient) -> None:
    sim.set_offline(True)
    with pytest.raises(OplatiError) as err:
        client.create_payment(1230, "S-5", ITEMS, SHIFT)
    assert err.value.code == "OPLATI_UNKNOWN" and err.value.variant == "OPLATI_UNKNOWN_SERVER"
    assert "Сервис временно недоступен" in err.value.message and "HTTP 503" in err.value.detail
    sim.set_offline(False)
    assert client.find("S-5", SHIFT) is None               # proven absent: the same order may be sent again
    assert client.create_payment(1230, "S-5", ITEMS, SHIFT).payment_id > 0


def test_a_refused_connection_is_offline_nothing_was_sent(sim: SimOplati, client: OplatiClient) -> None:
    paid = _paid(client)
    sim.set_offline(True, refuse=True)
    for call in (lambda: client.status(paid.payment_id), lambda: client.create_payment(5, "S-r", [], SHIFT)):
        with pytest.raises(OplatiError) as err:
            call()
        assert err.value.code == "OPLATI_OFFLINE" and "refused" in err.value.dev_message.lower()
    sim.set_offline(False)
    assert client.status(paid.payment_id).ok and client.find("S-r", SHIFT) is None


def test_a_silent_server_is_offline_for_a_poll_and_unknown_for_a_create() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        client = OplatiClient(f"http://127.0.0.1:{port}/ms-pay", REG, PASSWORD, timeout=0.2)
        with pytest.raises(OplatiError) as err:
            client.status(1)
        assert err.value.code == "OPLATI_OFFLINE"
        with pytest.raises(OplatiError) as err:
            client.create_payment(5, "S-silent", [], SHIFT)
        assert err.value.code == "OPLATI_UNKNOWN"


def test_wrong_password_shows_the_services_own_message(sim: SimOplati) -> None:
    with pytest.raises(OplatiError) as err:
        OplatiClient(sim.base_url, REG, "wrong").create_payment(1230, "S-auth", ITEMS, SHIFT)
    e = err.value
    assert e.code == "OPLATI_AUTH" and "HTTP 401" in e.dev_message and e.server == "Неверный номер кассы или пароль"
    assert e.message.startswith("ОПЛАТИ: «Неверный номер кассы или пароль»")
    assert isinstance(e, DeviceError) and e.device == "oplati"


def test_a_base_url_without_ms_pay_is_named_as_the_wrong_address(sim: SimOplati) -> None:
    wrong = sim.base_url.removesuffix("/ms-pay")
    with pytest.raises(OplatiError) as err:
        OplatiClient(wrong, REG, PASSWORD).report(SHIFT)
    assert err.value.code == "OPLATI_NOT_FOUND" and err.value.variant == "OPLATI_NO_SERVICE"
    assert "/ms-pay" in err.value.message


def test_unknown_payment_is_not_found_with_the_services_message(client: OplatiClient) -> None:
    with pytest.raises(OplatiError) as err:
        client.status(999_999)
    assert err.value.code == "OPLATI_NOT_FOUND" and "Платёж не найден" in err.value.message


def test_reused_order_number_is_refused_with_the_services_message(client: OplatiClient) -> None:
    client.create_payment(1230, "S-8", ITEMS, SHIFT)
    with pytest.raises(OplatiError) as err:
        client.create_payment(1230, "S-8", ITEMS, SHIFT)
    assert err.value.code == "OPLATI_REFUSED" and err.value.message == "ОПЛАТИ отказала: Номер заказа уже использован"


def test_items_that_do_not_add_up_become_one_line_and_service_lines_go_as_type_2(
        sim: SimOplati, client: OplatiClient) -> None:
    created = client.create_payment(500, "S-9", ITEMS, SHIFT)          # 5.00 of a 12.30 receipt by Оплати
    assert sim.payment(created.payment_id).items == [(1, "Оплата покупки", 500)]
    items = [OplatiItem("Доставка", 300, OplatiItemType.SERVICE), ("Хлеб", 230), ("Сборка", 70, 2)]
    created = client.create_payment(600, "S-9s", items, SHIFT)
    assert sim.payment(created.payment_id).items == [(2, "Доставка", 300), (1, "Хлеб", 230), (2, "Сборка", 70)]


def test_malformed_items_amounts_and_ids_are_caller_errors(client: OplatiClient) -> None:
    with pytest.raises(ValueError, match="amount must be kopecks"):
        client.create_payment(0, "S-9a", ITEMS, SHIFT)
    with pytest.raises(ValueError, match="item name"):
        client.create_payment(5, "S-9b", [("", 5)], SHIFT)
    with pytest.raises(ValueError, match="order_number"):
        client.create_payment(5, "", [], SHIFT)
    with pytest.raises(ValueError, match="payment_id"):
        client.status("12a")
    with pytest.raises(ValueError, match="operation_id"):
        client.reverse(1, 5, [], operation_id="a b", shift=SHIFT)


# --- reversals ------------------------------------------------------------------------------

def test_a_full_reversal_counts_at_status_1_under_the_order_number_of_its_operation(
        sim: SimOplati, client: OplatiClient) -> None:
    paid = _paid(client)
    reversal = client.reverse(paid.payment_id, 1230, ITEMS, operation_id="op-1", shift=SHIFT)
    assert reversal.status is OplatiStatus.OK and reversal.amount == 1230
    assert reversal.order_number == reversal_order_number("op-1") == "R-op-1"
    assert reversal.payment_id == paid.payment_id and reversal.reversal_id != paid.payment_id
    held = sim.payment(reversal.reversal_id)
    assert held.shift == SHIFT and held.parent == paid.payment_id and held.operation == OplatiOperation.SALE_REVERSAL


def test_repeating_a_reversal_with_the_same_operation_id_cannot_refund_twice(
        sim: SimOplati, client: OplatiClient) -> None:
    paid = _paid(client)
    client.reverse(paid.payment_id, 230, [("Хлеб", 230)], operation_id="op-2", shift=SHIFT)
    with pytest.raises(OplatiError) as err:
        client.reverse(paid.payment_id, 230, [("Хлеб", 230)], operation_id="op-2", shift=SHIFT)
    assert err.value.code == "OPLATI_REFUSED"
    assert sim.reversed_total(paid.payment_id) == 230


def test_partial_reversals_add_up_to_the_paid_sum_and_no_further(sim: SimOplati, client: OplatiClient) -> None:
    paid = _paid(client)
    assert client.reverse(paid.payment_id, 230, [("Хлеб", 230)], operation_id="p1", shift=SHIFT).amount == 230
    with pytest.raises(OplatiError) as err:
        client.reverse(paid.payment_id, 1001, [("Молоко 3,2%", 1001)], operation_id="p2", shift=SHIFT)
    assert err.value.code == "OPLATI_REFUSED" and "10.00 BYN" in err.value.message
    assert client.reverse(paid.payment_id, 1000, [("Молоко 3,2%", 1000)], operation_id="p3", shift=SHIFT).amount == 1000
    assert sim.reversed_total(paid.payment_id) == 1230


def test_a_reversal_answered_in_progress_is_polled_until_it_is_done(sim: SimOplati, client: OplatiClient) -> None:
    paid = _paid(client)
    sim.set_reversal_mode("slow")
    reversal = client.reverse(paid.payment_id, 500, [], operation_id="slow-1", shift=SHIFT)
    assert reversal.status is OplatiStatus.OK and sim.payment(reversal.reversal_id).status == OplatiStatus.OK


@pytest.mark.parametrize("mode, status", [("decline", OplatiStatus.DECLINE),
                                          ("cancel", OplatiStatus.TECHNICAL_CANCELLING)])
def test_a_reversal_ending_with_2_to_5_fails_and_leaves_the_sum_reversible(
        sim: SimOplati, client: OplatiClient, mode: str, status: OplatiStatus) -> None:
    paid = _paid(client)
    sim.set_reversal_mode(mode)
    with pytest.raises(OplatiError) as err:
        client.reverse(paid.payment_id, 1230, [], operation_id=f"bad-{mode}", shift=SHIFT)
    assert err.value.code == "OPLATI_REFUSED" and err.value.variant == "OPLATI_REVERSAL_FAILED"
    assert err.value.payment.status is status and "не вернулись" in err.value.message
    sim.set_reversal_mode("ok")
    again = client.reverse(paid.payment_id, 1230, [], operation_id=f"ok-{mode}", shift=SHIFT)
    assert again.status is OplatiStatus.OK
    assert sim.reversed_total(paid.payment_id) == 1230


def test_a_reversal_still_in_progress_at_its_deadline_is_unknown_with_its_id(
        sim: SimOplati, client: OplatiClient) -> None:
    paid = _paid(client)
    sim.set_reversal_mode("slow")
    sim.confirm_after = 0.5
    with pytest.raises(OplatiError) as err:
        client.reverse(paid.payment_id, 500, [], operation_id="late-1", shift=SHIFT, timeout=0.05)
    e = err.value
    assert e.code == "OPLATI_UNKNOWN" and e.variant == "OPLATI_REVERSAL_UNKNOWN" and e.payment_id
    assert client.wait_reversal(paid.payment_id, e.payment_id, timeout=2.0).status is OplatiStatus.OK


def test_a_lost_reversal_answer_is_unknown_and_find_shows_it_was_done_once(
        sim: SimOplati, client: OplatiClient) -> None:
    paid = _paid(client)
    sim.lose_next_answer()
    with pytest.raises(OplatiError) as err:
        client.reverse(paid.payment_id, 1230, [], operation_id="lost-1", shift=SHIFT)
    assert err.value.code == "OPLATI_UNKNOWN" and err.value.payment_id is None
    assert err.value.order_number == "R-lost-1" and "Не возвращайте деньги другим способом" in err.value.message
    found = client.find(reversal_order_number("lost-1"), SHIFT)
    assert found is not None and found.ok and found.operation is OplatiOperation.SALE_REVERSAL
    with pytest.raises(OplatiError):              # a blind repeat is refused: the same orderNumber
        client.reverse(paid.payment_id, 1230, [], operation_id="lost-1", shift=SHIFT)
    assert sim.reversed_total(paid.payment_id) == 1230


def test_reversal_of_an_unconfirmed_payment_is_refused(sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("pending")
    created = client.create_payment(1230, "S-7", ITEMS, SHIFT)
    with pytest.raises(OplatiError) as err:
        client.reverse(created.payment_id, 1230, ITEMS, operation_id="u-1", shift=SHIFT)
    assert err.value.code == "OPLATI_REFUSED" and "возврат невозможен" in err.value.message


def test_reversal_by_the_ref_kept_in_the_receipt_without_items(sim: SimOplati, client: OplatiClient) -> None:
    paid = _paid(client, "S-9c")
    reversal = client.reverse(paid.ref, 500, [], operation_id="ref-1", shift=SHIFT)
    assert reversal.payment_id == paid.payment_id and reversal.amount == 500
    assert sim.payment(reversal.reversal_id).items == [(1, "Возврат покупки", 500)]


# --- the shift report -----------------------------------------------------------------------

def test_shift_report_lists_sales_and_reversals_of_that_shift_only(client: OplatiClient) -> None:
    paid = _paid(client, "S-10")
    client.reverse(paid.payment_id, 230, [("Хлеб", 230)], operation_id="10", shift=SHIFT)
    client.create_payment(500, "S-11", [("Сок", 500)], "02032025")
    report = client.report(SHIFT)
    assert [(p.order_number, p.operation, p.amount) for p in report] == [
        ("S-10", OplatiOperation.SALE, 1230), ("R-10", OplatiOperation.SALE_REVERSAL, 230)]
    assert client.find("S-10", SHIFT) == report[0] and client.find("R-10", SHIFT) == report[1]
    assert client.find("S-11", SHIFT) is None


def test_reconciliation_finds_a_late_confirmation_the_register_never_booked(sim: SimOplati, client: OplatiClient) -> None:
    booked = _paid(client, "S-20")
    client.reverse(booked.payment_id, 230, [], operation_id="20", shift=SHIFT)
    sim.set_mode("pending")
    late = client.create_payment(700, "S-21", [], SHIFT)
    client.create_payment(900, "S-22", [], SHIFT)              # still in progress
    sim.resolve(late.payment_id, OplatiStatus.OK)
    rec = client.reconcile(SHIFT, {"S-20": 1230, "R-20": 230, "S-gone": 100})
    assert (rec.sales, rec.reversals, rec.net) == (1930, 230, 1700)
    assert rec.matched == ("S-20", "R-20") and rec.only_booked == ("S-gone",)
    assert [p.order_number for p in rec.only_at_service] == ["S-21"]
    assert [p.order_number for p in rec.in_progress] == ["S-22"] and not rec.ok
    assert client.reconcile(SHIFT, {"S-20": 1230, "R-20": 230, "S-21": 700}).ok


def test_a_restarted_register_learns_the_status_of_the_payment_it_started(tmp_path: Path) -> None:
    state = tmp_path / "oplati.json"
    with SimOplati(reg_num=REG, password=PASSWORD, confirm_after=0.05, state_path=state) as sim:
        payment_id = OplatiClient(sim.base_url, REG, PASSWORD).create_payment(1230, "S-12", ITEMS, SHIFT).payment_id
        after_restart = OplatiClient(sim.base_url, REG, PASSWORD, poll_interval=FAST)
        final = after_restart.wait(payment_id, timeout=2.0)
        assert final.ok and final.amount == 1230 and final.order_number == "S-12"
        assert after_restart.find("S-12", SHIFT) == final
    with SimOplati(reg_num=REG, password=PASSWORD, state_path=state) as reborn:
        assert OplatiClient(reborn.base_url, REG, PASSWORD).status(payment_id).ok


# --- against answers recorded from the Go/PHP clients' DTOs ---------------------------------

class Recorder:
    """A loopback HTTP server that answers each request with the next scripted (status, body) and
    keeps what the client sent."""

    def __init__(self, answers: list[tuple[int, bytes]]) -> None:
        self.answers, self.seen = list(answers), []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                recorder.seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                      self.rfile.read(n)))
                status, body = recorder.answers.pop(0) if recorder.answers else (500, b"")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ms-pay"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder([])
    yield rec
    rec.close()


# dto.go paymentInfoResponse, filled with the README's example (payment 273121, order AA-1111);
# the sum as a float64 encoder may write it.
INFO = (b'{"paymentId":273121,"paymentType":1,"sum":12.299999999999999,"status":%d,'
        b'"createdDate":"2025-04-18T17:06:55+03:00","paidDate":"2025-04-18T17:07:31+03:00",'
        b'"orderNumber":"AA-1111","pursePublicId":"8c1f"}')
ERROR = ('{"code":"400","internalCode":"X-17","devMessage":"reversal sum exceeds payment",'
         '"userMessage":{"lang_ru":"Сумма возврата превышает сумму платежа","lang_en":"Too much"}}').encode()


def test_the_create_body_is_the_go_clients_body_for_its_readme_example(recorder: Recorder) -> None:
    recorder.answers = [(200, b'{"paymentId":273121,"redirectUrl":"https://pay.o-plati.by/x/273121"}')]
    client = OplatiClient(recorder.url, "OPL000011111", "1111")
    created = client.create_payment(6498, "AA-1111", [("Консультация продавца", 499, OplatiItemType.SERVICE),
                                                      ("Товар", 5999)], "14092001", "Спасибо за покупку!")
    assert created.payment_id == 273121 and created.redirect_url == "https://pay.o-plati.by/x/273121"
    method, path, headers, body = recorder.seen[0]
    assert (method, path) == ("POST", "/ms-pay/pos/webPayments/v2")
    assert headers["regnum"] == "OPL000011111" and headers["password"] == "1111"   # names are case-blind
    # json.Marshal(newPaymentRequest) field by field (dto.go), the README's items; URLs are empty for a register.
    assert body == ('{"shift":"14092001","sum":64.98,"orderNumber":"AA-1111","regNum":"OPL000011111",'
                    '"details":{"regNum":"OPL000011111","items":[{"type":2,"name":"Консультация продавца",'
                    '"cost":4.99},{"type":1,"name":"Товар","cost":59.99}],"amountTotal":64.98,'
                    '"footerInfo":"Спасибо за покупку!"},"successUrl":"","failureUrl":"","notificationUrl":""}'
                    ).encode()


def test_the_reversal_body_is_the_go_clients_and_omits_an_unknown_shift(recorder: Recorder) -> None:
    recorder.answers = [(200, INFO % 1), (200, INFO % 1)]
    client = OplatiClient(recorder.url, "OPL000011111", "1111")
    client.reverse(273121, 5999, [("Товар", 5999)], operation_id="AA-1111", shift="14092001",
                   footer="Будем рады видеть вас снова!")
    client.reverse(273121, 5999, [("Товар", 5999)], operation_id="AA-1112", shift=None)
    first, second = json.loads(recorder.seen[0][3]), json.loads(recorder.seen[1][3])
    assert recorder.seen[0][1] == "/ms-pay/pos/payments/273121/reversals"
    assert list(first) == ["shift", "sum", "orderNumber", "regNum", "details"]       # reversePaymentRequest
    assert first["shift"] == "14092001" and first["orderNumber"] == "R-AA-1111"
    assert "shift" not in second and b'"shift":""' not in recorder.seen[1][3]       # json:"shift,omitempty"


def test_a_float_sum_from_the_service_is_read_to_the_kopeck(recorder: Recorder) -> None:
    recorder.answers = [(200, INFO % 1)]
    payment = OplatiClient(recorder.url, REG, PASSWORD).status(273121)
    assert payment.ok and payment.amount == 1230 and payment.paid_at == "2025-04-18T17:07:31+03:00"


@pytest.mark.parametrize("status", [0, 2, 5])
def test_a_recorded_reversal_answer_other_than_1_is_not_a_refund(recorder: Recorder, status: int) -> None:
    # status 0 is polled (here it stays 0 and the poll answers run out), 2 and 5 fail at once
    recorder.answers = [(200, INFO % status)] + [(200, INFO % status)] * 3
    client = OplatiClient(recorder.url, REG, PASSWORD, poll_interval=FAST)
    with pytest.raises(OplatiError) as err:
        client.reverse(273121, 1230, [], operation_id="x", shift=SHIFT, timeout=0.05)
    assert err.value.code == ("OPLATI_UNKNOWN" if status == 0 else "OPLATI_REFUSED")


@pytest.mark.parametrize("http, code", [(400, "OPLATI_REFUSED"), (409, "OPLATI_REFUSED"), (401, "OPLATI_AUTH"),
                                        (404, "OPLATI_NOT_FOUND"), (500, "OPLATI_OFFLINE")])
def test_every_recorded_server_error_shows_its_lang_ru(recorder: Recorder, http: int, code: str) -> None:
    recorder.answers = [(http, ERROR)]
    with pytest.raises(OplatiError) as err:
        OplatiClient(recorder.url, REG, PASSWORD).status(273121)
    e = err.value
    assert e.code == code and e.server == "Сумма возврата превышает сумму платежа" and e.http_status == http
    assert "Сумма возврата превышает сумму платежа" in e.message
    assert "X-17 reversal sum exceeds payment" in e.dev_message


def test_a_recorded_error_without_a_message_still_reads_as_a_refusal(recorder: Recorder) -> None:
    recorder.answers = [(422, b'{"code":"422","internalCode":"","devMessage":"","userMessage":{}}')]
    with pytest.raises(OplatiError) as err:
        OplatiClient(recorder.url, REG, PASSWORD).status(1)
    assert err.value.code == "OPLATI_REFUSED" and err.value.message.startswith("ОПЛАТИ отказала в операции")


def test_a_garbled_create_answer_is_unknown_not_a_refusal(recorder: Recorder) -> None:
    recorder.answers = [(200, b'{"paymentId":273121,"dynamicQR":"1A2B3C"}')]
    with pytest.raises(OplatiError) as err:
        OplatiClient(recorder.url, REG, PASSWORD).create_payment(100, "AA-1", [], SHIFT)
    assert err.value.code == "OPLATI_UNKNOWN" and "redirectUrl" in err.value.detail


def test_the_report_query_carries_the_shift(recorder: Recorder) -> None:
    recorder.answers = [(200, b"[" + INFO % 1 + b"]")]
    (payment,) = OplatiClient(recorder.url, REG, PASSWORD).report("15042025")
    assert recorder.seen[0][1] == "/ms-pay/pos/paymentReports?shift=15042025" and payment.amount == 1230
    with pytest.raises(ValueError, match="shift"):
        OplatiClient(recorder.url, REG, PASSWORD).report("")
