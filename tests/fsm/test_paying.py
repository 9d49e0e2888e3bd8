"""Card and ОПЛАТИ outcomes the register could not learn stay unknown, and recovery asks the device by its key."""
import time

import pytest

from fsm.errors import OperationError
from hal.protocols.oplati import OplatiStatus


def _one_intent(reg):
    (intent,) = reg.intents.open()
    return intent


def test_a_card_approved_whose_answer_is_lost_and_the_terminal_dead_is_unknown_not_declined(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.sale.add_item("8")
    hub.control("card", "lose_answer_then_dead")
    with pytest.raises(OperationError) as e:
        reg.checkout.pay({"card": "3.49"}, terminal="Беларусбанк")
    assert e.value.code == "CARD_UNKNOWN" and "Беларусбанк" in e.value.message
    assert _one_intent(reg).status == "unknown"
    hub.control("card", "approve")
    reg.recover_effects()                           # asked by its ECR id: the terminal did approve
    intent = _one_intent(reg)
    assert intent.status == "approved" and intent.result["rrn"]


def test_a_lost_oplati_create_answer_is_found_in_the_shift_report_at_recovery(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.sale.add_item("8")
    hub.control("oplati", "lose_answer")
    with pytest.raises(OperationError) as e:
        reg.checkout.pay({"oplati": "3.49"})
    assert e.value.code == "OPLATI_UNKNOWN"
    intent = _one_intent(reg)
    assert intent.status == "unknown" and "payment_id" not in intent.result and intent.payload["shift"]
    time.sleep(0.1)                                 # the simulated customer confirms after 0.05 s
    reg.recover_effects()
    intent = _one_intent(reg)
    assert intent.status == "approved" and hub.oplati.payment(int(intent.result["payment_id"])).status == 1


def test_an_oplati_create_the_service_refused_with_503_is_declined_once_the_report_proves_it_absent(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.sale.add_item("8")
    hub.control("oplati", "offline")
    with pytest.raises(OperationError) as e:
        reg.checkout.pay({"oplati": "3.49"})
    assert e.value.code == "OPLATI_UNKNOWN"
    reg.recover_effects()                           # still offline: nothing can be learned, it stays open
    assert _one_intent(reg).status == "unknown"
    hub.control("oplati", "online")
    reg.recover_effects()
    assert reg.intents.open() == []


def test_an_oplati_payment_the_cashier_stopped_waiting_for_is_approved_when_the_customer_confirms_later(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.sale.add_item("8")
    hub.control("oplati", "pending")
    with pytest.raises(OperationError):
        reg.checkout.pay({"oplati": "3.49"}, progress=lambda info: reg.checkout.request_abort())
    payment_id = int(_one_intent(reg).result["payment_id"])
    reg.recover_effects()
    assert _one_intent(reg).status == "unknown"     # still in progress at the service
    hub.oplati.resolve(payment_id, OplatiStatus.OK)
    reg.recover_effects()
    assert _one_intent(reg).status == "approved"
