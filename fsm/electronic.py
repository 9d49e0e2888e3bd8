"""Card terminals and ОПЛАТИ as the register uses them: every sale, refund, cancel and reversal is an Effect first.

The order is always: journal the effect (intended) → mark it sent → ask the device → store
its answer. A lost answer is asked about at once by the effect's key (the ECR transaction id,
the ОПЛАТИ payment); what still cannot be learned stays unknown (`CARD_UNKNOWN`,
`OPLATI_UNKNOWN`) and the next attempt asks again before anything is charged.
"""
from __future__ import annotations

import logging

from fiscal.receipt import PaymentType
from fsm.context import Stores
from fsm.errors import OperationError
from fsm.intents import Effect, PaymentIntents
from hal.errors import DeviceError
from hal.interfaces import CardOutcome
from hal.protocols.oplati import reversal_order_number

log = logging.getLogger("zpos.payments")
OPLATI_WAIT_S = 120.0          # how long the customer has to confirm in the ОПЛАТИ app
ABORTED = 53                   # the terminal's status for an operation the cashier aborted


def card_result(res, terminal: str) -> dict:
    return {"ref": res.rrn, "rrn": res.rrn, "auth_code": res.auth_code, "pan": res.pan_masked,
            "terminal": terminal, "slip": list(res.slip)}


