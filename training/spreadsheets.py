"""Every CSV and XLSX file Dune hands out is written here, one cell at a time, the same way.

- CSV as French spreadsheet users open it as is: ``;`` between cells, UTF-8 with a BOM,
  decimal commas (« 1,5 »; at most two decimals, no trailing zeros).
- XLSX with numbers as numbers and text as text.
- A text cell can never attack its reader (CSV/formula injection, OWASP): a text that
  starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  apostrophe, and XLSX text cells are written as strings, never as formulas. A name typed
  as ``=HYPERLINK(…)`` in a form or an import file is shown, not run. Numbers are not
  text: pass them as numbers (``formatting.hours_value``, ``euros_value``…), not as
  formatted strings, so that a negative figure stays a figure. A text that is a plain
  negative figure (« -50,00 », a correction in a payroll file) is left as it is: it
  cannot be a formula.
- Sheet names are what Excel accepts: no ``[]:*?/\\``, at most 31 characters.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DELIMITER = ";"
BOM = "\ufeff"
# What a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_FIGURE = re.compile(r"-\d+(?:[.,]\d+)?")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31


def safe_text(text: str) -> str:
    """A text cell that a spreadsheet shows and never evaluates."""
    if text.startswith(FORMULA_STARTS) and not _NEGATIVE_FIGURE.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real | Decimal):
        if math.isnan(value):
            return ""
        # French decimals: 1,5 rather than 1.5; no trailing zeros (2 rather than 2.00).
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return safe_text(str(value))


def xlsx_value(value):
    """The value an XLSX cell holds: numbers as numbers, anything else as safe text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real | Decimal):
        return None if math.isnan(value) else float(value)
    return safe_text(str(value))


def sheet_title(title) -> str:
    """A sheet name Excel accepts (``Heures : bassins`` → ``Heures - bassins``)."""
    text = _SHEET_FORBIDDEN.sub("-", str(title)).strip().strip("'")
    return text[:SHEET_TITLE_MAX].strip() or "Export"


class CsvWriter:
    """Rows into a text stream, one safe cell at a time (the caller writes the BOM, or
    opens the stream with ``encoding="utf-8-sig"``)."""

    def __init__(self, stream):
        self._writer = csv.writer(stream, delimiter=DELIMITER)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([csv_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


class XlsxWriter:
    """Rows into one sheet of a streamed (write-only) workbook; ``save(fileobj)`` at the
    end."""

    def __init__(self, title="Export"):
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title=sheet_title(title))

    def _cell(self, value):
        value = xlsx_value(value)
        if not isinstance(value, str):
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    def writerow(self, row: Iterable) -> None:
        self.sheet.append([self._cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)

    def save(self, fileobj) -> None:
        self.book.save(fileobj)


def file_bytes(rows: Iterable[Sequence], export_format: str, *, title="Export") -> bytes:
    """A whole (small) file in memory: CSV with its BOM, or XLSX."""
    if export_format == XLSX:
        writer = XlsxWriter(title)
        writer.writerows(rows)
        buffer = io.BytesIO()
        writer.save(buffer)
        return buffer.getvalue()
    buffer = io.StringIO()
    CsvWriter(buffer).writerows(rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def file_response(
    rows: Iterable[Sequence], export_format: str, filename: str, *, title="Export"
) -> HttpResponse:
    """A download of ``rows`` as ``filename.csv`` or ``filename.xlsx``."""
    export_format = XLSX if export_format == XLSX else CSV
    response = HttpResponse(
        file_bytes(rows, export_format, title=title), content_type=CONTENT_TYPES[export_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response
