"""The command line: exit codes, clean errors, nothing half-written, lean start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from reportgen.cli import app

runner = CliRunner()


def test_help_lists_the_render_commands_with_examples():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("pdf", "docx", "pptx"):
        assert command in result.output
    pdf_help = runner.invoke(app, ["pdf", "--help"])
    assert "reportgen pdf briefs/pmf-tillerson.yaml" in pdf_help.output


def test_version():
    from reportgen import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"reportgen {__version__}"


def test_pdf_prints_the_output_path(sample_brief, tmp_path):
    result = runner.invoke(app, ["pdf", str(sample_brief), "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output.strip() == str(tmp_path / "pmf-tillerson.pdf")


def test_invalid_brief_exits_1_without_traceback_and_writes_nothing(write_brief, tmp_path):
    brief = write_brief("bad", summary=None, date="soon")
    out = tmp_path / "out"
    result = runner.invoke(app, ["pdf", str(brief), "--out", str(out)])
    assert result.exit_code == 1
    date_line = brief.read_text(encoding="utf-8").splitlines().index("date: soon") + 1
    lines = result.output.strip().splitlines()
    assert lines == [f"{brief}:1:1: summary: required key is missing",
                     f"{brief}:{date_line}:7: date: expected a date as YYYY-MM-DD, got 'soon'"]
    assert not out.exists()


def test_missing_brief_file_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["pdf", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2


def test_unknown_profile_points_at_the_profile_key(write_brief, tmp_path):
    brief = write_brief("p", profile="acme")
    result = runner.invoke(app, ["pdf", str(brief), "--out", str(tmp_path)])
    assert result.exit_code == 1
    line = brief.read_text(encoding="utf-8").splitlines().index("profile: acme") + 1
    assert f"{brief}:{line}:10: profile: no profile 'acme' in" in result.output
    assert "(available: mei)" in result.output


def test_internal_error_prints_one_line_and_a_log_path(sample_brief, tmp_path, monkeypatch):
    import reportgen.pipeline

    def boom(*args, **kwargs):
        raise ZeroDivisionError("kaput")

    monkeypatch.setattr(reportgen.pipeline, "render", boom)
    result = runner.invoke(app, ["pdf", str(sample_brief), "--out", str(tmp_path)])
    assert result.exit_code == 70
    (line,) = result.output.strip().splitlines()
    assert line.startswith("reportgen: internal error (ZeroDivisionError: kaput); full traceback")
    log = Path(line.split("full traceback in ")[1].split(". Please")[0])
    assert "ZeroDivisionError" in log.read_text()
    log.unlink()


def test_start_up_does_not_import_the_document_libraries():
    code = ("import sys, reportgen.cli; "
            "print(sorted(m for m in ('reportlab', 'docx', 'pptx', 'pydantic', 'fontTools', "
            "'rich', 'markdown_it', 'yaml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "reportgen", "--version"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("reportgen ")


def test_fonts_lists_and_installs_the_static_cuts(tmp_path):
    listed = runner.invoke(app, ["fonts"])
    assert listed.exit_code == 0
    paths = [Path(line) for line in listed.output.split()]
    assert len(paths) == 6 and all(p.suffix == ".ttf" and p.is_file() for p in paths)
    installed = runner.invoke(app, ["fonts", "--install", "--dir", str(tmp_path / "f")])
    assert installed.exit_code == 0
    copies = sorted((tmp_path / "f").glob("*.ttf"))
    assert [p.name for p in copies] == sorted(p.name for p in paths)
    assert all(c.read_bytes() == (next(p for p in paths if p.name == c.name)).read_bytes()
               for c in copies)


def test_an_unwritable_output_folder_is_a_clear_error_not_a_crash(sample_brief, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["pdf", str(sample_brief), "--out", str(blocker / "sub")])
    assert result.exit_code == 73
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"reportgen: cannot write {blocker / 'sub' / 'pmf-tillerson.pdf'}: ")
    assert ".tmp-" not in line  # the file the user asked for, not the temporary one
    assert "internal error" not in result.output


def test_a_missing_templates_folder_is_a_usage_error(sample_brief, tmp_path):
    result = runner.invoke(app, ["pdf", str(sample_brief), "--out", str(tmp_path),
                                 "--templates", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert not list(tmp_path.glob("*.pdf"))


def test_a_closed_stdout_pipe_is_not_reported_as_a_bug(sample_brief, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "pdf", str(sample_brief),
                             "--out", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader goes away before reportgen prints the path
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert b"internal error" not in err
    assert (tmp_path / "pmf-tillerson.pdf").is_file()


def test_new_into_a_read_only_folder_exits_73_naming_the_brief(tmp_path, immutable):
    folder = immutable(tmp_path / "briefs")
    result = runner.invoke(app, ["new", "draft", "--dir", str(folder), "--schema", ""])
    assert result.exit_code == 73
    assert result.output == (f"reportgen: cannot write {folder / 'draft.yaml'}: "
                             "Operation not permitted\n")


def test_new_into_proc_exits_73_and_a_schema_that_cannot_be_written_too(tmp_path,
                                                                      monkeypatch):
    result = runner.invoke(app, ["new", "draft", "--dir", "/proc/self/briefs", "--schema", ""])
    assert result.exit_code == 73
    assert result.output.startswith("reportgen: cannot write /proc/self/briefs/draft.yaml: ")

    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "draft", "--schema", "/proc/self/brief.schema.json"])
    assert result.exit_code == 73
    assert result.output.startswith("reportgen: cannot write /proc/self/brief.schema.json: ")
    result = runner.invoke(app, ["schema", "--out", "/proc/self/brief.schema.json"])
    assert result.exit_code == 73
    assert result.output.startswith("reportgen: cannot write /proc/self/brief.schema.json: ")


def test_new_with_a_300_character_name_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["new", "a" * 300, "--dir", str(tmp_path), "--schema", ""])
    assert result.exit_code == 2
    assert result.output == ("NAME is 300 characters long; at most 120, e.g. "
                             "`reportgen new iraq-pmf-2017`\n")
    assert list(tmp_path.iterdir()) == []


def test_new_under_a_file_exits_73_naming_the_brief(tmp_path):
    (tmp_path / "afile").write_text("a file")
    folder = tmp_path / "afile" / "briefs"
    result = runner.invoke(app, ["new", "draft", "--dir", str(folder), "--schema", ""])
    assert result.exit_code == 73
    assert result.output == f"reportgen: cannot write {folder / 'draft.yaml'}: Not a directory\n"


def test_fonts_install_into_a_folder_that_cannot_be_made_exits_73():
    result = runner.invoke(app, ["fonts", "--install", "--dir", "/proc/self/reportgen-fonts"])
    assert result.exit_code == 73
    assert result.output.startswith("reportgen: cannot write /proc/self/reportgen-fonts")


def test_help_is_plain_text_made_without_rich_or_the_document_libraries():
    # rich's markdown renderer took as long as the rest of `reportgen --help` (issue 15).
    code = ("import sys\n"
            "from reportgen.cli import main\n"
            "sys.argv = ['reportgen', '--help']\n"
            "try:\n"
            "    main()\n"
            "finally:\n"
            "    heavy = ('rich', 'markdown_it', 'pydantic', 'yaml', 'reportlab', 'fontTools')\n"
            "    sys.stderr.write(repr(sorted(m for m in heavy if m in sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "80"})
    assert done.returncode == 0 and done.stderr == "[]"
    lines = done.stdout.splitlines()
    assert lines[0] == "Usage: reportgen [OPTIONS] COMMAND [ARGS]..."
    for command in ("pdf", "docx", "pptx", "fonts", "build", "validate", "new", "schema",
                    "watch"):
        assert any(line.split()[:1] == [command] for line in lines), command
    assert not set(done.stdout) & set("╭╮╰╯│─")  # no panels: plain text that pipes well
    assert all(len(line) <= 80 for line in lines)


def test_every_command_help_keeps_its_example_whole_on_one_line():
    examples = {"pdf": "reportgen pdf briefs/pmf-tillerson.yaml --out out/",
                "docx": "reportgen docx briefs/pmf-tillerson.yaml --out out/",
                "pptx": "reportgen pptx briefs/pmf-tillerson.yaml --out out/",
                "fonts": "reportgen fonts --install",
                "build": "reportgen build briefs/ --out out/ --jobs 4 --prune --json > "
                         "out/build-report.json",
                "validate": "reportgen validate briefs/ --strict --format github",
                "schema": "reportgen schema --out brief.schema.json",
                "watch": "reportgen watch briefs/pmf-tillerson.yaml --formats pdf"}
    for command, example in examples.items():
        result = runner.invoke(app, [command, "--help"], terminal_width=80)
        assert result.exit_code == 0
        assert any(example in line for line in result.output.splitlines()), command
        assert "**" not in result.output  # no markdown left over from the rich renderer


def test_main_turns_pydantic_plugins_off_unless_the_user_chose(monkeypatch):
    from reportgen import cli

    for preset, expected in ((None, "__all__"), ("", ""), ("logfire", "logfire")):
        monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "placeholder")  # restored afterwards
        if preset is None:
            monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS")
        else:
            monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", preset)
        monkeypatch.setattr(sys, "argv", ["reportgen", "--version"])
        try:
            cli.main()
        except SystemExit as done:
            assert done.code in (0, None)
        assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == expected
