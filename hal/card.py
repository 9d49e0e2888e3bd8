"""Card-terminal driver for our ECR link protocol, and a pool of named terminals (multi-acquiring).

A decline is a CardResult with approved=False; only a link problem raises CardTerminalError:
CARD_NO_ANSWER (nothing came back after every attempt), CARD_LINK_ERROR (garbage / NAKs),
CARD_TIMEOUT (the request was taken but no result came within the idle timeout; the driver then
asks the terminal to abort it). After any of them the terminal may have done the operation: ask
`status(ecr_txn_id)` before charging again.
`status` itself never raises for a link problem; it answers CardOutcome.UNKNOWN.

An answer counts only when it matches the request (SEQ, op code and ECR id, `ecr.answers`).
SEQ starts at a random value in every process, so the terminal does not take the first
request after a restart for a repeat of the previous process's last one; if it does anyway
(it answers our SEQ with another transaction's result), the request is sent again under the
next SEQ — safe, because the terminal ran nothing and keeps one result per ECR id.
"""
from __future__ import annotations

import secrets
import threading
import time

from hal.errors import CardTerminalError, DeviceError, ProtocolError, TransportError
from hal.interfaces import CardOutcome, CardResult, CardTxnStatus, ProgressCallback
from hal.protocols import ecr
from hal.protocols.ecr import Message, MsgType, Op, Status, Tag
from hal.transport import Transport, open_transport

ATTEMPTS = 3   # one send plus retries on NAK / missing ACK, then a link error (devices.md §3.5)
RESENDS = 3    # new SEQs tried when the terminal answers ours with a stale result
CARD_OPS = (Op.SALE, Op.REFUND, Op.CANCEL)


class _Stale(Exception):
    """The terminal answered our SEQ with the result of another request: it did not run ours."""


