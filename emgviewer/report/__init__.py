"""PDF and CSV summaries of classified records (Qt-free; vector figures, selectable text).

>>> data = record_report_pdf(classification)              # doctest: +SKIP
>>> write_pdf(Path("N2001A01BB02.pdf"), data)             # doctest: +SKIP

The PDF pieces load reportlab, so they are imported on first use (PEP 562): ``emgviewer report``
names its paper sizes without it. What the viewer draws too (colours, ribbon, scales) lives in
``emgviewer.display``, so the viewer never imports this package to draw.
"""

from __future__ import annotations

import importlib

#: The paper sizes ``pdf.PAPERS`` knows, named without importing reportlab (for the CLI's help).
PAPER_NAMES = ("a4", "letter")

_LAZY = {
    "record_report_pdf": "emgviewer.report.documents",
    "folder_report_pdf": "emgviewer.report.documents",
    "DisplaySettings": "emgviewer.report.record_section",
    "PAPERS": "emgviewer.report.pdf",
    "write_pdf": "emgviewer.report.pdf",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["PAPERS", "PAPER_NAMES", "DisplaySettings", "folder_report_pdf", "record_report_pdf", "write_pdf"]
