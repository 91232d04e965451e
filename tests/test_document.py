"""The document plan on its own (no writer): labels, dates, typography, the closing block."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from reportgen.brief.markup import Span
from reportgen.document import build_document, labels_for, supported_languages
from reportgen.document.build import verbatim
from reportgen.document.labels import label_keys, placeholders
from reportgen.document.typography import (
    NARROW_NBSP,
    NB_HYPHEN,
    NBSP,
    remove_invisibles,
    set_inline,
    set_line,
)
from reportgen.pipeline import prepare
from tests.conftest import DISCLAIMER, DONOR_NOTE


def plan(path):
    job = prepare(path)
    return build_document(job.doc, job.profile)


def headings(document) -> list[str]:
    return [s.heading for s in document.sections]


def test_english_headings_and_date(sample_brief):
    d = plan(sample_brief)
    assert headings(d) == ["Bottom line", "Situation", "Actors", "Iran’s leverage", "Outlook",
                           "Sources"]
    assert d.meta.date_text == "24 October 2017"
    assert [m.label for m in d.memo] == ["TO", "FROM", "DATE", "SUBJECT"]


def test_french_headings_date_and_memo_labels(write_brief):
    d = plan(write_brief(language="fr-CA"))
    assert headings(d) == ["L’essentiel", "Situation", "Acteurs", "Les leviers d’Iran",
                           "Perspectives", "Sources"]
    assert d.meta.date_text == "24 octobre 2017"
    assert [m.label for m in d.memo] == ["DESTINATAIRES", "DE", "DATE", "OBJET"]
    assert d.labels.fill("page_of", page=1, pages=2) == "Page 1 sur 2"
    assert d.meta.direction == "ltr"


def test_arabic_headings_date_and_direction(write_brief):
    d = plan(write_brief(language="ar"))
    assert headings(d)[:3] == ["الخلاصة", "الوضع", "الأطراف الفاعلة"]
    assert headings(d)[3] == "أوراق ضغط Iran"
    assert d.meta.date_text == "24 أكتوبر 2017"
    assert d.meta.direction == "rtl"


def test_unknown_language_falls_back_to_english(write_brief):
    d = plan(write_brief(language="de-CH"))
    assert d.labels.language == "en"
    assert headings(d)[0] == "Bottom line"
    assert d.meta.date_text == "24. Oktober 2017"  # the date is still the brief's locale


def test_french_leverage_heading_elides_de_before_a_vowel(write_brief, sample_data):
    assert plan(write_brief(language="fr")).section("leverage").heading == "Les leviers d’Iran"
    leverage = dict(sample_data["leverage"], holder="la Turquie")
    assert plan(write_brief(language="fr", leverage=leverage)).section("leverage").heading == \
        "Les leviers de la Turquie"


def test_label_fill_interprets_nothing_but_its_placeholders():
    from reportgen.document.labels import Labels

    labels = Labels("en", {"byline": "By {authors} {{not a field}} {0}"})
    assert labels.fill("byline", authors="{x}") == "By {x} {{not a field}} {0}"


def test_leverage_heading_keeps_english_possessive_after_s(write_brief, sample_data):
    leverage = dict(sample_data["leverage"], holder="United States")
    assert plan(write_brief(leverage=leverage)).section("leverage").heading == \
        "United States’ leverage"


def test_every_label_file_has_every_key_with_the_same_placeholders():
    english = labels_for("en").words
    assert set(supported_languages()) == {"en", "fr", "ar"}
    for lang in supported_languages():
        words = labels_for(lang).words
        assert set(words) == label_keys(), lang
        for key, text in words.items():
            assert placeholders(text) == placeholders(english[key]), (lang, key)


def test_byline_joins_authors_in_the_language(write_brief):
    d = plan(write_brief(authors=["A. Analyst", "B. Scholar", "C. Writer"], language="fr"))
    assert d.meta.byline == "Par A. Analyst, B. Scholar et C. Writer"
    assert plan(write_brief(authors=["A", "B"])).meta.byline == "By A and B"


# --- typography ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ('He said "go home" today', "He said “go home” today"),
    ("Lebanon's army", "Lebanon’s army"),
    ("the 'resistance' axis", "the ‘resistance’ axis"),
    ('"Quoted" at the start', "“Quoted” at the start"),
    ('(a "b")', "(a “b”)"),
])
def test_english_quotes_become_typographic(raw, expected):
    assert set_line(raw, "en") == expected


def test_french_quotes_are_guillemets_with_narrow_no_break_spaces():
    assert set_line('Il a dit "rentrez chez vous" hier', "fr") == \
        f"Il a dit «{NARROW_NBSP}rentrez chez vous{NARROW_NBSP}» hier"
    assert set_line("l'Irak", "fr") == "l’Irak"
    assert set_line("« déjà »", "fr") == f"«{NARROW_NBSP}déjà{NARROW_NBSP}»"


def test_quotes_pair_across_formatting_runs():
    spans = (Span('He said "'), Span("go", bold=True), Span(' home" today'))
    assert "".join(s.text for s in set_inline(spans, "en")) == "He said “go home” today"


def test_link_targets_are_never_touched():
    spans = (Span("Bab el-Mandeb's", href="https://ex.com/el-a'b"),)
    out = set_inline(spans, "en")
    assert out[0].href == "https://ex.com/el-a'b"
    assert out[0].text == f"Bab el{NB_HYPHEN}Mandeb’s"


@pytest.mark.parametrize("raw, expected", [
    ("Haider al-Abadi", f"Haider al{NB_HYPHEN}Abadi"),
    ("Bab el-Mandeb", f"Bab el{NB_HYPHEN}Mandeb"),
    ("Asa’ib Ahl al-Haq", f"Asa’ib Ahl al{NB_HYPHEN}Haq"),
    ("Abu-Bakr bin-Laden", f"Abu{NB_HYPHEN}Bakr bin{NB_HYPHEN}Laden"),
    ("Iran-aligned self-styled", "Iran-aligned self-styled"),
])
def test_article_prefixed_names_never_break_after_the_prefix(raw, expected):
    assert set_line(raw, "en") == expected


def test_arabic_name_in_brackets_stays_on_one_line():
    assert set_line("Hadi al-Amiri (هادي العامري) said", "en") == \
        f"Hadi al{NB_HYPHEN}Amiri (هادي{NBSP}العامري) said"


def test_bidi_controls_and_zero_width_characters_are_removed():
    assert remove_invisibles("\u202eevil\u202c \u2067x\u2069\u200b\u200e") == "evil x"
    # ZWNJ between two Arabic letters shapes the word; elsewhere it is noise
    assert remove_invisibles("می\u200cخواهم a\u200cb") == "می\u200cخواهم ab"


def test_quote_attribution_dash_is_joined_to_its_source(sample_brief):
    actor = plan(sample_brief).section("actors").actors[0]
    assert actor.attribution.startswith("—" + NBSP)
    assert (actor.quote_open, actor.quote_close) == ("“", "”")


def test_typography_reaches_every_section(write_brief, sample_data):
    actors = [dict(sample_data["actors"][0], name="Qais al-Khazali",
                   stance='Says "leave now"', quote="it's over")]
    d = plan(write_brief(title="Iraq's militias", actors=actors,
                         situation='The "P.M.F." said so.', outlook=["It's likely."]))
    assert d.meta.title == "Iraq’s militias"
    assert d.section("situation").blocks[0].plain == "The “P.M.F.” said so."
    entry = d.section("actors").actors[0]
    assert entry.name == f"Qais al{NB_HYPHEN}Khazali"
    assert entry.stance.plain == "Says “leave now”"
    assert entry.quote[0].text == "it’s over"
    assert d.section("outlook").blocks[0].items[0][0].text == "It’s likely."


# --- the closing block --------------------------------------------------------------------

def test_disclaimer_and_donor_note_are_verbatim_whatever_the_language(write_brief):
    for lang in ("en", "fr", "ar"):
        closing = plan(write_brief(language=lang)).closing
        assert closing.disclaimer == DISCLAIMER
        assert closing.donor_note == DONOR_NOTE


def test_verbatim_text_per_language():
    given = {"en": "English text", "fr": "Texte français"}
    assert verbatim("One string", "ar") == "One string"
    assert verbatim(given, "fr-CA") == "Texte français"
    assert verbatim(given, "ar") is None


def test_document_time_is_the_one_clock(sample_brief, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert plan(sample_brief).meta.created == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# --- profile overrides and per-language texts ----------------------------------------------

PER_LANGUAGE = """disclaimer:
  en: The institute is independent.
  fr: L’institut est indépendant.
