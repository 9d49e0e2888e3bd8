"""«Отмена» while a payment waits: the terminal aborts; ОПЛАТИ stops waiting and the payment stays open (unknown)."""
import pytest

from fsm.errors import OperationError


def test_the_cashiers_stop_on_an_oplati_payment_leaves_it_unknown_not_cancelled(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.open_shift()
    reg.add_item("8")
    hub.oplati.set_mode("pending")
    seen = []

    def progress(info):
        seen.append(info)
        reg.request_abort()                       # the cashier taps «Отмена» on the QR sheet

    with pytest.raises(OperationError) as e:
        reg.pay({"oplati": "3.49"}, progress=progress)
    assert e.value.code == "OPLATI_UNKNOWN" and e.value.variant == "OPLATI_STOPPED"  # no register-side cancel exists
    assert seen and reg.journal.last_document(types=["sale"]) is None
    (intent,) = reg.journal.open_intents()
    assert intent.status == "unknown" and intent.result["payment_id"]
    assert reg.receipt.lines and reg.state == "receipt"


def test_a_card_payment_aborted_at_the_terminal_is_cancelled_not_declined(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.open_shift()
    reg.add_item("8")
    hub.control("card", "timeout")
    with pytest.raises(OperationError) as e:
        reg.pay({"card": "3.49"}, progress=lambda info: reg.request_abort())
    assert e.value.code == "PAYMENT_CANCELLED"
    hub.control("card", "approve")
    reg.pay({"card": "3.49"})
    assert reg.journal.last_document(types=["sale"]).doc.total_due == 349
