"""Property-based fuzzing of the brief *and* the profile through all three writers.

Hypothesis builds briefs and profiles of roughly the right shape filled with hostile values:
unicode of every kind, control and bidi characters, very long words, Markdown links to odd
URLs, quotes, empty strings, wrong types, deep nesting and raw YAML specials (tags, aliases,
merge keys, escapes that make lone surrogates). Each is rendered in-process as PDF, DOCX and
PPTX. Every run must end, within TIME_BOUND_S, in a document that an independent reader opens
and whose links are all links the loaded brief or profile holds, each a plain http(s) or
mailto address, or in a ReportgenError whose diagnostics point into the brief or the profile.
Anything else (exit 70 at the CLI) fails the test.

Runs are derandomized and use no example database, so CI sees the same examples every time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from pydantic import BaseModel

from reportgen.brief.markup import Span, Text
from reportgen.errors import InputError, ReportgenError
from reportgen.pipeline import prepare, render
from tests.conftest import ROOT, SAMPLE

FORMATS = ("pdf", "docx", "pptx")
# CPU seconds, so a busy machine does not make it flaky. The issue asks for < 5 s per format
# for the largest brief the loader accepts; these are far smaller, but a DOCX with characters
# new to the font-subset cache pays ~2 s of subsetting. A quadratic path or a hang blows it.
TIME_BOUND_S = 10.0
PROFILE_NAME = "fuzz"
RAW = "RAWYAMLSPECIAL"  # placeholder swapped for raw YAML text after safe_dump

# No shrinking: on these inputs it can run for minutes, and a derandomized failure is printed
# whole and comes back the same on every run. To minimise one, add Phase.shrink locally.
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

WORDS = ["Iraq", "the P.M.F.", "al-Abadi", "Ḥāʾir ʿAbbās", "Łódź", "naïve", "Ελλάδα", "Москва",
         "Việt Nam", "’s", "“quoted”", "‘single’", "—", "…", "3.5%", "U.S.", "&", "<b>", "a&amp;b",
         "%s", "{0}", "$(id)", "\\", "'", '"', "#", "--", "™", "½", "x < y > z", "a]b", "(c)"]
ARABIC = ["حيدر العبادي", "الحشد الشعبي", "بغداد", "١٢٣", "لا"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\u061c", "\u00ad",
             "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
             "\u2069", "e\u0301\u0302\u0303\u0304", "\u0651"]  # bidi, zero-width, combining
HOSTILE_CHARS = [
    "\x00", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x92", "\x9f",  # C0/C1
    "\ufeff", "\u2028", "\u2029", "\r", "\r\n", "\t", "\ufffd", "\uffff", "\U0010ffff",
    "\ue000", "\U000e0041", "\u034f", "😀", "\U0001f3f3\ufe0f\u200d\U0001f308", "ﷺ",
]
MARKUP = ["**", "*", "_", "__", "[", "]", "\n", "***", "**bold**", "*it*", "\\*", "`tick`",
          "<http://x.org>"]
BLOCK_MARKUP = ["(", ")", "](", "[x]", "\n\n", "\n- ", "\n* ", "\n1. ", "- ", "> ", "# ",
                "    ", "[](", "![img](x)", "\n  - nested", "\n---\n"]
GOOD_URLS = ["https://www.mei.edu", "http://example.org/a?b=c&d=e#f", "HTTPS://EX.COM/UP",
             "https://[::1]:8080/", "https://xn--r8jz45g.jp/", "https://ex.com/%20%22",
             "https://ex.com/a(b)c", "https://ex.com/~u/;p?q=1&r=%26"]
ODD_URLS = [
    "mailto:desk@example.org", "https://ex.com/\" href=\"javascript:app.alert(1)",
    "javascript:app.alert(1)", "JavaScript:alert(1)", "https://mei.edu@evil.example/",
    "file:///etc/passwd", "http://", "https://", "https:ex.com", "//ex.com/x",
    "https://ex.com/a b", "https://ex.com/\x00", "https://ex.com/<script>",
    "https://ex.com/'quote'", "https://ex.com/)(", "https://ex.com/]", "https://例え.jp/パス",
    "https://[::1/", "https://ex.com:99999/", "https://ex.com/%zz%00", "https://ex.com/\u202e",
    "https://ex.com/" + "a" * 2100, "mailto:", "mailto:a@b?subject=x\r\nBcc:c@d",
    "data:text/html,x", "ftp://ex.com/", "https://ex.com\\@evil/", " https://ex.com/",
    "https://ex.com/#\u200b",
]
# A core tag on a value it cannot hold: PyYAML's constructors raise KeyError, IndexError or
# AttributeError rather than a YAML error.
CORE_TAG_MISFITS = ["!!bool maybe", '!!bool ""', '!!int ""', '!!float ""', "!!timestamp nope"]
YAML_SPECIALS = [
    "yes", "No", "~", "null", ".nan", "-.inf", "0x1F", "0o17", "1_000", "1e400", "2017-02-30",
    "2017-10-24T25:00:00", "!!binary aGVsbG8=", '!!python/object/apply:os.system ["true"]',
    "!!str", "!!set {a, b}", "!!omap [a: 1]", "&a x", "*undefined", "&r [*r]", "{a: b}", "[]",
    "{}", '""', "''", '"\\x00"', '"\\ud800"', '"\\udfff tail"', '"\\U0001F600"', '"\\N\\_\\L\\P"',
    "? complex", "%TAG", "@reserved", "`backtick", ": colon", "#comment", "'unterminated",
    '"\\"', "!local tag", '!!int "12"', "!!float abc", "!!timestamp 2001-12-14", "=",
    "&a [1, *a]", "[" * 600 + "]" * 600, "{a: {b: {c: {d: {e: {f: {g: {h: 1}}}}}}}}",
    "<<: {a: 1}", "|", ">-", "- - -", "!!null ''", "!!int 0xZZ", "!!float .", *CORE_TAG_MISFITS,
]
FAMILIES = ["Comic Sans", "", "../../etc/passwd", "Source Sans 3\n", "source sans 3", "x" * 300]


@dataclass(frozen=True)
class Drawn:
    """How hostile one brief or profile is: the chance, in 200ths, that a value goes wrong,
    and apart from that that a URL is odd."""

    hostility: int
    url_hostility: int


def goes_wrong(draw, drawn: Drawn) -> bool:
    return draw(st.integers(0, 199)) < drawn.hostility


def long_word(draw) -> str:
    letters = draw(st.sampled_from(["x", "W", "ب", "Ḥ", "m\u0301", "0"]))
    return letters * draw(st.integers(30, 400))


@st.composite
def hostile_text(draw, drawn: Drawn, max_pieces: int = 10) -> str:
    pieces = [draw(st.sampled_from(WORDS)) + " "]  # something to print, unless it goes wrong
    for _ in range(draw(st.integers(0, max_pieces))):
        kind = draw(st.integers(0, 9))
        if kind <= 2:
            pieces.append(draw(st.sampled_from(WORDS)) + " ")
        elif kind == 3:
            pieces.append(draw(st.sampled_from(ARABIC)) + " ")
        elif kind == 4:
            pieces.append(draw(st.sampled_from(INVISIBLE)))
        elif kind == 5:
            pieces.append(draw(st.sampled_from(MARKUP)))
        elif kind == 6:
            url = draw(url_strategy(drawn))
            label = draw(st.sampled_from(["here", "**b**", "*i* x", "حيدر", "a\\]b", "`c`"]))
            pieces.append(f"[{label}]({url})")
        elif kind == 7:
            pieces.append(long_word(draw))
        elif not goes_wrong(draw, drawn):
            pieces.append(" ")
        elif kind == 8:
            pieces.append(draw(st.sampled_from(HOSTILE_CHARS + BLOCK_MARKUP)))
        else:  # anything at all but lone surrogates, which YAML text cannot carry
            pieces.append(draw(st.text(st.characters(blacklist_categories=("Cs",)),
                                       max_size=6)))
    if goes_wrong(draw, drawn):
        pieces = pieces[1:] or [draw(st.sampled_from(["", " ", "\n", "  \n  "]))]
    return "".join(pieces)


@st.composite
def url_strategy(draw, drawn: Drawn) -> str:
    if draw(st.integers(0, 199)) < drawn.url_hostility:
        url = draw(st.one_of(
            st.sampled_from(ODD_URLS),
            st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
            .map(lambda tail: "https://example.org/" + tail)))
    else:
        url = draw(st.sampled_from(GOOD_URLS))
    return url


@st.composite
def wrong_type(draw, raws: list[str]):
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return draw(st.one_of(st.integers(), st.booleans(), st.none()))
    if kind == 1:
        return draw(st.floats(allow_nan=True, allow_infinity=True))
    if kind == 2:
        return draw(st.lists(st.integers(), max_size=3))
    if kind == 3:
        return draw(st.dictionaries(st.sampled_from(["a", "name", "<<", ""]), st.integers(),
                                    max_size=2))
    if kind == 4:  # nesting around the limit of 20 the loader enforces
        value: object = "deep"
        for _ in range(draw(st.integers(1, 30))):
            value = [value] if draw(st.booleans()) else {"k": value}
        return value
    if kind == 5:
        return dt.date(2017, 10, 24)
    raws.append(draw(st.sampled_from(YAML_SPECIALS)))
    return f"{RAW}{len(raws) - 1}"


@st.composite
def scalar(draw, drawn: Drawn, raws: list[str], max_pieces: int = 10):
    """Text (what the field wants), or when it goes wrong a value of the wrong kind."""
    if goes_wrong(draw, drawn) and draw(st.booleans()):
        return draw(wrong_type(raws))
    return draw(hostile_text(drawn, max_pieces))


@st.composite
def pick(draw, drawn: Drawn, good: list, bad: list):
    return draw(st.sampled_from(bad if goes_wrong(draw, drawn) else good))


@st.composite
def with_gaps(draw, drawn: Drawn, required: dict, optional: dict) -> dict:
    """A mapping with each optional key maybe present and, when it goes wrong, a required key
    missing or an unknown key added."""
    out = dict(required)
    for key, value in optional.items():
        if draw(st.booleans()):
            out[key] = value
    if required and goes_wrong(draw, drawn):
        out.pop(draw(st.sampled_from(sorted(required))))
    if goes_wrong(draw, drawn):
        out[draw(st.sampled_from(["summry", "extra", "", "<<", "0"]))] = "x"
    return out


def some(draw, drawn: Drawn, strategy, most: int) -> list:
    """One to `most` values; none at all when it goes wrong."""
    return draw(st.lists(strategy, min_size=0 if goes_wrong(draw, drawn) else 1,
                         max_size=most))


@st.composite
def actor(draw, drawn: Drawn, raws: list[str]) -> dict:
    s = lambda n=6: scalar(drawn, raws, n)  # noqa: E731
    return draw(with_gaps(
        drawn, {"name": draw(s(3))},
        {"role": draw(s(3)), "affiliation": draw(s(3)), "stance": draw(s()),
         "quote": draw(s()), "quote_source": draw(s(3)), "url": draw(url_strategy(drawn))}))


@st.composite
def source(draw, drawn: Drawn, raws: list[str]) -> dict:
    s = lambda n=4: scalar(drawn, raws, n)  # noqa: E731
    return draw(with_gaps(drawn, {"title": draw(s())},
                          {"url": draw(url_strategy(drawn)), "publisher": draw(s(3)),
                           "date": draw(pick(drawn, ["2017-10-23"], ["2017-13-01", "soon"]))}))


# In 200ths per value; a document has about a hundred values, so 2 spoils about one of them.
# Shrinks towards a tame document. URLs have their own knob: a link the model lets through is
# harmful only in a document that renders, so odd URLs must also come in tame documents.
HOSTILITY = st.sampled_from([0, 0, 0, 2, 20, 200])
URL_HOSTILITY = st.sampled_from([0, 0, 20, 200])


@st.composite
def briefs(draw) -> tuple[dict, list[str]]:
    drawn, raws = Drawn(draw(HOSTILITY), draw(URL_HOSTILITY)), []
    s = lambda n=10: scalar(drawn, raws, n)  # noqa: E731
    outlook = draw(s()) if draw(st.booleans()) else some(draw, drawn, s(6), 3)
    brief = draw(with_gaps(
        drawn,
        {"title": draw(s(6)),
         "date": draw(pick(drawn, ["2017-10-24"],
                           ["1900-01-01", "9999-12-31", "2017-02-30", "24/10/2017", ""])),
         "profile": draw(pick(drawn, [PROFILE_NAME],
                              ["mei", "Fuzz", "../fuzz", "", "nope", "fuzz\n", "fu zz"])),
         "summary": draw(s()), "situation": draw(s(16)),
         "actors": some(draw, drawn, actor(drawn, raws), 4),
         "leverage": draw(with_gaps(drawn, {"holder": draw(s(3)),
                                            "points": some(draw, drawn, s(6), 3)}, {})),
         "outlook": outlook},
        {"subtitle": draw(s(6)), "authors": draw(st.lists(s(3), max_size=3)),
         "memo": draw(with_gaps(drawn, {},
                                {k: draw(s(4)) for k in ("to", "from", "cc", "subject")})),
         "sources": draw(st.lists(source(drawn, raws), max_size=3)),
         "language": draw(pick(drawn, ["en", "ar", "fr", "en-GB"],
                               ["xx", "en_US", "", "e", "x-" * 40]))}))
    return brief, raws


@st.composite
def profiles(draw) -> tuple[dict, list[str]]:
    drawn, raws = Drawn(draw(HOSTILITY), draw(URL_HOSTILITY)), []
    s = lambda n=4: scalar(drawn, raws, n)  # noqa: E731

    def number(good: list) -> float | object:
        if not goes_wrong(draw, drawn):
            return draw(st.sampled_from(good))
        return draw(st.one_of(st.sampled_from([0, -1, 1e9, 7.99, 14.01]),
                              st.floats(allow_nan=True, allow_infinity=True), s(1)))

    link_text = draw(s(2))
    text = draw(st.just(f"For donors, please {link_text}.") if not goes_wrong(draw, drawn)
                else s())
    body_pt = number([8, 9.5, 10, 14])
    profile = draw(with_gaps(
        drawn,
        {"name": draw(s()), "short_name": draw(s(2)), "disclaimer": draw(s(8)),
         "donor_note": draw(with_gaps(drawn, {"text": text, "url": draw(url_strategy(drawn)),
                                              "link_text": link_text}, {}))},
        {"document_label": draw(s(2)), "url": draw(url_strategy(drawn)),
         "colors": draw(with_gaps(drawn, {}, {
             k: draw(pick(drawn, ["#0F3557", "#b08431", "#FFFFFF", "#000000"],
                          ["#fff", "0F3557", "#GGGGGG", ""]))
             for k in ("primary", "accent", "text", "muted", "tint")})),
         "fonts": draw(with_gaps(drawn, {}, {
             "body": draw(pick(drawn, ["Source Sans 3", "Noto Sans Arabic"], FAMILIES)),
             "arabic": draw(pick(drawn, ["Noto Sans Arabic"], FAMILIES))})),
         "page": draw(with_gaps(drawn, {}, {
             "size": draw(pick(drawn, ["letter", "a4"], ["A4", "", "legal"])),
             "margin_pt": number([18, 42, 108])})),
         "type": draw(with_gaps(drawn, {}, {
             "body_pt": body_pt,
             "min_body_pt": number([8] if body_pt == 8 else [8, body_pt])}))}))
    return profile, raws


@contextlib.contextmanager
def time_bound(what: str):
    started = time.process_time()
    yield
    took = time.process_time() - started
    assert took < TIME_BOUND_S, f"{what} took {took:.1f} s of CPU"


def model_links(value) -> set[str]:
    """Every link target the loaded brief or profile holds: `url` fields and Markdown links
    (as CommonMark normalises them: percent-encoded, punycode host)."""
    if isinstance(value, Span):
        return {value.href} if value.href else set()
    if isinstance(value, Text):
        return set(value.links())
    if isinstance(value, BaseModel):
        return set().union(*(({v} if k == "url" and isinstance(v, str) else model_links(v))
                             for k, v in value))
    if isinstance(value, (list, tuple)):
        return set().union(*(model_links(v) for v in value))
    return set()


def to_yaml(data: dict, raws: list[str]) -> bytes:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    # Highest index first, so the swap for placeholder 1 cannot eat the start of 12.
    for i in reversed(range(len(raws))):
        text = text.replace(f"{RAW}{i}", raws[i])
    return text.encode("utf-8")


def external_targets(data: bytes) -> list[str]:
    """TargetMode="External" relationship targets of every part of an Office package."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.endswith(".rels"):
                root = etree.fromstring(package.read(name))
                found += [rel.get("Target") for rel in root
                          if rel.get("TargetMode") == "External"]
    return found


