"""Authoring commands: validate, new, schema, watch; shell completion; the pre-commit hook."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import threading
import time
import types
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from pypdf import PdfReader
from typer.testing import CliRunner

from reportgen.authoring import checks, skeleton
from reportgen.authoring import watch as watching
from reportgen.authoring.schema import schema_text, undocumented_fields
from reportgen.brief import load_brief
from reportgen.cli import app
from reportgen.errors import Diagnostic

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
WARNINGS = FIXTURES / "authoring_warnings.yaml"

runner = CliRunner()


def invoke(*args: str, **kw):
    return runner.invoke(app, [str(a) for a in args], prog_name="reportgen", **kw)


class Yaml12Loader(yaml.SafeLoader):
    """Reads YAML the way an editor's language server does (YAML 1.2: dates stay strings)."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def editor_view(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12Loader)


@pytest.fixture(scope="module")
def schema() -> dict:
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_messages(schema: dict, data) -> list[str]:
    """Every schema error, including why each branch of an anyOf failed."""
    def walk(errors):
        for e in errors:
            yield e.message
            yield from walk(e.context or [])
    return list(walk(validator(schema).iter_errors(data)))


def fixture_expectations(path: Path) -> dict[str, str]:
    head = [line[2:] for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# ")]
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in head)
            if k.strip() in ("schema-error", "validate-error")}


@pytest.fixture
def clean_brief(write_brief, sample_data) -> Path:
    """A short brief with nothing to warn about: it fits at the profile's 10 pt."""
    actors = [dict(a, quote_source=a.get("quote_source") or "Interview")
              for a in sample_data["actors"][:2]]
    return write_brief("clean", actors=actors,
                       situation=sample_data["situation"].split("\n\n")[0],
                       leverage=dict(sample_data["leverage"],
                                     points=sample_data["leverage"]["points"][:2]),
                       outlook=sample_data["outlook"][:2],
                       sources=[{"title": "MEI commentary", "url": "https://www.mei.edu"}])


