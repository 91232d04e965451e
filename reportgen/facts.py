"""Facts read from installed files, kept on disk between processes: a font's character map,
advances and licence bits, read by the glyph check, the memo's font embedding and the deck's
text measuring; and which files a font family cut from variable fonts is set in
(`fonts._family`, which names its entry by the package folders and checks the files).

Reading a font with fontTools is 2-3 ms a file, paid again by every process: a single
`reportgen docx` or `pptx`, and each build worker's first brief, read four to eight files.
The kept facts are JSON (data, never code) in `facts/` of the font cache
(`fonts.cache_dir()`), each with its sha256 record as the cuts have, named by what they were read
from: the file's path, size, modification time and inode, and FACTS_REVISION. A file changed
in any of these (a font package upgraded, a cut made again) gets new facts; a damaged or
unreadable entry is read again from the file and rewritten. A cache that cannot be written
only costs the time. Each kind keeps its most recently written entries (KEPT_PER_KIND).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

FACTS_REVISION = 1  # bump when what is read, or how, changes: every entry is read again
MAX_FACTS_BYTES = 4 << 20  # a font with all of Unicode's 150,000 characters: ~3 MB of JSON
# Entries kept of each kind, the most recently written: fonts and packages upgraded, Babel's
# dates of past briefs, leave entries no one asks for again. A font's are ~17 KB, the
# country index's ~250 KB, the others under 2 KB: facts/ stays under ~6 MB.
KEPT_PER_KIND = {"countries": 4}
KEPT_OF_OTHER_KINDS = 256
_pruned: set[str] = set()  # kinds whose entries this process has brought down to their bound


def facts_dir() -> Path:
    from reportgen.fonts import cache_dir

    return cache_dir() / "facts"


def file_identity(path: str | os.PathLike) -> tuple:
    """What names a file's contents without reading them: path, size, mtime, inode."""
    st = os.stat(path)
    return os.path.realpath(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev


def installed_identity() -> tuple:
    """The folders Python finds packages in, with their modification times: installing,
    upgrading or removing a package (a font package among them) changes one of them.

    Not the folder a command runs in, nor its script's folder (sys.path's first entry for
    `python -m`, `-c` or a script): outputs written there change its time, and it would
    name every entry anew on every run; packages are not installed there."""
    skipped = {"", *_working_folders()}
    found = []
    for entry in sys.path:
        if entry in skipped:
            continue
        with contextlib.suppress(OSError, ValueError):
            found.append((entry, os.stat(entry).st_mtime_ns))
    return tuple(found)


def _working_folders() -> set[str]:
    folders = set()
    with contextlib.suppress(OSError, ValueError):
        cwd = os.getcwd()
        folders |= {cwd, os.path.realpath(cwd)}
    argv = getattr(sys, "argv", None) or [""]
    if argv[0] and argv[0] not in ("-c", "-m"):
        with contextlib.suppress(OSError, ValueError):
            script = os.path.abspath(argv[0])
            folders |= {os.path.dirname(script), os.path.dirname(os.path.realpath(script))}
    return folders


def kept(kind: str, identity: tuple, read: Callable[[], T], encode: Callable[[T], Any],
         decode: Callable[[Any], T]) -> T:
    """The facts of `kind` about what `identity` names: decoded from the kept JSON when there
    is a sound entry, else `read()` and kept (best effort) as `encode(facts)`."""
    from reportgen.fonts import keep_newest, read_recorded, write_recorded

    name = hashlib.sha256(repr((FACTS_REVISION, kind, identity)).encode()).hexdigest()[:32]
    path = facts_dir() / f"{kind}-{name}.json"
    data = read_recorded(path, MAX_FACTS_BYTES)
    if data is not None:
        try:
            return decode(json.loads(data))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OSError):
            pass  # not what we write, or what it names has changed: read again, replace it
    facts = read()
    with contextlib.suppress(OSError):  # a read-only or full cache only costs time
        path.parent.mkdir(parents=True, exist_ok=True)
        write_recorded(path, json.dumps(encode(facts), separators=(",", ":")).encode())
        if kind not in _pruned:  # once a process (a listing of the folder is ~1 ms)
            _pruned.add(kind)
            keep_newest(path.parent, f"{kind}-*.json",
                        KEPT_PER_KIND.get(kind, KEPT_OF_OTHER_KINDS))
    return facts


@dataclass(frozen=True)
class FontFacts:
    """What reportgen reads of a TrueType file besides its outlines."""

    upm: int  # units per em: advances are in these
    restricted: bool  # OS/2 fsType says "restricted licence embedding"
    advances: dict[int, int]  # the advance of each character it maps (its best cmap)
    fallback: int  # the advance of a character it does not map (.notdef's)

    @property
    def cmap(self) -> frozenset[int]:
        return frozenset(self.advances)


@cache
def font_facts(path: Path) -> FontFacts:
    """The facts of the font file at `path`, read once per process and kept on disk."""
    return kept("font", file_identity(path), lambda: _read_font(path), _encode_font,
                _decode_font)


def _read_font(path: Path) -> FontFacts:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        upm = font["head"].unitsPerEm
        hmtx = font["hmtx"]
        advances = {code: hmtx[name][0] for code, name in font.getBestCmap().items()}
        fallback = hmtx[".notdef"][0] if ".notdef" in hmtx.metrics else upm // 2
        restricted = bool(font["OS/2"].fsType & 0x0002)
    return FontFacts(upm, restricted, advances, fallback)


def _encode_font(facts: FontFacts) -> dict:
    return {"upm": facts.upm, "restricted": facts.restricted, "fallback": facts.fallback,
            "advances": [[code, adv] for code, adv in sorted(facts.advances.items())]}


def _decode_font(data: dict) -> FontFacts:
    advances = {int(code): int(adv) for code, adv in data["advances"]}
    upm, fallback = int(data["upm"]), int(data["fallback"])
    if upm <= 0 or not isinstance(data["restricted"], bool):
        raise ValueError("not font facts")
    return FontFacts(upm, data["restricted"], advances, fallback)
