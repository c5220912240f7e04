"""Page layouts (no logic): the shell plus one module per page."""
