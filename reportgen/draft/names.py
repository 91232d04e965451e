"""Names in an article: capitalised runs of words, the titles before them, the roles in
apposition after them ("Qais al-Khazali, the head of Asa’ib Ahl al-Haq,"), and affiliations
("Iraqi" -> Iraq, "P.M.F." -> Popular Mobilization Forces when the article spells it out).

Each name found is a `Mention`; people.py decides which mentions are people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportgen.draft.lexicon import (
    ABBREVIATIONS,
    ARABIC_TITLES,
    ARABIC_VERBS,
    DEMONYMS,
    FRENCH_TITLES,
    ORG_WORDS,
    ROLE_NOUNS,
    STOP_WORDS,
    TITLES,
)

if TYPE_CHECKING:
    from reportgen.draft.people import Person

# Only the words a name can be made of: capitalised words, "al-Amiri", particles and "of";
# lowercase prose is skipped by the regex engine, which keeps a 1 MB article fast.
_ARTICLE = r"(?:al|el|ad|as|ash|at|ar|az|an|ul|ud)[-‐]"
_TOKEN = re.compile(
    r"(?<![\w’'.\-])(?:[A-ZÀ-ÖØ-ÞĀ-Ž]|" + _ARTICLE + r"[^\W\d_])(?:[\w’'.\-]*[\w.])?"
    r"|(?<![\w’'.\-])(?:al|el|ad|as|ash|at|ar|az|an|ul|ud|bin|ibn|bint|abu|de|du|da|di|van|"
    r"von|der|den|del|della|dos|das|le|la|of|for|des)(?![\w’'\-])")
_PARTICLE = re.compile(r"^(?:al|el|ad|as|ash|at|ar|az|an|ul|ud|bin|ibn|bint|abu|de|du|da|di|"
                       r"van|von|der|den|del|della|dos|das|le|la)$|^(?:al|el|ad|as|ash|at|ar|az|"
                       r"an|ul|ud)[-‐]\w")
_CONNECTORS = {"of", "for", "de", "du", "des"}
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")
_ACRONYM_DEF = re.compile(r"\(([A-Z](?:\.?[A-Z&]){1,10}\.?)\)")
_ROLE_ALT = "|".join(sorted((re.escape(r) for r in ROLE_NOUNS), key=len, reverse=True))
_APPOSITION = re.compile(
    r",\s+(?:(?:the|a|an|its|his|her|their|le|la|l’|un|une)\s+)?"
    rf"(?P<role>(?:[\w’'\-]+\s+){{0,3}}?(?:{_ROLE_ALT}))\b"
    r"(?:\s+(?P<prep>of|for|at|with|in|to|de la|de l’|des|du|de|d’|à la|au|à)\s*"
    r"(?:the\s+)?(?P<org>[^,;:“”\"«»()\x01]{2,80}?))?"
    r"\s*(?=[,.;]|\s+who\b|\s+qui\b|\)|\s+(?:said|says|told|a\s+\w+é)\b)", re.IGNORECASE)
# A lowercase title just before a name: "le ministre des Affaires étrangères Étienne Morel",
# "Houthi spokesman Mohammed Abdulsalam" (the capitalised word before it is the affiliation).
_FRENCH_TITLE = re.compile(
    r"\b(?:le|la|l’|du|de la|au)\s+(?P<role>(?:" + "|".join(FRENCH_TITLES) + r")"
    r"(?:\s+(?:de la|de l’|des|du|de|d’)\s*[\w’\- ]{2,40}?)?)\s+$", re.IGNORECASE)
_ENGLISH_TITLE = re.compile(
    r"(?:^|[\s(])(?P<aff>[A-Z][\w’'.\-]*(?:\s+[A-Z][\w’'.\-]*){0,2}\s+)?"
    r"(?P<role>(?:(?:former|deputy|senior|chief|top|acting)\s+)?(?:spokesman|spokeswoman|"
    r"spokesperson|leader|commander|minister|envoy|official|lawmaker|cleric|negotiator|"
    r"diplomat|analyst|chief|general|adviser|advisor|ambassador))\s+$")


@dataclass
class Mention:
    start: int
    end: int
    name: str
    run_start: int
    role: str | None = None
    affiliation: str | None = None
    titled: bool = False
    possessive: bool = False
    person: Person | None = None



def bare(token: str) -> str:
    """A surname compared without its article: al-Abadi and Abadi are one name."""
    return re.sub(r"^(?:al|el|ad|as|ash|at|ar|az|an)[-‐]", "", token).lower()


@dataclass
class _Token:
    start: int
    end: int
    text: str  # without a possessive ending
    possessive: bool

    @property
    def capital(self) -> bool:
        """Capitalised, or a surname with its article (al-Khazali)."""
        return self.text[:1].isupper() or bool(re.match(r"^(?:al|el|ad|as|ash|at|ar|az|an|"
                                                         r"ul|ud)[-‐][^\W\d_]", self.text))


def _runs(masked: str, start: int, stop: int) -> list[list[_Token]]:
    """Runs of capitalised words (with name particles and "of" inside) in a sentence."""
    runs: list[list[_Token]] = []
    run: list[_Token] = []
    for m in _TOKEN.finditer(masked, start, stop):
        word = m.group()
        if word.endswith(".") and not (re.fullmatch(r"(?:[A-Za-z]\.)+", word)
                                       or word[:-1] in ABBREVIATIONS):
            word = word[:-1]
        possessive = bool(_POSSESSIVE.search(word)) and len(word) > 3
        clean = _POSSESSIVE.sub("", word) if possessive else word
        token = _Token(m.start(), m.start() + len(clean), clean, possessive)
        gap = masked[run[-1].end:m.start()] if run else ""
        joined = run and (gap.strip() == "" or (run[-1].possessive and gap in ("’s ", "'s ")))
        namelike = token.capital or _PARTICLE.match(clean) or clean in _CONNECTORS
        if run and (not joined or not namelike):
            runs.append(run)
            run = []
        if namelike:
            run.append(token)
        if len(word) < len(m.group()):  # a full stop ended the word: the run ends with it
            runs.append(run)
            run = []
    runs.append(run)
    out = []
    for run in runs:
        while run and (not run[-1].capital):
            run.pop()
        while run and (not run[0].capital or run[0].text in STOP_WORDS):
            run.pop(0)
        if run:
            out.append(run)
    return out


def _is_name(tokens: list[_Token]) -> bool:
    if not 1 <= len(tokens) <= 4 or not tokens[0].capital or not tokens[-1].capital:
        return False
    for t in tokens:
        if t.text in ORG_WORDS or t.text in STOP_WORDS or t.text in _CONNECTORS:
            return False
        if len(t.text) > 1 and t.text.replace(".", "").isupper():
            return False  # an acronym or a dateline (BAGHDAD), not a name
        if any(ch.isdigit() for ch in t.text):
            return False
    return all(t.possessive is False for t in tokens[:-1])


HAS_ARABIC = re.compile(r"[\u0621-\u064a]")
# Arabic names have no capitals: a name is the two words between a title phrase after a
# speech verb and the إن/أن/: that opens the reported words.
_ARABIC_SPEAKER = re.compile(
    r"(?<!\w)(?:" + "|".join(sorted(ARABIC_VERBS, key=len, reverse=True)) + r")\s+"
    r"(?P<role>(?:" + "|".join(ARABIC_TITLES) + r")(?:\s+[^\s:،.«»“”\x01]+){0,6}?)\s+"
    r"(?P<name>[\u0621-\u064a]+\s+[\u0621-\u064a]+)\s*(?=إن|أن|:|،|\x01)")


def _arabic_mentions(text: str, masked: str, sentence: tuple[int, int]) -> list[Mention]:
    out = []
    for m in _ARABIC_SPEAKER.finditer(masked, *sentence):
        out.append(Mention(m.start("name"), m.end("name"), m.group("name"), m.start("role"),
                           role=" ".join(m.group("role").split()), titled=True))
    return out


def mentions_in(text: str, masked: str, sentence: tuple[int, int],
              acronyms: dict[str, str]) -> list[Mention]:
    out = _arabic_mentions(text, masked, sentence) if HAS_ARABIC.search(
        masked, *sentence) else []
    for run in _runs(masked, *sentence):
        mention = _parse_run(text, run, acronyms)
        if mention is None:
            continue
        if not mention.titled:
            _role_before(text, mention, sentence[0], acronyms)
        if mention.role is None:
            _apposition(masked, mention, sentence[1], acronyms)
        out.append(mention)
    return out


_TITLE_FIRST = {t[0] for t in TITLES}


def _parse_run(text: str, run: list[_Token], acronyms: dict[str, str]) -> Mention | None:
    words = [t.text for t in run]
    for i in range(len(run)):
        if words[i] not in _TITLE_FIRST:
            continue
        for title in TITLES:
            if tuple(words[i:i + len(title)]) != title:
                continue
            rest = run[i + len(title):]
            role_extra: list[_Token] = []
            after: list[_Token] = []
            if rest and rest[0].text in _CONNECTORS and len(rest) >= 3:
                role_extra, rest = rest[:-2], rest[-2:]  # "Minister of Defense Ali Shamkhani"
            elif any(t.text in _CONNECTORS for t in rest[1:]):  # "Ambassador X Y of Britain"
                k = next(k for k, t in enumerate(rest) if k and t.text in _CONNECTORS)
                rest, after = rest[:k], rest[k + 1:]
            if not _is_name(rest):
                break
            pre = run[:i]
            own = [t for t in pre if t.possessive]
            role_words = [*words[i:i + len(title)], *[t.text for t in role_extra]]
            affiliation = None
            if own:
                k = pre.index(own[-1])
                affiliation = " ".join(t.text for t in pre[:k + 1])
                role_words = [t.text for t in pre[k + 1:]] + role_words
            elif pre:
                affiliation = " ".join(t.text for t in pre)
            elif after:
                affiliation = " ".join(t.text for t in after)
            return Mention(rest[0].start, rest[-1].end, _span(text, rest), run[0].start,
                           role=" ".join(role_words), affiliation=_expand(affiliation, acronyms),
                           titled=True, possessive=rest[-1].possessive)
    # No title: a name of its own, or "Iraq’s Haider al-Abadi" (a possessive before it).
    own = [k for k, t in enumerate(run[:-1]) if t.possessive]
    if own:
        run = run[own[-1] + 1:]
    if not _is_name(run):
        return None
    return Mention(run[0].start, run[-1].end, _span(text, run), run[0].start,
                   possessive=run[-1].possessive)


def _span(text: str, tokens: list[_Token]) -> str:
    return " ".join(text[tokens[0].start:tokens[-1].end].split())


def _role_before(text: str, mention: Mention, floor: int, acronyms: dict[str, str]) -> None:
    lead = max(floor, mention.run_start - 80)
    before = text[lead:mention.run_start]
    m = _FRENCH_TITLE.search(before)
    if m:
        role = " ".join(m.group("role").split())
        mention.role = role[:1].upper() + role[1:]
    elif (m := _ENGLISH_TITLE.search(before)):
        role = m.group("role")
        mention.role = role[:1].upper() + role[1:]
        if m.group("aff") and m.group("aff").split()[0] not in STOP_WORDS:
            mention.affiliation = _expand(" ".join(m.group("aff").split()), acronyms)
        mention.titled = True
        mention.run_start = lead + (m.start("aff") if m.group("aff") else m.start("role"))
        return
    else:
        return
    mention.titled = True
    mention.run_start = lead + m.start()


def _apposition(masked: str, mention: Mention, stop: int, acronyms: dict[str, str]) -> None:
    m = _APPOSITION.match(masked, mention.end, min(stop, mention.end + 200))
    if not m:
        return
    role = " ".join(m.group("role").split())
    affiliation = m.group("org")
    own = re.match(r"^(.*?)(?:’s|'s)\s+(.*)$", role)
    if own:  # "X, Iraq’s foreign minister, said"
        affiliation, role = own.group(1), own.group(2)
    if affiliation:
        affiliation = re.sub(r"^(?:the|la|le|l’)\s+", "", " ".join(affiliation.split()))
    mention.role = role[:1].upper() + role[1:]
    mention.affiliation = _expand(affiliation, acronyms)


def acronyms(text: str) -> dict[str, str]:
    """{"P.M.F.": "Popular Mobilization Forces"} from "Popular Mobilization Forces (P.M.F.)"."""
    out = {}
    for m in list(_ACRONYM_DEF.finditer(text))[:200]:
        letters = re.sub(r"[^A-Z]", "", m.group(1))
        before = text[max(0, m.start() - 120):m.start()].split()
        words = [w for w in before if w not in ("of", "the", "and", "for", "de", "des", "du")]
        picked = words[-len(letters):] if len(words) >= len(letters) else []
        if picked and "".join(w[0] for w in picked) == letters:
            first = before.index(picked[0], max(0, len(before) - 2 * len(letters) - 2))
            out[m.group(1)] = " ".join(before[first:])
    return out


def _expand(affiliation: str | None, acronyms: dict[str, str]) -> str | None:
    if not affiliation:
        return None
    affiliation = re.sub(r"^(?:The|the)\s+", "", affiliation)
    return DEMONYMS.get(affiliation) or acronyms.get(affiliation) or affiliation
