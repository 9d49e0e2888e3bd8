"""hal.sko.client: the iKassa driver against the emulator, and against a service replaying the published examples."""
import time
from datetime import datetime, timedelta, timezone

import pytest
from ikassa_replay import ReplayService, published

from fiscal.documents import Annulment, CashIn, CashOut, DocType, Refund, RefundKind, Sale, ShiftClose, ShiftOpen, priced_fields
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType, calculate
from fiscal.sko_cheque import compare
from hal.errors import SkoError
from hal.sko import SkoClient
from sim.sko import SkoEmulator
from sim.sko_rules import SkoType

MINSK = timezone(timedelta(hours=3))


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2026, 1, 15, 9, 0, tzinfo=MINSK)

    def now(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t

    def iso(self) -> str:
        return self.now().isoformat()


@pytest.fixture
def rig(tmp_path):
    clock = Clock()
    emu = SkoEmulator(tmp_path / "sko", clock=clock.now).start()
    client = SkoClient(emu.address, timeout=2)
    yield emu, client, clock
    client.close()
    emu.stop()


def sale(clock, shift=1, cashier="Иванова", cash=1000):
    calc = calculate([ItemInput("Хлеб", 120, 1000, "10", code="4810000000018"),
                      ItemInput("Молоко", 249, 2000, "10", discount=Adjustment(percent=1000))],
                     Adjustment(percent=500), None, [Payment(PaymentType.CASH, cash)])
    return Sale(op_id=f"s{clock.t.timestamp()}", shift=shift, cashier=cashier, created=clock.iso(), **priced_fields(calc))


def opened(client, clock, shift=1):
    client.authorize("123456")
    return client.register(ShiftOpen(op_id=f"o{shift}", shift=shift, cashier="Иванова", created=clock.iso()))


def sko_count(emu) -> int:
    return emu.state.get_int("next_number") - 1


def test_authorising_an_authorised_session_is_success(rig):
    emu, client, _ = rig
    client.authorize("123456")
    client.authorize("123456")                 # the emulator answers 47, as IKAPI says
    assert client.status().authorized


def test_wrong_pins_then_the_lock_then_the_puk(rig):
    _, client, _ = rig
    codes = []
    for _ in range(3):
        with pytest.raises(SkoError) as e:
            client.authorize("000000")
        codes.append(e.value.code)
    assert codes == ["WRONG_PIN", "WRONG_PIN", "SKO_LOCKED"] and "PUK" in e.value.text("ru")
    with pytest.raises(SkoError) as e:
        client.change_pin("00000000", "4321")
    assert e.value.code == "WRONG_PUK" and "PUK" in e.value.text("ru")
    client.change_pin("12345678", "4321")
    client.authorize("4321")


def test_every_document_is_registered_with_the_skos_number_uid_and_time(rig):
    emu, client, clock = rig
    first = opened(client, clock)
    assert (first.number, first.uid) == (1, "")             # a numbered shift open without a uid (choices)
    s = sale(clock)
    reg = client.register(s, 2)
    assert reg.number == 2 and len(reg.uid) == 24 and reg.time.endswith("+03:00")
    assert reg.cheque.total == s.total_due == 540 and compare(s, reg.cheque) == ()
    cash_in = client.register(CashIn(op_id="c1", shift=1, cashier="Иванова", created=clock.iso(), amount=500), 3)
    calc = calculate([ItemInput("Хлеб", 120, 1000, "10", code="4810000000018")], payments=[Payment(PaymentType.CASH, 120)])
    refund = client.register(Refund(op_id="r1", shift=1, cashier="Иванова", created=clock.iso(),
                                    kind=RefundKind.BY_RECEIPT, original_number=2, **priced_fields(calc)), 4)
    ann = client.register(Annulment(op_id="a1", shift=1, cashier="Иванова", created=clock.iso(), target_number=4,
                                    target_uid=refund.uid, target_type=DocType.REFUND, total_due=120,
                                    payments=(Payment(PaymentType.CASH, 120),)), 5)
    out = client.register(CashOut(op_id="c2", shift=1, cashier="Иванова", created=clock.iso(), amount=100), 6)
    z = client.register(ShiftClose(op_id="z1", shift=1, cashier="Иванова", created=clock.iso()), 7)
    assert [r.number for r in (cash_in, refund, ann, out, z)] == [3, 4, 5, 6, 7] and len(z.uid) == 24
    assert client.status().cash_in_drawer == 540 + 500 - 120 + 120 - 100
    assert not client.status().shift_open and client.x_report().closed_at is not None


def test_a_lost_answer_is_resolved_by_the_counter_and_the_stored_document(rig):
    emu, client, clock = rig
    opened(client, clock)
    emu.drop_next_answer()
    s = sale(clock)
    reg = client.register(s, 2)
    assert reg.number == 2 and sko_count(emu) == 2 and reg.uid == emu.state.copy(2)["header"]["uid"]


def test_a_garbled_answer_is_resolved_the_same_way_never_taken_as_a_refusal(rig):
    emu, client, clock = rig
    opened(client, clock)
    emu.garble_next_answer()
    reg = client.register(CashIn(op_id="c1", shift=1, cashier="Иванова", created=clock.iso(), amount=700), 2)
    assert reg.number == 2 and reg.cheque.total == 700 and sko_count(emu) == 2


def test_lookup_proves_absence_finds_a_match_and_otherwise_cannot_tell(rig):
    emu, client, clock = rig
    opened(client, clock)
    s = sale(clock)
    assert client.lookup(s, 2) is None                       # the counter has not reached 2
    reg = client.register(s, 2)
    assert client.lookup(s, 2) == reg
    other = sale(clock, cash=2000)
    other = Sale(**{**other.__dict__, "total_due": 999})
    with pytest.raises(SkoError) as e:
        client.lookup(other, 2)
    assert e.value.code == "SKO_UNKNOWN" and "total" in e.value.detail


def test_a_counter_that_disagrees_with_the_journal_refuses_before_anything_is_sent(rig):
    emu, client, clock = rig
    opened(client, clock)
    with pytest.raises(SkoError) as e:
        client.register(sale(clock), 5)
    assert e.value.code == "BAD_NUMBER" and sko_count(emu) == 1


def test_an_injected_service_failure_is_an_unknown_outcome_not_a_refusal(rig):
    emu, client, clock = rig
    opened(client, clock)
    emu.fail_next(2023)
    with pytest.raises(SkoError) as e:
        client.register(sale(clock), 2)
    assert e.value.code == "SKO_UNKNOWN" and sko_count(emu) == 1


def test_offline_then_online_reconnects(rig):
    emu, client, clock = rig
    opened(client, clock)
    emu.set_offline(True)
    with pytest.raises(SkoError) as e:
        client.next_number()
    assert e.value.code == "SKO_OFFLINE"
    emu.set_offline(False)
    assert client.next_number() == 2


def test_a_second_connection_is_told_the_sko_is_in_use_and_the_first_goes_on(rig):
    emu, client, clock = rig
    opened(client, clock)
    diag = SkoClient(emu.address, timeout=2)
    with pytest.raises(SkoError) as e:
        diag.info()
    assert e.value.code == "SKO_IN_USE" and "занято" in e.value.text("ru")
    assert client.register(sale(clock), 2).number == 2 and emu.refused_connections == 1
    diag.close()


def test_the_service_restarting_loses_the_session_and_the_driver_authorises_again_once(tmp_path):
    clock = Clock()
    emu = SkoEmulator(tmp_path / "sko", clock=clock.now).start()
    client = SkoClient(emu.address, timeout=2)
    opened(client, clock)
    port = emu.port
    emu.stop()
    emu = SkoEmulator(tmp_path / "sko", port=port, clock=clock.now).start()
    try:
        assert client.register(sale(clock), 2).number == 2      # 2019 → authorize with the PIN → sent again
    finally:
        client.close()
        emu.stop()


def test_an_idle_link_stays_up_because_the_driver_pongs(tmp_path):
    emu = SkoEmulator(tmp_path / "sko", ping_interval=0.2, pong_deadline=0.5).start()
    client = SkoClient(emu.address, timeout=2)
    try:
        client.next_number()
        link = client._link
        time.sleep(1.5)
        client.next_number()
        assert client._link is link and link.pings >= 5
    finally:
        client.close()
        emu.stop()


def test_the_token_is_discovered_and_a_wrong_one_is_not_found(rig):
    emu, client, _ = rig
    assert client.token() == "AVQ11169990670"
    wrong = SkoClient(emu.address, timeout=2, token="AVQ00000000000")
    client.close()
    with pytest.raises(SkoError) as e:
        wrong.info()
    assert e.value.code == "SKO_NOT_FOUND"
    wrong.close()


def test_an_empty_z_and_cash_left_at_z_are_refused_with_their_own_codes(tmp_path):
    clock = Clock()
    emu = SkoEmulator(tmp_path / "sko", clock=clock.now, kind=SkoType(zero_drawer_before_z=True)).start()
    client = SkoClient(emu.address, timeout=2)
    try:
        opened(client, clock)
        with pytest.raises(SkoError) as e:
            client.register(ShiftClose(op_id="z", shift=1, cashier="И", created=clock.iso()), 2)
        assert e.value.code == "EMPTY_Z_REPORT" and e.value.sko_code == 1001
        client.register(sale(clock), 2)
        with pytest.raises(SkoError) as e:
            client.register(ShiftClose(op_id="z", shift=1, cashier="И", created=clock.iso()), 3)
        assert e.value.code == "DRAWER_NOT_EMPTY" and "Изъятие" in e.value.text("ru")
        client.register(CashOut(op_id="w", shift=1, cashier="И", created=clock.iso(), amount=540), 3)
        assert client.register(ShiftClose(op_id="z", shift=1, cashier="И", created=clock.iso()), 4).number == 4
    finally:
        client.close()
        emu.stop()


def test_an_sko_that_numbers_no_shift_documents_is_reported_not_journaled_wrongly(tmp_path):
    emu = SkoEmulator(tmp_path / "sko", kind=SkoType(numbered_shift_documents=False)).start()
    client = SkoClient(emu.address, timeout=2)
    try:
        client.authorize("123456")
        with pytest.raises(SkoError) as e:
            client.register(ShiftOpen(op_id="o", shift=1, cashier="И", created="2026-01-15T09:00:00+03:00"))
        assert e.value.code == "SKO_NUMBERING"
    finally:
        client.close()
        emu.stop()


def test_little_endian_lengths_work_when_both_sides_use_them(tmp_path):
    emu = SkoEmulator(tmp_path / "sko", byte_order="little").start()
    client = SkoClient(emu.address, timeout=2, byte_order="little")
    try:
        assert client.next_number() == 1 and client.info().serial == "AVQ11169990670"
    finally:
        client.close()
        emu.stop()


def test_the_other_published_readings(rig):
    emu, client, clock = rig
    reg = opened(client, clock)
    s = client.register(sale(clock), 2)
    assert client.printers() == [("Без печати (касса печатает сама)", "dummy")]
    assert client.service_version() and client.not_printed() == [] and client.active_sale() is None
    client.reprint(s.uid)
    assert client.document(2) == s and client.stored_documents() == 0 and reg.number == 1
    assert client.x_report().sales_sum == 540 and client.certificate() == ""
    client.logout()
    assert not client.status().authorized


# ---- against recorded answers written from the published examples ----------------------------------

def test_a_sale_against_the_published_answer(tmp_path):
    answers = {"nextChequeNumber": 42, "createSale": published("sale.json")}
    with ReplayService(answers) as svc:
        client = SkoClient(svc.address, timeout=2, token="AVQ11169990670")
        clock = Clock()
        reg = client.register(sale(clock, shift=3))
        client.close()
    assert (reg.number, reg.uid, reg.time) == (42, "461F60C220B2010407CF1091", "2026-01-15T09:00:05+03:00")
    assert reg.cheque.total == 1800                         # printed as the SKO computed it
    req = next(r for r in svc.requests if r["headers"]["action"] == "createSale")
    assert req["type"] == "send" and req["address"] == "ik.service.token.sales.retail"
    assert req["headers"] == {"action": "createSale", "token": "AVQ11169990670", "printerAddr": "dummy"}
    assert req["replyAddress"] and req["data"]["items"][0]["price"] == "1.20"
    assert svc.pongs and svc.pongs[0][1]["address"] == "ik.pong.1"       # the service pinged first


def test_status_against_the_published_readings():
    answers = {"getXReport": published("x_report.json"), "getStoredDocuments": 2,
               "getCashInToken": published("cash_in_token.json"), "getTokenBySerial": published("token.json"),
               "nextChequeNumber": 43, "getTokens": [published("token.json")]}
    with ReplayService(answers) as svc:
        client = SkoClient(svc.address, timeout=2)
        st = client.status()
        client.close()
    assert (st.shift_open, st.shift_number, st.next_number, st.unsent_count) == (True, 3, 43, 2)
    assert (st.cash_in_drawer, st.turnover, st.uplink_online) == (1250, 123450, False)
    assert all(r["headers"].get("token") == "AVQ11169990670" for r in svc.requests
               if r["headers"]["action"] != "getTokens")


@pytest.mark.parametrize("fixture, code", [("error_2013.json", "SHIFT_CLOSED"), ("error_vertx_2039.json", "NOT_ENOUGH_CASH")])
def test_an_error_answer_in_either_shape_carries_the_registers_code(fixture, code):
    err = published(fixture)["data"]
    with ReplayService({"nextChequeNumber": 1}, errors={"createSale": err}) as svc:
        client = SkoClient(svc.address, timeout=2, token="AVQ11169990670")
        with pytest.raises(SkoError) as e:
            client.register(sale(Clock()))
        client.close()
    assert e.value.code == code and e.value.variant.startswith("SKO.")


def test_a_request_the_service_never_answers_is_unknown_and_looked_up():
    with ReplayService({"nextChequeNumber": 42}) as svc:
        svc.silent.add("createSale")
        client = SkoClient(svc.address, timeout=0.5, token="AVQ11169990670")
        with pytest.raises(SkoError) as e:
            client.register(sale(Clock()))
        client.close()
    assert e.value.code == "SKO_UNKNOWN"        # the counter still at 42: proven absent, so not resent blindly
    assert [r["headers"]["action"] for r in svc.requests].count("createSale") == 1
