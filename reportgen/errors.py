"""The one exception family. Each kind carries the exit code the CLI maps it to.

Exit codes (documented in the README):
  0  success
  1  a brief or profile is invalid, or a document could not be rendered (e.g. does not fit)
  2  wrong usage (bad option, missing file, bad SOURCE_DATE_EPOCH)
  3  another build holds the lock on the output folder
  73 an output could not be written (missing or read-only folder, disk full)
  70 internal error (a bug in reportgen; the full traceback goes to a log file)
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_CANTWRITE = 73  # sysexits.h EX_CANTCREAT
EXIT_INTERNAL = 70


@dataclass(frozen=True)
class Diagnostic:
    """One finding about an input file, printed as `path:line:col: [level: ]key.path: message`."""

    path: str
    line: int
    col: int
    key: str
    message: str
    level: str = "error"

    def format(self, with_level: bool = False) -> str:
        level = f"{self.level}: " if with_level else ""
        key = f"{self.key}: " if self.key else ""
        return f"{self.path}:{self.line}:{self.col}: {level}{key}{self.message}"


class ReportgenError(Exception):
    """Base of every error a user can cause; never shown with a traceback."""

    exit_code = EXIT_INVALID

    def lines(self) -> list[str]:
        return [str(self)]


class InputError(ReportgenError):
    """A brief or a profile failed to load or validate; carries every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))

    def lines(self) -> list[str]:
        return [d.format() for d in self.diagnostics]


class RenderError(ReportgenError):
    """The input is valid but the document cannot be produced as asked (e.g. it overflows).

    Where a field of the brief or profile is the cause, `diagnostics` say which, at its
    position, so the CLI prints `file:line:col: key: …` and `validate` takes them as they are;
    `findings` (a writer's `Findings`) say what the layout measured, for code to read.
    """

    def __init__(self, message: str = "", *, diagnostics: list[Diagnostic] | None = None,
                 findings: object = None):
        self.diagnostics = list(diagnostics or [])
        self.findings = findings
        super().__init__(message or "\n".join(d.format() for d in self.diagnostics))

    def lines(self) -> list[str]:
        return [d.format() for d in self.diagnostics] if self.diagnostics else [str(self)]


class UsageError(ReportgenError):
    exit_code = EXIT_USAGE


class LockedError(ReportgenError):
    exit_code = EXIT_LOCKED


class WriteError(ReportgenError):
    """The file system refused an output: not a reportgen bug, not the brief's fault."""

    exit_code = EXIT_CANTWRITE

    @classmethod
    def from_os_error(cls, exc: OSError, target: object = None) -> WriteError:
        """Name the file the user asked for, not the temporary file beside it."""
        where = target or exc.filename or "the output"
        return cls(f"reportgen: cannot write {where}: {exc.strerror or exc}")


def crash_log(exc: BaseException) -> str | None:
    """Keep a bug's whole traceback in a log file; its path, or None if it cannot be written.

    Used by the CLI, the build workers and `watch` alike, so every bug is reported the same way:
    one line naming the error and the log.
    """
    import tempfile
    import traceback

    try:
        fd, log = tempfile.mkstemp(prefix="reportgen-crash-", suffix=".log")
        with open(fd, "w") as fh:
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=fh)
    except OSError:
        return None
    return log
