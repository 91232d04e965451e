"""`reportgen draft ARTICLE` (issue 17): a brief started from an article, quotes verbatim.

The drafted YAML is read back with PyYAML and the brief format's own Markdown-lite parser (what
every writer prints), and checked against the article file itself.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reportgen.brief.markup import parse_inline, plain
from reportgen.cli import app

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"
SAMPLE = ARTICLES / "mei-pmf-tillerson.txt"  # ../shared/source/article.txt, copied
NEWS = ARTICLES / "news-said.txt"
COMMENTARY = ARTICLES / "commentary-appositions.md"
PAGE = ARTICLES / "page-with-chrome.html"
FRENCH = ARTICLES / "francais-guillemets.txt"
ARABIC = ARTICLES / "arabic-news.txt"
ALL = [SAMPLE, NEWS, COMMENTARY, PAGE, FRENCH, ARABIC]
TODAY = dt.date(2026, 1, 2)

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr("reportgen.draft.today", lambda: TODAY)


def invoke(*args, **kw):
    return runner.invoke(app, [str(a) for a in args], prog_name="reportgen", **kw)


def draft(article: Path, tmp_path: Path, name: str = "draft.yaml") -> tuple[dict, str, object]:
    out = tmp_path / name
    result = invoke("draft", article, "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    return yaml.safe_load(text), text, result


def printed(value: str) -> str:
    """What the documents print for an inline field (escapes resolved)."""
    return plain(parse_inline(value))


def article_text(path: Path) -> str:
    import html

    raw = path.read_text(encoding="utf-8")
    return html.unescape(raw) if path.suffix == ".html" else raw


def actors_by_name(data: dict) -> dict[str, dict]:
    return {a["name"]: a for a in data["actors"]}


# --- the sample article ----------------------------------------------------------------------


def test_sample_article_gives_at_least_five_of_the_six_people_of_the_sample_brief_with_roles(
        tmp_path):
    expected = yaml.safe_load((ROOT / "briefs" / "pmf-tillerson.yaml").read_text())["actors"]
    data, _, _ = draft(SAMPLE, tmp_path)
    found = actors_by_name(data)
    matched = [a for a in expected if a["name"] in found
               and a["role"].lower() == found[a["name"]].get("role", "").lower()]
    assert len(matched) >= 5, (list(found), [a["name"] for a in matched])
    # in the order the article first names them, as in the hand-written brief
    names = [a["name"] for a in data["actors"]]
    assert [n for n in names if n in {a["name"] for a in expected}] == \
        [a["name"] for a in expected if a["name"] in names]


def test_sample_article_quotes_are_the_speakers_own_words_with_where_they_said_them(tmp_path):
    data, _, _ = draft(SAMPLE, tmp_path)
    found = actors_by_name(data)
    assert found["Qais al-Khazali"]["quote"].startswith("The Foreign Minister of America: You "
                                                        "must withdraw [U.S.] military forces")
    assert found["Qais al-Khazali"]["quote_source"] == "On Twitter"
    assert found["Hadi al-Amiri"]["quote"] == "no one welcomes his trip to Baghdad"
    # “Iranian militias” in the same sentence are Tillerson's words, not al-Asadi's
    assert found["Ahmad al-Asadi"]["quote"] == "baseless"
    assert found["Haider al-Abadi"]["quote"] == "an official institution within the state"
    assert found["Rex Tillerson"]["quote"] in ("Iranian militias", "go home", "coming to a close")
    assert found["Rex Tillerson"]["quote_source"] == "To reporters in Riyadh"
    assert "quote" not in found["Qassem Soleimani"]  # named with a title, never quoted
    assert found["Qassem Soleimani"]["affiliation"] == "Iran"
    assert found["Ahmad al-Asadi"]["affiliation"] == "Popular Mobilization Forces"  # (P.M.F.)


def test_sample_article_prints_what_it_found_and_drops_the_profiles_disclaimer(tmp_path):
    data, text, result = draft(SAMPLE, tmp_path)
    assert ("6 actors, 5 quotes, 1 source; 3 sections left for you (summary, leverage, outlook)"
            in result.stdout.splitlines())
    assert "left out the organisation's own disclaimer and donor note" in result.stdout
    assert data["sources"] == [{"title": "TODO: the title of the article",
                                "publisher": "Middle East Institute"}]
    # no date in the article: today's, said on stderr and beside the key
    assert data["date"] == TODAY
    assert "no publication date found in the article" in result.stderr
    assert re.search(r"^date: 2026-01-02  # no publication date", text, re.MULTILINE)
    # the article has no headline: its first sentence, shortened, marked TODO
    assert data["title"].startswith("TODO: headline: U.S. Secretary of State Rex Tillerson’s")
    assert len(data["title"]) <= 150


def test_disclaimer_and_donor_note_at_the_end_of_a_short_article_stay_out_of_the_brief(
        tmp_path):
    disclaimer = SAMPLE.read_text(encoding="utf-8").split("\n\n")[-1]
    article = tmp_path / "short.txt"
    article.write_text("Talks resume in Baghdad\n\nNegotiators met on Tuesday, officials said, "
                       "and will meet again next week.\n\n" + disclaimer, encoding="utf-8")
    _, text, _ = draft(article, tmp_path)
    assert "Negotiators met on Tuesday" in text
    assert "MEI welcomes financial donations" not in text
    assert "please click here" not in text


# --- every article: quotes verbatim, lines right, validate happy -----------------------------


@pytest.mark.parametrize("article", ALL, ids=lambda p: p.name)
def test_every_quote_is_verbatim_in_the_article_and_its_comment_gives_its_line(article,
                                                                                tmp_path):
    data, text, _ = draft(article, tmp_path)
    source = article_text(article)
    lines = source.splitlines()
    quotes = [a["quote"] for a in data["actors"] if "quote" in a]
    assert quotes
    for quote in quotes:
        for part in printed(quote).split(" … "):
            assert part in source, part
    for match in re.finditer(r'^    quote: (".*")  # article line (\d+)$', text, re.MULTILINE):
        first = printed(yaml.safe_load(match.group(1))).split(" … ")[0]
        line = lines[int(match.group(2)) - 1]
        assert " ".join(first.split()[:4]) in " ".join(line.split()), (first, line)
    assert len(re.findall(r"# article lines? \d+", text)) == len(quotes)


@pytest.mark.parametrize("article", ALL, ids=lambda p: p.name)
def test_drafted_brief_passes_validate_with_todo_warnings_only(article, tmp_path):
    draft(article, tmp_path)
    result = invoke("validate", tmp_path / "draft.yaml")
    assert result.exit_code == 0, result.output
    assert re.search(r"checked 1 brief: 0 errors, [1-9][0-9]* warnings", result.output)
    assert "summary: still holds placeholder text (TODO)" in result.output
    assert "leverage.holder: still holds placeholder text (TODO)" in result.output
    assert "outlook[0]: still holds placeholder text (TODO)" in result.output


# --- the test articles: who, with which role, saying what --------------------------------------


EXPECTED = {
    NEWS: [
        ("Dilshad Barzani", "Finance minister", "Kurdistan Regional Government",
         "This budget punishes ordinary people for a political quarrel", None),
        # split by its attribution: the two parts joined
        ("Taif Sami", "Finance Minister", "Iraq",
         "Our door remains open … but the law is the law", None),
        ("Rania Aziz", "Spokeswoman", "Kurdistan Democratic Party", "guarantees in writing",
         "To Reuters"),
    ],
    COMMENTARY: [
        ("Leila Haddad", "Senior fellow", "Beirut Centre for Policy Studies",
         "the mediators want a ceasefire more than the parties do", None),
        ("Omar Farouk", "Former envoy", "Qatar",
         "Nobody in Khartoum believes the talks will end the war", "In an op-ed for Al-Monitor"),
        ("John Whitford", "Ambassador", "Britain", "unimpeded humanitarian access", None),
    ],
    PAGE: [
        ("Ahmed Nasser", "Chief negotiator", "Presidential Leadership Council",
         "We came back because the alternative is another winter of war", None),
        ("Mohammed Abdulsalam", "Spokesman", "Houthi",
         "a real end to the siege, not another pause", "On X"),
        ("Hans Grundberg", "Special Envoy", "UN", "a fragile but real opening", None),
    ],
    FRENCH: [
        ("Étienne Morel", "Ministre des Affaires étrangères", None,
         "Nous ne laisserons pas le Liban sombrer dans la guerre",
         "Lors d’une conférence de presse à Beyrouth"),
        ("Nabil Saadé", "Président", "Parlement libanais",
         "aucune solution ne viendra de l’extérieur", None),
        ("Karim Haddad", "Porte-parole", "Courant patriotique libre", "trop tard", None),
    ],
    # Arabic: a title phrase after a speech verb, then the two words of the name before إن/:
    ARABIC: [
        ("سامر الكعبي", "المتحدث باسم هيئة الحشد الشعبي", None,
         "الحشد مؤسسة رسمية ضمن الدولة", None),  # "وأضاف": he added
        ("ليث العزاوي", "رئيس الوزراء العراقي", None, "جزء من المنظومة الأمنية", None),
    ],
}


@pytest.mark.parametrize("article", list(EXPECTED), ids=lambda p: p.name)
def test_test_articles_give_the_expected_actors_roles_and_quotes(article, tmp_path):
    data, _, _ = draft(article, tmp_path)
    got = [(a["name"], a.get("role"), a.get("affiliation"), printed(a["quote"]),
            None if a["quote_source"].startswith("TODO") else a["quote_source"])
           for a in data["actors"]]
    assert got == EXPECTED[article]


def test_people_named_without_role_or_attribution_and_organisations_are_not_actors(tmp_path):
    data, text, _ = draft(COMMENTARY, tmp_path)
    names = [a["name"] for a in data["actors"]]
    assert "Samir Adel" not in names  # named, no role, no words attributed
    assert "alive and well" not in text  # the Saudi foreign ministry's words: no person
    news, news_text, _ = draft(NEWS, tmp_path, "news.yaml")
    assert not any("United Nations" in a["name"] for a in news["actors"])


def test_nothing_from_the_pages_menus_footer_related_links_or_scripts_leaks_in(tmp_path):
    data, text, _ = draft(PAGE, tmp_path)
    for outside in ("Script Person", "Css Person", "Nav Person", "Related Person",
                    "Footer Person", "Injected Person", "We never sleep", "Style quote",
                    "Opinion matters", "Ceasefire is dead", "Independent journalism",
                    "Injected", "Privacy policy", "Home", "Saudi-Houthi channel", "©"):
        assert outside not in text, outside
    assert data["situation"].splitlines()[2].startswith("MUSCAT — Negotiators for Yemen’s")


def test_html_gives_title_publisher_canonical_url_and_date(tmp_path):
    data, _, result = draft(PAGE, tmp_path)
    assert data["title"] == "Yemen truce talks resume in Muscat"
    assert data["date"] == dt.date(2024, 5, 14)
    assert data["sources"] == [{
        "title": "Yemen truce talks resume in Muscat", "publisher": "The Harbour Review",
        "url": "https://harbourreview.example/2024/05/yemen-truce-talks",
        "date": dt.date(2024, 5, 14)}]
    assert result.stderr == ""  # a date was found: no warning
    assert data["language"] == "en"


def test_text_articles_give_their_headline_and_dateline_date(tmp_path):
    news, _, _ = draft(NEWS, tmp_path, "news.yaml")
    assert news["title"] == "Kurdish leaders reject Baghdad budget plan"
    assert news["date"] == dt.date(2024, 3, 3)
    commentary, _, _ = draft(COMMENTARY, tmp_path, "commentary.yaml")
    assert commentary["title"] == "Why Gulf mediation in Sudan keeps stalling"
    assert commentary["date"] == dt.date(2023, 9, 12)
    # the situation starts with the story, not the headline or the byline
    assert commentary["situation"].splitlines()[2].startswith("For a year now")
    french, _, _ = draft(FRENCH, tmp_path, "fr.yaml")
    assert french["date"] == dt.date(2023, 12, 4)
    assert french["language"] == "fr"
    assert draft(ARABIC, tmp_path, "ar.yaml")[0]["language"] == "ar"


def test_sections_that_need_judgement_are_todo_placeholders_never_invented(tmp_path):
    data, _, _ = draft(NEWS, tmp_path)
    assert data["summary"].startswith("TODO:")
    assert data["leverage"]["holder"].startswith("TODO:")
    assert all(p.startswith("**TODO") for p in data["leverage"]["points"])
    assert all(o.startswith("TODO:") for o in data["outlook"])
    assert all(a["stance"].startswith("TODO:") for a in data["actors"])
    assert data["situation"].startswith("TODO: shorten.\n\n")


def test_a_crowded_article_gives_a_brief_that_still_fits_the_one_pager(tmp_path):
    words = ("we will not accept any agreement that ignores the people who have suffered for "
             "years in the camps and the cities, and we will say so at every meeting until the "
             "world listens to us and acts on what it hears from the families who lost "
             "everything they had in this war and in the wars before it, and in the years of "
             "sanctions that came before them")
    speakers = ["Ali Hassan", "Sara Nouri", "Karim Aziz", "Lina Saleh", "Omar Rashid",
                "Huda Kareem", "Faris Tahir", "Nadia Yousef", "Zaid Amin", "Rana Fadel",
                "Tariq Jamil"]
    article = tmp_path / "crowded.txt"
    article.write_text("Crisis talks collapse\n\n" + "\n\n".join(
        f"“{words},” said {name}, the leader of the {name.split()[1]} Party."
        for name in speakers), encoding="utf-8")
    data, text, result = draft(article, tmp_path)
    assert [a["name"] for a in data["actors"]] == speakers[:8]
    assert "# Also quoted or named with a role (left out to keep the one-pager to one page): " \
        "Zaid Amin, Rana Fadel, Tariq Jamil" in text
    quoted = [a for a in data["actors"] if "quote" in a]
    assert sum(len(a["quote"]) for a in quoted) <= 2_400 < len(words) * (len(quoted) + 1)
    assert "the one-pager has no room left for them" in text
    checked = invoke("validate", tmp_path / "draft.yaml")
    assert checked.exit_code == 0 and "0 errors" in checked.output, checked.output


def test_markup_characters_in_a_quote_are_escaped_so_it_prints_verbatim(tmp_path):
    article = tmp_path / "stars.txt"
    words = "the *real* plan is [here](https://x.example) and under_scored"
    article.write_text(f"Odd quote\n\n“{words},” said Jane Smith, a spokeswoman for the "
                       "Example Party.\n", encoding="utf-8")
    data, _, _ = draft(article, tmp_path)
    assert printed(data["actors"][0]["quote"]) == words
    assert data["actors"][0]["quote"] != words  # escaped in the YAML


# --- the rules, one sentence at a time -------------------------------------------------------


RULES = [
    # (article, expected (name, role, affiliation, quote, quote_source) of each person)
    ("“We are ready,” said Prime Minister Jane Doe.",
     [("Jane Doe", "Prime Minister", None, "We are ready", None)]),
    ("According to Senator Mark Lee, the bill “will pass this week.”",
     [("Mark Lee", "Senator", None, "will pass this week", None)]),
    ("John Smith, a senior analyst at the Example Institute, told Reuters: “No deal yet.”",
     [("John Smith", "Senior analyst", "Example Institute", "No deal yet", "To Reuters")]),
    ("Anna Berg, the head of the Water Board, spoke first. “First part,” she said, “second "
     "part.”", [("Anna Berg", "Head", "Water Board", "First part … second part", None)]),
    ('Tom Okafor says the plan is "dead on arrival" and will not be revived.',
     [("Tom Okafor", None, None, "dead on arrival", None)]),
    # someone named only through another person's possessive never speaks
    ("President Omar Said’s spokesman said the visit was “postponed.”",
     [("Omar Said", "President", None, None, None)]),
    # a quote governed by another person's name is that person's, not the speaker's
    ("Lena Roth, the leader of the Green List, said Omar Said’s claim of “foreign plots” was "
     "“nonsense.”", [("Lena Roth", "Leader", "Green List", "nonsense", None)]),
    ("« C’est inacceptable », a déclaré Paul Girard, porte-parole du Parti vert, sur "
     "Twitter.", [("Paul Girard", "Porte-parole", "Parti vert", "C’est inacceptable",
                   "Sur Twitter")]),
]


@pytest.mark.parametrize(("text", "expected"), RULES, ids=[r[0][:30] for r in RULES])
def test_attribution_rules(text, expected):
    from reportgen.draft.people import find_people

    got = []
    for person in find_people(text):
        said = person.best_quote()
        got.append((person.name, person.role, person.affiliation,
                    said.text if said else None, said.source if said else None))
        for part in said.parts if said else ():
            assert text[part.start:part.end] == part.text
    assert got == expected


# --- the command: overwriting, stdin, hostile input ------------------------------------------


def test_refuses_to_overwrite_an_existing_brief(tmp_path):
    out = tmp_path / "draft.yaml"
    out.write_text("mine\n")
    result = invoke("draft", NEWS, "--out", out)
    assert result.exit_code == 2
    assert f"{out} already exists; nothing was written" in result.output
    assert out.read_text() == "mine\n"
    assert [p.name for p in tmp_path.iterdir()] == ["draft.yaml"]  # no temporary file left


def test_reads_standard_input_and_names_the_brief_after_the_headline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("draft", "-", input=NEWS.read_bytes())
    assert result.exit_code == 0, result.output
    target = Path("briefs/kurdish-leaders-reject-baghdad-budget-plan.yaml")
    assert f"wrote {target}" in result.stdout
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert [a["name"] for a in data["actors"]] == ["Dilshad Barzani", "Taif Sami", "Rania Aziz"]
    assert "# Drafted by `reportgen draft` from <stdin> on 2026-01-02." in target.read_text()


def _hostile(tmp_path: Path) -> dict[str, tuple[bytes, int, str]]:
    import random

    rng = random.Random(17)
    line = (SAMPLE.read_text(encoding="utf-8").split("\n")[0] + " ").encode() * 1200
    return {
        "binary.txt": (bytes(rng.randrange(256) for _ in range(4096)), 1,
                       r"binary.txt:1:\d+: byte 0x[0-9A-F]{2} is not valid UTF-8"),
        "empty.txt": (b"", 1, r"empty.txt:1:1: the article is empty"),
        "blank.md": (b"  \n\n \t\n", 1, r"blank.md:1:1: the article is empty"),
        "nul.txt": (b"Title\nsome \x00 text\n", 1,
                    r"nul.txt:2:6: the article contains the control character U\+0000"),
        "utf16.txt": ("Title\n\nText said John Smith.\n".encode("utf-16"), 1,
                      r"utf16.txt:1:1: the file is not UTF-8; it looks like UTF-16"),
        "toolarge.txt": (b"a " * 500_001, 1, r"toolarge.txt:1:1: file is 1,000,002 bytes; an "
                         r"article may be at most 1,000,000"),
        "scripts.html": (b"<html><head><script>var q = '\xe2\x80\x9cHi,\xe2\x80\x9d said Evil "
                         b"Person';</script></head><body><script>alert(1)</script><nav><a "
                         b"href='/'>Home</a></nav></body></html>", 1,
                         r"scripts.html:1:1: no article text found in the HTML page"),
        "one-line.txt": (line[:999_000].decode("utf-8", "ignore").encode(), 0, r"wrote "),
        "deep.html": (b"<html><body>" + b"<div>" * 80_000 + b"<p>Deep.</p>" + b"</div>" * 80_000
                      + b"</body></html>", 1, r"deep.html:1:1: no article text found in the "
                      r"HTML page"),
        "one-line.html": ((b"<html><head><script>" + b"var x = 1;" * 5000 + b"</script></head>"
                           b"<body><nav>Home</nav><article>" + b"<p>" + line[:930_000] + b"</p>"
                           ).decode("utf-8", "ignore").encode() + b"</article></body></html>",
                          0, r"wrote "),
    }


def test_hostile_input_gives_a_clear_error_or_a_clean_draft_never_a_crash(tmp_path):
    for name, (data, code, message) in _hostile(tmp_path).items():
        path = tmp_path / name
        path.write_bytes(data)
        out = tmp_path / f"{name}.yaml"
        result = invoke("draft", path, "--out", out)
        assert result.exit_code == code, (name, result.output)
        assert re.search(message, result.output), (name, result.output)
        assert "Traceback" not in result.output and "internal error" not in result.output
        assert out.exists() == (code == 0), name
        if code == 0:  # the 1 MB line: a brief that loads, situation cut to a paragraph's worth
            brief = yaml.safe_load(out.read_text(encoding="utf-8"))
            assert len(brief["situation"]) < 1200
            assert invoke("validate", out).exit_code == 0


FRAGMENTS = ["“", "”", "«", "»", '"', "’s ", " said ", "said ", " told reporters in ",
             " according to ", ", the head of the ", " he ", " a-t-il ajouté ", " a déclaré ",
             " selon ", "Prime Minister ", "Jane Doe", "John Smith", "al-Amiri", "Hadi ",
             "U.S. ", " (P.M.F.) ", ". ", ", ", "\n", "\n\n", " - ", "1. ", "*", "_", "[",
             "](", ")", "\\", "#", " — ", "Tillerson", "قال ", "المتحدث باسم ", "سامر الكعبي",
             " إن ", "وأضاف: ", "؟ ", " of ", "The ", "Ministry ", "’", "'", ":", "!", "…",
             "\u00a0", "é", "\t", "<p>", "</p>", "<html>", "<script>", "December 4, 2017",
             "2017-13-45", "30 février 2020"]


def test_random_fragments_of_articles_never_crash_the_drafter(tmp_path):
    import random

    from reportgen.draft import draft_article
    from reportgen.errors import ReportgenError

    rng = random.Random(1717)
    for i in range(80):
        text = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randrange(1, 120)))
        target = tmp_path / f"{i}.yaml"
        try:
            draft_article("-", target, stdin=text.encode())
        except ReportgenError:
            assert not target.exists()
            continue
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        for actor in data["actors"]:
            for part in printed(actor.get("quote", "")).split(" … "):
                assert part in text, (text, part)


def test_a_folder_or_a_missing_file_is_a_usage_error(tmp_path):
    folder = invoke("draft", tmp_path, "--out", tmp_path / "x.yaml")
    assert folder.exit_code == 2 and "is a folder, not a regular file" in folder.output
    missing = invoke("draft", tmp_path / "nope.txt", "--out", tmp_path / "x.yaml")
    assert missing.exit_code == 2 and "nope.txt: no such file" in missing.output


def test_bad_language_tag_or_profile_is_a_usage_error(tmp_path):
    bad = invoke("draft", NEWS, "--out", tmp_path / "x.yaml", "--language", "english!")
    assert bad.exit_code == 2 and "not a BCP 47 language tag" in bad.output
    nope = invoke("draft", NEWS, "--out", tmp_path / "x.yaml", "--profile", "nope")
    assert nope.exit_code == 2 and "--profile nope: no profile 'nope'" in nope.output
    assert not (tmp_path / "x.yaml").exists()


def test_help_does_not_import_trafilatura():
    code = ("import sys\nfrom reportgen.cli import main\nsys.argv = ['reportgen', '--help']\n"
            "try:\n    main()\nfinally:\n"
            "    sys.stderr.write(repr([m for m in ('trafilatura', 'lxml', 'reportgen.draft')"
            " if m in sys.modules]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "80"})
    assert done.returncode == 0 and done.stderr == "[]"
    assert any(line.split()[:1] == ["draft"] for line in done.stdout.splitlines())
