"""The article as text the rules can read: its quotations, paragraphs and sentences.

A quotation is what stands between the article's own quotation marks, so a quote is always a
verbatim slice of the text; `mask` hides quotations so names and verbs are only looked for in
the reporter's words. Everything here is one regex pass over the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportgen.draft.lexicon import ABBREVIATIONS

MIN_QUOTE_CHARS = 2
MASK = "\x01"  # stands for quoted text while rules look at the words around it

# Quotation marks: curly and straight double quotes, French and Arabic guillemets. Single
# quotes are left alone: they are also apostrophes ("Asa’ib", "Tillerson’s").
_QUOTES = re.compile(r"“([^“”\n]*)”|«([^«»\n]*)»|\"([^\"\n]*)\"")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")


@dataclass
class Quote:
    """A quotation in the article: `start`/`end` bound its words (no marks, no trailing
    comma or full stop), so `text == article[start:end]`."""

    start: int
    end: int
    text: str
    open: int  # the opening mark
    close: int  # just after the closing mark
    continues: bool  # ends with a comma: a split quote may go on after the attribution


def find_quotes(text: str) -> list[Quote]:
    out = []
    for m in _QUOTES.finditer(text):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        start, end = m.start(group), m.end(group)
        inner = text[start:end]
        lead = len(inner) - len(inner.lstrip(" \u00a0\u202f\t…."))
        trail = inner.rstrip(" \u00a0\u202f\t")
        continues = trail.endswith(",")
        trail = trail.rstrip(",.;:")
        body_end = start + len(trail)
        start += lead
        if body_end - start < MIN_QUOTE_CHARS:
            continue
        after = text[m.end():m.end() + 1]
        out.append(Quote(start, body_end, text[start:body_end], m.start(), m.end(),
                         continues or after == ","))
    return out


def first_sentence(text: str) -> str:
    """The first sentence of `text` ("U.S." and quotations do not end it)."""
    start, stop = sentences(text, (0, len(text)), find_quotes(text))[0]
    return text[start:stop].strip()


def paragraphs(text: str) -> list[tuple[int, int]]:
    out, at = [], 0
    for m in _PARAGRAPH.finditer(text):
        out.append((at, m.start()))
        at = m.end()
    out.append((at, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


_END = re.compile(r"[.!?…؟]+[”\"»’)]*\s+(?=[“\"«(]?[A-ZÀ-ÖØ-Þ0-9\u0621-\u064a])")


def sentences(text: str, para: tuple[int, int], quotes: list[Quote]) -> list[tuple[int, int]]:
    start, stop = para
    inside = [(q.open, q.close) for q in quotes if start <= q.open < stop]
    out, at, qi = [], start, 0
    for m in _END.finditer(text, start, stop):
        while qi < len(inside) and inside[qi][1] <= m.start():
            qi += 1
        if qi < len(inside) and inside[qi][0] < m.start() \
                and inside[qi][1] > m.start() + len(m.group().rstrip()):
            continue  # a full stop inside a quotation does not end the sentence around it
        word = re.search(r"([\w.]+)[.]$", text[max(start, m.start() - 20):m.start() + 1])
        if word and text[m.start()] == "." and (
                word.group(1).rstrip(".") in ABBREVIATIONS
                or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]?", word.group(1))):
            continue  # "U.S. Secretary", "Gen. Soleimani"
        out.append((at, m.end()))
        at = m.end()
    out.append((at, stop))
    return [(a, b) for a, b in out if b > a]


def mask(text: str, quotes: list[Quote]) -> str:
    """The text with every quotation (marks included) replaced by MASK characters, so rules
    never read a name or a verb inside someone's words."""
    parts, at = [], 0
    for q in quotes:
        parts += [text[at:q.open], MASK * (q.close - q.open)]
        at = q.close
    parts.append(text[at:])
    return "".join(parts)
