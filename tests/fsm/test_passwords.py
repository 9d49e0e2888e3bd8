"""Password rules (manual §2.3) and the growing wait after wrong attempts."""
import pytest

from fsm.errors import OperationError
from fsm.passwords import Backoff, check_new_password


@pytest.mark.parametrize("pw", ["123", "1111", "0000", "1234", "3456789", "12a4", "", "١٢٣٤"])
def test_weak_passwords_are_refused(pw):
    with pytest.raises(OperationError) as e:
        check_new_password(pw)
    assert e.value.code == "WEAK_PASSWORD" and e.value.message


@pytest.mark.parametrize("pw", ["7395", "1243", "4321", "0012", "98765"])
def test_acceptable_passwords(pw):
    check_new_password(pw)


def test_each_wrong_attempt_waits_longer_up_to_a_cap():
    waits = []
    b = Backoff(sleep=waits.append, base=0.25, cap=4.0)
    for _ in range(8):
        b.failed()
    assert waits == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    b.succeeded()
    b.failed()
    assert waits[-1] == 0.25
