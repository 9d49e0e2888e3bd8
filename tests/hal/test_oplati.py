"""OplatiClient against the simulated Оплати service on a real loopback socket."""
from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from hal.errors import DeviceError
from hal.oplati import OplatiClient, OplatiError, OplatiOperation, OplatiStatus
from sim.oplati import SimOplati

REG, PASSWORD, SHIFT = "OPL000011111", "secret", "01032025"
ITEMS = [("Хлеб", 230), ("Молоко 3,2%", 1000)]


@pytest.fixture
def sim() -> Iterator[SimOplati]:
    service = SimOplati(reg_num=REG, password=PASSWORD, confirm_after=0.05).start()
    yield service
    service.stop()


@pytest.fixture
def client(sim: SimOplati) -> OplatiClient:
    return OplatiClient(sim.base_url, REG, PASSWORD, timeout=2.0)


def _paid(client: OplatiClient, order: str = "S-1"):
    created = client.create_payment(1230, order, ITEMS, SHIFT)
    return client.wait(created.payment_id, timeout=2.0, poll=0.02)


def test_confirmed_payment_returns_ok_with_qr_and_the_amount(client: OplatiClient) -> None:
    created = client.create_payment(1230, "S-1", ITEMS, SHIFT)
    assert created.status is OplatiStatus.IN_PROGRESS
    assert created.qr.endswith(f"/pay/{created.payment_id}")
    seen: list[str] = []
    final = client.wait(created.payment_id, timeout=2.0, poll=0.01, progress=seen.append)
    assert final.ok and final.require_ok() is final
    assert (final.payment_id, final.amount, final.order_number) == (created.payment_id, 1230, "S-1")
    assert final.ref == str(created.payment_id)
    assert seen and all(line.startswith("ОПЛАТИ:") for line in seen)


