"""Protocol traces: with tracing on, every byte of a real driver's exchange is logged in hex."""
import logging

from hal.scale import open_scale
from hal.transport import TracingTransport, open_transport, set_tracing
from sim.scale import SimScale


def test_traces_log_both_directions_in_hex(caplog):
    sim = SimScale("cas").start()
    sim.put(1234)
    set_tracing(True)
    try:
        scale = open_scale(sim.address, "cas")
        with caplog.at_level(logging.DEBUG, logger="zpos.trace"):
            assert scale.read().weight_g == 1234
        scale.close()
    finally:
        set_tracing(False)
        sim.stop()
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("zpos.trace")]
    assert ">> 05" in lines                                   # ENQ
    assert any(line.startswith("<< ") and "30 31 2e 32 33 34" in " ".join(lines) for line in lines)


def test_tracing_is_off_by_default():
    t = open_transport("loop://")
    try:
        assert not isinstance(t, TracingTransport)
    finally:
        t.close()
