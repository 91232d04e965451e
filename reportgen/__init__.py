"""reportgen: one structured brief in, a PDF one-pager, a DOCX memo and a PPTX deck out."""

__version__ = "0.1.0"
