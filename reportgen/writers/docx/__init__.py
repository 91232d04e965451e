"""DOCX memo (python-docx): a real Word document an analyst sends and editors keep working on.

`render` opens the base (the profile's reference `memo.docx`, emptied, or python-docx's
default), completes its style sheet from the profile (`look`), writes the memo (`memo`), then
sets properties, embeds the fonts and rewrites the zip so the bytes depend only on the input
(`package`).
"""

from __future__ import annotations

import io

from reportgen.brief import LoadedBrief
from reportgen.clock import document_time
from reportgen.errors import InputError, RenderError
from reportgen.fonts import has_arabic
from reportgen.profile import LoadedProfile
from reportgen.writers.wording import author_of


def render(doc: LoadedBrief, lp: LoadedProfile) -> bytes:
    from docx.oxml.ns import qn
    from docx.shared import Emu

    from reportgen.writers.docx.look import Look, StyleClash
    from reportgen.writers.docx.memo import (
        MemoWriter,
        memo_lines,
        set_compat_mode,
        set_page,
        write_footer,
        write_header,
    )
    from reportgen.writers.docx.package import (
        Properties,
        embed_fonts,
        open_base,
        prune_body_rels,
        set_properties,
    )
    from reportgen.writers.zipstable import stable_zip

    check_fonts_cover(doc, lp)
    brief, profile = doc.brief, lp.profile
    when = document_time(brief.date)
    reference = lp.reference("memo.docx")
    builtin = reference is None
    base = open_base(reference)
    section = base.sections[0]
    if builtin:
        set_page(section, profile)
        set_compat_mode(base, 15)
    text_width = Emu(section.page_width - section.left_margin - section.right_margin).pt
    if text_width <= 72:
        raise RenderError(f"{reference}: its page leaves only {text_width:.0f} pt between the "
                          f"margins; the memo needs more room")

    look = Look(base, profile, builtin, brief.language)
    try:
        ids = look.apply(text_width)
    except StyleClash as exc:
        raise RenderError(f"{reference}: {exc}; rename that style in the reference memo") \
            from None
    MemoWriter(base, brief, profile, ids, look.numbering, text_width).write()
    if builtin:
        write_header(section, base, profile, ids)
    write_footer(section, base, profile, ids, text_width, builtin)
    prune_body_rels(base)

    subject = dict(memo_lines(brief, profile))["SUBJECT"]
    set_properties(base, Properties(
        title=brief.title,
        author=author_of(brief.authors, profile.name),
        subject=subject,
        keywords="; ".join([profile.short_name, "memo", brief.leverage.holder]),
        language=brief.language,
        description=brief.summary.plain,
        category="Memo",
        organisation=profile.name,
        when=when,
    ))

    text = "".join(t.text or "" for part in _story_parts(base, section)
                   for t in part.iter(qn("w:t")))
    embed_fonts(base, _families(base, profile, builtin, has_arabic(text)), text)

    buf = io.BytesIO()
    base.save(buf)
    return stable_zip(buf.getvalue(), when)


def check_fonts_cover(doc: LoadedBrief, lp: LoadedProfile) -> None:
    """Refuse, like the PDF and the deck, a brief with a character the profile's fonts lack:
    the embedded font would show an empty box. Without the font package there is nothing to
    embed or check against; the memo then only names the font and Word substitutes its own."""
    from reportgen.glyphs import check_glyphs, profile_families

    try:
        profile_families(lp)
    except InputError:
        return
    check_glyphs(doc, lp)


def _story_parts(base, section):
    yield base.element
    for hf in (section.header, section.footer, section.first_page_footer,
               section.even_page_footer):
        if not hf.is_linked_to_previous:
            yield hf._element


def _families(base, profile, builtin: bool, arabic: bool):
    """The fonts to embed: the body family in the built-in look (a reference brings its own
    fonts, but one that embeds the body family, e.g. a saved reportgen memo, gets it afresh
    for this memo's characters), and the Arabic family when there is Arabic text."""
    from reportgen.fonts import family
    from reportgen.writers.docx.package import (
        ARABIC_REPERTOIRE,
        LATIN_REPERTOIRE,
        EmbeddedFamily,
        embeds_font,
    )

    wanted = []
    if builtin or embeds_font(base, profile.fonts.body):
        wanted.append((profile.fonts.body, LATIN_REPERTOIRE))
    if arabic:
        wanted.append((profile.fonts.arabic, ARABIC_REPERTOIRE))
    out = []
    for name, repertoire in wanted:
        try:
            fam = family(name)
        except RenderError:
            continue  # not installed: Word falls back to a font of the reader's machine
        out.append(EmbeddedFamily(name, dict(fam.files), tuple(repertoire)))
    return out


__all__ = ["render"]
