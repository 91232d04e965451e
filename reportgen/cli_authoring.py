"""Authoring commands: `validate`, `new`, `schema`, `watch`.

Thin wrappers around `reportgen.authoring`; every heavy import happens inside the command, so
`reportgen --help` and shell completion stay instant.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from reportgen.cli_common import TemplatesOpt, run_guarded


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def validate(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Brief files or folders, searched recursively for *.yaml and *.yml like build "
        "does. Default: briefs/.", metavar="PATHS", show_default=False)] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Treat warnings as errors (exit 1 on any warning).")] = False,
    output: Annotated[ReportFormat, typer.Option(
        "--format", "-f", help="text: path:line:col: level: key: message; json: one report "
        "object; github: GitHub Actions annotations.")] = ReportFormat.text,
    templates: TemplatesOpt = None,
) -> None:
    """Check briefs and their profiles without writing any output.

    Runs the layout planning that can fail: does the PDF one-pager fit (and how far must its
    text shrink)? how many continuation slides will the deck need? Warns about a summary over
    three sentences, a quote without quote_source, an actor without role or stance, links that
    are not https, sources without a URL and TODO placeholders left in the text. Checks the
    briefs reportgen build would build, and fails on two with the same file name in different
    folders, which build refuses (both would write the same outputs).

    Exit 0 when there is no error (warnings allowed unless --strict), 1 when there is.

    Example: reportgen validate briefs/ --strict --format github
    """
    def body() -> int:
        import sys

        from reportgen.authoring.checks import FORMATTERS, validate_paths

        report = validate_paths(paths or [Path("briefs")], templates, strict)
        sys.stdout.write(FORMATTERS[output.value](report))
        return report.exit_code

    run_guarded(body)


def new(
    name: Annotated[str, typer.Argument(
        help="File name of the brief, without .yaml, e.g. iraq-pmf-2017.", metavar="NAME",
        show_default=False)],
    title: Annotated[str | None, typer.Option(
        "--title", help="Headline (at most 150 characters); default a TODO placeholder.")] = None,
    profile: Annotated[str, typer.Option(
        "--profile", help="Organisation profile (a folder of templates/).")] = "mei",
    folder: Annotated[Path, typer.Option(
        "--dir", help="Folder to write the brief into.", file_okay=False)] = Path("briefs"),
    date: Annotated[str | None, typer.Option(
        "--date", help="Date of the brief, YYYY-MM-DD. Default: today.",
        show_default=False)] = None,
    schema: Annotated[str, typer.Option(
        "--schema", help="JSON Schema the editor uses: a file, relative to the current folder "
        "(written or refreshed; the brief refers to it by a path relative to itself), or an "
        "https URL (referenced as is). '' for none.")
    ] = "brief.schema.json",
    templates: TemplatesOpt = None,
) -> None:
    """Start a new brief: write DIR/NAME.yaml, a complete skeleton with a comment on every field.

    The skeleton is already a valid brief full of TODO placeholders (which validate flags).
    Its first line points YAML editors at the JSON Schema, so they autocomplete and check
    keys. The schema file is written, if missing or stale, at --schema: a path from the
    current folder, not from --dir (by default ./brief.schema.json, so run new from the
    project root).
    An existing brief is never overwritten.

    Example: reportgen new iraq-pmf-2017 --title "Iraq's militias push back"
    """
    def body() -> None:
        import datetime as dt

        from reportgen.authoring.skeleton import new_brief
        from reportgen.errors import UsageError

        day = None
        if date is not None:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                raise UsageError(f"--date {date!r} is not a date as YYYY-MM-DD") from None
        for line in new_brief(name, folder, title, profile, day, schema or None, templates):
            print(line)

    run_guarded(body)


def schema(
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the schema to this file instead of printing it.",
        dir_okay=False)] = None,
) -> None:
    """Print (or write) the JSON Schema of the brief format, generated from the model.

    Editors with a YAML language server (VS Code's YAML extension, Neovim's yamlls) use it to
    autocomplete keys, show each field's description and flag mistakes as you type.

    Example: reportgen schema --out brief.schema.json
    """
    def body() -> None:
        import sys

        from reportgen.authoring.schema import schema_text
        from reportgen.errors import WriteError
        from reportgen.fsio import write_atomic

        text = schema_text()
        if out is None:
            sys.stdout.write(text)
        else:
            try:
                write_atomic(out, text.encode("utf-8"))
            except OSError as exc:
                raise WriteError.from_os_error(exc, out) from None
            print(f"wrote {out}")

    run_guarded(body)


def watch(
    brief: Annotated[Path, typer.Argument(
        help="The brief, a YAML file.", metavar="BRIEF", exists=True, dir_okay=False,
        readable=True)],
    formats: Annotated[str, typer.Option(
        "--formats", help="Comma-separated formats to rebuild.")] = "pdf,docx,pptx",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.",
                                      file_okay=False)] = Path("out"),
    templates: TemplatesOpt = None,
    max_builds: Annotated[int | None, typer.Option(
        "--max-builds", hidden=True, help="Stop after this many builds (for tests).")] = None,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", hidden=True, help="Stop after this many seconds (for tests).")] = None,
) -> None:
    """Rebuild the documents of BRIEF every time it (or its profile) is saved.

    Prints one status line per rebuild; when the brief is invalid, prints where, keeps the
    last good files and carries on. Stop with Ctrl-C.

    Example: reportgen watch briefs/pmf-tillerson.yaml --formats pdf
    """
    def body() -> None:
        from reportgen.authoring.watch import watch as watch_loop
        from reportgen.writers import parse_formats

        chosen = parse_formats(formats)

        def echo(line: str) -> None:
            print(line, flush=True)

        watch_loop(brief, chosen, out, templates, echo=echo, max_builds=max_builds,
                   timeout=timeout)

    run_guarded(body)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("new")(new)
    app.command("schema")(schema)
    app.command("watch")(watch)
