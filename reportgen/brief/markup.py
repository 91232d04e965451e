"""Markdown-lite: the one inline model every writer reads.

A text field is parsed by markdown-it-py (CommonMark core, with only paragraphs, lists,
emphasis, links and escapes switched on) into `Text`: a tuple of blocks, each a paragraph or a
list of items, each made of `Span`s that carry bold/italic/link. Writers never see Markdown.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Links inside text may be mailto: (a reader can write to a press office from the PDF); a field
# that names a web page (a source, the profile's site) takes http and https only.
LINK_SCHEMES = ("http", "https", "mailto")
WEB_SCHEMES = ("http", "https")
MAX_URL_CHARS = 2_000  # what every browser and PDF viewer handles; real links are far shorter


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
            # markdown-it has already percent-encoded spaces, quotes and non-ASCII characters
            # of the destination (CommonMark's normalisation): what is checked is what writers get.
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


def check_url(url: str, schemes: tuple[str, ...] = LINK_SCHEMES) -> str:
    """`url` if it is a link a reader can follow safely, else MarkupError saying why.

    One parse with `urllib.parse`: a scheme from `schemes`, for http(s) a valid host and port
    and no user name (`https://mei.edu@evil.example/` goes to evil.example), for mailto an
    address; no whitespace, control or invisible characters, quotes, <, > or backslash anywhere
    (they end or rewrite the markup a writer might put the link in), at most MAX_URL_CHARS.
    """
    problem = _url_problem(url, schemes)
    if problem:
        raise MarkupError(f"link target {_shown(url)} {problem}")
    return ascii_url(url)


def ascii_url(url: str) -> str:
    """The same address in ASCII, as PDF link actions (PDF 32000 §12.6.4.7) and every reader
    want it: an international host in its punycode form, other non-ASCII characters
    percent-encoded as UTF-8 (what markdown-it already does to a [label](url) target). An ASCII
    URL is returned unchanged. Only called on a URL that `_url_problem` accepted."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.hostname and not parts.hostname.isascii():
        host = parts.hostname.encode("idna").decode("ascii")
        port = f":{parts.port}" if parts.port is not None else ""
        netloc = host + port
    encode = lambda text: "".join(  # noqa: E731
        ch if ch.isascii() else quote(ch, safe="") for ch in text)
    return urlunsplit((parts.scheme, encode(netloc), encode(parts.path), encode(parts.query),
                       encode(parts.fragment)))


def _url_problem(url: str, schemes: tuple[str, ...] = LINK_SCHEMES) -> str | None:
    """Why `url` is refused (the words after "link target '…'"), or None."""
    if len(url) > MAX_URL_CHARS:
        return (f"is {len(url):,} characters long; at most {MAX_URL_CHARS:,} are allowed: link "
                "to a shorter address")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. a broken [IPv6] host
        return f"is not a valid URL ({exc})"
    scheme = parts.scheme.lower()
    if scheme not in schemes:  # first: no point advising %22 in a javascript: link
        names = " or ".join([", ".join(schemes[:-1]), schemes[-1]] if len(schemes) > 2 else schemes)
        return f"is not allowed; use an {names} URL"
    # On the text as written: urlsplit silently drops tabs and newlines.
    for ch in url:
        if problem := _char_problem(ch):
            return problem
    if scheme == "mailto":
        return _mailto_problem(parts.path)
    if not parts.netloc:
        return f"has no host name; write it as {scheme}://example.org/…"
    if "@" in parts.netloc:
        return ("has a user name before '@' in its address, which hides where the link "
                "really goes (only the part after '@' is the host); remove the part before '@'")
    try:
        parts.port  # noqa: B018 - the property parses the port, raising ValueError if bad
    except ValueError:
        return "has a port that is not a number from 0 to 65535"
    return _host_problem(parts.hostname or "", bracketed=parts.netloc.startswith("["))


_QUOTING = {'"': "a double quote", "'": "a single quote", "`": "a backquote", "<": "a '<'",
            ">": "a '>'", "\\": "a backslash"}


def _char_problem(ch: str) -> str | None:
    if ch in _QUOTING:
        return (f"contains {_QUOTING[ch]}, which would end or rewrite the markup the link is "
                f"set in; write it as {quote(ch, safe='')}")
    category = unicodedata.category(ch)
    if ch.isspace() or category.startswith("Z"):
        name = "a space" if ch == " " else f"white space (U+{ord(ch):04X})"
        return f"contains {name}; write it as {quote(ch, safe='')} or remove it"
    if category == "Cc":
        return f"contains the control character U+{ord(ch):04X}; delete it"
    if category in ("Cf", "Cs", "Co", "Cn"):
        name = unicodedata.name(ch, f"U+{ord(ch):04X}")
        return (f"contains the invisible character U+{ord(ch):04X} ({name}), which can disguise "
                "where the link goes; delete it")
    return None


# A host name label, in ASCII (an international name is checked in its punycode form): letters,
# digits, '-' and '_', not starting or ending with '-'. No host has '%', '!', '*', ',' and so on.
_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")


def _host_problem(host: str, bracketed: bool) -> str | None:
    if bracketed:  # checked here too: only Python 3.11.4 and later check it in urlsplit
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"has the host [{host}], which is not a valid IPv6 address"
        return None
    if not host:
        return "has no host name"
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        return f"has the host {_shown(host)}, which is not a valid international host name"
    name = ascii_host[:-1] if ascii_host.endswith(".") else ascii_host
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        return f"has the host {_shown(host)}, which is not a valid host name"
    return None


def _mailto_problem(path: str) -> str | None:
    addresses = [a.strip() for a in unquote(path).split(",")]
    for address in addresses:
        local, at, domain = address.rpartition("@")
        if not at or not local:
            return ("is not an e-mail address; write it as mailto:name@example.org"
                    if address else "has no e-mail address; write it as mailto:name@example.org")
        if problem := _host_problem(domain, bracketed=False):
            return problem
    return None


def _shown(text: str) -> str:
    """A URL or host quoted for a message: escaped (never a raw newline), cut if very long."""
    return repr(text) if len(text) <= 80 else repr(text[:60]) + "…"
