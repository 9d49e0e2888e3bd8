"""The card-terminal driver against simulated terminals over real ptys and loopback TCP, and byte-exact on a bare pty."""
import os
import select
import threading
import time
import tty

import pytest

from hal.card import EcrTerminal, open_terminal
from hal.errors import CardTerminalError
from hal.interfaces import CardOutcome
from hal.protocols import ecr
from hal.protocols.ecr import MsgType, Op, Tag
from hal.transport import open_transport
from sim.card import SimTerminal

FAST = dict(ack_timeout=0.15, op_timeout=0.4, test_timeout=0.4)


@pytest.fixture
def rig():
    sim = SimTerminal("belarusbank").start()
    term = open_terminal(sim.address, "belarusbank", **FAST)
    yield sim, term
    term.close()
    sim.stop()


def test_approved_sale_returns_rrn_auth_code_and_russian_slip(rig):
    sim, term = rig
    seen = []
    r = term.sale(1230, "R1-1", seen.append)
    assert r.approved and r.status == 1 and r.amount == 1230 and r.ecr_txn_id == "R1-1"
    assert len(r.rrn) == 12 and r.rrn.isdigit() and len(r.auth_code) == 6
    assert r.pan_masked == "**** 1234" and r.terminal_id == sim.terminal_id
    for line in ("ОПЛАТА", "Сумма: 12.30 BYN", "Карта: **** 1234", f"RRN: {r.rrn}", "ОДОБРЕНО"):
        assert line in r.slip
    assert any(line.startswith("Код авторизации") for line in r.slip)
    assert seen == ["Вставьте карту", "Связь с банком"]


def test_rrns_are_unique(rig):
    _, term = rig
    rrns = {term.sale(100 + i, f"U{i}").rrn for i in range(20)}
    assert len(rrns) == 20


def test_decline_is_a_result_not_an_exception(rig):
    sim, term = rig
    sim.set_mode("decline")
    r = term.sale(500, "D1")
    assert (r.approved, r.status) == (False, 16)
    assert "Отказ" in r.message and "ОТКАЗАНО" in r.slip


def test_refund_needs_the_rrn_of_an_approved_sale(rig):
    _, term = rig
    sale = term.sale(2000, "S1")
    assert term.refund(500, "000000000000", "F0").status == 16
    ok = term.refund(500, sale.rrn, "F1")
    assert ok.approved and "ВОЗВРАТ" in ok.slip
    assert term.refund(1600, sale.rrn, "F2").status == 16    # only 15.00 left


def test_cancel_voids_a_sale_once(rig):
    _, term = rig
    sale = term.sale(700, "C0")
    assert term.cancel(700, sale.rrn, "C1").approved
    assert not term.cancel(700, sale.rrn, "C2").approved


def test_settlement_returns_batch_totals_and_starts_a_new_batch(rig):
    _, term = rig
    s = term.sale(1000, "T1")
    term.sale(230, "T2")
    term.refund(200, s.rrn, "T3")
    r = term.settlement()
    assert r.approved and r.amount == 1030
    assert "Оплаты: 2 на 12.30 BYN" in r.slip and "Итого: 10.30 BYN" in r.slip
    assert term.settlement().amount == 0


def test_connection_test_and_reprint(rig):
    _, term = rig
    assert term.test().message == "Связь с банком установлена"
    assert term.reprint().status == 0
    sale = term.sale(990, "P1")
    assert term.reprint().slip == sale.slip


def test_lost_answer_is_recovered_by_status(rig):
    sim, term = rig
    sim.set_mode("lose_answer")
    with pytest.raises(CardTerminalError) as e:
        term.sale(4560, "LOST-1")
    assert e.value.code == "CARD_TIMEOUT" and e.value.device == "belarusbank"
    sim.set_mode("approve")
    st = term.status("LOST-1")
    assert st.outcome is CardOutcome.APPROVED and st.approved
    r = st.result
    assert r.approved and r.amount == 4560 and r.ecr_txn_id == "LOST-1" and len(r.rrn) == 12
    assert "ОДОБРЕНО" in r.slip


