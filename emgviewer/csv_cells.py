"""Text cells made safe for spreadsheets before they go into a CSV file.

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is run as a
formula by Excel, LibreOffice and Google Sheets: a record named ``=HYPERLINK(...)`` in a score
sheet would act when a teacher opens it. Such a text cell gets a leading apostrophe (OWASP's
advice), which spreadsheets show as text; a cell that reads as a number (``-0.25``) is data
and stays as it is.
"""

from __future__ import annotations

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` unchanged unless it is text a spreadsheet would run as a formula."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def safe_row(cells) -> list:
    """Every cell of a row made safe for a spreadsheet (:func:`safe_cell`)."""
    return [safe_cell(cell) for cell in cells]
