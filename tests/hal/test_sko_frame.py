"""The SKO frame: construct declaration, encode/decode round trip, and fuzzing of the parser."""
from __future__ import annotations

import io
import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hal.errors import ProtocolError
from hal.protocols.sko_frame import (
    FRAME,
    MAX_FRAME,
    Message,
    MessageType,
    code_message,
    code_name,
    decode_body,
    decode_frame,
    encode_message,
    read_message,
)


def frame_of(obj: object) -> bytes:
    body = json.dumps(obj).encode()
    return struct.pack(">I", len(body)) + body


def test_a_message_survives_encode_and_decode():
    msg = Message(MessageType.REQUEST, "sko.token.documents", "register", "op-1", "AVQ11169990670", 7,
                  {"number": 3, "document": {"cashier": "Иванова"}})
    frame = encode_message(msg)
    assert frame[:4] == struct.pack(">I", len(frame) - 4)
    assert FRAME.parse(frame) == frame[4:]
    assert decode_frame(frame) == msg


def test_ping_and_pong_need_no_action():
    assert decode_frame(frame_of({"type": "ping"})).type is MessageType.PING
    assert decode_frame(frame_of({"type": "pong", "headers": {"id": 3}})).id == 3


@pytest.mark.parametrize("frame, fragment", [
    (b"\x00\x00", "shorter"),
    (struct.pack(">I", MAX_FRAME + 1), "maximum"),
    (struct.pack(">I", 10) + b"{}", "declared length"),
    (struct.pack(">I", 2) + b"\xff\xfe", "UTF-8"),
    (struct.pack(">I", 3) + b"{x}", "not JSON"),
    (frame_of([1, 2]), "JSON object"),
    (frame_of({"type": "shout"}), "unknown message type"),
    (frame_of({"type": "request", "headers": {"action": "format_disk"}}), "unknown action"),
    (frame_of({"type": "request", "headers": {"action": "info", "op_id": 5}}), "op_id"),
    (frame_of({"type": "request", "headers": {"action": "info", "id": "1"}}), "'id'"),
    (frame_of({"type": "request", "headers": []}), "headers"),
    (frame_of({"type": "response", "headers": {"action": "info"}, "data": [1]}), "data"),
])
def test_a_bad_frame_is_one_protocol_error_naming_the_problem(frame, fragment):
    with pytest.raises(ProtocolError) as e:
        decode_frame(frame)
    assert fragment in e.value.detail
    assert e.value.code == "BAD_FRAME"


def test_a_message_larger_than_the_maximum_is_not_sent():
    with pytest.raises(ProtocolError) as e:
        encode_message(Message(MessageType.RESPONSE, data={"x": "a" * MAX_FRAME}))
    assert e.value.code == "FRAME_TOO_LARGE"


def test_read_message_refuses_an_oversized_length_before_reading_the_body():
    reads: list[int] = []
    stream = io.BytesIO(struct.pack(">I", MAX_FRAME + 1))

    def read(n: int) -> bytes:
        reads.append(n)
        return stream.read(n)
    with pytest.raises(ProtocolError):
        read_message(read)
    assert reads == [4]


def test_numeric_sko_codes_map_to_stable_codes_and_russian_messages():
    assert code_name(56) == "BAD_NUMBER"
    assert code_name(58) == "TOTALS_MISMATCH"
    assert code_name(17) == "SKO_ERROR"
    assert "24 часов" in code_message(42)
    assert "105" in code_message(105)
    assert "999" in code_message(999)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_yield_a_message_or_a_protocol_error(data):
    try:
        assert isinstance(decode_frame(data), Message)
    except ProtocolError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                    max_leaves=20))
def test_any_json_value_in_a_frame_yields_a_message_or_a_protocol_error(value):
    for obj in (value, {"type": "request", "headers": value, "data": value},
                {"type": "response", "headers": {"action": "status", "id": value}, "data": {}}):
        try:
            assert isinstance(decode_frame(frame_of(obj)), Message)
        except ProtocolError:
            pass


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30), st.integers(min_value=0, max_value=2**40),
       st.dictionaries(st.text(max_size=10), st.integers() | st.text(max_size=10), max_size=5))
def test_every_encoded_message_decodes_to_itself(op_id, serial, mid, data):
    msg = Message(MessageType.RESPONSE, "sko.token", "status", op_id, serial, mid, data)
    assert decode_body(encode_message(msg)[4:]) == msg
