"""Every scenario in scenarios/ passes through the real machines, drivers, storage and simulated devices."""
from pathlib import Path

import pytest

from qa.scenario import Runner, load

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.yaml"))


def test_there_are_at_least_25_scenarios():
    assert len(SCENARIOS) >= 25


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_passes(path, tmp_path):
    result = Runner(load(path), tmp_path / "data").run()
    assert result.passed, result.line()
