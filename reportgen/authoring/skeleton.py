"""`reportgen new`: a complete brief skeleton, one comment per field, ready to fill in.

The comments are the model's own field descriptions, so the skeleton can never drift from the
format. The skeleton is a valid brief (TODO placeholders, which `validate` flags as warnings),
so the analyst can build it straight away and watch it fill up.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

from reportgen.authoring.schema import SCHEMA_FILE, schema_text
from reportgen.errors import InputError, UsageError, WriteError
from reportgen.fsio import write_new

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Far below the 255 bytes a file name may have, so BRIEF.pptx and its temporary files fit too.
MAX_NAME = 120
DEFAULT_TITLE = "TODO: the headline, at most 150 characters"


def today() -> dt.date:
    """The wall-clock date a new brief starts with (tests replace this function)."""
    return dt.date.today()


def _descriptions() -> dict[str, str]:
    """'title' -> description, 'actors.name' -> description, … from the pydantic model."""
    from reportgen.brief.model import (
        Actor,
        Brief,
        KeyFigure,
        Leverage,
        LocatorMap,
        MapPlace,
        Memo,
        Picture,
        Source,
    )

    out = {}
    for prefix, model in (("", Brief), ("memo.", Memo), ("actors.", Actor),
                          ("leverage.", Leverage), ("sources.", Source),
                          ("key_figures.", KeyFigure), ("map.", LocatorMap),
                          ("map.places.", MapPlace), ("images.", Picture)):
        for name, info in model.model_fields.items():
            out[prefix + (info.alias or name)] = info.description or ""
    return out


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def skeleton_text(title: str | None, profile: str, date: dt.date, schema_ref: str | None,
                  brief_path: str) -> str:
    d = _descriptions()
    day = date.isoformat()
    lines: list[str] = []

    def field(key: str, value: str, indent: int = 0, *, lead: str = "", optional: bool = False,
              off: bool = False, note: str = "") -> None:
        pad = " " * indent
        comment = d[key] + (f" {note}" if note else "")
        if optional and "optional" not in comment.lower():
            comment += " Optional."
        if off:
            comment += " Remove the # to use it."
        lines.append(f"{pad}# {comment}")
        name = key.rsplit(".", 1)[-1]
        lines.append(f"{pad}{'# ' if off else ''}{lead}{name}:{' ' + value if value else ''}")

    if schema_ref:
        lines.append(f"# yaml-language-server: $schema={schema_ref}")
    lines += [
        f"# A new brief, started with `reportgen new` on {day}.",
        "# Replace every TODO, delete the optional lines you do not need, then check it with",
        f"#   reportgen validate {brief_path}",
        "# Text fields take Markdown-lite: **bold**, *italic*, [label](https://…) links,",
        "# paragraphs separated by a blank line, and '- ' bullet lists.",
        "",
    ]
    field("title", _q(title or DEFAULT_TITLE))
    field("subtitle", _q("TODO: one line that says what the headline cannot"), optional=True)
    field("date", day)
    field("profile", profile)
    field("authors", "")
    lines.append(f"  - {_q('TODO: Author Name')}")
    field("memo", "", note="Every line is optional.")
    field("memo.to", _q("TODO: recipients"), 2, optional=True)
    field("memo.from", _q("Author Name, Programme"), 2, off=True)
    field("memo.cc", _q("Name, Name"), 2, off=True)
    field("memo.subject", _q("TODO: subject line"), 2, off=True)
    lines.append("")
    field("summary", ">-")
    lines.append("  TODO: the bottom line in one to three sentences: what happened and why it "
                 "matters.")
    field("situation", "|")
    lines += ["  TODO: what happened, in one or two short paragraphs.", "",
              "  TODO: the background a reader needs to follow it."]
    lines.append("")
    field("actors", "", note="Copy the block below once per actor.")
    field("actors.name", _q("TODO: Full Name"), 2, lead="- ")
    field("actors.role", _q("TODO: position"), 4)
    field("actors.affiliation", _q("TODO: organisation or country"), 4, optional=True)
    field("actors.stance", _q("TODO: where they stand, in a sentence or two."), 4)
    field("actors.quote", _q("TODO: their own words"), 4, optional=True)
    field("actors.quote_source", _q("TODO: where and when they said it"), 4, optional=True)
    field("actors.url", "https://…", 4, off=True)
    field("actors.featured", "true", 4, off=True)
    lines.append("")
    field("leverage", "")
    field("leverage.holder", _q("TODO: party"), 2)
    field("leverage.points", "", 2)
    lines.append(f"    - {_q('**TODO: the lever in a few words.** How they can use it.')}")
    lines.append("")
    field("outlook", "")
    lines.append(f"  - {_q('TODO: what to expect next')}")
    lines.append("")
    field("sources", "", optional=True)
    field("sources.title", _q("TODO: title of a source"), 2, lead="- ")
    field("sources.url", "https://example.org/TODO", 4)
    field("sources.publisher", _q("TODO: publisher"), 4, optional=True)
    field("sources.date", day, 4, off=True)
    lines.append("")
    field("key_figures", "", off=True)
    field("key_figures.value", _q("TODO: 97%"), 2, lead="- ", off=True)
    field("key_figures.label", _q("TODO: what the number counts"), 4, off=True)
    field("key_figures.source", _q("TODO: who counted, year"), 4, off=True)
    lines.append("")
    field("map", "", off=True)
    field("map.country", "IQ", 2, off=True)
    field("map.region", "[IR, SY, TR]", 2, off=True)
    field("map.places", "", 2, off=True)
    field("map.places.name", _q("Baghdad"), 4, lead="- ", off=True)
    field("map.places.lat", "33.31", 6, off=True)
    field("map.places.lon", "44.37", 6, off=True)
    field("map.caption", _q("TODO: what the map shows"), 2, off=True)
    lines.append("")
    field("images", "", off=True)
    field("images.path", "images/TODO.jpg", 2, lead="- ", off=True)
    field("images.alt", _q("TODO: what the picture shows"), 4, off=True)
    field("images.caption", _q("TODO: caption"), 4, off=True)
    field("images.credit", _q("Photo: TODO"), 4, off=True)
    lines.append("")
    field("language", "en")
    return "\n".join(lines) + "\n"


def brief_target(name: str, folder: Path) -> Path:
    stem = name[:-5] if name.endswith(".yaml") else name[:-4] if name.endswith(".yml") else name
    if len(stem) > MAX_NAME:
        raise UsageError(f"NAME is {len(stem)} characters long; at most {MAX_NAME}, e.g. "
                         "`reportgen new iraq-pmf-2017`")
    if not NAME.fullmatch(stem):
        raise UsageError(f"NAME '{name}' is not a file name: use letters, digits, '.', '-' and "
                         "'_', e.g. `reportgen new iraq-pmf-2017`")
    return folder / f"{stem}.yaml"


def schema_reference(schema: str, brief_folder: Path) -> tuple[str, Path | None]:
    """What the modeline says, and the schema file to keep up to date (None for a URL)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", schema):
        return schema, None
    file = Path(schema)
    ref = os.path.relpath(file.resolve(), brief_folder.resolve())
    return Path(ref).as_posix(), file


