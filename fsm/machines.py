"""The state machines: topology and guards (`cond=`); the models they are bound to hold the domain state.

`StateMachine` semantics (python-statemachine 3.x): an exception in a callback leaves the
machine in its source state, and an event not allowed in the current state — or whose
guard says no — raises `TransitionNotAllowed`, which `fsm.session` turns into the product's
refusal at one place. Machines restored from storage start at `start_value`, where no
`on_enter` runs, so devices are re-armed explicitly.

- `LifecycleMachine` is bound to `fsm.session.Session`: its guard `permitted(op)` reads the
  permission table (role, shift, accounting mode, and the lifecycle states an operation may
  run in), so every operation is sent to the machine as the event `operate` and is refused
  by it when the table says no.
- `ShiftMachine` is bound to `fsm.shifts.ShiftRecord`, persisted in the journal.
- `IntentMachine` is bound to one journaled outside effect (a card or ОПЛАТИ operation): it
  may never go from unknown to declined; unknown is left only by asking the device.
"""
from __future__ import annotations

from statemachine import State, StateMachine

WORKING = ("menu", "receipt", "payment", "self_service")


class LifecycleMachine(StateMachine):
    """locked → sko_pin → login → (change_password) → menu ⇄ receipt → payment, and self-service.

    Guards: `permitted(op)` on the model decides every operation (event `operate`) and the
    moves into a receipt, a payment and self-service."""

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
    open_receipt = (menu.to(receipt, cond="permitted") | receipt.to.itself(internal=True, cond="permitted")
                    | payment.to(receipt) | self_service.to.itself(internal=True))
    to_menu = receipt.to(menu) | menu.to.itself(internal=True) | payment.to(menu)
    start_payment = receipt.to(payment, cond="permitted") | self_service.to.itself(internal=True, cond="permitted")
    payment_done = payment.to(receipt) | self_service.to.itself(internal=True)
    payment_cancelled = payment.to(receipt) | self_service.to.itself(internal=True)
    start_self_service = menu.to(self_service, cond="permitted") | receipt.to(self_service, cond="permitted")
    end_self_service = self_service.to(menu)
    operate = (menu.to.itself(internal=True, cond="permitted") | receipt.to.itself(internal=True, cond="permitted")
               | payment.to.itself(internal=True, cond="permitted")
               | self_service.to.itself(internal=True, cond="permitted"))
    logout = (menu.to(login) | receipt.to(login) | change_password.to(login) | login.to.itself(internal=True)
              | payment.to(login))
    power_off = (locked.to.itself(internal=True) | sko_pin.to(locked) | login.to(locked) | change_password.to(locked)
                 | menu.to(locked) | receipt.to(locked) | payment.to(locked) | self_service.to(locked))


class ShiftMachine(StateMachine):
    """closed → open → (expired after the shift's maximum age) → closed, as the journal and the SKO record it.

    Guard `can_close` is false while a receipt is being built; `is_overdue` moves an open
    shift to expired when the clock passes its limit."""

    closed = State(initial=True)
    open = State()
    expired = State()

    open_shift = closed.to(open)
    expire = open.to(expired, cond="is_overdue")
    close_shift = open.to(closed, cond="can_close") | expired.to(closed, cond="can_close")
    adopt_open = closed.to(open) | open.to.itself(internal=True) | expired.to(open)
    adopt_closed = open.to(closed) | expired.to(closed) | closed.to.itself(internal=True)


class IntentMachine(StateMachine):
    """One outside effect (card sale, refund or cancel; ОПЛАТИ payment or reversal), journaled before it is sent.

    intended → sent → approved | declined | unknown; unknown → approved | declined only by
    asking the device about this intent's key (`resolved`); approved → settled when its
    document is registered, or → returned when the money was explicitly given back."""

    intended = State(initial=True)
    sent = State()
    approved = State()
    declined = State(final=True)
    unknown = State()
    settled = State(final=True)
    returned = State(final=True)

    send_it = intended.to(sent)
    approve = sent.to(approved) | unknown.to(approved, cond="asked_device") | approved.to.itself(internal=True)
    decline = intended.to(declined) | sent.to(declined) | unknown.to(declined, cond="asked_device")
    lose = sent.to(unknown) | intended.to(unknown) | unknown.to.itself(internal=True)
    settle = approved.to(settled)
    give_back = approved.to(returned)


ALL_MACHINES = (LifecycleMachine, ShiftMachine, IntentMachine)


def state_of(machine: StateMachine) -> str:
    return str(machine.current_state_value)
