"""The SKO emulator as a server: restarts, the uplink queue and its limit, scripted faults, the ctl words."""
from __future__ import annotations

import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from fiscal.documents import CashIn, Sale, ShiftClose, ShiftOpen, document_digest, priced_fields
from fiscal.receipt import ItemInput, Payment, PaymentType, calculate
from hal.errors import SkoError
from hal.protocols.sko_frame import Message, MessageType, encode_message, read_message
from hal.sko import SkoClient, verify_registration
from sim.sko import SkoEmulator, apply_ctl

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=timezone(timedelta(hours=3)))
REPO = Path(__file__).resolve().parents[2]


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def sale(op: str, hours: float, shift: int = 1) -> Sale:
    calc = calculate([ItemInput("Хлеб", 120, 1000, "10")], payments=[Payment(PaymentType.CASH, 200)])
    return Sale(op_id=op, shift=shift, cashier="Иванова", created=at(hours), **priced_fields(calc))


def opened_client(emu: SkoEmulator, timeout: float = 3) -> SkoClient:
    client = SkoClient(emu.address, emu.public_key_pem, timeout=timeout)
    client.authorize("123456")
    client.register(ShiftOpen(op_id="open-1", shift=1, cashier="Иванова", created=at(0)))
    return client


@pytest.fixture
def emu(tmp_path):
    e = SkoEmulator(tmp_path / "sko").start()
    yield e
    e.stop()


def test_a_restarted_emulator_continues_numbering_and_the_signature_chain(tmp_path):
    docs, regs = [], []
    with SkoEmulator(tmp_path) as emu:
        key, port = emu.public_key_pem, emu.port
        client = opened_client(emu)
        docs.append(ShiftOpen(op_id="open-1", shift=1, cashier="Иванова", created=at(0)))
        regs.append(client.lookup("open-1"))
        docs.append(sale("s1", 1))
        regs.append(client.register(docs[-1]))
    with SkoEmulator(tmp_path, port=port) as emu:
        assert emu.public_key_pem == key
        assert client.register(docs[-1]) == regs[-1]          # same op id after restart: same registration
        docs.append(sale("s2", 2))
        regs.append(client.register(docs[-1]))              # re-authorises by itself after the restart
        client.close()
    assert [r.number for r in regs] == [1, 2, 3]
    prev = ""
    for doc, reg in zip(docs, regs):
        verify_registration(key, document_digest(doc), reg, prev)
        prev = reg.signature


def test_a_broken_chain_link_fails_verification(emu):
    client = opened_client(emu)
    first = client.lookup("open-1")
    doc = sale("s1", 1)
    reg = client.register(doc)
    verify_registration(emu.public_key_pem, document_digest(doc), reg, first.signature)
    with pytest.raises(SkoError) as e:
        verify_registration(emu.public_key_pem, document_digest(doc), reg, "")
    assert e.value.code == "SKO_BAD_SIGNATURE"
    client.close()


def test_an_answer_lost_after_commit_is_recovered_by_the_retry_without_a_second_document(emu):
    client = opened_client(emu)
    emu.drop_next_answer()
    reg = client.register(sale("s1", 1), 2)     # link dropped after commit; the client retries on a new link
    assert reg.number == 2
    assert client.status().next_number == 3
    client.close()


def test_emulator_killed_before_answering_then_restarted_gives_one_document_not_two(tmp_path):
    emu = SkoEmulator(tmp_path).start()
    port = emu.port
    client = opened_client(emu, timeout=1)
    doc = sale("s1", 1)
    emu.drop_next_answer(then_offline=True)   # commits, then goes dark before answering
    with pytest.raises(SkoError) as e:
        client.register(doc, 2)
    assert e.value.code == "SKO_OFFLINE"
    emu.stop()
    emu = SkoEmulator(tmp_path, port=port).start()
    try:
        again = client.register(doc, 2)
        assert again == client.lookup("s1")
        assert again.number == 2
        assert client.status().next_number == 3
        assert emu.skko_numbers() == [1, 2]
    finally:
        client.close()
        emu.stop()


def test_a_restarted_workstation_recovers_a_pending_document_by_op_id_without_doubling(emu):
    before = opened_client(emu, timeout=1)
    doc = sale("s1", 1)
    emu.drop_next_answer(then_offline=True)
    with pytest.raises(SkoError):
        before.register(doc, 2)
    before.close()                              # the workstation dies with the document still pending
    emu.set_offline(False)
    after = SkoClient(emu.address, emu.public_key_pem, timeout=1)
    found = after.lookup("s1")
    assert found is not None and found.number == 2
    after.authorize("123456")
    assert after.register(doc) == found
    assert after.status().next_number == 3
    after.close()


def test_offline_sko_is_reported_and_the_link_comes_back(emu):
    client = opened_client(emu, timeout=1)
    emu.set_offline(True)
    with pytest.raises(SkoError) as e:
        client.status()
    assert e.value.code == "SKO_OFFLINE"
    assert "связи" in e.value.message
    emu.set_offline(False)
    assert client.status().shift_open
    client.close()


def test_a_slow_answer_past_the_timeout_is_sko_offline_and_the_next_call_works(emu):
    client = opened_client(emu, timeout=0.3)
    emu.set_delay(0.6)
    with pytest.raises(SkoError) as e:
        client.status()
    assert e.value.code == "SKO_OFFLINE"
    emu.set_delay(0)
    assert client.status().next_number == 2
    client.close()


