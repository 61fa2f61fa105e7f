"""PDF and CSV summaries of classified records (Qt-free; vector figures, selectable text).

>>> data = record_report_pdf(classification)              # doctest: +SKIP
>>> write_pdf(Path("N2001A01BB02.pdf"), data)             # doctest: +SKIP
"""

from __future__ import annotations

from typing import Sequence

from xml.sax.saxutils import escape

from reportlab.platypus import CondPageBreak, Paragraph

from emgviewer.analysis.muap import MuapAnalysisError
from emgviewer.analysis.muap.record import RecordMuaps, analyse_record
from emgviewer.inference.classify import Classification
from emgviewer.report.folder_section import folder_story
from emgviewer.report.muap_section import muap_section
from emgviewer.report.pdf import PAPERS, content_width, render, styles, write_pdf
from emgviewer.report.record_section import DisplaySettings, record_section


def record_report_pdf(result: Classification, paper: str = "a4",
                      display: DisplaySettings = DisplaySettings(), muaps: RecordMuaps | None = None) -> bytes:
    """One record's report, with its MUAP analysis (``muaps``, or computed here when not given)."""
    sheet, width = styles(), content_width(paper)
    story = record_section(result, sheet, width, display)
    story += [CondPageBreak(260), *_muap_story(result, muaps, sheet, width)]
    return render(story, paper, title=f"emgviewer report: {result.record.name}")


def _muap_story(result: Classification, muaps: RecordMuaps | None, sheet: dict, width: float) -> list:
    if muaps is None:
        try:
            muaps = analyse_record(result.record)
        except MuapAnalysisError as err:
            return [Paragraph("Motor unit potentials (MUAP analysis)", sheet["h2"]),
                    Paragraph(escape(f"Not analysed: {err}."), sheet["body"])]
    return muap_section(muaps, sheet, width)


def folder_report_pdf(results: Sequence[Classification], title: str, paper: str = "a4",
                      summary_only: bool = False, failures: Sequence[str] = ()) -> bytes:
    if not results:
        raise ValueError("no classified records to report")
    story = folder_story(results, title, styles(), content_width(paper), summary_only, failures)
    return render(story, paper, title=title)


__all__ = ["PAPERS", "DisplaySettings", "folder_report_pdf", "record_report_pdf", "write_pdf"]
