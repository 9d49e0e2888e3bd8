"""State machines (python-statemachine 3.x), permissions, operations, recovery, scenarios."""
