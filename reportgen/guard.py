"""The guard every command body runs under, without typer: user errors print cleanly and give
their exit code, bugs print one line and a log path (exit 70). `cli_common.run_guarded` turns
the code into typer's exit; the console script's fast path for `reportgen pdf|docx|pptx`
(`launch`) returns it without importing typer at all."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from reportgen.errors import EXIT_INTERNAL, ReportgenError, crash_log


def err(line: str) -> None:
    sys.stderr.write(line + "\n")


def guarded(action: Callable[[], int | None],
            passthrough: tuple[type[BaseException], ...] = ()) -> int:
    """Run `action` and return the command's exit code. `passthrough`: exceptions raised
    as they are (typer's own exits); KeyboardInterrupt always is."""
    try:
        return action() or 0
    except ReportgenError as exc:
        for line in exc.lines():
            err(line)
        return exc.exit_code
    except (KeyboardInterrupt, *passthrough):
        raise
    except BrokenPipeError:
        # The reader of our stdout went away (`reportgen pdf x | head -0`): the work is done;
        # silence the flush at exit instead of reporting a bug.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place bugs are caught
        log = crash_log(exc)
        where = f"full traceback in {log}" if log else "no log could be written"
        err(f"reportgen: internal error ({type(exc).__name__}: {exc}); {where}. "
            "Please report it.")
        return EXIT_INTERNAL