def pdf_uris(data: bytes) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    uris = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action.get_object():
                uris.append(str(action.get_object()["/URI"]))
    return uris


def check_document(fmt: str, data: bytes, allowed: set[str]) -> None:
    assert data, f"{fmt}: empty output"
    if fmt == "pdf":
        links = pdf_uris(data)
    else:
        if fmt == "docx":
            import docx

            docx.Document(io.BytesIO(data))
        else:
            import pptx

            pptx.Presentation(io.BytesIO(data))
        links = external_targets(data)
    strays = [link for link in links if link not in allowed]
    assert not strays, f"{fmt}: links that neither the brief nor the profile hold: {strays}"
    for link in links:
        parts = urlsplit(link)
        assert parts.scheme.lower() in ("http", "https", "mailto"), link
        assert parts.scheme.lower() == "mailto" or parts.hostname, link
        assert not any(ch.isspace() or unicodedata.category(ch)[0] == "C" or ch in "\"'<>\\"
                       for ch in link), link


def check_error(exc: ReportgenError, files: set[str]) -> None:
    """Errors about the input (InputError, and render errors that name a field) point into
    the brief or a profile, one line per problem."""
    diagnostics = getattr(exc, "diagnostics", None)
    if isinstance(exc, InputError):
        assert diagnostics, "an InputError without diagnostics"
    for d in diagnostics or []:
        assert d.line >= 1 and d.col >= 1, d.format()
        assert d.path in files or d.path.endswith("profile.yaml"), d.format()
        assert "\n" not in d.format(), f"a raw line break in {d.format()!r}"