def test_status_tells_declined_not_found_and_still_running_apart(rig):
    sim, term = rig
    sim.set_mode("decline")
    term.sale(100, "DEC-1")
    assert term.status("DEC-1").outcome is CardOutcome.DECLINED
    assert term.status("NEVER").outcome is CardOutcome.NOT_FOUND
    sim.set_mode("timeout")
    with pytest.raises(CardTerminalError) as e:
        term.sale(200, "RUN-1")
    assert e.value.code == "CARD_TIMEOUT"
    aborted = term.status("RUN-1")          # the driver told the terminal to stop waiting for the card
    assert aborted.outcome is CardOutcome.DECLINED and aborted.result.status == 53
    with pytest.raises(ValueError):
        term.status("")


def test_lost_answer_then_a_dead_terminal_is_unknown_never_declined(rig):
    """faults.py card_answer_lost_status_dead, at the driver: approved, answer lost, status unanswered."""
    sim, term = rig
    sim.set_mode("lose_answer_then_dead")
    with pytest.raises(CardTerminalError):
        term.sale(349, "DEAD-1")
    st = term.status("DEAD-1")
    assert st.outcome is CardOutcome.UNKNOWN and not st.approved and st.result is None
    assert st.detail.startswith("CARD_NO_ANSWER")
    assert sim.journal["DEAD-1"] and sim._batch.sales == [349]      # the terminal did charge
    sim.set_mode("approve")
    found = term.status("DEAD-1")
    assert found.approved and found.result.amount == 349
    again = term.sale(349, "DEAD-1")        # a repeat under the same ECR id is the stored result
    assert again.approved and again.rrn == found.result.rrn and sim._batch.sales == [349]


def test_timeout_after_progress_names_the_terminal(rig):
    sim, term = rig
    sim.set_mode("timeout")
    seen = []
    start = time.monotonic()
    with pytest.raises(CardTerminalError) as e:
        term.sale(100, "TO1", seen.append)
    assert e.value.code == "CARD_TIMEOUT" and "belarusbank" in e.value.detail
    assert seen == ["Вставьте карту"]
    assert time.monotonic() - start < 1.5


def test_silent_terminal_is_no_answer_after_three_attempts(rig):
    sim, term = rig
    sim.set_mode("no_answer")
    start = time.monotonic()
    with pytest.raises(CardTerminalError) as e:
        term.sale(100, "N1")
    assert e.value.code == "CARD_NO_ANSWER"
    assert e.value.detail == f"card terminal belarusbank: no answer on {term.transport.name}"
    assert sum(1 for m in sim.requests) == 0
    assert 0.4 <= time.monotonic() - start < 1.5


def test_garbage_answers_give_a_link_error(rig):
    sim, term = rig
    sim.set_mode("garbage")
    with pytest.raises(CardTerminalError) as e:
        term.sale(100, "G1")
    assert e.value.code == "CARD_LINK_ERROR"
    sim.set_mode("approve")
    assert term.sale(100, "G2").approved


def test_abort_during_a_sale_returns_status_53(rig):
    sim, term = rig
    sim.set_mode("timeout")
    slow = EcrTerminal(term.transport, "belarusbank", ack_timeout=0.15, op_timeout=3.0)
    progressed = threading.Event()
    result = []
    worker = threading.Thread(target=lambda: result.append(slow.sale(800, "AB1", lambda t: progressed.set())))
    worker.start()
    assert progressed.wait(2)
    slow.abort()
    worker.join(3)
    assert result and result[0].status == 53 and not result[0].approved


