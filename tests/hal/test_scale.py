"""Scale drivers against the simulated scale over a real pty, for every protocol, fault and line setting."""
import threading
import time

import pytest

from hal.errors import ScaleError
from hal.scale import DEFAULT_SERIAL, CasScale, MassaKScale, Mt8217Scale, open_scale, scale_from_config
from hal.transport import SerialParams, open_transport
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


def test_each_protocol_defaults_to_its_documented_line_settings():
    assert [str(DEFAULT_SERIAL[p]) for p in PROTOCOLS] == ["9600 8N1", "57600 8N1", "9600 7E1"]


def test_unknown_protocol_option_and_missing_port_are_typed_errors():
    with pytest.raises(ScaleError) as e:
        open_scale("/dev/null", "digi")
    assert e.value.code == "SCALE_BAD_CONFIG"
    with pytest.raises(ScaleError) as e:
        open_scale("/dev/null", "cas", crc="vendor")
    assert e.value.code == "SCALE_BAD_CONFIG" and "crc" in e.value.detail
    with pytest.raises(ScaleError) as e:
        open_scale("/nonexistent/ttyUSB9", "cas")
    assert e.value.code == "SCALE_NOT_CONNECTED"


def test_a_stable_weight_is_read_in_grams(rig):
    sim, driver = rig
    sim.put(1234)
    r = driver.wait_stable(1.0)
    assert (r.weight_g, r.stable, r.overload, r.negative) == (1234, True, False, False)


def test_a_pan_in_motion_is_waited_for_and_the_settled_weight_returned(rig):
    sim, driver = rig
    sim.put(750, settle_s=0.4)                   # the pan swings for 0.4 s
    seen = []
    start = time.monotonic()
    r = driver.wait_stable(3.0, on_reading=seen.append)
    assert r.weight_g == 750 and r.stable
    assert time.monotonic() - start >= 0.35
    assert any(not s.stable for s in seen)       # the readings while it swung were shown, not sold


def test_the_8217_in_motion_answers_its_status_byte_and_the_wait_goes_on():
    sim = SimScale("mt8217").start()
    driver = open_scale(sim.address, "mt8217")
    try:
        sim.put(500, settle_s=0.3)
        first = driver.read()
        assert not first.stable and not first.weight_known       # status, not SCALE_BAD_FRAME
        assert driver.wait_stable(2.0).weight_g == 500
    finally:
        driver.close()
        sim.stop()


def test_a_weight_that_never_settles_is_refused_at_the_deadline(rig):
    sim, driver = rig
    sim.put(300)
    sim.set_fault("unstable")
    start = time.monotonic()
    with pytest.raises(ScaleError) as e:
        driver.wait_stable(0.3)
    assert e.value.code == "SCALE_UNSTABLE"
    assert "не успокоился" in e.value.message
    assert 0.25 < time.monotonic() - start < 1.0


def test_the_wait_is_cancelled_from_another_thread(rig):
    sim, driver = rig
    sim.put(300, stable=False)
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    start = time.monotonic()
    with pytest.raises(ScaleError) as e:
        driver.wait_stable(5.0, cancel=cancel)
    assert e.value.code == "SCALE_CANCELLED"
    assert time.monotonic() - start < 1.0


def test_a_cancel_callable_is_asked_before_every_poll(rig):
    sim, driver = rig
    sim.put(300, stable=False)
    calls = []
    with pytest.raises(ScaleError) as e:
        driver.wait_stable(5.0, cancel=lambda: calls.append(1) or len(calls) > 3)
    assert e.value.code == "SCALE_CANCELLED" and len(calls) == 4


def test_overload_is_refused_at_once(rig):
    sim, driver = rig
    sim.set_fault("overload")
    assert driver.read().overload
    with pytest.raises(ScaleError) as e:
        driver.wait_stable(2.0)
    assert e.value.code == "SCALE_OVERLOAD"


def test_below_zero_is_refused_as_the_protocol_reports_it(rig):
    sim, driver = rig
    sim.put(40)
    sim.set_fault("negative")
    assert driver.read().negative
    with pytest.raises(ScaleError) as e:
        driver.wait_stable(0.5)
    # 8217 answers "under zero" in its status byte and no weight; CAS and Massa-K send a negative weight.
    assert e.value.code == ("SCALE_UNDER_ZERO" if sim.protocol == "mt8217" else "SCALE_NEGATIVE")


