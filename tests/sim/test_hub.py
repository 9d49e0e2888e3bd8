"""The hub's card and ОПЛАТИ control words (what `zpos sim ctl` and scenario steps send) and their device config."""
from __future__ import annotations

import pytest

from fiscal.money import format_money
from hal.card import open_terminal
from hal.oplati import OplatiClient
from hal.protocols.oplati import OplatiStatus
from sim.hub import ControlError, SimHub


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    h = SimHub(tmp_path_factory.mktemp("hub")).start()
    yield h
    h.stop()


def _terminal(hub: SimHub, name: str):
    cfg = next(t for t in hub.device_config()["terminals"] if t["name"] == name)
    return open_terminal(cfg["url"], name, ack_timeout=0.3, op_timeout=1.5, test_timeout=1.5)


def test_card_modes_reach_every_terminal_or_the_one_named(hub: SimHub) -> None:
    assert hub.control("card", "lose_answer_then_dead") == "card lose_answer_then_dead"
    assert {t.mode for t in hub.terminals.values()} == {"lose_answer_then_dead"}
    hub.control("card", "approve", "Приорбанк")
    assert hub.terminals["Приорбанк"].mode == "approve" and hub.terminals["Беларусбанк"].mode != "approve"
    hub.control("card", "approve")
    with pytest.raises(ControlError, match="lose_answer_then_dead"):
        hub.control("card", "explode")
    with pytest.raises(ControlError, match="no terminal"):
        hub.control("card", "approve", "Альфа")


def test_card_net_is_what_the_terminals_hold_for_the_batch(hub: SimHub) -> None:
    term = _terminal(hub, "Беларусбанк")
    try:
        before = hub.card_net()
        sale = term.sale(349, "HUB-1")
        term.refund(100, sale.rrn, "HUB-2")
        assert hub.card_net() - before == 249 and hub.card_net("Приорбанк") == 0
        held = format_money(hub.card_net("Беларусбанк"))
        assert hub.control("card", "net", "Беларусбанк") == f"card net Беларусбанк {held}; total {held}"
        assert hub.control("card", "replay", "Беларусбанк") == "card replay"
        assert term.status("HUB-1").approved and term.stale_answers == 1
    finally:
        term.close()


def test_oplati_words_drive_the_customer_the_reversals_and_lost_answers(hub: SimHub) -> None:
    cfg = hub.device_config()["oplati"]
    assert cfg["url"].endswith("/ms-pay") and cfg["poll_interval"] == 0.05
    client = OplatiClient(cfg["url"], cfg["reg_num"], cfg["password"], poll_interval=cfg["poll_interval"])
    hub.control("oplati", "pending")
    created = client.create_payment(500, "HUB-O1", [], "1")
    assert hub.control("oplati", "resolve", "last", "confirm") == f"oplati resolve {created.payment_id} confirm"
    assert client.status(created.payment_id).status is OplatiStatus.OK
    hub.control("oplati", "reversal", "slow")
    assert hub.oplati.reversal_mode == "slow"
    hub.control("oplati", "reversal", "ok")
    hub.control("oplati", "lose_answer")
    assert hub.oplati.lose_answers == 1
    hub.oplati.lose_answers = 0
    hub.control("oplati", "confirm")
    for bad in (("cancel",), ("reversal", "maybe"), ("resolve", "424242", "confirm"), ("resolve", "last")):
        with pytest.raises(ControlError):
            hub.control("oplati", *bad)
