"""The manifest, `OUT/.reportgen-manifest.json`: what each output was built from.

One entry per output name (the brief's file name without extension), with the brief's
source path, its title and date (for index.html), and per format the fingerprint of the
inputs of the last good build, the sha256 of the file it wrote, and how the last attempt
went. It holds no clock time, so a run that changes nothing leaves it byte-identical and
does not rewrite it.

The file lives in a folder others can write to, so nothing in it is trusted: an entry of the
wrong shape is dropped (that brief is rebuilt) and --prune deletes only the names a brief's
own outputs have, `NAME.FORMAT`, never a file name read from the manifest.

    {"manifest_version": 1,
     "briefs": {"pmf-tillerson": {
        "source": "/srv/briefs/pmf-tillerson.yaml", "title": "...", "date": "2017-10-24",
        "profile": "mei", "seconds": 1.234,
        "inputs": {"cwd": "/srv", "templates": null, "absent": ["/srv/templates/mei/..."],
                   "files": [["profile/profile.yaml", "/srv/templates/mei/profile.yaml",
                              20971520, null], ...]},
        "outputs": {"pdf": {"file": "pmf-tillerson.pdf", "fingerprint": "<sha256>",
                            "sha256": "<sha256>", "stat": [size, mtime_ns, inode, ctime_ns],
                            "status": "ok", "error": null}}}}}

`inputs` (batch.fingerprint.BriefInputs) and `stat` let the parent process tell that a brief
is up to date without a worker (batch.uptodate); an entry without them is built by a worker,
which fills them in. `seconds` is how long the last build that built something took (loading
plus the formats built), for whoever plans the work; `--shard` does not use it (batch.shards
says why).
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.batch.fingerprint import BriefInputs
from reportgen.batch.worker import BUILT, SKIPPED, STALE, BriefResult, PreviousOutput
from reportgen.fsio import looks_like_temp, read_bounded
from reportgen.writers import FORMATS, get_writer

MANIFEST_NAME = ".reportgen-manifest.json"
MANIFEST_VERSION = 1
# About 1 KB per brief: room for 100,000 briefs; a bigger file is not one we wrote.
MAX_MANIFEST_BYTES = 100 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
_OUTPUT_STATUSES = ("ok", "failed")


@dataclass
class Manifest:
    path: Path
    briefs: dict[str, dict] = field(default_factory=dict)
    warning: str | None = None  # set when an unreadable manifest, or entries, were set aside
    # The briefs as read (a second parse, never modified): a run that changed no entry is
    # told by comparing mappings, without encoding 1,000 entries again (json.dumps with an
    # indent runs in pure Python: 0.3-0.5 s for 1,000 briefs x 3 formats).
    on_disk: dict | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        """The manifest of OUT; one that cannot be read or has the wrong shape is set aside
        with a warning (its briefs are rebuilt)."""
        path = Path(out_dir) / MANIFEST_NAME
        try:
            text = read_bounded(path, MAX_MANIFEST_BYTES).decode("utf-8")
            data = json.loads(text)
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            return cls(path, warning=f"{path}: unreadable manifest ({exc}); rebuilding all")
        if not isinstance(data, dict) or data.get("manifest_version") != MANIFEST_VERSION:
            return cls(path, warning=f"{path}: unknown manifest version; rebuilding all")
        if not isinstance(data.get("briefs"), dict):
            return cls(path, warning=f"{path}: 'briefs' is not a mapping of brief names; "
                                     "rebuilding all")
        briefs, dropped = {}, []
        for name, entry in data["briefs"].items():
            problem = entry_problem(name, entry)
            if problem is None:
                briefs[name] = entry
            else:
                dropped.append(f"{name!r}: {problem}")
        warning = None
        if dropped:
            shown = "; ".join(dropped[:3]) + (f"; and {len(dropped) - 3} more"
                                              if len(dropped) > 3 else "")
            warning = (f"{path}: ignored {len(dropped)} malformed "
                       f"entr{'y' if len(dropped) == 1 else 'ies'} ({shown}); "
                       f"{'that brief is' if len(dropped) == 1 else 'those briefs are'} rebuilt")
        return cls(path, briefs, warning, on_disk=json.loads(text)["briefs"])

    def previous(self, name: str) -> dict[str, PreviousOutput]:
        """The last good build of each format of `name` (a format never built is absent)."""
        outputs = self.briefs.get(name, {}).get("outputs", {})
        return {fmt: PreviousOutput(rec["fingerprint"], rec["sha256"])
                for fmt, rec in outputs.items()
                if isinstance(rec, dict) and rec.get("fingerprint") and rec.get("sha256")}

    def record(self, name: str, source: Path, result: BriefResult) -> None:
        entry = self.briefs.setdefault(name, {"outputs": {}})
        entry["source"] = str(source)
        if result.title is not None:  # an invalid brief keeps the last good title and date
            entry["title"], entry["date"], entry["profile"] = (
                result.title, result.date, result.profile)
        entry.setdefault("title", None)
        entry.setdefault("date", None)
        entry.setdefault("profile", None)
        if result.inputs is not None:  # a brief that failed to load keeps the last recipe
            entry["inputs"] = result.inputs.to_json()
        built = [out.seconds for out in result.outputs if out.status == BUILT]
        if built:  # a skipped brief keeps its last
            entry["seconds"] = round(result.seconds + sum(built), 3)
        for out in result.outputs:
            good = out.status in (BUILT, SKIPPED, STALE)
            entry["outputs"][out.format] = {
                "file": Path(out.path).name if good and out.path else None,
                "fingerprint": out.fingerprint if good else None,
                "sha256": out.sha256 if good else None,
                "stat": list(out.stat) if good and out.stat else None,
                "status": "ok" if out.status in (BUILT, SKIPPED) else "failed",
                "error": out.error,
            }

    def prune(self, out_dir: Path, current_names: set[str]) -> tuple[list[Path], list[str]]:
        """Forget briefs whose source file is gone and delete their outputs.

        Only outputs this manifest recorded are deleted, and only for names no brief in this
        run produces, so a run over a subset of the briefs never prunes the others. The file
        deleted is always OUT/NAME.FORMAT for a known format, whatever the entry says.
        Returns what was removed and what could not be.
        """
        removed: list[Path] = []
        problems: list[str] = []
        for name in sorted(self.briefs):
            entry = self.briefs[name]
            if name in current_names or not _gone(entry.get("source")):
                continue
            for fmt, rec in entry.get("outputs", {}).items():
                if fmt not in FORMATS or rec.get("file") != output_name(name, fmt):
                    continue
                target = Path(out_dir) / output_name(name, fmt)
                try:
                    if stat.S_ISDIR(os.lstat(target).st_mode):
                        continue
                    os.unlink(target)
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    problems.append(f"could not prune {target}: {exc.strerror or exc}")
                    continue
                removed.append(target)
            del self.briefs[name]
        return removed, problems

    def to_bytes(self) -> bytes:
        data = {"manifest_version": MANIFEST_VERSION, "briefs": self.briefs}
        text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
        # A lone surrogate (from a file name that is not UTF-8) becomes its JSON escape
        # \udcXX, which reads back as the same string, instead of failing the whole build.
        return (text + "\n").encode("utf-8", "backslashreplace")

    def save(self) -> bool:
        """Write the manifest if its content changed; True if it was written."""
        if self.on_disk is not None and self.briefs == self.on_disk:
            return False
        return place_if_changed(self.path, self.to_bytes())


def place_if_changed(target: Path, data: bytes) -> bool:
    """reportgen.pipeline.place(only_if_changed=True), which is imported (with the brief model
    and pydantic) only when the file did change; True if it was written."""
    try:
        st = os.stat(target)
        if (stat.S_ISREG(st.st_mode) and st.st_size == len(data)
                and read_bounded(target, len(data)) == data):
            return False
    except (OSError, ValueError):
        pass  # absent, unreadable or not a file: place() says what is wrong, if anything
    from reportgen.pipeline import place

    return place(target, data, only_if_changed=True)


def output_name(stem: str, fmt: str) -> str:
    """The file name of a brief's output, as reportgen.pipeline.output_name gives it (that
    module imports the brief model; the no-op path of a build must not)."""
    return f"{stem}{get_writer(fmt).suffix}"


def valid_output_stem(name: str) -> bool:
    """Whether `name` can be the stem of files in OUT: one plain file name, in UTF-8, that
    is not taken for a temporary file and swept."""
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(looks_like_temp(output_name(name, fmt)) for fmt in FORMATS)


def entry_problem(name: object, entry: object) -> str | None:
    """Why a manifest entry cannot be trusted, or None if it has the shape `record` gives."""
    if not isinstance(name, str) or not valid_output_stem(name):
        return "not a brief name"
    if not isinstance(entry, dict):
        return "not a mapping"
    for key in ("source", "title", "date", "profile"):
        if not isinstance(entry.get(key), (str, type(None))):
            return f"{key} is not a string"
    seconds = entry.get("seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not (
            0 <= seconds < 1e9):
        return "seconds is not a number of seconds"
    if "inputs" in entry and BriefInputs.from_json(entry["inputs"]) is None:
        return "inputs is not a recipe of input files"
    outputs = entry.get("outputs", {})
    if not isinstance(outputs, dict):
        return "outputs is not a mapping of formats"
    for fmt, rec in outputs.items():
        if fmt not in FORMATS:
            return f"unknown format {fmt!r}"
        if not isinstance(rec, dict):
            return f"outputs.{fmt} is not a mapping"
        if rec.get("file") not in (None, output_name(name, fmt)):
            return f"outputs.{fmt}.file is not {output_name(name, fmt)!r}"
        for key in ("fingerprint", "sha256"):
            value = rec.get(key)
            if value is not None and not (isinstance(value, str) and _SHA256.fullmatch(value)):
                return f"outputs.{fmt}.{key} is not a sha256"
        on_disk = rec.get("stat")
        if on_disk is not None and not (isinstance(on_disk, list) and len(on_disk) == 4 and all(
                type(n) is int and n >= 0 for n in on_disk)):
            return f"outputs.{fmt}.stat is not [size, mtime_ns, inode, ctime_ns]"
        if rec.get("status") not in _OUTPUT_STATUSES:
            return f"outputs.{fmt}.status is not one of {', '.join(_OUTPUT_STATUSES)}"
        if not isinstance(rec.get("error"), (str, type(None))):
            return f"outputs.{fmt}.error is not a string"
    return None


def _gone(source: object) -> bool:
    """Whether the brief file is known to be gone; when in doubt (no permission to look, a
    name the system refuses), it is not, so nothing is pruned."""
    if not isinstance(source, str) or not source:
        return True
    try:
        os.stat(source)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except (OSError, ValueError):
        return False
    return False
