"""Fonts: static TrueType faces of the profile's families, shipped or cut once and cached.

Source Sans 3 (Latin text) ships with reportgen as Adobe's own static TrueType files of its
3.052 release, unmodified (`reportgen/_fonts/source-sans-3/`, with their OFL and an
`origin.json` naming where they come from and their sha256): its OFL reserves the name
"Source", so an instance we cut ourselves (a Modified Version) could not be passed on under that
name, but Adobe's own files can. A first run therefore cuts nothing for the Latin text (it took
about 25 s of CPU, nearly all of it fontTools merging the kerning table of each of four cuts).

Other families come from `fontpkg-*` packages (Noto Sans Arabic for Arabic script): small, well
kept, OFL-licensed, the same files on every machine. They ship as variable fonts; ReportLab and
the text measurer need static ones. The static cuts of Noto Sans Arabic come with reportgen too
(`reportgen/_fonts/`, made by `python -m reportgen._fonts.regenerate` with the same code that
cuts on a user's machine, its OFL licence beside them): a cut is used from there when its
variable source hashes to the source it was made from. Any family not shipped, or a different
build of these sources, is cut by fontTools' instancer once into a per-user cache, and each cut
is used only while it still hashes to the sha256 recorded when it was made; a shipped file is
likewise used only while it hashes to the sha256 shipped with it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import stat
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from reportgen.errors import RenderError, WriteError
from reportgen.fsio import read_bounded, write_atomic

CUT_REVISION = "r2"  # bump when the way instances are cut changes, so old caches are re-cut
# (the shipped cuts then match no name and are cut too, until _fonts/regenerate.py is run)
MAX_CUT_BYTES = 16 << 20  # the cuts of the families we ship are under 400 KB
STYLES = {"regular": (400, "normal"), "bold": (700, "normal"),
          "italic": (400, "italic"), "bolditalic": (700, "italic")}


def cache_dir() -> Path:
    base = os.environ.get("REPORTGEN_CACHE") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    if not os.environ.get("REPORTGEN_CACHE"):
        root = root / "reportgen"
    return root / "fonts"


@dataclass(frozen=True)
class FontFamily:
    name: str
    files: dict[str, Path]  # style -> static TTF
    sources: tuple[Path, ...] = ()  # the installed files they were cut from, if cut

    @property
    def ps_prefix(self) -> str:
        return self.name.replace(" ", "")

    def covers(self, ch: str) -> bool:
        return ord(ch) in _cmap(self.files["regular"])


@cache
def _cmap(path: Path) -> frozenset[int]:
    from reportgen.facts import font_facts

    return font_facts(path).cmap


@cache
def family(name: str) -> FontFamily:
    """The static faces of `name`: the shipped upstream files, else the shipped cuts when they
    fit its installed sources, else cut and cached on first use."""
    return shipped_family(name) or _family(name, use_shipped=True)


# Families whose designers publish static TrueType files, shipped as published: one folder
# each under _fonts/ with an origin.json ({"family", "styles": {style: {"file", "sha256"}}}).
@cache
def _shipped_statics() -> dict[str, Path]:
    """{family name: its folder} of the upstream static families shipped with reportgen."""
    found = {}
    for origin in sorted(SHIPPED_DIR.glob("*/origin.json")):
        try:
            found[json.loads(origin.read_bytes())["family"]] = origin.parent
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found


def shipped_family(name: str) -> FontFamily | None:
    """`name` from the upstream static files shipped with reportgen, or None if it is not
    shipped. A shipped file that no longer hashes to its record (a damaged install) is an
    error: falling back to another build of the family would change every document."""
    folder = _shipped_statics().get(name)
    if folder is None:
        return None
    try:
        styles = json.loads((folder / "origin.json").read_bytes())["styles"]
        files = {style: (folder / styles[style]["file"], styles[style]["sha256"])
                 for style in STYLES}
    except (OSError, ValueError, KeyError, TypeError):
        files = {}
    damaged = [str(path) for path, sha in files.values() if _file_sha256(path) != sha]
    if not files or damaged:
        raise RenderError(f"the font files of {name} shipped with reportgen are damaged "
                          f"({', '.join(damaged) or folder / 'origin.json'}); reinstall "
                          "reportgen")
    return FontFamily(name, {style: path for style, (path, _sha) in files.items()})


def _family(name: str, use_shipped: bool) -> FontFamily:
    """The static faces of `name` cut from its installed variable files (see `family`).

    Which files those are is kept between processes (reportgen/facts.py): finding the family
    among the installed packages' entry points, opening each source with fontTools and hashing
    it was ~20 ms of every command. The entry is named by the family and by the folders
    packages are installed in (sys.path, with their modification times: installing or
    removing a package changes them), and used only while every source still has the size,
    mtime and inode it had and every face still hashes to the sha256 it had."""
    from reportgen.facts import installed_identity, kept

    return kept("family", (name, CUT_REVISION, use_shipped, installed_identity()),
                lambda: _find_family(name, use_shipped), _encode_family, _decode_family)


def _encode_family(fam: FontFamily) -> dict:
    from reportgen.facts import file_identity

    return {"name": fam.name,
            "files": {style: [str(path), _file_sha256(path)] for style, path in fam.files.items()},
            "sources": [[str(src), file_identity(src)] for src in fam.sources]}


def _decode_family(data: dict) -> FontFamily:
    from reportgen.facts import file_identity

    for src, identity in data["sources"]:
        if list(file_identity(src)) != identity:
            raise ValueError(f"{src} changed")
    files = {}
    for style in STYLES:
        path, sha = data["files"][style]
        files[style] = Path(path)
        if sha is None or _file_sha256(files[style]) != sha:
            raise ValueError(f"{path} changed")
    return FontFamily(str(data["name"]), files, tuple(Path(s) for s, _ in data["sources"]))


def _find_family(name: str, use_shipped: bool) -> FontFamily:
    import fontpkg

    try:
        fam = fontpkg.family(name)
    except fontpkg.FontpkgError:
        raise RenderError(
            f"font family '{name}' is not installed; install the fontpkg package for it "
            f"(pip install fontpkg-{fontpkg.slugify(name)})") from None
    files, sources = {}, []
    for style, (weight, _slant) in STYLES.items():
        src = source_file(name, style)
        files[style] = _static_instance(src, fam.slug, weight, name, style, use_shipped)
        sources += [src] if src not in sources else []
    return FontFamily(name, files, tuple(sources))


def source_file(name: str, style: str) -> Path:
    """The installed (usually variable) font file that `style` of family `name` is cut from."""
    import fontpkg

    weight, slant = STYLES[style]
    try:
        return Path(fontpkg.path(name, weight, slant, nearest=True))
    except fontpkg.FontpkgError:
        return Path(fontpkg.path(name, weight, "normal", nearest=True))  # no italic (Arabic)


def _static_instance(src: Path, slug: str, weight: int, family_name: str, style: str,
                     use_shipped: bool = True) -> Path:
    from fontTools.ttLib import TTFont

    with TTFont(src, lazy=True) as probe:
        variable = "fvar" in probe
        version = f"{probe['head'].fontRevision:.3f}"
    if not variable:
        return src
    stem = "".join(c if c.isalnum() or c == "-" else "_" for c in src.stem)
    name = f"{slug}-{version}-{stem}-w{weight}-{CUT_REVISION}.ttf"
    if use_shipped and (shipped := shipped_cut(name, src)) is not None:
        return shipped
    data = None
    tried = []
    for folder in _cache_folders():
        target = folder / name
        if read_recorded(target) is not None:
            return target
        if data is None:
            data = _cut(src, weight, family_name, style)
        try:
            write_recorded(target, data)  # parallel builds may cut the same instance
        except OSError as exc:
            # A full disk or a read-only mount must not stop the build: try the next folder.
            tried.append(f"{folder} ({exc.strerror or exc})")
            continue
        return target
    raise WriteError(f"reportgen: cannot cache fonts in {', '.join(tried) or 'any folder'}; "
                     "set REPORTGEN_CACHE to a writable folder")


def _cut(src: Path, weight: int, family_name: str, style: str) -> bytes:
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    # Keep the source's head.modified: a cut made today must be byte-identical to one made
    # last year, or every new machine would produce different PDFs from the same brief.
    font = TTFont(src, recalcTimestamp=False)
    axes = {a.axisTag: a.defaultValue for a in font["fvar"].axes}
    axes["wght"] = float(weight)
    static = instantiateVariableFont(font, axes, inplace=False)
    _name_instance(static, family_name, style)
    buf = io.BytesIO()
    static.save(buf)
    return buf.getvalue()


# The shipped cuts. SHIPPED_MANIFEST maps each cut's file name (the cache's name for it) to
# the sha256 of the variable source it was cut from and of the cut itself; a cut is used only
# when both still match, else the family is cut as if nothing were shipped.
SHIPPED_DIR = Path(__file__).parent / "_fonts"
SHIPPED_MANIFEST = SHIPPED_DIR / "cuts.json"


@cache
def shipped_cuts() -> dict[str, dict[str, str]]:
    """{cut file name: {"source_sha256", "sha256", ...}} of the cuts shipped with reportgen."""
    try:
        return json.loads(SHIPPED_MANIFEST.read_bytes())["cuts"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def shipped_cut(name: str, src: Path) -> Path | None:
    """The shipped cut called `name` if it was made from the bytes of `src`, else None."""
    entry = shipped_cuts().get(name)
    if not entry or _file_sha256(src) != entry.get("source_sha256"):
        return None
    path = SHIPPED_DIR / name
    return path if _file_sha256(path) == entry.get("sha256") else None


@cache
def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(read_bounded(path, 4 * MAX_CUT_BYTES)).hexdigest()
    except OSError:
        return None


# Each cached file has a record beside it, `<file>.sha256` in `sha256sum` format, written
# right after the file from the bytes just made. A file is used only if it hashes to its
# record, so a truncated or altered one is simply made again. A record is never made for a
# file we did not make (an old cache without records is re-cut once, ~20 s): a file that merely
# parses as a font proves nothing about who wrote it. Who may write the folder is settled by
# _cache_folders. Other caches of font data (the DOCX subsets) can use the same two functions.
def _record_of(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


USED_EVERY_S = 24 * 3600  # a day: a nightly build keeps its entries new, without a write per read


def read_recorded(path: Path, limit: int = MAX_CUT_BYTES, *, mark_used: bool = False
                  ) -> bytes | None:
    """The bytes of the cached file `path` if they still match their record, else None.

    `mark_used`: for a cache that keep_newest bounds, a hit moves the file's modification
    time to now (at most once every USED_EVERY_S), so the entries still used are the ones
    kept. Never for files whose time names something (the cuts: font facts and families
    record it)."""
    try:
        recorded = read_bounded(_record_of(path), 256).split()[0].decode("ascii")
        data = read_bounded(path, limit)
    except (OSError, IndexError, UnicodeDecodeError):
        return None
    if hashlib.sha256(data).hexdigest() != recorded:
        return None
    if mark_used:
        with contextlib.suppress(OSError):  # a read-only cache is still read
            if time.time() - os.stat(path).st_mtime > USED_EVERY_S:
                os.utime(path)
    return data



def write_recorded(path: Path, data: bytes) -> None:
    """Cache `data` at `path` with its record; OSError if the folder refuses it."""
    write_atomic(path, data)
    write_atomic(_record_of(path), f"{hashlib.sha256(data).hexdigest()}  {path.name}\n".encode())


def keep_newest(folder: Path, suffix: str, bound: Callable[[str], int],
                kind_of: Callable[[str], str] = lambda name: name.rsplit("-", 1)[0]) -> None:
    """Bound a cache of recorded files: of the files of `folder` ending in `suffix`, keep the
    `bound(kind)` most recently written (or used: read_recorded's mark_used) of each kind
    (`kind_of(name)`: by default what comes before the name's last "-"), each with its
    record; remove the others, and records whose file is gone. One listing of the folder;
    best effort: a file that cannot go (or another process removed) is left."""
    try:
        with os.scandir(folder) as listing:
            entries = [(e.name, e) for e in listing]
    except OSError:
        return
    names = {name for name, _ in entries}
    record = ".sha256"
    doomed = [name for name in names if name.endswith(suffix + record)
              and name.removesuffix(record) not in names]
    kinds: dict[str, list[tuple[float, str]]] = {}
    for name, entry in entries:
        if name.endswith(suffix):
            try:
                when = entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            kinds.setdefault(kind_of(name), []).append((when, name))
    for kind, files in kinds.items():
        files.sort()
        for _, name in files[:max(0, len(files) - bound(kind))]:
            doomed += [name, name + record]
    for name in doomed:
        # each on its own: one that cannot go does not keep the others
        with contextlib.suppress(OSError):
            (folder / name).unlink(missing_ok=True)


def _cache_folders() -> Iterator[Path]:
    """Where cuts are kept, best first; the caller stops at the first that works.

    The user's cache whenever it can be written. Only if it cannot (a read-only home, a
    locked-down cron user) the shared temporary folder's per-user fallback, and only if it is
    private to us; else a fresh private folder for this process alone."""
    user = cache_dir()
    if _writable_folder(user):
        yield user
    fallback = _fallback_cache()
    refusal = _private_folder_refusal(fallback)
    if refusal is None:
        yield fallback
    else:
        _warn_once(f"reportgen: warning: not caching fonts in {fallback}: {refusal}; fonts "
                   "are cut for this run only (set REPORTGEN_CACHE to a folder of your own)\n")
    try:
        yield _process_folder()
    except OSError:
        return


def _writable_folder(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def _fallback_cache() -> Path:
    return Path(tempfile.gettempdir()) / f"reportgen-{os.getuid()}" / "fonts"


def _private_folder_refusal(folder: Path) -> str | None:
    """Why `folder` may not hold our cuts, or None once it and its parent are real folders
    that belong to us and that no one else can write (each made 0700 if missing).

    Anyone can create `/tmp/reportgen-<uid>` before we do and plant cuts (with records) in it.
    Once both levels pass, the sticky bit of /tmp stops others renaming them under us."""
    for level in (folder.parent, folder):
        try:
            level.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            return f"cannot create {level}: {exc.strerror or exc}"
        try:
            st = os.lstat(level)
        except OSError as exc:
            return f"cannot inspect {level}: {exc.strerror or exc}"
        if stat.S_ISLNK(st.st_mode):
            return f"{level} is a symbolic link"
        if not stat.S_ISDIR(st.st_mode):
            return f"{level} is not a folder"
        if st.st_uid != os.geteuid():
            return f"{level} belongs to another user (uid {st.st_uid})"
        if st.st_mode & 0o022:
            return f"{level} can be written by other users (mode {st.st_mode & 0o777:o})"
    return None


@cache
def _warn_once(message: str) -> None:
    sys.stderr.write(message)


@cache
def _process_folder() -> Path:
    import atexit
    import shutil

    folder = Path(tempfile.mkdtemp(prefix="reportgen-fonts-"))  # 0700, a name no one knew
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _name_instance(font, family_name: str, style: str) -> None:
    """Give each cut its own names: PDF writers tell embedded faces apart by PostScript name."""
    subfamily = {"regular": "Regular", "bold": "Bold", "italic": "Italic",
                 "bolditalic": "Bold Italic"}[style]
    ps = f"{family_name.replace(' ', '')}-{subfamily.replace(' ', '')}"
    table = font["name"]
    for name_id, value in ((1, family_name), (2, subfamily), (4, f"{family_name} {subfamily}"),
                           (6, ps), (16, family_name), (17, subfamily)):
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)


def is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or \
        "\u08a0" <= ch <= "\u08ff" or "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff"


# the same blocks as is_arabic, for whole strings
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def has_arabic(text: str) -> bool:
    return _ARABIC.search(text) is not None


def script_segments(text: str) -> tuple[tuple[str, bool], ...]:
    """Split `text` into (piece, is_arabic) runs. Spaces and punctuation between two Arabic
    letters stay in the Arabic run, so a name like 'حيدر العبادي' is one right-to-left run."""
    if not has_arabic(text):
        return ((text, False),)
    if len(text) > 4_000:  # not kept: the cache is bounded by count, so entries stay small
        return _mixed_segments.__wrapped__(text)
    return _mixed_segments(text)


# The one-pager's fit search sets the same texts up to twenty times; a long Arabic paragraph
# took a millisecond to split character by character. Bounded; the result is a tuple, shared.
@lru_cache(maxsize=512)
def _mixed_segments(text: str) -> tuple[tuple[str, bool], ...]:
    kinds: list[bool | None] = []
    for ch in text:
        if is_arabic(ch):
            kinds.append(True)
        elif unicodedata.category(ch)[0] in "LN":
            kinds.append(False)
        else:
            kinds.append(None)  # neutral: decided by its neighbours
    # A neutral is Arabic when the nearest strong characters on both sides are: one pass each
    # way records the nearest strong kind (linear; the look-around per character was
    # quadratic on long Arabic paragraphs).
    after: list[bool] = [False] * len(kinds)
    nearest = False
    for i in range(len(kinds) - 1, -1, -1):
        after[i] = nearest
        if kinds[i] is not None:
            nearest = bool(kinds[i])
    resolved: list[bool] = []
    before = False
    for i, kind in enumerate(kinds):
        if kind is None:
            resolved.append(before and after[i])
        else:
            resolved.append(kind)
            before = kind
    _pair_brackets(text, resolved)
    segments: list[tuple[str, bool]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or resolved[i] != resolved[start]:
            segments.append((text[start:i], resolved[start]))
            start = i
    return tuple(segments)


_BRACKETS = {"(": ")", "[": "]", "{": "}"}


def _pair_brackets(text: str, resolved: list[bool]) -> None:
    """A matched pair of brackets goes to one side, as the bidi algorithm's bracket rule (N0)
    has it: "الأطراف الفاعلة (تابع)" keeps "(تابع)" whole in the Arabic run; split, the
    closing bracket was set apart and the run showed ")تابع)"."""
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in _BRACKETS:
            stack.append(i)
        elif ch in _BRACKETS.values() and stack and _BRACKETS[text[stack[-1]]] == ch:
            opening = stack.pop()
            if resolved[opening] != resolved[i]:
                arabic = any(is_arabic(c) for c in text[opening + 1:i])
                resolved[opening] = resolved[i] = arabic


def missing_glyph(body: FontFamily, arabic: FontFamily, text: str) -> str | None:
    """Describe the first character of `text` that the family drawing it lacks, or None.

    Arabic-script runs are drawn in `arabic`, everything else in `body`."""
    for piece, is_ar in script_segments(text):
        fam = arabic if is_ar else body
        for ch in piece:
            # invisible format marks (LRM/RLM, ZWJ, …) need no glyph: Office applies them and
            # the PDF writer, which orders Arabic itself, drops them
            if ch in "\n\t" or unicodedata.category(ch) == "Cf" or fam.covers(ch):
                continue
            name = unicodedata.name(ch, "unnamed character")
            return (f"the character '{ch}' (U+{ord(ch):04X} {name}) is not in the font "
                    f"{fam.name}; it would print as an empty box. Replace it, or choose a "
                    "profile font that has it")
    return None


def install(families: list[FontFamily], dest: Path) -> list[Path]:
    """Copy the static cuts into `dest` (e.g. ~/.local/share/fonts) so desktop applications
    such as LibreOffice and PowerPoint viewers set decks in the fonts they were measured with."""
    import shutil
    import subprocess

    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for fam in families:
        for src in sorted(set(fam.files.values())):
            target = dest / src.name
            if not target.is_file() or target.read_bytes() != src.read_bytes():
                shutil.copyfile(src, target)
            copied.append(target)
    if shutil.which("fc-cache"):
        subprocess.run(["fc-cache", "-f", str(dest)], check=False, capture_output=True)
    return copied