def test_a_net_weight_with_a_tare_is_read_as_net():
    for protocol in ("mt8217", "massak"):
        sim = SimScale(protocol).start()
        driver = open_scale(sim.address, protocol)
        try:
            sim.put(1385)
            sim.set_tare(150)
            r = driver.wait_stable(1.0)
            assert (r.weight_g, r.net) == (1235, True), protocol
            if protocol == "massak":
                assert r.tare_g == 150
        finally:
            driver.close()
            sim.stop()


def test_the_8217_on_a_pty_keeps_8n1_and_says_so():
    sim = SimScale("mt8217").start()
    driver = open_scale(sim.address, "mt8217")
    try:
        assert "(pty: 9600 7E1 not applied)" in driver.transport.name
        sim.put(2000)
        assert driver.read().weight_g == 2000        # the simulator's parity bits are masked
    finally:
        driver.close()
        sim.stop()


def test_a_silent_scale_names_port_and_baud(rig):
    sim, driver = rig
    sim.set_fault("no_answer")
    start = time.monotonic()
    with pytest.raises(ScaleError) as e:
        driver.read()
    assert e.value.code == "SCALE_NO_ANSWER"
    assert e.value.detail.startswith(f"scales: no answer on {sim.address} at ") and "baud" in e.value.detail
    assert time.monotonic() - start < 1.0


def test_a_corrupted_answer_is_a_typed_error_and_the_next_read_recovers(rig):
    sim, driver = rig
    sim.put(900)
    sim.set_fault("bad_checksum")
    with pytest.raises(ScaleError) as e:
        driver.read()
    expected = "SCALE_BAD_FRAME" if sim.protocol == "mt8217" else "SCALE_BAD_CHECKSUM"
    assert e.value.code == expected
    sim.set_fault("ok")
    assert driver.read().weight_g == 900


def test_line_noise_during_the_wait_is_retried():
    sim = SimScale("cas").start()
    driver = open_scale(sim.address, "cas")
    try:
        sim.put(640)
        sim.set_fault("bad_checksum")
        threading.Timer(0.25, sim.set_fault, args=("ok",)).start()
        assert driver.wait_stable(2.0).weight_g == 640
    finally:
        driver.close()
        sim.stop()


def test_cas_dc2_reads_the_weight_and_keeps_the_scales_prices():
    sim = SimScale("cas", unit_price=399).start()
    driver = open_scale(sim.address, "cas", request="dc2")
    try:
        sim.put(1234)
        assert driver.wait_stable(1.0).weight_g == 1234
        assert (driver.last_prices.unit_price, driver.last_prices.total) == (399, 492)
    finally:
        driver.close()
        sim.stop()


@pytest.mark.parametrize("variant", ["vendor", "ccitt-0000", "ccitt-ffff"])
def test_massak_auto_finds_the_scales_crc_variant_and_keeps_it(variant):
    sim = SimScale("massak", crc=variant).start()
    driver = open_scale(sim.address, "massak", crc="auto")
    driver.answer_timeout = 0.2
    try:
        sim.put(321)
        assert driver.read().weight_g == 321
        assert driver.crc.value == variant
        before = sim.requests
        driver.read()
        assert sim.requests == before + 1          # one exchange per read once the variant is known
    finally:
        driver.close()
        sim.stop()


def test_massak_with_the_wrong_crc_is_refused_by_the_scale():
    sim = SimScale("massak", crc="ccitt-ffff").start()
    driver = open_scale(sim.address, "massak", crc="vendor")
    try:
        with pytest.raises(ScaleError) as e:
            driver.read()
        assert e.value.code in ("SCALE_REFUSED", "SCALE_BAD_CHECKSUM")
    finally:
        driver.close()
        sim.stop()


def test_the_config_section_gives_line_settings_over_the_protocol_defaults():
    sim = SimScale("massak").start()
    try:
        driver = scale_from_config({"url": sim.address, "protocol": "massak", "baud": 9600, "crc": "vendor"})
        try:
            assert driver.transport.name.endswith("at 9600 baud")
            sim.put(77)
            assert driver.read().weight_g == 77
        finally:
            driver.close()
    finally:
        sim.stop()
    with pytest.raises(ScaleError) as e:
        scale_from_config({"url": "/dev/null", "protocol": "cas", "parity": "sideways"})
    assert e.value.code == "SCALE_BAD_CONFIG" and "parity" in e.value.detail


def test_serial_params_name_their_framing_and_refuse_nonsense():
    assert str(SerialParams(9600, 7, "E", 1)) == "9600 7E1"
    assert SerialParams.from_section({"parity": "even", "data_bits": "7"}, DEFAULT_SERIAL["cas"]) == SerialParams(9600, 7, "E")


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


def test_a_cas_scale_answering_nak_is_busy():
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
