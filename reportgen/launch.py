"""The `reportgen` console script.

`reportgen --help` (or `-h`) is answered from `_help.txt`, the help typer prints, kept beside
this module, without importing typer: importing it is about two thirds of the command's time
(issue 15 asks for 80 ms). Only where typer would print exactly that text: the program is
called `reportgen` and the terminal is at least 80 columns wide (Click wraps help to the
terminal up to 78 columns; output to a pipe or file counts as 80). Anything else, a narrow
terminal, any other argument, goes to the CLI (`reportgen.cli`). A test renders typer's help
and compares it with `_help.txt`; `python -m tests.test_launch --update` rewrites the file.

`reportgen pdf|docx|pptx BRIEF [-o DIR] [--templates DIR]` is run without typer as well (its
import and the app it builds were ~30 ms of a single command, whose target is 300-350 ms):
only when the arguments are that plain and pass the checks Click would make (the brief exists,
is not a folder and can be read; --out is not a file; --templates is a folder). The command
body and its guard are the CLI's own (`cli._render_command`, `guard.guarded`), so output,
messages and exit codes are the same; anything else (help, a missing file, another option
form) goes to the CLI, which words the usage error. A test runs both ways and compares.

Either way the process then ends without tearing the interpreter down (`leave`): freeing every
object of ReportLab, python-docx, pydantic and the rest took 45-60 ms after the work was done
and its path printed, a seventh of a single command.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import NoReturn

HELP_TEXT = Path(__file__).with_name("_help.txt")
HELP_ARGS = (["--help"], ["-h"])
HELP_COLUMNS = 80  # Click's widest help: at or above this width it does not change


def run() -> NoReturn:
    """The console script and `python -m reportgen`: `main`, then `leave` with its exit code."""
    try:
        main()
    except SystemExit as done:
        leave(done.code)
    leave(0)


def leave(code: int | str | None) -> NoReturn:
    """End the process with `code` as `sys.exit(code)` would, but without the interpreter's
    teardown: the output is written, synced and renamed by then, and nothing is left to free
    but memory the OS takes back whole. Exit handlers (atexit, weakref finalizers) still run
    and both streams are flushed first; where that cannot be done cleanly (a closed pipe) or
    another thread still runs, the ordinary exit does it instead."""
    if code is None:
        code = 0
    elif not isinstance(code, int):  # as Python does with a message for an exit code
        sys.stderr.write(f"{code}\n")
        code = 1
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    import atexit

    for step in (_flush, atexit._run_exitfuncs, _flush):
        try:
            step()
        except Exception:  # noqa: BLE001 - the ordinary exit reports it as it always did
            sys.exit(code)
    os._exit(code)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()


def main() -> None:
    if _kept_help_applies():
        text = _kept_help()
        if text is not None:
            _print(text)
            return
    render = _plain_render(sys.argv[1:])
    if render is not None:
        sys.exit(_run_render(*render))
    from reportgen.cli import main as cli_main

    cli_main()


RENDER_COMMANDS = ("pdf", "docx", "pptx")  # cli.py makes one command per writer; a test checks
OPTIONS = {"-o": "out", "--out": "out", "--templates": "templates"}


def _plain_render(args: list[str]) -> tuple[str, Path, Path, Path | None] | None:
    """(format, brief, out, templates) of `reportgen FORMAT BRIEF [-o DIR] [--templates DIR]`
    in any order, when typer would accept it as it is; None for anything else."""
    if not args or args[0] not in RENDER_COMMANDS or _completing():
        return None
    found: dict[str, str] = {}
    rest = iter(args[1:])
    for arg in rest:
        name, eq, value = arg.partition("=")
        if arg in OPTIONS:
            value = next(rest, None)
        elif not (eq and name.startswith("--") and name in OPTIONS):
            name, value = "brief", arg
        key = OPTIONS.get(name, name)
        if key in found or not value or value.startswith("-") or not _decodes(value):
            return None  # repeated, missing, option-like or undecodable: typer decides
        found[key] = value
    if "brief" not in found:
        return None
    brief, out = Path(found["brief"]), Path(found.get("out", "out"))
    templates = Path(found["templates"]) if "templates" in found else None
    if not (_is(brief, lambda mode: not stat.S_ISDIR(mode))
            and (not os.path.lexists(out) or _is(out, stat.S_ISDIR))
            and (templates is None or _is(templates, stat.S_ISDIR))):
        return None
    return args[0], brief, out, templates


def _is(path: Path, kind) -> bool:
    """Whether `path` exists, can be read and its mode passes `kind` (Click's Path checks)."""
    try:
        return kind(os.stat(path).st_mode) and os.access(path, os.R_OK)
    except (OSError, ValueError):
        return False


def _decodes(value: str) -> bool:
    try:
        value.encode("utf-8")  # a name that is not UTF-8 comes with surrogate escapes
    except UnicodeEncodeError:
        return False
    return True


def _completing() -> bool:
    return any(name.startswith(("_TYPER_", "_REPORTGEN_COMPLETE")) for name in os.environ)


# The cyclic garbage collector during one render: a young collection every 200,000 net new
# objects instead of every 700, as mypy sets it. Importing pydantic, ReportLab and a writer
# makes ~50,000 objects that live to the end, and every young collection that reaches the
# older generations walks them again: 190 collections, ~25 ms of a 300 ms `reportgen pdf`.
# The collector still runs; peak memory of a render stayed the same (67.7 MiB for the sample
# brief, 59-65 MiB for one of 650 KB).
ONE_RENDER_GC_THRESHOLD = (200_000, 30, 30)


def render_and_print(fmt: str, brief: Path, out: Path, templates: Path | None) -> None:
    """The body of `reportgen pdf|docx|pptx`, both ways: write the file, print its path."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(*ONE_RENDER_GC_THRESHOLD)
    try:
        from reportgen.pipeline import render_to_file

        print(render_to_file(brief, fmt, out, templates))
    finally:
        gc.set_threshold(*before)


def _run_render(fmt: str, brief: Path, out: Path, templates: Path | None) -> int:
    """What `cli.main` does for the command: the same body under the same guard; Ctrl-C ends
    it as Click does (an empty line and "Aborted!", exit 1)."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # as cli.main: see there
    from reportgen.guard import guarded

    try:
        return guarded(lambda: render_and_print(fmt, brief, out, templates))
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        return 1


def _kept_help_applies() -> bool:
    if sys.argv[1:] not in HELP_ARGS or os.path.basename(sys.argv[0]) != "reportgen":
        return False
    if sys.stdout is None or _completing():
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
