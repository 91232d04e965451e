"""`reportgen validate`: every error and warning about briefs, found without writing output.

A brief is loaded and validated (the loader's errors, with positions), its profile is found and
loaded, the document is planned once, then each writer's layout check is run and its findings
read: the PDF's (does the one-pager fit at the profile's floor size, and how far must the text
shrink?) and the deck's (how many continuation slides?). A writer's refusal comes with its
positioned diagnostics. Editorial warnings point at the key or value that caused them.
"""

from __future__ import annotations

import dataclasses
import json
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.batch.discover import collision_message, output_collisions
from reportgen.batch.discover import discover_some as find_briefs
from reportgen.brief import LoadedBrief, load_brief
from reportgen.brief.loader import MAX_FILE_BYTES, KeyPath, format_key_path, load_yaml_mapping
from reportgen.brief.markup import Inline, Text
from reportgen.document import Document, build_document
from reportgen.document.labels import label_language, supported_languages
from reportgen.errors import Diagnostic, InputError, RenderError
from reportgen.fsio import read_bounded
from reportgen.glyphs import check_glyphs
from reportgen.profile import LoadedProfile, find_profile

LEVELS = ("error", "warning", "info")
MAX_SUMMARY_SENTENCES = 3
PLACEHOLDER = re.compile(r"\bTODO\b")


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class FileReport:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    pdf_body_pt: float | None = None
    profile_body_pt: float | None = None
    deck_slides: int | None = None
    continuation_slides: int | None = None


@dataclass
class Report:
    files: list[FileReport]
    strict: bool = False

    def diagnostics(self) -> list[Diagnostic]:
        """Every finding once (a broken profile shared by many briefs is reported once), with
        warnings raised to errors under --strict."""
        seen: set[tuple] = set()
        out: list[Diagnostic] = []
        for report in self.files:
            for d in report.diagnostics:
                ident = (d.path, d.line, d.col, d.key, d.message)
                if ident in seen:
                    continue
                seen.add(ident)
                if self.strict and d.level == "warning":
                    d = dataclasses.replace(d, level="error")
                out.append(d)
        return out

    def count(self, level: str) -> int:
        return sum(1 for d in self.diagnostics() if d.level == level)

    @property
    def exit_code(self) -> int:
        return 1 if self.count("error") else 0

    def summary_line(self) -> str:
        n = len(self.files)
        parts = [_plural(self.count("error"), "error"), _plural(self.count("warning"), "warning")]
        if self.count("info"):
            parts.append(_plural(self.count("info"), "note"))
        return f"checked {_plural(n, 'brief')}: {', '.join(parts)}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ---------------------------------------------------------------------------------------------
# Output formats


def format_text(report: Report) -> str:
    lines = [d.format(with_level=True) for d in report.diagnostics()]
    return "\n".join([*lines, report.summary_line()]) + "\n"


