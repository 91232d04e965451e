"""Hostile input at the door (issue 9): URLs, files that are not files, deep nesting, text that is
not UTF-8, names that would break a message. Every case is a positioned reportgen error (exit 1)
or a usage error (exit 2), fast, never a traceback or exit 70."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from reportgen.brief import load_brief
from reportgen.cli import app
from reportgen.errors import InputError
from reportgen.profile import find_profile
from tests.conftest import ROOT, SAMPLE

runner = CliRunner()

BRIEF = """\
title: A brief
date: 2017-10-24
summary: The bottom line.
situation: What happened.
actors:
  - name: Someone
    url: https://example.org/someone
leverage:
  holder: Iran
  points:
    - A lever.
outlook: What comes next.
sources:
  - title: A report
    url: https://example.org/report
"""
ACTOR_URL = (7, 10)  # line, column of actors[0].url's value
SOURCE_URL = (15, 10)
SITUATION = (4, 12)
MEI_PROFILE = (ROOT / "templates" / "mei" / "profile.yaml").read_text(encoding="utf-8")


def quoted(text: str) -> str:
    """`text` as a YAML single-quoted scalar (no escapes inside, '' for ')."""
    return "'" + text.replace("'", "''") + "'"


def brief_errors(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "b.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        load_brief(path)
    assert time.perf_counter() - start < 2
    return [line.removeprefix(f"{path}:") for line in caught.value.lines()]


def profile_errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "acme" / "profile.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        find_profile("acme", tmp_path)
    assert time.perf_counter() - start < 2
    return [line.removeprefix(f"{path}:") for line in caught.value.lines()]


def with_actor_url(url: str) -> str:
    return BRIEF.replace("url: https://example.org/someone", f"url: {quoted(url)}")


def with_source_url(url: str) -> str:
    return BRIEF.replace("url: https://example.org/report", f"url: {quoted(url)}")


# ---------------------------------------------------------------------------------------------
# URLs: one parse, in the model, for every field and every Markdown link

INJECTION = 'https://ex.com/" href="javascript:app.alert(1)'

HOSTILE_URLS = [
    (INJECTION, "contains a double quote, which would end or rewrite the markup the link is set "
                "in; write it as %22"),
    ("https://ex.com/'onclick", "contains a single quote, which would end or rewrite the markup "
                                "the link is set in; write it as %27"),
    ("https://ex.com/<b>", "contains a '<', which would end or rewrite the markup the link is set "
                           "in; write it as %3C"),
    ("https://ex.com/a\\b", "contains a backslash, which would end or rewrite the markup the link "
                            "is set in; write it as %5C"),
    ("https://mei.edu@evil.example/", "has a user name before '@' in its address, which hides "
                                      "where the link really goes (only the part after '@' is "
                                      "the host); remove the part before '@'"),
    ("https://ex.com/a b", "contains a space; write it as %20 or remove it"),
    ("https://ex.com/a\tb", "contains white space (U+0009); write it as %09 or remove it"),
    ("https://ex.com/\u202egpj.exe", "contains the invisible character U+202E (RIGHT-TO-LEFT "
                                     "OVERRIDE), which can disguise where the link goes; delete "
                                     "it"),
    ("http://[::1", "is not a valid URL (Invalid IPv6 URL)"),
    ("http://[::zz]/", "is not a valid URL ('::zz' does not appear to be an IPv4 or IPv6 address)"
     if sys.version_info >= (3, 11, 4) else
     "has the host [::zz], which is not a valid IPv6 address"),
    ("https://ex.com:99999/", "has a port that is not a number from 0 to 65535"),
    ("https://ex.com:8o/", "has a port that is not a number from 0 to 65535"),
    ("https:///path", "has no host name; write it as https://example.org/…"),
    ("https://ex!.com/", "has the host 'ex!.com', which is not a valid host name"),
    ("https://-ex.com/", "has the host '-ex.com', which is not a valid host name"),
]


@pytest.mark.parametrize(("url", "problem"), HOSTILE_URLS)
def test_a_hostile_actor_or_source_url_is_refused_at_its_value(tmp_path, url, problem):
    line, col = ACTOR_URL
    assert brief_errors(tmp_path, with_actor_url(url)) == [
        f"{line}:{col}: actors[0].url: link target {url!r} {problem}"]
    line, col = SOURCE_URL
    assert brief_errors(tmp_path, with_source_url(url)) == [
        f"{line}:{col}: sources[0].url: link target {url!r} {problem}"]


@pytest.mark.parametrize("url, loaded", [
    ("https://example.org/" + "a" * 1980, None),
    ("https://भारत.example/पृष्ठ",
     "https://xn--h2brj9c.example/%E0%A4%AA%E0%A5%83%E0%A4%B7%E0%A5%8D%E0%A4%A0"),
    ("https://école.example/", "https://xn--cole-9oa.example/"),
    ("http://[2001:db8::1]:8080/a?b=c&d=%22e%22#f", None), ("HTTPS://EXAMPLE.ORG", None),
    ("https://ex.com./", None)])
def test_real_urls_up_to_2000_characters_load_as_ascii(tmp_path, url, loaded):
    # International addresses are kept in the ASCII form every reader and PDF link action
    # takes (punycode host, percent-encoded UTF-8); ASCII ones load unchanged.
    path = tmp_path / "ok.yaml"
    path.write_text(with_actor_url(url), encoding="utf-8")
    assert load_brief(path).brief.actors[0].url == (loaded or url)
    longer = "https://example.org/" + "a" * 1981
    assert brief_errors(tmp_path, with_actor_url(longer)) == [
        f"7:10: actors[0].url: link target {longer[:60]!r}… is 2,001 characters long; at most "
        "2,000 are allowed: link to a shorter address"]


def test_mailto_is_a_contact_for_an_actor_but_not_a_source(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(with_actor_url("mailto:press@example.org"), encoding="utf-8")
    assert load_brief(path).brief.actors[0].url == "mailto:press@example.org"
    assert brief_errors(tmp_path, with_source_url("mailto:press@example.org")) == [
        "15:10: sources[0].url: link target 'mailto:press@example.org' is not allowed; use an "
        "http or https URL"]
    assert brief_errors(tmp_path, with_actor_url("mailto:press")) == [
        "7:10: actors[0].url: link target 'mailto:press' is not an e-mail address; write it as "
        "mailto:name@example.org"]


@pytest.mark.parametrize(("target", "problem"), [
    ("https://mei.edu@evil.example/", "has a user name before '@' in its address, which hides "
                                      "where the link really goes (only the part after '@' is "
                                      "the host); remove the part before '@'"),
    ("https://ex!.com/", "has the host 'ex!.com', which is not a valid host name"),
    ("https://ex.com:99999/", "has a port that is not a number from 0 to 65535"),
    ("mailto:", "has no e-mail address; write it as mailto:name@example.org"),
])
def test_a_hostile_markdown_link_is_refused_at_its_field(tmp_path, target, problem):
    text = BRIEF.replace("situation: What happened.", f"situation: See [the report]({target}).")
    line, col = SITUATION
    assert brief_errors(tmp_path, text) == [
        f"{line}:{col}: situation: link target {target!r} {problem}"]


def test_quotes_and_spaces_in_a_markdown_link_reach_writers_percent_encoded(tmp_path):
    # CommonMark percent-encodes the destination, so only a link that is data gets through;
    # one that is still hostile after that (a user name, a long one) is refused.
    text = BRIEF.replace("situation: What happened.",
                         'situation: See [it](<https://ex.com/" href="x y>) and '
                         f"[that]({'https://ex.com/' + 'a' * 2000}).")
    assert brief_errors(tmp_path, text)[0].startswith(
        "4:12: situation: link target 'https://ex.com/aaaa")
    path = tmp_path / "ok.yaml"
    path.write_text(text.replace(" and [that]", " and that"), encoding="utf-8")
    (href,) = load_brief(path).brief.situation.links()
    assert href == "https://ex.com/%22%20href=%22x%20y"


@pytest.mark.parametrize(("key", "old", "col"), [
    ("url", "url: https://www.mei.edu", 6),
    ("donor_note.url", "  url: https://mei.edu/policies/donor-policy", 8),
])
@pytest.mark.parametrize(("url", "problem"), [
    (INJECTION, HOSTILE_URLS[0][1]),
    ("https://mei.edu@evil.example/", HOSTILE_URLS[4][1]),
    ("mailto:donors@mei.edu", "is not allowed; use an http or https URL"),
])
def test_a_hostile_profile_url_is_refused_at_its_value(tmp_path, key, old, col, url, problem):
    line = MEI_PROFILE.splitlines().index(old) + 1
    text = MEI_PROFILE.replace(old, old.split(": ")[0] + ": " + quoted(url))
    assert profile_errors(tmp_path, text) == [f"{line}:{col}: {key}: link target {url!r} {problem}"]


@pytest.mark.parametrize("command", ["validate", "pdf", "docx", "pptx"])
def test_the_pdf_link_injection_is_refused_by_every_command(tmp_path, command):
    path = tmp_path / "b.yaml"
    path.write_text(with_actor_url(INJECTION), encoding="utf-8")
    args = [command, str(path)] + ([] if command == "validate" else ["--out", str(tmp_path)])
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert f"{path}:7:10: " in result.output
    assert "actors[0].url: link target" in result.output and "internal error" not in result.output
    assert not list(tmp_path.glob("b.*[!l]"))  # nothing but b.yaml


def test_the_json_schema_refuses_what_the_model_refuses():
    from reportgen.authoring.schema import brief_schema

    validator = Draft202012Validator(brief_schema())
    base = {"title": "T", "date": "2017-10-24", "summary": "S", "situation": "S",
            "leverage": {"holder": "Iran", "points": ["A lever."]}, "outlook": "O"}

    def url_errors(actor_url: str, source_url: str = "https://example.org/") -> list[str]:
        data = {**base, "actors": [{"name": "A", "url": actor_url}],
                "sources": [{"title": "R", "url": source_url}]}
        return [".".join(map(str, e.absolute_path)) for e in validator.iter_errors(data)]

    for bad in (INJECTION, "https://a@evil.example/", "https://ex.com/a b", "javascript:x",
                "https://ex.com/\n", "https://ex.com/" + "a" * 2000):
        assert url_errors(bad) == ["actors.0.url"], bad
    assert url_errors("mailto:press@example.org") == []
    assert url_errors("https://example.org/", "mailto:press@example.org") == ["sources.0.url"]
    assert url_errors("https://example.org/a?b=c#d") == []


# ---------------------------------------------------------------------------------------------
# Files that are not files: refused before a byte is read


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_as_the_brief_is_a_usage_error_at_once(tmp_path):
    result = run_cli("pdf", "/dev/zero", "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == "/dev/zero: is a device, not a regular file; a brief is a YAML file\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("command", ["pdf", "docx", "pptx"])
def test_a_fifo_as_the_brief_is_a_usage_error_at_once(tmp_path, command):
    fifo = tmp_path / "brief.yaml"
    os.mkfifo(fifo)
    result = run_cli(command, str(fifo), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == (f"{fifo}: is a named pipe (FIFO), not a regular file; a brief is a "
                             "YAML file\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_profile_that_is_a_fifo_or_a_folder_is_an_error_at_its_path(tmp_path):
    fifo = tmp_path / "acme" / "profile.yaml"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    with pytest.raises(InputError) as caught:
        find_profile("acme", tmp_path)
    assert caught.value.lines() == [
        f"{fifo}:1:1: is a named pipe (FIFO), not a regular file; a profile is a YAML file"]
    folder = tmp_path / "other" / "profile.yaml"
    folder.mkdir(parents=True)
    with pytest.raises(InputError) as caught:
        find_profile("other", tmp_path)
    assert caught.value.lines() == [
        f"{folder}:1:1: is a folder, not a regular file; a profile is a YAML file"]


# ---------------------------------------------------------------------------------------------
# Nesting: bounded while composing, and again after aliases

DEEP = 500
TOO_DEEP = "lists and mappings are nested more than 20 levels deep here; a {} needs only a " \
           "few levels: check the indentation and the brackets"
# The file's own mapping is the first level, so the 20th bracket is the 21st level.


def test_brackets_nested_500_deep_are_refused_at_the_21st_level(tmp_path):
    text = BRIEF.replace("situation: What happened.",
                         "situation: " + "[" * DEEP + "]" * DEEP)
    assert len(text.encode()) < 2_000
    assert brief_errors(tmp_path, text) == [
        f"4:{12 + 19}: situation{'[0]' * 19}: {TOO_DEEP.format('brief')}"]
    # Twenty levels load: the model refuses the value, not the loader.
    text = BRIEF.replace("situation: What happened.", "situation: " + "[" * 19 + "]" * 19)
    assert brief_errors(tmp_path, text) == ["4:12: situation: expected text, got a list"]


def test_block_lists_nested_500_deep_are_refused_at_the_21st_level(tmp_path):
    # The i-th line under outlook: opens level i + 1 with the '-' in column 2i + 1.
    nested = "".join("  " * i + "-\n" for i in range(1, DEEP))
    text = BRIEF.replace("outlook: What comes next.\n", "outlook:\n" + nested)
    line = BRIEF.splitlines().index("outlook: What comes next.") + 1 + 20
    assert brief_errors(tmp_path, text) == [
        f"{line}:{2 * 20 + 1}: outlook{'[0]' * 19}: {TOO_DEEP.format('brief')}"]


@pytest.mark.parametrize(("yaml_text", "where"), [
    ("outlook: &r [*r]", "12:1: outlook[0]"),
    ("outlook: &r {again: *r}", "12:14: outlook.again"),
])
def test_an_alias_inside_its_own_anchor_is_refused(tmp_path, yaml_text, where):
    text = BRIEF.replace("outlook: What comes next.", yaml_text)
    assert brief_errors(tmp_path, text) == [
        f"{where}: an alias (*) here stands for a list or mapping that contains it, so it never "
        "ends; refusing to load it"]


def test_aliases_that_nest_past_the_limit_are_refused(tmp_path):
    text = BRIEF + "x: &a " + "[" * 15 + "]" * 15 + "\ny: " + "[" * 10 + "*a" + "]" * 10 + "\n"
    assert brief_errors(tmp_path, text) == [f"17:1: y{'[0]' * 19}: {TOO_DEEP.format('brief')}"]


def test_deep_nesting_and_self_reference_in_a_profile_are_refused(tmp_path):
    deep = MEI_PROFILE + "extra: " + "[" * DEEP + "]" * DEEP + "\n"
    line = len(MEI_PROFILE.splitlines()) + 1
    assert profile_errors(tmp_path, deep) == [
        f"{line}:{8 + 19}: extra{'[0]' * 19}: {TOO_DEEP.format('profile')}"]
    looped = MEI_PROFILE.replace("page:\n  size: letter", "page: &p\n  size: *p")
    line = looped.splitlines().index("page: &p") + 2
    assert profile_errors(tmp_path, looped) == [
        f"{line}:3: page.size: an alias (*) here stands for a list or mapping that contains it, "
        "so it never ends; refusing to load it"]


def test_deep_briefs_are_exit_1_in_the_cli_and_keep_watch_alive(tmp_path):
    from reportgen.authoring.watch import build_once

    path = tmp_path / "deep.yaml"
    path.write_text(BRIEF.replace("outlook: What comes next.", "outlook: &r [*r]"),
                    encoding="utf-8")
    result = runner.invoke(app, ["pdf", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "internal error" not in result.output
    assert result.output.startswith(f"{path}:12:1: outlook[0]: an alias")
    outcome = build_once(path, ["pdf"], tmp_path / "out")
    assert outcome.lines[1] == (f"  {path}:12:1: outlook[0]: an alias (*) here stands for a "
                                "list or mapping that contains it, so it never ends; refusing "
                                "to load it")


# ---------------------------------------------------------------------------------------------
# Text that is not UTF-8, and values that would break a message's line


@pytest.mark.parametrize(("codec", "name"), [
    ("utf-16-be", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16", "UTF-16"),
    ("utf-32-be", "UTF-32"), ("utf-32", "UTF-32"),
])
def test_a_utf16_or_utf32_brief_is_named_as_such(tmp_path, codec, name):
    raw = SAMPLE.read_text(encoding="utf-8").encode(codec)
    assert brief_errors(tmp_path, raw) == [
        f"1:1: the file is not UTF-8; it looks like {name}. Save it as UTF-8 (in most editors: "
        "Save As or Save with Encoding, then UTF-8)"]


def test_a_nul_at_the_start_is_named_before_the_syntax_error_it_causes(tmp_path):
    errors = brief_errors(tmp_path, b"\x00" + SAMPLE.read_bytes())
    assert errors == [
        "1:1: the file contains the control character U+0000 (a control character), which no "
        "document format can hold; delete it",
        "3:1: YAML syntax error: expected '<document start>', but found '<block mapping start>'"]


def test_a_profile_name_with_a_newline_stays_on_one_line(tmp_path):
    errors = brief_errors(tmp_path, BRIEF + 'profile: "mei\\n"\n')
    assert errors == ["16:10: profile: 'mei\\n' is not allowed here: expected a folder name of "
                      "lowercase letters, digits, - and _"]
    with pytest.raises(InputError) as caught:
        find_profile("me\ni")
    assert "\n" not in str(caught.value)
    assert "profile name 'me\\ni' is not valid" in str(caught.value)


def test_a_key_with_a_newline_stays_on_one_line(tmp_path):
    errors = brief_errors(tmp_path, BRIEF + '"evil\\nkey": 1\n')
    assert len(errors) == 1 and errors[0].startswith("16:1: evil\\nkey: unknown key 'evil\\nkey'")


def test_a_tag_the_author_wrote_on_a_value_it_cannot_hold_is_an_error_at_the_value(tmp_path):
    # PyYAML raises KeyError/AttributeError/IndexError for these, which used to be exit 70.
    text = (BRIEF.replace("date: 2017-10-24", "date: !!timestamp soon")
            .replace("title: A brief", "title: !!bool maybe")
            .replace("  holder: Iran", '  holder: !!int ""'))
    assert brief_errors(tmp_path, text) == [
        "1:8: title: 'maybe' is not a valid !!bool; remove the tag !!bool or correct the value",
        "2:7: date: 'soon' is not a valid !!timestamp; remove the tag !!timestamp or correct "
        "the value",
        "9:11: leverage.holder: '' is not a valid !!int; remove the tag !!int or correct the "
        "value"]
    # A date YAML guessed but that does not exist is still the model's to explain.
    assert brief_errors(tmp_path, BRIEF.replace("date: 2017-10-24", "date: 2017-02-30")) == [
        "2:7: date: expected a date as YYYY-MM-DD, got '2017-02-30'"]


def test_more_than_5000_paragraphs_and_list_items_are_refused_before_markdown(write_brief,
                                                                              monkeypatch):
    """100,000 one-letter list items fit in 1 MB and cost every writer 8-14 s; the loader
    counts paragraphs and list items before any Markdown is parsed."""
    from reportgen.brief import model

    parsed = []
    monkeypatch.setattr(model, "parse_text", lambda text: parsed.append(text))
    path = write_brief("blocks", situation="- a\n\n1. b\n\n" * 2_501)
    with pytest.raises(InputError) as caught:
        load_brief(path)
    [line] = caught.value.lines()
    assert line.endswith(": situation: the brief's text holds more than 5,000 paragraphs and "
                         "list items; a brief is read in minutes: shorten it or split it into "
                         "several briefs")
    assert parsed == []
    # 4,900 of them are a long brief, not a hostile one
    monkeypatch.undo()
    assert load_brief(write_brief("long", situation="- a\n\n1. b\n\n" * 2_450)).brief
