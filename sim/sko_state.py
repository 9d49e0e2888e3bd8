"""The SKO emulator's persistent state in SQLite: PIN, shift, counters, signed documents, the unsent queue.

Every operation here is one SQLite transaction, so a process killed at any moment leaves
either the whole registration or none of it, and a new emulator on the same directory
goes on numbering and signing from where the old one stopped.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fiscal.documents import (
    Annulment,
    CashIn,
    CashOut,
    DocType,
    Document,
    Refund,
    Sale,
    ShiftClose,
    ShiftOpen,
    canonical_json,
    document_digest,
    from_dict,
    registration_payload,
)
from fiscal.errors import FiscalError
from fiscal.money import format_money
from sim.sko_rules import SkoRefusal, check_amount, check_priced, effect_of, parse_time, shift_counters

DB_NAME = "sko.sqlite"
KEY_NAME = "sko_key.pem"
SHIFT_HOURS = 24
MAX_PIN_ATTEMPTS = 3
VERSIONS = {"firmware": "zpos-sim 1.0", "protocol": "1"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    number INTEGER PRIMARY KEY, op_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, shift INTEGER NOT NULL,
    uid TEXT NOT NULL, time TEXT NOT NULL, signature TEXT NOT NULL, prev_signature TEXT NOT NULL,
    doc_sha256 TEXT NOT NULL, document TEXT NOT NULL, counters TEXT,
    total_due INTEGER NOT NULL DEFAULT 0, cash_net INTEGER NOT NULL DEFAULT 0, sent INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS documents_unsent ON documents(sent, number);
CREATE TABLE IF NOT EXISTS skko (seq INTEGER PRIMARY KEY AUTOINCREMENT, number INTEGER NOT NULL UNIQUE,
    uid TEXT NOT NULL, signature TEXT NOT NULL, document TEXT NOT NULL);
"""


