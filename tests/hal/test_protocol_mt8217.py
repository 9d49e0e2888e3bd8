"""Mettler Toledo 8217 answers decoded from frames written out of the DIVA Service Manual §6.1.4 tables."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hal.errors import ProtocolError
from hal.protocols import mt8217

# Recorded from the manual's command table (page 44): 'W' -> STX WW.WWW CR (gross kg), STX WW.WWWN CR (net kg),
# STX 0WW.WW CR (gross lb), STX ? <status> CR. Status characters from the bit table (page 45): bit 6 always 1,
# bit 7 even parity, so motion alone is 0x41 'A', over capacity 0x42 'B', under zero 0x44 'D', ...
GROSS_KG = bytes.fromhex("02 30 31 2e 32 33 34 0d")            # "01.234"
NET_KG = bytes.fromhex("02 30 31 2e 32 33 35 4e 0d")           # "01.235N"
GROSS_LB = bytes.fromhex("02 30 30 32 2e 37 32 0d")            # "002.72" lb
STATUS = {
    "motion": bytes.fromhex("02 3f 41 0d"),
    "over_capacity": bytes.fromhex("02 3f 42 0d"),
    "under_zero": bytes.fromhex("02 3f 44 0d"),
    "motion_net": bytes.fromhex("02 3f e1 0d"),                # 0x61 has three bits set: parity bit 7 makes it 0xE1
    "motion_under_zero": bytes.fromhex("02 3f c5 0d"),         # 0x45, parity 1
    "outside_zero_range": bytes.fromhex("02 3f 48 0d"),
    "center_of_zero": bytes.fromhex("02 3f 50 0d"),
}


def test_a_gross_kg_weight_is_read_in_grams():
    r = mt8217.decode(GROSS_KG)
    assert (r.weight_g, r.stable, r.net, r.weight_known) == (1234, True, False, True)


def test_a_net_weight_with_its_n_mark_is_read():
    r = mt8217.decode(NET_KG)
    assert (r.weight_g, r.stable, r.net) == (1235, True, True)


def test_a_pound_weight_is_refused_as_a_setting_problem():
    with pytest.raises(ProtocolError) as e:
        mt8217.decode(GROSS_LB)
    assert e.value.code == "SCALE_BAD_CONFIG" and "pounds" in e.value.detail


def test_motion_is_an_unstable_reading_not_a_bad_frame():
    r = mt8217.decode(STATUS["motion"])
    assert (r.stable, r.overload, r.negative, r.weight_known) == (False, False, False, False)


def test_over_capacity_is_an_overload_reading():
    r = mt8217.decode(STATUS["over_capacity"])
    assert r.overload and r.stable


def test_under_zero_is_a_negative_reading_without_a_weight():
    r = mt8217.decode(STATUS["under_zero"])
    assert r.negative and r.stable and not r.weight_known


def test_bit_5_is_the_net_flag_and_bit_7_the_parity():
    r = mt8217.decode(STATUS["motion_net"])
    assert r.net and not r.stable
    r = mt8217.decode(STATUS["motion_under_zero"])
    assert r.negative and not r.stable             # still swinging: the wait goes on


@pytest.mark.parametrize("name", ["outside_zero_range", "center_of_zero"])
def test_a_status_without_motion_overload_or_under_zero_reads_as_not_yet(name):
    r = mt8217.decode(STATUS[name])
    assert not r.stable and not r.overload and not r.negative


@pytest.mark.parametrize("bit,field", [(0x01, "motion"), (0x02, "over_capacity"), (0x04, "under_zero"),
                                       (0x08, "outside_zero_range"), (0x10, "center_of_zero"), (0x20, "net")])
def test_each_status_bit_decodes_to_its_flag_alone(bit, field):
    answer = mt8217.parse(bytes([0x02, 0x3F, mt8217.with_even_parity(0x40 | bit), 0x0D]))
    flags = {f: getattr(answer.status, f) for f in ("motion", "over_capacity", "under_zero", "outside_zero_range",
                                                    "center_of_zero", "net")}
    assert flags == {f: f == field for f in flags}


def test_a_status_byte_with_bit_6_clear_is_a_bad_frame():
    with pytest.raises(ProtocolError) as e:
        mt8217.decode(bytes.fromhex("02 3f 01 0d"))
    assert e.value.code == "SCALE_BAD_FRAME" and "bit 6" in e.value.detail


def test_a_7e1_line_read_as_8_bits_still_decodes():
    with_parity = bytes(mt8217.with_even_parity(b) for b in NET_KG)
    assert with_parity != NET_KG                   # '1', '.', '3', 'N' and CR carry a parity bit
    assert mt8217.decode(with_parity).weight_g == 1235


def test_the_encoder_writes_the_manuals_frames():
    assert mt8217.encode_weight(1234) == GROSS_KG
    assert mt8217.encode_weight(1235, net=True) == NET_KG
    assert mt8217.encode_status(mt8217.Status(motion=True)) == STATUS["motion"]
    assert mt8217.encode_status(mt8217.Status(motion=True, net=True)) == STATUS["motion_net"]


def test_the_status_byte_always_has_even_parity():
    for s in (mt8217.Status(), mt8217.Status(motion=True), mt8217.Status(True, True, True, True, True, True)):
        assert bin(s.to_byte()).count("1") % 2 == 0 and s.to_byte() & 0x40


@settings(max_examples=300)
@given(st.one_of(st.binary(max_size=20), st.binary(max_size=8).map(lambda b: b"\x02" + b + b"\r")))
def test_any_bytes_give_a_reading_or_a_protocol_error(data):
    try:
        r = mt8217.decode(data)
        assert r.weight_g >= 0
    except ProtocolError:
        pass


@settings(max_examples=100)
@given(st.integers(min_value=0, max_value=99_999), st.booleans(), st.booleans())
def test_weights_round_trip_with_and_without_parity_bits(weight, net, parity):
    r = mt8217.decode(mt8217.encode_weight(weight, net, parity=parity))
    assert (r.weight_g, r.net) == (weight, net)
