"""Hardware abstraction: device interfaces, transports, wire protocols, drivers."""
