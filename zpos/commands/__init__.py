"""One module per `zpos` sub-command; each exposes `register(subparsers)`."""
