"""The `reportgen` command line. Thin: parse options, call the pipeline, map errors to exits.

Heavy libraries (pydantic, ReportLab, python-docx, python-pptx) are imported inside the
commands that need them, and help is plain Click text (rich's renderer alone cost more than the
rest of `--help`), so `reportgen --help` stays instant; bench/startup.py times it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from reportgen.cli_common import BriefArg, OutOpt, TemplatesOpt, run_guarded
from reportgen.errors import WriteError
from reportgen.launch import render_and_print
from reportgen.writers import REGISTRY

app = typer.Typer(
    name="reportgen",
    help="Turn a structured brief (YAML) into a PDF one-pager, a DOCX memo and a PPTX deck.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,  # plain help: rich's markdown renderer doubled --help's time
)

USER_FONT_DIR = Path.home() / ".local" / "share" / "fonts"


def _render_command(fmt: str, what: str, example: str) -> None:
    def command(brief: BriefArg, out: OutOpt = Path("out"),
                templates: TemplatesOpt = None) -> None:
        run_guarded(lambda: render_and_print(fmt, brief, out, templates))

    command.__doc__ = (f"Write {what} to OUT/BRIEF-NAME{REGISTRY[fmt].suffix}.\n\n"
                       f"Nothing is written if the brief is invalid; the last good file stays."
                       f"\n\nExample: {example}")
    app.command(fmt)(command)


for _writer in REGISTRY.values():
    _render_command(_writer.name, _writer.description,
                    f"reportgen {_writer.name} briefs/pmf-tillerson.yaml --out out/")


@app.command("fonts")
def fonts(
    install: Annotated[bool, typer.Option(
        "--install", help="Copy the fonts into --dir and refresh fontconfig.")] = False,
    dest: Annotated[Path, typer.Option(
        "--dir", help="Where --install copies the fonts.", file_okay=False)
    ] = USER_FONT_DIR,
    profile: Annotated[str, typer.Option("--profile", help="Whose fonts.")] = "mei",
    templates: TemplatesOpt = None,
) -> None:
    """List the TrueType files the documents are set in (cut on first use if not shipped).

    With --install, copy them where LibreOffice and other desktop programs find them, so decks
    and memos show in the fonts their text was measured with.

    Example: reportgen fonts --install
    """

    def body() -> None:
        from reportgen import fonts as fontlib
        from reportgen.glyphs import profile_families
        from reportgen.profile import find_profile

        families = list(profile_families(find_profile(profile, templates)))
        if install:
            try:
                paths = fontlib.install(families, dest)
            except OSError as exc:  # --dir read-only, under /proc, below a file
                raise WriteError.from_os_error(exc, dest) from None
        else:
            paths = sorted({p for fam in families for p in fam.files.values()})
        for path in paths:
            print(path)

    run_guarded(body)


@app.command("draft")
def draft(
    article: Annotated[str, typer.Argument(
        help="The article: a text, Markdown or HTML file, or - for standard input.",
        metavar="ARTICLE", show_default=False)],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="The brief to write. Default: briefs/ARTICLE-NAME.yaml.",
        dir_okay=False, show_default=False)] = None,
    profile: Annotated[str, typer.Option("--profile", help="Organisation profile.")] = "mei",
    language: Annotated[str | None, typer.Option(
        "--language", help="Language tag of the brief (en, fr, ar). Default: guessed from the "
        "article.", show_default=False)] = None,
    templates: TemplatesOpt = None,
) -> None:
    """Start a brief from an article: names, roles and verbatim quotes, with their lines.

    Finds the people the article quotes or names with a role (by rules: English and French;
    Arabic speakers introduced by a title; quotes in “ ”, " " and « »), their words exactly as
    printed, and where they said them; takes the title, date, publisher and URL from the
    article; puts its opening paragraphs in situation. Summary, leverage, outlook and each
    stance are left to you as TODOs (which validate reports as warnings). An existing brief is
    never overwritten.

    Example: reportgen draft ../shared/source/article.txt --out briefs/pmf-draft.yaml
    """

    def body() -> None:
        import sys

        from reportgen.draft import draft_article

        said, warnings = draft_article(article, out, profile, language, templates)
        for line in warnings:
            sys.stderr.write(line + "\n")
        for line in said:
            print(line)

    run_guarded(body)


def _register_command_groups() -> None:
    # Each group module owns its commands and imports its heavy parts lazily.
    import importlib

    for name in ("reportgen.cli_build", "reportgen.cli_authoring"):
        importlib.import_module(name).register(app)


_register_command_groups()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.",
                                          is_eager=True)] = False,
) -> None:
    if version:
        from reportgen import __version__

        print(f"reportgen {__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        print(ctx.get_help())
        raise typer.Exit(0)


def main() -> None:
    # pydantic looks for plugins on its first model by scanning every installed distribution's
    # entry points: a sizeable part of a single command's start-up, for plugins reportgen never
    # uses (typer turns them off too while it builds its parameter adapters). An explicit
    # PYDANTIC_DISABLE_PLUGINS (even empty) is left as the user set it.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app()
