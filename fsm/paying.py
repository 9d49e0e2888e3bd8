"""Payment: every tender type, card on one of several terminals, ОПЛАТИ QR, and the unfinished-sale rule.

A card or ОПЛАТИ payment is journaled as an intent before the terminal or the service is
asked and its result right after, so an approved payment whose receipt was not registered
(power loss, SKO down) is never lost: it blocks new sales until the sale is completed
with it, or it is cancelled at the terminal.
"""
from __future__ import annotations

from fiscal.documents import Sale, priced_fields
from fiscal.errors import FiscalError
from fiscal.money import parse_money
from fiscal.receipt import Payment, PaymentType
from fsm.errors import OperationError
from fsm.open_receipt import OpenReceipt
from hal.errors import DeviceError

ELECTRONIC = (PaymentType.CARD, PaymentType.OPLATI)
OPLATI_WAIT_S = 120.0          # how long the customer has to confirm in the ОПЛАТИ app


class PaymentOps:
    """Mixin of fsm.register.Register."""

    # ----- the unfinished sale ----------------------------------------------------------
    def approved_intents(self) -> list:
        return [i for i in self.journal.open_intents() if i.status == "approved"]

    def ensure_unfinished_resolved(self) -> None:
        """An approved card/ОПЛАТИ payment of a receipt other than the one on screen blocks selling."""
        for intent in self.approved_intents():
            if intent.payload.get("op_id") != self.receipt.op_id or not self.receipt.lines:
                raise OperationError("UNFINISHED_SALE")

    def cancel_unfinished(self) -> int:
        """Give back every approved but not fiscalised payment (terminal cancel / ОПЛАТИ reversal)."""
        n = 0
        for intent in self.approved_intents():
            p = intent.payload
            try:
                if intent.kind == "card":
                    term = self.terminal(p.get("terminal"))
                    res = term.cancel(p["amount"], intent.result.get("rrn", ""), self.new_op_id())
                    if not res.approved:
                        raise OperationError("CARD_DECLINED", variant="CARD_DECLINED_WHY" if res.message else None, why=res.message)
                else:
                    self.devices.oplati.reverse(intent.result["payment_id"], p["amount"], [])
            except DeviceError as e:
                raise OperationError.carrying(e) from None
            self.journal.set_intent_result(intent.intent_id, "cancelled", intent.result)
            n += 1
        return n

    def recover_intents(self) -> None:
        """At start-up: a card or ОПЛАТИ payment whose answer was lost is asked about again."""
        for intent in self.journal.open_intents():
            if intent.status == "approved":
                continue
            try:
                if intent.kind == "card":
                    res = self.terminal(intent.payload.get("terminal")).status(intent.intent_id)
                    if res.approved:
                        self.journal.set_intent_result(intent.intent_id, "approved", {
                            "ref": res.rrn, "rrn": res.rrn, "auth_code": res.auth_code, "pan": res.pan_masked,
                            "terminal": intent.payload.get("terminal"), "slip": list(res.slip)})
                    else:
                        self.journal.set_intent_result(intent.intent_id, "declined", {"status": res.status})
                elif intent.kind == "oplati" and self.devices.oplati is not None and intent.result:
                    pay = self.devices.oplati.status(intent.result["payment_id"])
                    if pay.ok:
                        self.journal.set_intent_result(intent.intent_id, "approved",
                                                       {"ref": pay.ref, "payment_id": pay.ref})
                    elif pay.final:
                        self.journal.set_intent_result(intent.intent_id, "declined", {"status": int(pay.status)})
                else:
                    self.journal.set_intent_result(intent.intent_id, "declined", {"error": "NO_ANSWER_RECORDED"})
            except (DeviceError, OperationError):
                continue        # still unknown: it keeps blocking and is asked again at the next start

    # ----- paying -----------------------------------------------------------------------
    def parse_payments(self, amounts: dict) -> list[Payment]:
        out = []
        for key, value in amounts.items():
            try:
                ptype = PaymentType(key)
            except ValueError:
                raise OperationError("BAD_PAYMENT_TYPE", variant="BAD_PAYMENT_TYPE_NAMED", type=key) from None
            try:
                out.append(Payment(ptype, parse_money(str(value), key, exact=False)))
            except FiscalError as e:
                raise OperationError.carrying(e) from None
        return out

    def terminal(self, name: str | None):
        terms = self.devices.terminals
        if not terms:
            raise OperationError("CARD_NO_ANSWER", variant="NO_TERMINAL")
        if name is None:
            return next(iter(terms.values()))
        if name not in terms:
            raise OperationError("CARD_NO_ANSWER", variant="UNKNOWN_TERMINAL", name=name)
        return terms[name]

    def pay(self, amounts: dict, terminal: str | None = None, progress=None):
        """Pay the open receipt with one or several tender types; on success the receipt is registered and printed."""
        payments = self.parse_payments(amounts)
        if self.state == "self_service":
            if any(p.type not in ELECTRONIC for p in payments):
                raise OperationError("NOT_ALLOWED", variant="NOT_ALLOWED.self_service_card_only")
        else:
            self.require("sale")
            for p in payments:
                self.require(f"pay_{p.type.value}")
        if not self.receipt.lines:
            raise OperationError("EMPTY_RECEIPT")
        self.ensure_unfinished_resolved()
        pending = self.pending_sale()
        if pending is None:
            try:
                self.receipt.calc(payments, self.vat_table())
            except FiscalError as e:
                raise OperationError.carrying(e) from None
        self.check_printer()
        if self.state == "receipt":
            self.life.start_payment()
        if str(self.payment_sm.current_state_value) == "idle":
            self.payment_sm.begin()
        try:
            doc = pending or self.build_sale(payments, terminal, progress)
            self.payment_sm.fiscalize()
            outcome = self.fiscalize_sale(doc, retry=pending is not None)
        except BaseException:
            self.payment_sm.failed()
            self.forget_unused_op_id()
            if self.state == "payment":
                self.life.payment_cancelled()
            raise
        self.payment_sm.registered()
        self.after_sale(doc)
        if self.state == "payment":
            self.life.payment_done()
        return outcome

    def pending_sale(self):
        """The sale of this receipt already journaled (the SKO did not answer): a retry sends it as it is."""
        if self.receipt.op_id is None:
            return None
        entry = self.journal.get(self.receipt.op_id)
        return entry.doc if entry is not None and entry.status == "pending" else None

    def build_sale(self, payments, terminal, progress) -> Sale:
        if self.receipt.op_id is None:
            self.receipt.op_id = self.new_op_id()
            self.save_draft()
        settled = [self.authorize_electronic(p, terminal, progress) if p.type in ELECTRONIC else p
                   for p in payments]
        if any(p.type in ELECTRONIC for p in payments):
            self.path.crash.point("after_payment")
        calc = self.receipt.calc(settled, self.vat_table())
        return Sale(op_id=self.receipt.op_id, shift=self.shift_number, cashier=self.cashier_name,
                    created=self.now(), discount_card=self.receipt.discount_card, **priced_fields(calc))

    def fiscalize_sale(self, doc, retry: bool):
        if not retry:
            return self.fiscalize(doc)
        from fsm.register import device_error
        from hal.errors import SkoError
        try:
            reg = self.path.settle(doc)
        except SkoError as e:
            raise device_error(e) from None
        outcome = self.path.print_registered(doc, reg)
        self.last_outcome = outcome
        return outcome

    def forget_unused_op_id(self) -> None:
        """After a refusal before anything was journaled or charged, the receipt is as it was."""
        op_id = self.receipt.op_id
        if op_id is None or self.journal.get(op_id) is not None:
            return
        if any(i.payload.get("op_id") == op_id for i in self.approved_intents()):
            return
        self.receipt.op_id = None
        self.save_draft()

    def after_sale(self, doc) -> None:
        for intent in self.journal.open_intents():
            if intent.payload.get("op_id") == doc.op_id:
                self.journal.close_intent(intent.intent_id, doc.op_id)
        self.move_stock(doc.lines, -1)
        self.receipt = OpenReceipt()
        self.save_draft()

    def move_stock(self, lines, sign: int) -> None:
        """One catalog write per document: stock leaves with a sale and comes back with a refund or annulment."""
        deltas: dict[str, int] = {}
        for ln in lines:
            item = self.catalog.by_code(ln.code) if ln.code else None
            if item is not None and item.stock is not None:
                deltas[ln.code] = deltas.get(ln.code, 0) + sign * ln.qty
        if deltas:
            self.catalog.adjust_stock_many(deltas)

    def cancel_payment(self) -> None:
        if str(self.payment_sm.current_state_value) != "idle":
            self.payment_sm.abandon()
        if self.state == "payment":
            self.life.payment_cancelled()

    def authorize_electronic(self, p: Payment, terminal: str | None, progress) -> Payment:
        """Card at a terminal or ОПЛАТИ: reuse an approved intent of this receipt, else ask and journal."""
        kind = "card" if p.type is PaymentType.CARD else "oplati"
        for intent in self.approved_intents():
            if (intent.kind == kind and intent.payload.get("op_id") == self.receipt.op_id
                    and intent.payload.get("amount") == p.amount):
                return Payment(p.type, p.amount, intent.result.get("ref"), intent.payload.get("terminal"))
        self.payment_sm.authorize()
        try:
            result = self.card_sale(p.amount, terminal, progress) if kind == "card" else self.oplati_sale(p.amount, progress)
        except BaseException:
            self.payment_sm.declined()
            raise
        self.payment_sm.authorized()
        return Payment(p.type, p.amount, result["ref"], result.get("terminal"))

    def request_abort(self) -> None:
        """The cashier's «Отмена» while a card or ОПЛАТИ payment waits (safe from a progress callback)."""
        self._abort_requested = True

    def _relay(self, progress, on_abort):
        """Progress for the screen; the first time the cashier has asked to abort, the device is told once."""
        self._abort_requested = False
        told = [False]

        def relay(info) -> None:
            if progress:
                progress(info)
            if getattr(self, "_abort_requested", False) and not told[0]:
                told[0] = True
                try:
                    on_abort()
                except DeviceError:
                    pass         # the device finishes the operation its own way; its answer decides
        return relay

    def card_sale(self, amount: int, name: str | None, progress) -> dict:
        term = self.terminal(name)
        intent_id = self.new_op_id()
        payload = {"op_id": self.receipt.op_id, "amount": amount, "terminal": term.name}
        self.journal.add_intent(intent_id, "card", payload)
        try:
            res = term.sale(amount, intent_id, self._relay(progress, term.abort))
        except DeviceError as e:
            res = self.recover_card(term, intent_id)
            if res is None:
                self.journal.set_intent_result(intent_id, "declined", {"error": e.code})
                code = "CARD_TIMEOUT" if e.code in ("CARD_TIMEOUT", "CARD_NO_ANSWER", "NO_ANSWER") else e.code
                raise OperationError(code, e.detail, **e.params) from None
        if not res.approved:
            self.journal.set_intent_result(intent_id, "declined", {"status": res.status, "message": res.message})
            if res.status == 53:
                raise OperationError("PAYMENT_CANCELLED")
            raise OperationError("CARD_DECLINED", variant="CARD_DECLINED_WHY", why=res.message or res.status)
        result = {"ref": res.rrn, "rrn": res.rrn, "auth_code": res.auth_code, "pan": res.pan_masked,
                  "terminal": term.name, "slip": list(res.slip)}
        self.journal.set_intent_result(intent_id, "approved", result)
        return result

    @staticmethod
    def recover_card(term, intent_id: str):
        """A lost answer: ask the terminal what became of this transaction."""
        try:
            res = term.status(intent_id)
        except DeviceError:
            return None
        return res if res.approved else None

    def oplati_sale(self, amount: int, progress) -> dict:
        client = self.devices.oplati
        if client is None:
            raise OperationError("OPLATI_OFFLINE", variant="OPLATI_MISSING")
        intent_id = self.new_op_id()
        self.journal.add_intent(intent_id, "oplati", {"op_id": self.receipt.op_id, "amount": amount})
        try:
            created = client.create_payment(amount, intent_id, [(ln.name, ln.total) for ln in self.receipt.calc().lines],
                                            str(self.shift_number))
            self.journal.set_intent_result(intent_id, "started", {"payment_id": created.payment_id})
            self.oplati_qr = created.qr          # the screen shows it while the customer confirms
            final = client.wait(created.payment_id, timeout=OPLATI_WAIT_S,
                                progress=self._relay(progress, lambda: client.cancel(created.payment_id)))
        except DeviceError as e:
            still_open = getattr(getattr(e, "payment", None), "final", True) is False
            # A deadline whose cancel could not be delivered leaves the payment's fate unknown:
            # the intent stays open and recovery asks the service again.
            self.journal.set_intent_result(intent_id, "unknown" if still_open else "declined", {"error": e.code})
            if e.code == "OPLATI_CANCELLED" and getattr(self, "_abort_requested", False):
                raise OperationError("PAYMENT_CANCELLED") from None
            raise OperationError.carrying(e) from None
        finally:
            self.oplati_qr = None
        result = {"ref": str(final.payment_id), "payment_id": str(final.payment_id)}
        self.journal.set_intent_result(intent_id, "approved", result)
        return result
