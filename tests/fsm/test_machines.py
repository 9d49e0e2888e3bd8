"""The machines: StateMachine semantics, topology, restore without on_enter, mermaid diagrams."""
import pytest
from statemachine.exceptions import TransitionNotAllowed

from fsm.machines import LifecycleMachine, PaymentMachine, ShiftMachine, state_of


def test_the_lifecycle_goes_locked_pin_login_menu_receipt_payment():
    m = LifecycleMachine()
    for event, state in [("unlock", "sko_pin"), ("sko_authorized", "login"), ("logged_in", "menu"),
                         ("open_receipt", "receipt"), ("start_payment", "payment"), ("payment_done", "receipt")]:
        getattr(m, event)()
        assert state_of(m) == state


def test_an_event_not_allowed_raises_and_changes_nothing():
    m = LifecycleMachine()
    with pytest.raises(TransitionNotAllowed):
        m.start_payment()
    assert state_of(m) == "locked"


def test_an_exception_in_a_callback_leaves_the_source_state():
    class Failing(ShiftMachine):
        def before_open_shift(self):
            raise RuntimeError("SKO said no")
    m = Failing()
    with pytest.raises(RuntimeError):
        m.open_shift()
    assert state_of(m) == "closed"


def test_a_restored_shift_starts_where_it_was_and_can_close():
    m = ShiftMachine(start_value="expired")
    m.close_shift()
    assert state_of(m) == "closed"


def test_power_off_from_anywhere_goes_to_locked():
    m = LifecycleMachine(start_value="payment")
    m.power_off()
    assert state_of(m) == "locked"


def test_a_payment_cannot_fiscalize_while_authorizing():
    m = PaymentMachine()
    m.begin()
    m.authorize()
    with pytest.raises(TransitionNotAllowed):
        m.fiscalize()


def test_the_diagram_command_writes_every_machine(tmp_path):
    from zpos.cli import main
    out = tmp_path / "sm.md"
    assert main(["fsm", "diagram", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("```mermaid") == 3 and "change_password --> login" in text
