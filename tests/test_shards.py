"""Shards: `--shard auto`, slices balanced by cost, and `build --merge` of the shards' reports.

Reports are checked against the JSON Schema; index.html is parsed as XML; PDFs are read back
with pypdf.
"""

from __future__ import annotations

import json
import random
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reportgen.batch.discover import Shard
from reportgen.batch.shards import balanced_slices, brief_costs, parse_shard
from reportgen.build import INDEX_NAME, MANIFEST_NAME
from reportgen.errors import UsageError
from tests.test_build import build, build_json, pdf_text, statuses


def mixed_costs(n: int = 240) -> dict[Path, float]:
    """Build times like a real night's: most briefs short, some long, a few very long."""
    rng = random.Random(16)
    costs = {}
    for i in range(n):
        kind = rng.random()
        seconds = (rng.uniform(0.3, 1.0) if kind < 0.75 else rng.uniform(2, 6) if kind < 0.95
                   else rng.uniform(10, 25))
        costs[Path(f"briefs/brief-{i:03d}.yaml")] = round(seconds, 3)
    return costs


def loads(slices: list[list[Path]], costs: dict[Path, float]) -> list[float]:
    return [sum(costs[b] for b in s) for s in slices]


# --- the split --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", range(1, 9))
def test_every_brief_lands_in_exactly_one_shard(count):
    costs = mixed_costs()
    slices = balanced_slices(list(costs), costs, count)
    assert len(slices) == count
    every = [b for s in slices for b in s]
    assert sorted(every) == sorted(costs) and len(every) == len(set(every))


@pytest.mark.parametrize("count", range(2, 9))
def test_shards_finish_within_20_percent_of_each_other_on_a_mixed_set(count):
    costs = mixed_costs()
    balanced = loads(balanced_slices(list(costs), costs, count), costs)
    assert max(balanced) <= 1.2 * min(balanced), balanced


def test_a_split_by_name_alone_would_not_be_balanced():
    # Why the cost: the same set split by sha256(name) is off by more than 20 % for most N.
    costs = mixed_costs()
    off = 0
    for count in range(2, 9):
        by_name = loads([Shard(k, count).select(list(costs)) for k in range(1, count + 1)],
                        costs)
        off += max(by_name) > 1.2 * min(by_name)
    assert off >= 4


def test_the_split_is_deterministic_whatever_order_the_briefs_come_in():
    costs = mixed_costs()
    briefs = list(costs)
    first = balanced_slices(briefs, costs, 5)
    random.Random(3).shuffle(briefs)
    assert balanced_slices(briefs, costs, 5) == first
    assert balanced_slices(briefs, dict(costs), 5) == first


def test_a_briefs_cost_is_its_size(tmp_path):
    small, large = tmp_path / "small.yaml", tmp_path / "large.yaml"
    small.write_bytes(b"x" * 1_000)
    large.write_bytes(b"x" * 4_000)
    gone = tmp_path / "gone.yaml"
    assert brief_costs([small, large, gone]) == {small: 1000.0, large: 4000.0, gone: 1.0}


# --- --shard auto ---------------------------------------------------------------------------


