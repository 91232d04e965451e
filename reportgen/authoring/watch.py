"""`reportgen watch`: rebuild a brief's documents every time it, its profile, one of its
pictures (`images[].path`) or the profile's logo is saved.

One status line per rebuild. A brief that does not load (an editor half-way through saving,
a typo) prints where the problem is and keeps the last good output; the loop never stops on a
user's mistake. Changes are noticed by watchfiles events and, as a safety net, by looking at the
files every half second, so a save that lands while a build runs is never lost. Either only
wakes the loop: it rebuilds when the files' bytes or modification times differ from those of
the last build, so the several events of one save (or one that arrives after the build it
caused) give one rebuild and one status line. Pictures are compared by their size,
modification time and inode only: reading up to four 10 MB files twice a second would keep a
core busy, and an editor's save changes at least one of the three.

The pictures watched are those the brief names when it last loaded (a brief that does not load
keeps the last set), each resolved as the build resolves it, inside its folder (a path that
leaves it is the build's error, not a file to watch); a link is watched as the link and as
the file it leads to. Their folders are watched as well, so an edit is seen at once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import InputError, ReportgenError, crash_log
from reportgen.figures.images import ImageProblem, resolve_inside

POLL_MS = 500  # how often the loop wakes without an event, to check the stop conditions
# Bigger than any brief or profile file the loaders accept, so every real edit is seen.
FINGERPRINT_BYTES = 64 * 1024 * 1024


@dataclass
class BuildOutcome:
    lines: list[str]
    profile_folder: Path | None  # to watch as well; None until the brief has loaded once
    # The brief's pictures and the profile's logo, to watch as well; None when the brief did
    # not load (the watch keeps the last set).
    pictures: tuple[Path, ...] | None = None


def picture_files(brief_folder: Path, paths: Sequence[str], profile_folder: Path | None,
                  logo: str | None) -> tuple[Path, ...]:
    """The files behind the brief's `images[].path` and the profile's `logo`, absolute: each
    as written (below its folder) and as its links resolve; paths that leave their folder are
    left out."""
    found: set[Path] = set()
    named = [(brief_folder, p) for p in paths]
    if profile_folder is not None and logo:
        named.append((profile_folder, logo))
    for folder, relative in named:
        try:
            real = resolve_inside(folder, relative)
        except ImageProblem:
            continue
        found |= {folder.resolve() / relative, real}
    return tuple(sorted(found))


def _inputs_of_invalid(brief: Path, templates: Path | None
                       ) -> tuple[Path | None, tuple[Path, ...] | None]:
    """For a brief that did not build: its profile folder and pictures, as far as they can be
    found (a missing or broken picture, or a bad logo, is exactly what the analyst is about to
    fix), else (None, None)."""
    from reportgen.brief import load_brief
    from reportgen.profile import find_profile

    try:
        doc = load_brief(brief)
    except ReportgenError:
        return None, None
    paths = [p.path for p in doc.brief.images]
    try:
        lp = find_profile(doc.brief.profile, templates)
    except ReportgenError:
        return None, picture_files(brief.resolve().parent, paths, None, None)
    folder = lp.folder.resolve()
    return folder, picture_files(brief.resolve().parent, paths, folder, lp.profile.logo)


def _stamp() -> str:
    # Wall-clock time of the terminal line only; nothing of it reaches a document.
    return time.strftime("%H:%M:%S")


def build_once(brief: Path, formats: Sequence[str], out_dir: Path,
               templates: Path | None = None) -> BuildOutcome:
    """Load the brief once and render each format; report, never raise."""
    from reportgen.pipeline import prepare, write_output

    start = time.perf_counter()
    try:
        job = prepare(brief, templates)
    except InputError as exc:
        return BuildOutcome([f"{_stamp()} {brief} is invalid; kept the last good output:"]
                            + [f"  {d.format()}" for d in exc.diagnostics],
                            *_inputs_of_invalid(brief, templates))
    except ReportgenError as exc:
        return BuildOutcome([f"{_stamp()} {brief}: nothing rebuilt:"]
                            + [f"  {line}" for line in exc.lines()], None)
    written: list[str] = []
    failed: list[str] = []
    for fmt in formats:
        try:
            written.append(str(write_output(job, fmt, out_dir)[0]))
        except ReportgenError as exc:
            failed += [f"  {fmt}: {line}" for line in exc.lines()]
        except ImportError as exc:
            failed.append(f"  {fmt}: the {fmt} writer cannot be loaded ({exc})")
        except Exception as exc:  # noqa: BLE001 - a bug must not end the watch session
            failed.append(f"  {fmt}: internal error ({type(exc).__name__}: {exc}); "
                          f"full traceback in {crash_log(exc)}. Please report it.")
    took = time.perf_counter() - start
    if written:
        head = f"{_stamp()} rebuilt {', '.join(written)} in {_duration(took)}"
    else:
        head = f"{_stamp()} nothing rebuilt"
    if failed:
        head += ("; not rebuilt (the last good files stay):" if not written
                 else "; not rebuilt (the last good file stays):")
    folder = job.profile.folder.resolve()
    pictures = picture_files(brief.resolve().parent, [p.path for p in job.doc.brief.images],
                             folder, job.profile.profile.logo)
    return BuildOutcome([head, *failed], folder, pictures)


def _duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 0.1 else f"{seconds * 1000:.0f} ms"


def _fingerprint(paths: list[Path]) -> str:
    """The files' modification times and bytes: a save (or a `touch`) changes it; a second
    event about the same save, or a change of permissions only, does not.

    Bounded reads: a FIFO put in place of the brief is not read (it would block the loop
    forever), and a huge file counts by its size and time only; loading it says what is wrong.
    """
    from reportgen.fsio import read_bounded

    digest = hashlib.sha256()
    for path in paths:
        try:
            st = path.stat()
            digest.update(f"{st.st_mtime_ns}\0{st.st_size}".encode())
            digest.update(read_bounded(path, FINGERPRINT_BYTES))
        except OSError:
            digest.update(b"\0unread")
        digest.update(b"\0")
    return digest.hexdigest()


def _stamps(paths: Sequence[Path]) -> tuple[tuple[int, int, int] | None, ...]:
    """Inode, modification time and size of each picture (following links); None if absent."""
    out = []
    for path in paths:
        try:
            st = path.stat()
            out.append((st.st_ino, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def watch(brief: Path, formats: Sequence[str], out_dir: Path, templates: Path | None = None, *,
          echo: Callable[[str], None] = print, max_builds: int | None = None,
          timeout: float | None = None, stop_event: threading.Event | None = None) -> int:
    """Build now, then after every save until Ctrl-C (or `max_builds` builds, `timeout`
    seconds, or `stop_event` — for tests). Returns the number of builds."""
    import watchfiles

    brief_abs = brief.resolve()
    stop = stop_event or threading.Event()
    deadline = None if timeout is None else time.monotonic() + timeout
    builds = 0

    def profile_files(folder: Path | None) -> list[Path]:
        return sorted(p for p in folder.glob("*") if p.is_file()) if folder else []

    def build() -> BuildOutcome:
        nonlocal builds
        outcome = build_once(brief, formats, out_dir, templates)
        for line in outcome.lines:
            echo(line)
        builds += 1
        return outcome

    def finished() -> bool:
        return (stop.is_set() or (max_builds is not None and builds >= max_builds)
                or (deadline is not None and time.monotonic() >= deadline))

    # Fingerprints are taken before each build, so a save during the build triggers another.
    built_brief = _fingerprint([brief_abs])
    first = build()
    profile_folder, pictures = first.profile_folder, first.pictures or ()
    built_profile = _fingerprint(profile_files(profile_folder))
    built_pictures = _stamps(pictures)
    echo(f"watching {brief} (Ctrl-C to stop)")
    try:
        while not finished():
            # A picture's folder that does not exist yet is left to the half-second check.
            folders = ({brief_abs.parent} | ({profile_folder} if profile_folder else set())
                       | {p.parent for p in pictures if p.parent.is_dir()})

            def relevant(_change: object, path: str, folder: Path | None = profile_folder,
                         named: frozenset[Path] = frozenset(pictures)) -> bool:
                p = Path(path)
                return (p == brief_abs or (folder is not None and p.parent == folder)
                        or p in named)

            events = watchfiles.watch(*sorted(folders), watch_filter=relevant, stop_event=stop,
                                      debounce=1600, step=80, rust_timeout=POLL_MS,
                                      yield_on_timeout=True, recursive=False,
                                      raise_interrupt=False)
            try:
                for _changes in events:  # a change, or POLL_MS without one: look at the files
                    now_brief = _fingerprint([brief_abs])
                    now_profile = _fingerprint(profile_files(profile_folder))
                    now_pictures = _stamps(pictures)
                    if (now_brief, now_profile, now_pictures) != (built_brief, built_profile,
                                                                  built_pictures):
                        built_brief, built_profile = now_brief, now_profile
                        built_pictures = now_pictures
                        outcome = build()
                        new_folder = outcome.profile_folder
                        new_pictures = (outcome.pictures if outcome.pictures is not None
                                        else pictures)
                        if ((new_folder is not None and new_folder != profile_folder)
                                or new_pictures != pictures):
                            # The brief now names another profile or other pictures: watch
                            # those instead.
                            if new_folder is not None:
                                profile_folder = new_folder
                            pictures = new_pictures
                            built_profile = _fingerprint(profile_files(profile_folder))
                            built_pictures = _stamps(pictures)
                            break
                    if finished():
                        break
                else:
                    break  # watchfiles stopped: stop_event set, or Ctrl-C while waiting
            finally:
                events.close()
    except KeyboardInterrupt:
        pass
    echo(f"stopped watching {brief} after {builds} build{'s' if builds != 1 else ''}")
    return builds


__all__ = ["build_once", "watch"]
