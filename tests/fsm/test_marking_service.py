"""The marking service on a real register (simulated devices): prompts, skip, self-service, settings."""
import pytest

from fiscal.marking import GS
from fsm.clock import SimClock
from fsm.errors import OperationError
from qa.rig import build_sim_register

TAIL = "dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q="
MILK = "4811234567896"
SETUP = {
    "parameters": {"self_service_enabled": True},
    "users": [{"login": "ivanova", "password": "2580", "role": "cashier", "cashier_id": "101"}],
    "catalog": [
        {"code": "1", "barcode": MILK, "name": "Молоко", "price": "2.49", "vat": "10", "category": "Молочные",
         "marking": "si", "marking_policy": "required"},
        {"code": "4", "barcode": "4810000000124", "name": "Вода", "price": "1.29", "vat": "20", "marking": "ukz",
         "marking_policy": "optional"},
        {"code": "3", "barcode": "4810000000117", "name": "Хлеб", "price": "1.20", "vat": "10", "category": "Хлеб"},
    ],
    "sko": {"pin": "123456"}, "admin_password": "7395",
}


def si(serial: str) -> str:
    return f"0104811234567896 21{serial}{GS}91EE05{GS}92{TAIL}".replace(" ", "")


@pytest.fixture
def reg(tmp_path):
    register, hub = build_sim_register(tmp_path / "data", SETUP, SimClock(), sleep=lambda s: None)
    register.session.unlock("1111")
    register.session.sko_pin("123456")
    register.session.login("ivanova", "2580")
    register.shifts.open_shift()
    yield register
    register.devices.close()
    register.close()
    hub.stop()


def refused(code: str, fn, *args):
    with pytest.raises(OperationError) as e:
        fn(*args)
    assert e.value.code == code
    return e.value


def test_the_ean_of_a_required_item_asks_for_its_code_with_the_name_and_count(reg):
    reg.sale.scan(MILK)
    reg.sale.scan(MILK)
    p = reg.marking.prompt()
    assert (p.line, p.name, p.needed, p.required, p.kind) == (1, "Молоко", 2, True, "si")
    e = refused("MARKING_REQUIRED", reg.checkout.pay, {"cash": "5.00"})
    assert "нужно ещё 2" in e.text("ru")


def test_a_required_prompt_cannot_be_skipped_and_an_optional_one_can(reg):
    reg.sale.scan(MILK)
    refused("MARKING_REQUIRED", reg.marking.skip)
    reg.sale.scan(si("AAAAAAAAAAAA1"))
    reg.sale.scan("4810000000124")
    assert reg.marking.prompt().required is False
    reg.marking.skip()
    assert reg.marking.prompt() is None


def test_an_unmarked_item_scanned_between_leaves_the_waiting_line_waiting(reg):
    reg.sale.scan(MILK)
    reg.sale.scan("4810000000117")
    assert reg.marking.prompt().line == 1
    reg.sale.scan(si("AAAAAAAAAAAA1"))
    assert reg.marking.prompt() is None and len(reg.sale.receipt.lines) == 2


def test_a_code_of_an_item_not_in_the_catalog_is_named_by_its_gtin(reg):
    e = refused("UNKNOWN_ITEM", reg.sale.scan, f"010481000000010021BBBBBBBBBBBB1{GS}91EE05{GS}92{TAIL}")
    assert "04810000000100" in e.text("ru")


def test_self_service_sends_the_customer_to_the_cashier_after_two_unreadable_codes(reg):
    reg.session.start_self_service()
    reg.sale.scan(MILK)
    assert refused("MARKING_BAD", reg.sale.scan, si("AAAAAAAAAAAA1")[:40]).variant is None
    assert refused("MARKING_BAD", reg.sale.scan, si("AAAAAAAAAAAA1")[:40]).text("ru") == "Код не читается — позовите кассира"
    reg.sale.scan(si("AAAAAAAAAAAA1"))
    assert reg.marking.prompt() is None


def test_the_administrator_maps_a_category_to_a_goods_group(reg):
    refused("NOT_ALLOWED", reg.marking.save_settings, {"categories": {"Хлеб": "dairy"}})
    reg.session.logout()
    reg.session.login("admin", "7395")
    refused("BAD_FIELD", reg.marking.save_settings, {"categories": {"Хлеб": "bread"}})
    reg.marking.save_settings({"categories": {"Хлеб": "dairy"}, "receipt_mark": "(М)"})
    assert reg.marking.settings()["receipt_mark"] == "(М)"
    assert reg.marking.effective(reg.goods.item("3")).required


def test_the_receipt_prints_the_mark_after_a_marked_line_and_the_administrator_may_change_it(reg):
    reg.sale.scan(si("AAAAAAAAAAAA1"))
    reg.sale.scan("4810000000117")
    out = reg.checkout.pay({"cash": "5.00"})
    entry = reg.docs.entry(out.registration.number)
    text = reg.docs.printed_form(entry).text()
    assert "1. Молоко [М]" in text and "2. Хлеб\n" in text
    reg.session.logout()
    reg.session.login("admin", "7395")
    reg.marking.save_settings({"receipt_mark": "(М)"})
    assert "1. Молоко (М)" in reg.docs.printed_form(entry).text()
