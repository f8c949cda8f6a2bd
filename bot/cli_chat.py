"""Chat commands (`troly chat`, `troly bot`, `troly feedback …`), registered on the main group."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add the chat-side commands to `cli` (kept apart from cli.py so the two evolve independently)."""
