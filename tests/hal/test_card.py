"""The card-terminal driver against simulated terminals over real ptys and loopback TCP."""
import threading
import time

import pytest

from hal.card import EcrTerminal, open_terminal
from hal.errors import CardTerminalError
from hal.protocols import ecr
from hal.protocols.ecr import MsgType, Op
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
    assert e.value.code == "CARD_TIMEOUT"
    sim.set_mode("approve")
    r = term.status("LOST-1")
    assert r.approved and r.amount == 4560 and r.ecr_txn_id == "LOST-1" and len(r.rrn) == 12
    assert term.status("NEVER").status == 0


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


def test_amount_must_be_positive_kopecks(rig):
    _, term = rig
    for bad in (0, -5, 1.5, "12.30"):
        with pytest.raises(CardTerminalError) as e:
            term.sale(bad, "X")
        assert e.value.code == "CARD_BAD_AMOUNT"


def test_multi_acquiring_two_terminals_at_once():
    sims = [SimTerminal("belarusbank").start(), SimTerminal("priorbank").start()]
    terminals = {s.terminal_name: open_terminal(s.address, s.terminal_name, **FAST) for s in sims}
    try:
        results = {}
        threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, terminals[n].sale(1000, f"M-{n}")))
                   for n in terminals]
        for t in threads:
            t.start()
        for t in threads:
            t.join(3)
        assert results["belarusbank"].terminal_id == sims[0].terminal_id
        assert results["priorbank"].terminal_id == sims[1].terminal_id
        assert results["belarusbank"].rrn != results["priorbank"].rrn
        assert list(sims[0].journal) == ["M-belarusbank"] and list(sims[1].journal) == ["M-priorbank"]
    finally:
        for t in terminals.values():
            t.close()
        for s in sims:
            s.stop()


def test_terminal_over_loopback_tcp():
    sim = SimTerminal("tcpbank", tcp=True).start()
    term = open_terminal(f"tcp://{sim.tcp_address}", "tcpbank", **FAST)
    try:
        assert term.sale(1500, "NET1").approved
        assert term.status("NET1").amount == 1500
    finally:
        term.close()
        sim.stop()


def test_unreachable_terminal_is_not_connected():
    with pytest.raises(CardTerminalError) as e:
        open_terminal("/nonexistent/ttyACM7", "x")
    assert e.value.code == "CARD_NOT_CONNECTED"
