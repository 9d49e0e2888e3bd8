"""Card-terminal driver for our ECR link protocol (several named terminals are configured for multi-acquiring).

A decline is a CardResult with approved=False; only a link problem raises CardTerminalError:
CARD_NO_ANSWER (nothing came back after every attempt), CARD_LINK_ERROR (garbage / NAKs),
CARD_TIMEOUT (the request was taken but no result came within the idle timeout; ask
`status(ecr_txn_id)` to learn what happened before charging again).
"""
from __future__ import annotations

import threading
import time

from hal.errors import CardTerminalError, DeviceError, ProtocolError, TransportError
from hal.interfaces import CardResult, ProgressCallback
from hal.protocols import ecr
from hal.protocols.ecr import Message, MsgType, Op, Tag
from hal.transport import Transport, open_transport

ATTEMPTS = 3   # one send plus retries on NAK / missing ACK, then a link error (devices.md §3.5)


class EcrTerminal:
    """One terminal on one transport. Operations are serialized; `abort()` may be called from another
    thread while an operation waits. Timeouts are injectable so tests run fast."""

    def __init__(self, transport: Transport, name: str, *, ack_timeout: float = 1.0, op_timeout: float = 120.0,
                 test_timeout: float = 10.0, currency: str = ecr.CURRENCY_BYN) -> None:
        self.transport = transport
        self.name = name
        self.ack_timeout, self.op_timeout, self.test_timeout = ack_timeout, op_timeout, test_timeout
        self.currency = currency
        self._reader = ecr.FrameReader()
        self._seq = 0
        self._op_lock = threading.Lock()
        self._write_lock = threading.Lock()

    # --- operations -------------------------------------------------------------------------
    def sale(self, amount: int, ecr_txn_id: str, progress: ProgressCallback | None = None) -> CardResult:
        return self._op(Op.SALE, self.op_timeout, progress, amount=_amount(amount), currency=self.currency,
                        ecr_txn_id=ecr_txn_id)

    def cancel(self, amount: int, rrn: str, ecr_txn_id: str, progress: ProgressCallback | None = None) -> CardResult:
        return self._op(Op.CANCEL, self.op_timeout, progress, amount=_amount(amount), currency=self.currency,
                        rrn=rrn, ecr_txn_id=ecr_txn_id)

    def refund(self, amount: int, rrn: str, ecr_txn_id: str, progress: ProgressCallback | None = None) -> CardResult:
        return self._op(Op.REFUND, self.op_timeout, progress, amount=_amount(amount), currency=self.currency,
                        rrn=rrn, ecr_txn_id=ecr_txn_id)

    def settlement(self) -> CardResult:
        return self._op(Op.SETTLEMENT, self.op_timeout, None)

    def test(self) -> CardResult:
        """«Проверка связи с банком»: link and host check."""
        return self._op(Op.TEST, self.test_timeout, None)

    def status(self, ecr_txn_id: str) -> CardResult:
        """The stored result of the transaction with this ECR id (status 0 if the terminal never saw it)."""
        return self._op(Op.STATUS, self.test_timeout, None, ecr_txn_id=ecr_txn_id)

    def reprint(self) -> CardResult:
        return self._op(Op.REPRINT, self.test_timeout, None)

    def abort(self) -> None:
        """Ask the terminal to abort the running operation; that operation then returns status 53."""
        msg = ecr.message(MsgType.REQUEST, self._next_seq(), op=Op.ABORT)
        self._write(ecr.encode(msg))

    def close(self) -> None:
        self.transport.close()

    # --- link layer -------------------------------------------------------------------------
    def _error(self, code: str, what: str) -> CardTerminalError:
        return CardTerminalError(code, f"card terminal {self.name}: {what} on {self.transport.name}")

    def _next_seq(self) -> int:
        with self._write_lock:
            self._seq = (self._seq + 1) & 0xFF
            return self._seq

    def _write(self, data: bytes) -> None:
        with self._write_lock:
            self.transport.write(data)

    def _pull(self, timeout: float) -> None:
        """Wait up to `timeout` for one byte, then take whatever else is already there
        (a serial read of N bytes would otherwise wait for all N)."""
        first = self.transport.read(1, timeout)
        if first:
            self._reader.feed(first + self.transport.read(4096, 0))

    def _op(self, op: Op, timeout: float, progress: ProgressCallback | None, **fields: object) -> CardResult:
        with self._op_lock:
            msg = ecr.message(MsgType.REQUEST, self._next_seq(), op=op, **fields)
            try:
                early = self._send(msg)
                resp = early or self._await(msg.seq, timeout, progress)
                return _to_result(resp)
            except TransportError as e:
                raise self._error("CARD_LINK_ERROR", f"link failed ({e.detail})") from None
            except ProtocolError as e:
                raise self._error("CARD_LINK_ERROR", f"bad answer ({e.detail})") from None

    def _send(self, msg: Message) -> Message | None:
        """Send with ACK handshake. Returns the response if it overtook a lost ACK."""
        frame = ecr.encode(msg)
        heard = False
        for _ in range(ATTEMPTS):
            skipped = self._reader.skipped
            self._write(frame)
            deadline = time.monotonic() + self.ack_timeout
            while True:
                item = self._reader.next()
                if item is None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._pull(min(left, 0.2))
                    continue
                if item == ecr.ACK:
                    return None
                if item == ecr.NAK:
                    heard = True
                    break
                if isinstance(item, ProtocolError):
                    heard = True
                    self._write(bytes([ecr.NAK]))
                    continue
                self._write(bytes([ecr.ACK]))
                if item.type is MsgType.RESPONSE and item.seq == msg.seq:
                    return item
            heard = heard or self._reader.skipped != skipped
        if heard:
            raise self._error("CARD_LINK_ERROR", f"no ACK after {ATTEMPTS} attempts, only NAK or garbage")
        raise self._error("CARD_NO_ANSWER", "no answer")

    def _await(self, seq: int, timeout: float, progress: ProgressCallback | None) -> Message:
        deadline = time.monotonic() + timeout
        bad = 0
        while True:
            item = self._reader.next()
            if item is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._error("CARD_TIMEOUT", f"no result within {timeout:g} s")
                self._pull(min(left, 0.2))
                continue
            if isinstance(item, int):
                continue
            if isinstance(item, ProtocolError):
                bad += 1
                self._write(bytes([ecr.NAK]))
                if bad >= ATTEMPTS:
                    raise self._error("CARD_LINK_ERROR", f"{bad} corrupted frames in a row ({item.detail})")
                continue
            bad = 0
            self._write(bytes([ecr.ACK]))
            if item.type is MsgType.PROGRESS:
                deadline = time.monotonic() + timeout
                if progress is not None:
                    progress(item.get(Tag.TEXT))
            elif item.type is MsgType.RESPONSE and item.seq == seq:
                return item


