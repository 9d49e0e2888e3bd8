"""The SKO driver for the iKassa service (hal.sko.client.SkoClient); link, requests, answers and lookup beside it."""
from hal.sko.client import SkoClient, error_of

__all__ = ["SkoClient", "error_of"]
