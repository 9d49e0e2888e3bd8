"""The iKassa SKO driver: `hal.interfaces.Sko` over the iKassa service's published TCP protocol (hal.protocols.ikassa).

One connection at a time (the service allows one); every call carries the `token` header (the SKO
serial, found with getTokens when not configured) and, for printing calls, `printerAddr`. The SKO
computes each cheque; the answer's figures come back in `Registration.cheque`. There is no
operation id: a fiscal request whose answer is lost or garbled is resolved at once by the SKO's
counter and stored document (`lookup`), and stays SKO_UNKNOWN / SKO_BAD_ANSWER when that cannot
tell, never a refusal. Refusals carry the register's stable code and the published code's own
text (`error.SKO.<code>`).
"""
from __future__ import annotations

import dataclasses
import itertools
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from fiscal.documents import Document, Registration, Requisites, Sale, ShiftClose, ShiftOpen
from hal.errors import SkoError, TransportError
from hal.interfaces import SkoInfo, SkoShiftReport, SkoStatus
from hal.protocols.ikassa import FISCAL, NEEDS_TOKEN, PORT, Action, Envelope, FrameCodec, MessageType, request
from hal.protocols.ikassa_codes import ALREADY_AUTHORIZED, CODES, REAUTHORIZE, product
from hal.sko import answers as A
from hal.sko.link import Link, LinkClosed
from hal.sko.requests import build
from hal.sko.resolve import unknown, why_not

log = logging.getLogger("zpos.sko")
LOOKBACK = 3                  # without the expected number, the last documents looked at for a match
NOT_STORED = {22, 2000, 2012}  # copy(N): no such document


def error_of(env: Envelope, action: Action) -> SkoError:
    """An `error` message → SkoError with the stable code, the published code and its catalogue variant."""
    d = env.data
    code: int | None = None
    message = ""
    if isinstance(d, dict):
        for key in ("code", "failureCode", "errorCode"):
            v = d.get(key)
            if isinstance(v, int) and not isinstance(v, bool):
                code = v
                break
            if isinstance(v, str) and v.isdigit():
                code = int(v)
                break
        message = str(d.get("message") or d.get("msg") or d.get("failureMessage") or "")[:200]
    elif isinstance(d, str):
        message = d[:200]
    if code is None and env.headers.get("code", "").isdigit():
        code = int(env.headers["code"])
    if code is None:
        return SkoError("SKO_ERROR", f"{action.value}: error without a code: {message!r}", reason=message or "—")
    name, variant = product(code, action)
    published = CODES.get(code)
    return SkoError(name, f"{action.value}: SKO error {code} {published.name if published else '?'}: {message}", code,
                    variant=variant or None, reason=message or (published.message if published else ""))


