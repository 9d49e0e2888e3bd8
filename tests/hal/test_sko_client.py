"""SkoClient against the real emulator and against a scripted rogue server on loopback."""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fiscal.documents import Requisites, Sale, ShiftOpen, priced_fields
from fiscal.receipt import ItemInput, Payment, PaymentType, calculate
from hal.errors import SkoError
from hal.protocols.sko_frame import Message, MessageType, encode_message, read_message
from hal.sko import SkoClient, error_from_answer
from sim.sko import SkoEmulator

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=timezone(timedelta(hours=3)))


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def a_sale(op: str, minutes: int) -> Sale:
    calc = calculate([ItemInput("Хлеб", 120, 1000, "10")], payments=[Payment(PaymentType.CARD, 120, ref="1")])
    return Sale(op_id=op, shift=1, cashier="Иванова", created=at(minutes), **priced_fields(calc))


def other_key_pem() -> str:
    return ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.fixture
def emu(tmp_path):
    e = SkoEmulator(tmp_path).start()
    yield e
    e.stop()


class RogueServer:
    """Answers each received frame with whatever `reply(msg)` returns (raw bytes), on 127.0.0.1."""

    def __init__(self, reply: Callable[[Message], bytes | None]) -> None:
        self.reply = reply
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    msg = read_message(lambda n: conn.recv(n, socket.MSG_WAITALL))  # noqa: B023
                    out = self.reply(msg)
                    if out:
                        conn.sendall(out)
                except OSError:
                    pass

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def rogue():
    servers: list[RogueServer] = []

    def make(reply: Callable[[Message], bytes | None]) -> RogueServer:
        servers.append(RogueServer(reply))
        return servers[-1]
    yield make
    for s in servers:
        s.stop()


def test_info_gives_the_sko_requisites_and_public_key(emu):
    client = SkoClient(emu.address, timeout=2)
    info = client.info()
    assert (info.serial, info.unp, info.ksa_number) == ("AVQ11169990670", "191234566", "123456789")
    assert info.public_key_pem == emu.public_key_pem
    assert info.versions["protocol"] == "1"
    client.close()


def test_fill_from_the_sko_keeps_the_shop_fields(emu):
    client = SkoClient(emu.address, timeout=2)
    base = Requisites(org_name="old", unp="000000000", ksa_number="1", shop_name="Магазин №1", shop_address="Минск")
    req = client.requisites(base)
    assert (req.org_name, req.shop_name, req.shop_address, req.sko_serial) == (
        "ООО «Ромашка»", "Магазин №1", "Минск", "AVQ11169990670")
    client.close()


def test_ping_answers_with_a_round_trip_time(emu):
    client = SkoClient(emu.address, timeout=2)
    assert 0 <= client.ping() < 2
    client.close()


def test_registration_without_a_number_asks_the_status_first(emu):
    client = SkoClient(emu.address, emu.public_key_pem, timeout=2)
    client.authorize("123456")
    assert client.register(ShiftOpen(op_id="o1", shift=1, cashier="И", created=at(0))).number == 1
    reg = client.register(a_sale("s1", 1))
    assert (reg.number, reg.sko_serial, len(reg.uid)) == (2, "AVQ11169990670", 24)
    int(reg.uid, 16)
    client.close()


def test_a_registration_signed_by_another_key_is_refused(emu):
    client = SkoClient(emu.address, other_key_pem(), timeout=2)
    client.authorize("123456")
    with pytest.raises(SkoError) as e:
        client.register(ShiftOpen(op_id="o1", shift=1, cashier="И", created=at(0)))
    assert e.value.code == "SKO_BAD_SIGNATURE"
    with pytest.raises(SkoError) as e:
        client.document(1)
    assert e.value.code == "SKO_BAD_SIGNATURE"
    client.close()


