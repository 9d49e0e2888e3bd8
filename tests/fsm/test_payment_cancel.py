"""«Отмена» while a payment waits: the terminal aborts, ОПЛАТИ cancels; nothing is registered or left open."""
import pytest

from fsm.errors import OperationError


def test_an_oplati_payment_the_customer_never_confirms_is_cancelled_by_the_cashier(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.sale.add_item("8")
    hub.oplati.set_mode("pending")
    seen = []

    def progress(info):
        seen.append(info)
        reg.checkout.request_abort()                       # the cashier taps «Отмена» on the QR sheet

    with pytest.raises(OperationError) as e:
        reg.checkout.pay({"oplati": "3.49"}, progress=progress)
    assert e.value.code == "PAYMENT_CANCELLED"
    assert seen and reg.stores.journal.last_document(types=["sale"]) is None
    assert not reg.stores.journal.open_intents() and reg.sale.receipt.lines and reg.session.state == "receipt"


def test_a_card_payment_aborted_at_the_terminal_is_cancelled_not_declined(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.sale.add_item("8")
    hub.control("card", "timeout")
    with pytest.raises(OperationError) as e:
        reg.checkout.pay({"card": "3.49"}, progress=lambda info: reg.checkout.request_abort())
    assert e.value.code == "PAYMENT_CANCELLED"
    hub.control("card", "approve")
    reg.checkout.pay({"card": "3.49"})
    assert reg.stores.journal.last_document(types=["sale"]).doc.total_due == 349
