"""A brief built on a machine that may not share the client's files (a Dask worker).

The client packs what the brief reads (its bytes, its profile's files, its pictures and logo)
under the absolute paths they have on the client; the worker lays them out in a private folder
that mirrors those paths, builds there as a local worker would, and returns the rendered bytes
and findings, never a path of its own. The client writes the bytes into OUT atomically and
records them, so a remote build leaves the same files, manifest and report as a local one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.batch.fingerprint import (
    BriefInputs,
    InputFile,
    format_fingerprint,
    library_versions,
)
from reportgen.batch.worker import (
    BUILT,
    FAILED,
    SKIPPED,
    BriefResult,
    BriefTask,
    FormatResult,
    _failed,
    describe_error,
    file_sha256,
    layout_summary,
    output_stat,
    read_brief,
)
from reportgen.errors import WriteError

# What one brief may send back, all formats together. A PDF, memo and deck with three 10 MB
# pictures and a 20 MB reference document stay far below; a result above it fails that brief
# on the worker, before it is sent, so neither the scheduler nor the client holds it.
MAX_RESULT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class RemoteTask:
    task: BriefTask                   # as the local pool gets it (the client's paths)
    files: dict[str, bytes]           # absolute path on the client -> the file's bytes
    on_disk_sha: dict[str, str | None]  # format -> sha256 of OUT's file now (read by the client)
    builtin: str                      # the client's built-in templates folder
    environment: dict[str, str]       # the client's (worker_environment), which must match
    max_result_bytes: int = MAX_RESULT_BYTES


@dataclass
class RemoteOutput:
    format: str
    status: str  # BUILT (data holds the bytes), SKIPPED or FAILED
    seconds: float
    error: str | None = None
    fingerprint: str | None = None
    sha256: str | None = None
    layout: dict | None = None
    data: bytes | None = None


@dataclass
class RemoteResult:
    result: BriefResult  # brief-level fields; outputs are filled in by the client
    outputs: list[RemoteOutput] = field(default_factory=list)
    worker: str = ""


# --- what must be the same on every machine ------------------------------------------------


def worker_environment() -> dict[str, str]:
    """What decides an output's bytes besides the inputs: reportgen's version, the versions of
    the libraries every writer uses (font packages among them) and the fonts shipped inside
    reportgen. Compared at start on every worker, and again by each task."""
    from reportgen import __version__
    from reportgen.batch.fingerprint import format_libraries
    from reportgen.writers import FORMATS

    return {"reportgen": __version__,
            "libraries": ";".join([library_versions(), *map(format_libraries, FORMATS)]),
            "fonts": _font_set()}


def _font_set() -> str:
    """sha256 over the names and bytes of the font files shipped in reportgen/_fonts."""
    import reportgen

    folder = Path(reportgen.__file__).parent / "_fonts"
    h = hashlib.sha256()
    for path in sorted(folder.glob("*")):
        if path.suffix in (".ttf", ".otf", ".json") and path.is_file():
            h.update(f"{path.name}\0".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


def environment_mismatch(client: dict[str, str], worker: dict[str, str]) -> str | None:
    """In words, how a worker's environment differs from the client's; None if it does not."""
    if client == worker:
        return None
    if client.get("reportgen") != worker.get("reportgen"):
        return (f"runs reportgen {worker.get('reportgen')}, the client "
                f"{client.get('reportgen')}")
    if client.get("fonts") != worker.get("fonts"):
        return (f"has another font set (reportgen/_fonts {worker.get('fonts')}, the client's "
                f"{client.get('fonts')})")
    theirs = dict(_pairs(worker.get("libraries", "")))
    differ = [f"{name} {theirs.get(name, 'absent')} (client {version})"
              for name, version in _pairs(client.get("libraries", ""))
              if theirs.get(name) != version]
    return "has other library versions: " + (", ".join(dict.fromkeys(differ)) or "see pip list")


def _pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(item.split("=", 1)) for part in text.split(";") for item in part.split(",")
            if "=" in item]


# --- the client: pack a task, apply a result -------------------------------------------------


def pack(task: BriefTask, environment: dict[str, str]) -> RemoteTask | BriefResult:
    """What a worker needs to build `task` without the client's files; or, when the brief or
    its profile cannot even be loaded here, the failed result a local worker would give."""
    from reportgen.brief import load_brief
    from reportgen.brief.loader import MAX_FILE_BYTES as MAX_BRIEF_BYTES
    from reportgen.figures.images import MAX_IMAGE_BYTES, ImageProblem, resolve_inside
    from reportgen.profile import builtin_templates, find_profile
    from reportgen.writers.reference import MAX_FILE_BYTES

    started = time.perf_counter()
    brief = Path(task.brief)
    try:
        brief_bytes = read_brief(brief)
        doc = load_brief(brief)
        profile = find_profile(doc.brief.profile,
                               Path(task.templates) if task.templates else None,
                               referenced_from=doc.where.diagnostic(("profile",), ""))
    except Exception as exc:  # noqa: BLE001 - as build_brief: the brief fails, the run goes on
        error = describe_error(exc)
        return BriefResult(brief=task.brief, seconds=time.perf_counter() - started,
                           error=error, outputs=[_failed(fmt, _target(task, fmt), task, error,
                                                         0.0) for fmt in task.formats])
    files: dict[str, bytes] = {_absolute(task, brief): brief_bytes[:MAX_BRIEF_BYTES + 1]}

    def ship(path: Path, limit: int) -> None:
        # One byte over the bound is enough for the worker to refuse it as the client would.
        try:
            with open(path, "rb") as fh:
                files[_absolute(task, path)] = fh.read(limit + 1)
        except OSError:
            pass  # absent or unreadable here: the worker finds it absent and says so

    for path in profile.files():
        ship(path, MAX_FILE_BYTES)
    pictures = [(doc.path.parent, p.path) for p in doc.brief.images]
    if profile.profile.logo:
        pictures.append((profile.folder, profile.profile.logo))
    for folder, relative in pictures:
        try:
            resolve_inside(folder, relative)  # a link out of the folder is not shipped
        except (ImageProblem, OSError):
            continue
        ship(folder / relative, MAX_IMAGE_BYTES)
    on_disk = {fmt: file_sha256(_target(task, fmt)) for fmt in task.formats
               if fmt in task.previous}
    return RemoteTask(task, files, on_disk, str(builtin_templates()), environment)


def apply(packed: RemoteTask, remote: RemoteResult) -> BriefResult:
    """The result a local worker would have given: built bytes written into OUT atomically
    (only if changed), skipped and failed formats as the local worker decides them."""
    from reportgen.pipeline import place

    task = packed.task
    result = remote.result
    result.brief = task.brief
    if result.inputs is not None:  # where a picture's links lead, as the client sees it
        result.inputs = dataclasses.replace(result.inputs, files=tuple(
            dataclasses.replace(f, resolved=os.path.realpath(f.path))
            if f.resolved is not None else f for f in result.inputs.files))
    if result.error is not None or not remote.outputs:
        error = result.error or f"the worker {remote.worker} returned no output"
        result.outputs = [_failed(fmt, _target(task, fmt), task, error, 0.0)
                          for fmt in task.formats]
        return result
    outputs = []
    for out in remote.outputs:
        target = _target(task, out.format)
        if out.status == SKIPPED:
            outputs.append(FormatResult(out.format, SKIPPED, str(target), out.seconds, None,
                                        out.fingerprint, out.sha256, stat=output_stat(target)))
            continue
        if out.status != BUILT or out.data is None:
            outputs.append(_failed(out.format, target, task, out.error or "failed",
                                   out.seconds))
            continue
        started = time.perf_counter()
        try:
            place(target, out.data, only_if_changed=True)
        except WriteError as exc:
            failed = _failed(out.format, target, task, describe_error(exc),
                             out.seconds + time.perf_counter() - started)
            failed.cannot_write = True
            outputs.append(failed)
            continue
        on_disk = output_stat(target)
        outputs.append(FormatResult(
            out.format, BUILT, str(target), out.seconds + time.perf_counter() - started, None,
            out.fingerprint, out.sha256, out.layout,
            stat=on_disk if on_disk and on_disk[0] == len(out.data) else None))
    result.outputs = outputs
    return result


def _target(task: BriefTask, fmt: str) -> Path:
    from reportgen.pipeline import output_path

    return output_path(Path(task.brief), Path(task.out_dir), fmt)


def _absolute(task: BriefTask, path: Path | str) -> str:
    return os.path.normpath(os.path.join(task.cwd, path))


# --- the worker --------------------------------------------------------------------------

# A build changes the process's working folder and SOURCE_DATE_EPOCH (profiles are searched
# in ./templates; the clock reads the environment): one brief at a time per worker process,
# whatever its --nthreads.
_ONE_AT_A_TIME = threading.Lock()
_BUILT = 0  # briefs this worker process has built


def build_remote(packed: RemoteTask) -> RemoteResult:
    """Run on a worker: check the environment, lay out the files, build, return the bytes."""
    worker = worker_name()
    task = packed.task
    if problem := environment_mismatch(packed.environment, worker_environment()):
        error = (f"the Dask worker {worker} {problem}; its outputs would differ from the "
                 "client's, so it built nothing. Give every worker the client's reportgen "
                 "and fonts")
        return RemoteResult(BriefResult(brief=task.brief, error=error), worker=worker)
    with _ONE_AT_A_TIME, tempfile.TemporaryDirectory(prefix="reportgen-remote-") as tmp:
        root = os.path.realpath(tmp)
        saved_cwd, saved_epoch = os.getcwd(), os.environ.get("SOURCE_DATE_EPOCH")
        try:
            for path, data in packed.files.items():
                local = _under(root, path)
                os.makedirs(os.path.dirname(local), exist_ok=True)
                with open(local, "wb") as fh:
                    fh.write(data)
            cwd = _under(root, task.cwd)
            os.makedirs(cwd, exist_ok=True)
            here = dataclasses.replace(
                task, cwd=cwd, brief=_rooted(root, task.brief),
                templates=_rooted(root, task.templates) if task.templates else None)
            remote = _build_here(here, packed)
        finally:
            os.chdir(saved_cwd)
            if saved_epoch is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = saved_epoch
    from reportgen.batch.pool import release_memory
    from reportgen.profile import builtin_templates

    global _BUILT
    remote.worker = worker
    _unroot(remote, task, root, str(builtin_templates()), packed.builtin)
    _BUILT += 1
    release_memory(freeze=_BUILT == 1)  # as batch.pool's workers do
    return remote


def _build_here(task: BriefTask, packed: RemoteTask) -> RemoteResult:
    """build_brief, but the outputs are returned instead of written."""
    from reportgen import pipeline
    from reportgen.batch.worker import _apply_environment, load_brief

    _apply_environment(task)
    result = BriefResult(brief=task.brief)
    loaded = load_brief(task, result)
    if loaded is None:
        return RemoteResult(result)
    job, base = loaded
    outputs, total = [], 0
    for fmt in task.formats:
        begun = time.perf_counter()
        fingerprint = format_fingerprint(base, fmt)
        previous = task.previous.get(fmt)
        if (not task.force and previous is not None and previous.fingerprint == fingerprint
                and packed.on_disk_sha.get(fmt) == previous.sha256):
            outputs.append(RemoteOutput(fmt, SKIPPED, time.perf_counter() - begun, None,
                                        fingerprint, previous.sha256))
            continue
        try:
            rendered = pipeline.render(job, fmt)
        except Exception as exc:  # noqa: BLE001
            outputs.append(RemoteOutput(fmt, FAILED, time.perf_counter() - begun,
                                        describe_error(exc)))
            continue
        data = rendered.data
        total += len(data)
        if total > packed.max_result_bytes:
            outputs.append(RemoteOutput(fmt, FAILED, time.perf_counter() - begun, (
                f"the outputs of this brief come to more than {packed.max_result_bytes:,} "
                "bytes, more than a worker may send back; make its pictures smaller")))
            continue
        outputs.append(RemoteOutput(fmt, BUILT, time.perf_counter() - begun, None, fingerprint,
                                    hashlib.sha256(data).hexdigest(),
                                    layout_summary(rendered.findings), data))
    return RemoteResult(result, outputs)


def worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        import socket

        return f"{socket.gethostname()} (pid {os.getpid()})"


def _under(root: str, path: str) -> str:
    return os.path.join(root, os.path.normpath(path).lstrip(os.sep))


def _rooted(root: str, path: str) -> str:
    """A path of the task as the worker opens it: relative ones stay (the worker works in the
    mirrored CWD), so every message names the brief as the client's build would."""
    return _under(root, path) if os.path.isabs(path) else path


def _unroot(remote: RemoteResult, task: BriefTask, root: str, builtin: str,
            client_builtin: str) -> None:
    """Put the client's paths back wherever the worker's appear: in messages and the recipe."""

    def back(text: str | None) -> str | None:
        if text is None:
            return None
        text = text.replace(root + os.sep, os.sep).replace(root, os.sep)
        return text.replace(builtin, client_builtin) if builtin != client_builtin else text

    result = remote.result
    result.brief = task.brief
    result.error = back(result.error)
    for out in remote.outputs:
        out.error = back(out.error)
    if result.inputs is not None:
        result.inputs = BriefInputs(
            task.cwd, task.templates,
            tuple(InputFile(f.label, back(f.path), f.limit, back(f.resolved))
                  for f in result.inputs.files),
            tuple(back(p) for p in result.inputs.absent))
