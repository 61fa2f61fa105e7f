"""The quiz's score sheet as a PDF: per record and per class, the student beside the truth and
the model."""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.platypus import Paragraph, Spacer

from emgviewer.report.pdf import DISCLAIMER, render, styles, table
from emgviewer.teaching import QuizScore, label

RIGHT, WRONG = "✓", "✗"


def score_sheet_pdf(score: QuizScore, paper: str = "a4", student: str = "") -> bytes:
    """A quiz's score sheet as PDF: per record the student's answer, the truth and the model's, then per class."""
    sheet = styles()
    student = student or score.student
    story = [Paragraph("EMG quiz: score sheet", sheet["title"]),
             Paragraph(escape(f"Student: {student or 'not named'} · quiz of {score.date or 'an unknown date'}, "
                              f"seed {score.seed} · printed {dt.datetime.now():%Y-%m-%d %H:%M}"), sheet["body"]),
             Paragraph(escape(score.summary()), sheet["body"]), Spacer(1, 6)]
    rows = [["#", "record", "truth", "student", "", "model", ""]]
    for number, item in enumerate(score.items, start=1):
        known = item.truth is not None
        rows.append([number, Paragraph(escape(item.name), sheet["cell"]), label(item.truth), label(item.answer),
                     (RIGHT if item.answer == item.truth else WRONG) if known else "",
                     Paragraph(escape(item.model_statement), sheet["cell"]),
                     (RIGHT if item.model == item.truth else WRONG) if known else ""])
    records = table(rows, [18, 92, 82, 82, 14, 200, 14])  # names and statements wrap, never cut
    for r, row in enumerate(rows[1:], start=1):
        for column in (4, 6):
            if row[column]:
                records.setStyle([("TEXTCOLOR", (column, r), (column, r),
                                   colors.Color(0, 0.5, 0.2) if row[column] == RIGHT else colors.Color(0.75, 0, 0))])
    story += [Paragraph("Records (in the order asked)", sheet["h2"]), records]
    per_class = [["class", "records", "student right", "model right"]]
    per_class += [[label(name), n, f"{s}/{n}", f"{m}/{n}"] for name, n, s, m in score.per_class()]
    story += [Paragraph("Per class", sheet["h2"]), table(per_class, [120, 60, 90, 90]), Spacer(1, 8),
              Paragraph(escape("The model's statement is its record verdict, 'uncertain' when it did not "
                               "commit (counted as not right). On records of its training subjects (marked "
                               "'seen in training') the model's agreement is no evidence of accuracy. "
                               + DISCLAIMER), sheet["small"])]
    return render(story, paper, title="emgviewer quiz score sheet")
