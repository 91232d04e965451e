"""Writing the drafted brief: YAML with a comment on every quote giving its line in the article.

Values are written as JSON strings (valid YAML, no surprises with `:` or `#`), text that the
Markdown-lite parser would change is escaped so it prints as the article wrote it, and the
sections only the analyst can write are TODO placeholders that `validate` reports as warnings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from reportgen.draft.article import Article
from reportgen.draft.people import Person
from reportgen.draft.text import first_sentence

MAX_TITLE = 150  # the brief format's limit
TODO_TITLE_CHARS = 100  # a hint from the first sentence, not a headline: two lines at most
SITUATION_CHARS = 700  # about what the sample brief's situation holds on the one-pager
MAX_ACTORS = 8
# Characters of all quotes together: eight actors with quotes this long still fit the
# one-pager above the profile's smallest type (measured: 3,656 characters of actors, 9 pt).
QUOTE_BUDGET = 2_400
LEFT_FOR_YOU = ("summary", "leverage", "outlook")
_TODO_TITLE = "TODO: headline: "


@dataclass
class Drafted:
    text: str
    actors: int
    quotes: int
    sources: int


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def markup_safe(text: str, *, block: bool = False) -> str:
    """`text` escaped where Markdown-lite would read it as markup (*, _, [ ], a list marker),
    so the brief prints it exactly; unchanged when it already would."""
    from reportgen.brief.markup import MarkupError, Paragraph, parse_inline, parse_text, plain

    def prints(s: str) -> str | None:
        try:
            if not block:
                return plain(parse_inline(s))
            parsed = parse_text(s)  # one paragraph, not a list that prints the same
        except MarkupError:  # "[x]()" is a link the brief format refuses
            return None
        one = len(parsed.blocks) == 1 and isinstance(parsed.blocks[0], Paragraph)
        return parsed.plain if one else None

    if prints(text) == text:
        return text
    escaped = re.sub(r"([\\*_\[\]`<])", r"\\\1", text)
    if block:  # a paragraph that starts like a list item: "- ", "+ ", "1. ", "2) "
        escaped = re.sub(r"^([-+])", r"\\\1", escaped)
        escaped = re.sub(r"^([0-9]+)([.)])", r"\1\\\2", escaped)
    return escaped


def prints_as(value: str, text: str) -> bool:
    from reportgen.brief.markup import MarkupError, parse_inline, plain

    try:
        return plain(parse_inline(value)) == text
    except MarkupError:
        return False


def headline(article: Article) -> tuple[str, bool]:
    """(title, whether it is the article's own headline). A first line that is a paragraph
    (the sample article has no headline) gives a shortened TODO title."""
    first = " ".join((article.title or "").split())
    if first and len(first) <= MAX_TITLE and (article.is_html or not first.endswith(".")):
        return first, True
    room = TODO_TITLE_CHARS - len(_TODO_TITLE) - 1
    sentence = first_sentence(first) if first else ""
    cut = sentence if len(sentence) <= room else sentence[:room].rsplit(" ", 1)[0] + "…"
    return (_TODO_TITLE + cut).strip() if cut else "TODO: the headline", False


def situation_paragraphs(article: Article, skip_first: bool) -> list[str]:
    """The article's opening paragraphs, about SITUATION_CHARS long (whole sentences)."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", article.text)]
    # Headings, bylines and datelines are not the story.
    paragraphs = [p for p in paragraphs if p and not p.startswith("#") and (
        len(p) >= 60 or re.search(r"[.!?”»\"]$", p))]
    if skip_first and paragraphs and paragraphs[0] == " ".join((article.title or "").split()):
        paragraphs = paragraphs[1:]
    out: list[str] = []
    used = 0
    for p in paragraphs:
        if used and used + len(p) > SITUATION_CHARS:
            break
        if len(p) > SITUATION_CHARS - used:
            p = _first_sentences(p, SITUATION_CHARS - used)
        out.append(p)
        used += len(p)
        if used >= SITUATION_CHARS:
            break
    return out or ["TODO: what happened, in one or two short paragraphs."]


def _first_sentences(paragraph: str, limit: int) -> str:
    cut = paragraph[: limit + 1]
    ends = [m.end() for m in re.finditer(r"[.!?][”\"»’)]*(?=\s)", cut)]
    if ends and ends[-1] > limit // 3:
        return paragraph[: ends[-1]]
    return cut[:limit].rsplit(" ", 1)[0] + " …"


def brief_text(article: Article, people: list[Person], *, profile: str, language: str,
               date: dt.date, dated_today: bool, publisher: str | None,
               drafted_on: dt.date) -> Drafted:
    title, own_headline = headline(article)
    lines = [
        f"# Drafted by `reportgen draft` from {article.source} on {drafted_on.isoformat()}.",
        "# Names, roles and quotes were found by rules, not by a reader: check each one against",
        "# the article (the comment beside a quote gives its line there), then replace every",
        "# TODO. Quotes are copied verbatim; never edit them into paraphrase.",
        f"title: {_q(title)}",
        f"date: {date.isoformat()}" + ("  # no publication date found in the article: "
                                       "today's date; correct it" if dated_today else ""),
        f"profile: {profile}",
        "summary: >-",
        "  TODO: the bottom line in one to three sentences: what happened and why it matters.",
        "# The article's opening paragraphs, as printed: shorten them and say it your way.",
        "situation: |",
        "  TODO: shorten.",
    ]
    for paragraph in situation_paragraphs(article, own_headline):
        lines += ["", "  " + markup_safe(paragraph, block=True)]
    lines.append("actors:")
    actors = people[:MAX_ACTORS]
    quotes = quoted = 0
    for person in actors:
        lines.append(f"  - name: {_q(person.name)}")
        if person.role:
            lines.append(f"    role: {_q(person.role)}")
        if person.affiliation:
            lines.append(f"    affiliation: {_q(person.affiliation)}")
        lines.append(f"    stance: {_q('TODO: where they stand, in a sentence or two.')}")
        said = person.best_quote(QUOTE_BUDGET - quoted)
        if said is not None and not prints_as(markup_safe(said.text), said.text):
            said = None  # never print a quote that would not read exactly as the article's
        if said is None:
            if person.said:
                lines.append("    # quote: more words of theirs are in the article; the one-pager "
                             "has no room left for them")
            continue
        quotes += 1
        quoted += len(said.text)
        where = sorted({article.line_of(p.start, p.text) for p in said.parts})
        label = "line" if len(where) == 1 else "lines"
        lines.append(f"    quote: {_q(markup_safe(said.text))}  # article {label} "
                     + ", ".join(str(n) for n in where))
        lines.append("    quote_source: " + _q(said.source or "TODO: where and when they said it"))
    if not actors:
        lines += ["  # No one quoted or named with a role was found: add the actors yourself.",
                  f"  - name: {_q('TODO: Full Name')}",
                  f"    role: {_q('TODO: position')}",
                  f"    stance: {_q('TODO: where they stand, in a sentence or two.')}"]
    elif len(people) > MAX_ACTORS:
        rest = ", ".join(p.name for p in people[MAX_ACTORS:])
        lines.append(f"  # Also quoted or named with a role (left out to keep the one-pager "
                     f"to one page): {' '.join(rest.split())}")
    lines += [
        "leverage:",
        f"  holder: {_q('TODO: party')}",  # printed as "<holder>’s leverage"
        "  points:",
        f"    - {_q('**TODO: the lever in a few words.** How they can use it.')}",
        "outlook:",
        f"  - {_q('TODO: what to expect next')}",
        "sources:",
        f"  - title: {_q(title if own_headline else 'TODO: the title of the article')}",
    ]
    if publisher:
        lines.append(f"    publisher: {_q(publisher)}")
    if article.url:
        lines.append(f"    url: {_q(article.url)}")
    if not dated_today:
        lines.append(f"    date: {date.isoformat()}")
    lines.append(f"language: {language}")
    return Drafted("\n".join(lines) + "\n", len(actors) if people else 0, quotes, 1)


def summary_line(drafted: Drafted) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    left = ", ".join(LEFT_FOR_YOU)
    return (f"{n(drafted.actors, 'actor')}, {n(drafted.quotes, 'quote')}, "
            f"{n(drafted.sources, 'source')}; {len(LEFT_FOR_YOU)} sections left for you "
            f"({left})")