SAMPLE_BRIEF = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
SAMPLE_PROFILE = yaml.safe_load((ROOT / "templates" / "mei" / "profile.yaml").read_text(
    encoding="utf-8"))
INJECTION = 'https://ex.com/" href="javascript:app.alert(1)'


def known(sample: dict, raws: list[str] = (), **changes) -> tuple[dict, list[str]]:
    """A sample brief or profile with top-level changes, as the strategies would give it."""
    data = {**sample, **changes}
    if data.get("profile") == "mei":
        data["profile"] = PROFILE_NAME
    return data, list(raws)


def _actor(**changes) -> list[dict]:
    return [{**SAMPLE_BRIEF["actors"][0], **changes}, *SAMPLE_BRIEF["actors"][1:]]


# The hostile inputs of issue 9, run first on every run whatever the strategies draw.
@example(known(SAMPLE_BRIEF, actors=_actor(url=INJECTION)), known(SAMPLE_PROFILE))
@example(known(SAMPLE_BRIEF, sources=[{"title": "t", "url": INJECTION}]), known(SAMPLE_PROFILE))
@example(known(SAMPLE_BRIEF, summary=f"See [this]({INJECTION})."), known(SAMPLE_PROFILE))
@example(known(SAMPLE_BRIEF, actors=_actor(url='https://ex.com/"')), known(SAMPLE_PROFILE))
@example(known(SAMPLE_BRIEF), known(SAMPLE_PROFILE, donor_note={
    **SAMPLE_PROFILE["donor_note"], "url": INJECTION}))
