"""What every command module shares: option types and the guard that maps errors to exits.

Kept apart from `cli.py` so the command modules import it without importing the app that
imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from reportgen.guard import guarded

BriefArg = Annotated[Path, typer.Argument(help="The brief, a YAML file.", metavar="BRIEF",
                                          exists=True, dir_okay=False, readable=True)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder.", file_okay=False)]
TemplatesOpt = Annotated[Path | None, typer.Option(
    "--templates", help="Folder of organisation profiles, searched before ./templates and the "
    "built-in ones.", exists=True, file_okay=False)]


def run_guarded(action: Callable[[], int | None]) -> None:
    """Run a command body: user errors print cleanly, bugs print one line and a log path."""
    raise typer.Exit(guarded(action, passthrough=(typer.Exit, typer.Abort)))
