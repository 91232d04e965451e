"""The console script answers `reportgen --help` from reportgen/_help.txt without typer (issue
15: --help in 80 ms); the file must be exactly what typer prints.

    python -m tests.test_launch --update     # after changing a command or its help
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reportgen.launch import HELP_TEXT

# typer's own help, as the CLI renders it for a program called `reportgen` on 80 columns
TYPER_HELP = ("import sys\nfrom reportgen.cli import main\nsys.argv = ['reportgen', '--help']\n"
              "main()\n")
# the console script's entry point, reporting which of typer and Click it imported
LAUNCH = ("import sys\nfrom reportgen.launch import main\nsys.argv = [{argv0!r}, *{args!r}]\n"
          "try:\n    main()\nfinally:\n"
          "    sys.stderr.write(repr(sorted(m for m in ('typer', 'click', 'reportgen.cli')"
          " if m in sys.modules)))\n")


def _run(code: str, columns: int = 80) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**env, "COLUMNS": str(columns)}, timeout=60)


def typer_help() -> str:
    done = _run(TYPER_HELP)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_kept_help_is_what_typer_prints():
    assert HELP_TEXT.read_text("utf-8") == typer_help(), (
        "reportgen/_help.txt is out of date: run python -m tests.test_launch --update")


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_is_printed_without_importing_typer(flag):
    done = _run(LAUNCH.format(argv0="/usr/local/bin/reportgen", args=[flag]))
    assert done.returncode == 0 and done.stderr == "[]"
    assert done.stdout == HELP_TEXT.read_text("utf-8")
    assert done.stdout.startswith("Usage: reportgen [OPTIONS] COMMAND [ARGS]...")


def test_a_narrow_terminal_another_name_or_other_arguments_go_to_typer():
    narrow = _run(LAUNCH.format(argv0="reportgen", args=["--help"]), columns=60)
    assert narrow.returncode == 0 and "typer" in narrow.stderr
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 58  # wrapped to fit
    renamed = _run(LAUNCH.format(argv0="rg", args=["--help"]))
    assert "typer" in renamed.stderr and renamed.stdout.startswith("Usage: rg ")
    version = _run(LAUNCH.format(argv0="reportgen", args=["--version"]))
    assert version.returncode == 0 and version.stdout.startswith("reportgen ")
    assert "typer" in version.stderr
    pdf_help = _run(LAUNCH.format(argv0="reportgen", args=["pdf", "--help"]))
    assert "typer" in pdf_help.stderr and "reportgen pdf briefs/" in pdf_help.stdout


def test_shell_completion_and_a_closed_stdout_are_left_to_typer():
    code = LAUNCH.format(argv0="reportgen", args=["--help"])
    for name in ("_REPORTGEN_COMPLETE", "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"):
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**env, "COLUMNS": "80", name: "bash_source"}, timeout=60)
        assert "typer" in done.stderr, name
    closed = subprocess.run([sys.executable, "-c", "import sys; sys.stdout = None\n" + code],
                            capture_output=True, text=True, timeout=60)
    assert "Traceback" not in closed.stderr and "typer" in closed.stderr


def test_without_the_kept_file_typer_prints_the_help(tmp_path):
    code = ("import sys\nfrom pathlib import Path\nimport reportgen.launch as launch\n"
            f"launch.HELP_TEXT = Path({str(tmp_path / 'missing.txt')!r})\n"
            "sys.argv = ['reportgen', '--help']\ntry:\n    launch.main()\nfinally:\n"
            "    sys.stderr.write(str('typer' in sys.modules))\n")
    done = _run(code)
    assert done.returncode == 0 and done.stderr == "True"
    assert done.stdout == HELP_TEXT.read_text("utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    HELP_TEXT.write_text(typer_help(), encoding="utf-8")
    print(f"wrote {HELP_TEXT}")
