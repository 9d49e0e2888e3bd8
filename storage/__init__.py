"""Durable storage: the SQLite fiscal journal, TinyDB document stores, signed archives."""
