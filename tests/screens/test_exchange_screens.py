"""Товары → Импорт / Экспорт by taps: a CSV from the till's folder is previewed, applied or refused whole."""
from __future__ import annotations

from pathlib import Path

import pytest
from ui_steps import cashier_in_open_shift, login, unlock


def _export_dir(sim) -> Path:
    d = Path(sim[0].stores.data_dir) / "export"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _to_import(ui) -> None:
    ui.tap("menu.goods")
    ui.tap("goods.exchange")
    ui.tap("exch.import")
    ui.tap("exch.place.1")          # the till's own export folder comes first
    ui.tap("exch.file.1")


def _message(ui) -> str:
    return ui.app.overlays[-1].text


def test_a_csv_from_the_folder_is_previewed_with_counts_and_applied_by_taps(ui, sim):
    reg = sim[0]
    before = len(reg.goods.items())
    (_export_dir(sim) / "goods.csv").write_text(
        "code;name;price;vat\n1;Хлеб новый;1.99;10\n900;Новый товар;5.00;20\n", encoding="utf-8")
    unlock(ui)
    login(ui, "admin", "7395")
    _to_import(ui)
    assert ui.visible_screen() == "goods_import_preview"
    assert (ui.text_of("exch.count.new"), ui.text_of("exch.count.changed"), ui.text_of("exch.count.removed")) == \
        ("1", "1", str(before - 1))
    assert ui.text_of("exch.sample.1") == "Новый товар"
    assert reg.goods.item("900") is None                  # a preview changes nothing
    ui.tap("exch.apply")
    assert ui.overlay() == "dialog"
    assert "новых 1, изменено 1" in _message(ui)
    assert reg.goods.item("900").price == 500
    assert reg.goods.item("1").name == "Хлеб новый"
    assert len(reg.goods.items()) == 2


def test_keeping_missing_goods_removes_nothing_and_cancel_discards_the_preview(ui, sim):
    reg = sim[0]
    before = len(reg.goods.items())
    (_export_dir(sim) / "goods.csv").write_text("code;name;price;vat\n900;Новый товар;5.00;20\n", encoding="utf-8")
    unlock(ui)
    login(ui, "admin", "7395")
    ui.tap("menu.goods")
    ui.tap("goods.exchange")
    ui.tap("exch.remove_missing")
    assert "оставить" in ui.text_of("exch.remove_missing")
    ui.tap("exch.import")
    ui.tap("exch.place.1")
    ui.tap("exch.file.1")
    assert ui.text_of("exch.count.removed") == "0"
    ui.tap("exch.discard")
    assert ui.visible_screen() == "goods_exchange"
    assert reg.exchange.pending is None
    ui.tap("exch.import")
    ui.tap("exch.place.1")
    ui.tap("exch.file.1")
    assert list(Path(reg.stores.data_dir).glob(".goods-staging-*"))
    ui.tap("header.back")                       # leaving the preview is a «no» as well
    assert ui.visible_screen() == "goods_exchange" and reg.exchange.pending is None
    assert not list(Path(reg.stores.data_dir).glob(".goods-staging-*"))
    assert reg.goods.item("900") is None and len(reg.goods.items()) == before


def test_a_bad_row_is_one_russian_message_naming_row_and_field_and_nothing_changes(ui, sim):
    reg = sim[0]
    names = [(i.code, i.name, i.price) for i in reg.goods.items()]
    (_export_dir(sim) / "goods.csv").write_text(
        "code;name;price\n1;Хлеб;1.99\n2;Молоко;дорого\n", encoding="utf-8")
    unlock(ui)
    login(ui, "admin", "7395")
    _to_import(ui)
    assert ui.visible_screen() == "goods_exchange"
    assert ui.overlay() == "dialog"
    text = _message(ui)
    assert "строка 3" in text and "«price»" in text and "Ничего не загружено" in text
    assert "Traceback" not in text and "BAD_CSV" not in text
    assert [(i.code, i.name, i.price) for i in reg.goods.items()] == names


def test_the_import_is_refused_while_a_receipt_is_open(ui, sim):
    reg = sim[0]
    (_export_dir(sim) / "goods.csv").write_text("code;name;price;vat\n900;Новый товар;5.00;20\n", encoding="utf-8")
    cashier_in_open_shift(ui)
    reg.sale.add_item("1")
    ui.app.home()
    reg.session.logout()
    ui.app.refresh()
    login(ui, "admin", "7395")
    _to_import(ui)
    assert ui.overlay() == "dialog"
    assert "Открыт чек" in _message(ui)
    assert reg.goods.item("900") is None