def lines_of(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------
# schema


def test_schema_is_draft_2020_12_with_id_and_title(schema):
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:reportgen:schema:brief:1.1"
    assert schema["title"] == "reportgen brief"
    assert set(schema["required"]) >= {"title", "date", "summary", "actors", "outlook"}


def test_schema_describes_every_field_of_every_part(schema):
    assert undocumented_fields(schema) == []
    assert set(schema["$defs"]["Actor"]["properties"]) == {
        "name", "role", "affiliation", "stance", "quote", "quote_source", "url", "featured"}
    assert "from" in schema["$defs"]["Memo"]["properties"]  # aliases, as written in YAML
    assert schema["properties"]["summary"]["description"] == \
        "The bottom line, one to three sentences."


def test_schema_accepts_the_sample_brief(schema, sample_brief):
    errors = [e.message for e in validator(schema).iter_errors(editor_view(sample_brief))]
    assert errors == []


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_schema_rejects_each_bad_fixture_for_its_stated_reason(schema, path):
    expected = fixture_expectations(path)["schema-error"]
    messages = schema_messages(schema, editor_view(path))
    assert messages, f"{path.name} passed the schema"
    assert any(expected in m for m in messages), messages


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_validate_rejects_each_bad_fixture_like_the_schema(path):
    expected = fixture_expectations(path)["validate-error"]
    result = invoke("validate", path)
    assert result.exit_code == 1, result.output
    errors = [line for line in lines_of(result.stdout) if ": error: " in line]
    assert errors and all(line.startswith(f"{path}:") for line in errors)
    assert any(expected in line.split(": error: ", 1)[1] for line in errors), errors


def test_schema_out_writes_the_same_schema_to_a_file(tmp_path, schema):
    target = tmp_path / "nested" / "brief.schema.json"
    result = invoke("schema", "--out", target)
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8")) == schema
    assert target.read_text(encoding="utf-8") == schema_text()


# ---------------------------------------------------------------------------------------------
# validate


def test_validate_passes_a_clean_brief_silently(clean_brief):
    result = invoke("validate", clean_brief)
    assert result.exit_code == 0, result.output
    assert lines_of(result.stdout) == ["checked 1 brief: 0 errors, 0 warnings"]


def test_validate_points_each_warning_at_its_key_or_value():
    result = invoke("validate", WARNINGS)
    assert result.exit_code == 0, result.output
    w = f"{WARNINGS}"
    assert lines_of(result.stdout) == [
        f"{w}:5:10: warning: summary: the summary has 4 sentences; the bottom line should be "
        "one to three. Move the detail to situation",
        f"{w}:8:38: warning: situation: link 'http://example.org/ministry' is not https; "
        "use https:// if the site offers it",
        f"{w}:10:5: warning: actors[0]: actor 'Anonymous Official' has no role; say who they "
        "are (e.g. role: Prime Minister)",
        f"{w}:12:5: warning: actors[1]: actor 'Second Actor' has no stance; say where they "
        "stand, in a sentence",
        f"{w}:14:12: warning: actors[1].quote: the quote of Second Actor has no quote_source; "
        "say where and when they said it",
        f"{w}:19:10: warning: actors[2].url: link 'mailto:press@example.org' is not https: a "
        "mailto link only works where a mail program is set up; link to a web page if you can",
        f"{w}:26:5: warning: sources[0]: source 'An unlinked report' has no url; readers "
        "cannot check it",
        "checked 1 brief: 0 errors, 7 warnings",
    ]


def test_validate_strict_turns_warnings_into_errors():
    result = invoke("validate", "--strict", WARNINGS)
    assert result.exit_code == 1
    found = lines_of(result.stdout)
    assert len([line for line in found if ": error: " in line]) == 7
    assert not any(": warning: " in line for line in found)
    assert found[-1] == "checked 1 brief: 7 errors, 0 warnings"


def test_validate_checks_every_brief_in_a_folder_and_fails_if_one_is_invalid(
        tmp_path, clean_brief):
    bad = tmp_path / "broken.yaml"
    bad.write_text((FIXTURES / "bad" / "unknown_key.yaml").read_text(encoding="utf-8"),
                   encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a brief", encoding="utf-8")
    result = invoke("validate", tmp_path)
    assert result.exit_code == 1
    assert f"{bad}:7:1: error: sumary: unknown key 'sumary' (did you mean 'summary'?)" in \
        result.stdout
    assert lines_of(result.stdout)[-1] == "checked 2 briefs: 1 error, 0 warnings"


def test_validate_checks_the_briefs_build_would_build_in_subfolders_too(tmp_path, clean_brief):
    from reportgen.build import discover

    typo = tmp_path / "2017" / "typo.yaml"
    typo.parent.mkdir()
    typo.write_text((FIXTURES / "bad" / "unknown_key.yaml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    hidden = tmp_path / ".drafts" / "scratch.yaml"  # build skips hidden folders: so does validate
    hidden.parent.mkdir()
    hidden.write_text("not: [a brief", encoding="utf-8")
    result = invoke("validate", tmp_path)
    assert result.exit_code == 1
    assert f"{typo}:7:1: error: sumary: unknown key 'sumary'" in result.stdout
    assert str(hidden) not in result.stdout
    assert lines_of(result.stdout)[-1] == "checked 2 briefs: 1 error, 0 warnings"
    checked = [f["path"] for f in json.loads(invoke("validate", tmp_path, "-f", "json").stdout)
               ["files"]]
    assert checked == [str(p) for p in discover([tmp_path])] == [str(typo), str(clean_brief)]


def test_validate_reports_two_briefs_with_the_same_name_as_build_refuses_them(tmp_path,
                                                                               clean_brief):
    twin = tmp_path / "2017" / "clean.yml"
    twin.parent.mkdir()
    twin.write_bytes(clean_brief.read_bytes())
    result = invoke("validate", tmp_path)
    assert result.exit_code == 1
    found = lines_of(result.stdout)
    assert found[:2] == [  # in build's order: by path
        f"{twin}:1:1: error: {clean_brief} has the same file name, so both would write "
        "OUT/clean.*; rename one; `reportgen build` builds neither",
        f"{clean_brief}:1:1: error: {twin} has the same file name, so both would write "
        "OUT/clean.*; rename one; `reportgen build` builds neither"]
    assert found[-1] == "checked 2 briefs: 2 errors, 0 warnings"
    assert invoke("validate", clean_brief).exit_code == 0  # alone, the brief is clean


def test_validate_defaults_to_the_briefs_folder(tmp_path, monkeypatch, clean_brief):
    (tmp_path / "briefs").mkdir()
    clean_brief.rename(tmp_path / "briefs" / "clean.yaml")
    monkeypatch.chdir(tmp_path)
    result = invoke("validate")
    assert result.exit_code == 0, result.output
    assert "checked 1 brief" in result.stdout


def test_validate_is_a_usage_error_without_briefs(tmp_path):
    assert invoke("validate", tmp_path / "missing.yaml").exit_code == 2
    empty = invoke("validate", tmp_path)
    assert empty.exit_code == 2
    assert "no briefs" in empty.stderr


def test_validate_json_reports_counts_layout_and_diagnostics():
    result = invoke("validate", "--format", "json", "--strict", WARNINGS)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["ok"], report["strict"], report["errors"], report["warnings"]) == \
        (False, True, 7, 0)
    (entry,) = report["files"]
    assert entry["path"] == str(WARNINGS) and entry["errors"] == 7
    # a short brief grows from the profile's size up to its ceiling (type.max_body_pt)
    assert entry["profile_body_pt"] == 10.0 and entry["pdf_body_pt"] == 11.5
    first = report["diagnostics"][0]
    assert first == {"path": str(WARNINGS), "line": 5, "col": 10, "key": "summary",
                     "level": "error",
                     "message": "the summary has 4 sentences; the bottom line should be one to "
                                "three. Move the detail to situation"}


def test_validate_github_prints_workflow_annotations():
    result = invoke("validate", "--format", "github", WARNINGS)
    assert result.exit_code == 0
    found = lines_of(result.stdout)
    assert found[0] == (
        f"::warning file={WARNINGS},line=5,col=10,title=reportgen%3A summary::the summary has "
        "4 sentences; the bottom line should be one to three. Move the detail to situation")
    assert all(re.match(r"^::warning file=[^,]+,line=\d+,col=\d+,title=[^:]+::.+", line)
               for line in found[:-1])


def test_github_annotations_escape_what_would_break_the_command():
    d = Diagnostic("a,b.yaml", 3, 4, "x", "100% sure\nsecond line", "error")
    out = checks.format_github(checks.Report([checks.FileReport("a,b.yaml", [d])]))
    assert out.splitlines()[0] == \
        "::error file=a%2Cb.yaml,line=3,col=4,title=reportgen%3A x::100%25 sure%0Asecond line"


def test_validate_reports_a_one_pager_that_cannot_fit_as_an_error(write_brief, sample_data):
    long = "\n\n".join([sample_data["situation"]] * 12)
    path = write_brief("long", situation=long)
    result = invoke("validate", path)
    assert result.exit_code == 1
    (error,) = [line for line in lines_of(result.stdout) if ": error: " in line]
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("situation:"))
    assert error.startswith(f"{path}:{line}:1: error: situation: the one-pager does not fit")


def _profile_folder(tmp_path: Path, **changes) -> Path:
    profile = yaml.safe_load((ROOT / "templates/mei/profile.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            profile.pop(key)
        else:
            profile[key] = value
    folder = tmp_path / "templates" / "mei"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profile.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True),
                                         encoding="utf-8")
    return folder


def test_validate_reports_a_broken_profile_once_for_all_its_briefs(tmp_path, write_brief):
    folder = _profile_folder(tmp_path, disclaimer=None)
    first, second = write_brief("first"), write_brief("second")
    result = invoke("validate", "--templates", tmp_path / "templates", first, second)
    assert result.exit_code == 1
    errors = [line for line in lines_of(result.stdout) if ": error: " in line]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{folder / 'profile.yaml'}:1:1: error: ")
    assert "disclaimer" in errors[0]


def test_validate_points_at_the_profile_key_when_the_profile_does_not_exist(write_brief):
    path = write_brief("elsewhere", profile="nosuch")
    result = invoke("validate", path)
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("profile:"))
    (error,) = [entry for entry in lines_of(result.stdout) if ": error: " in entry]
    assert error.startswith(f"{path}:{line}:10: error: profile: no profile 'nosuch'")


def test_validate_warns_when_text_will_shrink_below_the_profile_size(tmp_path, sample_brief):
    from reportgen.pipeline import prepare
    from reportgen.writers import get_writer

    folder = _profile_folder(tmp_path, type={"body_pt": 13, "min_body_pt": 8},
                             url="http://www.mei.edu")
    job = prepare(sample_brief, tmp_path / "templates")
    found = get_writer("pdf").check(job.document)
    expected = found.body_pt
    assert found.shrunk and found.start_pt == 13 and expected < 13

    result = invoke("validate", "--templates", tmp_path / "templates", "--format", "json",
                    sample_brief)
    report = json.loads(result.stdout)
    assert report["files"][0]["pdf_body_pt"] == expected
    messages = {(d["path"], d["message"]) for d in report["diagnostics"]
                if d["level"] == "warning"}
    shrink = [m for p, m in messages if m.startswith("text will be shrunk")]
    assert shrink and shrink[0].startswith(
        f"text will be shrunk to {expected:g} pt (profile size 13 pt)")
    assert (str(folder / "profile.yaml"),
            "link 'http://www.mei.edu' is not https; use https:// if the site offers it") \
        in messages


def _fake_deck_module(findings) -> types.ModuleType:
    module = types.ModuleType("reportgen.writers.pptx")
    module.check = lambda document: findings
    return module


def test_validate_says_how_many_continuation_slides_the_deck_needs(monkeypatch, clean_brief):
    from reportgen.document.findings import Findings, SectionFindings

    # Findings only: a leverage holder called "X (2 of 3)" could not fool a count of titles.
    found = Findings("pptx", slides=7, sections=(
        SectionFindings("summary", 28, 1), SectionFindings("actors", 18, 3),
        SectionFindings("leverage", 22, 1), SectionFindings("outlook", 24, 1)))
    monkeypatch.setitem(sys.modules, "reportgen.writers.pptx", _fake_deck_module(found))
    result = invoke("validate", "--format", "json", clean_brief)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["files"][0]["deck_slides"], report["files"][0]["continuation_slides"]) == \
        (7, 2)
    (note,) = [d for d in report["diagnostics"] if d["level"] == "info"]
    assert (note["key"], note["message"]) == (
        "actors", "the deck will need 2 continuation slides (Actors runs to 3 slides)")
    actors_line = next(i for i, text in enumerate(
        clean_brief.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("actors:"))
    assert (note["line"], note["col"]) == (actors_line, 1)


def test_validate_counts_continuation_slides_of_the_real_deck_plan(write_brief, sample_data):
    from reportgen.pipeline import prepare
    from reportgen.writers.pptx import plan

    actors = [dict(sample_data["actors"][i % 6], name=f"Actor {i}") for i in range(18)]
    path = write_brief("many-actors", actors=actors)
    deck = plan(prepare(path).document)
    # The plan's slides name their section: every slide of a section past its first.
    per_section: dict[str, int] = {}
    for slide in deck.slides:
        per_section[slide.section] = per_section.get(slide.section, 0) + 1
    continued = sum(n - 1 for key, n in per_section.items() if key not in ("title", "closing"))
    assert per_section["actors"] >= 2, f"18 actors should overflow one slide: {per_section}"
    assert deck.findings.section("actors").slides == per_section["actors"]
    result = invoke("validate", "--format", "json", path)
    report = json.loads(result.stdout)
    assert report["files"][0]["deck_slides"] == len(deck.slides)
    assert report["files"][0]["continuation_slides"] == continued
    (note,) = [d for d in report["diagnostics"] if d["level"] == "info"]
    assert note["key"] == "actors"


def test_validate_warns_at_language_when_there_are_no_labels_for_it(write_brief):
    path = write_brief("german", language="de")
    result = invoke("validate", "--format", "json", path)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (warning,) = [d for d in report["diagnostics"] if d["key"] == "language"]
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("language:"))
    assert (warning["level"], warning["line"]) == ("warning", line)
    assert warning["message"] == (
        "there are no labels for the language 'de': headings and other labels will be printed "
        "in English (the languages with labels are en, ar, fr)")


