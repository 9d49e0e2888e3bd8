"""Outside effects as persistent state machines: each card or ОПЛАТИ operation is journaled before it is sent.

`Effect` binds one journal row (storage.intents) to `IntentMachine`: intended → sent →
approved | declined | unknown. Unknown is never declined: it moves only when the device was
asked about this effect's key (`resolve`). `PaymentIntents` answers the questions the
register asks of them: what is approved for a receipt, what is still unknown, what blocks
selling, and what start-up must ask the devices again.
"""
from __future__ import annotations

from fsm.context import Stores, new_op_id
from fsm.errors import OperationError
from fsm.machines import IntentMachine, state_of
from storage.journal_schema import Intent, IntentStatus

SALE_KINDS = ("card_sale", "oplati_sale")


class Effect:
    """The model of IntentMachine for one journaled effect (the machine keeps its state in `self.state`)."""

    def __init__(self, log, intent: Intent) -> None:
        self._log = log
        self.intent_id = intent.intent_id
        self.kind = intent.kind
        self.payload = intent.payload
        self.result: dict = dict(intent.result or {})
        self._asked = False
        self.machine = IntentMachine(model=self, start_value=intent.status.value)

    # ----- guards and persistence --------------------------------------------------------
    def asked_device(self) -> bool:
        return self._asked

    def after_transition(self) -> None:
        self._log.set(self.intent_id, self.state, self.result)

    # ----- facts -----------------------------------------------------------------------------
    @property
    def status(self) -> str:
        return state_of(self.machine)

    @property
    def amount(self) -> int:
        return int(self.payload.get("amount", 0))

    @property
    def op_id(self) -> str | None:
        return self.payload.get("op_id")

    @property
    def terminal(self) -> str | None:
        return self.payload.get("terminal")

    # ----- what happened -----------------------------------------------------------------------
    def sent(self) -> None:
        self.machine.send("send_it")

    def approved(self, result: dict) -> None:
        self.result.update(result)
        self.machine.send("approve")

    def declined(self, result: dict) -> None:
        self.result.update(result)
        self.machine.send("decline")

    def lost(self, why: str) -> None:
        """The answer did not come: unknown until the device is asked about this key."""
        self.result["lost"] = why
        self.machine.send("lose")

    def resolved(self, approved: bool | None, result: dict) -> None:
        """The device was asked about this key: approved, proven absent (declined), or still no answer (None)."""
        if approved is None:
            if self.status != "unknown":
                self.lost(result.get("lost", "no answer to the status query"))
            return
        self._asked = True
        if self.status == "intended":
            self.machine.send("send_it")
        (self.approved if approved else self.declined)(result)

    def given_back(self) -> None:
        self.machine.send("give_back")


class PaymentIntents:
    def __init__(self, stores: Stores) -> None:
        self.stores = stores

    @property
    def _log(self):
        return self.stores.journal.intents

    def begin(self, kind: str, payload: dict, intent_id: str | None = None) -> Effect:
        intent = self._log.add(intent_id or new_op_id(), kind, payload)
        return Effect(self._log, intent)

    def load(self, intent_id: str) -> Effect:
        return Effect(self._log, self._log.get(intent_id))

    def open(self) -> list[Effect]:
        return [Effect(self._log, i) for i in self._log.open()]

    def for_document(self, op_id: str | None) -> list[Effect]:
        if op_id is None:
            return []
        return [Effect(self._log, i) for i in self._log.for_document(op_id)]

    def approved_for(self, op_id: str | None, kinds=SALE_KINDS) -> list[Effect]:
        """Approved and not yet settled effects of a receipt (money taken for it)."""
        return [e for e in self.for_document(op_id) if e.kind in kinds and e.status == IntentStatus.APPROVED]

    def unresolved_for(self, op_id: str | None, kinds=SALE_KINDS) -> list[Effect]:
        """Effects of a receipt sent but not answered: their fate is still unknown."""
        return [e for e in self.for_document(op_id) if e.kind in kinds and e.status in ("sent", "unknown")]

    def paid_by(self, op_id: str | None) -> dict[str, int]:
        """What the customer already paid electronically for this receipt, by tender (card, oplati)."""
        out: dict[str, int] = {}
        for e in self.approved_for(op_id):
            tender = e.kind.split("_")[0]
            out[tender] = out.get(tender, 0) + e.amount
        return out

    def has_unfinished(self, op_id: str | None) -> bool:
        return bool(self.approved_for(op_id) or self.unresolved_for(op_id))

    def ensure_resolved(self, receipt) -> None:
        """Money taken (or maybe taken) for a receipt other than the one on screen blocks selling:
        that receipt is finished (or its money explicitly given back) first."""
        for e in self.open():
            if e.kind in SALE_KINDS and e.status in ("approved", "sent", "unknown"):
                if e.op_id != receipt.op_id or not receipt.lines:
                    raise OperationError("UNFINISHED_SALE")

    def net_card_money(self) -> int:
        return self._log.net_card_money()
