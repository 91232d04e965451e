"""`OUT/index.html`: every brief the folder holds, newest first, with links to its files.

Plain HTML and a little CSS, no JavaScript and no clock time (a run that changes nothing
leaves it byte-identical). Every text from a brief is escaped.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from urllib.parse import quote

from reportgen.writers import FORMATS

INDEX_NAME = "index.html"

_CSS = """
body { font-family: "Source Sans 3", "Segoe UI", Helvetica, Arial, sans-serif; color: #1E2329;
       margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.4; }
h1 { color: #12355B; font-size: 1.5rem; border-bottom: 2px solid #B07D2B; padding-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem;
         border-bottom: 1px solid #D5DCE3; }
th { color: #5C6670; font-weight: 600; font-size: .85rem; text-transform: uppercase; }
td.date, td.files { white-space: nowrap; }
a { color: #12355B; margin-right: .6rem; }
.status { font-weight: 600; font-size: .85rem; }
.ok { color: #2E6B34; } .stale { color: #9A6700; } .failed { color: #B3261E; }
pre { white-space: pre-wrap; font-size: .8rem; margin: .3rem 0 0; color: #5C6670; }
"""


def brief_status(entry: dict, out_dir: Path) -> tuple[str, list[str]]:
    """(status, formats concerned): "ok" when every recorded format is up to date; "stale"
    when a failure left an older file in place; "failed" when a format has no file at all."""
    outputs = entry.get("outputs", {})
    failed = [f for f, rec in outputs.items()
              if rec.get("status") != "ok" and not _present(rec, out_dir)]
    if failed:
        return "failed", failed
    stale = [f for f, rec in outputs.items() if rec.get("status") != "ok"]
    return ("stale", stale) if stale else ("ok", [])


def _in_order(formats) -> list[str]:
    return sorted(formats, key=lambda f: (FORMATS.index(f) if f in FORMATS else 99, f))


def _present(rec: dict, out_dir: Path) -> bool:
    # os.path, not pathlib: this runs for every output on every run, 3,000 times a no-op night
    return bool(rec.get("file")) and os.path.isfile(os.path.join(out_dir, rec["file"]))


def render_index(briefs: dict[str, dict], out_dir: Path) -> bytes:
    def newest_first(item: tuple[str, dict]) -> tuple:
        name, entry = item
        return (entry.get("date") or "", entry.get("title") or name)

    rows = []
    for name, entry in sorted(briefs.items(), key=newest_first, reverse=True):
        status, concerned = brief_status(entry, out_dir)
        label = {"ok": "Up to date", "stale": "Stale (last build failed)",
                 "failed": "Failed"}[status]
        if concerned and len(concerned) < len(entry.get("outputs", {})):
            label += ": " + ", ".join(f.upper() for f in _in_order(concerned))
        outputs = entry.get("outputs", {})
        links = " ".join(
            f'<a href="{escape(quote(outputs[fmt]["file"]))}">{fmt.upper()}</a>'
            for fmt in _in_order(outputs) if _present(outputs[fmt], out_dir))
        by_message: dict[str, list[str]] = {}
        for fmt in _in_order(outputs):
            if outputs[fmt].get("error"):
                by_message.setdefault(outputs[fmt]["error"], []).append(fmt.upper())
        detail = "".join(
            f"<pre>{escape(', '.join(fmts))}: {escape(message)}</pre>"
            for message, fmts in by_message.items())
        title = escape(entry.get("title") or name)
        rows.append(
            f'<tr><td class="date">{escape(entry.get("date") or "—")}</td>'
            f"<td>{title}</td>"
            f'<td><span class="status {status}">{escape(label)}</span>{detail}</td>'
            f'<td class="files">{links or "—"}</td></tr>')
    body = "\n".join(rows) if rows else '<tr><td colspan="4">No briefs yet.</td></tr>'
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Briefs</title>
<style>{_CSS}</style>
</head>
<body>
<h1>Briefs</h1>
<table>
<thead><tr><th>Date</th><th>Title</th><th>Status</th><th>Files</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</body>
</html>
"""
    # A lone surrogate (a file name that is not UTF-8, quoted in an error) is shown escaped.
    return page.encode("utf-8", "backslashreplace")