def check_skeleton(text: str, target: Path) -> None:
    """The skeleton must load as a brief; only the user's --title can break that."""
    from reportgen.brief import Brief
    from reportgen.brief.loader import parse_yaml_mapping
    from reportgen.brief.validate import validate_loaded

    try:
        validate_loaded(parse_yaml_mapping(str(target), text), Brief)
    except InputError as exc:
        raise UsageError("\n".join(
            f"--title: {d.message}" if d.key == "title" else d.format()
            for d in exc.diagnostics)) from None


def _exists(path: Path) -> UsageError:
    return UsageError(f"{path} already exists; nothing was written. Choose another NAME or "
                      "delete the file first")


def refresh_schema(file: Path) -> str | None:
    """Write the schema file if it is missing or out of date; say what was done."""
    from reportgen.fsio import write_atomic

    text = schema_text()
    try:
        current = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        current = None
    if current == text:
        return None
    try:
        write_atomic(file, text.encode("utf-8"))
    except OSError as exc:
        raise WriteError.from_os_error(exc, file) from None
    return f"{'updated' if current is not None else 'wrote'} {file} (the JSON Schema editors use " \
           "to check briefs; commit it)"


def new_brief(name: str, folder: Path, title: str | None, profile: str,
              date: dt.date | None, schema: str | None,
              templates: Path | None = None) -> list[str]:
    """Create the brief; returns the lines to print."""
    from reportgen.profile import find_profile

    target = brief_target(name, folder)
    if target.exists():
        raise _exists(target)
    try:
        find_profile(profile, templates)
    except InputError as exc:
        raise UsageError("\n".join(f"--profile {profile}: {d.message}"
                                   for d in exc.diagnostics)) from None
    ref, schema_file = schema_reference(schema, folder) if schema else (None, None)
    text = skeleton_text(title, profile, date or today(), ref, target.as_posix())
    check_skeleton(text, target)
    try:
        write_new(target, text.encode("utf-8"))
    except FileExistsError:
        raise _exists(target) from None
    except OSError as exc:
        raise WriteError.from_os_error(exc, target) from None
    said = [f"wrote {target}"]
    if schema_file is not None and (note := refresh_schema(schema_file)):
        said.append(note)
    said.append(f"next: replace the TODOs, then `reportgen validate {target}` "
                f"(or `reportgen watch {target}` to rebuild on every save)")
    return said


__all__ = ["SCHEMA_FILE", "new_brief", "skeleton_text", "today"]
