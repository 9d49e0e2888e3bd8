"""The machines: guards that decide, StateMachine semantics, restore without on_enter, mermaid diagrams."""
import pytest
from statemachine.exceptions import TransitionNotAllowed

from fsm.machines import IntentMachine, LifecycleMachine, ShiftMachine, state_of


class Model:
    def __init__(self, **answers):
        self.answers = answers

    def permitted(self, op=None):
        return self.answers.get("permitted", True)

    def is_overdue(self):
        return self.answers.get("overdue", False)

    def can_close(self):
        return self.answers.get("can_close", True)

    def asked_device(self):
        return self.answers.get("asked", False)


def test_the_lifecycle_goes_locked_pin_login_menu_receipt_payment():
    m = LifecycleMachine(model=Model())
    for event, state in [("unlock", "sko_pin"), ("sko_authorized", "login"), ("logged_in", "menu"),
                         ("open_receipt", "receipt"), ("start_payment", "payment"), ("payment_done", "receipt")]:
        m.send(event, op="sale")
        assert state_of(m) == state


def test_an_event_not_allowed_raises_and_changes_nothing():
    m = LifecycleMachine(model=Model())
    with pytest.raises(TransitionNotAllowed):
        m.send("start_payment", op="pay_cash")
    assert state_of(m) == "locked"


def test_the_guard_refuses_an_operation_the_permission_table_forbids():
    model = Model(permitted=False)
    m = LifecycleMachine(model=model, start_value="menu")
    with pytest.raises(TransitionNotAllowed):
        m.send("operate", op="cash_in")
    with pytest.raises(TransitionNotAllowed):
        m.send("open_receipt", op="sale")
    assert state_of(m) == "menu"
    model.answers["permitted"] = True
    m.send("operate", op="cash_in")
    m.send("open_receipt", op="sale")
    assert state_of(m) == "receipt"


def test_an_exception_in_a_callback_leaves_the_source_state():
    class Failing(ShiftMachine):
        def before_open_shift(self):
            raise RuntimeError("SKO said no")
    m = Failing(model=Model())
    with pytest.raises(RuntimeError):
        m.send("open_shift")
    assert state_of(m) == "closed"


def test_a_shift_expires_only_when_overdue_and_closes_only_without_an_open_receipt():
    model = Model()
    m = ShiftMachine(model=model, start_value="open")
    with pytest.raises(TransitionNotAllowed):
        m.send("expire")
    model.answers.update(overdue=True, can_close=False)
    m.send("expire")
    assert state_of(m) == "expired"
    with pytest.raises(TransitionNotAllowed):
        m.send("close_shift")
    model.answers["can_close"] = True
    m.send("close_shift")
    assert state_of(m) == "closed"


def test_power_off_from_anywhere_goes_to_locked():
    m = LifecycleMachine(model=Model(), start_value="payment")
    m.send("power_off")
    assert state_of(m) == "locked"


def test_an_unknown_intent_is_never_declined_without_asking_the_device():
    model = Model(asked=False)
    m = IntentMachine(model=model)
    m.send("send_it")
    m.send("lose")
    with pytest.raises(TransitionNotAllowed):
        m.send("decline")
    with pytest.raises(TransitionNotAllowed):
        m.send("approve")
    model.answers["asked"] = True
    m.send("approve")
    m.send("settle")
    assert state_of(m) == "settled"


def test_the_diagram_command_writes_every_machine(tmp_path):
    from zpos.cli import main
    out = tmp_path / "sm.md"
    assert main(["fsm", "diagram", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("```mermaid") == 3 and "change_password --> login" in text and "unknown --> declined" in text
