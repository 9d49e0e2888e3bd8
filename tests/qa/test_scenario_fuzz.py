"""Any step a scenario file can hold gives a refusal, a failed expectation or a file error — never a crash."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsm.errors import OperationError
from fsm.fiscal_path import PowerLoss
from qa.scenario import Runner, ScenarioFileError
from qa.scenario_checks import ExpectationFailed

ACTIONS = ["unlock", "sko_pin", "login", "change_password", "logout", "open_shift", "close_shift", "x_report",
           "cash_in", "cash_out", "scan", "add_item", "weigh", "add_section", "set_qty", "remove_line",
           "item_discount", "receipt_discount", "cancel_receipt", "pay", "refund", "refund_free", "annul_last",
           "copy", "reprint", "card", "printer", "scale", "sko", "oplati", "advance_clock", "expect",
           "expect_error", "repeat", "power_loss_at", "discount_card"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.text(max_size=12),
                    st.sampled_from(["1.20", "0.00", "-1", "1e3", "4810000000018", "last", "cash", "25h"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.sampled_from(
                                                             ["cash", "card", "line", "qty", "code", "amount",
                                                              "percent", "user", "password", "times", "do",
                                                              "receipt", "lines", "pay", "state"]), inner, max_size=3)),
                      max_leaves=6)
steps = st.one_of(st.sampled_from(ACTIONS), st.fixed_dictionaries({}).flatmap(
    lambda _: st.builds(lambda a, v: {a: v}, st.sampled_from(ACTIONS), values)))


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    r = Runner({"name": "fuzz", "setup": {"admin_password": "7395", "users": [
        {"login": "ivanova", "password": "2580", "role": "cashier"}]}, "steps": []},
        tmp_path_factory.mktemp("fuzz") / "data")
    r.start()
    for s in ({"unlock": "1111"}, {"sko_pin": "123456"}, {"login": {"user": "ivanova", "password": "2580"}}):
        r.do(s)
    yield r
    r.stop()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(step=steps)
def test_any_step_is_handled(runner, step):
    if isinstance(step, dict) and "repeat" in step and isinstance(step["repeat"], dict):
        step["repeat"]["times"] = min(step["repeat"].get("times", 0), 3) if isinstance(step["repeat"].get("times"), int) else 0
    try:
        runner.do(step)
    except (OperationError, ExpectationFailed, ScenarioFileError):
        pass
    except PowerLoss:
        runner.power_loss()
