"""The SKO emulator's rules, exercised through the real client over loopback TCP."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from fiscal.documents import (
    Annulment,
    CashIn,
    CashOut,
    DocType,
    Refund,
    RefundKind,
    Sale,
    ShiftClose,
    ShiftOpen,
    priced_fields,
    to_dict,
)
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType, calculate
from hal.errors import SkoError
from hal.sko import SkoClient
from sim.sko import SkoEmulator

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=timezone(timedelta(hours=3)))


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def make_sale(op: str, minutes: float, shift: int = 1, price: int = 120, cash: int = 1000, card: int = 0,
              cls: type = Sale, **extra: object) -> Sale:
    pays = [Payment(PaymentType.CASH, cash)] if cash else []
    if card:
        pays.append(Payment(PaymentType.CARD, card, ref="123456789012"))
    calc = calculate([ItemInput("Хлеб", price, 1000, "10"), ItemInput("Молоко", 249, 2000, "10",
                                                                       discount=Adjustment(percent=1000))],
                     discount=Adjustment(percent=500), payments=pays)
    return cls(op_id=op, shift=shift, cashier="Иванова", created=at(minutes), **priced_fields(calc), **extra)


def due(price: int = 120) -> int:
    return make_sale("x", 0, price=price).total_due


@pytest.fixture
def sko(tmp_path):
    emu = SkoEmulator(tmp_path / "sko").start()
    client = SkoClient(emu.address, emu.public_key_pem, timeout=3)
    client.authorize("123456")
    yield emu, client
    client.close()
    emu.stop()


@pytest.fixture
def opened(sko):
    emu, client = sko
    client.register(ShiftOpen(op_id="open-1", shift=1, cashier="Иванова", created=at(0)))
    return emu, client


def refused(code: str, fn, *args, **kw) -> SkoError:
    with pytest.raises(SkoError) as e:
        fn(*args, **kw)
    assert e.value.code == code, (e.value.code, getattr(e.value, "detail", ""))
    return e.value


def test_three_wrong_pins_lock_the_sko_until_the_puk_resets_it(sko):
    emu, client = sko
    assert refused("WRONG_PIN", client.authorize, "000000").sko_code == 32
    refused("WRONG_PIN", client.authorize, "000001")
    locked = refused("SKO_LOCKED", client.authorize, "000002")
    assert "PUK" in locked.message
    refused("SKO_LOCKED", client.authorize, "123456")
    refused("WRONG_PIN", client.change_pin, "00000000", "4321")
    client.change_pin("12345678", "4321")
    refused("WRONG_PIN", client.authorize, "123456")
    client.authorize("4321")
    assert client.status().authorized


def test_a_new_pin_must_be_four_to_eight_digits(sko):
    _, client = sko
    assert refused("SKO_ERROR", client.change_pin, "12345678", "12a").sko_code == 29


def test_documents_need_an_authorised_session(opened):
    _, client = opened
    client.logout()
    assert refused("NOT_AUTHORIZED", client.register, make_sale("s1", 5)).sko_code == 48
    assert not client.status().authorized


def test_the_pin_lock_survives_a_restart_of_the_emulator(tmp_path):
    with SkoEmulator(tmp_path) as emu:
        client = SkoClient(emu.address, timeout=3)
        for pin in ("1", "2", "3"):
            with pytest.raises(SkoError):
                client.authorize(pin)
        client.close()
    with SkoEmulator(tmp_path) as emu:
        client = SkoClient(emu.address, timeout=3)
        refused("SKO_LOCKED", client.authorize, "123456")
        client.close()


def test_opening_an_open_shift_is_refused(opened):
    _, client = opened
    refused("SHIFT_OPEN", client.register, ShiftOpen(op_id="open-2", shift=2, cashier="И", created=at(1)))


def test_a_sale_in_a_closed_shift_is_refused(sko):
    _, client = sko
    refused("SHIFT_CLOSED", client.register, make_sale("s1", 5, shift=0))


def test_a_sale_after_24_hours_is_refused_but_the_shift_can_still_be_closed(opened):
    _, client = opened
    client.register(make_sale("s1", 60))
    err = refused("SHIFT_EXPIRED", client.register, make_sale("s2", 24 * 60))
    assert "24" in err.message
    refused("SHIFT_EXPIRED", client.register, CashIn(op_id="c1", shift=1, cashier="И", created=at(25 * 60), amount=100))
    assert client.status(at(24 * 60)).shift_open
    reg = client.register(ShiftClose(op_id="z1", shift=1, cashier="И", created=at(25 * 60)))
    assert reg.number == 3
    assert not client.status().shift_open


def test_closing_a_closed_shift_is_refused(sko):
    _, client = sko
    refused("SHIFT_CLOSED", client.register, ShiftClose(op_id="z1", shift=0, cashier="И", created=at(1)))


def test_a_document_for_another_shift_number_is_refused(opened):
    _, client = opened
    err = refused("SKO_ERROR", client.register, make_sale("s1", 5, shift=7))
    assert err.sko_code == 29


def test_the_document_number_must_equal_the_sko_counter(opened):
    _, client = opened
    err = refused("BAD_NUMBER", client.register, make_sale("s1", 5), 5)
    assert err.sko_code == 56
    assert client.register(make_sale("s1", 5), 2).number == 2


@pytest.mark.parametrize("field, sko_code", [("total_cost", 57), ("discount_total", 58), ("total_due", 59)])
def test_each_of_the_three_totals_is_cross_checked(opened, field, sko_code):
    _, client = opened
    good = make_sale("s1", 5)
    bad = dataclasses.replace(good, **{field: getattr(good, field) + 1})
    assert refused("TOTALS_MISMATCH", client.register, bad).sko_code == sko_code
    assert client.register(dataclasses.replace(good, op_id="s2")).number == 2


def test_a_line_whose_raw_sum_is_not_qty_times_price_is_refused(opened):
    _, client = opened
    good = make_sale("s1", 5)
    line = dataclasses.replace(good.lines[0], raw=good.lines[0].raw + 1)
    assert refused("TOTALS_MISMATCH", client.register, dataclasses.replace(good, lines=(line,) + good.lines[1:])).sko_code == 57


def test_payments_that_do_not_cover_the_total_are_refused(opened):
    _, client = opened
    good = make_sale("s1", 5)
    assert refused("TOTALS_MISMATCH", client.register, dataclasses.replace(good, change=good.change + 10)).sko_code == 59


def test_a_negative_sum_is_refused(opened):
    _, client = opened
    good = make_sale("s1", 5)
    bad = dataclasses.replace(good, payments=(Payment(PaymentType.CASH, -5),))
    assert refused("SKO_ERROR", client.register, bad).sko_code == 45
    assert refused("SKO_ERROR", client.register,
                   CashIn(op_id="c1", shift=1, cashier="И", created=at(6), amount=-100)).sko_code == 45


def test_cash_out_above_the_drawer_is_refused_and_changes_nothing(opened):
    _, client = opened
    client.register(CashIn(op_id="c1", shift=1, cashier="И", created=at(1), amount=10000))
    err = refused("NOT_ENOUGH_CASH", client.register, CashOut(op_id="c2", shift=1, cashier="И", created=at(2), amount=10001))
    assert err.sko_code == 46
    st = client.status()
    assert (st.cash_in_drawer, st.next_number) == (10000, 3)
    client.register(CashOut(op_id="c3", shift=1, cashier="И", created=at(3), amount=10000))
    assert client.status().cash_in_drawer == 0


def test_cash_refund_above_the_drawer_is_refused(opened):
    _, client = opened
    refund = make_sale("r1", 5, cls=Refund, kind=RefundKind.NO_RECEIPT, cash=due())
    refused("NOT_ENOUGH_CASH", client.register, refund)
    client.register(CashIn(op_id="c1", shift=1, cashier="И", created=at(6), amount=due()))
    client.register(dataclasses.replace(refund, created=at(7)))
    assert client.status().cash_in_drawer == 0


def test_drawer_and_turnover_follow_cash_sales_card_sales_and_change(opened):
    _, client = opened
    client.register(make_sale("s1", 5, cash=1000))
    client.register(make_sale("s2", 6, cash=0, card=due()))
    st = client.status()
    assert st.cash_in_drawer == due()
    assert st.turnover == 2 * due()


def test_only_the_last_payment_document_of_the_shift_can_be_annulled(opened):
    _, client = opened
    r1 = client.register(make_sale("s1", 5))
    r2 = client.register(make_sale("s2", 6))
    first = Annulment(op_id="a1", shift=1, cashier="И", created=at(7), target_number=r1.number, target_uid=r1.uid,
                      target_type=DocType.SALE, total_due=due(), payments=(Payment(PaymentType.CASH, 1000),),
                      change=1000 - due())
    refused("NOTHING_TO_ANNUL", client.register, first)
    last = dataclasses.replace(first, op_id="a2", target_number=r2.number, target_uid=r2.uid)
    client.register(last)
    st = client.status()
    assert (st.cash_in_drawer, st.turnover) == (due(), due())
    refused("NOTHING_TO_ANNUL", client.register, dataclasses.replace(last, op_id="a3", created=at(8)))


def test_nothing_can_be_annulled_once_another_fiscal_document_followed(opened):
    _, client = opened
    r1 = client.register(make_sale("s1", 5))
    client.register(CashIn(op_id="c1", shift=1, cashier="И", created=at(6), amount=100))
    ann = Annulment(op_id="a1", shift=1, cashier="И", created=at(7), target_number=r1.number, target_uid=r1.uid,
                    target_type=DocType.SALE, total_due=due(), payments=(Payment(PaymentType.CASH, 1000),), change=1000 - due())
    refused("NOTHING_TO_ANNUL", client.register, ann)


def test_a_sale_of_the_previous_shift_cannot_be_annulled(opened):
    _, client = opened
    r1 = client.register(make_sale("s1", 5))
    client.register(ShiftClose(op_id="z1", shift=1, cashier="И", created=at(6)))
    client.register(ShiftOpen(op_id="o2", shift=2, cashier="И", created=at(7)))
    ann = Annulment(op_id="a1", shift=2, cashier="И", created=at(8), target_number=r1.number, target_uid=r1.uid,
                    target_type=DocType.SALE, total_due=due(), payments=(Payment(PaymentType.CASH, 1000),), change=1000 - due())
    refused("NOTHING_TO_ANNUL", client.register, ann)


def test_a_repeated_op_id_returns_the_same_registration_without_a_new_number(opened):
    _, client = opened
    sale = make_sale("s1", 5)
    first = client.register(sale)
    again = client.register(sale, 99)
    assert again == first
    assert client.lookup("s1") == first
    assert client.lookup("never") is None
    assert client.status().next_number == 3
    assert client.status().cash_in_drawer == due()


def test_an_op_id_reused_for_another_document_is_refused(opened):
    _, client = opened
    client.register(make_sale("s1", 5))
    assert refused("SKO_ERROR", client.register, make_sale("s1", 6, price=130)).sko_code == 29


def test_a_back_dated_document_is_refused(opened):
    _, client = opened
    client.register(make_sale("s1", 30))
    assert refused("BAD_TIME", client.register, make_sale("s2", 29)).sko_code == 52
    assert refused("BAD_TIME", client.register,
                   dataclasses.replace(make_sale("s3", 31), created="2026-01-15 10:00")).sko_code == 52
    assert client.register(make_sale("s4", 30)).number == 3


def test_x_counters_sum_the_open_shift_and_the_z_freezes_them(opened):
    _, client = opened
    client.register(CashIn(op_id="c1", shift=1, cashier="И", created=at(1), amount=5000))
    client.register(make_sale("s1", 5, cash=1000))
    client.register(make_sale("s2", 6, cash=0, card=due()))
    x = client.x_counters(at(7))
    assert x["sale"]["count"] == 2
    assert x["sale"]["by_type"] == {"card": f"{due() // 100}.{due() % 100:02d}",
                                    "cash": f"{due() // 100}.{due() % 100:02d}"}
    assert x["cash_in"] == {"count": 1, "total": "50.00", "by_type": {}}
    reg = client.register(ShiftClose(op_id="z1", shift=1, cashier="И", created=at(8)))
    z = client.document(reg.number)["registration"]["counters"]
    assert z["sale"] == x["sale"]
    assert z["closed_at"] == at(8)
    assert client.x_counters(at(9)) == z


def test_a_copy_returns_the_registered_document_and_its_registration(opened):
    _, client = opened
    sale = make_sale("s1", 5)
    reg = client.register(sale)
    copy = client.document(reg.number)
    assert copy["document"]["op_id"] == "s1"
    assert copy["document"] == to_dict(sale)
    assert copy["registration"]["uid"] == reg.uid
    assert refused("SKO_ERROR", client.document, 999).sko_code == 22


def test_annulling_a_cash_refund_puts_the_cash_back_in_the_drawer(opened):
    _, client = opened
    client.register(CashIn(op_id="c1", shift=1, cashier="И", created=at(1), amount=10000))
    refund = make_sale("r1", 2, cls=Refund, kind=RefundKind.NO_RECEIPT, cash=due())
    reg = client.register(refund)
    assert client.status().cash_in_drawer == 10000 - due()
    client.register(Annulment(op_id="a1", shift=1, cashier="И", created=at(3), target_number=reg.number,
                              target_uid=reg.uid, target_type=DocType.REFUND, total_due=due(),
                              payments=(Payment(PaymentType.CASH, due()),)))
    x = client.x_counters(at(4))
    assert (x["refund"]["count"], x["annulment"]["count"]) == (1, 1)
    assert client.status().cash_in_drawer == 10000