@pytest.mark.parametrize(("environ", "shard"), [
    ({"JOB_COMPLETION_INDEX": "0", "REPORTGEN_SHARD_TOTAL": "4"}, Shard(1, 4)),
    ({"JOB_COMPLETION_INDEX": "3", "REPORTGEN_SHARD_TOTAL": "4"}, Shard(4, 4)),
    ({"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"}, Shard(1, 3)),
    ({"CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "3"}, Shard(3, 3)),
])
def test_shard_auto_reads_a_kubernetes_indexed_job_or_ci_nodes(environ, shard):
    assert parse_shard("auto", environ) == shard


@pytest.mark.parametrize(("environ", "message"), [
    ({}, "--shard auto: neither JOB_COMPLETION_INDEX and REPORTGEN_SHARD_TOTAL (a Kubernetes "
         "Indexed Job) nor CI_NODE_INDEX and CI_NODE_TOTAL are set; give --shard K/N instead"),
    ({"JOB_COMPLETION_INDEX": "0"}, "--shard auto: JOB_COMPLETION_INDEX is set but "
     "REPORTGEN_SHARD_TOTAL is not; set both (Kubernetes sets JOB_COMPLETION_INDEX; set "
     "REPORTGEN_SHARD_TOTAL to the Job's completions)"),
    ({"JOB_COMPLETION_INDEX": "4", "REPORTGEN_SHARD_TOTAL": "4"}, "--shard auto: "
     "JOB_COMPLETION_INDEX='4' and REPORTGEN_SHARD_TOTAL='4' do not name one of N machines "
     "(the first is 0; N at most 10,000)"),
    ({"CI_NODE_INDEX": "0", "CI_NODE_TOTAL": "2"}, "--shard auto: CI_NODE_INDEX='0' and "
     "CI_NODE_TOTAL='2' do not name one of N machines (the first is 1; N at most 10,000)"),
    ({"CI_NODE_INDEX": "x", "CI_NODE_TOTAL": "2"}, "--shard auto: CI_NODE_INDEX='x' and "
     "CI_NODE_TOTAL='2' do not name one of N machines (the first is 1; N at most 10,000)"),
])
def test_shard_auto_without_a_usable_environment_says_what_to_set(environ, message):
    with pytest.raises(UsageError) as caught:
        parse_shard("auto", environ)
    assert str(caught.value) == message


def test_shard_auto_on_the_command_line(briefs, tmp_path, monkeypatch):
    briefs("alpha", "beta", "gamma")
    for name in ("JOB_COMPLETION_INDEX", "REPORTGEN_SHARD_TOTAL", "CI_NODE_INDEX",
                 "CI_NODE_TOTAL"):
        monkeypatch.delenv(name, raising=False)
    result = build(briefs.folder, "--out", tmp_path / "none", "--shard", "auto", expect=2)
    assert result.stderr.startswith("--shard auto: neither JOB_COMPLETION_INDEX")
    assert "Traceback" not in result.stderr and not (tmp_path / "none").exists()

    names = []
    for index in ("0", "1"):
        monkeypatch.setenv("JOB_COMPLETION_INDEX", index)
        monkeypatch.setenv("REPORTGEN_SHARD_TOTAL", "2")
        report = build_json(briefs.folder, "--out", tmp_path / f"out{index}", "--formats",
                            "pdf", "--jobs", 1, "--shard", "auto")
        assert report["shard"] == f"{int(index) + 1}/2" and report["discovered"] == 3
        names += [b["name"] for b in report["briefs"]]
    assert sorted(names) == ["alpha", "beta", "gamma"]


def test_a_long_brief_gets_a_shard_of_its_own(briefs, tmp_path):
    briefs("alpha", "beta", "delta")
    briefs("gamma", situation=" ".join(["The situation, at length."] * 400))
    slices = [[b["name"] for b in build_json(briefs.folder, "--out", tmp_path / f"out-{k}",
                                             "--formats", "pdf", "--jobs", 1, "--shard",
                                             f"{k}/2", expect=None)["briefs"]]
              for k in (1, 2)]
    assert sorted(slices) == [["alpha", "beta", "delta"], ["gamma"]]


def test_shards_whose_outs_differ_still_split_the_briefs_the_same_way(briefs, tmp_path):
    # Each shard keeps its own OUT (a CI cache, a folder of a shared volume), so each has its
    # own manifest, with its own build times: the split must not depend on them.
    briefs(*(f"brief-{i}" for i in range(9)))
    for k in (1, 2, 3):
        build_json(briefs.folder, "--out", tmp_path / f"out-{k}", "--formats", "pdf",
                   "--jobs", 1, "--shard", f"{k}/3")
    for k, seconds in ((1, 600.0), (2, 0.001)):  # wildly different recorded times
        path = tmp_path / f"out-{k}" / MANIFEST_NAME
        manifest = json.loads(path.read_text(encoding="utf-8"))
        for entry in manifest["briefs"].values():
            entry["seconds"] = seconds
        path.write_text(json.dumps(manifest), encoding="utf-8")
    for name in ("brief-0", "brief-4"):  # a brief grows: the split follows on every shard
        path = briefs.folder / f"{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n" * 2000, encoding="utf-8")
    names = []
    for k in (1, 2, 3):
        report = build_json(briefs.folder, "--out", tmp_path / f"out-{k}", "--formats", "pdf",
                            "--jobs", 1, "--shard", f"{k}/3", expect=None)
        names += [b["name"] for b in report["briefs"]]
    assert sorted(names) == sorted(f"brief-{i}" for i in range(9))


# --- --merge ------------------------------------------------------------------------------


def index_links(folder: Path) -> dict[str, list[str]]:
    """Title -> the files index.html links, parsed as XML."""
    root = ET.fromstring((folder / INDEX_NAME).read_text(encoding="utf-8"))
    rows = {}
    for tr in root.iter("tr"):
        cells = list(tr.iter("td"))
        if len(cells) == 4:
            rows["".join(cells[1].itertext())] = [a.get("href") for a in cells[3].iter("a")]
    return rows


def comparable(report: dict, out: Path) -> dict:
    def timeless(value):
        if isinstance(value, dict):
            return {k: timeless(v) for k, v in value.items()
                    if k not in ("seconds", "jobs", "out_dir")}
        if isinstance(value, list):
            return [timeless(v) for v in value]
        return value.replace(str(out), "OUT") if isinstance(value, str) else value

    return timeless(report)


def test_merged_shards_make_the_report_and_index_one_machine_makes(briefs, tmp_path):
    briefs("alpha", "beta", "gamma", "delta", "epsilon")
    (briefs.folder / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    single = build_json(briefs.folder, "--out", tmp_path / "single", "--formats", "pdf",
                        "--jobs", 2, expect=1)
    reports = []
    merged = tmp_path / "merged"
    merged.mkdir()
    for k in (1, 2, 3):
        shard_out = tmp_path / f"shard{k}"
        report = build_json(briefs.folder, "--out", shard_out, "--formats", "pdf", "--jobs", 1,
                            "--shard", f"{k}/3", expect=None)
        assert report["briefs"], "every shard has some of the six briefs"
        (tmp_path / f"report{k}.json").write_text(json.dumps(report), encoding="utf-8")
        reports.append(tmp_path / f"report{k}.json")
        for pdf in shard_out.glob("*.pdf"):  # what gathering the artifacts does
            shutil.copy(pdf, merged / pdf.name)

    result = build("--merge", *reversed(reports), "--out", merged, "--json", expect=1)
    report = json.loads(result.stdout)
    import jsonschema

    from reportgen.build import REPORT_SCHEMA

    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    assert comparable(report, merged) == comparable(single, tmp_path / "single")
    assert report["jobs"] == 3 and report["shard"] is None and report["exit_code"] == 1
    assert (merged / INDEX_NAME).read_bytes() == (tmp_path / "single" / INDEX_NAME).read_bytes()
    links = index_links(merged)
    assert {t: v for t, v in links.items() if t.startswith("Nightly")} == {
        f"Nightly brief {n}": [f"{n}.pdf"]
        for n in ("alpha", "beta", "gamma", "delta", "epsilon")}
    assert "Nightly brief epsilon" in pdf_text(merged / "epsilon.pdf")
    assert statuses(report)[("broken", "pdf")] == "failed"


def test_merge_refuses_reports_that_are_not_the_shards_of_one_run(briefs, tmp_path):
    briefs("alpha", "beta", "gamma")
    reports = {name: build_json(briefs.folder, "--out", tmp_path / name, "--jobs", 1,
                                "--formats", "pdf", "--shard", f"{k}/2")
               for k, name in ((1, "one"), (2, "two"))}
    reports["of3"] = dict(reports["one"], shard="1/3")
    reports["whole"] = dict(reports["one"], shard=None)
    reports["docx"] = dict(reports["two"], formats=["docx"])
    # what shards that started from different manifests would report
    reports["two+"] = dict(reports["two"],
                           briefs=reports["two"]["briefs"] + reports["one"]["briefs"][:1])
    reports["two-"] = dict(reports["two"], briefs=reports["two"]["briefs"][1:])
    assert reports["one"]["briefs"] and reports["two"]["briefs"]
    paths = {}
    for name, report in reports.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(report), encoding="utf-8")
    (tmp_path / "junk.json").write_text('{"report_version": 1}', encoding="utf-8")

    def refused(*names: str) -> str:
        given = [paths.get(n, tmp_path / f"{n}.json") for n in names]
        result = build("--merge", *given, "--out", tmp_path / "merged", expect=2)
        assert "Traceback" not in result.stderr
        return result.stderr.strip()

    assert refused("one") == "--merge: the reports of shard 2/2 are missing"
    assert refused("one", "one") == (f"--merge: {paths['one']} and {paths['one']} are both "
                                     "shard 1/2")
    assert refused("one", "of3") == f"--merge: {paths['of3']} is shard 1/3 but the others are of 2"
    assert refused("whole") == f"--merge: {paths['whole']} is the report of a build without --shard"
    assert refused("one", "docx").startswith(f"--merge: {paths['docx']} has formats ['docx'] "
                                             "but")
    assert refused("junk") == (f"--merge: {tmp_path / 'junk.json'}: not a JSON report of "
                               "reportgen build --json (reportgen_version is missing or of the "
                               "wrong type)")
    first = reports["one"]["briefs"][0]["brief"]
    assert refused("one", "two+") == (
        f"--merge: {first} was built by {paths['one']} and by {paths['two+']}; the shards did "
        "not split the same briefs (give every shard the same briefs)")
    assert refused("one", "two-") == (
        "--merge: the shards found 3 briefs but built 2 between them; the shards did not split "
        "the same briefs (give every shard the same briefs)")
    assert refused("nothing") == f"--merge: {tmp_path / 'nothing.json'}: no such file"
    # hostile or inconsistent reports: refused by name, never a traceback (exit 70)
    hostile = {
        "deep": "[" * 100_000 + "]" * 100_000,
        "nan": json.dumps(dict(reports["one"], seconds=float("nan"))),
        "listcount": json.dumps(dict(reports["one"], discovered=[1])),
        "boolean": json.dumps(dict(reports["one"], jobs=True)),
        "notes": json.dumps(dict(reports["one"], warnings=[{"x": 1}])),
        "more": json.dumps(dict(reports["two"], discovered=5)),
    }
    for name, text in hostile.items():
        (tmp_path / f"{name}.json").write_text(text, encoding="utf-8")
    for name in ("deep", "nan", "listcount", "boolean", "notes"):
        assert refused(name, "two").startswith(
            f"--merge: {tmp_path / (name + '.json')}: not a JSON report"), name
    assert refused("one", "more") == ("--merge: the shards found different numbers of briefs "
                                      "(3, 5); they did not see the same briefs")
    assert not (tmp_path / "merged" / INDEX_NAME).exists()
    build("--merge", paths["two"], paths["one"], "--out", tmp_path / "merged")
    assert sorted(index_links(tmp_path / "merged")) == [
        "Nightly brief alpha", "Nightly brief beta", "Nightly brief gamma"]


@pytest.mark.parametrize("text", ["1/30000000", "1/10001"])
def test_a_shard_count_past_any_cluster_is_refused_before_anything_is_done(text):
    with pytest.raises(UsageError, match="at most 10,000 shards"):
        parse_shard(text)


def test_shard_auto_refuses_a_huge_count_from_the_environment():
    with pytest.raises(UsageError, match="N at most 10,000"):
        parse_shard("auto", {"JOB_COMPLETION_INDEX": "0", "REPORTGEN_SHARD_TOTAL": "1000000000"})


@pytest.mark.parametrize(("address", "problem"), [
    ("tls://127.0.0.1:8786", "protocol 'tls'; reportgen connects over tcp:// only"),
    ("tcp://127.0.0.1:8786?x=1", "a user, query or fragment"),
    ("tcp://user:pw@127.0.0.1:8786", "a user, query or fragment"),
    ("tcp://127.0.0.1", "no port"),
])
def test_a_scheduler_address_reportgen_cannot_use_is_a_usage_error(address, problem):
    from reportgen.batch.executors import check_scheduler_address

    with pytest.raises(UsageError) as caught:
        check_scheduler_address(address)
    assert f"({problem})" in str(caught.value)
