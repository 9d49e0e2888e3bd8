"""A simulated bank card terminal speaking the ECR link protocol over a pty or loopback TCP.

It follows devices.md §3.4–3.5: one stored result per ECR transaction id (a repeated request
with a known id gets that result again, never a second charge; `status` asks for it), a
duplicate SEQ gets the last answer resent, every answer echoes the request's SEQ, OP and ECR
id. It issues unique 12-digit RRNs, prints a Russian slip, refunds/cancels only against an
approved sale's RRN and sums the batch at settlement. After a reconnect it may replay its last
answer, as real terminals do (TCP: on every new connection; pty: `replay_last()`).

Modes: approve | decline | timeout (waits for a card until aborted) | no_answer | garbage |
lose_answer (approves and journals, the answer never arrives) | lose_answer_then_dead (the same,
then it answers nothing at all until the mode is set again).
"""
from __future__ import annotations

import socket
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from fiscal.money import format_money
from hal.errors import ProtocolError
from hal.protocols import ecr
from hal.protocols.ecr import Message, MsgType, Op, Status, Tag
from sim.ptyport import PtyDevice

MODES = ("approve", "decline", "timeout", "no_answer", "garbage", "lose_answer", "lose_answer_then_dead")
GARBAGE = b"\xfe\xfd\x7f\x41\x42\x00\x10\x99"   # contains no STX, ACK or NAK
TITLES = {Op.SALE: "ОПЛАТА", Op.REFUND: "ВОЗВРАТ", Op.CANCEL: "ОТМЕНА"}
CARD_OPS = (Op.SALE, Op.REFUND, Op.CANCEL)
Fields = tuple[tuple[int, str], ...]


@dataclass
class _Sale:
    amount: int
    remaining: int
    cancelled: bool = False


@dataclass
class _Batch:
    sales: list[int] = field(default_factory=list)
    refunds: list[int] = field(default_factory=list)
    cancels: list[int] = field(default_factory=list)

    @property
    def net(self) -> int:
        """What the terminal holds for the batch: approved sales − refunds − cancels (kopecks)."""
        return sum(self.sales) - sum(self.refunds) - sum(self.cancels)


def _with(fields: Fields, tag: int, value: str) -> Fields:
    """`fields` with `tag` set to `value` (first position kept, or appended)."""
    if any(t == tag for t, _ in fields):
        return tuple((t, value if t == tag else v) for t, v in fields)
    return ((tag, value),) + fields


def _without(fields: Fields, tag: int) -> Fields:
    return tuple((t, v) for t, v in fields if t != tag)


