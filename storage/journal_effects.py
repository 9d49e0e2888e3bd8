"""What a registration changes besides the document, applied in the same transaction that registers it.

A document is journaled as pending together with its effects: the stock it moves and the
outside intents (card, ОПЛАТИ) it uses. When the SKO has registered it, `apply` writes the
document's number, the stock moves and the intents' `settled` in one SQLite transaction, so a
kill leaves either all of it or none, and recovery after a restart applies it exactly once.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from storage.journal_schema import IntentStatus


@dataclass(frozen=True)
class Effects:
    stock: dict[str, int] = field(default_factory=dict)        # item code → signed change in thousandths
    stock_base: dict[str, int] = field(default_factory=dict)   # the item's level where the ledger has no row yet
    intents: tuple[str, ...] = ()                               # intent ids this document settles

    def dumps(self) -> str | None:
        if not (self.stock or self.intents):
            return None
        return json.dumps({"stock": self.stock, "stock_base": self.stock_base, "intents": list(self.intents)},
                          sort_keys=True)

    @classmethod
    def loads(cls, text: str | None) -> Effects:
        if not text:
            return cls()
        d = json.loads(text)
        return cls(dict(d.get("stock", {})), dict(d.get("stock_base", {})), tuple(d.get("intents", ())))


def apply(db: sqlite3.Connection, op_id: str, effects: Effects) -> None:
    """Inside the registering transaction: move the stock and settle the intents."""
    for code, delta in effects.stock.items():
        db.execute("INSERT OR IGNORE INTO stock VALUES (?, ?)", (code, int(effects.stock_base.get(code, 0))))
        db.execute("UPDATE stock SET qty = qty + ? WHERE code = ?", (int(delta), code))
    for intent_id in effects.intents:
        db.execute("UPDATE intents SET status=?, op_id=? WHERE intent_id=? AND status IN (?, ?)",
                   (IntentStatus.SETTLED.value, op_id, intent_id, IntentStatus.APPROVED.value,
                    IntentStatus.SETTLED.value))
