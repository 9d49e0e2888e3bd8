"""The simulated card terminal at the frame level: ACKs, progress, journal, NAK handling, modes."""
import socket
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


def _response(items):
    return [i for i in items if isinstance(i, Message) and i.type is MsgType.RESPONSE][-1]


def test_every_answer_echoes_the_requests_op_and_ecr_id(rig):
    _, port = rig
    for seq, op, txn in ((10, Op.SALE, "E-1"), (11, Op.TEST, None), (12, Op.STATUS, "E-1"), (13, Op.SETTLEMENT, None),
                         (14, Op.REPRINT, None)):
        req = ecr.message(MsgType.REQUEST, seq, op=op, amount=100 if op == Op.SALE else None, ecr_txn_id=txn)
        resp = _response(exchange(port, ecr.encode(req)))
        assert ecr.answers(req, resp), (op, resp)


def test_status_answers_op_70_with_the_stored_result_or_not_found(rig):
    sim, port = rig
    exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 1, op=Op.SALE, amount=700, ecr_txn_id="S")))
    found = _response(exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 2, op=Op.STATUS, ecr_txn_id="S"))))
    assert (found.get(Tag.OP), found.get(Tag.STATUS), found.get(Tag.AMOUNT)) == ("70", "1", "700")
    assert found.get(Tag.RRN) == dict(sim.journal["S"])[Tag.RRN]
    missing = _response(exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 3, op=Op.STATUS, ecr_txn_id="Z"))))
    assert (missing.get(Tag.OP), missing.get(Tag.STATUS), missing.get(Tag.ECR_TXN_ID)) == ("70", "100", "Z")


def test_a_repeated_request_with_a_known_ecr_id_gets_the_stored_result_not_a_second_charge(rig):
    sim, port = rig
    first = _response(exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 1, op=Op.SALE, amount=300,
                                                            ecr_txn_id="TWICE"))))
    again = _response(exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 2, op=Op.SALE, amount=300,
                                                            ecr_txn_id="TWICE"))))
    assert again.fields == first.fields and sim._batch.sales == [300]
    other = _response(exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 3, op=Op.REFUND, amount=300,
                                                            rrn=first.get(Tag.RRN), ecr_txn_id="TWICE"))))
    assert other.get(Tag.STATUS) == "16" and sim._batch.refunds == []


def test_lose_answer_then_dead_approves_and_then_answers_nothing_until_approve(rig):
    sim, port = rig
    sim.set_mode("lose_answer_then_dead")
    items = exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 4, op=Op.SALE, amount=349, ecr_txn_id="L")),
                     timeout=0.3)
    assert items[0] == ecr.ACK and not any(isinstance(i, Message) and i.type is MsgType.RESPONSE for i in items)
    assert sim.journal["L"] and sim.net == 349 and sim.mode == "no_answer"
    port.write(ecr.encode(ecr.message(MsgType.REQUEST, 5, op=Op.STATUS, ecr_txn_id="L")))
    assert port.read(64, 0.3) == b""          # not even an ACK
    sim.set_mode("approve")
    found = _response(exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 6, op=Op.STATUS, ecr_txn_id="L"))))
    assert found.get(Tag.STATUS) == "1"


def test_the_net_is_sales_minus_refunds_minus_cancels_and_settlement_starts_a_new_batch(rig):
    sim, port = rig
    rrns = []
    for seq, amount in ((1, 1000), (2, 500)):
        resp = _response(exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, seq, op=Op.SALE, amount=amount,
                                                               ecr_txn_id=f"N{seq}"))))
        rrns.append(resp.get(Tag.RRN))
    exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 3, op=Op.REFUND, amount=200, rrn=rrns[0], ecr_txn_id="N3")))
    exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 4, op=Op.CANCEL, amount=500, rrn=rrns[1], ecr_txn_id="N4")))
    assert (sim._batch.sales, sim._batch.refunds, sim._batch.cancels, sim.net) == ([1000, 500], [200], [500], 800)
    done = _response(exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 5, op=Op.SETTLEMENT))))
    assert done.get(Tag.AMOUNT) == "800" and sim.net == 0


def test_the_last_answer_is_replayed_on_demand_even_when_it_was_lost(rig):
    sim, port = rig
    sim.set_mode("lose_answer")
    exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 9, op=Op.SALE, amount=100, ecr_txn_id="R")), timeout=0.2)
    assert sim.replay_last()
    replay = _response(exchange(port, b""))
    assert replay.seq == 9 and replay.get(Tag.ECR_TXN_ID) == "R" and replay.get(Tag.STATUS) == "1"


def test_leaving_timeout_mode_ends_the_waiting_operation_as_aborted(rig):
    sim, port = rig
    sim.set_mode("timeout")
    exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 1, op=Op.SALE, amount=100, ecr_txn_id="W")), timeout=0.2)
    assert "W" not in sim.journal
    sim.set_mode("approve")
    assert dict(sim.journal["W"])[Tag.STATUS] == "53" and sim.net == 0


def test_a_tcp_reconnect_gets_the_last_answer_replayed():
    sim = SimTerminal("tcp", tcp=True).start()
    try:
        first = open_transport(f"socket://{sim.tcp_address}")
        sale = _response(exchange(first, ecr.encode(ecr.message(MsgType.REQUEST, 3, op=Op.SALE, amount=100,
                                                                ecr_txn_id="T")), timeout=5.0))
        first.close()
        time.sleep(0.1)
        # a raw socket: pyserial's socket:// empties its input on open, which would race the replay away
        host, port = sim.tcp_address.split(":")
        with socket.create_connection((host, int(port)), timeout=5.0) as second:
            reader, items, deadline = ecr.FrameReader(), [], time.monotonic() + 5.0
            while time.monotonic() < deadline and not any(isinstance(i, Message) and i.type is MsgType.RESPONSE for i in items):
                reader.feed(second.recv(4096))
                while (i := reader.next()) is not None:
                    items.append(i)
        assert _response(items) == sale
    finally:
        sim.stop()


def test_status_of_an_operation_still_waiting_for_the_card_is_0_not_not_found(rig):
    sim, port = rig
    sim.set_mode("timeout")
    exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 1, op=Op.SALE, amount=100, ecr_txn_id="P")), timeout=0.2)
    st = _response(exchange(port, ecr.encode(ecr.message(MsgType.REQUEST, 2, op=Op.STATUS, ecr_txn_id="P"))))
    assert (st.get(Tag.OP), st.get(Tag.STATUS), st.get(Tag.ECR_TXN_ID)) == ("70", "0", "P")
