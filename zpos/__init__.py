"""zPOS-BY application shell: command line, configuration, wiring of the layers."""
__version__ = "0.1.0"