class EcrTerminal:
    """One terminal on one transport. Operations are serialized; `abort()` may be called from another
    thread while an operation waits. Timeouts are injectable so tests run fast."""

    def __init__(self, transport: Transport, name: str, *, ack_timeout: float = 1.0, op_timeout: float = 120.0,
                 test_timeout: float = 10.0, currency: str = ecr.CURRENCY_BYN, seq_start: int | None = None) -> None:
        self.transport = transport
        self.name = name
        self.ack_timeout, self.op_timeout, self.test_timeout = ack_timeout, op_timeout, test_timeout
        self.currency = currency
        self._reader = ecr.FrameReader()
        # The SEQ of the first request is seq_start + 1; random unless a test pins it.
        self._seq = secrets.randbelow(256) if seq_start is None else seq_start & 0xFF
        self.stale_answers = 0          # answers that matched no request of ours (replays), for diagnostics
        self._op_lock = threading.Lock()
        self._write_lock = threading.Lock()

    # --- operations -------------------------------------------------------------------------
    def sale(self, amount: int, ecr_txn_id: str, progress: ProgressCallback | None = None) -> CardResult:
        return self._op(Op.SALE, self.op_timeout, progress, amount=_amount(amount), currency=self.currency,
                        ecr_txn_id=_txn(ecr_txn_id))

    def cancel(self, amount: int, rrn: str, ecr_txn_id: str, progress: ProgressCallback | None = None) -> CardResult:
        return self._op(Op.CANCEL, self.op_timeout, progress, amount=_amount(amount), currency=self.currency,
                        rrn=rrn, ecr_txn_id=_txn(ecr_txn_id))

    def refund(self, amount: int, rrn: str, ecr_txn_id: str, progress: ProgressCallback | None = None) -> CardResult:
        return self._op(Op.REFUND, self.op_timeout, progress, amount=_amount(amount), currency=self.currency,
                        rrn=rrn, ecr_txn_id=_txn(ecr_txn_id))

    def settlement(self) -> CardResult:
        return self._op(Op.SETTLEMENT, self.op_timeout, None)

    def test(self) -> CardResult:
        """«Проверка связи с банком»: link and host check."""
        return self._op(Op.TEST, self.test_timeout, None)

    def status(self, ecr_txn_id: str) -> CardTxnStatus:
        """What the terminal holds for this ECR id: approved, declined, not found, or unknown.

        Unknown covers a transaction still running and every answer that could not be had; it
        is never reported as declined."""
        if not ecr_txn_id:
            raise ValueError("status needs the ECR transaction id of the operation asked about")
        try:
            res = self._op(Op.STATUS, self.test_timeout, None, ecr_txn_id=ecr_txn_id)
        except CardTerminalError as e:
            return CardTxnStatus(CardOutcome.UNKNOWN, None, f"{e.code}: {e.detail}")
        return CardTxnStatus(_outcome(res.status), res)

    def reprint(self) -> CardResult:
        return self._op(Op.REPRINT, self.test_timeout, None)

    def abort(self) -> None:
        """Ask the terminal to abort the running operation; that operation then returns status 53."""
        msg = ecr.message(MsgType.REQUEST, self._next_seq(), op=Op.ABORT)
        self._write(ecr.encode(msg))

    def close(self) -> None:
        self.transport.close()

    def _abort_quietly(self) -> None:
        try:
            self.abort()
        except TransportError:
            pass    # the link is gone; `status` will say the outcome is unknown

    # --- link layer -------------------------------------------------------------------------
    def _error(self, code: str, what: str) -> CardTerminalError:
        return CardTerminalError(code, f"card terminal {self.name}: {what} on {self.transport.name}", self.name)

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
            try:
                for _ in range(RESENDS):
                    msg = ecr.message(MsgType.REQUEST, self._next_seq(), op=op, **fields)
                    try:
                        resp = self._send(msg) or self._await(msg, timeout, progress)
                    except _Stale:
                        continue
                    except CardTerminalError as e:
                        if e.code == "CARD_TIMEOUT" and op in CARD_OPS:
                            self._abort_quietly()   # an ECR that gives up stops the terminal waiting too
                        raise
                    return _to_result(resp)
            except TransportError as e:
                raise self._error("CARD_LINK_ERROR", f"link failed ({e.detail})") from None
            except ProtocolError as e:
                raise self._error("CARD_LINK_ERROR", f"bad answer ({e.detail})") from None
        raise self._error("CARD_LINK_ERROR", f"{RESENDS} requests answered with another transaction's result")

    def _take(self, msg: Message, item: Message) -> Message | None:
        """A frame from the terminal while `msg` waits: ACK it; return it if it answers `msg`."""
        self._write(bytes([ecr.ACK]))
        if item.type is not MsgType.RESPONSE:
            return None
        if ecr.answers(msg, item):
            return item
        self.stale_answers += 1
        if item.seq == msg.seq:
            raise _Stale()        # the terminal took our SEQ for a repeat and resent its last answer
        return None               # a replay of an older answer: ignored, never taken for ours

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
                heard = True
                if isinstance(item, Message) and (resp := self._take(msg, item)) is not None:
                    return resp
            heard = heard or self._reader.skipped != skipped
        if heard:
            raise self._error("CARD_LINK_ERROR", f"no ACK after {ATTEMPTS} attempts, only NAK or garbage")
        raise self._error("CARD_NO_ANSWER", "no answer")

    def _await(self, msg: Message, timeout: float, progress: ProgressCallback | None) -> Message:
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
            if item.type is MsgType.PROGRESS and item.seq == msg.seq:
                self._write(bytes([ecr.ACK]))
                deadline = time.monotonic() + timeout
                if progress is not None:
                    progress(item.get(Tag.TEXT))
            elif (resp := self._take(msg, item)) is not None:
                return resp


def _amount(amount: int) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise CardTerminalError("CARD_BAD_AMOUNT", f"card amount must be positive kopecks, got {amount!r}")
    return amount


def _txn(ecr_txn_id: str) -> str:
    if not isinstance(ecr_txn_id, str) or not ecr_txn_id:
        raise ValueError(f"a card operation needs its ECR transaction id (the intent's key), got {ecr_txn_id!r}")
    return ecr_txn_id


def _outcome(status: int) -> CardOutcome:
    if status in ecr.APPROVED_STATUSES:
        return CardOutcome.APPROVED
    if status in ecr.REFUSED_STATUSES:
        return CardOutcome.DECLINED
    if status == Status.NOT_FOUND:
        return CardOutcome.NOT_FOUND
    return CardOutcome.UNKNOWN      # 0 (still running) or a code we do not know: not proof of anything


def _to_result(resp: Message) -> CardResult:
    status = resp.get_int(Tag.STATUS)
    slip = resp.get(Tag.SLIP)
    return CardResult(approved=status in ecr.APPROVED_STATUSES, status=status, amount=resp.get_int(Tag.AMOUNT),
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