@example(known(SAMPLE_BRIEF, actors=_actor(url="https://a@evil.example/")),
         known(SAMPLE_PROFILE))
@example(known(SAMPLE_BRIEF, ["&r [*r]"], situation=f"{RAW}0"), known(SAMPLE_PROFILE))
@example(known(SAMPLE_BRIEF, ["[" * 500 + "]" * 500], outlook=f"{RAW}0"),
         known(SAMPLE_PROFILE))
@example(known(SAMPLE_BRIEF), known(SAMPLE_PROFILE, ["[" * 500 + "]" * 500],
                                    disclaimer=f"{RAW}0"))
@example(known(SAMPLE_BRIEF, actors=_actor(name="W" * 120)), known(SAMPLE_PROFILE))
@example(known(SAMPLE_BRIEF, profile="fuzz\nx"), known(SAMPLE_PROFILE))
@settings(FUZZ)
@given(brief=briefs(), profile=profiles())
def test_every_brief_and_profile_renders_or_fails_with_a_positioned_error_in_every_format(
        brief, profile):
    with tempfile.TemporaryDirectory(prefix="reportgen-fuzz-") as tmp:
        templates = Path(tmp) / "templates"
        (templates / PROFILE_NAME).mkdir(parents=True)
        profile_path = templates / PROFILE_NAME / "profile.yaml"
        profile_path.write_bytes(to_yaml(*profile))
        brief_path = Path(tmp) / "brief.yaml"
        brief_path.write_bytes(to_yaml(*brief))
        files = {str(brief_path), str(profile_path)}
        with time_bound("loading"):
            try:
                job = prepare(brief_path, templates)
            except ReportgenError as exc:
                check_error(exc, files)
                event(f"load: {type(exc).__name__}")  # see --hypothesis-show-statistics
                return
        links = model_links(job.doc.brief) | model_links(job.profile.profile)
        for fmt in FORMATS:
            with time_bound(fmt):
                try:
                    data = render(job, fmt).data
                except ReportgenError as exc:
                    check_error(exc, files)
                    event(f"{fmt}: {type(exc).__name__}")
                    continue
            event(f"{fmt}: rendered")
            check_document(fmt, data, links)


