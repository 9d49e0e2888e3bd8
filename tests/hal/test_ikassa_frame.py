"""hal.protocols.ikassa: the int32-prefixed JSON frames and the envelope, against published examples, and fuzzed."""
import json
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hal.errors import ProtocolError
from hal.protocols.ikassa import (
    MAX_FRAME,
    NEEDS_PRINTER,
    NEEDS_TOKEN,
    PING_ADDRESS,
    SERVICE_OF,
    Action,
    Envelope,
    FrameCodec,
    MessageType,
    Service,
    request,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ikassa"


def published(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def framed(obj: dict, order: str = ">") -> bytes:
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return struct.pack(f"{order}i", len(body)) + body


def test_the_services_ping_decodes_with_its_reply_address():
    env = FrameCodec().decode(framed(published("ping.json")))
    assert (env.type, env.address, env.reply_address) == (MessageType.PING, PING_ADDRESS, "ik.pong.7f3a")


def test_the_tsrv_create_sale_example_decodes_action_token_and_data():
    env = FrameCodec().decode(framed(published("tsrv_create_sale_request.json")))
    assert env.address == Service.SALES.value
    assert env.action == "create_sale" and env.headers["token"] == "AVQ11169990670"
    assert env.data["sale"]["items"][0]["price"] == "7.00"


def test_little_endian_is_the_other_byte_order():
    obj = published("ping.json")
    assert FrameCodec("little").decode(framed(obj, "<")).type is MessageType.PING
    with pytest.raises(ProtocolError):
        FrameCodec("big").decode(framed(obj, "<"))


def test_a_request_carries_action_token_and_printer_only_where_ikapi_requires_them():
    sale = request(Action.CREATE_SALE, {"items": []}, token="AVQ1", printer="dummy", reply_address="r.1")
    assert sale.address == "ik.service.token.sales.retail"
    assert sale.headers == {"action": "createSale", "token": "AVQ1", "printerAddr": "dummy"}
    x = request(Action.X_REPORT, token="AVQ1", printer="dummy", reply_address="r.2")
    assert "printerAddr" not in x.headers and x.data is None
    assert Action.GET_TOKENS not in NEEDS_TOKEN and Action.CREATE_WITHDRAW in NEEDS_PRINTER


def test_every_action_has_one_of_the_published_service_addresses():
    assert {s.value for s in SERVICE_OF.values()} == {s.value for s in Service}
    assert set(SERVICE_OF) == set(Action)


def test_an_envelope_survives_the_wire_in_both_data_encodings():
    env = Envelope(MessageType.SEND, "ik.service.token", {"action": "copy", "token": "AVQ1"}, 42, "r.9")
    for data_as in ("object", "string"):
        codec = FrameCodec(data_as=data_as)
        assert codec.decode(codec.encode(env)) == env
    as_string = json.loads(FrameCodec(data_as="string").encode(env)[4:])
    assert as_string["data"] == "42" and as_string["replyAddress"] == "r.9"


@pytest.mark.parametrize("frame, why", [
    (b"\x00\x00", "shorter"),
    (b"\x00\x00\x00\x05{{{{{", "not JSON"),
    (b"\xff\xff\xff\xff{}", "outside"),
    (struct.pack(">i", MAX_FRAME + 1), "outside"),
    (framed({"type": "request", "address": "x"}), "unknown message type"),
    (framed({"type": "send", "address": "x", "headers": {"id": 7}}), "map of strings"),
    (framed({"type": "send", "address": 5}), "address"),
    (b"\x00\x00\x00\x02[]", "JSON object"),
    (b"\x00\x00\x00\x02\xff\xfe", "UTF-8"),
])
def test_a_bad_frame_is_one_protocol_error_naming_the_problem(frame, why):
    with pytest.raises(ProtocolError) as e:
        FrameCodec().decode(frame)
    assert why in e.value.detail and e.value.code == "BAD_FRAME"


def test_a_message_larger_than_the_limit_is_refused_before_sending():
    with pytest.raises(ProtocolError) as e:
        FrameCodec(max_frame=100).encode(Envelope(MessageType.SEND, "a", {}, "x" * 200))
    assert e.value.code == "FRAME_TOO_LARGE"


def test_unknown_byte_order_or_data_encoding_is_refused():
    with pytest.raises(ValueError, match="byte order"):
        FrameCodec("middle")
    with pytest.raises(ValueError, match="data"):
        FrameCodec(data_as="xml")


@given(st.binary(max_size=300))
def test_any_bytes_decode_to_an_envelope_or_a_protocol_error(data):
    for codec in (FrameCodec(), FrameCodec("little", "string")):
        try:
            env = codec.decode(data)
        except ProtocolError:
            continue
        assert isinstance(env, Envelope)


_json = st.recursive(st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=20),
                     lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                     max_leaves=12)


@given(st.sampled_from(list(MessageType)), st.text(max_size=30), st.dictionaries(st.text(max_size=10), st.text(max_size=10)),
       _json, st.none() | st.text(max_size=20), st.sampled_from(["big", "little"]))
def test_every_envelope_round_trips(mtype, address, headers, data, reply, order):
    env = Envelope(mtype, address, headers, data, reply)
    codec = FrameCodec(order)
    assert codec.decode(codec.encode(env)) == env


@given(st.binary(min_size=4, max_size=64))
def test_reading_a_stream_never_raises_anything_but_protocol_or_link_errors(data):
    buf = bytearray(data)

    def read_exact(n: int) -> bytes:
        if len(buf) < n:
            raise ConnectionError("short")
        out = bytes(buf[:n])
        del buf[:n]
        return out
    try:
        FrameCodec().read(read_exact)
    except (ProtocolError, ConnectionError):
        pass
