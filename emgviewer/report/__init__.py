"""PDF and CSV summaries of classified records (Qt-free; vector figures, selectable text).

>>> data = record_report_pdf(classification)              # doctest: +SKIP
>>> write_pdf(Path("N2001A01BB02.pdf"), data)             # doctest: +SKIP
"""

from __future__ import annotations

from typing import Sequence

from emgviewer.inference.classify import Classification
from emgviewer.report.folder_section import folder_story
from emgviewer.report.pdf import PAPERS, content_width, render, styles, write_pdf
from emgviewer.report.record_section import DisplaySettings, record_section


def record_report_pdf(result: Classification, paper: str = "a4",
                      display: DisplaySettings = DisplaySettings()) -> bytes:
    story = record_section(result, styles(), content_width(paper), display)
    return render(story, paper, title=f"emgviewer report: {result.record.name}")


def folder_report_pdf(results: Sequence[Classification], title: str, paper: str = "a4",
                      summary_only: bool = False, failures: Sequence[str] = ()) -> bytes:
    if not results:
        raise ValueError("no classified records to report")
    story = folder_story(results, title, styles(), content_width(paper), summary_only, failures)
    return render(story, paper, title=title)


__all__ = ["PAPERS", "DisplaySettings", "folder_report_pdf", "record_report_pdf", "write_pdf"]