def test_the_catalog_is_exported_to_the_folder_as_csv(ui, sim):
    d = _export_dir(sim)
    unlock(ui)
    login(ui, "admin", "7395")
    ui.tap("menu.goods")
    ui.tap("goods.exchange")
    ui.tap("exch.export")
    ui.tap("exch.place.1")
    assert ui.overlay() == "dialog"
    files = sorted(d.glob("goods-*.csv"))
    assert len(files) == 1
    assert files[0].name in _message(ui)
    assert "Хлеб" in files[0].read_text(encoding="utf-8")


def test_a_cashier_has_no_import_button_and_bitrix24_without_a_webhook_says_so(ui, sim):
    cashier_in_open_shift(ui)
    ui.tap("menu.goods")
    assert "goods.exchange" not in ui.widget_ids()
    ui.app.home()
    sim[0].session.logout()
    ui.app.refresh()
    login(ui, "admin", "7395")
    ui.tap("menu.goods")
    ui.tap("goods.exchange")
    ui.tap("exch.fmt.bitrix24")
    assert not ui.enabled("exch.export")
    ui.tap("exch.import")
    assert "Битрикс24 не подключён" in _message(ui)


def test_the_progress_sheet_shows_how_far_a_long_job_is(ui):
    from screens.dialogs import Progress
    ui.app.open(Progress(ui.app, "Загрузка товаров", ""))
    ui.app.job_progress({"text": "Запись в каталог: 5000 из 20000", "fraction": 0.25})
    prog = ui.app.progress_overlay()
    assert (prog.text, prog.fraction) == ("Запись в каталог: 5000 из 20000", 0.25)
    ui.app.job_progress({"fraction": 7})
    assert prog.fraction == 1.0


@pytest.fixture
def ftp(tmp_path):
    """A real FTP server (pyftpdlib) on localhost, its root a folder of the test."""
    import threading

    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer
    root = tmp_path / "ftp"
    root.mkdir()
    auth = DummyAuthorizer()
    auth.add_user("kassa", "s3cret", str(root), perm="elradfmwMT")
    server = FTPServer(("127.0.0.1", 0), type("Handler", (FTPHandler,), {"authorizer": auth}))
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.05}, daemon=True)
    thread.start()
    yield f"ftp://kassa:s3cret@127.0.0.1:{server.address[1]}/", root
    server.close_all()
    thread.join(5)


def _configure(sim, spec: str) -> None:
    from storage.targets import ExchangeSettings
    ExchangeSettings(str(sim[0].stores.data_dir)).put("ftp", {"target": spec})


def test_goods_are_imported_from_a_configured_ftp_server_by_taps(ui, sim, ftp):
    spec, root = ftp
    (root / "goods.csv").write_text("code;name;price;vat\n900;С сервера;7.00;20\n", encoding="utf-8")
    _configure(sim, spec)
    unlock(ui)
    login(ui, "admin", "7395")
    ui.tap("menu.goods")
    ui.tap("goods.exchange")
    ui.tap("exch.remove_missing")
    ui.tap("exch.import")
    assert ui.text_of("exch.place.2").startswith("Сервер: ftp://kassa:***@127.0.0.1")
    ui.tap("exch.place.2")
    ui.tap("exch.file.1")
    assert ui.text_of("exch.count.new") == "1"
    ui.tap("exch.apply")
    assert sim[0].goods.item("900").name == "С сервера"


def test_the_database_is_exported_to_a_configured_ftp_server_from_maintenance(ui, sim, ftp):
    spec, root = ftp
    _configure(sim, spec)
    unlock(ui)
    login(ui, "admin", "7395")
    ui.tap("menu.settings")
    ui.tap("settings.maintenance")
    ui.tap("maint.export")
    remote = [w for w in ui.widget_ids() if w.startswith("maint.dir.") and ui.text_of(w).startswith("Сервер:")]
    assert len(remote) == 1 and "s3cret" not in ui.text_of(remote[0])
    ui.tap(remote[0])
    assert ui.overlay() == "dialog"
    assert [p.suffix for p in root.iterdir()] == [".zposdb"]
    assert "s3cret" not in ui.app.overlays[-1].text
