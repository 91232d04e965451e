"""Finding who speaks in an article and what they said, by rules (no model, no network).

People are names (names.py) with a title before them, a role in apposition after them or a
speech verb beside them ("X said", "said X", "according to X"); a surname alone ("Tillerson")
is the same person as the full name. A quotation (text.py) goes to the speaker of the nearest
speech verb in its sentence ("he"/"she" is the last person named). Every rule works on one
sentence at a time and looks a bounded distance back, so a 1 MB article stays linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reportgen.draft.lexicon import ACCORDING_TO, ARABIC_VERBS, SPEECH_VERBS
from reportgen.draft.names import HAS_ARABIC, Mention, acronyms, bare, mentions_in
from reportgen.draft.text import MASK, Quote, find_quotes, mask, paragraphs, sentences

MAX_QUOTE_CHARS = 400  # a longer quotation is not a brief's quote; the analyst picks a part
MAX_SUBJECT_GAP = 160  # characters between a speaker's name and the verb ("X, the head …, said")

_AUXILIARY = re.compile(r"^(?:\s+(?:has|had|have|also|later|then|again|once|previously|on|"
                        r"[A-Z][a-z]+day|a|avait|aurait|aussi|encore|\w+ly|\w+ment))*\s+$")
_PLACE = r"[A-Z][\w’\-]+(?:\s+[A-Z][\w’\-]+)?"
_NAME_LIKE = r"[A-Z][\w’.\-]*(?:\s+[A-Z][\w’.\-]*){0,3}"
_SOURCES = (
    (re.compile(r"\btweet(?:ed|s|ing)?\b|\bon Twitter\b"), "On Twitter"),
    (re.compile(r"\btweeté\b|\bsur Twitter\b"), "Sur Twitter"),
    (re.compile(r"\bon (?:X|Facebook|Telegram|Instagram|state television|television)\b"), None),
    (re.compile(rf"\btold reporters\b(?:\s+in\s+{_PLACE})?"), None),
    (re.compile(r"\b(?:in an?|at an?) (?:interview|statement|speech|op-ed|article|news "
                r"conference|press conference|press briefing|briefing|television interview|"
                rf"post|letter|video)\b(?:\s+(?:with|to|on|in|at|for)\s+(?:the\s+)?"
                rf"{_NAME_LIKE})?"), None),
    (re.compile(rf"\btold (?:the\s+)?{_NAME_LIKE}"), None),
    (re.compile(r"\bsur (?:X|Facebook|Telegram|France \w+|RFI|BFMTV|LCI)\b"), None),
    (re.compile(r"\bdans (?:un|une) (?:communiqué|entretien|interview|discours|tribune)\b"
                rf"(?:\s+(?:au|à la|à|avec)\s+{_NAME_LIKE})?"), None),
    (re.compile(rf"\blors d’une conférence de presse\b(?:\s+à\s+{_PLACE})?"), None),
    (re.compile(rf"\b(?:à la presse|aux journalistes)\b(?:\s+à\s+{_PLACE})?"), None),
)
_SPEAKING_IN = re.compile(rf"\b[Ss]peaking (?:in|at|from) (?P<place>{_PLACE})")


@dataclass
class Said:
    """A quote (one or more verbatim parts joined with " … ") given to a person."""

    parts: list[Quote]
    source: str | None

    @property
    def text(self) -> str:
        return " … ".join(p.text for p in self.parts)


@dataclass
class Person:
    name: str
    first: int
    role: str | None = None
    affiliation: str | None = None
    attributed: bool = False
    said: list[Said] = field(default_factory=list)

    @property
    def surname(self) -> str:
        return bare(self.name.split()[-1])

    def best_quote(self, limit: int = MAX_QUOTE_CHARS) -> Said | None:
        """A split quote first (the speaker's own sentence), else the longest quotation, of at
        most `limit` characters."""
        fitting = [s for s in self.said if len(s.text) <= min(limit, MAX_QUOTE_CHARS)]
        if not fitting:
            return None
        return max(fitting, key=lambda s: (len(s.parts) > 1, len(s.text), -s.parts[0].start))


def find_people(text: str) -> list[Person]:
    """The people the article quotes, paraphrases or names with a role, in order of first
    mention, each with the quotations given to them."""
    spelled_out = acronyms(text)
    quotes = find_quotes(text)
    spans = [s for p in paragraphs(text) for s in sentences(text, p, quotes)]
    masked = mask(text, quotes)
    mentions = [m for s in spans for m in mentions_in(text, masked, s, spelled_out)]
    people = _people(masked, mentions)
    _attribute(text, masked, spans, mentions, quotes)
    actors = [p for p in people if p.attributed or p.role]
    return sorted(actors, key=lambda p: p.first)


# --- people ----------------------------------------------------------------------------------


def _people(masked: str, mentions: list[Mention]) -> list[Person]:
    """People: full names with a title, a role or a speech verb beside them; then every
    mention (a surname alone included) is tied to its person."""
    people: dict[str, Person] = {}
    for m in mentions:
        several = len(m.name.split()) > 1
        if m.titled or (several and (m.role or _beside_verb(masked, m))):
            person = people.setdefault(m.name, Person(m.name, m.start))
            if m.role and not person.role:
                person.role, person.affiliation = m.role, m.affiliation
    # A person first met by surname with a title ("President Macron") and later in full.
    by_surname: dict[str, Person] = {}
    for person in sorted(people.values(), key=lambda p: -len(p.name)):
        full = by_surname.setdefault(person.surname, person)
        if full is not person and len(person.name.split()) == 1:
            full.first = min(full.first, person.first)
            full.role = full.role or person.role
            full.affiliation = full.affiliation or person.affiliation
            del people[person.name]
    for m in mentions:
        m.person = people.get(m.name) or by_surname.get(bare(m.name.split()[-1]))
        if m.person is not None and len(m.name.split()) < len(m.person.name.split()) \
                and len(m.name.split()) > 1 and m.person.name.split()[-1] != m.name.split()[-1]:
            m.person = None
        if m.person is not None:
            m.person.first = min(m.person.first, m.start)
    return list(people.values())


def _beside_verb(masked: str, m: Mention) -> bool:
    """"X said", "X had told", "said X", "according to X"."""
    after = re.match(r"((?:\s+\w+){0,3}?)\s+([\w’\-]+)", masked[m.end:m.end + 60])
    if after and after.group(2).lower() in SPEECH_VERBS and _AUXILIARY.match(
            after.group(1) + " "):
        return True
    before = masked[max(0, m.run_start - 30):m.run_start].lower()
    words = before.split()
    if words and words[-1] in SPEECH_VERBS and not m.possessive:
        return True
    return any(before.endswith(a + " ") for a in ACCORDING_TO)


# --- attribution -----------------------------------------------------------------------------


_VERB = re.compile(
    r"(?<![\w’'\-])(?:(?P<verb>" + "|".join(sorted(SPEECH_VERBS | ARABIC_VERBS, key=len,
                                                    reverse=True))
    + r")(?P<inv>-t-il|-t-elle|-il|-elle)?|(?P<acc>" + "|".join(ACCORDING_TO) + r"))"
    r"(?![\w’'\-])", re.IGNORECASE)


def _attribute(text: str, masked: str, spans: list[tuple[int, int]],
               mentions: list[Mention], quotes: list[Quote]) -> None:
    known = [m for m in mentions if m.person is not None]
    # Whose words a quotation may be instead: people, and anyone named with a possessive
    # ("Omar Said’s claim of “foreign plots”").
    owners = [m for m in mentions if m.person is not None
              or (m.possessive and len(m.name.split()) > 1)]
    last_speaker: Person | None = None  # "he said": the last person named, else the last speaker
    last_named: Person | None = None
    last_start = 0
    previous: tuple[Person, str | None] | None = None
    qi = mi = oi = 0
    for start, stop in spans:
        if "\n\n" in text[last_start:start]:
            previous = None  # a new paragraph: a bare quotation no longer continues a speaker
            last_named = None
        last_start = start
        while mi < len(known) and known[mi].start < start:
            mi += 1
        here = [m for m in known[mi:mi + 50] if m.start < stop]
        while oi < len(owners) and owners[oi].start < start:
            oi += 1
        owners_here = [m for m in owners[oi:oi + 50] if m.start < stop]
        while qi < len(quotes) and quotes[qi].open < start:
            qi += 1
        said_here = [q for q in quotes[qi:qi + 50] if q.open < stop]
        verbs = _verbs(masked, start, stop, here, last_named or last_speaker)
        for _, _, person in verbs:
            person.attributed = True
            last_speaker = person
        named = [m.person for m in here if not m.possessive]
        last_named = named[-1] if named else last_named
        source = _quote_source(masked, start, stop, here)
        if verbs:
            _give_quotes(said_here, verbs, owners_here, source)
            previous = (verbs[-1][2], source)
        elif said_here and previous and _mostly_quoted(said_here, start, stop):
            previous[0].said.append(Said(said_here, previous[1]))


def _verbs(masked: str, start: int, stop: int, here: list[Mention],
           last_speaker: Person | None) -> list[tuple[int, int, Person]]:
    """(start, end, speaker) of every speech verb in the sentence whose speaker is known."""
    out = []
    for w in _VERB.finditer(masked, start, stop):
        inverted = w.group("inv")
        if not inverted and re.search(r"-(?:t-)?(?:il|elle)\s+$",
                                      masked[max(start, w.start() - 12):w.start()]):
            inverted = "-il"  # "a-t-il ajouté"
        according = w.group("acc") is not None
        speaker = None
        if w.group("verb") and HAS_ARABIC.match(w.group("verb")):
            # verb first; no one named after it: the subject is in the verb ("وأضاف")
            speaker = _named_after(masked, w.end(), here, 2)
            if speaker is None:
                named = [m for m in here if m.end <= w.start() and not m.possessive]
                speaker = named[-1].person if named else last_speaker
        elif inverted and not according:
            named = [m for m in here if m.end <= w.start() and not m.possessive]
            speaker = named[-1].person if named else last_speaker
        elif according:
            speaker = _named_after(masked, w.end(), here, 2)
        else:
            speaker = _subject_before(masked, w.start(), start, here, last_speaker)
            if speaker is None:
                speaker = _named_after(masked, w.end(), here, 2)
        if speaker is not None:
            out.append((w.start(), w.end(), speaker))
    return out


def _named_after(masked: str, at: int, here: list[Mention], slack: int) -> Person | None:
    for m in here:
        if at <= m.run_start <= at + slack + 1 and not m.possessive:
            return m.person
    return None


def _subject_before(masked: str, at: int, floor: int, here: list[Mention],
                    last_speaker: Person | None) -> Person | None:
    best: Mention | None = None
    for m in here:
        if m.end <= at and at - m.end <= MAX_SUBJECT_GAP and not m.possessive \
                and MASK not in masked[m.end:at]:
            best = m
    window = max(floor, at - 40)
    pronoun_end = None
    for p in re.finditer(r"\b(?:he|she|il|elle)\b", masked[window:at], re.IGNORECASE):
        pronoun_end = window + p.end()
    if pronoun_end is not None and (best is None or pronoun_end > best.end) \
            and _AUXILIARY.match(masked[pronoun_end:at] + " "):
        named = [m for m in here if m.end <= pronoun_end and not m.possessive]
        return named[-1].person if named else last_speaker
    return best.person if best else None


def _give_quotes(quotes: list[Quote], verbs: list[tuple[int, int, Person]],
                 here: list[Mention], source: str | None) -> None:
    """Each quotation goes to the speaker of the nearest verb, unless someone else is named
    between that verb and it ("X said Tillerson’s claims of “Iranian militias”"); a quotation
    split by its attribution ("“…,” he said, “…”") is joined."""
    given: list[tuple[Quote, Person]] = []
    for q in quotes:
        v_start, v_end, person = min(verbs, key=lambda v: min(abs(v[0] - q.close),
                                                              abs(v[1] - q.open)))
        lo, hi = (v_end, q.open) if v_end <= q.open else (q.close, v_start)
        others = [m for m in here if lo <= m.start < hi and (m.person is None
                                                              or m.person is not person)]
        if others and v_end <= q.open:
            between = [x for x in quotes if others[-1].end <= x.open < q.open]
            if not between:
                continue
        elif others:
            continue
        given.append((q, person))
    i = 0
    while i < len(given):
        q, person = given[i]
        parts = [q]
        while i + 1 < len(given) and given[i + 1][1] is person and parts[-1].continues \
                and given[i + 1][0].open - parts[-1].close <= 80:
            i += 1
            parts.append(given[i][0])
        person.said.append(Said(parts, source))
        i += 1


def _mostly_quoted(quotes: list[Quote], start: int, stop: int) -> bool:
    return sum(q.close - q.open for q in quotes) >= 0.7 * (stop - start)


def _quote_source(masked: str, start: int, stop: int, here: list[Mention]) -> str | None:
    """Where the words were said, as the article puts it: "On Twitter", "To reporters in
    Riyadh", "In an interview with Reuters"."""
    sentence = masked[start:stop]
    for pattern, fixed in _SOURCES:
        m = pattern.search(sentence)
        if not m:
            continue
        if fixed:
            return fixed
        found = " ".join(m.group().split()).rstrip(".,;:")
        if found.startswith("told ") and not found.startswith("told reporters"):
            whom = found[5:]
            if any(mm.name in whom or (mm.person and mm.person.name in whom) for mm in here):
                continue  # "told Tillerson": a person, not an outlet
            found = "to " + whom
        elif found.startswith("told reporters"):
            found = "to reporters" + found[len("told reporters"):]
            if " in " not in found and (place := _SPEAKING_IN.search(sentence)):
                found += " in " + place.group("place")
        return found[:1].upper() + found[1:]
    return None
