"""Reading the article a draft starts from: bounds, decoding, HTML extraction, metadata.

The same bounds as a brief (size, UTF-8, control characters; positioned errors). HTML goes
through trafilatura (maintained, offline, and it also returns the title, canonical URL, site
name and date via htmldate); plain text and Markdown are read as they are. The organisation's
own disclaimer and donor note at the end of an article are cut off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.brief.loader import (
    _FORBIDDEN,
    MAX_FILE_BYTES,
    NotAFileError,
    _line_col,
    control_message,
    decode,
)
from reportgen.draft.lexicon import MONTHS
from reportgen.errors import Diagnostic, InputError
from reportgen.fsio import NotRegularFile, TooLarge, read_bounded

STDIN = "-"
# Fewer words than this in what trafilatura extracts means it found no article, only a menu.
MIN_HTML_WORDS = 20
_HTML = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|article|meta|"
                   r"title|div|p)\b", re.IGNORECASE | re.DOTALL)


@dataclass
class Article:
    """The article's text (what quotes are checked against) and what is known about it."""

    source: str  # the file name as given, or <stdin>
    text: str  # the body: paragraphs separated by blank lines
    raw: str  # the file as read, for line numbers
    is_html: bool = False
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    date: dt.date | None = None
    language: str | None = None
    cut: list[str] = field(default_factory=list)  # what was left out at the end, and why

    def line_of(self, offset: int, quote: str) -> int:
        """The line of the file where the text at `offset` of `text` is, for the analyst."""
        if not self.is_html:
            return self.text.count("\n", 0, offset) + 1
        # HTML: find the quote's first words in the page itself (entities decoded).
        import html

        words = quote.split()[:6]
        if words:
            probe = re.compile(r"\s+".join(re.escape(w) for w in words))
            for number, line in enumerate(self.raw.splitlines(), 1):
                if len(line) < 100_000 and probe.search(html.unescape(line)):
                    return number
            found = probe.search(html.unescape(self.raw))
            if found:
                return self.raw.count("\n", 0, found.start()) + 1
        return 1


def read_article(name: str, stdin: bytes | None = None) -> tuple[str, str]:
    """(source name, text) of ARTICLE, bounded and checked like a brief."""
    if name == STDIN:
        source = "<stdin>"
        raw = stdin if stdin is not None else sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise InputError([Diagnostic(source, 1, 1, "", f"the input is more than "
                                         f"{MAX_FILE_BYTES:,} bytes; an article may be at "
                                         f"most {MAX_FILE_BYTES:,}")])
    else:
        source = name
        try:
            raw = read_bounded(Path(name), MAX_FILE_BYTES)
        except NotRegularFile as exc:
            raise NotAFileError(Path(name), exc.kind, "article") from None
        except TooLarge as exc:
            raise InputError([Diagnostic(source, 1, 1, "",
                                         f"file is {exc.size:,} bytes; an article may be at "
                                         f"most {MAX_FILE_BYTES:,}")]) from None
        except FileNotFoundError:
            from reportgen.errors import UsageError

            raise UsageError(f"{name}: no such file; ARTICLE is a text, Markdown or HTML file, "
                             "or - for standard input") from None
        except OSError as exc:
            raise InputError([Diagnostic(source, 1, 1, "",
                                         f"cannot read file: {exc.strerror or exc}")]) from None
    text = decode(source, raw)
    bad = list(_FORBIDDEN.finditer(text))
    if bad:
        line, col = _line_col(text, bad[0].start())
        raise InputError([Diagnostic(source, line, col, "", "the article " + control_message(
            bad[0].group(), len(bad)))])
    # YAML and every writer take these as line breaks; so do we, so quotes stay verbatim.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n")
    if not text.strip():
        raise InputError([Diagnostic(source, 1, 1, "", "the article is empty; give a text, "
                                     "Markdown or HTML file with the article in it")])
    return source, text


def load_article(name: str, cut_texts: list[str], stdin: bytes | None = None) -> Article:
    source, raw = read_article(name, stdin)
    article = _from_html(source, raw) if _HTML.match(raw) else _from_text(source, raw)
    article.text = _cut_trailing(article, cut_texts)
    if article.is_html and len(article.text.split()) < MIN_HTML_WORDS:
        raise InputError([Diagnostic(source, 1, 1, "", "no article text found in the HTML page "
                                     "(only navigation, scripts or boilerplate); save the "
                                     "article's own page, or paste its text into a .txt file")])
    if not article.text.strip():
        raise InputError([Diagnostic(source, 1, 1, "", "no article text found: the file holds "
                                     "only the organisation's disclaimer and donor note")])
    if article.date is None:
        article.date = find_date(article.text)
    if article.language is None:
        article.language = guess_language(article.text)
    return article


