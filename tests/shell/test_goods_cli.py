"""`zpos goods import|export`, `zpos reports`, `zpos db` with URLs: one line out, one line on refusal, no traceback."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.bitrix24 import Bitrix24Sim
from storage.catalog import Catalog
from storage.journal import Journal
from storage.targets import ExchangeSettings
from tests.storage.remote_servers import start_ftp, start_webdav, yadisk_sim  # noqa: F401
from zpos.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "storage" / "fixtures" / "commerceml"
CSV = "Код;Штрихкод;Наименование;Цена;НДС;Остаток\n1;4810000000017;Молоко;2,49;10;40\n2;;Хлеб;1,20;10;\n"


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    return d


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_prints_exactly_one_line_and_dry_run_applies_nothing(tmp_path, data, capsys):
    src = tmp_path / "goods.csv"
    src.write_bytes(CSV.encode("cp1251"))
    assert run(capsys, "goods", "import", src, "--dry-run", "--data", data) == \
        (0, "imported 2 items (2 new, 0 changed, 0 removed)\n", "")
    assert len(Catalog(str(data))) == 0
    assert run(capsys, "goods", "import", src, "--data", data)[1] == "imported 2 items (2 new, 0 changed, 0 removed)\n"
    assert Catalog(str(data)).by_barcode("4810000000017").stock == 40_000


def test_a_bad_file_is_one_line_naming_row_and_field(tmp_path, data, capsys):
    src = tmp_path / "goods.csv"
    src.write_text("Код;Наименование;Цена\n1;Хлеб;дорого\n", encoding="utf-8")
    code, out, err = run(capsys, "goods", "import", src, "--data", data)
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "BAD_CSV" in err and "строка 2" in err and "«Цена»" in err


def test_import_is_refused_while_a_receipt_is_open(tmp_path, data, capsys):
    with Journal(str(data / "journal.sqlite")) as j:
        j.save_draft({"lines": [{"code": "1"}]})
    src = tmp_path / "goods.csv"
    src.write_text(CSV, encoding="utf-8")
    code, _, err = run(capsys, "goods", "import", src, "--data", data)
    assert code == 1 and "RECEIPT_OPEN" in err


def test_commerceml_from_a_folder_on_ftp(tmp_path, data, capsys):
    root = tmp_path / "ftp"
    shutil.copytree(FIX / "ut11", root / "1c")
    server, thread = start_ftp(root)
    try:
        port = server.address[1]
        code, out, err = run(capsys, "goods", "import", f"ftp://kassa:s3cret@127.0.0.1:{port}/1c/", "--data", data)
    finally:
        server.close_all()
        thread.join(5)
    assert (code, out) == (0, "imported 4 items (4 new, 0 changed, 0 removed)\n"), err


def test_csv_from_yandex_disk_and_export_back_there(tmp_path, data, capsys, yadisk_sim):  # noqa: F811
    ExchangeSettings(str(data)).put("yadisk", {"token": "good-token", "api": yadisk_sim.url})
    src = tmp_path / "goods.csv"
    src.write_text(CSV, encoding="utf-8")
    from storage.targets import parse_target
    parse_target("yadisk:/goods", str(data)).put(str(src), "import/goods.csv")
    assert run(capsys, "goods", "import", "yadisk:/goods/import/goods.csv", "--data", data)[1].startswith("imported 2")
    code, out, _ = run(capsys, "goods", "export", "yadisk:/goods/export/goods.csv", "--data", data)
    assert code == 0 and out.startswith("exported 2 items")
    assert yadisk_sim.file("app:/goods/export/goods.csv").startswith(b"code,barcode,name,price")


def test_bitrix24_from_the_settings(data, capsys):
    sim = Bitrix24Sim()
    sim.add("catalogs", id=1, iblockId=23, name="Каталог", productIblockId=None)
    sim.add("vats", id=3, rate=10)
    sim.add("priceTypes", id=1, name="BASE", base="Y")
    sim.add("products", id=5, iblockId=23, name="Сок", active="Y", vatId=3, vatIncluded="Y", quantity=3, type=1)
    sim.add("prices", id=1, productId=5, catalogGroupId=1, price=3.1, currency="BYN")
    sim.start()
    try:
        ExchangeSettings(str(data)).put("bitrix24", {"webhook": sim.webhook, "min_interval_s": 0})
        assert run(capsys, "goods", "import", "bitrix24:", "--data", data)[1] == \
            "imported 1 items (1 new, 0 changed, 0 removed)\n"
    finally:
        sim.stop()
    assert Catalog(str(data)).by_code("5").price == 310


def test_export_to_webdav_and_db_archive_round_trip_over_webdav(tmp_path, data, capsys):
    src = tmp_path / "goods.csv"
    src.write_text(CSV, encoding="utf-8")
    run(capsys, "goods", "import", src, "--data", data)
    dav = tmp_path / "dav"
    (dav / "kassa").mkdir(parents=True)
    server, port = start_webdav(dav)
    try:
        url = f"webdav://kassa:s3cret@127.0.0.1:{port}/dav/kassa"
        code, out, _ = run(capsys, "goods", "export", f"{url}/goods.zip", "--data", data)
        assert code == 0 and (dav / "kassa" / "goods.zip").exists()
        code, out, err = run(capsys, "db", "export", "--data", data, "--to", url)
        assert code == 0, err
        name = out.split()[0]
        code, out, err = run(capsys, "db", "import", "--data", data, "--from", url, "--name", name)
        assert code == 0 and "imported" in out, err
    finally:
        server.stop()
    assert Catalog(str(data)).by_code("1").name == "Молоко"


def test_reports_in_three_formats(data, capsys):
    Journal(str(data / "journal.sqlite")).close()
    for fmt in ("text", "csv", "json"):
        code, out, _ = run(capsys, "reports", "payments", "--from", "2024-03-01", "--to", "2024-03-31", "--format", fmt,
                           "--data", data)
        assert code == 0
    assert json.loads(out) == []
    code, _, err = run(capsys, "reports", "goods", "--from", "2024-03-31", "--to", "2024-03-01", "--data", data)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_the_command_runs_as_a_subprocess_with_help():
    out = subprocess.run([sys.executable, "-m", "zpos.cli", "goods", "import", "--help"], capture_output=True,
                         text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0 and "--dry-run" in out.stdout
