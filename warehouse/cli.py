"""CLI commands of this stage (registered on the ``xxgk`` app by ``flows.cli``)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this stage's commands to ``app`` (filled in by the stage's owner)."""