@pytest.mark.parametrize("language", ["en", "fr", "fr-CA", "ar"])
def test_validate_takes_a_language_with_labels_without_a_warning(write_brief, language):
    result = invoke("validate", "--format", "json", write_brief("lang", language=language))
    report = json.loads(result.stdout)
    assert not [d for d in report["diagnostics"] if d["key"] == "language"], report


@pytest.mark.parametrize(("text", "count"), [
    ("Iran moved. Iraq waited!", 2),
    ("The U.S. Army and the P.M.F. (Popular Mobilization Forces) met. Nobody won.", 2),
    ("Dr. Smith met Gen. Votel and J. Doe in Jan. 2017. They talked. It ended. Then?", 4),
    ("“We stay.” The minister left. He came back.", 3),
    ("", 0),
])
def test_sentences_are_counted_without_tripping_on_abbreviations(text, count):
    assert checks.count_sentences(text) == count


def test_the_sample_summary_is_within_three_sentences(sample_brief):
    assert 1 <= checks.count_sentences(load_brief(sample_brief).brief.summary.plain) <= 3


# ---------------------------------------------------------------------------------------------
# new


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(skeleton, "today", lambda: dt.date(2031, 2, 3))
    return tmp_path


def test_new_writes_a_skeleton_that_loads_with_todays_date(in_tmp, schema):
    result = invoke("new", "iraq-pmf", "--title", 'Iraq: "militias" push back')
    assert result.exit_code == 0, result.output
    path = in_tmp / "briefs" / "iraq-pmf.yaml"
    assert lines_of(result.stdout)[0] == "wrote briefs/iraq-pmf.yaml"
    brief = load_brief(path).brief
    assert brief.date == dt.date(2031, 2, 3)
    assert brief.title == 'Iraq: "militias" push back'
    assert brief.profile == "mei"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../brief.schema.json"
    assert json.loads((in_tmp / "brief.schema.json").read_text(encoding="utf-8")) == schema
    assert list(validator(schema).iter_errors(editor_view(path))) == []


