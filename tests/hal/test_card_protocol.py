"""ECR link framing: byte-exact frames, TLV round trips, stream resync and fuzzing of the parser."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hal.errors import ProtocolError
from hal.protocols import ecr
from hal.protocols.ecr import Message, MsgType, Op, Tag


def test_sale_request_frame_is_byte_exact():
    msg = ecr.message(MsgType.REQUEST, 1, op=Op.SALE, amount=1230)
    frame = ecr.encode(msg)
    body = b"Q\x01" + b"\x19\x00\x011" + b"\x00\x00\x041230"
    assert frame[:3] == b"\x02" + len(body).to_bytes(2, "big")
    assert frame[3:-2] == body and frame[-2] == 0x03
    lrc = 0
    for b in frame[1:-1]:
        lrc ^= b
    assert frame[-1] == lrc


def test_fields_round_trip_with_cyrillic_text():
    msg = ecr.message(MsgType.RESPONSE, 255, status=1, text="Одобрено", slip="ОПЛАТА\nRRN: 1")
    back = ecr.decode(ecr.encode(msg))
    assert back == msg
    assert back.get(Tag.TEXT) == "Одобрено" and back.get_int(Tag.STATUS) == 1


def test_bad_lrc_and_bad_type_are_protocol_errors():
    frame = bytearray(ecr.encode(ecr.message(MsgType.PROGRESS, 3, text="x")))
    frame[-1] ^= 1
    with pytest.raises(ProtocolError) as e:
        ecr.decode(bytes(frame))
    assert e.value.code == "ECR_BAD_LRC"
    bad = ecr.Frame.build({"payload": {"value": {"body": b"Z\x01"}}})
    with pytest.raises(ProtocolError) as e:
        ecr.decode(bad)
    assert e.value.code == "ECR_BAD_FRAME"


def test_non_integer_status_is_a_protocol_error():
    with pytest.raises(ProtocolError):
        Message(MsgType.RESPONSE, 1, ((Tag.STATUS, "ok"),)).get_int(Tag.STATUS)


def test_reader_resyncs_after_noise_and_reports_a_corrupted_frame():
    good = ecr.encode(ecr.message(MsgType.RESPONSE, 7, status=1))
    spoiled = good[:-1] + bytes([good[-1] ^ 0xFF])
    r = ecr.FrameReader()
    r.feed(b"\x00\x41\x02\x00" + b"\x06" + spoiled + good[:5])
    items = []
    while (i := r.next()) is not None:
        items.append(i)
    r.feed(good[5:])
    items.append(r.next())
    assert items[0] == ecr.ACK
    assert isinstance(items[1], ProtocolError)
    assert isinstance(items[2], Message) and items[2].seq == 7
    assert r.skipped >= 2


@settings(max_examples=300)
@given(st.binary(max_size=60))
def test_decode_gives_a_message_or_a_protocol_error(data):
    try:
        assert isinstance(ecr.decode(data), Message)
    except ProtocolError:
        pass


@settings(max_examples=300)
@given(st.binary(max_size=60))
def test_any_body_in_a_well_formed_frame_decodes_or_is_a_protocol_error(body):
    try:
        ecr.decode(ecr.Frame.build({"payload": {"value": {"body": body}}}))
    except ProtocolError:
        pass


@settings(max_examples=200)
@given(st.lists(st.binary(max_size=30), max_size=6))
def test_reader_never_raises_on_any_chunking_of_garbage(chunks):
    r = ecr.FrameReader()
    for c in chunks:
        r.feed(c)
        for _ in range(100):
            item = r.next()
            if item is None:
                break
            assert isinstance(item, (int, Message, ProtocolError))


@settings(max_examples=100)
@given(st.sampled_from(list(MsgType)), st.integers(0, 255),
       st.lists(st.tuples(st.sampled_from(list(Tag)), st.text(max_size=40)), max_size=6))
def test_encode_decode_round_trips(kind, seq, fields):
    msg = Message(kind, seq, tuple((int(t), v) for t, v in fields))
    assert ecr.decode(ecr.encode(msg)) == msg


def test_an_answer_matches_only_its_requests_seq_op_and_ecr_id():
    req = ecr.message(MsgType.REQUEST, 7, op=Op.CANCEL, amount=349, ecr_txn_id="C-1")
    good = ecr.message(MsgType.RESPONSE, 7, op=Op.CANCEL, status=1, ecr_txn_id="C-1")
    assert ecr.answers(req, good)
    for other in (ecr.message(MsgType.RESPONSE, 8, op=Op.CANCEL, status=1, ecr_txn_id="C-1"),   # other SEQ
                  ecr.message(MsgType.RESPONSE, 7, op=Op.SALE, status=1, ecr_txn_id="C-1"),     # other op
                  ecr.message(MsgType.RESPONSE, 7, op=Op.CANCEL, status=1, ecr_txn_id="S-1"),   # other id
                  ecr.message(MsgType.RESPONSE, 7, op=Op.CANCEL, status=1),                     # no id
                  ecr.message(MsgType.PROGRESS, 7, op=Op.CANCEL, ecr_txn_id="C-1")):             # not a response
        assert not ecr.answers(req, other)
    test = ecr.message(MsgType.REQUEST, 1, op=Op.TEST)
    assert ecr.answers(test, ecr.message(MsgType.RESPONSE, 1, op=Op.TEST, status=1))


messages = st.builds(lambda kind, seq, fields: Message(kind, seq, tuple((int(t), v) for t, v in fields)),
                     st.sampled_from(list(MsgType)), st.integers(0, 255),
                     st.lists(st.tuples(st.sampled_from(list(Tag)), st.text(max_size=20)), max_size=5))
noise = st.binary(max_size=12).map(lambda b: bytes(x for x in b if x not in (ecr.STX, ecr.ACK, ecr.NAK)))


@settings(max_examples=100)
@given(st.lists(st.tuples(noise, messages), min_size=1, max_size=5), st.integers(1, 9))
def test_frames_between_noise_are_all_recovered_whatever_the_chunking(parts, chunk):
    stream = b"".join(n + ecr.encode(m) for n, m in parts)
    r, got = ecr.FrameReader(), []
    for i in range(0, len(stream), chunk):
        r.feed(stream[i:i + chunk])
        while (item := r.next()) is not None:
            got.append(item)
    assert got == [m for _, m in parts]


@settings(max_examples=100)
@given(messages, st.integers(0, 200), st.integers(1, 255))
def test_a_flipped_byte_is_never_taken_for_the_original_message(msg, pos, flip):
    frame = bytearray(ecr.encode(msg))
    frame[pos % len(frame)] ^= flip
    r = ecr.FrameReader()
    r.feed(bytes(frame) + ecr.encode(ecr.message(MsgType.RESPONSE, 1, text="next")))
    items = []
    while (item := r.next()) is not None:
        items.append(item)
    assert msg not in items            # one flipped byte always breaks the LRC, LEN or ETX
    assert all(isinstance(i, (int, Message, ProtocolError)) for i in items)
