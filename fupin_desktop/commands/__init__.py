"""Sub-commands of ``fupin`` contributed by each business area (see cli.EXTRA_COMMANDS)."""
