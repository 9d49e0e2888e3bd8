"""The simulated scale at the byte level: what it answers on its pty for each protocol and fault, as the manuals say."""
import os

import pytest

from hal.protocols import cas, massak, mt8217
from hal.transport import open_transport, read_exact
from sim.scale import SimScale


@pytest.fixture
def make():
    made = []

    def _make(protocol, link=None, **kw):
        sim = SimScale(protocol, link, **kw).start()
        port = open_transport(sim.address)
        made.append((sim, port))
        return sim, port
    yield _make
    for sim, port in made:
        port.close()
        sim.stop()


def test_cas_answers_enq_with_ack_and_dc1_with_a_frame(make):
    sim, port = make("cas")
    sim.put(1234)
    port.write(cas.ENQ)
    assert read_exact(port, 1, 1) == cas.ACK
    port.write(cas.DC1)
    assert read_exact(port, 15, 1).hex(" ") == "01 02 53 20 30 31 2e 32 33 34 6b 67 65 03 04"


def test_cas_ignores_dc1_without_enq(make):
    sim, port = make("cas")
    port.write(cas.DC1)
    assert port.read(15, 0.1) == b""


def test_cas_answers_dc2_with_total_weight_and_unit_price_blocks(make):
    sim, port = make("cas", unit_price=399)
    sim.put(1234)
    port.write(cas.ENQ)
    assert read_exact(port, 1, 1) == cas.ACK
    port.write(cas.DC2)
    p = cas.decode_dc2_frame(read_exact(port, 37, 1))
    assert (p.reading.weight_g, p.unit_price, p.total) == (1234, 399, 492)


def test_massak_answers_get_massa_with_the_swinging_weight(make):
    sim, port = make("massak")
    sim.put(2500, stable=False)
    port.write(bytes.fromhex("f8 55 ce 01 00 23 23 00"))
    r = massak.to_reading(massak.decode(read_exact(port, 16, 1)))
    assert (r.weight_g, r.stable) == (2507, False)


def test_massak_speaks_its_configured_crc_variant(make):
    sim, port = make("massak", crc="ccitt-ffff")
    sim.put(10)
    port.write(massak.encode(massak.Cmd.GET_MASSA, crc=massak.CrcVariant.CCITT_FFFF))
    assert massak.to_reading(massak.decode(read_exact(port, 16, 1), massak.CrcVariant.CCITT_FFFF)).weight_g == 10
    port.write(massak.encode(massak.Cmd.GET_MASSA))            # the vendor CRC does not check on this scale
    assert massak.decode(read_exact(port, 8, 1), massak.CrcVariant.CCITT_FFFF).cmd == massak.Cmd.NACK


def test_massak_naks_a_corrupted_request(make):
    sim, port = make("massak")
    port.write(bytes.fromhex("f8 55 ce 01 00 23 24 00"))
    assert massak.decode(read_exact(port, 8, 1)).cmd == massak.Cmd.NACK


def test_mt8217_answers_w_with_the_weight_in_7e1_characters(make):
    sim, port = make("mt8217")
    sim.put(75)
    port.write(b"W")
    answer = read_exact(port, 8, 1)
    assert answer == bytes(mt8217.with_even_parity(b) for b in b"\x0200.075\r")
    assert mt8217.strip_parity(answer) == b"\x0200.075\r"


def test_mt8217_in_motion_answers_its_status_byte_as_the_manual_encodes_it(make):
    sim, port = make("mt8217", parity_on_line=False)
    sim.put(75, stable=False)
    port.write(b"W")
    assert read_exact(port, 4, 1) == b"\x02?A\r"              # bit 6 always 1, bit 0 motion
    sim.set_tare(20)
    port.write(b"W")
    assert read_exact(port, 4, 1) == b"\x02?\xe1\r"          # + bit 5 net, bit 7 even parity


def test_mt8217_tare_and_clear_commands_answer_a_status_and_change_the_weight(make):
    sim, port = make("mt8217", parity_on_line=False)
    sim.put(300)
    port.write(b"T")
    assert mt8217.parse(read_exact(port, 4, 1)).status.net
    port.write(b"W")
    assert read_exact(port, 9, 1) == b"\x0200.000N\r"
    port.write(b"C")
    assert not mt8217.parse(read_exact(port, 4, 1)).status.net
    port.write(b"W")
    assert read_exact(port, 8, 1) == b"\x0200.300\r"


def test_faults_are_validated_and_no_answer_is_silent(make):
    sim, port = make("cas")
    with pytest.raises(ValueError):
        sim.set_fault("on_fire")
    with pytest.raises(ValueError):
        SimScale("digi")
    sim.set_fault("no_answer")
    port.write(cas.ENQ)
    assert port.read(1, 0.1) == b""
    assert sim.fault == "no_answer"


def test_link_symlink_is_published_and_removed(tmp_path, make):
    link = str(tmp_path / "scale")
    sim, port = make("cas", link)
    assert sim.address == link and os.path.islink(link)
    sim.stop()
    assert not os.path.exists(link)