def test_a_garbled_public_key_is_refused_at_set_up():
    with pytest.raises(SkoError) as e:
        SkoClient("127.0.0.1:1", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    assert e.value.code == "SKO_BAD_SIGNATURE"


def test_a_bad_address_is_refused():
    with pytest.raises(SkoError) as e:
        SkoClient("localhost")
    assert "host:port" in e.value.detail


def test_nothing_listening_is_sko_offline():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    client = SkoClient(f"127.0.0.1:{port}", timeout=0.5)
    with pytest.raises(SkoError) as e:
        client.status()
    assert e.value.code == "SKO_OFFLINE"
    assert e.value.device == "sko"


def test_a_server_that_never_answers_is_sko_offline_within_the_timeout(rogue):
    released = threading.Event()
    server = rogue(lambda msg: released.wait(2) and None)
    client = SkoClient(server.address, timeout=0.3)
    with pytest.raises(SkoError) as e:
        client.info()
    released.set()
    assert e.value.code == "SKO_OFFLINE"
    assert "0.3" in e.value.detail


def test_garbage_from_the_sko_is_one_clear_error(rogue):
    server = rogue(lambda msg: b"\x00\x00\x00\x03abc")
    client = SkoClient(server.address, timeout=1)
    with pytest.raises(SkoError) as e:
        client.info()
    assert e.value.code == "SKO_ERROR"
    assert "неверный ответ" in e.value.message


def test_an_answer_to_another_request_is_rejected(rogue):
    server = rogue(lambda msg: encode_message(Message(MessageType.RESPONSE, "", msg.action, "", "", msg.id + 1)))
    client = SkoClient(server.address, timeout=1)
    with pytest.raises(SkoError) as e:
        client.info()
    assert e.value.code == "SKO_ERROR"


def test_an_answer_with_missing_fields_is_rejected(rogue):
    server = rogue(lambda msg: encode_message(Message(MessageType.RESPONSE, "", msg.action, "", "", msg.id,
                                                      {"authorized": True})))
    client = SkoClient(server.address, timeout=1)
    with pytest.raises(SkoError) as e:
        client.status()
    assert e.value.code == "SKO_ERROR"


def test_a_registration_of_another_document_is_rejected(rogue):
    def reply(msg: Message) -> bytes:
        return encode_message(Message(MessageType.RESPONSE, "", msg.action, "", "", msg.id, {
            "number": 1, "uid": "0" * 24, "time": at(0), "signature": "00", "prev_signature": "",
            "doc_sha256": "f" * 64}))
    client = SkoClient(rogue(reply).address, timeout=1)
    with pytest.raises(SkoError) as e:
        client.register(a_sale("s1", 1), 1)
    assert e.value.code == "SKO_BAD_SIGNATURE"


@pytest.mark.parametrize("data, code", [
    ({"code": 32, "name": "WRONG_PIN"}, "WRONG_PIN"),
    ({"code": 57}, "TOTALS_MISMATCH"),
    ({"code": 43, "name": "SKO_UNSENT_LIMIT"}, "SKO_UNSENT_LIMIT"),
    ({"code": 43}, "UNSENT_DOCUMENTS"),
    ({"code": 22, "name": "NOTHING_TO_ANNUL"}, "NOTHING_TO_ANNUL"),
    ({"code": 61, "name": "WHATEVER"}, "SKO_ERROR"),
    ({"code": "x"}, "SKO_ERROR"),
    ({}, "SKO_ERROR"),
])
def test_sko_error_answers_map_to_stable_codes(data, code):
    err = error_from_answer(data)
    assert err.code == code
    assert err.detail


def test_the_client_reconnects_after_the_link_dropped(emu):
    client = SkoClient(emu.address, timeout=1)
    assert client.status().next_number == 1
    emu.set_offline(True)
    emu.set_offline(False)
    assert client.status().next_number == 1
    client.close()


def test_a_key_pinned_after_construction_rejects_answers_signed_by_another_sko(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from sim.sko import SkoEmulator
    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    with SkoEmulator(tmp_path / "sko") as emu:
        client = SkoClient(emu.address)
        client.authorize("123456")
        client.pin_key(other)
        with pytest.raises(SkoError) as e:
            client.register(ShiftOpen(op_id="op-1", shift=1, cashier="Иванова", created="2026-01-15T09:00:00+03:00"))
        assert e.value.code == "SKO_BAD_SIGNATURE"
        client.close()
