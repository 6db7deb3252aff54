"""One module per ``hubsim`` sub-command; each exposes ``register(subparsers)``."""
