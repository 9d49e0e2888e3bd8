"""CAS Type-6 (ECR) frames: DC1 and DC2 answers as the CAS PD-II and Ohaus Aviator manuals lay them out."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hal.errors import ProtocolError
from hal.protocols import cas

# DC1, stable 1.234 kg: SOH STX 'S' ' ' "01.234" "kg" BCC ETX EOT, BCC = XOR of STA..U0 (CAS PD-II p.23).
DC1_1234 = bytes.fromhex("01 02 53 20 30 31 2e 32 33 34 6b 67 65 03 04")
# DC2 (Ohaus Aviator 7000 service manual p.36): SOH STX total(8) BCC ETX STX STA SIGN W(6) kg BCC ETX
# STX unit price(8) BCC ETX EOT; prices right-aligned with spaces. 1.234 kg at 3.99 = 4.92.
DC2_1234 = bytes.fromhex("01 02 20 20 20 20 34 2e 39 32 11 03 02 53 20 30 31 2e 32 33 34 6b 67 65 03"
                         " 02 20 20 20 20 33 2e 39 39 1d 03 04")


def test_the_stable_1234_g_frame_is_byte_exact():
    assert cas.encode_frame(1234) == DC1_1234


def test_the_frame_decodes_to_grams_without_floats():
    r = cas.decode_frame(DC1_1234)
    assert (r.weight_g, r.stable, r.overload, r.negative) == (1234, True, False, False)


def test_unstable_negative_and_overload_flags_decode():
    assert cas.decode_frame(cas.encode_frame(-250, stable=False)).weight_g == -250
    assert cas.decode_frame(cas.encode_frame(-250, stable=False)).negative
    assert not cas.decode_frame(cas.encode_frame(5, stable=False)).stable
    r = cas.decode_frame(cas.encode_frame(0, overload=True))
    assert r.overload and not r.weight_known


def test_soh_with_its_high_bit_set_is_accepted():
    assert cas.decode_frame(b"\x81" + DC1_1234[1:]).weight_g == 1234


def test_a_seven_character_weight_field_is_read():
    payload = b"S " + b"001.234" + b"kg"
    frame = b"\x01\x02" + payload + bytes([cas.xor_bcc(payload)]) + b"\x03\x04"
    assert cas.decode_frame(frame).weight_g == 1234


def test_a_scale_set_to_pounds_is_a_setting_problem():
    payload = b"S 02.720lb"
    frame = b"\x01\x02" + payload + bytes([cas.xor_bcc(payload)]) + b"\x03\x04"
    with pytest.raises(ProtocolError) as e:
        cas.decode_frame(frame)
    assert e.value.code == "SCALE_BAD_CONFIG"


def test_a_bad_bcc_is_a_checksum_error():
    with pytest.raises(ProtocolError) as e:
        cas.decode_frame(cas.encode_frame(1234, corrupt=True))
    assert e.value.code == "SCALE_BAD_CHECKSUM"


def test_the_dc2_answer_is_byte_exact_and_carries_the_prices_in_kopecks():
    assert cas.encode_dc2_frame(1234, 399, 492) == DC2_1234
    p = cas.decode_dc2_frame(DC2_1234)
    assert (p.reading.weight_g, p.reading.stable, p.unit_price, p.total) == (1234, True, 399, 492)


def test_each_dc2_block_has_its_own_bcc():
    with pytest.raises(ProtocolError) as e:
        cas.decode_dc2_frame(cas.encode_dc2_frame(1234, 399, 492, corrupt=True))
    assert e.value.code == "SCALE_BAD_CHECKSUM"


def test_kg_text_parses_to_grams_exactly():
    assert cas.kg_text_to_grams("01.234") == 1234
    assert cas.kg_text_to_grams(" 0.5") == 500
    assert cas.kg_text_to_grams("12") == 12000
    with pytest.raises(ProtocolError):
        cas.kg_text_to_grams("1.2345")


def test_prices_parse_to_kopecks_exactly():
    assert cas.price_text_to_kopecks("   15.00") == 1500
    with pytest.raises(ProtocolError):
        cas.price_text_to_kopecks("  15.0")


@settings(max_examples=300)
@given(st.binary(max_size=40))
def test_the_parser_gives_a_reading_or_a_protocol_error(data):
    try:
        cas.decode_frame(data)
    except ProtocolError:
        pass


@settings(max_examples=300)
@given(st.binary(max_size=37, min_size=37))
def test_the_dc2_parser_on_garbage_never_crashes(data):
    try:
        assert cas.decode_dc2_frame(data).total >= 0
    except ProtocolError:
        pass


@settings(max_examples=100)
@given(st.integers(min_value=-99_999, max_value=99_999), st.booleans())
def test_encode_decode_round_trips(weight, stable):
    r = cas.decode_frame(cas.encode_frame(weight, stable))
    assert (r.weight_g, r.stable, r.negative) == (weight, stable, weight < 0)
