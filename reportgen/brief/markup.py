"""Markdown-lite: the one inline model every writer reads.

A text field is parsed by markdown-it-py (CommonMark core, with only paragraphs, lists,
emphasis, links and escapes switched on) into `Text`: a tuple of blocks, each a paragraph or a
list of items, each made of `Span`s that carry bold/italic/link. Writers never see Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlparse

ALLOWED_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


Inline = tuple[Span, ...]


@dataclass(frozen=True)
class Paragraph:
    spans: Inline

    @property
    def plain(self) -> str:
        return plain(self.spans)


@dataclass(frozen=True)
class ListBlock:
    items: tuple[Inline, ...]
    ordered: bool = False


Block = Paragraph | ListBlock


@dataclass(frozen=True)
class Text:
    """Parsed text of one field; `source` keeps what the analyst wrote."""

    blocks: tuple[Block, ...]
    source: str

    @property
    def plain(self) -> str:
        parts = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.plain)
            else:
                parts.extend(f"- {plain(item)}" for item in block.items)
        return "\n".join(parts)

    def inlines(self) -> list[Inline]:
        """Every paragraph and list item, in order (for writers that only set runs)."""
        out: list[Inline] = []
        for block in self.blocks:
            out.extend([block.spans] if isinstance(block, Paragraph) else block.items)
        return out

    def links(self) -> list[str]:
        return [s.href for inline in self.inlines() for s in inline if s.href]


def plain(spans: Inline) -> str:
    return "".join(s.text for s in spans)


class MarkupError(ValueError):
    pass


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    md = MarkdownIt("zero").enable(["emphasis", "link", "list", "escape", "newline"])
    md.validateLink = lambda url: True  # we check schemes ourselves, with a clear message
    return md


def parse_text(source: str) -> Text:
    tokens = _parser().parse(source)
    blocks: list[Block] = []
    items: list[Inline] = []
    ordered = False
    depth = 0
    for tok in tokens:
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            if depth > 1:
                raise MarkupError("lists cannot be nested (line "
                                  f"{tok.map[0] + 1 if tok.map else '?'} of the text); "
                                  "use one level of '- ' items")
            if depth == 1:
                items, ordered = [], tok.type == "ordered_list_open"
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0:
                blocks.append(ListBlock(tuple(items), ordered))
        elif tok.type == "inline":
            spans = _inline(tok.children or [])
            if not spans:
                continue
            if depth:
                items.append(spans)
            else:
                blocks.append(Paragraph(spans))
    return Text(tuple(blocks), source)


def parse_inline(source: str) -> Inline:
    """A one-line field (a quote, a name): markup allowed, but it stays one paragraph."""
    spans: list[Span] = []
    for inline in parse_text(source).inlines():
        if spans:
            spans.append(Span(" "))
        spans.extend(inline)
    return _merge(spans)


def _inline(children) -> Inline:
    spans: list[Span] = []
    bold = italic = 0
    href: str | None = None
    for tok in children:
        t = tok.type
        if t == "strong_open":
            bold += 1
        elif t == "strong_close":
            bold -= 1
        elif t == "em_open":
            italic += 1
        elif t == "em_close":
            italic -= 1
        elif t == "link_open":
            href = str(tok.attrs.get("href", ""))
            check_url(href)
        elif t == "link_close":
            href = None
        elif t in ("text", "code_inline", "html_inline"):
            spans.append(Span(tok.content, bool(bold), bool(italic), href))
        elif t in ("softbreak", "hardbreak"):
            spans.append(Span(" ", bool(bold), bool(italic), href))
    return _merge(spans)


def _merge(spans: list[Span]) -> Inline:
    merged: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        prev = merged[-1] if merged else None
        if prev and (prev.bold, prev.italic, prev.href) == (span.bold, span.italic, span.href):
            merged[-1] = Span(prev.text + span.text, span.bold, span.italic, span.href)
        else:
            merged.append(span)
    return tuple(merged)


def check_url(url: str) -> str:
    scheme = urlparse(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES or (scheme != "mailto" and not urlparse(url).netloc):
        raise MarkupError(
            f"link target {url!r} is not allowed; use an http, https or mailto URL"
        )
    return url