def test_new_skeleton_validates_with_todo_warnings_only(in_tmp):
    assert invoke("new", "draft").exit_code == 0
    result = invoke("validate", "briefs/draft.yaml")
    assert result.exit_code == 0, result.output
    found = lines_of(result.stdout)
    assert all(": warning: " in line and "placeholder text (TODO)" in line
               for line in found[:-1])
    assert any(line.startswith("briefs/draft.yaml:") and ": title: " in line for line in found)
    assert invoke("validate", "--strict", "briefs/draft.yaml").exit_code == 1


def test_new_skeleton_names_and_comments_every_field_of_the_format(in_tmp, schema):
    assert invoke("new", "draft").exit_code == 0
    lines = (in_tmp / "briefs" / "draft.yaml").read_text(encoding="utf-8").splitlines()
    keys: dict[str, int] = {}
    for i, line in enumerate(lines):
        m = re.match(r"^\s*(?:# )?(?:- )?([a-z_]+):", line)
        if m and not line.lstrip().startswith("# yaml-language-server"):
            keys.setdefault(m.group(1), i)
    expected = set(schema["properties"])
    for part in schema["$defs"].values():
        expected |= set(part["properties"])
    assert expected <= set(keys), expected - set(keys)
    for key, i in keys.items():
        assert lines[i - 1].lstrip().startswith("# "), f"{key} has no comment above it"


