"""The unfinished-sale rule: approved card/ОПЛАТИ money without a registered sale, asked about and settled.

An approved payment whose receipt was not registered (power loss, SKO down) is never lost:
it blocks new sales until the sale is completed with it, or the money is explicitly given
back (a separate, permission-checked action).
"""
from __future__ import annotations

from fsm.context import Stores
from fsm.electronic import Electronic, card_result
from fsm.errors import OperationError
from hal.errors import DeviceError


class PaymentIntents:
    def __init__(self, stores: Stores, electronic: Electronic) -> None:
        self.stores = stores
        self.electronic = electronic

    def approved(self) -> list:
        return [i for i in self.stores.journal.open_intents() if i.status == "approved"]

    def approved_for(self, op_id: str | None) -> list:
        return [i for i in self.approved() if op_id is not None and i.payload.get("op_id") == op_id]

    def has_unfinished(self, op_id: str | None) -> bool:
        return bool(self.approved_for(op_id))

    def ensure_resolved(self, receipt) -> None:
        """An approved card/ОПЛАТИ payment of a receipt other than the one on screen blocks selling."""
        for intent in self.approved():
            if intent.payload.get("op_id") != receipt.op_id or not receipt.lines:
                raise OperationError("UNFINISHED_SALE")

    def reuse(self, kind: str, op_id: str | None, amount: int):
        """An approved intent of this receipt for this tender and amount (a retry never charges again)."""
        for intent in self.approved_for(op_id):
            if intent.kind == kind and intent.payload.get("amount") == amount:
                return intent
        return None

    def close_for(self, op_id: str) -> None:
        for intent in self.stores.journal.open_intents():
            if intent.payload.get("op_id") == op_id:
                self.stores.journal.close_intent(intent.intent_id, op_id)

    def give_back_unfinished(self) -> int:
        """Give back every approved but not fiscalised payment (terminal cancel / ОПЛАТИ reversal)."""
        n = 0
        for intent in self.approved():
            p = intent.payload
            if intent.kind == "card":
                self.electronic.card_cancel(p.get("terminal"), p["amount"], intent.result.get("rrn", ""))
            else:
                self.electronic.oplati_reverse(intent.result["payment_id"], p["amount"])
            self.stores.journal.set_intent_result(intent.intent_id, "cancelled", intent.result)
            n += 1
        return n

    def recover(self) -> None:
        """At start-up: a card or ОПЛАТИ payment whose answer was lost is asked about again."""
        journal = self.stores.journal
        for intent in journal.open_intents():
            if intent.status == "approved":
                continue
            try:
                if intent.kind == "card":
                    term = self.electronic.terminal(intent.payload.get("terminal"))
                    res = term.status(intent.intent_id)
                    if res.approved:
                        journal.set_intent_result(intent.intent_id, "approved", card_result(res, term.name))
                    else:
                        journal.set_intent_result(intent.intent_id, "declined", {"status": res.status})
                elif intent.kind == "oplati" and self.electronic.devices.oplati is not None and intent.result:
                    pay = self.electronic.devices.oplati.status(intent.result["payment_id"])
                    if pay.ok:
                        journal.set_intent_result(intent.intent_id, "approved", {"ref": pay.ref, "payment_id": pay.ref})
                    elif pay.final:
                        journal.set_intent_result(intent.intent_id, "declined", {"status": int(pay.status)})
                else:
                    journal.set_intent_result(intent.intent_id, "declined", {"error": "NO_ANSWER_RECORDED"})
            except (DeviceError, OperationError):
                continue        # still unknown: it keeps blocking and is asked again at the next start
