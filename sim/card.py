"""A simulated bank card terminal speaking the ECR link protocol over a pty or loopback TCP.

It keeps a journal by ECR transaction id (so `status` recovers a lost answer), issues unique
12-digit RRNs, prints a Russian slip, refunds/cancels only against an approved sale's RRN and
sums the batch at settlement. Modes: approve | decline | timeout | no_answer | garbage, plus
lose_answer (approve and journal, but never send the result: a lost answer).
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

MODES = ("approve", "decline", "timeout", "no_answer", "garbage", "lose_answer")
GARBAGE = b"\xfe\xfd\x7f\x41\x42\x00\x10\x99"   # contains no STX, ACK or NAK
TITLES = {Op.SALE: "ОПЛАТА", Op.REFUND: "ВОЗВРАТ", Op.CANCEL: "ОТМЕНА"}


@dataclass
class _Sale:
    amount: int
    remaining: int
    cancelled: bool = False


@dataclass
class _Batch:
    sales: list[int] = field(default_factory=list)
    refunds: list[int] = field(default_factory=list)


class SimTerminal(PtyDevice):
    """`address` is the pty path; with tcp=True it also listens on `tcp_address` (host:port)."""

    name = "card"

    def __init__(self, name: str, link: str | None = None, *, tcp: bool = False, card_last4: str = "1234") -> None:
        super().__init__(link)
        self.terminal_name = name
        self.terminal_id = f"T{zlib.crc32(name.encode()) % 10**7:07d}"
        self.card_last4 = card_last4
        self.mode = "approve"
        self.journal: dict[str, tuple[tuple[int, str], ...]] = {}
        self.requests: list[Message] = []
        self._lock = threading.RLock()
        self._reader = ecr.FrameReader()
        self._sales: dict[str, _Sale] = {}
        self._batch = _Batch()
        self._counter = 0
        self._rrn_base = (zlib.crc32(name.encode()) % 900 + 100) * 10**9
        self._last: tuple[int, bytes] | None = None   # (request seq, response frame) for duplicate SEQ
        self._last_sent = b""
        self._last_slip: tuple[tuple[int, str], ...] = ()
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

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown terminal mode {mode!r}; use one of {', '.join(MODES)}")
        with self._lock:
            self.mode = mode

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

    def _send_msg(self, type_: MsgType, seq: int, fields: tuple[tuple[int, str], ...]) -> bytes:
        frame = ecr.encode(Message(type_, seq, fields))
        self._send(frame)
        return frame

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
            self._send(self._last[1])      # duplicate SEQ: the same answer, not a second charge
            return
        op = req.get_int(Tag.OP)
        if op == Op.ABORT:
            if self._pending is not None:
                p, self._pending = self._pending, None
                fields = self._result(p, Status.ABORTED, "Операция прервана")
                self._last = (p.seq, self._send_msg(MsgType.RESPONSE, p.seq, fields))
            self._send_msg(MsgType.RESPONSE, req.seq, ((Tag.OP, str(int(Op.ABORT))), (Tag.STATUS, "1")))
            return
        if op in (Op.SALE, Op.REFUND, Op.CANCEL):
            self._progress(req.seq, "Вставьте карту")
            if self.mode == "timeout":
                self._pending = req
                return
            self._progress(req.seq, "Связь с банком")
            fields = self._card_op(op, req)
        elif op == Op.TEST:
            fields = ((Tag.OP, str(op)), (Tag.STATUS, "1"), (Tag.TERMINAL_ID, self.terminal_id),
                      (Tag.TEXT, "Связь с банком установлена"))
        elif op == Op.STATUS:
            txn = req.get(Tag.ECR_TXN_ID)
            fields = self.journal.get(txn) or ((Tag.STATUS, "0"), (Tag.ECR_TXN_ID, txn),
                                               (Tag.TEXT, "Транзакция не найдена"))
        elif op == Op.REPRINT:
            fields = self._last_slip or ((Tag.STATUS, "0"), (Tag.TEXT, "Нет операции для повтора"))
        elif op == Op.SETTLEMENT:
            fields = self._settlement()
        else:
            fields = ((Tag.STATUS, "0"), (Tag.TEXT, f"Неизвестная операция {op}"))
        if self.mode == "lose_answer" and op in (Op.SALE, Op.REFUND, Op.CANCEL):
            return
        self._last = (req.seq, self._send_msg(MsgType.RESPONSE, req.seq, fields))

    def _progress(self, seq: int, text: str) -> None:
        self._send_msg(MsgType.PROGRESS, seq, ((Tag.TEXT, text),))

    def _card_op(self, op: int, req: Message) -> tuple[tuple[int, str], ...]:
        amount = req.get_int(Tag.AMOUNT)
        if self.mode == "decline":
            fields = self._result(req, Status.DECLINED, "Отказ: недостаточно средств")
        elif op == Op.SALE:
            fields = self._result(req, Status.APPROVED, "Одобрено")
        else:
            sale = self._sales.get(req.get(Tag.RRN))
            if sale is None or sale.cancelled:
                fields = self._result(req, Status.DECLINED, "Отказ: RRN оплаты не найден")
            elif amount > sale.remaining:
                fields = self._result(req, Status.DECLINED,
                                      f"Отказ: сумма больше остатка оплаты {format_money(sale.remaining)} BYN")
            else:
                sale.remaining -= amount
                sale.cancelled = op == Op.CANCEL
                fields = self._result(req, Status.APPROVED, "Одобрено")
        return fields

    def _result(self, req: Message, status: Status, text: str) -> tuple[tuple[int, str], ...]:
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

    def _settlement(self) -> tuple[tuple[int, str], ...]:
        b, self._batch = self._batch, _Batch()
        net = sum(b.sales) - sum(b.refunds)
        slip = ["СВЕРКА ИТОГОВ", f"Терминал: {self.terminal_id}",
                f"Оплаты: {len(b.sales)} на {format_money(sum(b.sales))} BYN",
                f"Возвраты и отмены: {len(b.refunds)} на {format_money(sum(b.refunds))} BYN",
                f"Итого: {format_money(net)} BYN", "ИТОГИ СОВПАЛИ"]
        fields = ((Tag.OP, str(int(Op.SETTLEMENT))), (Tag.STATUS, "1"), (Tag.AMOUNT, str(net)),
                  (Tag.TERMINAL_ID, self.terminal_id), (Tag.TEXT, "Итоги совпали"), (Tag.SLIP, "\n".join(slip)))
        self._last_slip = fields
        return fields