def test_duplicate_seq_resends_the_answer_without_charging_twice(rig):
    sim, term = rig
    link = term.transport
    frame = ecr.encode(ecr.message(MsgType.REQUEST, 42, op=Op.SALE, amount=300, ecr_txn_id="DUP"))
    answers = []
    for _ in range(2):
        link.write(frame)
        reader, deadline = ecr.FrameReader(), time.monotonic() + 1
        while time.monotonic() < deadline:
            reader.feed(link.read(1, 0.1) + link.read(4096, 0))
            items = []
            while (i := reader.next()) is not None:
                items.append(i)
            answers += [i for i in items if isinstance(i, ecr.Message) and i.type is MsgType.RESPONSE]
            if len(answers) == _ + 1:
                break
    assert len(answers) == 2 and answers[0] == answers[1]
    assert sum(1 for k in sim.journal if k == "DUP") == 1


def test_amount_must_be_positive_kopecks_and_the_ecr_id_is_required(rig):
    _, term = rig
    for bad in (0, -5, 1.5, "12.30"):
        with pytest.raises(CardTerminalError) as e:
            term.sale(bad, "X")
        assert e.value.code == "CARD_BAD_AMOUNT"
    with pytest.raises(ValueError, match="ECR transaction id"):
        term.sale(100, "")


def test_a_replayed_sale_answer_after_a_restart_is_not_taken_as_the_cancels_answer(rig):
    """faults.py cancel_after_restart_seq_replay, at the driver: the new process's first SEQ equals
    the terminal's last one, so the terminal resends its last (sale) answer instead of cancelling."""
    sim, term = rig
    sale = term.sale(349, "SALE-1")
    last_seq = sim.requests[-1].seq
    term.close()
    restarted = open_terminal(sim.address, "belarusbank", seq_start=last_seq - 1, **FAST)
    try:
        res = restarted.cancel(349, sale.rrn, "CANCEL-1")
        assert res.approved and res.ecr_txn_id == "CANCEL-1" and "ОТМЕНА" in res.slip
        assert restarted.stale_answers == 1
        assert [r.get(Tag.OP) for r in sim.requests] == ["1", "4", "4"]   # the replayed one, then a new SEQ
        assert sim._sales[sale.rrn].cancelled and sim.net == 0
    finally:
        restarted.close()


def test_an_unasked_replay_of_the_last_answer_is_ignored(rig):
    sim, term = rig
    sale = term.sale(500, "SALE-2")
    assert sim.replay_last()                 # as after the ECR reconnects
    st = term.status("OTHER")
    assert st.outcome is CardOutcome.NOT_FOUND and term.stale_answers == 1
    assert term.refund(200, sale.rrn, "REF-2").ecr_txn_id == "REF-2"


def test_the_first_seq_differs_between_processes():
    firsts = set()
    for _ in range(12):
        t = EcrTerminal(open_transport("loop://"), "x")
        firsts.add(t._next_seq())
        t.close()
    assert len(firsts) > 1
    pinned = EcrTerminal(open_transport("loop://"), "x", seq_start=255)
    assert pinned._next_seq() == 0
    pinned.close()


def test_terminal_over_loopback_tcp_and_its_replay_on_reconnect_is_ignored():
    sim = SimTerminal("tcpbank", tcp=True).start()
    term = open_terminal(f"tcp://{sim.tcp_address}", "tcpbank", **FAST)
    try:
        sale = term.sale(1500, "NET1")
        assert sale.approved and term.status("NET1").result.amount == 1500
        term.close()
        time.sleep(0.1)
        term = open_terminal(f"tcp://{sim.tcp_address}", "tcpbank", **FAST)    # the terminal replays on connect
        res = term.cancel(1500, sale.rrn, "NET2")
        assert res.approved and res.ecr_txn_id == "NET2" and term.stale_answers == 1
    finally:
        term.close()
        sim.stop()


def test_unreachable_terminal_is_not_connected():
    with pytest.raises(CardTerminalError) as e:
        open_terminal("/nonexistent/ttyACM7", "x")
    assert e.value.code == "CARD_NOT_CONNECTED"


# --- byte-exact frames on a bare pty: the test plays the terminal --------------------------------

