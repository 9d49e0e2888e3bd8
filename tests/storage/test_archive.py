"""DB archives: signed export, verified all-or-nothing import, clearing up to a date, deleting goods."""
from __future__ import annotations

import io
import os
import tarfile

import pytest
from storage_helpers import FakeSko, sale
from test_targets import ftp_server  # noqa: F401  (the real FTP server fixture)

from storage.archive import clear_until, delete_goods, export_archive, import_archive
from storage.catalog import Catalog, Item
from storage.errors import StorageError
from storage.journal import Journal
from storage.keys import device_key, key_path, public_pem
from storage.targets import ArchiveError, DirTarget, FtpTarget
from storage.users import UserStore


def fill(data_dir, n=5, day="2024-03-0{}", sko=None):
    sko = sko or FakeSko()
    with Journal(os.path.join(data_dir, "journal.sqlite")) as j:
        for i in range(n):
            doc = sale(f"s{i}", created=f"{day.format(i + 1)}T10:00:00+03:00")
            j.add_pending(doc)
            j.mark_registered(doc.op_id, sko.register(doc))
    Catalog(str(data_dir)).add(Item("1001", "4810000000011", "Молоко", 249, "10"))
    return sko


def snapshot(data_dir) -> dict:
    out = {}
    for base, _, names in os.walk(data_dir):
        for n in names:
            p = os.path.join(base, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, data_dir)] = f.read()
    return out


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    fill(str(d))
    return str(d)


@pytest.fixture
def usb(tmp_path):
    u = tmp_path / "usb"
    u.mkdir()
    return DirTarget(str(u))


def test_device_key_is_made_once_and_kept_private(data):
    k1 = public_pem(device_key(data))
    assert public_pem(device_key(data)) == k1
    assert os.stat(key_path(data)).st_mode & 0o077 == 0


def test_export_then_import_restores_journal_and_stores(data, usb):
    name = export_archive(data, usb)
    assert name.endswith(".zposdb") and usb.list() == [name]
    with tarfile.open(os.path.join(usb.path, name)) as tar:
        names = tar.getnames()
    assert "data/journal.sqlite" in names and not any("keys" in n or "sim/" in n for n in names)
    Catalog(data).delete("1001")
    UserStore(data).add("k1", "Кассир", "cashier", "2", "2468")
    assert import_archive(data, usb, name) == 5
    assert Catalog(data).by_code("1001") is not None and UserStore(data).get("k1") is None
    with Journal(os.path.join(data, "journal.sqlite")) as j:
        assert j.verify().ok and j.count() == 5


def _rewrite(path: str, change) -> None:
    with tarfile.open(path) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(path, "w") as tar:
        for m, blob in members:
            blob = change(m.name, blob)
            m.size = len(blob)
            tar.addfile(m, io.BytesIO(blob))


def test_an_edited_archive_is_refused_and_data_stays(data, usb):
    name = export_archive(data, usb)
    _rewrite(os.path.join(usb.path, name),
             lambda n, b: b.replace("Молоко".encode(), "Кефир!".encode()) if n.endswith("journal.sqlite") else b)
    before = snapshot(data)
    with pytest.raises(ArchiveError) as e:
        import_archive(data, usb, name)
    assert e.value.code == "TAMPERED" and "journal.sqlite" in e.value.detail
    assert snapshot(data) == before


def test_an_edited_manifest_breaks_the_signature(data, usb):
    name = export_archive(data, usb)
    _rewrite(os.path.join(usb.path, name),
             lambda n, b: b.replace(b'"size"', b'"size" ') if n == "manifest.json" else b)
    with pytest.raises(ArchiveError) as e:
        import_archive(data, usb, name)
    assert e.value.code == "TAMPERED" and "signature" in e.value.detail


def test_a_truncated_archive_is_refused_and_data_stays(data, usb):
    name = export_archive(data, usb)
    path = os.path.join(usb.path, name)
    blob = open(path, "rb").read()
    open(path, "wb").write(blob[: len(blob) // 2])
    before = snapshot(data)
    with pytest.raises(ArchiveError) as e:
        import_archive(data, usb, name)
    assert e.value.code in ("TRUNCATED", "FOREIGN_ARCHIVE") and snapshot(data) == before


def test_an_archive_of_another_device_needs_its_key(tmp_path, data, usb):
    other = tmp_path / "other"
    other.mkdir()
    fill(str(other), n=2)
    name = export_archive(str(other), usb)
    with pytest.raises(ArchiveError) as e:
        import_archive(data, usb, name)
    assert e.value.code == "FOREIGN_ARCHIVE" and "another device" in e.value.detail
    with pytest.raises(ArchiveError) as e:        # 2 documents where this register's SKO holds 5: behind it
        import_archive(data, usb, name, trust_key_pem=public_pem(device_key(str(other))))
    assert e.value.code == "ARCHIVE_BEHIND_SKO" and e.value.params == {"last": 2, "registered": 5}
    assert import_archive(data, usb, name, trust_key_pem=public_pem(device_key(str(other))), registered_up_to=0) == 2


def test_a_random_tar_is_not_an_archive(data, usb, tmp_path):
    path = os.path.join(usb.path, "junk.zposdb")
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(ArchiveError) as e:
        import_archive(data, usb, "junk.zposdb")
    assert e.value.code == "FOREIGN_ARCHIVE"
    open(os.path.join(usb.path, "text.zposdb"), "w").write("not a tar")
    with pytest.raises(ArchiveError) as e:
        import_archive(data, usb, "text.zposdb")
    assert e.value.code in ("TRUNCATED", "NOT_AN_ARCHIVE")


def test_export_and_import_over_real_ftp(data, ftp_server):  # noqa: F811
    port, root = ftp_server
    ftp = FtpTarget("127.0.0.1", port, "kassa", "s3cret", "/backups")
    name = export_archive(data, ftp)
    assert (root / "backups" / name).exists() and ftp.list() == [name]
    Catalog(data).delete_all()
    assert import_archive(data, ftp, name) == 5
    assert len(Catalog(data)) == 1


def test_clear_until_keeps_unsent_documents_and_the_chain(data):
    result = clear_until(data, "2024-03-03", sko_sent_up_to=2)
    assert (result.removed, result.up_to_number) == (2, 2)
    with Journal(os.path.join(data, "journal.sqlite")) as j:
        assert j.count() == 3 and j.by_number(3) is not None and j.last_number() == 5
        assert j.verify().ok and j.verify().count == 3


def test_clear_until_a_date_removes_that_day_inclusive(data):
    assert clear_until(data, "2024-03-03", sko_sent_up_to=100).up_to_number == 3
    assert clear_until(data, "2024-03-03", sko_sent_up_to=100).removed == 0


def test_after_clearing_everything_numbering_and_chain_continue(data):
    sko_state = FakeSko(start=6)
    clear_until(data, "2030-01-01", sko_sent_up_to=5)
    with Journal(os.path.join(data, "journal.sqlite")) as j:
        assert j.count() == 0 and j.last_number() == 5
        doc = sale("s-next")
        j.add_pending(doc)
        j.mark_registered("s-next", sko_state.register(doc))
        assert j.verify().ok and j.verify().count == 1


def test_clear_until_refuses_a_bad_date(data):
    with pytest.raises(StorageError) as e:
        clear_until(data, "03.03.2024", 1)
    assert e.value.code == "BAD_DATE"


def test_delete_goods_empties_the_catalog(data):
    assert delete_goods(data) == 1 and len(Catalog(data)) == 0
