"""The sale and self-service screens ask for a marking code with the item's name and the count still needed."""
from __future__ import annotations

import pytest
from ui_steps import cashier_in_open_shift

from fiscal.marking import GS
from qa.rig import DEMO_SETUP, ean13

MILK_GTIN = "0" + ean13("481000000002")
TAIL = "dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q="


def code(serial: str) -> str:
    return f"01{MILK_GTIN}21{serial}{GS}91EE05{GS}92{TAIL}"


@pytest.fixture
def marked(tmp_path):
    from fsm.clock import SimClock
    from qa.headless import HeadlessUI
    from qa.rig import build_sim_register
    setup = {**DEMO_SETUP, "parameters": {"self_service_enabled": True},
             "marking": {"categories": {"Молочные": "dairy", "Напитки": "juices_soft_drinks"}}}
    reg, hub = build_sim_register(tmp_path / "data", setup, SimClock(), sleep=lambda s: None)
    ui = HeadlessUI(reg)
    yield ui, reg
    ui.close()
    reg.close()
    reg.devices.close()
    hub.stop()


def test_the_sale_screen_shows_the_prompt_until_the_code_is_scanned(marked):
    ui, reg = marked
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.tap("sale.item.2")
    assert ui.text_of("sale.marking.title") == "Отсканируйте код маркировки"
    assert ui.text_of("sale.marking.item") == "«Молоко «Савушкин» 3,2% 1 л» — нужно ещё 1"
    assert ui.text_of("sale.line.1").endswith("[М]")
    ui.app.on_scan(code("2AAAAAAAAAAA1"))
    ui.app.step([])
    assert "sale.marking" not in ui.app.ui.widgets
    assert len(reg.sale.receipt.lines[0].markings) == 1


def test_an_optional_code_is_skipped_from_the_banner(marked):
    ui, reg = marked
    cashier_in_open_shift(ui)
    ui.tap("menu.sale")
    ui.app.on_scan(ean13("481000000007"))      # juice: УКЗ, optional until May 2026
    ui.tap("sale.marking.skip")
    assert reg.marking.prompt() is None
    assert "sale.marking" not in ui.app.ui.widgets


def test_self_service_asks_the_customer_for_the_square_code(marked):
    ui, reg = marked
    cashier_in_open_shift(ui)
    reg.session.start_self_service()
    ui.app.step([])
    assert ui.visible_screen() == "self_service"
    ui.app.on_scan(ean13("481000000002"))
    assert ui.text_of("self.marking") == "«Молоко «Савушкин» 3,2% 1 л» — нужно ещё 1"
