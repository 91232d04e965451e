"""The `reportgen` console script.

`reportgen --help` (or `-h`) is answered from `_help.txt`, the help typer prints, kept beside
this module, without importing typer: importing it is about two thirds of the command's time
(issue 15 asks for 80 ms). Only where typer would print exactly that text: the program is
called `reportgen` and the terminal is at least 80 columns wide (Click wraps help to the
terminal up to 78 columns; output to a pipe or file counts as 80). Anything else, a narrow
terminal, any other argument, goes to the CLI (`reportgen.cli`). A test renders typer's help
and compares it with `_help.txt`; `python -m tests.test_launch --update` rewrites the file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HELP_TEXT = Path(__file__).with_name("_help.txt")
HELP_ARGS = (["--help"], ["-h"])
HELP_COLUMNS = 80  # Click's widest help: at or above this width it does not change


def main() -> None:
    if _kept_help_applies():
        text = _kept_help()
        if text is not None:
            _print(text)
            return
    from reportgen.cli import main as cli_main

    cli_main()


def _kept_help_applies() -> bool:
    if sys.argv[1:] not in HELP_ARGS or os.path.basename(sys.argv[0]) != "reportgen":
        return False
    if sys.stdout is None or any(name.startswith(("_TYPER_", "_REPORTGEN_COMPLETE"))
                                 for name in os.environ):
        return False  # no stdout, or shell completion at work: typer knows what to do
    import shutil  # what Click asks for the width, so both agree on it

    return shutil.get_terminal_size().columns >= HELP_COLUMNS


def _kept_help() -> str | None:
    try:
        text = HELP_TEXT.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # not installed with the package: typer prints it
        return None
    return text if text.startswith("Usage: reportgen ") else None


def _print(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `reportgen --help | head -1`: as the CLI does, exit quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
