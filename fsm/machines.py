"""The state machines: topology only (states, transitions, conditions). Domain logic lives in fsm.register.

`StateMachine` semantics (python-statemachine 3.x): an exception in a callback leaves the
machine in its source state, and an event not allowed in the current state raises
`TransitionNotAllowed`. Machines restored from storage start at `start_value`, where no
`on_enter` runs, so devices are re-armed explicitly by the register.
"""
from __future__ import annotations

from statemachine import State, StateMachine


class LifecycleMachine(StateMachine):
    """locked → sko_pin → login → (change_password) → menu ⇄ receipt → payment, and self-service."""

    locked = State(initial=True)
    sko_pin = State()
    login = State()
    change_password = State()
    menu = State()
    receipt = State()
    payment = State()
    self_service = State()

    unlock = locked.to(sko_pin)
    sko_authorized = sko_pin.to(login)
    logged_in = login.to(menu)
    must_change_password = login.to(change_password)
    password_changed = change_password.to(login)
    open_receipt = menu.to(receipt) | receipt.to.itself()
    to_menu = receipt.to(menu) | menu.to.itself()
    start_payment = receipt.to(payment)
    payment_done = payment.to(receipt)
    payment_cancelled = payment.to(receipt)
    start_self_service = menu.to(self_service) | receipt.to(self_service)
    end_self_service = self_service.to(menu)
    logout = (menu.to(login) | receipt.to(login) | change_password.to(login) | login.to.itself())
    power_off = (locked.to.itself() | sko_pin.to(locked) | login.to(locked) | change_password.to(locked)
                 | menu.to(locked) | receipt.to(locked) | payment.to(locked) | self_service.to(locked))


class ShiftMachine(StateMachine):
    """closed → open → (expired after 24 h) → closed. The SKO holds the truth; this mirrors it."""

    closed = State(initial=True)
    open = State()
    expired = State()

    open_shift = closed.to(open)
    expire = open.to(expired)
    close_shift = open.to(closed) | expired.to(closed)


class PaymentMachine(StateMachine):
    """One payment: tendering → (authorizing at a terminal or ОПЛАТИ) → fiscalizing → done."""

    idle = State(initial=True)
    tendering = State()
    authorizing = State()
    fiscalizing = State()

    begin = idle.to(tendering)
    authorize = tendering.to(authorizing)
    authorized = authorizing.to(tendering)
    declined = authorizing.to(tendering)
    fiscalize = tendering.to(fiscalizing)
    registered = fiscalizing.to(idle)
    failed = fiscalizing.to(tendering) | tendering.to(idle) | authorizing.to(tendering)
    abandon = tendering.to(idle) | idle.to.itself()


ALL_MACHINES = (LifecycleMachine, ShiftMachine, PaymentMachine)


def state_of(machine: StateMachine) -> str:
    return str(machine.current_state_value)