def _tlv(tag: int, value: str) -> bytes:
    raw = value.encode()
    return bytes([tag]) + len(raw).to_bytes(2, "big") + raw


def _frame(body: bytes) -> bytes:
    """devices.md §3.5 by hand: STX | LEN u16 BE | BODY | ETX | LRC = XOR(LEN..ETX)."""
    payload = len(body).to_bytes(2, "big") + body + b"\x03"
    lrc = 0
    for b in payload:
        lrc ^= b
    return b"\x02" + payload + bytes([lrc])


class BarePty:
    """The master end of a pty: what the driver writes is read here byte for byte."""

    def __init__(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)

    def read(self, n: int, timeout: float = 1.0) -> bytes:
        out = b""
        deadline = time.monotonic() + timeout
        while len(out) < n and time.monotonic() < deadline:
            if select.select([self.master], [], [], 0.05)[0]:
                out += os.read(self.master, n - len(out))
        return out

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self):
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def bare():
    pty = BarePty()
    term = open_terminal(pty.path, "bank", seq_start=6, **FAST)
    yield pty, term
    term.close()
    pty.close()


def test_status_request_and_answer_are_byte_exact_and_an_older_answer_is_skipped(bare):
    pty, term = bare
    request = _frame(b"Q\x07" + _tlv(25, "70") + _tlv(26, "T-1"))
    answer = _frame(b"R\x07" + _tlv(25, "70") + _tlv(39, "1") + _tlv(0, "349") + _tlv(14, "123456789012")
                    + _tlv(26, "T-1"))
    stale = _frame(b"R\x05" + _tlv(25, "1") + _tlv(39, "1") + _tlv(26, "OLD"))
    result = []
    worker = threading.Thread(target=lambda: result.append(term.status("T-1")))
    worker.start()
    assert pty.read(len(request)) == request
    pty.write(b"\x06" + stale + answer)
    worker.join(2)
    assert pty.read(2) == b"\x06\x06"                   # every frame from the terminal is ACKed
    (st,) = result
    assert st.approved and st.result.rrn == "123456789012" and st.result.amount == 349
    assert term.stale_answers == 1


@pytest.mark.parametrize("status", ["0", "99", ""])
def test_a_status_answer_that_proves_nothing_is_unknown(bare, status):
    pty, term = bare
    result = []
    worker = threading.Thread(target=lambda: result.append(term.status("T-2")))
    worker.start()
    pty.read(len(_frame(b"Q\x07" + _tlv(25, "70") + _tlv(26, "T-2"))))
    fields = _tlv(25, "70") + (_tlv(39, status) if status else b"") + _tlv(26, "T-2")
    pty.write(b"\x06" + _frame(b"R\x07" + fields))
    worker.join(2)
    assert result[0].outcome is CardOutcome.UNKNOWN and result[0].result.status == int(status or 0)


def test_an_answer_to_our_seq_about_another_transaction_makes_the_driver_send_again_under_a_new_seq(bare):
    pty, term = bare
    fields = _tlv(25, "4") + _tlv(0, "349") + _tlv(4, "933") + _tlv(14, "000000000042") + _tlv(26, "C-1")
    first, second = _frame(b"Q\x07" + fields), _frame(b"Q\x08" + fields)
    replayed_sale = _frame(b"R\x07" + _tlv(25, "1") + _tlv(39, "1") + _tlv(26, "S-1"))
    cancel = _frame(b"R\x08" + _tlv(25, "4") + _tlv(39, "1") + _tlv(0, "349") + _tlv(26, "C-1"))
    result = []
    worker = threading.Thread(target=lambda: result.append(term.cancel(349, "000000000042", "C-1")))
    worker.start()
    assert pty.read(len(first)) == first
    pty.write(b"\x06" + replayed_sale)
    assert pty.read(1 + len(second)) == b"\x06" + second
    pty.write(b"\x06" + cancel)
    worker.join(2)
    assert result and result[0].approved and result[0].ecr_txn_id == "C-1"
