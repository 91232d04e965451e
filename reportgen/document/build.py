"""build_document: brief + profile -> Document, once per brief, for every writer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from reportgen.bidi_lines import mainly_rtl
from reportgen.brief import LoadedBrief
from reportgen.brief.markup import ListBlock
from reportgen.clock import document_time
from reportgen.document import cldr
from reportgen.document import typography as ty
from reportgen.document.figures import build_figures
from reportgen.document.labels import Labels, label_language, labels_for
from reportgen.document.model import (
    RTL_LANGUAGES,
    ActorEntry,
    Closing,
    Document,
    MemoLine,
    Meta,
    Section,
    SourceEntry,
)
from reportgen.errors import InputError
from reportgen.profile import LoadedProfile


def format_date(value: dt.date, tag: str, labels: Labels) -> str:
    """A date written out in the brief's locale with Babel: "24 October 2017",
    "24 octobre 2017", "24 أكتوبر 2017" (CLDR's Arabic default has Latin digits, the same digits
    the analyst types in the text, so a page never mixes two sets of numerals). A language with
    no label file still gets its own date, in the locale's long form ("24. Oktober 2017")."""
    pattern = labels["date_format"] if label_language(tag) else "long"
    return cldr.date_text(value, tag, labels.language, pattern)


def verbatim(value: str | Mapping[str, str], tag: str) -> str | None:
    """A disclaimer or donor note: one string printed whatever the language, or the entry for
    the brief's language (`fr-CA`, then `fr`); None when the mapping lacks it."""
    if isinstance(value, str):
        return value
    return value.get(tag) or value.get(ty.base_language(tag))


def build_document(doc: LoadedBrief, lp: LoadedProfile) -> Document:
    b, profile = doc.brief, lp.profile
    tag = b.language
    labels = labels_for(tag, _label_overrides(lp))
    line = lambda s: ty.set_line(s, tag)  # noqa: E731
    text = lambda t: ty.set_text(t, tag)  # noqa: E731

    authors = tuple(line(a) for a in b.authors)
    organisation = profile.name
    date_text = format_date(b.date, tag, labels)
    meta = Meta(
        title=line(b.title),
        subtitle=line(b.subtitle) if b.subtitle else None,
        authors=authors,
        author=labels.join(authors) if authors else organisation,
        byline=labels.fill("byline", authors=labels.join(authors)) if authors else None,
        subject=" ".join(ty.set_line(b.summary.plain, tag).split()),
        keywords=(profile.short_name, labels["document_label"], line(b.leverage.holder)),
        language=tag,
        direction="rtl" if ty.base_language(tag) in RTL_LANGUAGES else "ltr",
        date=b.date,
        date_text=date_text,
        created=document_time(b.date),
        organisation=organisation,
        short_name=profile.short_name,
        document_label=labels["document_label"],
    )

    actors = tuple(_actor(i, a, tag, labels) for i, a in enumerate(b.actors))
    points = ListBlock(tuple(ty.set_inline(item, tag)
                             for point in b.leverage.points for item in point.inlines()))
    summary, situation, outlook = text(b.summary), text(b.situation), text(b.outlook)
    sections = [
        Section("summary", labels["summary"], summary.blocks, summary),
        Section("situation", labels["situation"], situation.blocks, situation),
        Section("actors", labels["actors"], actors),
        Section("leverage", labels.leverage(line(b.leverage.holder)), (points,)),
        Section("outlook", labels["outlook"], outlook.blocks, outlook),
    ]
    if b.sources:
        sections.append(Section("sources", labels["sources"], tuple(
            SourceEntry(line(s.title), line(s.publisher) if s.publisher else None,
                        format_date(s.date, tag, labels) if s.date else None, s.url)
            for s in b.sources)))

    memo = (
        MemoLine(labels["memo_to"], line(b.memo.to), "to") if b.memo.to else None,
        MemoLine(labels["memo_from"], line(b.memo.from_) if b.memo.from_ else meta.author,
                 "from"),
        MemoLine(labels["memo_cc"], line(b.memo.cc), "cc") if b.memo.cc else None,
        MemoLine(labels["memo_date"], date_text, "date"),
        MemoLine(labels["memo_subject"], line(b.memo.subject) if b.memo.subject else meta.title,
                 "subject"),
    )
    closing = _closing(doc, lp, tag)
    figures = build_figures(doc, lp, labels)
    return Document(meta, tuple(sections), closing,
                    tuple(m for m in memo if m is not None), labels, lp, doc.path, doc.where,
                    figures.key_figures, figures.map, figures.images, figures.logo,
                    figures.warnings)


def _label_overrides(lp: LoadedProfile) -> dict[str, dict[str, str]]:
    """The profile's `labels:` per language; its older `document_label` key, when given, is
    the English masthead label (other languages use theirs unless `labels:` says otherwise)."""
    overrides = lp.profile.label_overrides
    if "document_label" in lp.profile.model_fields_set:
        overrides.setdefault("en", {}).setdefault("document_label", lp.profile.document_label)
    return overrides


ARABIC_QUOTE_MARKS = ("«", "»")


def _actor(index: int, actor, tag: str, labels: Labels) -> ActorEntry:
    source = ty.set_line(actor.quote_source, tag) if actor.quote_source else None
    comma = labels["list_separator"]  # "، " in Arabic
    role_line = comma.join(ty.set_line(p, tag) for p in (actor.role, actor.affiliation) if p)
    marks = (labels["quote_open"], labels["quote_close"])
    if actor.quote and mainly_rtl("".join(span.text for span in actor.quote)):
        # an Arabic quote reads right to left even in an English brief: it takes the Arabic
        # marks « », which the right-to-left line mirrors into place (“ ” would stand reversed)
        marks = ARABIC_QUOTE_MARKS
    return ActorEntry(
        name=ty.set_line(actor.name, tag),
        role_line=role_line,
        url=actor.url,
        stance=ty.set_text(actor.stance, tag) if actor.stance else None,
        quote=ty.set_inline(actor.quote, tag) if actor.quote else None,
        quote_open=marks[0],
        quote_close=marks[1],
        attribution=ty.nonbreaking_join("—", source) if source else None,
        quote_source=source,
        index=index,
        role=ty.set_line(actor.role, tag) if actor.role else "",
        affiliation=ty.set_line(actor.affiliation, tag) if actor.affiliation else "",
        featured=actor.featured,
        credit_after_name=credit_after_name(role_line, source, comma),
    )


def credit_after_name(role_line: str, source: str | None, comma: str = ", ") -> str:
    """", Role, Affiliation · Source": what follows a speaker's name under a quote that stands
    apart from their entry; the same words in every writer that sets one."""
    return (f"{comma}{role_line}" if role_line else "") + (f" · {source}" if source else "")


def _closing(doc: LoadedBrief, lp: LoadedProfile, tag: str) -> Closing:
    profile = lp.profile
    missing = []
    disclaimer = verbatim(profile.disclaimer, tag)
    if disclaimer is None:
        missing.append("disclaimer")
    donor = profile.donor_note
    donor_text = verbatim(donor.text, tag)
    link_text = verbatim(donor.link_text, tag)
    if donor_text is None or link_text is None:
        missing.append("donor_note")
    if missing:
        raise InputError([doc.where.diagnostic(("language",), (
            f"the profile {lp.folder / 'profile.yaml'} gives its {' and '.join(missing)} per "
            f"language but not in {tag!r}; add it there (it is printed verbatim, so reportgen "
            "never translates it)"))])
    before, _, after = donor_text.partition(link_text)
    return Closing(disclaimer, before, link_text, after, donor.url)

