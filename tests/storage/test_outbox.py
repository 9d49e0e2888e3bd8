"""The outbox: a Z goes to Яндекс.Диск while the uplink is down and arrives when it returns; retries back off."""
from __future__ import annotations

import hashlib
import time

import pytest
from remote_servers import yadisk_sim  # noqa: F401

from storage.outbox import Outbox, OutboxWorker, enqueue_z_report, z_report_names
from storage.targets import DirTarget, ExchangeSettings


def wait_for(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


def test_a_z_report_waits_while_the_disk_is_down_and_arrives_when_it_returns(tmp_path, yadisk_sim):  # noqa: F811
    data = str(tmp_path)
    ExchangeSettings(data).put("yadisk", {"token": "good-token", "api": yadisk_sim.url})
    yadisk_sim.stop()                                   # the uplink is down when the shift closes
    box = Outbox(data, base_delay_s=0.05, max_delay_s=0.2)
    t0 = time.monotonic()
    ids = enqueue_z_report(box, "yadisk:/kassa-1", 12, "2026-12-01T23:10:00+03:00", "Z-ОТЧЁТ\nИТОГО 10.00\n",
                           {"shift": 12, "total": "10.00"})
    assert time.monotonic() - t0 < 0.5 and len(ids) == 2     # closing the shift did not wait on the network
    worker = OutboxWorker(box, interval_s=0.05).start()
    try:
        assert wait_for(lambda: all(i.attempts >= 2 for i in box.status()))
        assert {i.last_error for i in box.status()} == {"TARGET_UNAVAILABLE"}
        assert "good-token" not in " ".join(i.last_detail for i in box.status())
        yadisk_sim.start()
        assert wait_for(lambda: not box.status())
    finally:
        worker.stop()
    txt, js = z_report_names(12, "2026-12-01T23:10:00+03:00")
    assert txt == "reports/Z/2026/12/Z-000012-20261201-2310.txt"
    assert yadisk_sim.file(f"app:/kassa-1/{txt}") == "Z-ОТЧЁТ\nИТОГО 10.00\n".encode()
    assert b'"shift": 12' in yadisk_sim.file(f"app:/kassa-1/{js}")
    assert [i.sent_as for i in box.sent()] == [txt, js]


def test_backoff_doubles_up_to_the_cap(tmp_path):
    box = Outbox(str(tmp_path), base_delay_s=30, max_delay_s=3600)
    assert [box.delay(n) for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_the_same_report_queued_twice_is_one_item_and_a_resend_after_a_lost_answer_is_not_a_copy(tmp_path):
    remote = tmp_path / "remote"
    remote.mkdir()
    box = Outbox(str(tmp_path / "data"), target_factory=lambda spec: DirTarget(str(remote)))
    a = box.enqueue("dir", "reports/x.json", b"{}")
    assert box.enqueue("dir", "reports/x.json", b"{}") == a and len(box.status()) == 1
    (remote / "reports").mkdir()
    (remote / "reports" / "x.json").write_bytes(b"{}")      # it went up, but the answer was lost
    assert box.run_once() == 1
    assert sorted(p.name for p in (remote / "reports").iterdir()) == ["x.json"]


def test_a_different_file_under_the_same_name_is_never_overwritten(tmp_path):
    remote = tmp_path / "remote"
    (remote / "r").mkdir(parents=True)
    (remote / "r" / "z.txt").write_bytes(b"someone else's")
    box = Outbox(str(tmp_path / "data"), target_factory=lambda spec: DirTarget(str(remote)))
    box.enqueue("dir", "r/z.txt", b"ours")
    box.run_once()
    assert (remote / "r" / "z.txt").read_bytes() == b"someone else's"
    assert (remote / "r" / "z-dup1.txt").read_bytes() == b"ours" and box.sent()[0].sent_as == "r/z-dup1.txt"


def test_a_bad_checksum_after_upload_is_retried(tmp_path):
    remote = tmp_path / "remote"
    remote.mkdir()

    class Lossy(DirTarget):
        def put(self, local_path, name):
            super().put(local_path, name)
            (remote / name).write_bytes(b"torn")

    box = Outbox(str(tmp_path / "data"), base_delay_s=0, target_factory=lambda spec: Lossy(str(remote)))
    box.enqueue("dir", "a.bin", b"whole file")
    assert box.run_once() == 0
    item = box.status()[0]
    assert item.last_error == "TARGET_FAILED" and "md5" in item.last_detail


def test_stuck_items_are_listed_with_their_reason(tmp_path):
    now = [1_000_000.0]
    box = Outbox(str(tmp_path), clock=lambda: now[0], target_factory=lambda spec: DirTarget(str(tmp_path / "gone")))
    box.enqueue("usb:KASSA/reports", "z.txt", b"z")
    box.run_once()
    assert box.stuck() == []
    now[0] += 4 * 3600
    stuck = box.stuck()
    assert len(stuck) == 1 and stuck[0].last_error == "TARGET_UNAVAILABLE" and stuck[0].where == "usb:KASSA/reports"


@pytest.mark.parametrize("content", [b"", b"x" * 70_000])
def test_md5_is_of_the_bytes_queued(tmp_path, content):
    box = Outbox(str(tmp_path))
    box.enqueue("dir", "a", content)
    assert box.status()[0].md5 == hashlib.md5(content).hexdigest()


def test_a_nightly_db_archive_goes_through_the_outbox_and_verifies(tmp_path):
    from storage.archive import import_archive
    from storage.catalog import Catalog
    from storage.catalog_items import Item
    from storage.outbox import enqueue_db_archive
    data = tmp_path / "data"
    data.mkdir()
    Catalog(str(data)).add(Item("1", None, "Хлеб", 120, "10"))
    remote = tmp_path / "remote"
    remote.mkdir()
    box = Outbox(str(data), target_factory=lambda spec: DirTarget(str(remote)))
    enqueue_db_archive(box, "usb:KASSA")
    assert box.run_once() == 1
    name = box.sent()[0].sent_as
    assert name.startswith("db/zpos-db-") and name.endswith(".zposdb")
    Catalog(str(data)).delete("1")
    import_archive(str(data), DirTarget(str(remote)), name)
    assert Catalog(str(data)).by_code("1").name == "Хлеб"
