"""The SKO emulator's state in SQLite: PIN, shift, document counter, drawer, the stored answers, the unsent queue.

Every operation is one SQLite transaction, so a process killed at any moment leaves the whole
document or none of it, and a new emulator on the same directory goes on numbering from where the
old one stopped. The counter lives in `meta.next_number` and is read from the database each time.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fiscal.money import MAX_SUM
from hal.protocols.ikassa import Action
from hal.protocols.ikassa_values import CURRENCY, WireValueError, money, parse_int
from sim.sko_rules import (
    Header,
    SkoRefusal,
    SkoType,
    cashier_of,
    cheque_answer,
    compute,
    items_of,
    report_answer,
    shift_figures,
    skewed,
)
from sim.sko_rules import _money as money_field

DB_NAME = "sko.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    number INTEGER PRIMARY KEY, kind TEXT NOT NULL, shift INTEGER NOT NULL, uid TEXT NOT NULL, time TEXT NOT NULL,
    answer TEXT NOT NULL, total INTEGER NOT NULL DEFAULT 0, cash INTEGER NOT NULL DEFAULT 0,
    cashless INTEGER NOT NULL DEFAULT 0, other INTEGER NOT NULL DEFAULT 0, drawer INTEGER NOT NULL DEFAULT 0,
    target INTEGER, rolled_back INTEGER NOT NULL DEFAULT 0, sent INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS documents_unsent ON documents(sent, number);
CREATE TABLE IF NOT EXISTS skko (seq INTEGER PRIMARY KEY AUTOINCREMENT, number INTEGER NOT NULL UNIQUE,
    uid TEXT NOT NULL, answer TEXT NOT NULL);
"""
PRINTERS = [{"name": "Без печати (касса печатает сама)", "addr": "dummy"}]    # the `printerAddr` values known


