"""sim.sko: the emulator on the wire as IKAPI describes the service, driven by a bare socket client (not our driver)."""
import json
import socket
import struct
import time

import pytest

from sim.sko import SkoEmulator
from sim.sko_ctl import apply_ctl
from sim.sko_rules import SkoType

TOKEN = "AVQ11169990670"


class Raw:
    """A bare client: frames by hand, pongs only when told to."""

    def __init__(self, address: str) -> None:
        host, port = address.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=3)
        self.n = 0

    def send(self, obj: dict) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.sock.sendall(struct.pack(">i", len(body)) + body)

    def read(self) -> dict:
        size = struct.unpack(">i", self._exact(4))[0]
        return json.loads(self._exact(size))

    def _exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        return buf

    def call(self, address: str, action: str, data=None, headers=None) -> dict:
        """Send, answer pings while waiting, return the message addressed to our replyAddress."""
        self.n += 1
        reply = f"raw.{self.n}"
        msg = {"type": "send", "address": address, "replyAddress": reply,
               "headers": {"action": action, "token": TOKEN, "printerAddr": "dummy", **(headers or {})}}
        if data is not None:
            msg["data"] = data
        self.send(msg)
        while True:
            m = self.read()
            if m["type"] == "ping":
                self.send({"type": "pong", "address": m["replyAddress"], "headers": {}})
            elif m.get("address") == reply:
                return m

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def emu(tmp_path):
    e = SkoEmulator(tmp_path / "sko").start()
    yield e
    e.stop()


def authorized(emu) -> Raw:
    c = Raw(emu.address)
    assert c.call("ik.service.token.authority", "authorize", {"pin": "123456"})["data"] == {"result": "Ok"}
    return c


def test_the_service_pings_first_to_the_default_ping_address(emu):
    c = Raw(emu.address)
    m = c.read()
    assert m["type"] == "ping" and m["address"] == "topics.default.ping" and m["replyAddress"]
    c.close()


def test_a_client_that_does_not_pong_within_two_seconds_is_dropped(tmp_path):
    e = SkoEmulator(tmp_path / "sko", ping_interval=0.2, pong_deadline=0.6).start()
    try:
        c = Raw(e.address)
        c.read()                                            # the ping, left unanswered
        t0 = time.monotonic()
        with pytest.raises(ConnectionError):
            while time.monotonic() - t0 < 3:
                c.read()
        assert time.monotonic() - t0 < 2.0
    finally:
        e.stop()


def test_one_connection_at_a_time_the_second_gets_error_40(emu):
    first = authorized(emu)
    second = Raw(emu.address)
    m = second.read()
    assert m["type"] == "error" and m["address"] == "topics.default.error" and m["data"]["code"] == 40
    with pytest.raises(ConnectionError):
        second.read()
    assert first.call("ik.service.token", "nextChequeNumber")["data"] == 1
    first.close()
    time.sleep(0.1)
    third = Raw(emu.address)
    assert third.call("ik.service.token", "nextChequeNumber")["data"] == 1
    third.close()


def test_a_second_authorize_is_47_and_errors_go_to_the_reply_address_with_the_published_code(emu):
    c = authorized(emu)
    m = c.call("ik.service.token.authority", "authorize", {"pin": "123456"})
    assert m["type"] == "error" and m["data"]["code"] == 47 and m["data"]["name"] == "AVQFR_SESSION_ALREADY_AUTHORIZED"
    assert m["data"]["statusCode"] == 400
    c.close()


def test_the_token_and_printer_headers_are_required_where_ikapi_says(emu):
    c = authorized(emu)
    assert c.call("ik.service.token", "getTokenBySerial", headers={"token": "AVQ0"})["data"]["code"] == 2010
    assert c.call("ik.service.token.shift", "closeShift", headers={"printerAddr": "lp0"})["data"]["code"] == 2030
    assert c.call("ik.service.token", "getTokens", headers={"token": ""})["data"][0]["serial"] == TOKEN
    c.close()


def _sale(items, **extra):
    return {"cashier": "Иванова", "cheque_discount": "0.00", "cash": "100.00", "cashless": "0.00", "other": "0.00",
            "items": items, **extra}


BREAD = {"code": 4810000000018, "codeType": 1, "name": "Хлеб", "price": "1.20", "quantity": "2.000", "discount": "0.10"}


