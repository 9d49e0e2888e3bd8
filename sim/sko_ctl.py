"""`zpos sim ctl sko …` and the scenario `sko:` step: the SKO emulator's fault words."""
from __future__ import annotations

from hal.protocols.ikassa import Action
from sim.sko import SkoEmulator


def apply_ctl(emu: SkoEmulator, words: list[str]) -> str:
    """One `zpos sim ctl sko ...` / scenario `sko:` command; returns a one-line confirmation.

    Words: offline | online | uplink_offline | uplink_online | error N [ACTION] | delay SECONDS |
    drop_answer | garble | skew N (the next sale computed N kopecks lower) | flush | status.
    """
    if not words:
        raise ValueError("sko: say offline, online, uplink_offline, uplink_online, error N [ACTION], delay S, "
                         "drop_answer, garble, skew N, flush or status")
    cmd, args = words[0].lower(), words[1:]
    if cmd in ("offline", "online"):
        emu.set_offline(cmd == "offline")
    elif cmd in ("uplink_offline", "uplink_online"):
        emu.set_uplink(cmd == "uplink_online")
    elif cmd == "error" and 1 <= len(args) <= 2 and args[0].isdigit():
        if len(args) == 2 and args[1] not in {a.value for a in Action}:
            raise ValueError(f"sko error: {args[1]!r} is not an iKassa action")
        emu.fail_next(int(args[0]), args[1] if len(args) == 2 else None)
    elif cmd == "delay" and len(args) == 1:
        try:
            emu.set_delay(float(args[0]))
        except ValueError:
            raise ValueError(f"sko delay: {args[0]!r} is not a number of seconds") from None
    elif cmd == "drop_answer":
        emu.drop_next_answer()
    elif cmd == "garble":
        emu.garble_next_answer()
    elif cmd == "skew" and len(args) == 1 and args[0].isdigit():
        emu.state.skew_next = int(args[0])      # the next sale: the SKO computes its first line N kopecks lower
    elif cmd == "flush":
        return f"sko: {emu.flush_uplink()} documents sent"
    elif cmd == "status":
        return f"sko: {emu.unsent_count()} unsent"
    else:
        raise ValueError(f"sko: unknown command {' '.join(words)!r}")
    return f"sko: {' '.join(words)} ok"
