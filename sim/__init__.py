"""Simulated devices speaking the real wire protocols over ptys and loopback TCP."""
