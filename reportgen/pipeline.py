"""One brief, one format: load and validate, find the profile, render, write atomically."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.brief import LoadedBrief, load_brief
from reportgen.errors import WriteError
from reportgen.fsio import write_atomic
from reportgen.profile import LoadedProfile, find_profile
from reportgen.writers import get_writer


@dataclass(frozen=True)
class Job:
    doc: LoadedBrief
    profile: LoadedProfile


def prepare(brief_path: Path, templates: Path | None = None) -> Job:
    doc = load_brief(brief_path)
    where = doc.where.diagnostic(("profile",), "")
    profile = find_profile(doc.brief.profile, templates, referenced_from=where)
    return Job(doc, profile)


def render(job: Job, fmt: str) -> bytes:
    return get_writer(fmt).render(job.doc, job.profile)


def output_name(stem: str, fmt: str) -> str:
    """The file name of a brief's output: the brief's file name, the format as extension."""
    return f"{stem}.{fmt}"


def output_path(brief_path: Path, out_dir: Path, fmt: str) -> Path:
    return out_dir / output_name(Path(brief_path).stem, fmt)


def write_output(job: Job, fmt: str, out_dir: Path) -> Path:
    """Render one format of a prepared brief and put it in place atomically; a refused write
    is a WriteError naming the target. On any error the last good file stays."""
    data = render(job, fmt)
    target = output_path(job.doc.path, out_dir, fmt)
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise WriteError.from_os_error(exc, target) from None
    return target


def render_to_file(brief_path: Path, fmt: str, out_dir: Path,
                   templates: Path | None = None) -> Path:
    """Load, validate and render one format of one brief; nothing is written on error."""
    return write_output(prepare(brief_path, templates), fmt, out_dir)
