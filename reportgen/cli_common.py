"""What every command module shares: option types and the guard that maps errors to exits.

Kept apart from `cli.py` so the command modules import it without importing the app that
imports them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from reportgen.errors import EXIT_INTERNAL, ReportgenError, crash_log

BriefArg = Annotated[Path, typer.Argument(help="The brief, a YAML file.", metavar="BRIEF",
                                          exists=True, dir_okay=False, readable=True)]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output folder.", file_okay=False)]
TemplatesOpt = Annotated[Path | None, typer.Option(
    "--templates", help="Folder of organisation profiles, searched before ./templates and the "
    "built-in ones.", exists=True, file_okay=False)]


def err(line: str) -> None:
    sys.stderr.write(line + "\n")


def run_guarded(action: Callable[[], int | None]) -> None:
    """Run a command body: user errors print cleanly, bugs print one line and a log path."""
    try:
        code = action() or 0
    except ReportgenError as exc:
        for line in exc.lines():
            err(line)
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except BrokenPipeError:
        # The reader of our stdout went away (`reportgen pdf x | head -0`): the work is done;
        # silence the flush at exit instead of reporting a bug.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    except Exception as exc:  # noqa: BLE001 - the one place bugs are caught
        log = crash_log(exc)
        where = f"full traceback in {log}" if log else "no log could be written"
        err(f"reportgen: internal error ({type(exc).__name__}: {exc}); {where}. "
            "Please report it.")
        raise typer.Exit(EXIT_INTERNAL) from None
    raise typer.Exit(code)
