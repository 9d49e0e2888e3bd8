"""`zpos backup`: the nightly timer's export of the DB to the config's [backup] target (a directory or real FTP)."""
from __future__ import annotations

import threading

import pytest
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

from storage.journal import Journal
from storage.targets import ARCHIVE_SUFFIX
from zpos.cli import main


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    Journal(str(d / "journal.sqlite")).close()
    return d


def _config(tmp_path, target: str):
    f = tmp_path / "config.toml"
    f.write_text(f'[backup]\ntarget = "{target}"\n', encoding="utf-8")
    return f


def test_an_export_lands_in_the_configured_directory(tmp_path, data, capsys):
    usb = tmp_path / "usb"
    usb.mkdir()
    assert main(["backup", "--config", str(_config(tmp_path, str(usb))), "--data", str(data)]) == 0
    names = [p.name for p in usb.iterdir()]
    assert len(names) == 1 and names[0].endswith(ARCHIVE_SUFFIX)
    assert f"{names[0]} exported to {usb} (signed by device key" in capsys.readouterr().out


def test_an_export_goes_to_ftp_and_the_password_stays_out_of_the_journal(tmp_path, data, capsys):
    root = tmp_path / "ftproot"
    (root / "zpos").mkdir(parents=True)
    auth = DummyAuthorizer()
    auth.add_user("kassa", "s3cret", str(root), perm="elradfmwMT")
    server = FTPServer(("127.0.0.1", 0), type("Handler", (FTPHandler,), {"authorizer": auth}))
    stop = threading.Event()

    def serve() -> None:
        # One poll at a time, and the close in the same thread: closing from outside races the poll.
        while not stop.is_set():
            server.serve_forever(timeout=0.05, blocking=False)
        server.close_all()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        target = f"ftp://kassa:s3cret@127.0.0.1:{server.address[1]}/zpos"
        assert main(["backup", "--config", str(_config(tmp_path, target)), "--data", str(data)]) == 0
    finally:
        stop.set()
        thread.join(5)
    assert len(list((root / "zpos").iterdir())) == 1
    out = capsys.readouterr().out
    assert "s3cret" not in out and "ftp://kassa:***@127.0.0.1" in out


def test_without_a_target_the_backup_says_so_and_exits_2(tmp_path, data, capsys):
    f = tmp_path / "config.toml"
    f.write_text("", encoding="utf-8")
    assert main(["backup", "--config", str(f), "--data", str(data)]) == 2
    assert "[backup] target is not set" in capsys.readouterr().err


def test_a_data_dir_without_a_register_is_refused(tmp_path, capsys):
    usb = tmp_path / "usb"
    usb.mkdir()
    assert main(["backup", "--config", str(_config(tmp_path, str(usb))), "--data", str(tmp_path / "empty")]) == 2
    assert "holds no register" in capsys.readouterr().err and not list(usb.iterdir())


def test_a_target_that_is_not_there_is_one_line_and_exit_1(tmp_path, data, capsys):
    assert main(["backup", "--config", str(_config(tmp_path, str(tmp_path / "no-stick"))), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "no-stick" in err
