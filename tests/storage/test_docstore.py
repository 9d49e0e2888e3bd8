"""The atomic TinyDB storage: after any injected fault or power loss the store reads back old or new."""
from __future__ import annotations

import itertools
import json
import random

import pytest
from faultfs import STEPS, FaultyOps, PowerLost

from storage.docstore import AtomicJSONStorage, open_db
from storage.errors import StorageError

OLD = {"items": {"1": {"name": "Молоко", "price": "2.49"}}}
NEW = {"items": {"1": {"name": "Молоко", "price": "2.59"}, "2": {"name": "Хлеб", "price": "1.20"}}}


@pytest.mark.parametrize("step,mode,seed", list(itertools.product(STEPS, ("error", "power"), range(4))))
def test_a_fault_at_any_step_leaves_the_old_or_the_new_version(tmp_path, step, mode, seed):
    path = str(tmp_path / "store" / "catalog.json")
    AtomicJSONStorage(path).write(OLD)
    faulty = AtomicJSONStorage(path, ops=FaultyOps(step, mode, random.Random(seed)))
    with pytest.raises((StorageError, PowerLost)):       # an I/O error is refused as STORAGE_IO
        faulty.write(NEW)
    after = AtomicJSONStorage(path)  # "the next start": also drops a stale temp file
    assert after.read() in (OLD, NEW)
    if mode == "error" and step in ("write_file", "fsync", "close", "replace"):
        assert after.read() == OLD
    after.write(NEW)
    assert AtomicJSONStorage(path).read() == NEW


def test_a_faulty_first_write_leaves_no_file_or_the_whole_file(tmp_path):
    for step, seed in itertools.product(STEPS, range(3)):
        path = str(tmp_path / f"{step}{seed}.json")
        with pytest.raises(PowerLost):
            AtomicJSONStorage(path, ops=FaultyOps(step, "power", random.Random(seed))).write(NEW)
        assert AtomicJSONStorage(path).read() in (None, NEW)


def test_tinydb_inserts_through_the_atomic_storage(tmp_path):
    path = str(tmp_path / "s.json")
    db = open_db(path)
    db.table("users").insert({"login": "admin"})
    assert json.loads(open(path, encoding="utf-8").read()) == {"users": {"1": {"login": "admin"}}}
    with pytest.raises(PowerLost):
        open_db(path, ops=FaultyOps("replace", "power", random.Random(1))).table("users").insert({"login": "k"})
    assert len(open_db(path).table("users")) in (1, 2)


@pytest.mark.parametrize("content,what", [(b"", "empty"), (b'{"items": {"1": {"na', "not valid JSON"),
                                          (b"[1, 2]", "JSON object"), (b"\xff\xfe", "not valid JSON")])
def test_a_damaged_store_is_reported_with_what_to_do_and_left_alone(tmp_path, content, what):
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    with pytest.raises(StorageError) as e:
        open_db(str(path))
    assert e.value.code == "STORE_CORRUPT" and what in e.value.detail and "zpos db import" in e.value.detail
    assert path.read_bytes() == content