def test_new_takes_date_profile_and_folder_options(in_tmp):
    result = invoke("new", "later.yaml", "--date", "2030-01-02", "--dir", "drafts",
                    "--schema", "https://example.org/brief.schema.json")
    assert result.exit_code == 0, result.output
    text = (in_tmp / "drafts" / "later.yaml").read_text(encoding="utf-8")
    assert text.startswith(
        "# yaml-language-server: $schema=https://example.org/brief.schema.json\n")
    assert load_brief(in_tmp / "drafts" / "later.yaml").brief.date == dt.date(2030, 1, 2)
    assert not (in_tmp / "brief.schema.json").exists()


def test_new_writes_the_schema_in_the_current_folder_as_its_help_says(in_tmp, schema):
    result = invoke("new", "draft", "--dir", "drafts/2017")
    assert result.exit_code == 0, result.output
    brief = in_tmp / "drafts" / "2017" / "draft.yaml"
    assert brief.read_text(encoding="utf-8").splitlines()[0] == \
        "# yaml-language-server: $schema=../../brief.schema.json"
    assert json.loads((in_tmp / "brief.schema.json").read_text(encoding="utf-8")) == schema
    assert not list((in_tmp / "drafts").rglob("*.json"))
    assert "wrote brief.schema.json" in result.stdout
    help_text = " ".join(invoke("new", "--help").stdout.split())
    assert "at --schema: a path from the current folder, not from --dir" in help_text
    assert "next to your briefs folder" not in help_text