class SimTerminal(PtyDevice):
    """`address` is the pty path; with tcp=True it also listens on `tcp_address` (host:port)."""

    name = "card"

    def __init__(self, name: str, link: str | None = None, *, tcp: bool = False, card_last4: str = "1234",
                 replay_on_connect: bool = True) -> None:
        super().__init__(link)
        self.terminal_name = name
        self.terminal_id = f"T{zlib.crc32(name.encode()) % 10**7:07d}"
        self.card_last4 = card_last4
        self.mode = "approve"
        self.replay_on_connect = replay_on_connect
        self.journal: dict[str, Fields] = {}      # ECR id -> the stored result (OP of the operation itself)
        self.requests: list[Message] = []
        self._lock = threading.RLock()
        self._reader = ecr.FrameReader()
        self._sales: dict[str, _Sale] = {}
        self._batch = _Batch()
        self._counter = 0
        self._rrn_base = (zlib.crc32(name.encode()) % 900 + 100) * 10**9
        self._last: tuple[int, bytes] | None = None   # (request seq, response frame), also when it was lost
        self._last_sent = b""
        self._last_slip: Fields = ()
        self._pending: Message | None = None
        self._out: Callable[[bytes], None] = self.port.write
        self._server: socket.socket | None = None
        self._conn: socket.socket | None = None
        self._tcp_thread: threading.Thread | None = None
        if tcp:
            self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._server.bind(("127.0.0.1", 0))
            self._server.listen(1)
            self._server.settimeout(0.05)

    @property
    def tcp_address(self) -> str | None:
        if self._server is None:
            return None
        host, port = self._server.getsockname()
        return f"{host}:{port}"

    @property
    def net(self) -> int:
        """Approved sales − refunds − cancels of the current batch, in kopecks (scenario `card_net`)."""
        with self._lock:
            return self._batch.net

    def set_mode(self, mode: str) -> None:
        """From now on. Leaving `timeout` ends the operation waiting for a card as aborted at the terminal."""
        if mode not in MODES:
            raise ValueError(f"unknown terminal mode {mode!r}; use one of {', '.join(MODES)}")
        with self._lock:
            if self._pending is not None and mode != "timeout":
                req, self._pending = self._pending, None
                self._answer(req.seq, self._result(req, Status.ABORTED, "Время ожидания карты истекло"), lost=True)
            self.mode = mode

    def replay_last(self) -> bool:
        """Send the last answer again, unasked, as a terminal may after the ECR reconnects."""
        with self._lock:
            if self._last is None:
                return False
            self._send(self._last[1])
            return True

    def start(self) -> "SimTerminal":
        if self._thread is None:
            super().start()
            if self._server is not None:
                self._tcp_thread = threading.Thread(target=self._serve_tcp, name="sim-card-tcp", daemon=True)
                self._tcp_thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._tcp_thread:
            self._tcp_thread.join(timeout=2)
        for s in (self._conn, self._server):
            if s is not None:
                s.close()
        super().stop()

    # --- byte channels ----------------------------------------------------------------------
    def _serve_tcp(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                continue
            conn.settimeout(0.05)
            self._conn = conn
            with self._lock:
                self._out = conn.sendall
                self._reader = ecr.FrameReader()
                if self.replay_on_connect and self.mode not in ("no_answer", "garbage"):
                    self.replay_last()
            while not self._stop.is_set():
                try:
                    data = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                with self._lock:
                    self._out = conn.sendall
                    self._feed(data)
            conn.close()

    def on_bytes(self, data: bytes) -> None:
        with self._lock:
            self._out = self.port.write
            self._feed(data)

    def _send(self, data: bytes) -> None:
        self._last_sent = data
        try:
            self._out(data)
        except OSError:
            pass  # the driver went away; the journal still holds the result

    def _send_msg(self, type_: MsgType, seq: int, fields: Fields) -> bytes:
        frame = ecr.encode(Message(type_, seq, fields))
        self._send(frame)
        return frame

    def _answer(self, seq: int, fields: Fields, *, lost: bool = False) -> None:
        """The response to the request with `seq`; remembered for a duplicate SEQ even when lost."""
        frame = ecr.encode(Message(MsgType.RESPONSE, seq, fields))
        self._last = (seq, frame)
        if not lost:
            self._send(frame)

    # --- protocol ---------------------------------------------------------------------------
    def _feed(self, data: bytes) -> None:
        self._reader.feed(data)
        while (item := self._reader.next()) is not None:
            if self.mode == "no_answer":
                continue
            if self.mode == "garbage":
                self._send(GARBAGE)
                continue
            if item == ecr.NAK and self._last_sent:
                self._out(self._last_sent)
            elif isinstance(item, ProtocolError):
                self._send(bytes([ecr.NAK]))
            elif isinstance(item, Message) and item.type is MsgType.REQUEST:
                self._out(bytes([ecr.ACK]))
                self._request(item)

    def _request(self, req: Message) -> None:
        self.requests.append(req)
        if self._last is not None and self._last[0] == req.seq:
            self._send(self._last[1])      # duplicate SEQ: the same answer, not a second operation
            return
        op = req.get_int(Tag.OP)
        echo = ((Tag.OP, str(op)),)
        if op == Op.ABORT:
            if self._pending is not None:
                p, self._pending = self._pending, None
                self._answer(p.seq, self._result(p, Status.ABORTED, "Операция прервана"))
            self._answer(req.seq, echo + ((Tag.STATUS, "1"),))
            return
        if op in CARD_OPS:
            self._card_request(op, req)
            return
        if op == Op.TEST:
            fields = echo + ((Tag.STATUS, "1"), (Tag.TERMINAL_ID, self.terminal_id),
                             (Tag.TEXT, "Связь с банком установлена"))
        elif op == Op.STATUS:
            fields = self._status(req.get(Tag.ECR_TXN_ID))
        elif op == Op.REPRINT:
            last = _without(self._last_slip, Tag.ECR_TXN_ID)
            fields = _with(last, Tag.OP, str(op)) if last else echo + ((Tag.STATUS, "0"),
                                                                      (Tag.TEXT, "Нет операции для повтора"))
        elif op == Op.SETTLEMENT:
            fields = self._settlement()
        else:
            fields = echo + ((Tag.STATUS, "0"), (Tag.TEXT, f"Неизвестная операция {op}"))
        self._answer(req.seq, fields)

    def _card_request(self, op: int, req: Message) -> None:
        txn = req.get(Tag.ECR_TXN_ID)
        stored = self.journal.get(txn) if txn else None
        if stored is not None:             # a repeat of a known transaction: its result, not a second charge
            same = dict(stored).get(Tag.OP) == str(op)
            fields = stored if same else ((Tag.OP, str(op)), (Tag.STATUS, str(int(Status.DECLINED))),
                                          (Tag.ECR_TXN_ID, txn), (Tag.TEXT, "Отказ: номер операции уже использован"))
            self._answer(req.seq, fields)
            return
        self._progress(req.seq, "Вставьте карту")
        if self.mode == "timeout":
            self._pending = req
            return
        self._progress(req.seq, "Связь с банком")
        fields = self._card_op(op, req)
        lost = self.mode in ("lose_answer", "lose_answer_then_dead")
        self._answer(req.seq, fields, lost=lost)
        if self.mode == "lose_answer_then_dead":
            self.mode = "no_answer"        # and from now on it answers nothing, until told otherwise

    def _status(self, txn: str) -> Fields:
        echo = ((Tag.OP, str(int(Op.STATUS))), (Tag.ECR_TXN_ID, txn))
        if self._pending is not None and txn and self._pending.get(Tag.ECR_TXN_ID) == txn:
            return echo + ((Tag.STATUS, str(int(Status.UNKNOWN))), (Tag.TEXT, "Операция выполняется"))
        stored = self.journal.get(txn) if txn else None
        if stored is None:
            return echo + ((Tag.STATUS, str(int(Status.NOT_FOUND))), (Tag.TEXT, "Транзакция не найдена"))
        return _with(stored, Tag.OP, str(int(Op.STATUS)))

    def _progress(self, seq: int, text: str) -> None:
        self._send_msg(MsgType.PROGRESS, seq, ((Tag.TEXT, text),))

    def _card_op(self, op: int, req: Message) -> Fields:
        amount = req.get_int(Tag.AMOUNT)
        if self.mode == "decline":
            return self._result(req, Status.DECLINED, "Отказ: недостаточно средств")
        if op == Op.SALE:
            return self._result(req, Status.APPROVED, "Одобрено")
        sale = self._sales.get(req.get(Tag.RRN))
        if sale is None or sale.cancelled:
            return self._result(req, Status.DECLINED, "Отказ: RRN оплаты не найден")
        if amount > sale.remaining:
            return self._result(req, Status.DECLINED,
                                f"Отказ: сумма больше остатка оплаты {format_money(sale.remaining)} BYN")
        sale.remaining -= amount
        sale.cancelled = op == Op.CANCEL
        return self._result(req, Status.APPROVED, "Одобрено")

    def _result(self, req: Message, status: Status, text: str) -> Fields:
        op, amount, txn = req.get_int(Tag.OP), req.get_int(Tag.AMOUNT), req.get(Tag.ECR_TXN_ID)
        approved = status == Status.APPROVED
        self._counter += 1
        rrn = f"{self._rrn_base + self._counter:012d}" if approved else ""
        auth = f"{(self._counter * 7919) % 10**6:06d}" if approved else ""
        pan = f"**** {self.card_last4}"
        slip = [TITLES.get(op, "ОПЕРАЦИЯ"), f"Терминал: {self.terminal_id}", f"Сумма: {format_money(amount)} BYN",
                f"Карта: {pan}"]
        if approved:
            slip += [f"Код авторизации: {auth}", f"RRN: {rrn}", "ОДОБРЕНО"]
            if op == Op.SALE:
                self._sales[rrn] = _Sale(amount, amount)
                self._batch.sales.append(amount)
            elif op == Op.CANCEL:
                self._batch.cancels.append(amount)
            else:
                self._batch.refunds.append(amount)
        else:
            slip += [text, "ОТКАЗАНО" if status == Status.DECLINED else "ПРЕРВАНО"]
        fields = ((Tag.OP, str(op)), (Tag.STATUS, str(int(status))), (Tag.AMOUNT, str(amount)), (Tag.RRN, rrn),
                  (Tag.AUTH_CODE, auth), (Tag.PAN, pan), (Tag.TERMINAL_ID, self.terminal_id),
                  (Tag.ECR_TXN_ID, txn), (Tag.TEXT, text), (Tag.SLIP, "\n".join(slip)))
        if txn:
            self.journal[txn] = fields
        self._last_slip = fields
        return fields

    def _settlement(self) -> Fields:
        b, self._batch = self._batch, _Batch()
        back = b.refunds + b.cancels
        slip = ["СВЕРКА ИТОГОВ", f"Терминал: {self.terminal_id}",
                f"Оплаты: {len(b.sales)} на {format_money(sum(b.sales))} BYN",
                f"Возвраты и отмены: {len(back)} на {format_money(sum(back))} BYN",
                f"Итого: {format_money(b.net)} BYN", "ИТОГИ СОВПАЛИ"]
        fields = ((Tag.OP, str(int(Op.SETTLEMENT))), (Tag.STATUS, "1"), (Tag.AMOUNT, str(b.net)),
                  (Tag.TERMINAL_ID, self.terminal_id), (Tag.TEXT, "Итоги совпали"), (Tag.SLIP, "\n".join(slip)))
        self._last_slip = fields
        return fields
