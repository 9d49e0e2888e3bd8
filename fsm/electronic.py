"""Card terminals and ОПЛАТИ as the register uses them: each sale, refund, cancel and reversal journaled as an intent first."""
from __future__ import annotations

from fiscal.receipt import Payment, PaymentType
from fsm.context import Stores, new_op_id
from fsm.errors import OperationError
from hal.errors import DeviceError

OPLATI_WAIT_S = 120.0          # how long the customer has to confirm in the ОПЛАТИ app


class Electronic:
    """The terminals and the ОПЛАТИ client behind the intents journal; `oplati_qr` is shown while a customer confirms."""

    def __init__(self, stores: Stores, devices) -> None:
        self.stores = stores
        self.devices = devices
        self.oplati_qr: str | None = None
        self._abort_requested = False
        self._tell_abort = None          # while a device waits: tells it to abort (from any thread)

    # ----- terminals ---------------------------------------------------------------------
    def terminal(self, name: str | None):
        terms = self.devices.terminals
        if not terms:
            raise OperationError("CARD_NO_ANSWER", variant="NO_TERMINAL")
        if name is None:
            return next(iter(terms.values()))
        if name not in terms:
            raise OperationError("CARD_NO_ANSWER", variant="UNKNOWN_TERMINAL", name=name)
        return terms[name]

    def terminal_names(self) -> list[str]:
        return list(self.devices.terminals)

    # ----- the cashier's «Отмена» while a device waits --------------------------------------
    def request_abort(self) -> None:
        """Safe from a progress callback or another thread: the device is told once — at once while it
        waits (the screen's payment runs in a worker, «Отмена» comes from the UI thread), else at its next progress."""
        self._abort_requested = True
        tell = self._tell_abort
        if tell is not None:
            tell()

    def _relay(self, progress, on_abort):
        """Progress for the screen; the first time the cashier has asked to abort, the device is told once."""
        self._abort_requested = False
        told = [False]

        def tell() -> None:
            if not told[0]:
                told[0] = True
                try:
                    on_abort()
                except DeviceError:
                    pass         # the device finishes the operation its own way; its answer decides
        self._tell_abort = tell

        def relay(info) -> None:
            if progress:
                progress(info)
            if self._abort_requested:
                tell()
        return relay

    # ----- card ----------------------------------------------------------------------------
    def card_sale(self, op_id: str, amount: int, name: str | None, progress) -> dict:
        term = self.terminal(name)
        journal = self.stores.journal
        intent_id = new_op_id()
        journal.add_intent(intent_id, "card", {"op_id": op_id, "amount": amount, "terminal": term.name})
        try:
            res = term.sale(amount, intent_id, self._relay(progress, term.abort))
        except DeviceError as e:
            res = recover_card(term, intent_id)
            if res is None:
                journal.set_intent_result(intent_id, "declined", {"error": e.code})
                code = "CARD_TIMEOUT" if e.code in ("CARD_TIMEOUT", "CARD_NO_ANSWER", "NO_ANSWER") else e.code
                raise OperationError(code, e.detail, **e.params) from None
        finally:
            self._tell_abort = None
        if not res.approved:
            journal.set_intent_result(intent_id, "declined", {"status": res.status, "message": res.message})
            if res.status == 53:
                raise OperationError("PAYMENT_CANCELLED")
            raise OperationError("CARD_DECLINED", variant="CARD_DECLINED_WHY", why=res.message or res.status)
        result = card_result(res, term.name)
        journal.set_intent_result(intent_id, "approved", result)
        return result

    def card_refund(self, p: Payment, sale) -> Payment:
        orig = next((x for x in (sale.payments if sale else ()) if x.type is PaymentType.CARD), None)
        if orig is None or not orig.ref:
            raise OperationError("CARD_DECLINED", variant="REFUND_NEEDS_RRN")
        term = self.terminal(orig.terminal)
        try:
            res = term.refund(p.amount, orig.ref, new_op_id())
        except DeviceError as e:
            raise OperationError.carrying(e) from None
        if not res.approved:
            raise OperationError("CARD_DECLINED", variant="CARD_DECLINED_WHY", why=res.message or res.status)
        return Payment(PaymentType.CARD, p.amount, res.rrn, term.name)

    def card_cancel(self, terminal: str | None, amount: int, rrn: str) -> None:
        try:
            res = self.terminal(terminal).cancel(amount, rrn, new_op_id())
        except DeviceError as e:
            raise OperationError.carrying(e) from None
        if not res.approved:
            raise OperationError("CARD_DECLINED", variant="CARD_DECLINED_WHY" if res.message else None, why=res.message)

    # ----- ОПЛАТИ ------------------------------------------------------------------------------
    def oplati_sale(self, op_id: str, amount: int, lines, shift: int, progress) -> dict:
        client = self.devices.oplati
        if client is None:
            raise OperationError("OPLATI_OFFLINE", variant="OPLATI_MISSING")
        journal = self.stores.journal
        intent_id = new_op_id()
        journal.add_intent(intent_id, "oplati", {"op_id": op_id, "amount": amount})
        try:
            created = client.create_payment(amount, intent_id, lines, str(shift))
            journal.set_intent_result(intent_id, "started", {"payment_id": created.payment_id})
            self.oplati_qr = created.qr          # the screen shows it while the customer confirms
            final = client.wait(created.payment_id, timeout=OPLATI_WAIT_S,
                                progress=self._relay(progress, lambda: client.cancel(created.payment_id)))
        except DeviceError as e:
            still_open = getattr(getattr(e, "payment", None), "final", True) is False
            journal.set_intent_result(intent_id, "unknown" if still_open else "declined", {"error": e.code})
            if e.code == "OPLATI_CANCELLED" and self._abort_requested:
                raise OperationError("PAYMENT_CANCELLED") from None
            raise OperationError.carrying(e) from None
        finally:
            self.oplati_qr = None
            self._tell_abort = None
        result = {"ref": str(final.payment_id), "payment_id": str(final.payment_id)}
        journal.set_intent_result(intent_id, "approved", result)
        return result

    def oplati_refund(self, p: Payment, sale) -> Payment:
        orig = next((x for x in (sale.payments if sale else ()) if x.type is PaymentType.OPLATI), None)
        if orig is None or not orig.ref or self.devices.oplati is None:
            raise OperationError("OPLATI_DECLINED", variant="REFUND_NEEDS_OPLATI")
        try:
            rev = self.devices.oplati.reverse(orig.ref, p.amount, [])
        except DeviceError as e:
            raise OperationError.carrying(e) from None
        return Payment(PaymentType.OPLATI, p.amount, str(getattr(rev, "reversal_id", orig.ref)))

    def oplati_reverse(self, ref: str, amount: int) -> None:
        if self.devices.oplati is None:
            raise OperationError("OPLATI_OFFLINE", variant="OPLATI_MISSING")
        try:
            self.devices.oplati.reverse(ref, amount, [])
        except DeviceError as e:
            raise OperationError.carrying(e) from None

    def give_back(self, payments) -> None:
        """Annulling a sale returns its card money (terminal cancel by RRN) and its ОПЛАТИ money (reversal)."""
        for p in payments:
            if p.type is PaymentType.CARD:
                self.card_cancel(p.terminal, p.amount, p.ref or "")
            elif p.type is PaymentType.OPLATI and self.devices.oplati is not None:
                self.oplati_reverse(p.ref, p.amount)


def card_result(res, terminal: str) -> dict:
    return {"ref": res.rrn, "rrn": res.rrn, "auth_code": res.auth_code, "pan": res.pan_masked,
            "terminal": terminal, "slip": list(res.slip)}


def recover_card(term, intent_id: str):
    """A lost answer: ask the terminal what became of this transaction."""
    try:
        res = term.status(intent_id)
    except DeviceError:
        return None
    return res if res.approved else None
