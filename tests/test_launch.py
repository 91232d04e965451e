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

BRIEF = HELP_TEXT.parent.parent / "briefs" / "pmf-tillerson.yaml"

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


# The CLI itself, as `python -m reportgen` runs it, for comparison with the console script's
# fast path for the render commands
CLI = ("import sys\nfrom reportgen.cli import main\nsys.argv = ['reportgen', *{args!r}]\n"
       "main()\n")


def _both(args: list[str], cwd, output=None) -> list[subprocess.CompletedProcess]:
    """[console script, CLI] run on `args` in `cwd`; each with .written, the bytes of `output`
    just after it ran (None if there was none)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    runs = []
    for code in (LAUNCH.format(argv0="reportgen", args=args), CLI.format(args=args)):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**env, "COLUMNS": "80"}, cwd=cwd, timeout=120)
        done.written = output.read_bytes() if output and output.exists() else None
        runs.append(done)
    return runs


@pytest.mark.parametrize("args", [
    ["pdf", "brief.yaml", "-o", "first"],
    ["docx", "--out=first", "brief.yaml", "--templates", "profiles"],
    ["pptx", "--out", "first", "brief.yaml"],
])
def test_a_plain_render_command_runs_without_typer_and_as_the_cli_does(tmp_path, args):
    fmt = args[0]
    (tmp_path / "brief.yaml").write_bytes(BRIEF.read_bytes())
    (tmp_path / "profiles").mkdir()
    fast, cli = _both(args, tmp_path, tmp_path / "first" / f"brief.{fmt}")
    assert fast.returncode == cli.returncode == 0, fast.stderr + cli.stderr
    assert fast.stderr == "[]"  # neither typer nor Click nor the CLI module was imported
    assert fast.stdout == cli.stdout == f"first/brief.{fmt}\n"
    assert fast.written and fast.written == cli.written


def test_a_brief_with_errors_gets_the_same_messages_and_exit_code_either_way(tmp_path):
    (tmp_path / "bad.yaml").write_text("title: [unclosed\ndate: 2017-10-24\n", "utf-8")
    fast, cli = _both(["pdf", "bad.yaml"], tmp_path, tmp_path / "out" / "bad.pdf")
    assert fast.returncode == cli.returncode == 1
    assert fast.stderr.startswith("bad.yaml:") and fast.stderr.endswith("\n[]")
    assert fast.stderr[:-len("[]")] == cli.stderr
    assert fast.written is None and cli.written is None


@pytest.mark.parametrize("args", [
    ["pdf", "missing.yaml"],  # Click words the usage error
    ["pdf", "folder"],  # a folder is not a brief
    ["pdf", "brief.yaml", "-o", "afile"],  # --out names a file
    ["pdf", "brief.yaml", "--templates", "missing"],
    ["pdf", "brief.yaml", "-o"],  # an option without its value
    ["pdf", "brief.yaml", "-o", "a", "-o", "b"],  # repeated
    ["pdf", "brief.yaml", "-oshort"],
    ["pdf", "brief.yaml", "--verbose"],  # not an option of the command
    ["pdf", "brief.yaml", "other.yaml"],
    ["pdf", "-h"],
    ["pdf"],
    ["validate", "brief.yaml"],
])
def test_anything_but_a_plain_render_command_goes_to_the_cli(tmp_path, args):
    from reportgen.launch import _plain_render

    (tmp_path / "brief.yaml").write_text("title: x\n", "utf-8")
    (tmp_path / "folder").mkdir()
    (tmp_path / "afile").write_text("", "utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert _plain_render(args) is None
    finally:
        os.chdir(cwd)


def test_the_fast_path_knows_every_render_command():
    from reportgen.launch import RENDER_COMMANDS
    from reportgen.writers import REGISTRY

    assert set(RENDER_COMMANDS) == set(REGISTRY)


# The console script's entry point, with an exit handler that must still run
RUN = ("import atexit, sys\natexit.register(lambda: print('exit handler ran', flush=True))\n"
       "{before}sys.argv = ['reportgen', *{args!r}]\nfrom reportgen.launch import run\nrun()\n")


def _run_script(args: list[str], cwd, before: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUN.format(args=args, before=before)],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def test_the_console_script_leaves_with_the_commands_exit_code_and_output(tmp_path):
    (tmp_path / "brief.yaml").write_bytes(BRIEF.read_bytes())
    (tmp_path / "bad.yaml").write_text("title: [unclosed\n", "utf-8")
    done = _run_script(["docx", "brief.yaml"], tmp_path)
    assert (done.returncode, done.stdout) == (0, "out/brief.docx\nexit handler ran\n")
    assert (tmp_path / "out" / "brief.docx").stat().st_size > 1000
    bad = _run_script(["docx", "bad.yaml"], tmp_path)
    assert bad.returncode == 1 and bad.stderr.startswith("bad.yaml:2:1: YAML syntax error")
    assert bad.stdout == "exit handler ran\n"
    usage = _run_script(["docx", "missing.yaml"], tmp_path)  # through typer: Click's exit 2
    assert usage.returncode == 2 and "does not exist" in usage.stderr
    assert _run_script(["--version"], tmp_path).stdout.startswith("reportgen ")
    message = _run_script(["--version"], tmp_path,
                          before="import reportgen.launch as l\nl.main = lambda: sys.exit('no')\n")
    assert (message.returncode, message.stderr) == (1, "no\n")


def test_the_console_script_skips_the_interpreters_teardown_only_when_nothing_else_runs(
        tmp_path):
    # an object whose finalizer runs only in an ordinary teardown shows which exit was taken
    marker = ("class Marker:\n    def __del__(self):\n        print('torn down', flush=True)\n"
              "keep = Marker()\n")
    fast = _run_script(["--version"], tmp_path, before=marker)
    assert fast.returncode == 0 and "torn down" not in fast.stdout
    assert fast.stdout.endswith("exit handler ran\n")
    thread = ("import threading, time\n"
              "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done', "
              "flush=True))).start()\n")
    waited = _run_script(["--version"], tmp_path, before=marker + thread)
    assert waited.returncode == 0
    assert "thread done" in waited.stdout and "torn down" in waited.stdout


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    HELP_TEXT.write_text(typer_help(), encoding="utf-8")
    print(f"wrote {HELP_TEXT}")


def test_a_render_runs_with_the_collector_s_threshold_raised_then_restored(tmp_path,
                                                                            monkeypatch):
    import gc

    from reportgen import launch, pipeline

    seen = []
    monkeypatch.setattr(pipeline, "render_to_file",
                        lambda *a: seen.append(gc.get_threshold()) or tmp_path / "x.pdf")
    before = gc.get_threshold()
    launch.render_and_print("pdf", tmp_path / "b.yaml", tmp_path, None)
    assert seen == [launch.ONE_RENDER_GC_THRESHOLD] and seen[0][0] >= 100_000
    assert gc.get_threshold() == before
