"""Outside effects journaled before they are sent: card and ОПЛАТИ operations, their device keys and results.

A row per intent, in the journal's SQLite file, keyed by the device-side key (the ECR
transaction id, the ОПЛАТИ order number). `fsm.intents` drives each row through
`fsm.machines.IntentMachine`; this module only stores what the machine decided. An intent
is settled in the same transaction that registers its document (`storage.journal_effects`).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

from storage.errors import StorageError
from storage.journal_schema import Intent, IntentStatus

FINAL = (IntentStatus.DECLINED, IntentStatus.SETTLED, IntentStatus.RETURNED)


class IntentLog:
    def __init__(self, db: sqlite3.Connection, tx: Callable[[], AbstractContextManager[sqlite3.Connection]]) -> None:
        self._db = db
        self._tx = tx

    def add(self, intent_id: str, kind: str, payload: dict) -> Intent:
        """Journal an effect before the device is asked; the same id twice is one intent."""
        body = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        with self._tx() as db:
            row = db.execute("SELECT kind, payload FROM intents WHERE intent_id=?", (intent_id,)).fetchone()
            if row is None:
                seq = db.execute("SELECT COALESCE(MAX(created_seq), 0) + 1 FROM intents").fetchone()[0]
                db.execute("INSERT INTO intents VALUES (?,?,?,?,NULL,NULL,?)",
                           (intent_id, kind, body, IntentStatus.INTENDED.value, seq))
            elif row != (kind, body):
                raise StorageError("INTENT_CONFLICT", f"intent {intent_id} is already journaled with other content")
        return self.get(intent_id)

    def set(self, intent_id: str, status: IntentStatus | str, result: dict | None = None) -> Intent:
        """Store the machine's new state (and the device's answer when there is one)."""
        st = IntentStatus(status)
        with self._tx() as db:
            if result is None:
                n = db.execute("UPDATE intents SET status=? WHERE intent_id=?", (st.value, intent_id)).rowcount
            else:
                n = db.execute("UPDATE intents SET status=?, result=? WHERE intent_id=?",
                               (st.value, json.dumps(result, sort_keys=True, ensure_ascii=False), intent_id)).rowcount
            if n == 0:
                raise StorageError("UNKNOWN_INTENT", f"intent {intent_id} is not in the journal")
        return self.get(intent_id)

    def get(self, intent_id: str) -> Intent:
        r = self._db.execute("SELECT intent_id, kind, payload, status, result, op_id FROM intents WHERE intent_id=?",
                             (intent_id,)).fetchone()
        if r is None:
            raise StorageError("UNKNOWN_INTENT", f"intent {intent_id} is not in the journal")
        return _intent(r)

    def _select(self, where: str, args: tuple = ()) -> Iterator[Intent]:
        for r in self._db.execute(f"SELECT intent_id, kind, payload, status, result, op_id FROM intents {where} "
                                  "ORDER BY created_seq", args):
            yield _intent(r)

    def open(self) -> list[Intent]:
        """Every intent not yet final: they need their document registered, or the device asked."""
        return [i for i in self._select("WHERE op_id IS NULL") if i.status not in FINAL]

    def for_document(self, op_id: str) -> list[Intent]:
        """The intents made for document (or receipt) `op_id`, in the order they were made."""
        return [i for i in self._select("WHERE json_extract(payload, '$.op_id') = ?", (op_id,))]

    def net_card_money(self) -> int:
        """Card money that stayed with the shop by the journal: approved/settled sales − refunds − cancels."""
        total = 0
        for i in self._select("WHERE status IN ('approved', 'settled', 'returned')"):
            sign = {"card_sale": 1, "card_refund": -1, "card_cancel": -1}.get(i.kind, 0)
            total += sign * int(i.payload.get("amount", 0))
        return total


def _intent(r: tuple) -> Intent:
    return Intent(r[0], r[1], json.loads(r[2]), IntentStatus.read(r[3]), json.loads(r[4]) if r[4] else None, r[5])