donor_note:
  text:
    en: For a listing of donors, please click here.
    fr: Pour la liste des donateurs, cliquez ici.
  link_text:
    en: click here
    fr: cliquez ici
  url: https://mei.edu/policies/donor-policy
"""


def with_profile(tmp_path, edit):
    from tests.test_profile import copy_profile

    copy_profile(tmp_path / "templates", edit=edit)
    return tmp_path / "templates"


def plan_with(brief, templates):
    job = prepare(brief, templates)
    return build_document(job.doc, job.profile)


def per_language(text: str) -> str:
    head = text[:text.index("disclaimer:")]
    tail = text[text.index("colors:"):]
    return head + PER_LANGUAGE + tail


def test_profile_overrides_a_label_in_one_language(tmp_path, write_brief):
    templates = with_profile(tmp_path, lambda t: t + "labels:\n  fr: {summary: En bref}\n")
    assert plan_with(write_brief(language="fr"), templates).sections[0].heading == "En bref"
    assert plan_with(write_brief(), templates).sections[0].heading == "Bottom line"


@pytest.mark.parametrize("labels, message", [
    ("  fr: {sumary: En bref}", "32:8: labels.fr.sumary: unknown key 'sumary' (did you mean "
                                "'summary'?)"),
    ("  de: {summary: Fazit}", "32:7: labels.de: input should be 'en', 'ar' or 'fr'"),
    ("  en: {leverage: Leverage}", "32:18: labels.en.leverage: 'Leverage' must contain exactly "
                                   "{holder} (written just so: no spaces or formatting inside "
                                   "the braces, no other braces)"),
    # a format spec would let a profile blow a label up to any size
    ("  en: {byline: 'By {authors:>300000000}'}", "32:16: labels.en.byline: 'By "
     "{authors:>300000000}' must contain exactly {authors} (written just so: no spaces or "
     "formatting inside the braces, no other braces)"),
])
def test_bad_label_overrides_are_errors_in_the_profile(tmp_path, write_brief, labels, message):
    from reportgen.errors import InputError

    templates = with_profile(tmp_path, lambda t: t + "labels:\n" + labels + "\n")
    with pytest.raises(InputError) as caught:
        prepare(write_brief(), templates)
    [line] = caught.value.lines()
    assert line == f"{templates / 'mei' / 'profile.yaml'}:{message}"


def test_disclaimer_per_language_is_chosen_by_the_brief(tmp_path, write_brief):
    templates = with_profile(tmp_path, per_language)
    closing = plan_with(write_brief(language="fr-CA"), templates).closing
    assert closing.disclaimer == "L’institut est indépendant."
    assert (closing.donor_before, closing.donor_link_text, closing.donor_after) == \
        ("Pour la liste des donateurs, ", "cliquez ici", ".")


def test_disclaimer_missing_for_the_brief_language_is_an_error_at_language(tmp_path,
                                                                             write_brief):
    from reportgen.errors import InputError

    templates = with_profile(tmp_path, per_language)
    brief = write_brief(language="ar")
    with pytest.raises(InputError) as caught:
        plan_with(brief, templates)
    [diag] = caught.value.diagnostics
    assert (diag.path, diag.key) == (str(brief), "language")
    assert "gives its disclaimer and donor_note per language but not in 'ar'" in diag.message
    assert str(templates / "mei" / "profile.yaml") in diag.message


def test_schema_names_the_supported_languages():
    from reportgen.authoring.schema import schema_text

    description = json.loads(schema_text())["properties"]["language"]["description"]
    listed = description.split("(")[1].split(")")[0]
    assert listed == ", ".join(sorted(supported_languages(), key=["en", "fr", "ar"].index))


@pytest.mark.parametrize("raw, expected", [
    ("see https://ex.com/x'y and www.a.org/b-'c'", "see https://ex.com/x'y and www.a.org/b-'c'"),
    ('He said "go to https://x.org/a" now', "He said “go to https://x.org/a” now"),
    ("Bab el-Mandeb's site https://el-a.com/al-b", f"Bab el{NB_HYPHEN}Mandeb’s site "
                                                  "https://el-a.com/al-b"),
    ("in the '90s", "in the ’90s"),
])
def test_addresses_written_in_the_text_are_never_touched(raw, expected):
    assert set_line(raw, "en") == expected


def test_a_quote_apart_from_its_speaker_is_credited_in_one_wording(sample_brief):
    actor = plan(sample_brief).section("actors").actors[0]
    assert actor.credit_after_name == (", Secretary of State, United States · To reporters in "
                                       "Riyadh, before leaving for Baghdad")


def test_an_arabic_quote_in_an_english_brief_takes_arabic_quotation_marks(write_brief,
                                                                            sample_data):
    actors = [dict(a) for a in sample_data["actors"]]
    actors[0]["quote"] = "عليكم سحب القوات العسكرية من بلدنا العراق فورًا"
    document = prepare(write_brief("arquote", actors=actors)).document
    first, second = document.sections[2].actors[:2]
    assert (first.quote_open, first.quote_close) == ("«", "»")
    assert (second.quote_open, second.quote_close) == ("“", "”")  # English stays English


@pytest.mark.parametrize("language", supported_languages())
def test_label_files_read_the_same_as_the_pure_python_loader_reads_them(language):
    import yaml

    from reportgen import labels

    text = (labels.LABELS_DIR / f"{language}.yaml").read_text(encoding="utf-8")
    pure = {str(k): str(v) for k, v in yaml.load(text, Loader=yaml.SafeLoader).items()}
    assert labels.shipped(language) == pure and len(pure) > 20
