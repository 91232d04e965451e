"""The manifest, `OUT/.reportgen-manifest.json`: what each output was built from.

One entry per output name (the brief's file name without extension), with the brief's
source path, its title and date (for index.html), and per format the fingerprint of the
inputs of the last good build, the sha256 of the file it wrote, and how the last attempt
went. It holds no clock time, so a run that changes nothing leaves it byte-identical and
does not rewrite it.

    {"manifest_version": 1,
     "briefs": {"pmf-tillerson": {
        "source": "/srv/briefs/pmf-tillerson.yaml", "title": "...", "date": "2017-10-24",
        "profile": "mei",
        "outputs": {"pdf": {"file": "pmf-tillerson.pdf", "fingerprint": "<sha256>",
                            "sha256": "<sha256>", "status": "ok", "error": null}}}}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.batch.worker import BUILT, SKIPPED, STALE, BriefResult, PreviousOutput
from reportgen.batch.worker import write_if_changed as _write_if_changed

MANIFEST_NAME = ".reportgen-manifest.json"
MANIFEST_VERSION = 1


@dataclass
class Manifest:
    path: Path
    briefs: dict[str, dict] = field(default_factory=dict)
    warning: str | None = None  # set when an unreadable manifest was set aside

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        path = Path(out_dir) / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            return cls(path, warning=f"{path}: unreadable manifest ({exc}); rebuilding all")
        if not isinstance(data, dict) or data.get("manifest_version") != MANIFEST_VERSION \
                or not isinstance(data.get("briefs"), dict):
            return cls(path, warning=f"{path}: unknown manifest version; rebuilding all")
        return cls(path, data["briefs"])

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
        for out in result.outputs:
            good = out.status in (BUILT, SKIPPED, STALE)
            entry["outputs"][out.format] = {
                "file": Path(out.path).name if good and out.path else None,
                "fingerprint": out.fingerprint if good else None,
                "sha256": out.sha256 if good else None,
                "status": "ok" if out.status in (BUILT, SKIPPED) else "failed",
                "error": out.error,
            }

    def prune(self, out_dir: Path, current_names: set[str]) -> list[Path]:
        """Forget briefs whose source file is gone and delete their outputs.

        Only files this manifest recorded are deleted, and only for names no brief in this
        run produces, so a run over a subset of the briefs never prunes the others.
        """
        removed: list[Path] = []
        for name in sorted(self.briefs):
            entry = self.briefs[name]
            source = entry.get("source")
            if name in current_names or (source and Path(source).exists()):
                continue
            for rec in entry.get("outputs", {}).values():
                file = rec.get("file") if isinstance(rec, dict) else None
                if file and Path(file).name == file:  # never follow a path out of out_dir
                    target = Path(out_dir) / file
                    if target.exists():
                        target.unlink()
                        removed.append(target)
            del self.briefs[name]
        return removed

    def to_bytes(self) -> bytes:
        data = {"manifest_version": MANIFEST_VERSION, "briefs": self.briefs}
        text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
        return (text + "\n").encode("utf-8")

    def save(self) -> bool:
        """Write the manifest if its content changed; True if it was written."""
        return _write_if_changed(self.path, self.to_bytes())
