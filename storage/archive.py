"""DB maintenance (manual §4.2): signed export, verified all-or-nothing import, clearing up to a date, deleting goods.

Archive = one tar file: manifest.json (format, time, the device's public key, per-file SHA-256),
manifest.sig (Ed25519 over manifest.json, hex) and data/<file>. What goes in: journal.sqlite (a
consistent SQLite backup) and store/*.json. What stays out: keys/ (the private key never leaves the
device) and sim/ (the simulated SKO's own memory: a device, not the register's DB; restoring it would
rewind the SKO's numbering behind the register's back).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from storage import swap
from storage.catalog import Catalog
from storage.errors import StorageError
from storage.journal import Journal
from storage.keys import device_key, fingerprint, public_pem
from storage.targets import ARCHIVE_SUFFIX, ArchiveError, Target

FORMAT = "zpos-db-archive/1"
_MAX_MEMBER = 2 * 1024**3

__all__ = ["ArchiveError", "ClearResult", "export_archive", "import_archive", "read_archive", "clear_until",
           "delete_goods"]


def _data_files(data_dir: str) -> list[str]:
    store = os.path.join(data_dir, "store")
    names = sorted(n for n in os.listdir(store) if n.endswith(".json")) if os.path.isdir(store) else []
    return ["journal.sqlite"] * os.path.exists(os.path.join(data_dir, "journal.sqlite")) + [f"store/{n}" for n in names]


def export_archive(data_dir: str, target: Target, now: datetime | None = None) -> str:
    """Write one signed archive of the DB to `target`; returns its file name."""
    key = device_key(data_dir)
    stamp = (now or datetime.now().astimezone()).strftime("%Y%m%d-%H%M%S")
    name = f"zpos-db-{stamp}{ARCHIVE_SUFFIX}"
    blobs: dict[str, bytes] = {}
    for rel in _data_files(data_dir):
        if rel == "journal.sqlite":
            blobs[rel] = _journal_snapshot(os.path.join(data_dir, rel))
        else:
            with open(os.path.join(data_dir, rel), "rb") as f:
                blobs[rel] = f.read()
    manifest = json.dumps({"format": FORMAT, "created": (now or datetime.now().astimezone()).isoformat(),
                           "device_key": public_pem(key),
                           "files": [{"path": p, "sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                                     for p, b in blobs.items()]}, indent=1, ensure_ascii=False).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, name)
        with tarfile.open(path, "w") as tar:
            _add(tar, "manifest.json", manifest)
            _add(tar, "manifest.sig", key.sign(manifest).hex().encode("ascii"))
            for rel, blob in blobs.items():
                _add(tar, f"data/{rel}", blob)
        target.put(path, name)
    return name


def _add(tar: tarfile.TarFile, name: str, blob: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(blob), 0o644
    tar.addfile(info, io.BytesIO(blob))


def _journal_snapshot(path: str) -> bytes:
    """A consistent copy of the live journal (WAL included) through SQLite's backup API."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "j.sqlite")
        src = sqlite3.connect(path)
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        with open(copy, "rb") as f:
            return f.read()


def read_archive(path: str, trusted_keys: list[str]) -> dict[str, bytes]:
    """The archive's files after every check: readable tar, our format, a valid signature by a trusted key,
    every file present with its SHA-256, nothing extra. Raises ArchiveError with the reason."""
    try:
        with tarfile.open(path, "r:") as tar:
            members: dict[str, bytes] = {}
            for m in tar.getmembers():
                if not m.isfile() or m.size > _MAX_MEMBER:
                    raise ArchiveError("FOREIGN_ARCHIVE", f"unexpected entry {m.name!r}: not a zPOS DB archive")
                f = tar.extractfile(m)
                members[m.name] = f.read() if f else b""
                if len(members[m.name]) != m.size:
                    raise ArchiveError("TRUNCATED", f"{m.name} is cut short: the archive file is truncated")
    except (tarfile.TarError, EOFError, OSError) as e:
        raise ArchiveError("TRUNCATED" if os.path.getsize(path) > 0 else "NOT_AN_ARCHIVE",
                           f"the file cannot be read as a zPOS DB archive ({e}); it is damaged or truncated") from None
    if "manifest.json" not in members or "manifest.sig" not in members:
        raise ArchiveError("FOREIGN_ARCHIVE", "no manifest: this is not a zPOS DB archive (or it is truncated)")
    raw = members.pop("manifest.json")
    try:
        manifest = json.loads(raw)
        ok_format = manifest.get("format") == FORMAT
        pub = serialization.load_pem_public_key(manifest["device_key"].encode("ascii"))
        sig = bytes.fromhex(members.pop("manifest.sig").decode("ascii"))
        files = {e["path"]: e for e in manifest["files"]}
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeError) as e:
        raise ArchiveError("FOREIGN_ARCHIVE", f"the manifest is not a zPOS DB manifest ({e})") from None
    if not ok_format or not isinstance(pub, Ed25519PublicKey):
        raise ArchiveError("FOREIGN_ARCHIVE", f"format {manifest.get('format')!r} is not {FORMAT}")
    try:
        pub.verify(sig, raw)
    except InvalidSignature:
        raise ArchiveError("TAMPERED", "the manifest's signature does not verify: the archive was edited") from None
    fp = fingerprint(manifest["device_key"])
    if fp not in {fingerprint(k) for k in trusted_keys}:
        raise ArchiveError("FOREIGN_ARCHIVE", f"the archive is signed by another device (key {fp}); "
                           "to move data between registers, pass that device's public key as trusted")
    data = {k[len("data/"):]: v for k, v in members.items() if k.startswith("data/")}
    extra = sorted(set(members) - {f"data/{p}" for p in files})
    if extra:
        raise ArchiveError("TAMPERED", f"{extra[0]} is in the archive but not in its signed manifest")
    for rel, entry in files.items():
        if rel not in data:
            raise ArchiveError("TRUNCATED", f"{rel} is listed in the manifest but missing from the archive")
        if ".." in rel.split("/") or rel.startswith("/") or not (rel == "journal.sqlite" or rel.startswith("store/")):
            raise ArchiveError("FOREIGN_ARCHIVE", f"unexpected path {rel!r} in the manifest")
        if hashlib.sha256(data[rel]).hexdigest() != entry["sha256"]:
            raise ArchiveError("TAMPERED", f"{rel} does not match its SHA-256 in the manifest: the archive was edited")
    return data