def test_error_n_on_the_next_request_is_reported_once(emu):
    client = opened_client(emu)
    emu.fail_next(44)
    with pytest.raises(SkoError) as e:
        client.register(sale("s1", 1))
    assert (e.value.code, e.value.sko_code) == ("SKO_ERROR", 44)
    assert "переполнение" in e.value.message
    assert client.register(sale("s1", 1)).number == 2
    client.close()


def test_documents_queue_while_the_uplink_is_down_and_drain_in_order(emu):
    client = opened_client(emu)
    assert emu.skko_numbers() == [1]
    emu.set_uplink(False)
    for i in range(3):
        client.register(sale(f"s{i}", 1 + i))
    st = client.status()
    assert (st.unsent_count, st.oldest_unsent_at, st.uplink_online) == (3, at(1), False)
    emu.set_uplink(True)
    assert emu.unsent_count() == 0
    assert emu.skko_numbers() == [1, 2, 3, 4]
    client.close()


def test_the_unsent_age_limit_refuses_new_documents_until_the_queue_drains(tmp_path):
    with SkoEmulator(tmp_path, unsent_limit_hours=10) as emu:
        client = opened_client(emu)
        emu.set_uplink(False)
        client.register(sale("s1", 1))
        client.register(sale("s2", 10.9))
        with pytest.raises(SkoError) as e:
            client.register(sale("s3", 11))
        assert (e.value.code, e.value.sko_code) == ("SKO_UNSENT_LIMIT", 43)
        assert "СККО" in e.value.message
        emu.set_uplink(True)
        assert client.register(sale("s3", 11)).number == 4
        assert emu.skko_numbers() == [1, 2, 3, 4]
        client.close()


def test_the_unsent_count_limit_refuses_new_documents(tmp_path):
    with SkoEmulator(tmp_path, unsent_limit_count=2) as emu:
        client = opened_client(emu)
        emu.set_uplink(False)
        client.register(sale("s1", 1))
        client.register(CashIn(op_id="c1", shift=1, cashier="И", created=at(2), amount=100))
        with pytest.raises(SkoError) as e:
            client.register(ShiftClose(op_id="z1", shift=1, cashier="И", created=at(3)))
        assert e.value.code == "SKO_UNSENT_LIMIT"
        assert client.register(sale("s1", 1)).number == 2      # a repeat is still answered
        emu.set_uplink(True)
        client.register(ShiftClose(op_id="z1", shift=1, cashier="И", created=at(3)))
        client.close()


def test_the_queue_survives_a_restart_and_drains_afterwards(tmp_path):
    with SkoEmulator(tmp_path) as emu:
        client = opened_client(emu)
        emu.set_uplink(False)
        client.register(sale("s1", 1))
        client.register(sale("s2", 2))
        port = emu.port
    client.close()
    with SkoEmulator(tmp_path, port=port) as emu:       # the uplink is up again after the restart
        assert emu.unsent_count() == 2
        client.status()
        assert emu.unsent_count() == 0
        assert emu.skko_numbers() == [1, 2, 3]
    client.close()


def test_requisites_set_on_the_emulator_fill_the_workstation_requisites(emu):
    emu.set_requisites("ИП Петров", "200988541", "987654321")
    client = SkoClient(emu.address, timeout=2)
    req = client.requisites()
    assert (req.org_name, req.unp, req.ksa_number, req.sko_serial) == ("ИП Петров", "200988541", "987654321",
                                                                      "AVQ11169990670")
    client.close()


def test_a_garbage_frame_gets_an_error_answer_and_the_link_is_closed(emu):
    host, port = emu.address.split(":")
    with socket.create_connection((host, int(port)), timeout=2) as s:
        s.sendall(b"\x00\x00\x00\x05hello")
        answer = read_message(lambda n: _recv(s, n))
        assert answer.type is MessageType.ERROR
        assert answer.data["code"] == 29
        assert s.recv(1) == b""


def test_a_request_for_another_serial_is_refused(emu):
    host, port = emu.address.split(":")
    with socket.create_connection((host, int(port)), timeout=2) as s:
        s.sendall(encode_message(Message(MessageType.REQUEST, "sko.token", "info", "", "AVQ00000000000", 1)))
        answer = read_message(lambda n: _recv(s, n))
    assert (answer.type, answer.data["code"]) == (MessageType.ERROR, 29)


def _recv(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def test_ctl_words_drive_the_faults(emu):
    client = opened_client(emu, timeout=1)
    assert apply_ctl(emu, ["uplink_offline"]) == "sko: uplink_offline ok"
    client.register(sale("s1", 1))
    assert apply_ctl(emu, ["status"]) == "sko: 1 unsent"
    apply_ctl(emu, ["uplink_online"])
    assert emu.unsent_count() == 0
    apply_ctl(emu, ["error", "51"])
    with pytest.raises(SkoError) as e:
        client.status()
    assert e.value.code == "SHIFT_CLOSED"
    apply_ctl(emu, ["offline"])
    with pytest.raises(SkoError):
        client.status()
    apply_ctl(emu, ["online"])
    assert client.status().shift_open
    with pytest.raises(ValueError):
        apply_ctl(emu, ["explode"])
    client.close()


def test_the_emulator_runs_as_its_own_process(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "sim.sko", "--dir", str(tmp_path)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().split()
        assert line[0] == "sko"
        client = SkoClient(line[1], timeout=3)
        assert client.ping() < 3
        assert client.info().serial == "AVQ11169990670"
        client.close()
    finally:
        proc.terminate()
        code = proc.wait(timeout=5)
    assert code == 0
    assert (tmp_path / "sko.sqlite").exists()
