"""`fupin` sub-commands of the business areas (each module has a ``register(subparsers)``)."""