def import_archive(data_dir: str, target: Target, name: str, trust_key_pem: str | None = None,
                   registered_up_to: int | None = None) -> int:
    """Replace the DB with the archive's, all-or-nothing; returns the number of journal documents.

    Everything is verified (signature, hashes, the journal's chain) in a staging directory first, and
    an archive whose journal ends before what the SKO has registered is refused (ARCHIVE_BEHIND_SKO):
    it would rewind the journal behind the SKO. `registered_up_to` is the SKO's last document number
    (default: the current journal's). On any failure the current data is left exactly as it was; a
    kill during the swap is finished or undone at the next start (storage.swap)."""
    trusted = [public_pem(device_key(data_dir))] + ([trust_key_pem] if trust_key_pem else [])
    staging = os.path.join(data_dir, swap.STAGING)
    if registered_up_to is None:
        registered_up_to = _current_last_number(data_dir)
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(os.path.join(staging, "store"))
    try:
        arch = os.path.join(staging, "archive.tmp")
        target.get(name, arch)
        files = read_archive(arch, trusted)
        os.unlink(arch)
        for rel, blob in files.items():
            with open(os.path.join(staging, rel), "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
        count, last = 0, 0
        if "journal.sqlite" in files:
            count, last = _verified(os.path.join(staging, "journal.sqlite"))
        if last < registered_up_to:
            raise ArchiveError("ARCHIVE_BEHIND_SKO", f"the archive's journal ends at document {last}; "
                               f"the SKO has registered up to {registered_up_to}", last=last, registered=registered_up_to)
        swap.swap_in(data_dir, staging, verify_data_dir)
        return count
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _current_last_number(data_dir: str) -> int:
    path = os.path.join(data_dir, "journal.sqlite")
    if not os.path.exists(path):
        return 0
    with Journal(path) as j:
        return j.last_number()


def _verified(path: str) -> tuple[int, int]:
    """The number of documents and the last number of a journal whose chain verifies."""
    try:
        with Journal(path) as j:
            result = j.verify()
            j.raw().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            last = j.last_number()
    except StorageError as e:
        raise ArchiveError("BAD_JOURNAL", f"the archive's journal cannot be opened: {e.detail}") from None
    if not result.ok:
        raise ArchiveError("BAD_JOURNAL", f"the archive's journal is broken at document "
                           f"{result.broken_number}: {result.reason}")
    return result.count, last


def verify_data_dir(data_dir: str) -> None:
    """The data dir's journal opens and its chain verifies (an import's result, before its backup goes)."""
    path = os.path.join(data_dir, "journal.sqlite")
    if os.path.exists(path):
        _verified(path)


@dataclass(frozen=True)
class ClearResult:
    removed: int
    up_to_number: int          # the last removed number (0 when nothing was removed)


def clear_until(data_dir: str, date: str, sko_sent_up_to: int) -> ClearResult:
    """Remove registered documents created on or before `date` (YYYY-MM-DD), never one above `sko_sent_up_to`.

    Only a prefix of the numbering is removed, and the last removed hash and signature are kept,
    so `verify` still walks the rest of the chain."""
    try:
        datetime.strptime(date, "%Y-%m-%d")
    except ValueError:
        raise StorageError("BAD_DATE", f"{date!r} is not a date YYYY-MM-DD") from None
    with Journal(os.path.join(data_dir, "journal.sqlite")) as j:
        db = j.raw()
        first_newer = db.execute("SELECT MIN(number) FROM documents WHERE number IS NOT NULL "
                                 "AND substr(created, 1, 10) > ?", (date,)).fetchone()[0]
        cut = min(j.last_number() if first_newer is None else first_newer - 1, sko_sent_up_to)
        row = db.execute("SELECT hash, signature FROM documents WHERE number=?", (cut,)).fetchone()
        if row is None:
            return ClearResult(0, 0)
        db.execute("BEGIN IMMEDIATE")
        try:
            removed = db.execute("DELETE FROM documents WHERE number <= ?", (cut,)).rowcount
            db.execute("DELETE FROM doc_lines WHERE number <= ?", (cut,))
            db.execute("DELETE FROM doc_payments WHERE number <= ?", (cut,))
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           [("cleared_up_to", str(cut)), ("cleared_hash", row[0]), ("cleared_signature", row[1])])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return ClearResult(removed, cut)


def delete_goods(data_dir: str) -> int:
    """Delete every item of the catalog (sections stay); returns how many were deleted."""
    catalog = Catalog(data_dir)
    n = len(catalog)
    catalog.delete_all()
    return n
