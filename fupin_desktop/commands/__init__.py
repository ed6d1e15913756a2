"""Sub-commands of ``fupin``, one module per business area (each has ``register(subparsers)``)."""