def test_new_refuses_to_overwrite_an_existing_brief(in_tmp):
    target = in_tmp / "briefs" / "taken.yaml"
    target.parent.mkdir()
    target.write_text("title: mine\n", encoding="utf-8")
    result = invoke("new", "taken")
    assert result.exit_code == 2
    assert "briefs/taken.yaml already exists; nothing was written" in result.stderr
    assert target.read_text(encoding="utf-8") == "title: mine\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--profile", "nosuch"], "--profile nosuch: no profile 'nosuch'"),
    (["--title", "x" * 151], "--title: is 151 characters long; at most 150 allowed"),
    (["--date", "2031-02-30"], "--date '2031-02-30' is not a date as YYYY-MM-DD"),
])
def test_new_rejects_bad_options_without_writing(in_tmp, args, message):
    result = invoke("new", "draft", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (in_tmp / "briefs" / "draft.yaml").exists()


def test_new_rejects_a_name_that_is_a_path(in_tmp):
    result = invoke("new", "../escape")
    assert result.exit_code == 2
    assert "is not a file name" in result.stderr
    assert not (in_tmp / "escape.yaml").exists()


# ---------------------------------------------------------------------------------------------
# watch


def _pdf_text(path: Path) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(path).pages)


def _run_watch(brief: Path, out: Path, max_builds: int, templates: Path | None = None):
    """`reportgen watch` on `brief` in a thread: (thread, the lines it prints, its stop)."""
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=watching.watch, args=(brief, ["pdf"], out), kwargs=dict(
        templates=templates, echo=lines.append, max_builds=max_builds, timeout=30,
        stop_event=stop), daemon=True)
    thread.start()
    return thread, lines, stop


