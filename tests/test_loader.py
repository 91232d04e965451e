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
    assert brief.leverage.holder == "Iran"
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


def test_one_long_anchored_text_repeated_is_refused_by_its_expanded_size(tmp_path):
    # 100 KB of text repeated 25 times is 2.5 million characters: fewer than 20,000 values,
    # so only the character cap stops it.
    text = ('title: &t "' + "x" * 100_000 + '"\ndate: 2017-10-24\nauthors: ['
            + ", ".join(["*t"] * 25) + "]\n")
    assert errors_for(tmp_path, text) == [
        "3:1: authors[18]: the document expands to more than 2,000,000 characters of text "
        "(aliases * and & repeated); refusing to load it"]


def test_aliases_that_stay_under_the_caps_still_load(tmp_path):
    text = VALID.replace("title: A brief", "title: &t A brief") + "authors: [*t, *t]\n"
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_brief(path).brief.authors == ["A brief", "A brief"]


@pytest.mark.parametrize(("char", "advice"), [
    ("\x92", "the text looks like Windows-1252 pasted as UTF-8 (U+0092 is probably a ’); "
             "type ’ instead"),
    ("\x96", "the text looks like Windows-1252 pasted as UTF-8 (U+0096 is probably a –); "
             "type – instead"),
    ("\x81", "the text looks like Windows-1252 pasted as UTF-8; retype the character there"),
    ("\x7f", "delete it"),
])
def test_del_and_c1_controls_are_reported_at_their_field(tmp_path, char, advice):
    text = VALID.replace("What happened.", f"What {char}happened.")
    assert errors_for(tmp_path, text) == [
        f"4:17: situation: contains the control character U+{ord(char):04X} (a control "
        f"character), which no document format can hold; {advice}"]


def test_many_controls_in_one_value_are_one_error_at_the_first(tmp_path):
    text = VALID.replace("What happened.", "What\x07 hap\x07pe\x07ned.")
    assert errors_for(tmp_path, text) == [
        "4:16: situation: contains 3 control characters, the first U+0007 (a control "
        "character), which no document format can hold; delete them"]


def test_a_character_pyyaml_refuses_is_one_line_at_its_position(tmp_path, monkeypatch):
    # Every character PyYAML's reader refuses is swapped before it reads; should one slip
    # through, the reader's error still becomes one positioned line.
    import re

    from reportgen.brief import loader

    monkeypatch.setattr(loader, "_FORBIDDEN", re.compile("[\x00-\x08]"))
    text = VALID.replace("What happened.", "What \x92happened.")
    assert errors_for(tmp_path, text) == [
        "4:17: YAML error: the character U+0092 (a control character) is not allowed in a YAML "
        "file; delete it"]


def test_control_character_in_a_key_is_reported_at_the_key_without_other_errors(tmp_path):
    text = VALID.replace("summary:", "sum\x07mary:")
    assert errors_for(tmp_path, text) == [
        "3:1: sum<U+0007>mary: the key contains the control character U+0007 (a control "
        "character), which no document format can hold; delete it"]


def test_control_character_in_an_unknown_key_gives_no_second_error(tmp_path):
    errs = errors_for(tmp_path, VALID.replace("  - name: Someone",
                                              '  - name: Someone\n    "x\\u0092y": 1'))
    assert errs == [
        "7:5: actors[0].x<U+0092>y: the key contains the control character U+0092 (a control "
        "character), which no document format can hold; the text looks like Windows-1252 "
        "pasted as UTF-8 (U+0092 is probably a ’); type ’ instead"]
    assert not any("\U000f0000" in e for e in errs)


def test_merge_keys_are_refused_by_name(tmp_path):
    text = VALID.replace("  - name: Someone",
                         "  - &a {name: Someone}\n  - <<: *a\n    role: Minister")
    assert errors_for(tmp_path, text) == [
        "7:5: actors[1]: merge keys (<<) are not supported; write the keys out in full",
        "7:5: actors[1].name: required key is missing"]  # nothing was merged in