class Electronic:
    """The terminals and the ОПЛАТИ client behind the intents journal; `oplati_qr` is shown while a customer confirms."""

    def __init__(self, stores: Stores, devices, intents: PaymentIntents) -> None:
        self.stores = stores
        self.devices = devices
        self.intents = intents
        self.oplati_qr: str | None = None
        self.on_qr = lambda amount, qr: None       # the customer's display shows the ОПЛАТИ QR too
        self._abort_requested = False
        self._tell_abort = None

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
        """Safe from a progress callback or another thread: the device is told once — at once while it waits
        (the screen's payment runs in a worker; «Отмена» comes from the UI thread; the card driver serialises
        its writes), else at its next progress."""
        self._abort_requested = True
        tell = self._tell_abort
        if tell is not None:
            tell()

    def _relay(self, progress, on_abort):
        """Progress for the screen; the first time the cashier has asked to abort, the device is told once."""
        self._abort_requested = False
        told = [False]

        def tell() -> None:
            if not told[0] and on_abort is not None:
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
    def card(self, kind: str, op_id: str, amount: int, terminal: str | None, rrn: str = "", progress=None,
             effect: Effect | None = None) -> Effect:
        """A card sale, refund or cancel at a terminal, journaled first; returns the approved effect."""
        term = self.terminal(terminal)
        effect = effect or self.intents.begin(kind, {"op_id": op_id, "amount": amount, "terminal": term.name,
                                                     "rrn": rrn})
        effect.sent()
        call = {"card_sale": lambda: term.sale(amount, effect.intent_id, self._relay(progress, term.abort)),
                "card_refund": lambda: term.refund(amount, rrn, effect.intent_id, self._relay(progress, term.abort)),
                "card_cancel": lambda: term.cancel(amount, rrn, effect.intent_id, self._relay(progress, term.abort))}
        try:
            try:
                res = call[kind]()
            finally:
                self._tell_abort = None           # the wait is over: a late «Отмена» tells nobody
        except DeviceError as e:
            log.warning("card %s %s on %s: no answer (%s); asking the terminal", kind, effect.intent_id, term.name,
                        e.detail)
            self.ask_card(effect)
            if effect.status != "approved":
                self._refuse_unknown_or_declined(effect, e)
            return effect
        if not res.approved:
            effect.declined({"status": res.status, "message": res.message, "slip": list(res.slip)})
            if res.status == ABORTED:
                raise OperationError("PAYMENT_CANCELLED")
            raise OperationError("CARD_DECLINED", variant="CARD_DECLINED_WHY" if res.message else None,
                                 why=res.message)
        effect.approved(card_result(res, term.name))
        return effect

    def ask_card(self, effect: Effect) -> None:
        """Ask the terminal about this effect's transaction id; no usable answer leaves it unknown."""
        try:
            st = self.terminal(effect.terminal).status(effect.intent_id)
        except (DeviceError, OperationError) as e:
            effect.resolved(None, {"lost": getattr(e, "detail", "") or str(e.code)})
            return
        if st.outcome is CardOutcome.APPROVED and st.result is not None:
            effect.resolved(True, card_result(st.result, effect.terminal or ""))
        elif st.outcome in (CardOutcome.DECLINED, CardOutcome.NOT_FOUND):
            effect.resolved(False, {"status": st.outcome.value})
        else:
            effect.resolved(None, {"lost": st.detail or "the terminal could not tell"})

    @staticmethod
    def _refuse_unknown_or_declined(effect: Effect, e: DeviceError) -> None:
        if effect.status == "declined":
            raise OperationError("CARD_TIMEOUT" if e.code in ("CARD_TIMEOUT", "CARD_NO_ANSWER", "NO_ANSWER")
                                 else e.code, e.detail, **e.params)
        raise OperationError("CARD_UNKNOWN", e.detail, device=effect.terminal or "")

    # ----- ОПЛАТИ ------------------------------------------------------------------------------
    def _oplati(self):
        if self.devices.oplati is None:
            raise OperationError("OPLATI_OFFLINE", variant="OPLATI_MISSING")
        return self.devices.oplati

    def oplati_sale(self, op_id: str, amount: int, lines, shift: int, progress=None) -> Effect:
        """An ОПЛАТИ payment: created under the effect's id as its order number, then waited for. «Отмена»
        stops the waiting, not the payment (there is no register-side cancel): it stays unknown until the
        service ends it, and no second tender is taken for the receipt meanwhile."""
        client = self._oplati()
        effect = self.intents.begin("oplati_sale", {"op_id": op_id, "amount": amount, "shift": str(shift)})
        effect.sent()
        try:
            created = client.create_payment(amount, effect.intent_id, lines, str(shift))
        except DeviceError as e:
            if e.code == "OPLATI_UNKNOWN":       # sent, but no usable answer: the shift report will tell
                effect.lost(str(e.code))
                raise OperationError("OPLATI_UNKNOWN", e.detail) from None
            effect.resolved(False, {"error": str(e.code)})   # refused: no payment exists, no QR was shown
            raise OperationError.carrying(e) from None
        effect.result.update({"payment_id": str(created.payment_id)})
        self.stores.journal.intents.set(effect.intent_id, effect.status, effect.result)
        self.oplati_qr = created.redirect_url     # the screen shows it while the customer confirms
        self.on_qr(amount, created.redirect_url)
        if progress is not None:                  # the QR on the screen at once, not at the first status poll
            progress({"qr": created.redirect_url})
        self._abort_requested = False
        try:
            final = client.wait(created.payment_id, timeout=OPLATI_WAIT_S, progress=progress,
                                should_stop=lambda: self._abort_requested)
        except DeviceError as e:
            if e.code == "OPLATI_UNKNOWN":
                effect.lost(str(getattr(e, "variant", None) or e.code))
                raise OperationError("OPLATI_UNKNOWN", e.detail) from None
            payment = getattr(e, "payment", None)
            effect.declined({"status": int(payment.status) if payment is not None else None, "error": str(e.code)})
            raise OperationError.carrying(e) from None
        finally:
            self.oplati_qr = None
        effect.approved({"ref": str(final.payment_id), "payment_id": str(final.payment_id)})
        return effect

    def ask_oplati(self, effect: Effect) -> None:
        """Ask ОПЛАТИ about a payment whose answer was lost: by its id, or by its order number in the shift."""
        payment_id = effect.result.get("payment_id")
        try:
            if payment_id:
                pay = self._oplati().status(payment_id)
            else:
                pay = self._oplati().find(effect.intent_id, str(effect.payload.get("shift", "")))
                if pay is None:
                    effect.resolved(False, {"error": "the shift report shows no such payment"})
                    return
                payment_id = str(pay.payment_id)
                effect.result["payment_id"] = payment_id
        except (DeviceError, OperationError) as e:
            effect.resolved(None, {"lost": getattr(e, "detail", "") or str(e.code)})
            return
        if pay.ok:
            effect.resolved(True, {"ref": str(payment_id), "payment_id": str(payment_id)})
        elif pay.final:
            effect.resolved(False, {"status": int(pay.status)})
        else:
            effect.resolved(None, {"lost": "still waiting for the customer"})

    def oplati_reverse(self, op_id: str, payment_id: str, amount: int, effect: Effect | None = None,
                       shift: int | None = None) -> Effect:
        """A (partial) reversal whose order number derives from the effect's id, so a repeat after a lost answer
        is the same reversal and cannot refund twice; it counts only when the service completed it."""
        client = self._oplati()
        effect = effect or self.intents.begin("oplati_reversal", {"op_id": op_id, "amount": amount,
                                                                  "payment_id": str(payment_id)})
        effect.sent()
        try:
            rev = client.reverse(payment_id, amount, [], operation_id=effect.intent_id,
                                 shift=str(shift) if shift is not None else None)
        except DeviceError as e:
            if e.code == "OPLATI_UNKNOWN":
                effect.lost(str(e.code))
                raise OperationError("OPLATI_UNKNOWN", e.detail) from None
            effect.declined({"error": str(e.code)})
            raise OperationError.carrying(e) from None
        effect.approved({"ref": str(rev.reversal_id)})
        return effect

    def give_back(self, op_id: str, planned, card_kind: str, shift: int, after_card=None) -> None:
        """The money of a refund or an annulment (`op_id`) back the way it came: each (payment, intent id) of
        `planned` is journaled as an intent before the terminal (`card_kind`: card_refund | card_cancel, against
        the payment's RRN) or ОПЛАТИ (a reversal of the payment's id) is asked. `after_card()` follows each card
        answer (the terminal's slip is printed there)."""
        for p, intent_id in planned:
            if p.type is PaymentType.CARD:
                effect = self.intents.begin(card_kind, {"op_id": op_id, "amount": p.amount, "terminal": p.terminal,
                                                        "rrn": p.ref or ""}, intent_id)
                self.card(card_kind, op_id, p.amount, p.terminal, rrn=p.ref or "", effect=effect)
                if after_card is not None:
                    after_card()
            else:
                effect = self.intents.begin("oplati_reversal", {"op_id": op_id, "amount": p.amount,
                                                                "payment_id": p.ref or "", "shift": str(shift)},
                                            intent_id)
                self.oplati_reverse(op_id, p.ref or "", p.amount, effect=effect, shift=shift)

    def resume_incomplete(self, registrar, same) -> object | None:
        """An earlier attempt of this operation is journaled but its money step did not finish (a lost answer):
        ask the devices about it; when all of its money moved, register it and return its outcome; when the
        answer is still unknown, refuse (never send the money twice); when it never happened, drop it."""
        journal = self.stores.journal
        for entry in journal.pending():
            if not same(entry) or registrar.path.ready_to_register(entry):
                continue
            effects = self.intents.for_document(entry.op_id)
            for effect in effects:
                if effect.status in ("sent", "unknown"):
                    self.ask(effect)
            if any(e.status in ("sent", "unknown") for e in effects):
                raise OperationError("CARD_UNKNOWN", f"document {entry.op_id}: an effect is still unknown",
                                     device=next((e.terminal or "" for e in effects), ""))
            if registrar.path.ready_to_register(entry):
                return registrar.fiscalize(entry.doc, same=lambda e, op=entry.op_id: e.op_id == op)
            if not registrar.path.money_moved(entry.op_id):
                journal.discard_pending(entry.op_id, "its money step was declined")
        return None

    def ask(self, effect: Effect) -> None:
        """Ask the device about an effect whose answer was lost (start-up, retry)."""
        if effect.kind.startswith("card"):
            self.ask_card(effect)
        elif effect.kind == "oplati_sale":
            self.ask_oplati(effect)
        elif effect.kind == "oplati_reversal":
            self.ask_reversal(effect)
        else:
            effect.resolved(None, {"lost": f"no way to ask about {effect.kind}"})

    def ask_reversal(self, effect: Effect) -> None:
        """A reversal whose answer was lost: found by its derived order number in the shift report."""
        try:
            client = self._oplati()
            found = client.find(reversal_order_number(effect.intent_id), str(effect.payload.get("shift", "")))
        except (DeviceError, OperationError) as e:
            effect.resolved(None, {"lost": getattr(e, "detail", "") or str(e.code)})
            return
        if found is None:
            effect.resolved(False, {"error": "the shift report shows no such reversal"})
        elif found.ok:
            effect.resolved(True, {"ref": str(found.payment_id)})
        elif found.final:
            effect.resolved(False, {"status": int(found.status)})
        else:
            effect.resolved(None, {"lost": "the reversal is still running"})