def _amount(amount: int) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise CardTerminalError("CARD_BAD_AMOUNT", f"card amount must be positive kopecks, got {amount!r}")
    return amount


def _to_result(resp: Message) -> CardResult:
    status = resp.get_int(Tag.STATUS)
    slip = resp.get(Tag.SLIP)
    return CardResult(approved=status == ecr.Status.APPROVED, status=status, amount=resp.get_int(Tag.AMOUNT),
                      rrn=resp.get(Tag.RRN), auth_code=resp.get(Tag.AUTH_CODE), pan_masked=resp.get(Tag.PAN),
                      terminal_id=resp.get(Tag.TERMINAL_ID), ecr_txn_id=resp.get(Tag.ECR_TXN_ID),
                      message=resp.get(Tag.TEXT), slip=tuple(slip.split("\n")) if slip else ())


def open_terminal(url: str, name: str, baudrate: int = 115200, **timeouts: float) -> EcrTerminal:
    """An EcrTerminal on a serial path / pyserial URL / tcp://host:port; CARD_NOT_CONNECTED if it cannot open."""
    try:
        transport = open_transport(url, baudrate)
    except DeviceError as e:
        raise CardTerminalError("CARD_NOT_CONNECTED", f"card terminal {name}: {e.detail}") from None
    return EcrTerminal(transport, name, **timeouts)
