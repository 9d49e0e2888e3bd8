"""FTPS against a real pyftpdlib TLS server, WebDAV against a real wsgidav server: the same target interface as a folder."""
from __future__ import annotations

import pytest
from remote_servers import self_signed_cert, start_ftp, start_webdav

from storage.targets import ArchiveError, FtpTarget, parse_target


@pytest.fixture
def ftps_server(tmp_path):
    root = tmp_path / "ftproot"
    root.mkdir()
    cert = self_signed_cert(tmp_path)
    server, thread = start_ftp(root, cert)
    yield server.address[1], root, cert[0]
    server.close_all()
    thread.join(5)


@pytest.fixture
def dav_server(tmp_path):
    root = tmp_path / "davroot"
    root.mkdir()
    server, port = start_webdav(root)
    yield port, root
    server.stop()


def test_ftps_puts_into_nested_folders_and_reads_back_over_tls(tmp_path, ftps_server):
    port, root, cert = ftps_server
    src = tmp_path / "z.json"
    src.write_bytes(b'{"shift": 12}' * 100)
    t = parse_target(f"ftps://kassa:s3cret@127.0.0.1:{port}/?cafile={cert}")
    t.put(str(src), "reports/Z/2026/z-00012.json")
    assert (root / "reports" / "Z" / "2026" / "z-00012.json").read_bytes() == src.read_bytes()
    assert t.list("reports/Z/2026") == ["z-00012.json"]
    assert t.stat("reports/Z/2026/z-00012.json").size == src.stat().st_size
    assert t.stat("reports/none.json") is None
    t.get("reports/Z/2026/z-00012.json", str(tmp_path / "back"))
    assert (tmp_path / "back").read_bytes() == src.read_bytes()
    assert t.free_space() is None


def test_ftps_refuses_a_server_whose_certificate_is_not_trusted(ftps_server):
    port, _, _ = ftps_server
    with pytest.raises(ArchiveError) as e:
        FtpTarget("127.0.0.1", port, "kassa", "s3cret", tls=True).list()
    assert e.value.code == "TARGET_UNAVAILABLE" and "s3cret" not in e.value.detail


def test_webdav_round_trip_on_a_real_wsgidav_server(tmp_path, dav_server):
    port, root = dav_server
    src = tmp_path / "db.zposdb"
    src.write_bytes(bytes(range(256)) * 50)
    t = parse_target(f"webdav://kassa:s3cret@127.0.0.1:{port}/dav/zpos")
    (root / "zpos").mkdir()
    t.put(str(src), "db/zpos-db-1.zposdb")
    assert (root / "zpos" / "db" / "zpos-db-1.zposdb").read_bytes() == src.read_bytes()
    assert not list((root / "zpos" / "db").glob("*.part"))
    assert t.list() == ["db"] and t.list("db") == ["zpos-db-1.zposdb"]
    assert t.stat("db/zpos-db-1.zposdb").size == src.stat().st_size and t.stat("db/nothing") is None
    t.put(str(src), "db/zpos-db-1.zposdb")              # overwrite in place
    t.get("db/zpos-db-1.zposdb", str(tmp_path / "back"))
    assert (tmp_path / "back").read_bytes() == src.read_bytes()
    with pytest.raises(ArchiveError) as e:
        t.get("db/absent.zposdb", str(tmp_path / "x"))
    assert e.value.code == "NO_ARCHIVE"


def test_webdav_with_a_wrong_password_is_a_sign_in_refusal_without_the_password(dav_server):
    port, _ = dav_server
    with pytest.raises(ArchiveError) as e:
        parse_target(f"webdav://kassa:wr0ngpw@127.0.0.1:{port}/dav").list()
    assert e.value.code == "TARGET_AUTH"
    assert "wr0ngpw" not in e.value.detail + str(e.value.params) + e.value.message


def test_secrets_never_show_in_repr_or_labels():
    t = parse_target("ftp://kassa:Sup3rS3cret@10.0.0.5/x")
    w = parse_target("webdavs://kassa:Sup3rS3cret@cloud.example/dav")
    assert "Sup3rS3cret" not in repr(t) + t.label + repr(w) + w.label