def test_immediate_confirmation_needs_no_polling(sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("confirm", confirm_after=0)
    created = client.create_payment(5, "S-0", [("Спички", 5)], SHIFT)
    assert client.status(created.payment_id).status is OplatiStatus.OK


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
        client.wait(created.payment_id, timeout=2.0, poll=0.02)
    assert err.value.code == code and err.value.message == text
    final = err.value.payment
    assert final is not None and final.status is status and final.final and not final.ok
    assert client.status(created.payment_id) == final


def test_at_the_deadline_an_unanswered_payment_is_cancelled_so_it_cannot_be_paid_later(
        sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("pending")
    created = client.create_payment(1230, "S-2", ITEMS, SHIFT)
    with pytest.raises(OplatiError) as err:
        client.wait(created.payment_id, timeout=0.1, poll=0.02)
    assert err.value.code == "OPLATI_TIMEOUT"
    assert err.value.payment is not None and err.value.payment.status is OplatiStatus.TECHNICAL_CANCELLING
    sim.resolve(created.payment_id, OplatiStatus.OK)       # the customer taps "pay" too late
    assert client.status(created.payment_id).status is OplatiStatus.TECHNICAL_CANCELLING


def test_without_cancel_on_deadline_the_payment_is_left_in_progress(sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("pending")
    created = client.create_payment(1230, "S-2a", ITEMS, SHIFT)
    with pytest.raises(OplatiError) as err:
        client.wait(created.payment_id, timeout=0.05, poll=0.02, cancel_on_deadline=False)
    assert err.value.code == "OPLATI_TIMEOUT"
    assert err.value.payment is not None and err.value.payment.status is OplatiStatus.IN_PROGRESS


def test_a_confirmation_racing_the_deadline_is_returned_as_paid(sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("pending")
    created = client.create_payment(1230, "S-2b", ITEMS, SHIFT)
    confirmed = client.wait(created.payment_id, timeout=0, poll=0.02,
                            progress=lambda _: sim.resolve(created.payment_id, OplatiStatus.OK))
    assert confirmed.ok and confirmed.payment_id == created.payment_id


def test_cancel_of_an_unconfirmed_payment_makes_it_technically_cancelled(sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("pending")
    created = client.create_payment(1230, "S-3", ITEMS, SHIFT)
    cancelled = client.cancel(created.payment_id)
    assert cancelled.status is OplatiStatus.TECHNICAL_CANCELLING
    assert client.status(created.payment_id).status is OplatiStatus.TECHNICAL_CANCELLING
    with pytest.raises(OplatiError) as err:
        cancelled.require_ok()
    assert err.value.code == "OPLATI_CANCELLED"


def test_cancel_of_a_paid_payment_is_refused(client: OplatiClient) -> None:
    paid = _paid(client)
    with pytest.raises(OplatiError) as err:
        client.cancel(paid.payment_id)
    assert err.value.code == "OPLATI_REFUSED" and "возврат" in err.value.message


def test_wrong_password_is_an_auth_error(sim: SimOplati) -> None:
    with pytest.raises(OplatiError) as err:
        OplatiClient(sim.base_url, REG, "wrong").create_payment(1230, "S-4", ITEMS, SHIFT)
    assert err.value.code == "OPLATI_AUTH" and "HTTP 401" in err.value.dev_message
    assert isinstance(err.value, DeviceError) and err.value.device == "oplati"


def test_service_answering_503_is_offline(sim: SimOplati, client: OplatiClient) -> None:
    sim.set_offline(True)
    with pytest.raises(OplatiError) as err:
        client.create_payment(1230, "S-5", ITEMS, SHIFT)
    assert err.value.code == "OPLATI_OFFLINE" and err.value.message.startswith("Нет связи с сервисом ОПЛАТИ")
    sim.set_offline(False)
    assert client.create_payment(1230, "S-5", ITEMS, SHIFT).status is OplatiStatus.IN_PROGRESS


def test_refused_connection_is_offline_and_the_service_comes_back_on_the_same_port(
        sim: SimOplati, client: OplatiClient) -> None:
    paid = _paid(client)
    sim.set_offline(True, refuse=True)
    with pytest.raises(OplatiError) as err:
        client.status(paid.payment_id)
    assert err.value.code == "OPLATI_OFFLINE" and "refused" in err.value.dev_message.lower()
    sim.set_offline(False)
    assert client.status(paid.payment_id).ok


def test_a_silent_server_is_offline_after_the_client_timeout() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        with pytest.raises(OplatiError) as err:
            OplatiClient(f"http://127.0.0.1:{port}", REG, PASSWORD, timeout=0.2).status(1)
    assert err.value.code == "OPLATI_OFFLINE"


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

    assert client.wait(created.payment_id, timeout=2.0, poll=0.02, progress=progress).ok
    assert "ОПЛАТИ: нет связи, повторяем запрос" in seen


def test_full_reversal_returns_a_new_operation_for_the_whole_sum(client: OplatiClient) -> None:
    paid = _paid(client)
    reversal = client.reverse(paid.payment_id, 1230, ITEMS, shift=SHIFT)
    assert reversal.status is OplatiStatus.OK and reversal.amount == 1230
    assert reversal.payment_id == paid.payment_id and reversal.reversal_id != paid.payment_id
    with pytest.raises(OplatiError) as err:
        client.reverse(paid.payment_id, 1, [("Хлеб", 1)])
    assert err.value.code == "OPLATI_REFUSED"


def test_partial_reversals_add_up_to_the_paid_sum_and_no_further(client: OplatiClient) -> None:
    paid = _paid(client)
    assert client.reverse(paid.payment_id, 230, [("Хлеб", 230)]).amount == 230
    with pytest.raises(OplatiError) as err:
        client.reverse(paid.payment_id, 1001, [("Молоко 3,2%", 1001)])
    assert err.value.code == "OPLATI_REFUSED" and "10.00" in err.value.detail
    assert client.reverse(paid.payment_id, 1000, [("Молоко 3,2%", 1000)]).amount == 1000


def test_reversal_above_the_paid_sum_is_refused(client: OplatiClient) -> None:
    paid = _paid(client)
    with pytest.raises(OplatiError) as err:
        client.reverse(paid.payment_id, 1231, [("Хлеб", 1231)])
    assert err.value.code == "OPLATI_REFUSED" and "REVERSAL_TOO_BIG" in err.value.dev_message


def test_reversal_of_an_unconfirmed_payment_is_refused(sim: SimOplati, client: OplatiClient) -> None:
    sim.set_mode("pending")
    created = client.create_payment(1230, "S-7", ITEMS, SHIFT)
    with pytest.raises(OplatiError) as err:
        client.reverse(created.payment_id, 1230, ITEMS)
    assert err.value.code == "OPLATI_REFUSED" and "NOT_REVERSIBLE" in err.value.dev_message


def test_unknown_payment_is_not_found(client: OplatiClient) -> None:
    with pytest.raises(OplatiError) as err:
        client.status(999_999)
    assert err.value.code == "OPLATI_NOT_FOUND"


def test_reused_order_number_is_refused(client: OplatiClient) -> None:
    client.create_payment(1230, "S-8", ITEMS, SHIFT)
    with pytest.raises(OplatiError) as err:
        client.create_payment(1230, "S-8", ITEMS, SHIFT)
    assert err.value.code == "OPLATI_REFUSED"


def test_items_that_do_not_add_up_to_the_amount_become_one_line_for_the_amount(
        sim: SimOplati, client: OplatiClient) -> None:
    created = client.create_payment(500, "S-9", ITEMS, SHIFT)          # 5.00 of a 12.30 receipt by Оплати
    held = sim.payment(created.payment_id)
    assert held is not None and held.items == [("Оплата покупки", 500)] and held.amount == 500


def test_malformed_items_and_amounts_are_caller_errors(client: OplatiClient) -> None:
    with pytest.raises(ValueError, match="amount must be kopecks"):
        client.create_payment(0, "S-9a", ITEMS, SHIFT)
    with pytest.raises(ValueError, match="item name"):
        client.create_payment(5, "S-9b", [("", 5)], SHIFT)
    with pytest.raises(ValueError, match="payment_id"):
        client.status("12a")


def test_reversal_by_the_ref_kept_in_the_receipt_without_items(sim: SimOplati, client: OplatiClient) -> None:
    paid = _paid(client, "S-9c")
    reversal = client.reverse(paid.ref, 500, [])
    assert reversal.payment_id == paid.payment_id and reversal.amount == 500
    held = sim.payment(reversal.reversal_id)
    assert held is not None and held.items == [("Возврат покупки", 500)] and held.parent == paid.payment_id


def test_shift_report_lists_sales_and_reversals_of_that_shift_only(client: OplatiClient) -> None:
    paid = _paid(client, "S-10")
    client.reverse(paid.payment_id, 230, [("Хлеб", 230)], shift=SHIFT, order_number="R-10")
    client.create_payment(500, "S-11", [("Сок", 500)], "02032025")
    report = client.report(SHIFT)
    assert [(p.order_number, p.operation, p.amount) for p in report] == [
        ("S-10", OplatiOperation.SALE, 1230), ("R-10", OplatiOperation.SALE_REVERSAL, 230)]
    assert client.find("S-10", SHIFT) == report[0]
    assert client.find("S-11", SHIFT) is None


def test_a_restarted_register_learns_the_status_of_the_payment_it_started(tmp_path: Path) -> None:
    state = tmp_path / "oplati.json"
    with SimOplati(reg_num=REG, password=PASSWORD, confirm_after=0.05, state_path=state) as sim:
        before_crash = OplatiClient(sim.base_url, REG, PASSWORD)
        payment_id = before_crash.create_payment(1230, "S-12", ITEMS, SHIFT).payment_id
        del before_crash
        after_restart = OplatiClient(sim.base_url, REG, PASSWORD)
        final = after_restart.wait(payment_id, timeout=2.0, poll=0.02)
        assert final.ok and final.amount == 1230 and final.order_number == "S-12"
        assert after_restart.find("S-12", SHIFT) == final
    # the state file alone lets a new service instance answer for the same payment
    with SimOplati(reg_num=REG, password=PASSWORD, state_path=state) as reborn:
        assert OplatiClient(reborn.base_url, REG, PASSWORD).status(payment_id).ok


def test_an_unreadable_state_file_is_one_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "oplati.json"
    state.write_text("{not json", "utf-8")
    with pytest.raises(ValueError, match="oplati.json is unreadable"):
        SimOplati(state_path=state)
