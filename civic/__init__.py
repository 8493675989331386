"""The `civic` command: one front for everything a person runs."""
