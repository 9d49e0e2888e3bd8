"""The simulated ОПЛАТИ service's body checks, called directly."""
import json

import pytest

from sim.oplati_rules import ApiError, operation_request

REG = "OPL000011111"


def _body(drop: str = "", **over) -> bytes:
    body = {"shift": "1", "sum": 6.0, "orderNumber": "A", "regNum": REG,
            "details": {"regNum": REG, "items": [{"type": 2, "name": "Доставка", "cost": 3.0},
                                                 {"type": 1, "name": "Хлеб", "cost": 3.0}], "amountTotal": 6.0}}
    body.update(over)
    body.pop(drop, None)
    return json.dumps(body, ensure_ascii=False).encode()


def test_a_go_shaped_body_gives_amount_order_shift_and_typed_items() -> None:
    assert operation_request(_body(), REG) == (600, "A", "1", [(2, "Доставка", 300), (1, "Хлеб", 300)])
    assert operation_request(_body(drop="shift"), REG)[2] == ""       # Go omits an empty shift


@pytest.mark.parametrize("over, why", [({"sum": 6.001}, "whole number of kopecks"), ({"sum": 5.0}, "disagree"),
                                       ({"regNum": "X"}, "regNum"), ({"orderNumber": ""}, "orderNumber"),
                                       ({"shift": ""}, "shift"), ({"details": {"regNum": REG, "items": []}}, "items")])
def test_a_bad_body_is_a_400_naming_the_problem(over: dict, why: str) -> None:
    with pytest.raises(ApiError) as err:
        operation_request(_body(**over), REG)
    assert err.value.http_status == 400 and why in err.value.dev
    assert err.value.body()["internalCode"] == "" and err.value.body()["userMessage"]["lang_ru"]
