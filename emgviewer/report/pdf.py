"""The PDF document: page layout, styles, the running footer, and atomic writing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate, Table, TableStyle

from emgviewer import __version__
from emgviewer.atomic import atomic_write_bytes

PAPERS = {"a4": A4, "letter": letter}
MARGIN = 16 * mm
DISCLAIMER = "Research and teaching tool, not a medical device. Not for diagnosis."


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles every report uses."""
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=8.5, leading=10.5)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=15, leading=18, spaceAfter=4, alignment=0),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=11, leading=13, spaceBefore=8, spaceAfter=3),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9, textColor=colors.Color(0.3, 0.3, 0.3)),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9),
        "verdict": ParagraphStyle("verdict", parent=body, fontSize=11, leading=14, fontName="Helvetica-Bold"),
        "caveat": ParagraphStyle("caveat", parent=body, backColor=colors.Color(1.0, 0.95, 0.82), borderPadding=3,
                                 spaceBefore=5, spaceAfter=5),
    }


def table(rows: Sequence[Sequence], widths: Sequence[float] | None = None, header: bool = True,
          font_size: float = 7.5) -> Table:
    """A plain grid table; the header row repeats on every page it spans."""
    result = Table([list(r) for r in rows], colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", font_size),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.Color(0.75, 0.75, 0.75)),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if header:
        commands += [("FONT", (0, 0), (-1, 0), "Helvetica-Bold", font_size),
                     ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92))]
    result.setStyle(TableStyle(commands))
    return result


def render(story: list[Flowable], paper: str = "a4", title: str = "emgviewer report") -> bytes:
    """``story`` laid out on ``paper`` with the page footer, as PDF bytes."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=PAPERS[paper], leftMargin=MARGIN, rightMargin=MARGIN,
                                 topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm, title=title,
                                 author=f"emgviewer {__version__}", subject=DISCLAIMER)

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.Color(0.35, 0.35, 0.35))
        canvas.drawString(MARGIN, MARGIN - 2 * mm, f"emgviewer {__version__} - {DISCLAIMER}")
        canvas.drawRightString(doc.pagesize[0] - MARGIN, MARGIN - 2 * mm, f"page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def content_width(paper: str) -> float:
    """The width a figure may take on ``paper`` inside the margins."""
    return PAPERS[paper][0] - 2 * MARGIN


def write_pdf(path: Path, data: bytes, overwrite: bool = False) -> None:
    """Atomic: the old file stays whole until the new one is complete."""
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path}: exists; pass --force to overwrite it")
    atomic_write_bytes(path, data, overwrite=overwrite)
