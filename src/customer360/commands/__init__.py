"""Subcommands of the `c360` CLI, one module each."""