def _wait_for(predicate, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_watch_rebuilds_the_pdf_after_a_save(tmp_path, clean_brief):
    out = tmp_path / "out"
    thread, lines, stop = _run_watch(clean_brief, out, max_builds=2)
    try:
        assert _wait_for(lambda: any(line.startswith("watching") for line in lines))
        text = clean_brief.read_text(encoding="utf-8")
        clean_brief.write_text(re.sub(r"(?m)^title: .*$", "title: Rebuilt after a save", text),
                               encoding="utf-8")
        thread.join(timeout=20)
        assert not thread.is_alive(), lines
    finally:
        stop.set()
    rebuilt = [line for line in lines if " rebuilt " in line]
    assert len(rebuilt) == 2, lines
    assert re.fullmatch(rf"\d\d:\d\d:\d\d rebuilt {re.escape(str(out / 'clean.pdf'))} in "
                        r"\d+(\.\d s| ms)", rebuilt[1])
    assert "Rebuilt after a save" in _pdf_text(out / "clean.pdf")


def test_watch_reports_a_half_saved_brief_and_recovers(tmp_path, clean_brief):
    out = tmp_path / "out"
    good = clean_brief.read_text(encoding="utf-8")
    thread, lines, stop = _run_watch(clean_brief, out, max_builds=3)
    try:
        assert _wait_for(lambda: any(line.startswith("watching") for line in lines))
        before = (out / "clean.pdf").read_bytes()
        clean_brief.write_text(good[:40], encoding="utf-8")  # the editor is half-way through
        assert _wait_for(lambda: any("is invalid" in line for line in lines)), lines
        assert (out / "clean.pdf").read_bytes() == before  # the last good output stays
        clean_brief.write_text(good.replace("title: ", "title: Whole again ", 1),
                               encoding="utf-8")
        thread.join(timeout=20)
        assert not thread.is_alive(), lines
    finally:
        stop.set()
    invalid = next(i for i, line in enumerate(lines) if "is invalid" in line)
    assert lines[invalid].endswith(f"{clean_brief} is invalid; kept the last good output:")
    assert lines[invalid + 1].startswith(f"  {clean_brief}:")  # where the problem is
    assert " rebuilt " in lines[-2] and lines[-1].startswith("stopped watching")
    assert "Whole again" in _pdf_text(out / "clean.pdf")


def test_watch_prints_one_status_line_for_one_save_of_an_invalid_brief(tmp_path, clean_brief):
    out = tmp_path / "out"
    good = clean_brief.read_text(encoding="utf-8")
    thread, lines, stop = _run_watch(clean_brief, out, max_builds=3)

    def invalid() -> list[str]:
        return [line for line in lines if "is invalid" in line]

    try:
        assert _wait_for(lambda: any(line.startswith("watching") for line in lines))
        clean_brief.write_text(re.sub(r"(?m)^title: ", "titel: ", good, count=1),
                               encoding="utf-8")
        assert _wait_for(lambda: invalid()), lines
        # The editor finishes its save by setting the file's mode: another event, same file.
        clean_brief.chmod(0o600)
        assert not _wait_for(lambda: len(invalid()) > 1, seconds=2), lines
        clean_brief.write_text(good, encoding="utf-8")
        thread.join(timeout=20)
        assert not thread.is_alive(), lines
    finally:
        stop.set()
    assert len(invalid()) == 1, lines
    heads = [line for line in lines if not line.startswith(("  ", "watching", "stopped"))]
    assert [" rebuilt " in h for h in heads] == [True, False, True], lines
    assert lines[lines.index(invalid()[0]) + 1].startswith(f"  {clean_brief}:")


def test_watch_rebuilds_when_the_profile_is_saved(tmp_path, clean_brief):
    folder = _profile_folder(tmp_path)
    out = tmp_path / "out"
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=watching.watch, args=(clean_brief, ["pdf"], out),
                              kwargs=dict(templates=tmp_path / "templates", echo=lines.append,
                                          max_builds=2, timeout=30, stop_event=stop),
                              daemon=True)
    thread.start()
    try:
        assert _wait_for(lambda: any(line.startswith("watching") for line in lines))
        profile = folder / "profile.yaml"
        profile.write_text(profile.read_text(encoding="utf-8").replace(
            "name: Middle East Institute", "name: Institute of Watched Profiles"),
            encoding="utf-8")
        thread.join(timeout=20)
        assert not thread.is_alive(), lines
    finally:
        stop.set()
    assert len([line for line in lines if " rebuilt " in line]) == 2, lines
    assert "INSTITUTE OF WATCHED PROFILES" in _pdf_text(out / "clean.pdf")


def test_watch_command_builds_once_and_stops_when_told(tmp_path, clean_brief):
    result = invoke("watch", clean_brief, "--formats", "pdf", "--out", tmp_path / "out",
                    "--max-builds", "1")
    assert result.exit_code == 0, result.output
    found = lines_of(result.stdout)
    assert " rebuilt " in found[0] and found[-1].startswith("stopped watching")
    assert (tmp_path / "out" / "clean.pdf").is_file()


def test_watch_rejects_an_unknown_format(clean_brief):
    result = invoke("watch", clean_brief, "--formats", "pdf,odt", "--max-builds", "1")
    assert result.exit_code == 2
    assert "--formats 'pdf,odt': choose from pdf, docx, pptx" in result.stderr


