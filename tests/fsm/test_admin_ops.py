"""The administrator's operations through the register: permission-checked, validated, persisted."""
import pytest

from fsm.errors import OperationError
from storage.outbox import Outbox


@pytest.fixture
def admin(register_as):
    return register_as("admin", "7395")


def test_fill_requisites_from_the_sko(admin):
    reg, hub = admin
    hub.sko.set_requisites("ООО «Василёк»", "200988541", "987654321")
    req = reg.admin.fill_requisites_from_sko()
    assert (req.org_name, req.unp, req.ksa_number, req.sko_serial) == ("ООО «Василёк»", "200988541", "987654321",
                                                                      "AVQ11169990670")
    assert reg.stores.settings.requisites().org_name == "ООО «Василёк»"
    assert reg.admin.save_requisites("Магазин №2", " г. Гродно ").shop_address == "г. Гродно"


def test_users_are_added_with_password_rules_and_can_log_in(admin):
    reg, _ = admin
    with pytest.raises(OperationError) as e:
        reg.admin.add_user("sidorova", "Сидорова", "cashier", "103", "1234")
    assert e.value.code == "WEAK_PASSWORD"
    reg.admin.add_user("sidorova", "Сидорова", "cashier", "103", "8642")
    assert reg.stores.users.verify("sidorova", "8642")
    with pytest.raises(OperationError) as e:
        reg.admin.delete_user("admin")
    assert e.value.code == "NOT_ALLOWED"


def test_parameters_are_validated_and_mode_changes_need_a_closed_shift(admin):
    reg, _ = admin
    with pytest.raises(OperationError) as e:
        reg.admin.save_parameters(printer_width=40)
    assert e.value.code == "BAD_FIELD" and "printer_width" in e.value.detail
    assert reg.admin.save_parameters(accounting_mode="sum").accounting_mode == "sum"
    assert reg.session.allowed("section_sale") is not None      # admins do not sell, whatever the mode


def test_a_cashier_cannot_reach_administration(register_as):
    reg, _ = register_as("ivanova", "2580")
    for op in (lambda: reg.admin.add_user("x", "X", "cashier", "1", "8642"), reg.admin.fill_requisites_from_sko,
               lambda: reg.admin.save_parameters(printer_width=32)):
        with pytest.raises(OperationError) as e:
            op()
        assert e.value.code == "NOT_ALLOWED"
    assert set(reg.hardware.bank_test()) == {"Беларусбанк", "Приорбанк"}


def test_goods_are_edited_exported_and_imported_all_or_nothing(admin, tmp_path):
    reg, _ = admin
    from dataclasses import replace
    item = reg.stores.catalog.by_code("1")
    reg.admin.save_item(replace(item, price=199))
    assert reg.stores.catalog.by_code("1").price == 199
    reg.admin.rename_category("Хлеб", "Хлеб и выпечка")
    assert "Хлеб и выпечка" in reg.stores.catalog.categories()
    path = tmp_path / "goods.csv"
    assert reg.admin.export_goods(path) == len(reg.stores.catalog.items())
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text(encoding="utf-8") + "99,,Новый товар,abc,20,,false,,\n", encoding="utf-8")
    before = len(reg.stores.catalog.items())
    with pytest.raises(OperationError) as e:
        reg.admin.import_goods(bad)
    assert "row" in e.value.detail and len(reg.stores.catalog.items()) == before
    reg.admin.delete_item("14")
    assert reg.stores.catalog.by_code("14") is None


def test_turnover_statement_counts_sales_and_stock(register_as):
    reg, _ = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.sale.add_item("2", "3")
    reg.checkout.pay({"cash": "10.00"})
    rows = {r["code"]: r for r in reg.reports.turnover("2000-01-01", "2100-01-01")}
    assert rows["2"]["sold_qty"] == 3000 and rows["2"]["sold_sum"] == 747 and rows["2"]["stock"] == 57000


def test_z_reports_are_exported_at_shift_close_to_the_configured_directory(register_as, tmp_path):
    admin, hub = register_as("admin", "7395")
    (tmp_path / "usb").mkdir()                      # the USB stick's mount point
    admin.admin.save_parameters(reports_target=str(tmp_path / "usb"))
    admin.session.logout()
    admin.session.login("ivanova", "2580")
    admin.shifts.open_shift()
    admin.sale.add_item("1")
    admin.checkout.pay({"cash": "5.00"})
    admin.shifts.close_shift()                      # queued in the outbox: closing never waits on the network
    assert not list((tmp_path / "usb").rglob("*.txt"))
    assert Outbox(str(admin.stores.data_dir)).run_once() == 2
    [txt] = list((tmp_path / "usb").rglob("Z-000001-*.txt"))
    assert "Z-ОТЧЕТ" in txt.read_text(encoding="utf-8") and "1.89" in txt.read_text(encoding="utf-8")
    [js] = list((tmp_path / "usb").rglob("Z-000001-*.json"))
    assert '"shift": 1' in js.read_text(encoding="utf-8")


