"""`reportgen draft ARTICLE`: start a brief from the article it is about.

article.py reads and bounds the input (text, Markdown or HTML through trafilatura), people.py
finds who is quoted or named with a role and their verbatim quotes, write.py writes the YAML.
The judgement (summary, leverage, outlook, stances) is left to the analyst as TODOs.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from reportgen.errors import InputError, UsageError, WriteError

_NAME = re.compile(r"[^a-z0-9]+")


def today() -> dt.date:
    """The date a draft gets when the article has none (tests replace this function)."""
    return dt.date.today()


def default_target(article: str, title: str | None) -> Path:
    """briefs/<article file name>.yaml, or briefs/<headline words>.yaml for standard input."""
    stem = Path(article).stem if article != "-" else " ".join((title or "").split()[:6])
    stem = _NAME.sub("-", stem.lower()).strip("-")[:80].strip("-") or "draft"
    return Path("briefs") / f"{stem}.yaml"


def _exists(path: Path) -> UsageError:
    return UsageError(f"{path} already exists; nothing was written. Give another --out or "
                      "delete the file first")


def _cut_texts(profile) -> tuple[list[str], str]:
    """The profile's disclaimer and donor note (every language), and the organisation's name."""
    p = profile.profile
    texts = []
    for value in (p.disclaimer, p.donor_note.text):
        texts += list(value.values()) if isinstance(value, dict) else [value]
    return texts, p.name


def draft_article(article: str, out: Path | None, profile: str = "mei",
                  language: str | None = None, templates: Path | None = None,
                  stdin: bytes | None = None) -> tuple[list[str], list[str]]:
    """Write the draft; returns (lines for stdout, warnings for stderr)."""
    from reportgen.draft.article import load_article
    from reportgen.draft.people import find_people
    from reportgen.draft.write import brief_text, summary_line
    from reportgen.fsio import write_new
    from reportgen.patterns import LANGUAGE_TAG, matches
    from reportgen.profile import find_profile

    if language is not None and not matches(LANGUAGE_TAG, language):
        raise UsageError(f"--language {language!r} is not a BCP 47 language tag such as 'en' "
                         "or 'fr'")
    if out is not None and out.exists():
        raise _exists(out)
    try:
        loaded_profile = find_profile(profile, templates)
    except InputError as exc:
        raise UsageError("\n".join(f"--profile {profile}: {d.message}"
                                   for d in exc.diagnostics)) from None
    cut, organisation = _cut_texts(loaded_profile)
    doc = load_article(article, cut, stdin)
    target = out or default_target(article, doc.title)
    if target.exists():
        raise _exists(target)
    warnings = []
    date, dated_today = doc.date, doc.date is None
    if date is None:
        date = today()
        warnings.append(f"{doc.source}: warning: no publication date found in the article; "
                        f"the brief is dated today ({date.isoformat()}): correct `date:`")
    people = find_people(doc.text)
    for person in people:
        for said in person.said:
            for part in said.parts:  # the promise every quote keeps
                if doc.text[part.start:part.end] != part.text:
                    raise AssertionError(f"quote not verbatim: {part}")
    drafted = brief_text(doc, people, profile=profile, language=language or doc.language or "en",
                         date=date, dated_today=dated_today,
                         publisher=doc.publisher or (organisation if doc.cut else None),
                         drafted_on=today())
    _check(drafted.text, target)
    try:
        write_new(target, drafted.text.encode("utf-8"))
    except FileExistsError:
        raise _exists(target) from None
    except OSError as exc:
        raise WriteError.from_os_error(exc, target) from None
    said = [f"wrote {target}", summary_line(drafted)]
    if doc.cut:
        said.append("left out the organisation's own disclaimer and donor note at the end of "
                    "the article")
    said.append(f"next: check every name and quote against the article, replace the TODOs, "
                f"then `reportgen validate {target}`")
    return said, warnings


def _check(text: str, target: Path) -> None:
    """The draft must load as a brief; if it does not, that is a bug here (exit 70)."""
    from reportgen.brief import Brief
    from reportgen.brief.loader import parse_yaml_mapping
    from reportgen.brief.validate import validate_loaded

    try:
        validate_loaded(parse_yaml_mapping(str(target), text), Brief)
    except InputError as exc:
        raise AssertionError("the drafted brief does not validate:\n" + "\n".join(
            d.format() for d in exc.diagnostics)) from None


__all__ = ["draft_article", "today"]
