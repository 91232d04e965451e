"""Writer registry: format name -> module with `render(brief, profile) -> bytes`.

Modules are imported only when their format is asked for, so `reportgen --help` and the
commands that do not render never pay for ReportLab, python-docx or python-pptx.
"""

from __future__ import annotations

import importlib
from types import ModuleType

WRITERS = {
    "pdf": "reportgen.writers.pdf",
    "docx": "reportgen.writers.docx",
    "pptx": "reportgen.writers.pptx",
}
FORMATS = tuple(WRITERS)


def get_writer(fmt: str) -> ModuleType:
    return importlib.import_module(WRITERS[fmt])
