"""Whole PDF documents: a record's report and a folder's."""

from __future__ import annotations

from typing import Sequence
from xml.sax.saxutils import escape

from reportlab.platypus import CondPageBreak, Paragraph

from emgviewer.analysis.muap import MuapAnalysisError
from emgviewer.analysis.muap.record import RecordMuaps, record_muaps
from emgviewer.inference.classify import Classification
from emgviewer.records.annotations import record_annotations
from emgviewer.records.errors import RecordError
from emgviewer.report.folder_section import folder_story
from emgviewer.report.muap_section import muap_section
from emgviewer.report.pdf import content_width, render, styles
from emgviewer.report.record_section import DisplaySettings, marks_section, record_section


def record_report_pdf(result: Classification, paper: str = "a4",
                      display: DisplaySettings = DisplaySettings(), muaps: RecordMuaps | None = None,
                      marks: tuple[list, str] | None = None) -> bytes:
    """One record's report, with the reader's marks (``marks``: (annotations, source), or read
    from the record's sidecar) and its MUAP analysis (``muaps``, or computed here)."""
    sheet, width = styles(), content_width(paper)
    story = record_section(result, sheet, width, display)
    story += marks_section(*(marks if marks is not None else _marks(result)), sheet)
    story += [CondPageBreak(260), *_muap_story(result, muaps, sheet, width)]
    return render(story, paper, title=f"emgviewer report: {result.record.name}")


def _marks(result: Classification) -> tuple[list, str]:
    try:
        return record_annotations(result.record)
    except RecordError as err:
        return [], f"not readable: {err}"


def _muap_story(result: Classification, muaps: RecordMuaps | None, sheet: dict, width: float) -> list:
    if muaps is None:
        try:
            muaps = record_muaps(result.record, None)  # the verdict's own, when it covered the record
        except MuapAnalysisError as err:
            return [Paragraph("Motor unit potentials (MUAP analysis)", sheet["h2"]),
                    Paragraph(escape(f"Not analysed: {err}."), sheet["body"])]
    return muap_section(muaps, sheet, width)


def folder_report_pdf(results: Sequence[Classification], title: str, paper: str = "a4",
                      summary_only: bool = False, failures: Sequence[str] = (), records: bool = True) -> bytes:
    """The summary tables, then (unless ``summary_only``) a page per subject, each followed by
    its records' sections when ``records`` (423 N2001 records make 1,288 pages: a folder's report
    leaves them out unless asked)."""
    if not results:
        raise ValueError("no classified records to report")
    story = folder_story(results, title, styles(), content_width(paper), summary_only, failures, records)
    return render(story, paper, title=title)