def test_two_yaml_documents_in_one_file(tmp_path):
    assert errors_for(tmp_path, "---\n" + VALID + "---\ntitle: Another\n") == [
        "13:1: the file holds more than one YAML document (the '---' at line 13 starts "
        "another); a brief is one document"]


def test_a_mapping_where_text_is_expected(tmp_path):
    text = VALID.replace("summary: The bottom line.", "summary: {blocks: [], source: x}")
    assert errors_for(tmp_path, text) == ["3:10: summary: expected text, got a mapping"]


def test_a_leverage_point_with_two_paragraphs_is_refused_at_the_point(tmp_path):
    text = VALID.replace("    - A lever.", "    - A lever.\n    - |\n      One.\n\n      Two.")
    assert errors_for(tmp_path, text) == [
        "11:7: leverage.points[1]: a leverage point is one paragraph: no blank lines or lists "
        "inside; make it two points"]


def test_a_leverage_point_with_a_list_inside_is_refused_and_says_why(tmp_path):
    text = VALID.replace("    - A lever.", "    - |\n      Levers:\n      - money\n      - men")
    assert errors_for(tmp_path, text) == [
        "10:7: leverage.points[0]: a leverage point is one paragraph: no blank lines or lists "
        "inside; make it two points (a line that starts with '- ', '* ', '+ ' or a number and "
        "'. ' is a list item)"]


def test_an_outlook_item_with_two_paragraphs_is_refused_at_the_item(tmp_path):
    text = VALID.replace("outlook: What comes next.",
                         "outlook:\n  - First.\n  - \"Second.\\n\\nThird.\"\n  - 3")
    assert errors_for(tmp_path, text) == [
        "13:5: outlook[1]: an outlook item is one paragraph: no blank lines or lists inside; "
        "make it two items",
        "14:5: outlook[2]: expected text, got a number (put it in quotes)"]


def test_outlook_as_text_keeps_paragraphs_and_a_list(tmp_path):
    text = VALID.replace("outlook: What comes next.",
                         "outlook: |\n  First.\n\n  Then:\n\n  - a *b*\n  - c")
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    blocks = load_brief(path).brief.outlook.blocks
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "Paragraph", "ListBlock"]
    assert blocks[2].items[0] == (Span("a "), Span("b", italic=True))


def test_outlook_list_items_become_one_bullet_each_with_their_markup(tmp_path):
    text = VALID.replace("outlook: What comes next.",
                         "outlook:\n  - First **bold**.\n  - See [it](https://mei.edu).")
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    outlook = load_brief(path).brief.outlook
    (block,) = outlook.blocks
    assert block.items == ((Span("First "), Span("bold", bold=True), Span(".")),
                           (Span("See "), Span("it", href="https://mei.edu"), Span(".")))
    assert outlook.source == "- First **bold**.\n- See [it](https://mei.edu)."


@pytest.mark.parametrize("tag", ["en", "en-GB", "es-419", "de-CH-1996", "sl-rozaj-biske",
                                 "sr-Latn-RS", "zh-yue-HK", "en-US-u-ca-gregory", "en-x-mei"])
def test_bcp47_tags_with_variants_and_extensions_are_accepted(tmp_path, tag):
    import jsonschema

    from reportgen.brief.model import Brief

    path = tmp_path / "b.yaml"
    path.write_text(VALID + f"language: {tag}\n", encoding="utf-8")
    assert load_brief(path).brief.language == tag
    schema = Brief.model_json_schema()["properties"]["language"]
    jsonschema.validate(tag, schema)  # the editor's schema agrees with the loader


@pytest.mark.parametrize("tag", ["english", "de-CH-19", "en-", "en-a", "x-mei", "de-CH-123"])
def test_malformed_language_tags_are_refused_by_loader_and_schema(tmp_path, tag):
    import jsonschema

    from reportgen.brief.model import Brief

    assert errors_for(tmp_path, VALID + f"language: {tag}\n") == [
        f"12:11: language: '{tag}' is not a BCP 47 language tag such as 'en' or 'en-GB'"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(tag, Brief.model_json_schema()["properties"]["language"])
