"""The customer feed: every display gets the lines, the payment and the registered sale's change; a failing one is left alone."""
from __future__ import annotations

from fiscal.money import parse_money
from fsm.customer import CustomerView
from hal.errors import DisplayError


class Recorder:
    def __init__(self, paid: bool = True) -> None:
        self.calls: list[tuple] = []
        if paid:
            self.show_paid = lambda *a: self.calls.append(("show_paid", *a))

    def __getattr__(self, name):
        if name.startswith("show_") and name != "show_paid":          # show_paid only where it was given
            return lambda *a: self.calls.append((name, *a))
        raise AttributeError(name)


class Broken:
    def show_sale(self, *a):
        raise DisplayError("DISPLAY_LINK_DOWN", "pole display: gone", "display")

    show_idle = show_payment = show_sale


def test_a_finished_sale_is_shown_as_paid_and_a_display_without_that_shows_it_as_a_payment(register_as):
    reg, _ = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    screen, pole = Recorder(), Recorder(paid=False)
    reg.customer.add_listener(screen)
    reg.customer.add_listener(pole)
    reg.sale.add_item("3")
    reg.checkout.pay({"cash": "5.00"})
    assert screen.calls[-2:] == [("show_idle", ""), ("show_paid", 235, 500, 265)]
    assert pole.calls[-2:] == [("show_idle", ""), ("show_payment", 235, 500, 265)]
    assert screen.calls[-3][0] == "show_payment"                     # the payment as it began, before registration
    late = Recorder()
    reg.customer.add_listener(late)
    assert late.calls == [("show_paid", 235, 500, 265)]


def test_a_payment_of_an_open_receipt_and_the_oplati_qr_are_payments_not_a_finished_sale():
    view = CustomerView(lambda: [])
    rec = Recorder()
    view.add_listener(rec)
    view.payment(parse_money("1.00"), 0, 0, "https://qr")
    view.payment(100, 50)
    assert [c[0] for c in rec.calls] == ["show_idle", "show_payment", "show_payment"]


def test_a_display_that_fails_does_not_stop_the_others():
    rec = Recorder()
    view = CustomerView(lambda: [Broken()])
    view.add_listener(rec)
    view.idle()
    view.payment(100, 200, 100)
    assert rec.calls[-1] == ("show_payment", 100, 200, 100, None)
