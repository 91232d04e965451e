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
only costs the time. Each kind keeps its most recently written or used entries
(KEPT_PER_KIND).
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
# Every kind of entry, and how many of it are kept: the most recently written or used
# (fonts and packages upgraded, Babel's dates of past briefs leave entries no one asks for).
# A font's facts are ~17 KB, the country index ~250 KB, the others under 2 KB: at the bounds
# ~3.5 MB in ~1,300 files (with their records). A kind not listed (renamed since) goes; a
# different reportgen sharing the cache may thus remove a kind only it makes (costing time).
KEPT_PER_KIND = {"font": 64, "family": 64, "countries": 8, "cldr-date": 256,
                 "cldr-territory": 256}
_pruned = [False]  # whether this process has brought facts/ down to its bounds


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

    Not the entry Python puts first on sys.path for the command (the working folder for
    `python -m` and `-c`, a script's own folder, the console script's bin folder), nor the
    working folder: outputs written there change its time, which would name every entry anew
    on every run; packages are not installed there."""
    skipped = {""}
    if sys.path and not getattr(sys.flags, "safe_path", False):  # -P or -I: no such entry
        skipped.add(sys.path[0])
    with contextlib.suppress(OSError):
        skipped.add(os.getcwd())
    found = []
    for entry in sys.path:
        if entry in skipped:
            continue
        with contextlib.suppress(OSError, ValueError):
            found.append((entry, os.stat(entry).st_mtime_ns))
    return tuple(found)


def kept(kind: str, identity: tuple, read: Callable[[], T], encode: Callable[[T], Any],
         decode: Callable[[Any], T]) -> T:
    """The facts of `kind` about what `identity` names: decoded from the kept JSON when there
    is a sound entry, else `read()` and kept (best effort) as `encode(facts)`."""
    from reportgen.fonts import keep_newest, read_recorded, write_recorded

    if kind not in KEPT_PER_KIND:
        raise ValueError(f"facts of an unlisted kind {kind!r}: add it to KEPT_PER_KIND")
    name = hashlib.sha256(repr((FACTS_REVISION, kind, identity)).encode()).hexdigest()[:32]
    path = facts_dir() / f"{kind}-{name}.json"
    data = read_recorded(path, MAX_FACTS_BYTES, mark_used=True)
    if data is not None:
        try:
            return decode(json.loads(data))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OSError):
            pass  # not what we write, or what it names has changed: read again, replace it
    facts = read()
    with contextlib.suppress(OSError):  # a read-only or full cache only costs time
        path.parent.mkdir(parents=True, exist_ok=True)
        write_recorded(path, json.dumps(encode(facts), separators=(",", ":")).encode())
        if not _pruned[0]:  # at a process's first write (one listing, ~1-3 ms); its
            _pruned[0] = True  # later writes (at most ~40) go over until the next process
            keep_newest(path.parent, ".json", lambda k: KEPT_PER_KIND.get(k, 0))
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