class SkoClient:
    """`hal.interfaces.Sko` for the iKassa service at "host:port" (default port 1829)."""

    def __init__(self, address: str, *, timeout: float = 5.0, token: str | None = None, printer_addr: str = "dummy",
                 byte_order: str = "big", data_as: str = "object", time_tolerance_s: float = 900.0) -> None:
        host, sep, port = address.rpartition(":")
        if not sep:
            host, port = address, str(PORT)
        if not host or not port.isdigit():
            raise SkoError("BAD_CONFIG", f"SKO address {address!r}: expected host:port")
        self._host, self._port = host, int(port)
        self.address = f"{host}:{port}"
        self.timeout = timeout
        self.printer_addr = printer_addr
        self.tolerance = timedelta(seconds=time_tolerance_s)
        try:
            self._codec = FrameCodec(byte_order, data_as)
        except ValueError as e:
            raise SkoError("BAD_CONFIG", str(e)) from None
        self._token = token or ""
        self._link: Link | None = None
        self._pin: str | None = None
        self._authorized = False
        self._expected: dict[str, int] = {}        # op_id → the SKO counter read just before sending it
        self._seq = itertools.count(1)
        self._prefix = f"zpos.{uuid.uuid4().hex[:12]}"

    # -- link ---------------------------------------------------------------------------------------
    def _connect(self) -> tuple[Link, bool]:
        if self._link is not None and self._link.alive:
            return self._link, False
        self._drop()
        try:
            self._link = Link(self._host, self._port, self._codec, self.timeout)
        except TransportError as e:
            raise SkoError("SKO_OFFLINE", e.detail) from None
        return self._link, True

    def _drop(self) -> None:
        if self._link is not None:
            self._link.close()
            self._link = None

    def close(self) -> None:
        self._drop()

    def _call(self, action: Action, data: Any = None, *, reauth: bool = True) -> Any:
        """One request and its answer's data; the refusals, link faults and re-authorisation of the docstring."""
        token = self.token() if action in NEEDS_TOKEN else ""
        fiscal = action in FISCAL
        for attempt in (1, 2):
            link, fresh = self._connect()
            env = request(action, data, token=token, printer=self.printer_addr,
                          reply_address=f"{self._prefix}.{next(self._seq)}")
            try:
                answer = link.call(env, self.timeout)
            except TransportError as e:
                self._drop()
                if e.code == "LINK_DOWN" and not fresh and attempt == 1:
                    continue                        # a stale link: nothing was sent on it
                if fiscal and e.code == "NO_ANSWER":
                    raise SkoError("SKO_UNKNOWN", f"{action.value}: {e.detail}") from None
                raise SkoError("SKO_OFFLINE", f"{action.value}: {e.detail}") from None
            except LinkClosed as c:
                self._drop()
                if c.service_error is not None:
                    raise error_of(c.service_error, action) from None
                if c.garbled is not None:
                    raise SkoError("SKO_BAD_ANSWER", f"{action.value}: {c.detail}") from None
                if fiscal:
                    raise SkoError("SKO_UNKNOWN", f"{action.value}: {c.detail}") from None
                if fresh and not c.heard:
                    raise SkoError("SKO_IN_USE", f"the service closed a new connection without a word: {c.detail}") from None
                if attempt == 1:
                    continue
                raise SkoError("SKO_OFFLINE", f"{action.value}: {c.detail}") from None
            if answer.type is MessageType.ERROR:
                err = error_of(answer, action)
                if action is Action.AUTHORIZE and err.sko_code == ALREADY_AUTHORIZED:
                    return {"result": "Ok"}
                if err.sko_code in REAUTHORIZE:
                    self._authorized = False
                    if reauth and self._pin is not None and action not in (Action.AUTHORIZE, Action.CHANGE_PIN):
                        self.authorize(self._pin)       # the service lost the session: once, with the PIN we have
                        return self._call(action, data, reauth=False)
                raise err
            if answer.type not in (MessageType.SEND, MessageType.PUBLISH):
                raise SkoError("SKO_BAD_ANSWER", f"{action.value}: answer of type {answer.type.value}")
            return answer.data
        raise AssertionError("unreachable")

    # -- the token ------------------------------------------------------------------------------------
    def token(self) -> str:
        """The SKO serial sent as `token`: configured, else the only SKO getTokens lists."""
        if not self._token:
            tokens = self._call(Action.GET_TOKENS)
            if not isinstance(tokens, list):
                raise A.bad("getTokens must answer a list")
            serials = [A.token_info(t).serial for t in tokens]
            if len(serials) != 1:
                raise SkoError("SKO_NOT_FOUND", f"getTokens lists {len(serials)} SKOs: {serials}; set [devices.sko] token",
                               variant="SKO_NOT_FOUND.count", count=len(serials))
            self._token = serials[0]
        return self._token

    def info(self) -> SkoInfo:
        return A.token_info(self._call(Action.GET_TOKEN_BY_SERIAL))

    def requisites(self, base: Requisites | None = None) -> Requisites:
        """«Заполнить из ПК»: organisation, УНП and serial from the SKO; the КСА number where the SKO gives one."""
        i = self.info()
        if base is None:
            return Requisites(org_name=i.org_name, unp=i.unp, ksa_number=i.ksa_number, sko_serial=i.serial)
        return dataclasses.replace(base, org_name=i.org_name or base.org_name, unp=i.unp or base.unp,
                                   ksa_number=i.ksa_number or base.ksa_number, sko_serial=i.serial)

    # -- the session ------------------------------------------------------------------------------------
    def authorize(self, pin: str) -> None:
        self._call(Action.AUTHORIZE, {"pin": pin})
        self._pin = pin
        self._authorized = True

    def change_pin(self, puk: str, new_pin: str) -> None:
        self._call(Action.CHANGE_PIN, {"pin": new_pin, "puk": puk})
        self._pin = None
        self._authorized = False

    def logout(self) -> None:
        """End the SKO session (the register calls it on a clean exit)."""
        self._pin = None
        self._authorized = False
        self._call(Action.LOGOUT)

    def close_token(self) -> None:
        """closeToken: let go of the SKO (IKAPI gives no more than the name; the emulator ends the session)."""
        self._pin = None
        self._authorized = False
        self._call(Action.CLOSE_TOKEN)

    def service_version(self) -> str:
        return A.text(A.obj(self._call(Action.VERSION), "version"), "version", "version")

    def printers(self) -> list[tuple[str, str]]:
        """(name, addr) of the printers the service can print on; `printer_addr` must be one of them."""
        answer = self._call(Action.PRINTERS)
        if not isinstance(answer, list):
            raise A.bad("printers must answer a list")
        return [(A.text(A.obj(p, "printer"), "name", "printer"), A.text(p, "addr", "printer")) for p in answer]

    # -- readings ----------------------------------------------------------------------------------------
    def next_number(self) -> int:
        return A.integer(self._call(Action.NEXT_CHEQUE_NUMBER), "nextChequeNumber")

    def stored_documents(self) -> int:
        """getStoredDocuments: documents the SKO holds that are not yet sent to the SKKO."""
        return A.integer(self._call(Action.GET_STORED_DOCUMENTS), "getStoredDocuments")

    def cash_in_drawer(self) -> int:
        return A.cash_in_token(self._call(Action.GET_CASH_IN_TOKEN))

    def x_report(self) -> SkoShiftReport:
        return A.shift_report(self._call(Action.X_REPORT))

    def active_sale(self) -> dict | None:
        """getActiveSale: the unfinished cheque of the old step-by-step sale API (None when there is none)."""
        answer = self._call(Action.GET_ACTIVE_SALE)
        return answer if isinstance(answer, dict) else None

    def not_printed(self) -> list[str]:
        answer = self._call(Action.RETRIEVE_NOT_PRINTED)
        if not isinstance(answer, list) or not all(isinstance(u, str) for u in answer):
            raise A.bad("retrieveNotPrintedCheques must answer a list of uids")
        return answer

    def reprint(self, uid: str) -> None:
        self._call(Action.REPRINT, uid)

    def certificate(self) -> str:
        """getCertificate: the SKO's certificate, base64 as the service sends it."""
        return A.text(A.obj(self._call(Action.GET_CERTIFICATE), "getCertificate"), "certificate", "getCertificate")

    def copy(self, number: int) -> Any:
        """copy(N): the stored document number N as the service answers it (nothing prints: printerAddr)."""
        return self._call(Action.COPY, number)

    def document(self, number: int) -> Registration:
        answer = self.copy(number)
        if isinstance(answer, dict) and "currencyReports" in answer:
            z = A.shift_report(answer, "copy")
            return Registration(number=number, uid=z.uid, time=z.closed_at or "", sko_serial=self.token())
        return A.registration(answer, self.token(), "copy")

    def status(self, time: str | None = None) -> SkoStatus:
        """The SKO's state from the published readings (the SKO keeps its own clock: `time` is not sent)."""
        try:
            x: SkoShiftReport | None = self.x_report()
        except SkoError as e:
            if e.code != "SHIFT_CLOSED":
                raise
            x = None
        unsent = self.stored_documents()
        income = A.obj(self._call(Action.GET_TOKEN_BY_SERIAL), "getTokenBySerial").get("income")
        return SkoStatus(authorized=self._authorized, shift_open=bool(x and x.open),
                         shift_number=x.shift_number if x else 0, shift_opened_at=x.opened_at if x and x.open else None,
                         unsent_count=unsent, oldest_unsent_at=None, cash_in_drawer=self.cash_in_drawer(),
                         turnover=A.kop({"income": income}, "income", "token", required=False) or 0,
                         next_number=self.next_number(), uplink_online=unsent == 0)

    # -- documents ----------------------------------------------------------------------------------------
    def register(self, doc: Document, number: int | None = None) -> Registration:
        """Register `doc` through its published call; `number` is what the journal expects next."""
        action, data = build(doc)
        n0 = self.next_number()
        if number is not None and n0 != number:
            raise SkoError("BAD_NUMBER", f"the SKO's next document number is {n0}, the journal expects {number}; "
                                         "nothing was sent")
        self._remember(doc.op_id, n0)
        try:
            return self._registration(doc, action, self._call(action, data), n0)
        except SkoError as e:
            if e.code not in ("SKO_UNKNOWN", "SKO_BAD_ANSWER"):
                raise
            log.warning("SKO outcome of %s %s unknown (%s): looking it up", doc.type, doc.op_id, e.detail)
            try:
                found = self.lookup(doc, n0)
            except SkoError as again:
                log.warning("lookup of %s failed: %s", doc.op_id, again.detail)
                raise e from None
            if found is None:
                raise e from None
            return found

    def _remember(self, op_id: str, n0: int) -> None:
        self._expected[op_id] = n0
        while len(self._expected) > 64:
            self._expected.pop(next(iter(self._expected)))

    def _registration(self, doc: Document, action: Action, answer: Any, n0: int) -> Registration:
        if action is Action.OPEN_SHIFT:
            self._numbered(doc, n0)
            x = self.x_report()
            return Registration(number=n0, uid="", time=x.opened_at or doc.created, sko_serial=self.token())
        if action is Action.CLOSE_SHIFT:
            z = A.shift_report(answer, "closeShift")
            self._numbered(doc, n0)
            return Registration(number=n0, uid=z.uid, time=z.closed_at or doc.created, sko_serial=self.token())
        reg = A.registration(answer, self.token(), action.value)
        if reg.number != n0:
            log.warning("the SKO numbered %s %s as %d; its counter said %d before", doc.type, doc.op_id, reg.number, n0)
        return reg

    def _numbered(self, doc: Document, n0: int) -> None:
        """A shift document's answer has no number: it took n0 when the SKO's counter moved on by one."""
        n1 = self.next_number()
        if n1 != n0 + 1:
            raise SkoError("SKO_NUMBERING", f"{doc.type}: the SKO counter went {n0} → {n1}; the journal numbers every "
                                            "document with the SKO's number")

    def lookup(self, doc: Document, number: int | None = None) -> Registration | None:
        """The registration of `doc` when the SKO has it, None when proven absent, else SKO_UNKNOWN.

        Proof of absence is the SKO's counter not having reached the number the document would take
        (`number`, else the counter read before it was sent in this process)."""
        n = number if number is not None else self._expected.get(doc.op_id)
        nxt = self.next_number()
        if isinstance(doc, ShiftOpen):
            return self._lookup_shift_open(doc, n, nxt)
        if n is not None and nxt <= n:
            if isinstance(doc, Sale) and self.active_sale() is not None:
                raise unknown("the SKO holds an unfinished cheque (getActiveSale)")
            return None
        candidates = [n] if n is not None else list(range(nxt - 1, max(0, nxt - 1 - LOOKBACK), -1))
        reasons = []
        for c in candidates:
            try:
                answer = self.copy(c)
            except SkoError as e:
                if e.sko_code in NOT_STORED:
                    reasons.append(f"№{c}: not stored")
                    continue
                raise
            why = why_not(doc, answer, self.tolerance, self._made_at(answer))
            if why is None:
                return self.document(c) if isinstance(doc, ShiftClose) else A.registration(answer, self.token(), "copy")
            reasons.append(f"№{c}: {why}")
        raise unknown(f"counter at {nxt}; " + "; ".join(reasons))

    def _lookup_shift_open(self, doc: ShiftOpen, n: int | None, nxt: int) -> Registration | None:
        x = self.x_report()
        opened = x.shift_number >= doc.shift
        if n is not None and nxt <= n:
            if opened:
                raise SkoError("SKO_NUMBERING", f"shift {x.shift_number} is open but the counter stayed at {nxt}")
            return None
        if n is not None and nxt == n + 1 and x.shift_number == doc.shift:
            return Registration(number=n, uid="", time=x.opened_at or doc.created, sko_serial=self.token())
        raise unknown(f"shift open: counter at {nxt}, expected {n}; the SKO's shift is {x.shift_number}")

    @staticmethod
    def _made_at(answer: Any) -> datetime | None:
        if not isinstance(answer, dict):
            return None
        header = answer.get("header") if isinstance(answer.get("header"), dict) else {}
        value = header.get("created") or answer.get("closed")
        try:
            return datetime.fromisoformat(A.time_of(value, "created")) if value else None
        except SkoError:
            return None
