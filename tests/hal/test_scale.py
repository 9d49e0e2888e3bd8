"""Scale drivers against the simulated scale over a real pty, for every protocol and fault."""
import time

import pytest

from hal.errors import ScaleError
from hal.scale import CasScale, MassaKScale, Mt8217Scale, open_scale
from hal.transport import open_transport
from sim.scale import SimScale

PROTOCOLS = ["cas", "massak", "mt8217"]


@pytest.fixture(params=PROTOCOLS)
def rig(request):
    sim = SimScale(request.param).start()
    driver = open_scale(sim.address, request.param)
    driver.answer_timeout = 0.2
    yield sim, driver
    driver.close()
    sim.stop()


def test_open_scale_picks_the_driver_class():
    sims = [SimScale(p) for p in PROTOCOLS]
    try:
        classes = [type(open_scale(s.address, p)) for s, p in zip(sims, PROTOCOLS)]
        assert classes == [CasScale, MassaKScale, Mt8217Scale]
    finally:
        for s in sims:
            s.stop()


def test_unknown_protocol_and_missing_port_are_typed_errors():
    with pytest.raises(ScaleError) as e:
        open_scale("/dev/null", "digi")
    assert e.value.code == "SCALE_BAD_CONFIG"
    with pytest.raises(ScaleError) as e:
        open_scale("/nonexistent/ttyUSB9", "cas")
    assert e.value.code == "SCALE_NOT_CONNECTED"


def test_stable_weight_is_read_in_grams(rig):
    sim, driver = rig
    sim.put(1234)
    r = driver.read_stable(1.0)
    assert (r.weight_g, r.stable, r.overload, r.negative) == (1234, True, False, False)


def test_weight_that_settles_is_sold_after_polling(rig):
    sim, driver = rig
    sim.put(500, stable=False)
    import threading
    timer = threading.Timer(0.15, sim.put, args=(750, True))
    timer.start()
    try:
        assert driver.read_stable(2.0).weight_g == 750
    finally:
        timer.cancel()


def test_unstable_weight_is_refused_after_the_timeout(rig):
    sim, driver = rig
    sim.put(300)
    sim.set_fault("unstable")
    start = time.monotonic()
    with pytest.raises(ScaleError) as e:
        driver.read_stable(0.2)
    assert e.value.code == "SCALE_UNSTABLE"
    assert "не успокоился" in e.value.message
    assert time.monotonic() - start < 1.0


def test_overload_is_refused(rig):
    sim, driver = rig
    sim.set_fault("overload")
    assert driver.read().overload
    with pytest.raises(ScaleError) as e:
        driver.read_stable(0.5)
    assert e.value.code == "SCALE_OVERLOAD"


def test_negative_weight_is_refused(rig):
    sim, driver = rig
    sim.put(40)
    sim.set_fault("negative")
    assert driver.read().negative
    with pytest.raises(ScaleError) as e:
        driver.read_stable(0.5)
    assert e.value.code == "SCALE_NEGATIVE"


def test_silent_scale_names_port_and_baud(rig):
    sim, driver = rig
    sim.set_fault("no_answer")
    start = time.monotonic()
    with pytest.raises(ScaleError) as e:
        driver.read()
    assert e.value.code == "SCALE_NO_ANSWER"
    assert e.value.detail == f"scales: no answer on {sim.address} at {driver.transport.name.split(' at ')[1]}"
    assert "baud" in e.value.detail
    assert time.monotonic() - start < 1.0


def test_corrupted_answer_is_a_typed_error_and_the_next_read_recovers(rig):
    sim, driver = rig
    sim.put(900)
    sim.set_fault("bad_checksum")
    with pytest.raises(ScaleError) as e:
        driver.read()
    expected = "SCALE_BAD_FRAME" if sim.protocol == "mt8217" else "SCALE_BAD_CHECKSUM"
    assert e.value.code == expected
    sim.set_fault("ok")
    assert driver.read().weight_g == 900


def test_garbage_before_a_cas_frame_is_skipped():
    sim = SimScale("cas")
    driver = CasScale(open_transport(sim.address), answer_timeout=0.3)
    try:
        sim.port.write(b"\x00\x7f")          # noise on the line before the ENQ
        sim.start()
        sim.put(42)
        assert driver.read().weight_g == 42
    finally:
        driver.close()
        sim.stop()


def test_cas_scale_answering_nak_is_busy():
    sim = SimScale("cas")
    driver = CasScale(open_transport(sim.address), answer_timeout=0.3)
    sim.on_bytes = lambda data: sim.send(b"\x15")
    sim.start()
    try:
        with pytest.raises(ScaleError) as e:
            driver.read()
        assert e.value.code == "SCALE_BUSY"
    finally:
        driver.close()
        sim.stop()