def _from_text(source: str, raw: str) -> Article:
    article = Article(source, raw, raw)
    first = next((line.strip() for line in raw.splitlines() if line.strip()), "")
    heading = re.match(r"^#{1,6}\s+(.*?)\s*#*$", first)
    article.title = heading.group(1) if heading else first
    return article


def _from_html(source: str, raw: str) -> Article:
    import trafilatura
    from lxml.etree import LxmlError

    # No URL is given, so nothing is fetched; comments and tables are left out of the body.
    try:
        doc = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True)
    except (LxmlError, ValueError, TypeError, RecursionError) as exc:  # a page lxml cannot take
        raise InputError([Diagnostic(source, 1, 1, "", f"the HTML page cannot be read "
                                     f"({type(exc).__name__}: {exc}); save the article's text "
                                     "into a .txt file instead")]) from None
    if doc is None:
        return Article(source, "", raw, is_html=True)
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    lines = [line.strip() for line in (meta.get("text") or "").splitlines() if line.strip()]
    title = _one_line(meta.get("title"))
    if lines and title and lines[0] == title:
        lines = lines[1:]  # trafilatura repeats the headline as the body's first line
    article = Article(source, "\n\n".join(lines), raw, is_html=True, title=title,
                      publisher=_one_line(meta.get("sitename")))
    url = meta.get("url") or ""
    if re.match(r"^https?://[^\s/]+", url):
        from reportgen.brief.markup import MarkupError, check_url

        try:
            article.url = check_url(url, ("http", "https"))
        except (MarkupError, ValueError):
            article.url = None
    try:
        article.date = dt.date.fromisoformat(str(meta.get("date") or "")[:10])
    except ValueError:
        article.date = None
    language = re.match(r"^\s*([A-Za-z]{2,3})\b", str(meta.get("language") or ""))
    html_lang = re.search(r"<html[^>]*\blang=[\"']?([A-Za-z]{2,3})\b", raw[:5000], re.I)
    found = language or html_lang
    article.language = found.group(1).lower() if found else None
    return article


def _one_line(value: object) -> str | None:
    text = " ".join(str(value or "").split())
    return text or None


def _cut_trailing(article: Article, cut_texts: list[str]) -> str:
    """The text without the organisation's own disclaimer and donor note at its end."""
    text = article.text.rstrip()
    changed = True
    while changed:
        changed = False
        for note in cut_texts:
            words = note.split()
            if not words:
                continue
            tail = re.compile(r"\s+".join(re.escape(w) for w in words) + r"\s*\Z")
            found = tail.search(text, max(0, len(text) - 4 * len(note) - 200))
            if found:
                text = text[: found.start()].rstrip()
                article.cut.append(note)
                changed = True
    return text


_DAY_MONTH_YEAR = re.compile(r"\b([0-3]?\d)(?:er)?\s+([A-Za-zéû]{3,9})\.?\s+((?:19|20)\d\d)\b")
_MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+([0-3]?\d),?\s+((?:19|20)\d\d)\b")
_ISO = re.compile(r"\b((?:19|20)\d\d)-([01]\d)-([0-3]\d)\b")


def find_date(text: str) -> dt.date | None:
    """A publication date written near the top of a text article: "December 4, 2017",
    "4 décembre 2017", "2017-12-04". The first one in the first 600 characters."""
    head = text[:600]
    found: list[tuple[int, dt.date]] = []
    for m in _ISO.finditer(head):
        _add(found, m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for m in _DAY_MONTH_YEAR.finditer(head):
        month = MONTHS.get(m.group(2).lower())
        if month:
            _add(found, m.start(), int(m.group(3)), month, int(m.group(1)))
    for m in _MONTH_DAY_YEAR.finditer(head):
        month = MONTHS.get(m.group(1).lower())
        if month:
            _add(found, m.start(), int(m.group(3)), month, int(m.group(2)))
    return min(found)[1] if found else None


def _add(found: list[tuple[int, dt.date]], at: int, year: int, month: int, day: int) -> None:
    with contextlib.suppress(ValueError):  # "February 30"
        found.append((at, dt.date(year, month, day)))


_FRENCH = re.compile(r"\b(?:le|la|les|des|est|une|dans|pour|qui|avec|selon|à)\b", re.I)
_ENGLISH = re.compile(r"\b(?:the|of|and|is|was|said|with|for|that)\b", re.I)
_ARABIC = re.compile(r"[\u0600-\u06ff]")


def guess_language(text: str) -> str:
    sample = text[:20_000]
    if len(_ARABIC.findall(sample)) > len(sample) / 4:
        return "ar"
    return "fr" if len(_FRENCH.findall(sample)) > 1.5 * len(_ENGLISH.findall(sample)) else "en"