@pytest.mark.parametrize("command", ["validate", "new", "watch"])
def test_a_missing_templates_folder_is_a_usage_error(tmp_path, monkeypatch, clean_brief,
                                                      command):
    monkeypatch.chdir(tmp_path)  # were `new` to run, its schema file would land here
    missing = tmp_path / "no-such-templates"
    args = {"validate": [clean_brief], "new": ["draft", "--dir", tmp_path / "drafts"],
            "watch": [clean_brief, "--out", tmp_path / "out", "--max-builds", "1"]}[command]
    result = invoke(command, *args, "--templates", missing)
    assert result.exit_code == 2, result.output
    assert "does not exist" in result.stderr
    assert not (tmp_path / "drafts").exists() and not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# help, completion, pre-commit


@pytest.mark.parametrize("command", ["validate", "new", "schema", "watch"])
def test_every_authoring_command_help_shows_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert re.search(rf"Example: .*reportgen {command}\b", result.stdout), result.stdout


def test_show_completion_prints_a_bash_script(monkeypatch):
    # --show-completion takes no value: typer asks shellingham which shell runs it, from the
    # process tree, which a job without a terminal (CI, cron) may not show; say it is bash.
    import typer.completion

    monkeypatch.setattr(typer.completion, "_get_shell_name", lambda: "bash")
    result = invoke("--show-completion")
    assert result.exit_code == 0
    assert "complete -o default -F _reportgen_completion reportgen" in result.stdout
    assert "_REPORTGEN_COMPLETE=complete_bash" in result.stdout


@pytest.mark.parametrize(("words", "cword", "expected"), [
    ("reportgen val", "1", ["validate"]),
    ("reportgen validate --format ", "3", ["text", "json", "github"]),
])
def test_completion_completes_commands_and_option_values(words, cword, expected):
    result = runner.invoke(app, [], prog_name="reportgen", env={
        "_REPORTGEN_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword})
    assert result.stdout.split() == expected


def test_pre_commit_hook_runs_validate_on_briefs(clean_brief):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    hook = by_id["reportgen-validate"]
    assert hook["language"] == "python" and hook["entry"] == "reportgen validate"
    assert re.search(hook["files"], "briefs/iraq-2017.yaml")
    assert not re.search(hook["files"], "templates/mei/profile.yaml")
    assert not re.search(hook["files"], "README.md")
    everything = by_id["reportgen-validate-all"]
    assert everything["pass_filenames"] is False
    assert re.search(everything["files"], "templates/mei/profile.yaml")
    # What pre-commit runs: the entry followed by the staged file names.
    result = invoke(*hook["entry"].split()[1:], clean_brief, WARNINGS)
    assert result.exit_code == 0, result.output
    assert lines_of(result.stdout)[-1] == "checked 2 briefs: 0 errors, 7 warnings"


def test_validate_reports_a_missing_glyph_at_its_field_once_and_goes_on(write_brief, tmp_path):
    snow = write_brief("snow", subtitle="Winter ☃ is coming")
    line = snow.read_text(encoding="utf-8").splitlines().index("subtitle: Winter ☃ is coming")
    good = write_brief("good")
    result = invoke("validate", snow, good)
    assert result.exit_code == 1
    errors = [x for x in lines_of(result.stdout) if ": error: " in x]
    assert errors == [
        f"{snow}:{line + 1}:11: error: subtitle: the character '☃' (U+2603 SNOWMAN) is not in "
        "the font Source Sans 3; it would print as an empty box. Replace it, or choose a "
        "profile font that has it"]
    assert "checked 2 briefs: 1 error" in result.output


def test_validate_warns_when_a_section_runs_to_three_continuation_slides(monkeypatch,
                                                                         clean_brief):
    from reportgen.document.findings import Findings, SectionFindings

    found = Findings("pptx", slides=9, sections=(
        SectionFindings("summary", 28, 1), SectionFindings("situation", 14, 4),
        SectionFindings("actors", 18, 3)))
    monkeypatch.setitem(sys.modules, "reportgen.writers.pptx", _fake_deck_module(found))
    result = invoke("validate", "--format", "json", clean_brief)
    report = json.loads(result.stdout)
    warnings = [(d["key"], d["message"]) for d in report["diagnostics"]
                if d["level"] == "warning"]
    # Three continuation slides warn; two (actors, 3 slides) do not.
    assert warnings == [("situation", "this section will take 4 slides; consider shortening")]
