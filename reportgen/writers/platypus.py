"""ReportLab's platypus, imported with the patterns it compiles as it is imported and reportgen
does not use compiled on first use, and uharfbuzz loaded only when a run is shaped (Arabic)
(reportgen/lazy_patterns.py): imported first by the PDF writer, before anything of ReportLab's."""

from reportgen.lazy_patterns import import_module, load_on_first_use

load_on_first_use("uharfbuzz", used_by=("reportlab.pdfbase.ttfonts",))
import_module("reportlab.platypus")