def format_json(report: Report) -> str:
    diagnostics = report.diagnostics()
    data = {
        "ok": report.exit_code == 0,
        "strict": report.strict,
        "errors": report.count("error"),
        "warnings": report.count("warning"),
        "notes": report.count("info"),
        "files": [{
            "path": f.path,
            "errors": sum(1 for d in diagnostics if d.path == f.path and d.level == "error"),
            "warnings": sum(1 for d in diagnostics if d.path == f.path and d.level == "warning"),
            "pdf_body_pt": f.pdf_body_pt,
            "profile_body_pt": f.profile_body_pt,
            "deck_slides": f.deck_slides,
            "continuation_slides": f.continuation_slides,
        } for f in report.files],
        "diagnostics": [dataclasses.asdict(d) for d in diagnostics],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: Report) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on the file."""
    lines = []
    for d in report.diagnostics():
        title = f"reportgen: {d.key}" if d.key else "reportgen"
        props = ",".join(f"{k}={_gh_property(str(v))}" for k, v in (
            ("file", d.path), ("line", d.line), ("col", d.col), ("title", title)))
        lines.append(f"::{_GITHUB_LEVEL[d.level]} {props}::{_gh_data(d.message)}")
    lines.append(report.summary_line())
    return "\n".join(lines) + "\n"


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}


# ---------------------------------------------------------------------------------------------
# Finding the briefs


def discover(paths: list[Path]) -> list[Path]:
    """The briefs `reportgen build` would build from PATHS: the very same discovery (folders
    searched recursively, hidden files skipped), so validate checks exactly what build builds."""
    return find_briefs(paths)


def collision_diagnostics(briefs: list[Path]) -> dict[Path, Diagnostic]:
    """An error for each brief that `reportgen build` would refuse: another brief has the same
    file name, so both would write the same output files."""
    return {brief: Diagnostic(str(brief), 1, 1, "", collision_message(brief, others, "OUT")
                              + "; `reportgen build` builds neither")
            for brief, others in output_collisions(briefs).items()}


def validate_paths(paths: list[Path], templates: Path | None = None,
                   strict: bool = False) -> Report:
    checker = Checker(templates)
    briefs = discover(paths)
    collisions = collision_diagnostics(briefs)
    files = []
    for path in briefs:
        report = checker.check(path)
        if path in collisions:
            report.diagnostics.insert(0, collisions[path])
        files.append(report)
    return Report(files, strict)


# ---------------------------------------------------------------------------------------------
# One brief


class Checker:
    """Checks briefs one by one; profiles are loaded (and their warnings given) once."""

    def __init__(self, templates: Path | None = None):
        self.templates = templates
        self._profile_warned: set[Path] = set()

    def check(self, path: Path) -> FileReport:
        report = FileReport(str(path))
        try:
            doc = load_brief(path)
        except InputError as exc:
            report.diagnostics += exc.diagnostics
            return report
        report.diagnostics += content_warnings(doc)
        try:
            lp = find_profile(doc.brief.profile, self.templates,
                              referenced_from=doc.where.diagnostic(("profile",), ""))
        except InputError as exc:
            report.diagnostics += exc.diagnostics
            return _sorted(report)
        report.diagnostics += self.profile_warnings(lp)
        report.profile_body_pt = lp.profile.type.body_pt
        try:
            # The writers' shared glyph check, once: its errors already carry positions.
            check_glyphs(doc, lp)
        except InputError as exc:
            report.diagnostics += exc.diagnostics
            return _sorted(report)
        try:
            document = build_document(doc, lp)
        except InputError as exc:  # e.g. a per-language disclaimer without the brief's language
            report.diagnostics += exc.diagnostics
            return _sorted(report)
        report.diagnostics += language_warnings(document)
        report.diagnostics += document.warnings
        check_pdf(doc, document, report)
        check_deck(document, report)
        return _sorted(report)

    def profile_warnings(self, lp: LoadedProfile) -> list[Diagnostic]:
        source = lp.folder / "profile.yaml"
        if source.resolve() in self._profile_warned:
            return []
        self._profile_warned.add(source.resolve())
        where = lp.where or load_yaml_mapping(source, "profile")
        p = lp.profile
        out = []
        for key, url in ((("url",), p.url), (("donor_note", "url"), p.donor_note.url)):
            if url and (message := link_problem(url)):
                out.append(where.diagnostic(key, message, level="warning"))
        return out


def _sorted(report: FileReport) -> FileReport:
    # The brief's own findings in file order; findings in its profile file come after.
    report.diagnostics.sort(key=lambda d: (d.path != report.path, d.path, d.line, d.col))
    return report


# ---------------------------------------------------------------------------------------------
# Layout planning: the writers' findings


def language_warnings(document: Document) -> list[Diagnostic]:
    """A language with no label file is printed with English labels: say so at `language`."""
    tag = document.meta.language
    if label_language(tag) is not None:
        return []
    return [document.where.diagnostic(("language",), (
        f"there are no labels for the language '{tag}': headings and other labels will be "
        f"printed in English (the languages with labels are {', '.join(supported_languages())})"),
        level="warning")]


def check_pdf(doc: LoadedBrief, document: Document, report: FileReport) -> None:
    from reportgen.writers import get_writer

    try:
        found = get_writer("pdf").check(document)
    except RenderError as exc:
        report.diagnostics += refusal(document, exc)
        return
    report.pdf_body_pt = found.body_pt
    for key, message in left_out_warnings(document, found):
        report.diagnostics.append(document.where.diagnostic(key, message, level="warning"))
    if len(document.images) > 1:
        report.diagnostics.append(document.where.diagnostic(
            ("images", 1), f"the one-pager has room for one image: it shows the first; the "
            f"memo and the deck show all {len(document.images)}", level="info"))
    if found.shrunk and found.figures:
        names = [("the locator map" if key == ("map",) else "the image") +
                 f" ({share:.0%} of a column)" for key, share in found.figures]
        report.diagnostics.append(document.where.diagnostic(
            found.figures[0][0],
            f"text will be shrunk to {found.body_pt:g} pt (profile size {found.start_pt:g} pt) "
            f"to keep {' and '.join(names)} on the one-pager; shorten the text to set it at "
            f"{found.start_pt:g} pt", of_key=True, level="warning"))
    elif found.shrunk:
        key, chars = longest_section(doc)
        report.diagnostics.append(document.where.diagnostic(
            (key,),
            f"text will be shrunk to {found.body_pt:g} pt (profile size {found.start_pt:g} pt) "
            f"to fit the one-pager; the longest section is {key} ({chars:,} characters)",
            of_key=True, level="warning"))


def left_out_warnings(document: Document, found: Any) -> list[tuple[KeyPath, str]]:
    """What the one-pager left out, each at its key, with the advice that fits what was left
    out and what was kept: the image goes before the map, so an image left out beside a map
    that stayed comes back by shortening the text or by removing the map, while a map left out
    (the image with it) comes back only with shorter text, the map first."""
    from reportgen.writers.pdf import FIGURE_ALLOWANCE_PT
    from reportgen.writers.pdf_figures import MIN_SHARE

    dropped = [key for key, _ in found.dropped]
    kept_map = any(key == ("map",) for key, _ in found.figures)
    size = (found.start_pt or 0.0) - FIGURE_ALLOWANCE_PT
    why = (f"even at {MIN_SHARE:.0%} of a column's width it does not fit on the page with the "
           f"text at {size:g} pt or more")
    out: list[tuple[KeyPath, str]] = []
    for key in dropped:
        if key == ("map",):
            hint = "shorten the text to bring it back"
            if any(k[0] == "images" for k in dropped):
                hint += " (the map comes back first, then the image)"
            out.append((key, f"the locator map was left out of the one-pager: {why}; {hint}; "
                             "the memo and the deck show it"))
            continue
        image = next((i for i in document.images if i.key == key), None)
        what = f"the image ({image.alt})" if image is not None else "the image"
        if kept_map:
            hint = ("the one-pager has room for the text and the map only; shorten the text or "
                    "remove the map to keep the image")
        elif document.map is not None and ("map",) in dropped:
            hint = "shorten the text to bring back the map, then the image"
        else:
            hint = "shorten the text to bring it back"
        out.append((key, f"{what} was left out of the one-pager: {why}; {hint}; the memo and "
                         "the deck show it"))
    return out


LONG_SECTION_CONTINUATIONS = 3  # continuation slides of one section from which validate warns


def check_deck(document: Document, report: FileReport) -> None:
    from reportgen.writers import get_writer

    try:
        found = get_writer("pptx").check(document)
    except RenderError as exc:
        report.diagnostics += refusal(document, exc)
        return
    report.deck_slides = found.slides
    report.continuation_slides = extra = found.continuation_slides
    for s in found.sections:  # a section that runs long is read as a wall of slides
        if s.slides - 1 >= LONG_SECTION_CONTINUATIONS:
            report.diagnostics.append(document.where.diagnostic(
                (s.key,), f"this section will take {s.slides} slides; consider shortening",
                of_key=True, level="warning"))
    if not extra:
        return
    runs = [s for s in found.sections if s.slides > 1]
    detail = "; ".join(f"{_heading(document, s.key)} runs to {s.slides} slides" for s in runs)
    report.diagnostics.append(document.where.diagnostic(
        (runs[0].key,),
        f"the deck will need {_plural(extra, 'continuation slide')} ({detail})",
        of_key=True, level="info"))


def _heading(document: Document, key: str) -> str:
    section = document.section(key)  # type: ignore[arg-type]
    return section.heading if section is not None else key


def refusal(document: Document, exc: RenderError) -> list[Diagnostic]:
    """A writer's refusal: its positioned diagnostics as they are (a bare message, which no
    writer should raise, is placed at the top of the brief rather than lost)."""
    return list(exc.diagnostics) or [document.where.diagnostic((), str(exc))]


def longest_section(doc: LoadedBrief) -> tuple[str, int]:
    b = doc.brief
    keys = ("summary", "situation", "actors", "leverage", "outlook")  # the body's sections
    lengths = {key: sum(len(text) for path, text in b.text_fields() if path[0] == key)
               for key in keys}
    key = max(lengths, key=lambda k: lengths[k])
    return key, lengths[key]


# ---------------------------------------------------------------------------------------------
# Editorial warnings


def content_warnings(doc: LoadedBrief) -> list[Diagnostic]:
    b, where = doc.brief, doc.where
    finder = _ValueFinder(doc)
    out: list[Diagnostic] = []

    def warn(path: KeyPath, message: str, *, of_key: bool = False) -> None:
        out.append(where.diagnostic(path, message, of_key=of_key, level="warning"))

    sentences = count_sentences(b.summary.plain)
    if sentences > MAX_SUMMARY_SENTENCES:
        warn(("summary",), f"the summary has {sentences} sentences; the bottom line should be "
                           "one to three. Move the detail to situation")
    for i, actor in enumerate(b.actors):
        if not actor.role and not actor.stance:
            warn(("actors", i), f"actor '{actor.name}' has no role or stance; say who they are "
                                "and where they stand")
        elif not actor.role:
            warn(("actors", i), f"actor '{actor.name}' has no role; say who they are "
                                "(e.g. role: Prime Minister)")
        elif not actor.stance:
            warn(("actors", i), f"actor '{actor.name}' has no stance; say where they stand, "
                                "in a sentence")
        if actor.quote and not actor.quote_source:
            warn(("actors", i, "quote"), f"the quote of {actor.name} has no quote_source; say "
                                         "where and when they said it")
    for i, source in enumerate(b.sources):
        if not source.url:
            warn(("sources", i), f"source '{source.title}' has no url; readers cannot check it")
    for path, url in links(doc):
        message = link_problem(url)
        if message:
            out.append(finder.diagnostic(path, url, message))
    for path, text in strings(where.data):
        if PLACEHOLDER.search(text):
            warn(path, "still holds placeholder text (TODO); replace it")
    return out


def link_problem(url: str) -> str | None:
    scheme = url.split(":", 1)[0].lower()
    if scheme == "https":
        return None
    if scheme == "mailto":
        return (f"link '{url}' is not https: a mailto link only works where a mail program is "
                "set up; link to a web page if you can")
    return f"link '{url}' is not https; use https:// if the site offers it"


def links(doc: LoadedBrief) -> Iterator[tuple[KeyPath, str]]:
    """Every link target in the brief with the key path of the field that holds it."""
    b = doc.brief

    def in_text(path: KeyPath, text: Text | Inline | None) -> Iterator[tuple[KeyPath, str]]:
        if text is None:
            return
        hrefs = text.links() if isinstance(text, Text) else [s.href for s in text if s.href]
        for href in hrefs:
            yield path, href

    yield from in_text(("summary",), b.summary)
    yield from in_text(("situation",), b.situation)
    for i, actor in enumerate(b.actors):
        yield from in_text(("actors", i, "stance"), actor.stance)
        yield from in_text(("actors", i, "quote"), actor.quote)
        if actor.url:
            yield ("actors", i, "url"), actor.url
    for i, point in enumerate(b.leverage.points):
        yield from in_text(("leverage", "points", i), point)
    yield from in_text(("outlook",), b.outlook)
    for i, source in enumerate(b.sources):
        if source.url:
            yield ("sources", i, "url"), source.url


def strings(data: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from strings(value, (*path, i))


class _ValueFinder:
    """Finds a piece of text (a link inside a paragraph) in the file, after its field's start,
    so a warning points at the link itself rather than at the start of a long block.

    Linear in the file however many links a field holds: a field's links come in the order
    they stand in it, so each search goes on from where the last one was found."""

    def __init__(self, doc: LoadedBrief):
        self.doc = doc
        try:
            self.text = read_bounded(doc.path, MAX_FILE_BYTES).decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):  # gone or changed since it was loaded
            self.text = ""
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self.key_starts = [m.start() for m in _TOP_LEVEL_KEY.finditer(self.text)]
        self.resume: dict[KeyPath, int] = {}  # where the next search in a field starts
        self.found: dict[tuple[KeyPath, str], tuple[int, int]] = {}  # a link seen again

    def diagnostic(self, path: KeyPath, needle: str, message: str) -> Diagnostic:
        line, col = self.doc.where.position(path)
        if (path, needle) in self.found:
            line, col = self.found[path, needle]
        elif self.text and line <= len(self.line_starts):
            start = self.line_starts[line - 1] + col - 1
            # Outlook given as a list holds its links in the items: search no further than the
            # next top-level key, so a later field's identical link is never picked.
            end = self._next_top_level_key(start)
            found = self.text.find(needle, self.resume.get(path, start), end)
            if found == -1:
                found = self.text.find(needle, start, end)
            if found != -1:
                self.resume[path] = found + len(needle)
                line = bisect_right(self.line_starts, found)
                col = found - self.line_starts[line - 1] + 1
            self.found[path, needle] = (line, col)
        return Diagnostic(self.doc.where.source, line, col, format_key_path(path), message,
                          "warning")

    def _next_top_level_key(self, start: int) -> int:
        i = bisect_right(self.key_starts, start)
        return self.key_starts[i] if i < len(self.key_starts) else len(self.text)


_TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_]\w*\s*:", re.M)


# Words that end in a full stop without ending a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cpt", "sgt", "adm",
    "sen", "rep", "gov", "pres", "amb", "st", "jr", "sr", "no", "nos", "vs", "etc", "e.g", "i.e",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc",
    "ltd", "co", "corp", "mt", "ft", "approx", "dept", "est", "fig", "vol",
}
_BOUNDARY = re.compile(r"[.!?]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def count_sentences(text: str) -> int:
    """Sentences in running text, not fooled by U.S., P.M.F., Dr. or initials like J. Smith."""
    text = " ".join(text.split())
    if not text:
        return 0
    count = 1
    for m in _BOUNDARY.finditer(text):
        # The word that ends at the boundary (found backwards, not by copying all before it).
        word_start = text.rfind(" ", 0, m.start() + 1) + 1
        before = text[word_start:m.start() + 1].strip("\"“”‘’()[]")
        word = before.rstrip(".!?").lower()
        if text[m.start()] == "." and (
                word in _ABBREVIATIONS
                or re.fullmatch(r"(?:[A-Za-z]\.){2,}", before)  # U.S., P.M.F.
                or re.fullmatch(r"[A-Z]", before.rstrip("."))):  # an initial
            continue
        count += 1
    return count


__all__ = ["Checker", "FileReport", "Report", "FORMATTERS", "validate_paths", "LEVELS"]
