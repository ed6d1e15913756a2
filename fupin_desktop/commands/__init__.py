"""Sub-commands of ``fupin``, one module per business area, each with ``register(subparsers)``."""
