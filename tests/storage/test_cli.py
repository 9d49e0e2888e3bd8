"""`zpos journal` and `zpos db`: exit codes, one-line errors, the contract's output."""
from __future__ import annotations

import json
import os
import sqlite3

import pytest
from test_archive import fill

from storage.journal import Journal
from zpos.cli import main


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    sko = fill(str(d), n=3)
    with Journal(str(d / "journal.sqlite")) as j:
        j.set_meta("sko_public_key", sko.public_pem)
    return str(d)


def test_journal_verify_prints_ok_and_count(data, capsys):
    assert main(["journal", "verify", "--data", data]) == 0
    assert capsys.readouterr().out.strip() == "OK 3 documents"


def test_journal_verify_names_the_first_broken_document(data, capsys):
    db = sqlite3.connect(os.path.join(data, "journal.sqlite"))
    db.execute("UPDATE documents SET hash = 'x' || substr(hash, 2) WHERE number = 2")
    db.commit()
    db.close()
    assert main(["journal", "verify", "--data", data]) == 1
    assert "document 2" in capsys.readouterr().out


def test_journal_export_writes_json_lines(data, tmp_path):
    out = tmp_path / "j.jsonl"
    assert main(["journal", "export", "--data", data, "--out", str(out)]) == 0
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["number"] for r in rows] == [1, 2, 3] and rows[0]["type"] == "sale"


def test_db_export_import_and_clear(data, tmp_path, capsys):
    usb = tmp_path / "usb"
    usb.mkdir()
    assert main(["db", "export", "--data", data, "--to", str(usb)]) == 0
    name = capsys.readouterr().out.split()[0]
    assert main(["db", "import", "--data", data, "--from", str(usb)]) == 0
    assert capsys.readouterr().out.strip() == name
    assert main(["db", "import", "--data", data, "--from", str(usb), "--name", name]) == 0
    assert "3 journal documents" in capsys.readouterr().out
    assert main(["db", "clear", "--data", data, "--until", "2024-03-02", "--sko-sent-up-to", "3"]) == 0
    assert "removed 2 documents" in capsys.readouterr().out
    assert main(["journal", "verify", "--data", data]) == 0


@pytest.mark.parametrize("argv,needle", [
    (["journal", "verify", "--data", "/nonexistent"], "no fiscal journal"),
    (["db", "clear", "--data", "{data}", "--until", "yesterday", "--sko-sent-up-to", "1"], "YYYY-MM-DD"),
    (["db", "import", "--data", "{data}", "--from", "{data}/nope", "--name", "x.zposdb"], "does not exist"),
    (["db", "export", "--data", "{data}", "--to", "ftp://u:p4ss@127.0.0.1:1/x"], "ftp://u@127.0.0.1:1/x"),
    (["db", "export", "--data", "{data}", "--to", "sftp://h/x"], "sftp://h/x"),
])
def test_bad_input_is_one_line_on_stderr_without_traceback(data, capsys, argv, needle):
    code = main([a.replace("{data}", data) for a in argv])
    err = capsys.readouterr().err
    assert code != 0 and needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "p4ss" not in err


def test_a_corrupt_journal_is_reported_by_verify(data, capsys):
    path = os.path.join(data, "journal.sqlite")
    open(path, "wb").write(b"garbage" * 500)
    assert main(["journal", "verify", "--data", data]) == 1
    assert "restore" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["journal", "--help"], ["journal", "verify", "--help"], ["db", "--help"],
                                  ["db", "export", "--help"], ["db", "import", "--help"], ["db", "clear", "--help"]])
def test_every_help_works(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 0 and "usage" in capsys.readouterr().out
