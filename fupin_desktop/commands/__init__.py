"""Sub-commands of ``fupin`` contributed by the business areas (see cli.EXTRA_COMMANDS)."""
