"""One brief, one format: load and validate, plan the document, render, write atomically.

This is the one write path: the render commands, `watch` and the build workers all put their
outputs in place through `write_output`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.brief import LoadedBrief, load_brief
from reportgen.errors import WriteError
from reportgen.fsio import write_atomic
from reportgen.profile import LoadedProfile, find_profile
from reportgen.writers import get_writer

if TYPE_CHECKING:
    from reportgen.document import Document
    from reportgen.document.findings import Rendered


@dataclass(frozen=True)
class Job:
    doc: LoadedBrief
    profile: LoadedProfile
    document: Document


def prepare(brief_path: Path, templates: Path | None = None) -> Job:
    """Load and validate the brief, find its profile, check every character has a glyph (once,
    for all formats) and build the document every writer reads."""
    from reportgen.document import build_document
    from reportgen.glyphs import check_glyphs

    doc = load_brief(brief_path)
    where = doc.where.diagnostic(("profile",), "")
    profile = find_profile(doc.brief.profile, templates, referenced_from=where)
    check_glyphs(doc, profile)
    return Job(doc, profile, build_document(doc, profile))


def render(job: Job, fmt: str) -> Rendered:
    return get_writer(fmt).render(job.document)


def output_name(stem: str, fmt: str) -> str:
    """The file name of a brief's output: the brief's file name, the format as extension."""
    return f"{stem}{get_writer(fmt).suffix}"


def output_path(brief_path: Path, out_dir: Path, fmt: str) -> Path:
    return out_dir / output_name(Path(brief_path).stem, fmt)


def place(target: Path, data: bytes, *, only_if_changed: bool = False) -> bool:
    """Put `data` at `target` atomically; False when `only_if_changed` found the same bytes
    there (the file and its mtime are left alone). A refused write is a WriteError naming the
    target; on any error the last good file stays."""
    try:
        if only_if_changed:
            try:
                if target.stat().st_size == len(data) and target.read_bytes() == data:
                    return False
            except FileNotFoundError:
                pass
        write_atomic(target, data)
    except OSError as exc:
        raise WriteError.from_os_error(exc, target) from None
    return True


def write_output(job: Job, fmt: str, out_dir: Path, *,
                 only_if_changed: bool = False) -> tuple[Path, Rendered]:
    """Render one format of a prepared brief and put it in place."""
    rendered = render(job, fmt)
    target = output_path(job.doc.path, out_dir, fmt)
    place(target, rendered.data, only_if_changed=only_if_changed)
    return target, rendered


def render_to_file(brief_path: Path, fmt: str, out_dir: Path,
                   templates: Path | None = None) -> Path:
    """Load, validate and render one format of one brief; nothing is written on error."""
    return write_output(prepare(brief_path, templates), fmt, out_dir)[0]
