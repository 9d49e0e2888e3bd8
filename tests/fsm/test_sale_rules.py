"""fsm.sale: the receipt refuses what the mode, the unit or the arithmetic forbids, and says why."""
import pytest

from fsm.clock import SimClock
from fsm.errors import OperationError
from qa.rig import DEMO_SETUP, build_sim_register
from storage.settings import Parameters


def refused(fn, *a):
    with pytest.raises(OperationError) as e:
        fn(*a)
    return e.value


@pytest.fixture
def sum_mode(tmp_path):
    reg, hub = build_sim_register(tmp_path / "data", {**DEMO_SETUP, "mode": "sum"}, SimClock(), sleep=lambda s: None)
    reg.session.unlock("1111")
    reg.session.sko_pin("123456")
    reg.session.login("ivanova", "2580")
    reg.shifts.open_shift()
    yield reg
    reg.devices.close()
    reg.close()
    hub.stop()


def test_sum_accounting_refuses_a_catalog_barcode_and_says_the_register_is_in_sum_mode(sum_mode):
    reg = sum_mode
    item = reg.goods.item("2")
    for fn, arg in ((reg.sale.scan, item.barcode), (reg.sale.add_item, "2")):
        e = refused(fn, arg)
        assert e.code == "NOT_ALLOWED" and "суммового учёта" in e.message
    assert reg.sale.receipt.lines == []
    reg.sale.add_section(1, "3.00")                                  # what sum mode does sell
    assert reg.checkout.pay({"cash": "3.00"}).printed


def test_piece_goods_refuse_a_fractional_quantity_and_weighed_goods_take_one(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    e = refused(reg.sale.add_item, "8", "1.500")                     # 1.5 chocolate bars
    assert e.code == "QTY_RANGE" and "штучный" in e.message
    reg.sale.add_item("8", "2")
    assert refused(reg.sale.set_qty, 1, "1.5").code == "QTY_RANGE"
    hub.control("scale", "weight", "1.235")
    reg.sale.add_item("10")
    reg.checkout.pay({"cash": "20.00"})
    text = hub.printer.last_text()
    assert "2.000 шт x 3.49" in text and "1.235 кг x 2.99" in text


def test_a_negative_discount_amount_is_refused_not_taken_as_a_markup(register_as):
    reg, _ = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.sale.add_item("2")
    assert refused(reg.sale.item_discount, 1, {"amount": "-0.50"}).code == "BAD_FIELD"
    assert refused(reg.sale.receipt_discount, {"amount": "-1.00"}).code == "BAD_FIELD"
    assert reg.sale.receipt.calc().total_due == 249


def test_the_discount_card_gives_the_configured_percent(register_as):
    reg, _ = register_as("ivanova", "2580")
    reg.stores.settings.save_parameters(Parameters.from_dict({**reg.stores.params.to_dict(),
                                                              "discount_card_percent": "10"}))
    reg.shifts.open_shift()
    reg.sale.add_item("9")                                           # 5.59
    reg.sale.discount_card("2990012345678")
    assert reg.sale.receipt.calc().total_due == 559 - 56


def test_a_receipt_discount_prints_each_lines_share(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.sale.add_item("9")
    reg.sale.add_item("2")
    reg.sale.receipt_discount({"percent": "10"})                     # 0.81 of 8.08: 0.56 + 0.25
    reg.checkout.pay({"cash": "10.00"})
    shares = [ln.split()[-1] for ln in hub.printer.last_text().splitlines() if "Скидка на чек" in ln]
    assert shares == ["-0.56", "-0.25"]