class SkoState:
    """One SKO's state in `state_dir/sko.sqlite`. Not thread-safe by itself: the server serialises calls."""

    def __init__(self, state_dir: Path, *, serial: str, org_name: str, unp: str, ksa_number: str, pin: str, puk: str,
                 kind: SkoType, clock: Callable[[], datetime]) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(state_dir / DB_NAME, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        defaults = {"serial": serial, "org_name": org_name, "unp": unp, "ksa_number": ksa_number, "pin": pin,
                    "puk": puk, "pin_attempts": "0", "next_number": "1", "last_time": "", "shift_number": "0",
                    "shift_open": "0", "shift_opened_at": "", "shift_closed_at": "", "drawer": "0", "income": "0"}
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", defaults.items())
        self.kind = kind
        self.clock = clock
        self.authorized = False       # the service's session with the token: lost when the service restarts
        self.uplink_online = True
        self.skew_next = 0            # kopecks the next sale's first line is computed lower by (`sko skew N`)

    # -- meta ---------------------------------------------------------------------------------
    def get(self, key: str) -> str:
        return self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]

    def get_int(self, key: str) -> int:
        return int(self.get(key))

    def _set(self, **values: object) -> None:
        self.db.executemany("UPDATE meta SET value = ? WHERE key = ?", [(str(v), k) for k, v in values.items()])

    def close(self) -> None:
        self.db.close()

    def set_requisites(self, org_name: str, unp: str, ksa_number: str) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._set(org_name=org_name, unp=unp, ksa_number=ksa_number)

    def now(self) -> str:
        """The SKO's own clock, which never goes back: a clock the simulation rewound (a new scenario clock on
        old state) goes on from the last document's time, as the device's synchronised clock would."""
        t = self.clock().replace(microsecond=0)
        last = self.get("last_time")
        if last and t < datetime.fromisoformat(last):
            t = datetime.fromisoformat(last)
        return t.isoformat(timespec="seconds")

    # -- readings -------------------------------------------------------------------------------
    def serve(self, action: Action, d: Any) -> Any:
        """The answer's data of one published action (the server checked the headers)."""
        simple: dict[Action, Callable[[], Any]] = {
            Action.VERSION: lambda: {"version": "zpos-sim 2.0"}, Action.PRINTERS: lambda: PRINTERS,
            Action.GET_TOKENS: lambda: [self.token()], Action.GET_TOKEN_BY_SERIAL: self.token,
            Action.GET_CASH_IN_TOKEN: self.cash_in_token, Action.NEXT_CHEQUE_NUMBER: lambda: self.get_int("next_number"),
            Action.GET_STORED_DOCUMENTS: self.unsent_count, Action.GET_CERTIFICATE: lambda: {"certificate": ""},
            Action.RETRIEVE_NOT_PRINTED: lambda: [], Action.AUTHORIZE: lambda: self.authorize(d),
            Action.CHANGE_PIN: lambda: self.change_pin(d), Action.CLOSE_TOKEN: self.logout, Action.LOGOUT: self.logout,
            Action.OPEN_SHIFT: self.open_shift, Action.CLOSE_SHIFT: self.close_shift, Action.X_REPORT: self.x_report,
            Action.CREATE_SALE: lambda: self.create_sale(d), Action.GET_ACTIVE_SALE: lambda: None,
            Action.COPY: lambda: self.copy(d), Action.REPRINT: lambda: self.reprint(d),
            Action.CREATE_MONEYBACK: lambda: self.create_moneyback(d),
            Action.CREATE_ROLLBACK: lambda: self.create_rollback(d),
            Action.CREATE_DEPOSIT: lambda: self.cash_move("createDeposit", d),
            Action.CREATE_WITHDRAW: lambda: self.cash_move("createWithdraw", d),
        }
        return simple[action]()

    def token(self) -> dict[str, Any]:
        """getTokenBySerial; `registerNumberSKO` (SmartX's field name) is this emulator's extension."""
        return {"serial": self.get("serial"), "deviceId": "1", "organization": self.get("org_name"),
                "unp": self.get("unp"), "isRegistered": True, "name": "СКО", "label": self.get("serial"),
                "manufacturer": "zpos-sim", "version": "1.0", "pinCodeLength": len(self.get("pin")),
                "pukCodeLength": len(self.get("puk")), "type": "AVQ", "income": money(self.get_int("income")),
                "registerNumberSKO": self.get("ksa_number")}

    def cash_in_token(self) -> list[dict[str, Any]]:
        return [{"currency": CURRENCY, "cash": money(self.get_int("drawer"))}]

    def unsent_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents WHERE sent = 0").fetchone()[0]

    def _shift_rows(self, shift: int) -> list[tuple]:
        return self.db.execute("SELECT kind, number, total, cash, cashless, other FROM documents WHERE shift = ? "
                               "AND kind NOT IN ('shift_open', 'z_report') ORDER BY number", (shift,)).fetchall()

    def x_report(self) -> dict[str, Any]:
        """The open shift's figures; when none is open, the last shift's (with `closed`)."""
        shift = self.get_int("shift_number")
        is_open = self.get("shift_open") == "1"
        return report_answer(shift_figures(self._shift_rows(shift)), company=self.get("org_name"), unp=self.get("unp"),
                             serial=self.get("serial"), shift=shift, opened=self.get("shift_opened_at") or None,
                             closed=None if is_open else (self.get("shift_closed_at") or None))

    def copy(self, number: Any) -> Any:
        try:
            n = parse_int(number, "copy")
        except WireValueError as e:
            raise SkoRefusal(2011, str(e)) from None
        row = self.db.execute("SELECT answer FROM documents WHERE number = ?", (n,)).fetchone()
        if row is None:
            raise SkoRefusal(2000, f"no document number {n}")
        return json.loads(row[0])

    def reprint(self, uid: Any) -> dict[str, str]:
        if not isinstance(uid, str) or self.db.execute("SELECT 1 FROM documents WHERE uid = ?", (uid,)).fetchone() is None:
            raise SkoRefusal(2000, f"no document with uid {str(uid)[:30]!r}")
        return {"result": "Ok"}

    # -- PIN --------------------------------------------------------------------------------------
    def authorize(self, data: Any) -> dict[str, str]:
        if self.authorized:
            raise SkoRefusal(47, "the session is already authorised")
        attempts = self.get_int("pin_attempts")
        if attempts >= self.kind.pin_attempts:
            raise SkoRefusal(10, "the PIN is locked after wrong attempts; reset it with the PUK")
        pin = data.get("pin") if isinstance(data, dict) else None
        if not isinstance(pin, str) or not secrets.compare_digest(pin.encode(), self.get("pin").encode()):
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                self._set(pin_attempts=attempts + 1)
            if attempts + 1 >= self.kind.pin_attempts:
                raise SkoRefusal(10, "wrong PIN again: the PIN is locked until the PUK resets it")
            raise SkoRefusal(32, f"wrong PIN ({self.kind.pin_attempts - attempts - 1} attempts left)")
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._set(pin_attempts=0)
        self.authorized = True
        return {"result": "Ok"}

    def change_pin(self, data: Any) -> dict[str, str]:
        d = data if isinstance(data, dict) else {}
        puk, pin = d.get("puk"), d.get("pin")
        if not isinstance(puk, str) or not secrets.compare_digest(puk.encode(), self.get("puk").encode()):
            raise SkoRefusal(32, "wrong PUK")
        if not isinstance(pin, str) or not pin.isdigit() or not 4 <= len(pin) <= 8:
            raise SkoRefusal(2047, "the new PIN must be 4 to 8 digits")
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._set(pin=pin, pin_attempts=0)
        self.authorized = False
        return {"result": "Ok"}

    def logout(self) -> dict[str, str]:
        self.authorized = False
        return {"result": "Ok"}

    # -- uplink -----------------------------------------------------------------------------------
    def flush_uplink(self) -> int:
        """Send every unsent document, in number order, to the simulated SKKO; returns how many."""
        if not self.uplink_online or self.db.execute("SELECT 1 FROM documents WHERE sent = 0 LIMIT 1").fetchone() is None:
            return 0             # nothing to send: no write transaction (and no fsync) on every request
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            rows = self.db.execute("SELECT number, uid, answer FROM documents WHERE sent = 0 ORDER BY number").fetchall()
            self.db.executemany("INSERT OR IGNORE INTO skko(number, uid, answer) VALUES (?, ?, ?)", rows)
            self.db.execute("UPDATE documents SET sent = 1 WHERE sent = 0")
        return len(rows)

    def skko_numbers(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT number FROM skko ORDER BY seq")]

    # -- the rules every fiscal document passes ---------------------------------------------------------
    def _check(self, action: str, now: str, *, needs_open: bool = True) -> None:
        if not self.authorized:
            raise SkoRefusal(2019, "the session is not authorised: authorize with the PIN first")
        self._check_unsent(now)
        if not needs_open:
            return
        if self.get("shift_open") != "1":
            raise SkoRefusal(2013, "the shift is closed; open a shift first")
        opened = datetime.fromisoformat(self.get("shift_opened_at"))
        if action != "closeShift" and action not in self.kind.expired_allows and \
                datetime.fromisoformat(now) - opened >= timedelta(hours=self.kind.shift_hours):
            raise SkoRefusal(42, f"shift {self.get('shift_number')} was opened at {opened.isoformat()}, "
                                 f"{self.kind.shift_hours} h ago or more: close it")

    def _check_unsent(self, now: str) -> None:
        count = self.unsent_count()
        if self.kind.unsent_limit_count is not None and count >= self.kind.unsent_limit_count:
            raise SkoRefusal(43, f"{count} documents unsent (limit {self.kind.unsent_limit_count})")
        row = self.db.execute("SELECT time FROM documents WHERE sent = 0 ORDER BY number LIMIT 1").fetchone()
        if self.kind.unsent_limit_hours is not None and row is not None and \
                datetime.fromisoformat(now) - datetime.fromisoformat(row[0]) >= timedelta(hours=self.kind.unsent_limit_hours):
            raise SkoRefusal(43, f"the oldest unsent document ({row[0]}) is {self.kind.unsent_limit_hours} h old or more")

    def _header(self, kind: str, cashier: str, now: str) -> Header:
        return Header(kind=kind, number=self.get_int("next_number"), uid=secrets.token_hex(12).upper(), created=now,
                      cashier=cashier, shift=self.get_int("shift_number"), company=self.get("org_name"),
                      unp=self.get("unp"), serial=self.get("serial"))

    def _store(self, h: Header, answer: dict[str, Any], *, total: int = 0, cash: int = 0, cashless: int = 0,
               other: int = 0, drawer: int = 0, target: int | None = None, numbered: bool = True, **meta: object) -> None:
        """One transaction: the document under the next number, the counter, the drawer, the turnover."""
        new_drawer = self.get_int("drawer") + drawer
        if new_drawer < 0:
            raise SkoRefusal(46, f"the drawer holds {money(self.get_int('drawer'))}; this would take it below zero")
        if new_drawer > MAX_SUM:
            raise SkoRefusal(44, "the drawer counter would overflow: close the shift")
        income = self.get_int("income") + (total if h.kind == "sale" else 0)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            if numbered:
                self.db.execute("INSERT INTO documents(number, kind, shift, uid, time, answer, total, cash, cashless, "
                                "other, drawer, target) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                                (h.number, h.kind, h.shift, h.uid, h.created, json.dumps(answer, ensure_ascii=False),
                                 total, cash, cashless, other, drawer, target))
                self._set(next_number=h.number + 1)
            if target is not None:
                self.db.execute("UPDATE documents SET rolled_back = 1 WHERE number = ?", (target,))
                if h.kind == "rollback":
                    income -= self.db.execute("SELECT CASE kind WHEN 'sale' THEN total ELSE 0 END FROM documents "
                                              "WHERE number = ?", (target,)).fetchone()[0]
            self._set(drawer=new_drawer, income=income, last_time=h.created, **meta)

    # -- the fiscal documents ---------------------------------------------------------------------------
    def open_shift(self) -> dict[str, str]:
        now = self.now()
        self._check("openShift", now, needs_open=False)
        if self.get("shift_open") == "1":
            raise SkoRefusal(50, f"shift {self.get('shift_number')} is open; close it first")
        shift = self.get_int("shift_number") + 1
        h = replace(self._header("shift_open", "", now), shift=shift, uid="")
        self._store(h, h.answer_parts(), numbered=self.kind.numbered_shift_documents, shift_number=shift,
                    shift_open=1, shift_opened_at=now, shift_closed_at="")
        return {"result": "Ok"}

    def close_shift(self) -> dict[str, Any]:
        now = self.now()
        if self.get("shift_open") != "1":
            raise SkoRefusal(51, "the shift is closed")
        self._check("closeShift", now)
        shift = self.get_int("shift_number")
        rows = self._shift_rows(shift)
        if self.kind.empty_z_refused and not rows:
            raise SkoRefusal(1001, f"shift {shift} has no document: an empty Z report")
        if self.kind.zero_drawer_before_z and self.get_int("drawer") > 0:
            raise SkoRefusal(1004, f"the drawer holds {money(self.get_int('drawer'))}: withdraw it before the Z report")
        h = self._header("z_report", "", now)
        answer = report_answer(shift_figures(rows), company=h.company, unp=h.unp, serial=h.serial, shift=shift,
                               opened=self.get("shift_opened_at"), closed=now, uid=h.uid)
        self._store(h, answer, numbered=self.kind.numbered_shift_documents, shift_open=0, shift_closed_at=now)
        return answer

    def create_sale(self, data: Any) -> dict[str, Any]:
        now = self.now()
        self._check("createSale", now)
        d = data if isinstance(data, dict) else {}
        cashier = cashier_of(d)
        items = items_of(d, self.kind)
        cash, cashless, other = (money_field(d, k, "sale", 0) for k in ("cash", "cashless", "other"))
        calc = compute(items, money_field(d, "cheque_discount", "sale", 0), money_field(d, "cheque_markup", "sale", 0),
                       cash, cashless, other)
        if self.skew_next:       # a test fault: this SKO rounds the first line otherwise than the register
            calc, self.skew_next = skewed(calc, self.skew_next, cash), 0
        h = self._header("sale", cashier, now)
        answer = cheque_answer(h, calc, cash, cashless, other)
        net_cash = cash - (calc.change or 0)
        self._store(h, answer, total=calc.total_due, cash=net_cash, cashless=cashless, other=other, drawer=net_cash)
        return answer

    def create_moneyback(self, data: Any) -> dict[str, Any]:
        now = self.now()
        self._check("createMoneyBack", now)
        d = data if isinstance(data, dict) else {}
        cashier = cashier_of(d)
        items = items_of(d, self.kind)
        cash, cashless, other = (money_field(d, k, "moneyback", 0) for k in ("cashSum", "cashlessSum", "otherSum"))
        calc = compute(items, 0, 0, cash, cashless, other)
        if cash + cashless + other != calc.total_due:
            raise SkoRefusal(2050, f"the refund pays back {money(cash + cashless + other)}, "
                                   f"its items come to {money(calc.total_due)}")
        if cash > self.get_int("drawer"):
            raise SkoRefusal(2039, f"the drawer holds {money(self.get_int('drawer'))}, the refund needs {money(cash)} cash")
        h = self._header("moneyback", cashier, now)
        answer = {**h.answer_parts(), "totalCash": money(cash), "totalCashless": money(cashless), "props": {}}
        if other:
            answer["totalOther"] = money(other)        # this emulator's extension (IKAPI has cash and cashless only)
        self._store(h, answer, total=calc.total_due, cash=cash, cashless=cashless, other=other, drawer=-cash)
        return answer

    def create_rollback(self, data: Any) -> dict[str, Any]:
        now = self.now()
        self._check("createRollback", now)
        d = data if isinstance(data, dict) else {}
        cashier = cashier_of(d)
        try:
            target = parse_int(d.get("chequeNumber"), "chequeNumber")
        except WireValueError as e:
            raise SkoRefusal(2011, str(e)) from None
        row = self.db.execute("SELECT kind, shift, answer, total, cash, rolled_back FROM documents WHERE number = ?",
                              (target,)).fetchone()
        if row is None:
            raise SkoRefusal(2000, f"no document number {target}")
        kind, shift, answer_json, total, cash, rolled_back = row
        allowed = ("sale", "moneyback") if self.kind.rollback_refunds else ("sale",)
        if kind not in allowed:
            raise SkoRefusal(2012, f"document {target} is a {kind}, not a cheque that can be annulled")
        if rolled_back:
            raise SkoRefusal(2026, f"cheque {target} is already annulled")
        if shift != self.get_int("shift_number") or target != self.get_int("next_number") - 1:
            raise SkoRefusal(22, f"only the last document of the open shift can be annulled; {target} is not it")
        target_answer = json.loads(answer_json)
        target_answer["wasRollbacked"] = True
        h = self._header("rollback", cashier, now)
        answer = {**h.answer_parts(), "target": target_answer, "props": {}}
        back = -cash if kind == "sale" else cash
        self._store(h, answer, total=total, cash=cash, drawer=back, target=target)
        return answer

    def cash_move(self, action: str, data: Any) -> dict[str, Any]:
        """createDeposit / createWithdraw: `sum` into or out of the drawer."""
        now = self.now()
        self._check(action, now)
        d = data if isinstance(data, dict) else {}
        cashier = cashier_of(d)
        amount = money_field(d, "sum", action)
        if amount == 0:
            raise SkoRefusal(2027, "the sum must be at least 0.01")
        kind = "deposit" if action == "createDeposit" else "withdraw"
        if kind == "withdraw" and amount > self.get_int("drawer"):
            raise SkoRefusal(2039, f"the drawer holds {money(self.get_int('drawer'))}, {money(amount)} asked")
        h = self._header(kind, cashier, now)
        answer = {**h.answer_parts(), "sum": money(amount), "props": {}}
        self._store(h, answer, total=amount, cash=amount, drawer=amount if kind == "deposit" else -amount)
        return answer
