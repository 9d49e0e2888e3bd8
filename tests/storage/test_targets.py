"""Archive targets: a local directory and a real pyftpdlib FTP server on loopback."""
from __future__ import annotations

import threading

import pytest
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

from storage.targets import ArchiveError, DirTarget, FtpTarget, parse_target


@pytest.fixture
def ftp_server(tmp_path):
    root = tmp_path / "ftproot"
    (root / "backups").mkdir(parents=True)
    auth = DummyAuthorizer()
    auth.add_user("kassa", "s3cret", str(root), perm="elradfmwMT")
    handler = type("Handler", (FTPHandler,), {"authorizer": auth})
    server = FTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.05}, daemon=True)
    thread.start()
    yield server.address[1], root
    server.close_all()
    thread.join(5)


def test_dir_target_puts_gets_and_lists_archives(tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    src = tmp_path / "a.zposdb"
    src.write_bytes(b"payload")
    t = DirTarget(str(usb))
    t.put(str(src), "a.zposdb")
    (usb / "notes.txt").write_text("x")
    assert t.list() == ["a.zposdb", "notes.txt"]
    t.get("a.zposdb", str(tmp_path / "back"))
    assert (tmp_path / "back").read_bytes() == b"payload"


def test_a_missing_usb_directory_is_reported(tmp_path):
    with pytest.raises(ArchiveError) as e:
        DirTarget(str(tmp_path / "nope")).list()
    assert e.value.code == "TARGET_UNAVAILABLE"


def test_names_with_paths_are_refused(tmp_path):
    with pytest.raises(ArchiveError) as e:
        DirTarget(str(tmp_path)).get("../etc/passwd", str(tmp_path / "x"))
    assert e.value.code == "BAD_NAME"


def test_ftp_target_round_trip_on_a_real_server(tmp_path, ftp_server):
    port, root = ftp_server
    src = tmp_path / "b.zposdb"
    src.write_bytes(b"\x00archive\xff" * 1000)
    t = FtpTarget("127.0.0.1", port, "kassa", "s3cret", "/backups")
    t.put(str(src), "b.zposdb")
    assert (root / "backups" / "b.zposdb").read_bytes() == src.read_bytes()
    assert t.list() == ["b.zposdb"]
    t.get("b.zposdb", str(tmp_path / "b2"))
    assert (tmp_path / "b2").read_bytes() == src.read_bytes()
    with pytest.raises(ArchiveError) as e:
        t.get("absent.zposdb", str(tmp_path / "b3"))
    assert e.value.code == "NO_ARCHIVE"


def test_wrong_ftp_password_is_reported(ftp_server):
    port, _ = ftp_server
    with pytest.raises(ArchiveError) as e:
        FtpTarget("127.0.0.1", port, "kassa", "wr0ngpw", "/").list()
    assert e.value.code == "TARGET_AUTH" and "wr0ngpw" not in str(e.value) + e.value.detail + repr(e.value.params)


def test_parse_target_understands_ftp_urls_and_directories():
    t = parse_target("ftp://kassa:p%40ss@10.0.0.5:2121/backups")
    assert t == FtpTarget("10.0.0.5", 2121, "kassa", "p@ss", "/backups")
    assert parse_target("/media/usb") == DirTarget("/media/usb")
    with pytest.raises(ArchiveError):
        parse_target("sftp://host/x")
