"""The outbox: Z reports, exported reports and DB archives wait in DATA/outbox and are uploaded by a background worker.

Closing a shift never waits on the network: it only writes a file here (`enqueue`). A worker
thread (`OutboxWorker`, a stop event, no asyncio) uploads what is due, with exponential
backoff between tries (30 s doubling to 1 h by default), under deterministic remote names, and
checks the upload afterwards (size always, MD5 where the target tells it, e.g. Яндекс.Диск). A
file already there with the same content counts as sent (a retry after a lost answer); one with
other content is never overwritten: ours goes up beside it as `…-dup1`. `status()` lists what
waits, how often it was tried and why it failed, for diagnostics and the screen.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from storage.errors import StorageError
from storage.fileops import atomic_write
from storage.targets import redact

BASE_DELAY_S = 30.0
MAX_DELAY_S = 3600.0
STUCK_AFTER_S = 3 * 3600.0


@dataclass(frozen=True)
class OutboxItem:
    id: str
    target: str                 # the target URL as configured (may hold a password: never shown, see `where`)
    remote_name: str
    kind: str                   # z_report | report | db_archive | other
    size: int
    sha256: str
    md5: str
    created: float
    attempts: int = 0
    next_try: float = 0.0
    last_error: str = ""        # the code, e.g. TARGET_UNAVAILABLE
    last_detail: str = ""       # redacted technical words for the engineer
    sent_as: str = ""

    @property
    def where(self) -> str:
        return redact(self.target)

    def stuck(self, now: float, after_s: float = STUCK_AFTER_S) -> bool:
        return self.attempts > 0 and now - self.created > after_s


def _new_id() -> str:
    """Sortable in the order items were queued (the worker sends oldest first), unique across processes."""
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:6]}"


class Outbox:
    """DATA/outbox/<id>.json (what, where, tries) + <id>.data (the bytes); sent items move to DATA/outbox/sent/."""

    def __init__(self, data_dir: str, clock: Callable[[], float] = time.time, base_delay_s: float = BASE_DELAY_S,
                 max_delay_s: float = MAX_DELAY_S, target_factory: Callable | None = None) -> None:
        self.data_dir = data_dir
        self.dir = os.path.join(data_dir, "outbox")
        self.sent_dir = os.path.join(self.dir, "sent")
        os.makedirs(self.sent_dir, exist_ok=True)
        self.clock = clock
        self.base, self.cap = base_delay_s, max_delay_s
        self._factory = target_factory
        self._lock = threading.Lock()
        self.wakeup = threading.Event()

    # ---- the queue ----------------------------------------------------------------------------

    def _meta(self, item_id: str) -> str:
        return os.path.join(self.dir, f"{item_id}.json")

    def _data(self, item_id: str) -> str:
        return os.path.join(self.dir, f"{item_id}.data")

    def _save(self, item: OutboxItem) -> None:
        atomic_write(self._meta(item.id), json.dumps(asdict(item), ensure_ascii=False).encode("utf-8"))

    def enqueue(self, target: str, remote_name: str, data: bytes, kind: str = "other") -> str:
        """Queue `data` for `target` under `remote_name`; the same name and content queued twice is one item."""
        sha = hashlib.sha256(data).hexdigest()
        with self._lock:
            for item in self.pending():
                if item.target == target and item.remote_name == remote_name and item.sha256 == sha:
                    return item.id
            item_id = _new_id()
            atomic_write(self._data(item_id), data)
            self._save(OutboxItem(item_id, target, remote_name, kind, len(data), sha, hashlib.md5(data).hexdigest(),
                                  self.clock()))
        self.wakeup.set()
        return item_id

    def enqueue_file(self, target: str, remote_name: str, path: str, kind: str = "other") -> str:
        """Queue a (large) file: copied into the outbox in chunks, hashed on the way, never read whole into memory."""
        item_id = _new_id()
        sha, md5, size = hashlib.sha256(), hashlib.md5(), 0
        tmp = self._data(item_id) + ".tmp"
        with open(path, "rb") as src, open(tmp, "wb") as dst:
            while chunk := src.read(1 << 20):
                sha.update(chunk)
                md5.update(chunk)
                size += len(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, self._data(item_id))
        with self._lock:
            self._save(OutboxItem(item_id, target, remote_name, kind, size, sha.hexdigest(), md5.hexdigest(),
                                  self.clock()))
        self.wakeup.set()
        return item_id

    def pending(self) -> list[OutboxItem]:
        out = []
        for n in sorted(os.listdir(self.dir)):
            if n.endswith(".json"):
                try:
                    with open(os.path.join(self.dir, n), encoding="utf-8") as f:
                        out.append(OutboxItem(**json.load(f)))
                except (OSError, ValueError, TypeError):
                    continue            # a foreign or half-written file: not ours to send
        return out

    def status(self) -> list[OutboxItem]:
        """Everything still waiting, oldest first (for diagnostics and the screen)."""
        return self.pending()

    def stuck(self, after_s: float = STUCK_AFTER_S) -> list[OutboxItem]:
        now = self.clock()
        return [i for i in self.pending() if i.stuck(now, after_s)]

    def sent(self) -> list[OutboxItem]:
        out = []
        for n in sorted(os.listdir(self.sent_dir)):
            with open(os.path.join(self.sent_dir, n), encoding="utf-8") as f:
                out.append(OutboxItem(**json.load(f)))
        return out

    # ---- sending ------------------------------------------------------------------------------

    def _target(self, spec: str):
        if self._factory is not None:
            return self._factory(spec)
        from storage.targets import parse_target
        return parse_target(spec, self.data_dir)

    def delay(self, attempts: int) -> float:
        return min(self.base * 2 ** max(attempts - 1, 0), self.cap)

    def run_once(self) -> int:
        """Try every item that is due; returns how many went out."""
        done = 0
        for item in self.pending():
            if item.next_try > self.clock():
                continue
            try:
                sent_as = self._send(item)
            except StorageError as e:
                self._failed(item, str(e.code), e.detail)
            except Exception as e:  # a target's bug must not kill the worker; the engineer sees its name
                self._failed(item, "TARGET_FAILED", f"{type(e).__name__}: {e}")
            else:
                self._done(item, sent_as)
                done += 1
        return done

    def _failed(self, item: OutboxItem, code: str, detail: str) -> None:
        attempts = item.attempts + 1
        self._save(replace(item, attempts=attempts, next_try=self.clock() + self.delay(attempts), last_error=code,
                           last_detail=redact(detail)[:300]))

    def _done(self, item: OutboxItem, sent_as: str) -> None:
        atomic_write(os.path.join(self.sent_dir, f"{item.id}.json"),
                     json.dumps(asdict(replace(item, attempts=item.attempts + 1, sent_as=sent_as, last_error="",
                                               last_detail="")), ensure_ascii=False).encode("utf-8"))
        os.unlink(self._meta(item.id))
        os.unlink(self._data(item.id))
        self._trim_sent()

    def _trim_sent(self, keep: int = 200) -> None:
        names = sorted(os.listdir(self.sent_dir))
        for n in names[:-keep]:
            os.unlink(os.path.join(self.sent_dir, n))

    def _matches(self, entry, item: OutboxItem) -> bool:
        return entry is not None and entry.size == item.size and (entry.md5 is None or entry.md5 == item.md5)

    def _send(self, item: OutboxItem) -> str:
        target = self._target(item.target)
        name = item.remote_name
        for k in range(1, 10):
            existing = target.stat(name)
            if existing is None:
                break
            if self._matches(existing, item):
                return name                     # sent before, the answer was lost: nothing to do
            stem, dot, ext = item.remote_name.rpartition(".")
            name = f"{stem}-dup{k}.{ext}" if dot else f"{item.remote_name}-dup{k}"
        target.put(self._data(item.id), name)
        check = target.stat(name)
        if not self._matches(check, item):
            raise StorageError("TARGET_FAILED", f"{target.label}: {name} reads back as "
                               f"{getattr(check, 'size', None)} bytes / md5 {getattr(check, 'md5', None)}, "
                               f"sent {item.size} / {item.md5}", target=target.label)
        return name


class OutboxWorker:
    """A daemon thread that runs `outbox.run_once()` every `interval_s` (sooner after an enqueue) until stopped."""

    def __init__(self, outbox: Outbox, interval_s: float = 5.0) -> None:
        self.outbox, self.interval = outbox, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="zpos-outbox", daemon=True)

    def start(self) -> "OutboxWorker":
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.outbox.wakeup.clear()
            self.outbox.run_once()
            self.outbox.wakeup.wait(self.interval)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.outbox.wakeup.set()
        self._thread.join(timeout)


# ---- what goes into the outbox --------------------------------------------------------------

def z_report_names(shift: int, closed_iso: str, register_id: str = "") -> tuple[str, str]:
    """reports/Z/YYYY/MM/Z-<shift>-<YYYYMMDD-HHMM>.txt and .json: the same shift closed once gives the same names."""
    dt = datetime.fromisoformat(closed_iso)
    base = f"reports/Z/{dt:%Y}/{dt:%m}/Z-{shift:06d}-{dt:%Y%m%d-%H%M}"
    if register_id:
        base = f"{register_id}/{base}"
    return f"{base}.txt", f"{base}.json"


def enqueue_z_report(outbox: Outbox, target: str, shift: int, closed_iso: str, text: str, body: dict,
                     register_id: str = "") -> list[str]:
    """Queue the Z report of a closed shift (its text and its JSON); returns the outbox ids."""
    txt, js = z_report_names(shift, closed_iso, register_id)
    return [outbox.enqueue(target, txt, text.encode("utf-8"), "z_report"),
            outbox.enqueue(target, js, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"), "z_report")]


def enqueue_db_archive(outbox: Outbox, target: str, now: datetime | None = None) -> str:
    """Make a signed DB archive now (storage.archive) and queue it under db/<archive name>."""
    import tempfile

    from storage.archive import export_archive
    from storage.targets import DirTarget
    with tempfile.TemporaryDirectory() as tmp:
        name = export_archive(outbox.data_dir, DirTarget(tmp), now)
        return outbox.enqueue_file(target, f"db/{name}", os.path.join(tmp, name), "db_archive")
