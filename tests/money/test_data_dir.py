"""One process per data dir, a DB import that a kill cannot half-do, and a lost journal never replaced by an empty one."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fsm.clock import SimClock
from fsm.context import Stores
from qa.rig import build_sim_register
from storage.archive import export_archive, import_archive
from storage.errors import StorageError
from storage.journal import Journal
from storage.targets import parse_target
from zpos.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _day(data: Path, receipts: int = 2):
    reg, hub = build_sim_register(data, None, SimClock(), sleep=lambda s: None)
    try:
        reg.session.unlock("1111")
        reg.session.sko_pin("123456")
        reg.session.login("ivanova", "2580")
        if str(reg.shifts.state) == "closed":
            reg.shifts.open_shift()
        for _ in range(receipts):
            reg.sale.add_item("1")
            reg.checkout.pay({"cash": "5.00"})
    finally:
        reg.devices.close()
        reg.close()
        hub.stop()


def _holder(data: Path) -> subprocess.Popen:
    """Another process holding the data dir, as a running register does."""
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from fsm.context import Stores
        s = Stores({str(data)!r})
        print("ready", flush=True)
        time.sleep(30)
    """)
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    return p


def test_a_second_process_on_one_data_dir_is_refused_naming_the_holder(tmp_path, capsys):
    data = tmp_path / "data"
    _day(data)
    p = _holder(data)
    try:
        with pytest.raises(StorageError) as e:
            Stores(data)
        assert e.value.code == "DATA_DIR_IN_USE" and e.value.params["pid"] == str(p.pid)
        assert str(p.pid) in e.value.message and str(data) in e.value.message
        usb = tmp_path / "usb"
        usb.mkdir()
        assert main(["db", "export", "--data", str(data), "--to", str(usb)]) == 0      # an export only reads
        name = capsys.readouterr().out.split()[0]
        assert main(["db", "import", "--data", str(data), "--from", str(usb), "--name", name]) == 1
        err = capsys.readouterr().err
        assert str(p.pid) in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    finally:
        p.kill()
        p.wait()
    Stores(data).close()                     # the lock died with its process: nothing stale is left


def test_an_archive_behind_the_journal_is_refused_and_nothing_changes(tmp_path, capsys):
    data, usb = tmp_path / "data", tmp_path / "usb"
    usb.mkdir()
    _day(data, 1)
    old = export_archive(str(data), parse_target(str(usb)))
    _day(data, 2)
    with Journal(str(data / "journal.sqlite")) as j:
        before = j.last_number()
    assert main(["db", "import", "--data", str(data), "--from", str(usb), "--name", old]) == 1
    assert "СКО" in capsys.readouterr().err
    with Journal(str(data / "journal.sqlite")) as j:
        assert j.last_number() == before and j.verify().ok


KILL_AT = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, sys.argv[1])
    from storage.archive import import_archive
    from storage.targets import parse_target
    real, n, k = os.replace, [0], int(sys.argv[5])
    def dying(a, b):
        n[0] += 1
        if n[0] == k:
            os._exit(9)
        return real(a, b)
    os.replace = dying
    import_archive(sys.argv[2], parse_target(sys.argv[3]), sys.argv[4], registered_up_to=0)
    print("finished")
""")


@pytest.mark.parametrize("k", range(1, 12))
def test_a_kill_at_any_step_of_the_import_swap_leaves_one_whole_set_of_data(tmp_path, k):
    data, usb = tmp_path / "data", tmp_path / "usb"
    usb.mkdir()
    _day(data, 1)
    with Journal(str(data / "journal.sqlite")) as j:
        older = j.last_number()
    name = export_archive(str(data), parse_target(str(usb)))
    _day(data, 2)
    with Journal(str(data / "journal.sqlite")) as j:
        newer = j.last_number()
    script = tmp_path / "kill.py"
    script.write_text(KILL_AT)
    subprocess.run([sys.executable, str(script), str(ROOT), str(data), str(usb), name, str(k)], capture_output=True)
    stores = Stores(data)                    # start-up finishes or undoes the swap
    try:
        last = stores.journal.last_number()
        assert stores.journal.verify().ok and last in (newer, older)
        assert stores.users.get("ivanova") is not None and stores.catalog.by_code("1") is not None
        assert [n for n in os.listdir(data) if n.startswith(".import")] == []
    finally:
        stores.close()


def test_a_lost_journal_stops_the_start_instead_of_beginning_an_empty_one(tmp_path):
    data = tmp_path / "data"
    _day(data, 1)
    os.unlink(data / "journal.sqlite")
    with pytest.raises(StorageError) as e:
        Stores(data)
    assert e.value.code == "JOURNAL_MISSING" and not (data / "journal.sqlite").exists()


def test_a_failed_import_keeps_the_only_backup_of_an_interrupted_one(tmp_path):
    data, usb = tmp_path / "data", tmp_path / "usb"
    usb.mkdir()
    _day(data, 1)
    name = export_archive(str(data), parse_target(str(usb)))
    (data / ".import-backup").mkdir()         # an earlier swap cut short left its backup
    (data / ".import-backup" / "marker").write_text("the old data")
    (data / ".import-swap.json").write_text('{"phase": "moving_in"}')
    with pytest.raises(StorageError) as e:
        import_archive(str(data), parse_target(str(usb)), name)
    assert e.value.code == "IMPORT_FAILED" and (data / ".import-backup" / "marker").exists()
