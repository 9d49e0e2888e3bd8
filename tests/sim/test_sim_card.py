"""The simulated card terminal at the frame level: ACKs, progress, journal, NAK handling, modes."""
import time

import pytest

from hal.protocols import ecr
from hal.protocols.ecr import Message, MsgType, Op, Tag
from hal.transport import open_transport
from sim.card import SimTerminal


def exchange(port, frame, want_responses=1, timeout=1.0):
    port.write(frame)
    reader, items, deadline = ecr.FrameReader(), [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        reader.feed(port.read(1, 0.05) + port.read(4096, 0))
        while (i := reader.next()) is not None:
            items.append(i)
        if sum(isinstance(i, Message) and i.type is MsgType.RESPONSE for i in items) >= want_responses:
            break
    return items


@pytest.fixture
def rig():
    sim = SimTerminal("bank").start()
    port = open_transport(sim.address, 115200)
    yield sim, port
    port.close()
    sim.stop()


def test_request_is_acked_then_progress_then_response(rig):
    sim, port = rig
    items = exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 5, op=Op.SALE, amount=1230, ecr_txn_id="A")))
    assert items[0] == ecr.ACK
    kinds = [i.type for i in items[1:]]
    assert kinds == [MsgType.PROGRESS, MsgType.PROGRESS, MsgType.RESPONSE]
    assert items[-1].seq == 5 and items[-1].get(Tag.STATUS) == "1"
    assert "Сумма: 12.30 BYN" in items[-1].get(Tag.SLIP).split("\n")
    assert sim.journal["A"] == items[-1].fields


def test_corrupted_request_is_naked(rig):
    _, port = rig
    frame = bytearray(ecr.encode(ecr.message(MsgType.REQUEST, 1, op=Op.TEST)))
    frame[-1] ^= 0x55
    port.write(bytes(frame))
    assert port.read(1, 1.0) == bytes([ecr.NAK])


def test_nak_from_the_ecr_makes_the_terminal_resend(rig):
    _, port = rig
    items = exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 9, op=Op.TEST)))
    response = ecr.encode(items[-1])
    port.write(bytes([ecr.NAK]))
    assert port.read(len(response), 1.0) == response


def test_unknown_mode_is_refused_and_garbage_has_no_frame_bytes(rig):
    sim, port = rig
    with pytest.raises(ValueError):
        sim.set_mode("explode")
    sim.set_mode("garbage")
    port.write(ecr.encode(ecr.message(MsgType.REQUEST, 2, op=Op.TEST)))
    data = port.read(64, 0.3)
    assert data and not set(data) & {ecr.STX, ecr.ACK, ecr.NAK}


def test_unknown_operation_gets_status_0(rig):
    _, port = rig
    items = exchange(port, ecr.encode(Message(MsgType.REQUEST, 3, ((Tag.OP, "99"),))))
    assert items[-1].get(Tag.STATUS) == "0"


def test_two_terminals_have_different_ids_and_rrn_ranges():
    a, b = SimTerminal("a"), SimTerminal("b")
    try:
        assert a.terminal_id != b.terminal_id and a._rrn_base != b._rrn_base
    finally:
        a.stop()
        b.stop()
