"""ReportLab's platypus, imported with its URL pattern compiled on first use
(reportgen/lazy_patterns.py): imported first by the PDF writer, before anything of ReportLab's."""

from reportgen.lazy_patterns import import_module

import_module("reportlab.platypus")
