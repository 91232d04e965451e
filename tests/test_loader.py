"""The brief loader and validator: every mistake is reported as file:line:col: key: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.brief import load_brief
from reportgen.brief.markup import ListBlock, Paragraph, Span
from reportgen.errors import InputError

VALID = """\
title: A brief
date: 2017-10-24
summary: The bottom line.
situation: What happened.
actors:
  - name: Someone
leverage:
  holder: Iran
  points:
    - A lever.
outlook: What comes next.
"""


def errors_for(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "b.yaml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    with pytest.raises(InputError) as caught:
        load_brief(path)
    prefix = f"{path}:"
    return [line.removeprefix(prefix) for line in caught.value.lines()]


def test_minimal_brief_loads_with_defaults(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(VALID, encoding="utf-8")
    brief = load_brief(path).brief
    assert brief.profile == "mei" and brief.language == "en"
    assert brief.leverage.heading == "Iran’s leverage"
    assert brief.summary.plain == "The bottom line."


def test_sample_brief_is_valid(sample_brief):
    brief = load_brief(sample_brief).brief
    assert len(brief.actors) >= 5
    assert brief.leverage.holder == "Iran"


def test_missing_field_names_the_key_at_the_mapping(tmp_path):
    text = VALID.replace("summary: The bottom line.\n", "")
    assert errors_for(tmp_path, text) == ["1:1: summary: required key is missing"]


def test_missing_nested_field_points_at_its_item(tmp_path):
    text = VALID.replace("  - name: Someone", "  - role: Minister")
    assert errors_for(tmp_path, text) == ["6:5: actors[0].name: required key is missing"]


def test_unknown_key_suggests_the_closest_one(tmp_path):
    text = VALID.replace("  - name: Someone", "  - name: Someone\n    stnce: hawkish")
    assert errors_for(tmp_path, text) == [
        "7:5: actors[0].stnce: unknown key 'stnce' (did you mean 'stance'?)"]


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(tmp_path):
    errs = errors_for(tmp_path, VALID + "zzz: 1\n")
    assert errs[0].startswith("12:1: zzz: unknown key 'zzz' (allowed keys: title, subtitle, date")


def test_wrong_date_format(tmp_path):
    text = VALID.replace("date: 2017-10-24", "date: 24/10/2017")
    assert errors_for(tmp_path, text) == [
        "2:7: date: expected a date as YYYY-MM-DD, got '24/10/2017'"]


def test_impossible_date(tmp_path):
    text = VALID.replace("date: 2017-10-24", "date: 2017-13-45")
    assert errors_for(tmp_path, text) == [
        "2:7: date: expected a date as YYYY-MM-DD, got '2017-13-45'"]


def test_duplicate_key_is_an_error_naming_the_first(tmp_path):
    assert errors_for(tmp_path, VALID + "title: Again\n") == [
        "12:1: title: duplicate key 'title' (first given at line 1)"]


def test_python_object_tag_is_refused(tmp_path):
    text = VALID.replace("title: A brief", "title: !!python/object/apply:os.system ['true']")
    errs = errors_for(tmp_path, text)
    assert errs == ["1:8: title: YAML tag !!python/object/apply:os.system is not allowed; "
                    "briefs hold plain text, numbers, lists and mappings only"]


def test_alias_bomb_is_bounded(tmp_path):
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    prev = "a"
    for level in "bcdefghi":
        bomb += f"{level}: &{level} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = level
    errs = errors_for(tmp_path, bomb)
    assert len(errs) == 1
    assert "expands to more than 20,000 values" in errs[0]


def test_raw_control_character_names_the_field_and_position(tmp_path):
    text = VALID.replace("What happened.", "What \x07happened.")
    assert errors_for(tmp_path, text) == [
        "4:17: situation: contains the control character U+0007 (a control character), which "
        "no document format can hold; delete it"]


def test_escaped_control_character_is_caught_too(tmp_path):
    text = VALID.replace("  - name: Someone", '  - name: "Some\\u0000one"')
    assert errors_for(tmp_path, text) == [
        "6:11: actors[0].name: contains the control character U+0000 (a control character), "
        "which no document format can hold; delete it"]


def test_non_utf8_bytes_give_line_and_column(tmp_path):
    raw = VALID.replace("What happened.", "What happ\xe9ned.").encode("latin-1")
    assert errors_for(tmp_path, raw) == [
        "4:21: byte 0xE9 is not valid UTF-8; save the file as UTF-8"]


def test_empty_file(tmp_path):
    assert errors_for(tmp_path, "# only a comment\n") == [
        "1:1: the file is empty; a brief is a YAML mapping of keys such as title, date and "
        "summary"]


def test_top_level_list(tmp_path):
    assert errors_for(tmp_path, "- title: x\n") == [
        "1:1: a brief must be a mapping of keys (title: …), but the file holds a list"]


def test_yaml_syntax_error_has_position(tmp_path):
    errs = errors_for(tmp_path, "title: [unclosed\ndate: 2017-10-24\n")
    assert len(errs) == 1 and errs[0].startswith("2:5: YAML syntax error")


def test_all_errors_are_reported_in_one_pass(tmp_path):
    text = (VALID.replace("date: 2017-10-24", "date: tomorrow")
            .replace("  - name: Someone", "  - name: Someone\n    stnce: x") + "title: Again\n")
    errs = errors_for(tmp_path, text)
    assert [e.split(":")[2].strip() for e in errs] == ["date", "actors[0].stnce", "title"]


def test_title_longer_than_150_characters(tmp_path):
    text = VALID.replace("title: A brief", "title: " + "x" * 151)
    assert errors_for(tmp_path, text) == ["1:8: title: is 151 characters long; at most 150 allowed"]


def test_number_where_text_is_expected_suggests_quotes(tmp_path):
    text = VALID.replace("title: A brief", "title: 2017")
    assert errors_for(tmp_path, text) == ["1:8: title: expected text, got a number (put it in "
                                          "quotes)"]


def test_link_schemes_other_than_http_https_mailto_are_refused(tmp_path):
    text = VALID.replace("What happened.", "See [this](javascript:alert(1)).")
    assert errors_for(tmp_path, text) == [
        "4:12: situation: link target 'javascript:alert(1)' is not allowed; use an http, https "
        "or mailto URL"]


def test_empty_lists_need_one_item(tmp_path):
    text = VALID.replace("  points:\n    - A lever.", "  points: []")
    assert errors_for(tmp_path, text) == ["9:11: leverage.points: needs at least one item"]


def test_markdown_lite_is_parsed_into_the_inline_model(tmp_path):
    text = VALID.replace(
        "situation: What happened.",
        "situation: |\n  First **bold** and *italic* with [a link](https://mei.edu).\n\n"
        "  - one\n  - two")
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    situation = load_brief(path).brief.situation
    para, bullets = situation.blocks
    assert isinstance(para, Paragraph) and isinstance(bullets, ListBlock)
    assert Span("bold", bold=True) in para.spans
    assert Span("italic", italic=True) in para.spans
    assert Span("a link", href="https://mei.edu") in para.spans
    assert [s[0].text for s in bullets.items] == ["one", "two"]


def test_outlook_may_be_a_list_of_items(tmp_path):
    text = VALID.replace("outlook: What comes next.", "outlook:\n  - First.\n  - Second.")
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    (block,) = load_brief(path).brief.outlook.blocks
    assert isinstance(block, ListBlock) and len(block.items) == 2


def test_nested_lists_are_refused_rather_than_flattened(tmp_path):
    text = VALID.replace("situation: What happened.",
                         "situation: |\n  1. first\n  2. second\n     - nested")
    assert errors_for(tmp_path, text) == [
        "4:12: situation: lists cannot be nested (line 3 of the text); use one level of '- ' "
        "items"]