@pytest.mark.parametrize("special", CORE_TAG_MISFITS)
@pytest.mark.parametrize("where", ["value", "key"])
def test_a_core_tag_on_a_value_it_cannot_hold_is_an_input_error(tmp_path, special, where):
    # Found by the fuzz above: exit 70 until the loader caught what PyYAML's constructors raise.
    from reportgen.brief import load_brief

    line = f"subtitle: {special}" if where == "value" else f"{special}: x"
    path = tmp_path / "tagged.yaml"
    path.write_text(re.sub(r"(?m)^subtitle: .*$", line, SAMPLE.read_text(encoding="utf-8")),
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_brief(path)
    problems = caught.value.diagnostics
    assert all((d.path, d.line) == (str(path), 4) for d in problems), caught.value.lines()
    if where == "value":
        assert [(d.key, d.col) for d in problems] == [("subtitle", 11)], caught.value.lines()


def test_a_non_ascii_url_reaches_the_pdf_as_an_ascii_uri(tmp_path):
    from pypdf import PdfReader

    brief, _raws = known(SAMPLE_BRIEF, actors=_actor(url="https://例え.jp/パス?q=é"))
    brief["profile"] = "mei"
    path = tmp_path / "iri.yaml"
    path.write_bytes(to_yaml(brief, []))
    reader = PdfReader(io.BytesIO(render(prepare(path), "pdf").data))
    uris = [annot.get_object()["/A"]["/URI"] for page in reader.pages
            for annot in page.get("/Annots") or [] if "/A" in annot.get_object()]
    assert uris and all(uri.original_bytes.isascii() for uri in uris), uris
