"""«Отмена» while a payment waits: the terminal aborts; for ОПЛАТИ the register stops waiting and the payment stays
unknown until the service ends it, so no second tender is taken for that receipt meanwhile."""
import pytest

from fsm.errors import OperationError
from hal.protocols.oplati import OplatiStatus


def test_the_cashier_stops_waiting_for_oplati_and_the_receipt_waits_for_the_service(register_as):
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
    assert e.value.code == "OPLATI_UNKNOWN"
    assert seen and reg.stores.journal.last_document(types=["sale"]) is None
    assert reg.sale.receipt.lines and reg.session.state == "receipt"
    with pytest.raises(OperationError) as e:                # no second tender while the first is open
        reg.checkout.pay({"cash": "5.00"})
    assert e.value.code == "OPLATI_UNKNOWN"
    with pytest.raises(OperationError) as e:
        reg.sale.cancel_receipt()
    assert e.value.code == "UNFINISHED_SALE"
    [effect] = reg.intents.for_document(reg.sale.receipt.op_id)
    hub.oplati.resolve(int(effect.result["payment_id"]), OplatiStatus.TIMEOUT)   # the service ends it itself
    reg.checkout.pay({"cash": "5.00"})
    assert reg.stores.journal.last_document(types=["sale"]).doc.total_due == 349


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
