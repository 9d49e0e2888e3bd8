"""The fiscal journal's SQLite schema, its value types, and how a journal file is opened or created safely."""
from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from enum import StrEnum

from fiscal.documents import Document, Registration
from fiscal.receipt import PaymentType
from fiscal.sko_cheque import SkoCheque, SkoLine
from storage.errors import StorageError

GENESIS_HASH = "0" * 64
SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    shift INTEGER NOT NULL,
    created TEXT NOT NULL,
    cashier TEXT NOT NULL,
    body TEXT NOT NULL,
    digest TEXT NOT NULL,
    status TEXT NOT NULL,
    number INTEGER UNIQUE,
    uid TEXT, reg_time TEXT, signature TEXT, sko_serial TEXT,
    hash TEXT, prev_hash TEXT,
    printed_at TEXT, fail_reason TEXT,
    total_due INTEGER, target_number INTEGER,
    effects TEXT, sko_cheque TEXT
);
CREATE INDEX doc_shift ON documents(shift, number);
CREATE INDEX doc_created ON documents(created);
CREATE INDEX doc_type ON documents(type, number);
CREATE INDEX doc_open ON documents(status, seq) WHERE status != 'printed';
CREATE INDEX doc_target ON documents(target_number) WHERE target_number IS NOT NULL;
CREATE TABLE doc_lines (
    number INTEGER NOT NULL, doc_type TEXT NOT NULL, created TEXT NOT NULL,
    code TEXT, name TEXT NOT NULL, qty INTEGER NOT NULL, total INTEGER NOT NULL
);
CREATE INDEX line_created ON doc_lines(created);
CREATE INDEX line_number ON doc_lines(number);
CREATE TABLE doc_payments (
    number INTEGER NOT NULL, doc_type TEXT NOT NULL, created TEXT NOT NULL,
    type TEXT NOT NULL, amount INTEGER NOT NULL
);
CREATE INDEX pay_created ON doc_payments(created);
CREATE INDEX pay_number ON doc_payments(number);
CREATE TABLE intents (
    intent_id TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL,
    status TEXT NOT NULL, result TEXT, op_id TEXT, created_seq INTEGER NOT NULL
);
CREATE INDEX intent_open ON intents(status) WHERE op_id IS NULL;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE draft (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
"""


class Status(StrEnum):
    PENDING = "pending"
    REGISTERED = "registered"
    PRINTED = "printed"
    PRINT_FAILED = "print_failed"


class IntentStatus(StrEnum):
    """The states of fsm.machines.IntentMachine, persisted (older journals said started / cancelled)."""

    INTENDED = "intended"      # journaled, not yet sent to the device
    SENT = "sent"              # the device was asked; its answer is awaited
    APPROVED = "approved"
    DECLINED = "declined"      # refused, or proven absent by asking the device
    UNKNOWN = "unknown"        # no answer: resolved only by asking the device about this key
    SETTLED = "settled"        # its document is registered (same transaction)
    RETURNED = "returned"      # the money was explicitly given back

    @classmethod
    def read(cls, value: str) -> IntentStatus:
        return {"started": cls.SENT, "cancelled": cls.RETURNED}.get(value) or cls(value)


@dataclass(frozen=True)
class JournalEntry:
    """One journaled document and where it is on its way: pending → registered → printed | print_failed."""

    op_id: str
    doc: Document
    status: Status
    registration: Registration | None
    hash: str | None
    prev_hash: str | None
    shift: int
    number: int | None
    type: str
    printed_at: str | None
    fail_reason: str | None


@dataclass(frozen=True)
class Intent:
    """A card or ОПЛАТИ transaction journaled before the terminal is asked, and its result."""

    intent_id: str
    kind: str
    payload: dict
    status: IntentStatus
    result: dict | None
    op_id: str | None


@dataclass(frozen=True)
class ShiftSummary:
    shift: int
    opened: str | None          # `created` of the shift_open document
    closed: str | None          # `created` of the shift_close document, None while open
    first_number: int
    last_number: int
    documents: int


@dataclass(frozen=True)
class ItemTotal:
    """Sold and refunded quantity (thousandths) and sum (kopecks) of one item in a period; annulled sales excluded."""

    code: str | None
    name: str
    sold_qty: int
    sold_sum: int
    refunded_qty: int
    refunded_sum: int


@dataclass(frozen=True)
class PaymentTotal:
    """Money by payment type in a period; cash is net of change. Annulled sales are excluded."""

    type: PaymentType
    sales: int
    refunds: int


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    broken_number: int | None = None
    reason: str = ""


def cheque_dumps(cheque: SkoCheque | None) -> str | None:
    """The SKO's computed figures as journaled (the document is printed as the SKO computed it)."""
    return None if cheque is None else json.dumps(asdict(cheque), sort_keys=True, ensure_ascii=False)


def cheque_loads(text: str | None) -> SkoCheque | None:
    if not text:
        return None
    d = json.loads(text)
    return SkoCheque(**{**d, "lines": tuple(SkoLine(**ln) for ln in d.get("lines", ()))})


def corrupt(path: str, what: str) -> StorageError:
    return StorageError("JOURNAL_CORRUPT", f"{path}: {what}. The file was left as it is — restore the data "
                        "from a DB archive (zpos db import) or call the service engineer.")


def connect(path: str, check: bool = True) -> sqlite3.Connection:
    """Open the journal (creating it atomically if absent); a damaged file raises JOURNAL_CORRUPT."""
    if not os.path.exists(path):
        _create(path)
    elif os.path.getsize(path) == 0:
        raise corrupt(path, "the journal file is empty (0 bytes)")
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        if check:
            bad = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall() if r[0] != "ok"]
            if bad:
                conn.close()
                raise corrupt(path, "integrity check failed: " + "; ".join(bad[:3]))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"documents", "meta", "intents", "draft"} <= tables:
            conn.close()
            raise corrupt(path, "this SQLite file is not a zPOS fiscal journal (tables missing)")
        _migrate(conn)
    except sqlite3.DatabaseError as e:
        raise corrupt(path, f"not a readable SQLite database ({e})") from None
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Columns and tables added since schema 1, added in place (old journals keep working)."""
    cols = {r[1] for r in conn.execute("PRAGMA table_info(documents)")}
    if "effects" not in cols:
        conn.execute("ALTER TABLE documents ADD COLUMN effects TEXT")
    if "sko_cheque" not in cols:
        conn.execute("ALTER TABLE documents ADD COLUMN sko_cheque TEXT")
    conn.execute("CREATE TABLE IF NOT EXISTS stock (code TEXT PRIMARY KEY, qty INTEGER NOT NULL)")


def _create(path: str) -> None:
    """Build the empty journal beside `path` and rename it into place, so no half-made file is ever seen."""
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    tmp = f"{path}.new"
    for p in (tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"):
        if os.path.exists(p):
            os.unlink(p)
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript("BEGIN;" + SCHEMA + f"INSERT INTO meta VALUES ('schema', '{SCHEMA_VERSION}'); COMMIT;")
    conn.close()
    os.chmod(tmp, 0o600)                 # the journal is the shop's fiscal record: the register's user only
    fd = os.open(tmp, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    os.replace(tmp, path)
    dfd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    os.fsync(dfd)
    os.close(dfd)
