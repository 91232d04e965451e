"""One typography pass over the analyst's text, in the document plan, for every writer.

Straight quotes become the brief's language's quotation marks, article-prefixed names
(al-Abadi, Bab el-Mandeb) never break after the prefix, an Arabic name in brackets stays on one
line, and invisible bidi and zero-width controls are removed so that every format shows the
same characters in the same order. Only text is touched: link targets never are, and the
profile's disclaimer and donor note are printed verbatim, so they never pass through here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from reportgen.brief.markup import Inline, ListBlock, Paragraph, Span, Text

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
NB_HYPHEN = "\u2011"

# Embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069), the implicit marks
# LRM, RLM and ALM, and zero-width characters. Direction is the document's business (its
# language and the Unicode bidi algorithm): a pasted override makes the same title read
# differently in a PDF viewer and in Word, so they are removed rather than passed on.
_BIDI_AND_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff]")
# ZWJ and ZWNJ shape Arabic (and Persian) words, so they stay between two Arabic-script letters
# and go everywhere else.
_JOINERS = re.compile("[\u200c\u200d]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")

# Transliterated Arabic article and kinship prefixes: "al-Abadi" must not break after "al-".
_PREFIX = re.compile(
    r"(?<![\w\-\u2011])(al|el|ad|ar|as|ash|at|az|an|adh|ath|bin|ibn|bint|abu|abi|abd|ben|bou"
    r"|ould|ul|ud)-(?=\w)", re.IGNORECASE)
# An Arabic name given in brackets after its transliteration: "Hadi al-Amiri (هادي العامري)".
_BRACKETED_ARABIC = re.compile(r"\(([^()\n]*" + _ARABIC.pattern + r"[^()\n]*)\)")

# An address written out in running text (markup has no autolinks, so it stays text): quotes
# and hyphens inside it are part of the address and are never touched.
_URL_IN_TEXT = re.compile(r"(?:https?://|mailto:|www\.)[^\s<>\"]+", re.IGNORECASE)

_OPENING_CONTEXT = set("([{<«‘“—–-/\u00a0\u202f") | {None}


def base_language(tag: str) -> str:
    """'fr-CA' -> 'fr': the label and quotation rules follow the language subtag."""
    return tag.split("-", 1)[0].lower()


def remove_invisibles(text: str) -> str:
    text = _BIDI_AND_INVISIBLE.sub("", text)
    if not _JOINERS.search(text):
        return text
    out = []
    for i, ch in enumerate(text):
        if ch in "\u200c\u200d":
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if not (_ARABIC.match(before) and _ARABIC.match(after)):
                continue
        out.append(ch)
    return "".join(out)


def _opens(prev: str | None) -> bool:
    return prev in _OPENING_CONTEXT or (prev is not None and prev.isspace())


def _is_word(ch: str | None) -> bool:
    return ch is not None and (ch.isalnum() or unicodedata.category(ch) == "Mn")


class QuoteState:
    """Quotation marks for one language; carries the previous character across spans, so a
    quote that opens in plain text and closes after a bold word is still paired right."""

    def __init__(self, language: str):
        self.language = base_language(language)
        self.prev: str | None = None

    def convert(self, text: str) -> str:
        """Quotes of the language in `text`; an address written out in it is left as it is."""
        pieces, start = [], 0
        for m in _URL_IN_TEXT.finditer(text):
            pieces += [self._convert(text[start:m.start()]), m.group()]
            self.prev = m.group()[-1]
            start = m.end()
        return "".join(pieces) + self._convert(text[start:])

    def _convert(self, text: str) -> str:
        out: list[str] = []
        for i, ch in enumerate(text):
            if ch == '"':
                out.append(self._double(self._opens_here()))
            elif ch == "'":
                out.append(self._single(text[i + 1:i + 4]))
            elif self.language == "fr" and ch == " " and self._after_open_guillemet(out):
                ch = NARROW_NBSP
                out.append(ch)
            elif self.language == "fr" and ch in "»" and out and out[-1] == " ":
                out[-1] = NARROW_NBSP
                out.append(ch)
            else:
                out.append(ch)
            self.prev = out[-1][-1] if out[-1] else self.prev
        return "".join(out)

    def _after_open_guillemet(self, out: list[str]) -> bool:
        return bool(out) and out[-1] == "«" or (not out and self.prev == "«")

    def _opens_here(self) -> bool:
        return _opens(self.prev)

    def _double(self, opening: bool) -> str:
        if self.language == "fr":
            return "«" + NARROW_NBSP if opening else NARROW_NBSP + "»"
        if self.language == "ar":
            return "«" if opening else "»"
        return "“" if opening else "”"

    def _single(self, after: str) -> str:
        # An apostrophe after a letter ("Lebanon's", "l'Irak") or any closing quote is ’, and
        # so is one that stands for the century ("the '90s"); only in English does a quote
        # opened after a space get ‘.
        if _is_word(self.prev) or self.language != "en" or not _opens(self.prev):
            return "’"
        if re.match(r"[0-9]{2}(?![0-9])", after):
            return "’"
        return "‘"


def set_line(text: str, language: str) -> str:
    """A one-line field (title, name, role, source line): quotes, names, invisibles."""
    return _names(QuoteState(language).convert(remove_invisibles(text)))


def _names(text: str) -> str:
    """No-break hyphens after article prefixes and Arabic names kept whole, outside any
    address written out in the text (a hyphen there is part of the address)."""
    pieces, start = [], 0
    for m in _URL_IN_TEXT.finditer(text):
        pieces += [_names_in(text[start:m.start()]), m.group()]
        start = m.end()
    return "".join(pieces) + _names_in(text[start:])


def _names_in(text: str) -> str:
    text = _PREFIX.sub(lambda m: m.group(1) + NB_HYPHEN, text)
    return _BRACKETED_ARABIC.sub(lambda m: "(" + m.group(1).replace(" ", NBSP) + ")", text)


def set_inline(spans: Inline, language: str) -> Inline:
    """Runs of one paragraph: one quote state across them so pairs match over formatting."""
    state = QuoteState(language)
    out = []
    for span in spans:
        text = _names(state.convert(remove_invisibles(span.text)))
        if text:
            out.append(replace(span, text=text))
    return tuple(out)


def set_text(text: Text, language: str) -> Text:
    blocks: list[Paragraph | ListBlock] = []
    for block in text.blocks:
        if isinstance(block, Paragraph):
            blocks.append(Paragraph(set_inline(block.spans, language)))
        else:
            blocks.append(ListBlock(tuple(set_inline(item, language) for item in block.items),
                                    block.ordered))
    return Text(tuple(blocks), text.source)


def nonbreaking_join(*parts: str) -> str:
    """Words that must stay on one line together ("” — Source")."""
    return NBSP.join(parts)


__all__ = ["NB_HYPHEN", "NARROW_NBSP", "NBSP", "QuoteState", "Span", "base_language",
           "nonbreaking_join", "remove_invisibles", "set_inline", "set_line", "set_text"]