def test_a_report_upload_that_fails_waits_in_the_outbox_and_never_refuses_the_z(register_as, tmp_path):
    admin, hub = register_as("admin", "7395")
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    admin.admin.save_parameters(reports_target=str(blocker / "sub"))
    admin.session.logout()
    admin.session.login("ivanova", "2580")
    admin.shifts.open_shift()
    admin.shifts.cash_in("1.00")          # the SKO does not close an empty shift (iKassa 1001)
    admin.shifts.close_shift()
    assert str(admin.shifts.state) == "closed"
    outbox = Outbox(str(admin.stores.data_dir))
    assert outbox.run_once() == 0                                    # the target refuses: it waits and is retried
    waiting = outbox.status()
    assert len(waiting) == 2 and all(i.last_error and i.attempts == 1 for i in waiting)
    assert any(c.id == "target:outbox" for c in admin.hardware.diagnostics())   # diagnostics show what waits


def test_maintenance_exports_imports_and_clears_through_the_register(register_as, tmp_path):
    reg, hub = register_as("admin", "7395")
    usb = tmp_path / "usb"
    usb.mkdir()
    name = reg.maintenance.export_db(str(usb))
    assert reg.maintenance.list_archives(str(usb)) == [name]
    reg.session.logout()
    reg.session.login("ivanova", "2580")
    reg.shifts.open_shift()
    reg.sale.add_item("1")
    reg.checkout.pay({"cash": "5.00"})
    reg.session.logout()
    reg.session.login("admin", "7395")
    with pytest.raises(OperationError) as e:
        reg.maintenance.import_db(str(usb), name)
    assert e.value.code == "SHIFT_OPEN"
    reg.session.logout()
    reg.session.login("ivanova", "2580")
    reg.shifts.close_shift()
    reg.session.logout()
    reg.session.login("admin", "7395")
    assert reg.stores.journal.last_number() == 3
    with pytest.raises(OperationError) as e:                       # it would rewind the journal behind the SKO
        reg.maintenance.import_db(str(usb), name)
    assert e.value.code == "ARCHIVE_BEHIND_SKO" and reg.stores.journal.last_number() == 3
    reg.stores.catalog.by_code("1")
    newer = reg.maintenance.export_db(str(usb))
    reg.maintenance.import_db(str(usb), newer)                     # a current archive goes back in whole
    assert reg.stores.journal.last_number() == 3 and reg.stores.catalog.by_code("1") is not None
    with pytest.raises(OperationError) as e:
        reg.maintenance.import_db(str(usb), "zpos-db-missing.zposdb")
    assert e.value.message


def test_clearing_keeps_documents_the_sko_has_not_sent(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.sale.add_item("1")
    reg.checkout.pay({"cash": "5.00"})
    hub.control("sko", "uplink_offline")
    reg.sale.add_item("1")
    reg.checkout.pay({"cash": "5.00"})
    reg.shifts.close_shift()
    reg.session.logout()
    reg.session.login("admin", "7395")
    result = reg.maintenance.clear_db("2100-01-01")
    assert result.up_to_number == 2                    # shift open and the first sale were sent; the rest stay
    assert [e.number for e in reg.stores.journal.shift_documents(1)] == [3, 4]
    assert reg.stores.journal.verify(reg.stores.journal.get_meta("sko_public_key")).ok


def test_support_info_holds_diagnostics_and_facts_but_no_secrets(register_as, tmp_path):
    import json
    import zipfile
    reg, _ = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    usb = tmp_path / "usb"
    usb.mkdir()
    name = reg.maintenance.send_support_info(str(usb))
    with zipfile.ZipFile(usb / name) as z:
        names = z.namelist()
        facts = json.loads(z.read("facts.json"))
        diag = json.loads(z.read("diagnostics.json"))
        blob = b"".join(z.read(n) for n in names)
    assert facts["journal"]["ok"] and facts["shift_state"] == "open" and facts["user"] == "ivanova"
    assert {c["id"] for c in diag} >= {"sko", "printer", "storage"}
    assert b"scrypt" not in blob and b"PRIVATE KEY" not in blob
    with pytest.raises(OperationError):
        reg.maintenance.send_support_info(str(tmp_path / "no-stick"))


def test_diagnostics_warn_before_the_sko_stops_taking_documents_it_could_not_send(register_as):
    from datetime import timedelta
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    hub.control("sko", "uplink_offline")
    reg.shifts.cash_in("1.00")
    uplink = next(c for c in reg.hardware.diagnostics() if c.id == "uplink")
    assert not uplink.ok and "через" not in uplink.detail          # offline, but far from the limit
    reg.clock.advance(timedelta(hours=60))
    uplink = next(c for c in reg.hardware.diagnostics() if c.id == "uplink")
    assert not uplink.ok and "через 12 ч" in uplink.detail        # offline_limit_hours (72) − 60
