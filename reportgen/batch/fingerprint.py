"""What a brief's outputs are made from: the fingerprint of their inputs, and the recipe that
lets the parent process recompute it without parsing the brief.

A worker, having loaded the brief, knows every file the render reads (the brief, its
profile's files, its pictures and the profile's logo) and which files, had they existed, would
have changed that (a profile of the same name earlier on the search path, a reference document
beside profile.yaml). It records both in the manifest as `BriefInputs`. The next run hashes
those same files again in the parent: equal digests mean equal inputs, since the list itself
follows from the brief's bytes, profile.yaml's bytes and the files that are absent, all of
which are checked.

This module stays light (no pydantic, no writer): the no-op path of a build imports it.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

FINGERPRINT_SCHEME = "reportgen-build-fingerprint/2"


def fingerprint_inputs(brief_digest: str, input_digests: Iterable[tuple[str, str]],
                       source_date_epoch: str | None) -> str:
    """sha256 of everything a brief's outputs are made from, except the format.

    The sha256 of the brief's bytes, the label and sha256 of every other file read (profile
    files, pictures, the logo), the reportgen version, the versions of the libraries that shape
    the output (countryinfo's outlines and the font packages among them) and
    SOURCE_DATE_EPOCH. Workers read the brief before parsing it and hash the pictures from the
    bytes the render used, so an edit during the build can only cause an extra rebuild later.
    """
    from reportgen import __version__

    h = hashlib.sha256()

    def part(label: str, data: bytes) -> None:
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    part("scheme", FINGERPRINT_SCHEME.encode())
    part("reportgen", __version__.encode())
    part("libraries", library_versions().encode())
    part("SOURCE_DATE_EPOCH", (source_date_epoch or "").encode())
    part("brief", brief_digest.encode())
    for label, digest in input_digests:
        part(label, digest.encode())
    return h.hexdigest()


def format_fingerprint(base: str, fmt: str) -> str:
    return hashlib.sha256(f"{base}\0{fmt}\0{format_libraries(fmt)}".encode()).hexdigest()


@cache
def format_libraries(fmt: str) -> str:
    """Versions of the libraries one format's writer depends on."""
    from reportgen.writers import get_writer

    return ",".join(f"{name}={distribution_version(name)}"
                    for name in get_writer(fmt).libraries)


def read_digest(path: str | os.PathLike, limit: int) -> str:
    """sha256 of a file's bytes, read bounded; a file that cannot be read (too large, a FIFO,
    gone) stands as its problem, so the next run sees the same digest for the same problem."""
    from reportgen.fsio import read_bounded

    try:
        data = read_bounded(path, limit)
    except OSError as exc:
        data = f"unreadable: {type(exc).__name__}".encode()
    return hashlib.sha256(data).hexdigest()


def bytes_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def library_versions() -> str:
    """Versions of the libraries every format depends on, fonts packages and the fonts shipped
    with reportgen included."""
    from reportgen.writers import COMMON_LIBRARIES

    names = {_normal(n) for n in COMMON_LIBRARIES}
    names.update(n for n in _installed() if n.startswith("fontpkg"))
    versions = [f"{name}={distribution_version(name)}" for name in sorted(names)]
    return ",".join([*versions, f"shipped-fonts={_shipped_fonts()}"])


def _shipped_fonts() -> str:
    """The font files shipped inside reportgen (Source Sans 3), by their recorded sha256s: a
    new set changes every document, whatever the version number says. (The folders are
    reportgen.fonts' shipped statics; not imported from there, whose imports would cost a
    no-op night 25 ms.)"""
    from pathlib import Path

    h = hashlib.sha256()
    for origin in sorted((Path(__file__).parent.parent / "_fonts").glob("*/origin.json")):
        h.update(read_digest(origin, 1 << 16).encode())
    return h.hexdigest()[:16]


def distribution_version(name: str) -> str:
    """The installed version of a distribution, "absent" if it is not installed."""
    found = _installed().get(_normal(name))
    return found if found is not None else _metadata_version(name)


@cache
def _installed() -> dict[str, str]:
    """Normalised name -> version of the distributions on sys.path, read from the names of
    their .dist-info / .egg-info folders (the first on the path wins, as for
    importlib.metadata). Listing folders takes a millisecond; importlib.metadata parses every
    distribution's METADATA, 0.2-0.3 s with 60 of them, which alone would blow the no-op budget.
    A distribution not found this way is asked of importlib.metadata."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:  # a zip, a missing folder
            continue
        for name in names:
            for suffix in (".dist-info", ".egg-info"):
                if name.endswith(suffix):
                    dist, sep, version = name[: -len(suffix)].partition("-")
                    if sep and version:
                        found.setdefault(_normal(dist), version)
    return found


@cache
def _metadata_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


def _normal(name: str) -> str:
    """PEP 503 normalisation, with '_' as separator (as in .dist-info folder names)."""
    return _SEPARATORS.sub("_", name).lower()


_SEPARATORS = re.compile(r"[-_.]+")


# --- the recipe ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InputFile:
    """One file besides the brief whose bytes are an input."""

    label: str    # its name in the fingerprint: profile/profile.yaml, picture/images/0, ...
    path: str     # absolute, as the render opened it (links followed when read)
    limit: int    # the bound it was read with, so an oversized file hashes as the same problem
    resolved: str | None = None  # a picture: where its links led, which must not change


@dataclass(frozen=True)
class BriefInputs:
    """How to recompute a brief's fingerprint without parsing it (see the module docstring)."""

    cwd: str                  # profiles are searched in CWD/templates ...
    templates: str | None     # ... and in --templates: either changing changes the search
    files: tuple[InputFile, ...]
    absent: tuple[str, ...]   # absolute paths whose appearance would change the inputs

    def to_json(self) -> dict:
        return {"cwd": self.cwd, "templates": self.templates,
                "files": [[f.label, f.path, f.limit, f.resolved] for f in self.files],
                "absent": list(self.absent)}

    @classmethod
    def from_json(cls, data: object) -> BriefInputs | None:
        """The recipe a manifest holds; None if it has the wrong shape (not trusted)."""
        if not isinstance(data, dict):
            return None
        cwd, templates = data.get("cwd"), data.get("templates")
        files, absent = data.get("files"), data.get("absent")
        if (not isinstance(cwd, str) or not isinstance(templates, (str, type(None)))
                or not isinstance(files, list) or not isinstance(absent, list)
                or not all(isinstance(p, str) for p in absent)):
            return None
        parsed = []
        for item in files:
            if not (isinstance(item, list) and len(item) == 4
                    and isinstance(item[0], str) and isinstance(item[1], str)
                    and type(item[2]) is int and 0 <= item[2] <= MAX_INPUT_LIMIT
                    and isinstance(item[3], (str, type(None)))):
                return None
            parsed.append(InputFile(*item))
        return cls(cwd, templates, tuple(parsed), tuple(absent))


# The largest bound a recipe may ask a file to be read with (reference files are at most
# 20 MB, pictures 10 MB): a manifest edited to say more is not read beyond this.
MAX_INPUT_LIMIT = 64 * 1024 * 1024