class SkoState:
    """One SKO's state in `state_dir/sko.sqlite` plus its signing key in `state_dir/sko_key.pem`.

    Not thread-safe by itself: the server serialises calls with one lock.
    """

    def __init__(self, state_dir: Path, *, serial: str, org_name: str, unp: str, ksa_number: str,
                 pin: str, puk: str, unsent_limit_hours: int | None = 72, unsent_limit_count: int | None = None) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(state_dir / DB_NAME, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        self._key = _load_or_create_key(state_dir / KEY_NAME)
        self.public_key_pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
        defaults = {"serial": serial, "org_name": org_name, "unp": unp, "ksa_number": ksa_number, "pin": pin,
                    "puk": puk, "pin_attempts": "0", "next_number": "1", "last_signature": "", "last_time": "",
                    "shift_number": "0", "shift_open": "0", "shift_opened_at": "", "drawer": "0", "turnover": "0"}
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", defaults.items())
        self.limit_hours = unsent_limit_hours
        self.limit_count = unsent_limit_count
        self.authorized = False       # a session, like the real module's: lost when it restarts
        self.uplink_online = True

    # -- meta ---------------------------------------------------------------------------------
    def get(self, key: str) -> str:
        return self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]

    def get_int(self, key: str) -> int:
        return int(self.get(key))

    def _set(self, **values: object) -> None:
        self.db.executemany("UPDATE meta SET value = ? WHERE key = ?", [(str(v), k) for k, v in values.items()])

    def close(self) -> None:
        self.db.close()

    # -- information ----------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        return {"serial": self.get("serial"), "org_name": self.get("org_name"), "unp": self.get("unp"),
                "ksa_number": self.get("ksa_number"), "versions": dict(VERSIONS),
                "public_key_pem": self.public_key_pem, "pin_length": len(self.get("pin")),
                "puk_length": len(self.get("puk"))}

    def set_requisites(self, org_name: str, unp: str, ksa_number: str) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._set(org_name=org_name, unp=unp, ksa_number=ksa_number)

    def unsent_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents WHERE sent = 0").fetchone()[0]

    def oldest_unsent(self) -> str | None:
        row = self.db.execute("SELECT time FROM documents WHERE sent = 0 ORDER BY number LIMIT 1").fetchone()
        return row[0] if row else None

    def shift_expired_at(self, when: str | None) -> bool:
        if not when or self.get("shift_open") != "1":
            return False
        return parse_time(when) - parse_time(self.get("shift_opened_at")) >= timedelta(hours=SHIFT_HOURS)

    def status(self, when: str | None) -> dict[str, Any]:
        is_open = self.get("shift_open") == "1"
        return {"authorized": self.authorized, "shift_open": is_open, "shift_number": self.get_int("shift_number"),
                "shift_opened_at": self.get("shift_opened_at") if is_open else None,
                "shift_expired": self.shift_expired_at(when), "unsent_count": self.unsent_count(),
                "oldest_unsent_at": self.oldest_unsent(), "cash_in_drawer": format_money(self.get_int("drawer")),
                "turnover": format_money(self.get_int("turnover")), "next_number": self.get_int("next_number"),
                "uplink_online": self.uplink_online}

    # -- PIN --------------------------------------------------------------------------------------
    def authorize(self, pin: object) -> None:
        attempts = self.get_int("pin_attempts")
        if attempts >= MAX_PIN_ATTEMPTS:
            raise SkoRefusal(10, "PIN locked after 3 wrong attempts; reset it with the PUK", "SKO_LOCKED")
        if not isinstance(pin, str) or not secrets.compare_digest(pin.encode(), self.get("pin").encode()):
            self.authorized = False
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                self._set(pin_attempts=attempts + 1)
            if attempts + 1 >= MAX_PIN_ATTEMPTS:
                raise SkoRefusal(10, "third wrong PIN: the PIN is locked until the PUK resets it", "SKO_LOCKED")
            raise SkoRefusal(32, f"wrong PIN ({MAX_PIN_ATTEMPTS - attempts - 1} attempts left)")
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._set(pin_attempts=0)
        self.authorized = True

    def change_pin(self, puk: object, new_pin: object) -> None:
        if not isinstance(puk, str) or not secrets.compare_digest(puk.encode(), self.get("puk").encode()):
            raise SkoRefusal(32, "wrong PUK")
        if not isinstance(new_pin, str) or not new_pin.isdigit() or not 4 <= len(new_pin) <= 8:
            raise SkoRefusal(29, "the new PIN must be 4 to 8 digits")
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._set(pin=new_pin, pin_attempts=0)
        self.authorized = False

    def logout(self) -> None:
        self.authorized = False

    # -- uplink -----------------------------------------------------------------------------------
    def flush_uplink(self) -> int:
        """Send every unsent document, in number order, to the simulated SKKO; returns how many."""
        if not self.uplink_online:
            return 0
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            rows = self.db.execute("SELECT number, uid, signature, document FROM documents WHERE sent = 0 "
                                   "ORDER BY number").fetchall()
            self.db.executemany("INSERT OR IGNORE INTO skko(number, uid, signature, document) VALUES (?, ?, ?, ?)", rows)
            self.db.execute("UPDATE documents SET sent = 1 WHERE sent = 0")
        return len(rows)

    def skko_numbers(self) -> list[int]:
        """Document numbers in the order the simulated SKKO received them."""
        return [r[0] for r in self.db.execute("SELECT number FROM skko ORDER BY seq")]

    def _check_unsent_limit(self, when: str) -> None:
        count = self.unsent_count()
        if self.limit_count is not None and count >= self.limit_count:
            raise SkoRefusal(43, f"{count} documents unsent (limit {self.limit_count})", "SKO_UNSENT_LIMIT")
        oldest = self.oldest_unsent()
        if self.limit_hours is not None and oldest is not None and \
                parse_time(when) - parse_time(oldest) >= timedelta(hours=self.limit_hours):
            raise SkoRefusal(43, f"the oldest unsent document ({oldest}) is {self.limit_hours} h old or more",
                             "SKO_UNSENT_LIMIT")

    # -- documents --------------------------------------------------------------------------------
    def _row(self, where: str, arg: object) -> dict[str, Any] | None:
        cur = self.db.execute(f"SELECT * FROM documents WHERE {where}", (arg,))
        row = cur.fetchone()
        return dict(zip([c[0] for c in cur.description], row)) if row else None

    @staticmethod
    def registration(row: dict[str, Any], serial: str, repeated: bool = False) -> dict[str, Any]:
        out = {"number": row["number"], "uid": row["uid"], "time": row["time"], "signature": row["signature"],
               "prev_signature": row["prev_signature"], "doc_sha256": row["doc_sha256"], "sko_serial": serial,
               "type": row["type"], "op_id": row["op_id"], "repeated": repeated}
        if row["counters"]:
            out["counters"] = json.loads(row["counters"])
        return out

    def lookup(self, op_id: object) -> dict[str, Any] | None:
        row = self._row("op_id = ?", str(op_id))
        return self.registration(row, self.get("serial")) if row else None

    def document(self, number: object) -> dict[str, Any]:
        if not isinstance(number, int) or isinstance(number, bool):
            raise SkoRefusal(29, "number must be an integer")
        row = self._row("number = ?", number)
        if row is None:
            raise SkoRefusal(22, f"no document number {number}")
        return {"document": json.loads(row["document"]), "registration": self.registration(row, self.get("serial"))}

    def x_counters(self, when: str | None) -> dict[str, Any]:
        """Counters of the open shift, or of the last closed one (its Z) when none is open."""
        shift = self.get_int("shift_number")
        if self.get("shift_open") != "1":
            row = self.db.execute("SELECT counters FROM documents WHERE type = 'shift_close' ORDER BY number DESC "
                                  "LIMIT 1").fetchone()
            if row:
                return json.loads(row[0])
        return self._counters(shift, closed_at=None)

    def _counters(self, shift: int, closed_at: str | None) -> dict[str, Any]:
        rows = self.db.execute("SELECT number, type, total_due, document FROM documents WHERE shift = ? "
                               "ORDER BY number", (shift,)).fetchall()
        opened = self.get("shift_opened_at") or None
        return shift_counters(shift, opened, closed_at, rows, self.get_int("drawer"), self.get_int("turnover"))

    def register(self, data: dict[str, Any]) -> dict[str, Any]:
        """Check and register one document; a repeat of its op_id returns the first registration."""
        raw = data.get("document")
        if not isinstance(raw, dict) or not isinstance(raw.get("op_id"), str) or not raw["op_id"]:
            raise SkoRefusal(29, "the request needs a document with a non-empty op_id")
        try:
            doc = from_dict(raw)
        except FiscalError as e:
            raise SkoRefusal(55 if "type" not in raw or "DocType" in e.message else 29, e.message) from None
        digest = document_digest(doc)
        existing = self._row("op_id = ?", doc.op_id)
        if existing is not None:
            if existing["doc_sha256"] != digest:
                raise SkoRefusal(29, f"op_id {doc.op_id} was already used for a different document")
            return self.registration(existing, self.get("serial"), repeated=True)
        if not self.authorized:
            raise SkoRefusal(48, "session not authorised: enter the PIN first")
        when = doc.created
        parse_time(when, "created")
        last = self.get("last_time")
        if last and parse_time(when) < parse_time(last):
            raise SkoRefusal(52, f"document time {when} is before the last operation {last}")
        self._check_unsent_limit(when)
        target, counters = self._check_state(doc, when)
        number = data.get("number")
        expected = self.get_int("next_number")
        if number != expected:
            raise SkoRefusal(56, f"document number {number!r} but the SKO counter is {expected}")
        eff = effect_of(doc, target)
        drawer = self.get_int("drawer") + eff.drawer
        if drawer < 0:
            raise SkoRefusal(46, f"the drawer holds {format_money(self.get_int('drawer'))}; "
                                 f"this would take it to {format_money(drawer)}")
        return self._commit(doc, raw, digest, expected, when, drawer, self.get_int("turnover") + eff.turnover,
                            eff.total_due, eff.cash_net, counters)

    def _check_state(self, doc: Document, when: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Shift rules and the per-type content checks; returns (annulled row, Z counters)."""
        shift = self.get_int("shift_number")
        is_open = self.get("shift_open") == "1"
        if isinstance(doc, ShiftOpen):
            if is_open:
                raise SkoRefusal(50, f"shift {shift} is open; close it first")
            if doc.shift != shift + 1:
                raise SkoRefusal(29, f"the new shift is number {shift + 1}, the document says {doc.shift}")
            return None, None
        if not is_open:
            raise SkoRefusal(51, "the shift is closed; open a shift first")
        if doc.shift != shift:
            raise SkoRefusal(29, f"the open shift is number {shift}, the document says {doc.shift}")
        if isinstance(doc, ShiftClose):
            return None, self._counters(shift, closed_at=when)
        if self.shift_expired_at(when):
            raise SkoRefusal(42, f"shift {shift} was opened at {self.get('shift_opened_at')}, over 24 h ago")
        if isinstance(doc, (Sale, Refund)):
            check_priced(doc)
            if isinstance(doc, Refund) and doc.original_number is not None:
                orig = self._row("number = ?", doc.original_number)
                if orig is None or orig["type"] != DocType.SALE.value:
                    raise SkoRefusal(22, f"refund of document {doc.original_number}, which is not a registered sale")
        elif isinstance(doc, (CashIn, CashOut)):
            check_amount(doc)
        elif isinstance(doc, Annulment):
            return self._check_annulment(doc, shift), None
        return None, None

    def _check_annulment(self, doc: Annulment, shift: int) -> dict[str, Any]:
        last = self._row("number = (SELECT MAX(number) FROM documents WHERE shift = ?)", shift)
        if last is None or last["number"] != self.get_int("next_number") - 1 or last["type"] not in (DocType.SALE.value, DocType.REFUND.value):
            raise SkoRefusal(22, "the last document of the shift is not a sale or refund", "NOTHING_TO_ANNUL")
        if (doc.target_number, doc.target_uid, doc.target_type.value) != (last["number"], last["uid"], last["type"]):
            raise SkoRefusal(22, f"only the last payment document ({last['type']} № {last['number']}) can be annulled",
                             "NOTHING_TO_ANNUL")
        if doc.total_due != last["total_due"]:
            raise SkoRefusal(59, f"annulment total_due {format_money(doc.total_due)} but the document had "
                                 f"{format_money(last['total_due'])}")
        return last

    def _commit(self, doc: Document, raw: dict[str, Any], digest: str, number: int, when: str, drawer: int,
                turnover: int, total_due: int, cash_net: int, counters: dict[str, Any] | None) -> dict[str, Any]:
        uid = secrets.token_hex(12).upper()
        prev = self.get("last_signature")
        signature = self._key.sign(registration_payload(digest, number, uid, when, prev),
                                   ec.ECDSA(hashes.SHA256())).hex()
        if counters is not None:
            counters = {**counters, "cash_in_drawer": format_money(drawer), "turnover": format_money(turnover)}
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO documents(number, op_id, type, shift, uid, time, signature, prev_signature, doc_sha256,"
                " document, counters, total_due, cash_net) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (number, doc.op_id, doc.type.value, doc.shift, uid, when, signature, prev, digest,
                 canonical_json(raw).decode("utf-8"), json.dumps(counters, ensure_ascii=False) if counters else None,
                 total_due, cash_net))
            self._set(next_number=number + 1, last_signature=signature, last_time=when, drawer=drawer,
                      turnover=turnover)
            if isinstance(doc, ShiftOpen):
                self._set(shift_number=doc.shift, shift_open=1, shift_opened_at=when)
            elif isinstance(doc, ShiftClose):
                self._set(shift_open=0, shift_opened_at="")
        return self.registration(self._row("number = ?", number), self.get("serial"))


def _load_or_create_key(path: Path) -> ec.EllipticCurvePrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{path} does not hold an EC private key")
        return key
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pem)
    tmp.chmod(0o600)
    tmp.replace(path)
    return key