def test_the_sale_is_computed_from_its_inputs_and_answered_in_the_published_shape(emu):
    c = authorized(emu)
    c.call("ik.service.token.shift", "openShift")
    a = c.call("ik.service.token.sales.retail", "createSale",
               _sale([BREAD, {"code": 7, "codeType": 0, "name": "Пакет", "price": "0.25", "quantity": "1.000",
                              "markup": "0.05", "tax": 20}], cheque_discount="0.20", cash="5.00"))["data"]
    assert a["header"]["documentNumber"] == 2 and a["header"]["shiftNumber"] == 1 and len(a["header"]["uid"]) == 24
    assert [(i["totalPrice"], i["discount"], i["resultPrice"]) for i in a["items"]] == [
        ("2.40", "0.10", "2.30"), ("0.25", "-0.05", "0.30")]
    assert a["subTotals"] == {"sum": "2.65", "positionsDiscount": "0.05", "chequeDiscount": "0.20"}
    assert a["totals"] == {"discount": "0.25", "sum": "2.40", "cash": "5.00", "cashless": "0.00", "other": "0.00",
                           "change": "2.60"}
    assert a["isClosed"] is True and a["wasRollbacked"] is False
    c.close()


@pytest.mark.parametrize("change, code", [
    ({"cashier": ""}, 1005),
    ({"cashier": "К" * 17}, 2048),
    ({"items": []}, 2017),
    ({"items": [{**BREAD, "code": 4810000000019}]}, 2033),
    ({"items": [{**BREAD, "name": "Х" * 129}]}, 2048),
    ({"items": [{**BREAD, "quantity": "0.000"}]}, 2028),
    ({"items": [{**BREAD, "price": "1,20"}]}, 1105),
    ({"items": [{**BREAD, "discount": "3.00"}]}, 2014),
    ({"items": [{**BREAD, "markings": [{"si": "4810000000018"}]}]}, 2011),
    ({"items": [{**BREAD, "markings": [{"si": "x", "ukz": "y"}]}]}, 2011),
    ({"cash": "1.00"}, 2018),
    ({"cash": "0.00", "cashless": "9.00"}, 2049),
    ({"header": {"cashier": "Иванова", "currency": "USD"}, "cashier": None}, 2022),
])
def test_a_bad_sale_is_refused_with_the_published_code(emu, change, code):
    c = authorized(emu)
    c.call("ik.service.token.shift", "openShift")
    data = {k: v for k, v in {**_sale([BREAD]), **change}.items() if v is not None}
    m = c.call("ik.service.token.sales.retail", "createSale", data)
    assert m["type"] == "error" and m["data"]["code"] == code, m["data"]
    assert c.call("ik.service.token", "nextChequeNumber")["data"] == 2            # nothing registered
    c.close()


def test_well_formed_markings_are_accepted(emu):
    c = authorized(emu)
    c.call("ik.service.token.shift", "openShift")
    item = {**BREAD, "quantity": "1.000", "markings": [{"si": "0104810000000018" + "21SERIAL"}, {"ukz": "2321987121CAC"}]}
    assert c.call("ik.service.token.sales.retail", "createSale", _sale([item]))["type"] == "send"
    c.close()


def test_too_many_items_is_2036(tmp_path):
    e = SkoEmulator(tmp_path / "sko", kind=SkoType(max_items=2)).start()
    try:
        c = authorized(e)
        c.call("ik.service.token.shift", "openShift")
        assert c.call("ik.service.token.sales.retail", "createSale", _sale([BREAD] * 3))["data"]["code"] == 2036
    finally:
        e.stop()


def test_fault_words_of_the_control_channel(emu):
    assert apply_ctl(emu, ["error", "2039"]) == "sko: error 2039 ok"
    assert apply_ctl(emu, ["garble"]) == "sko: garble ok"
    assert apply_ctl(emu, ["status"]) == "sko: 0 unsent"
    with pytest.raises(ValueError, match="unknown command"):
        apply_ctl(emu, ["explode"])
    with pytest.raises(ValueError, match="not an iKassa action"):
        apply_ctl(emu, ["error", "48", "createSomething"])
    c = authorized(emu)
    m = c.call("ik.service.token.shift", "openShift")
    assert m["data"]["code"] == 2039                      # the injected fault, on the next fiscal request
    c.close()


def test_garble_registers_then_sends_a_broken_frame(emu):
    c = authorized(emu)
    emu.garble_next_answer()
    c.n += 1
    c.send({"type": "send", "address": "ik.service.token.shift", "replyAddress": "g",
            "headers": {"action": "openShift", "token": TOKEN}})
    while True:
        size = struct.unpack(">i", c._exact(4))[0]
        body = c._exact(size)
        if b'"ping"' not in body:
            break
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert emu.state.get("shift_open") == "1"
    c.close()


def test_offline_refuses_connections_and_online_listens_again(emu):
    emu.set_offline(True)
    host, port = emu.address.split(":")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, int(port)), timeout=1)
    emu.set_offline(False)
    Raw(emu.address).close()
