"""The one CSV/XLSX cell writer: French figures, text that never runs, names Excel accepts."""

import io
import math

import openpyxl
import pytest

from training import spreadsheets
from training.spreadsheets import CSV, XLSX, csv_cell, file_bytes, sheet_title, xlsx_value


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil";"x")',
        "+33 6 12",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "\tx",
        "\rx",
    ],
)
def test_a_text_that_a_spreadsheet_would_run_is_shown_instead(text):
    assert csv_cell(text) == "'" + text
    assert xlsx_value(text) == "'" + text


@pytest.mark.parametrize("text", ["-50,00", "-50", "-1.5"])
def test_a_plain_negative_figure_written_as_text_stays_a_figure(text):
    assert csv_cell(text) == text


@pytest.mark.parametrize(
    ("value", "cell"),
    [(None, ""), (3, "3"), (1.5, "1,5"), (2.0, "2"), (1.25, "1,25"), (-0.5, "-0,5"),
     (float("nan"), ""), (True, "True"), ("Durand", "Durand")],
)  # fmt: skip
def test_csv_cells_are_written_as_french_spreadsheets_read_them(value, cell):
    assert csv_cell(value) == cell


def test_xlsx_keeps_numbers_as_numbers():
    assert xlsx_value(3) == 3
    assert xlsx_value(1.5) == 1.5
    assert xlsx_value(None) is None
    assert xlsx_value(math.nan) is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Heures : bassins", "Heures - bassins"),
        ("a/b\\c[d]*e?", "a-b-c-d--e-"),
        ("Objectif horaire atteint, par académie", "Objectif horaire atteint, par a"),
        ("", "Export"),
        ("'quoted'", "quoted"),
    ],
)
def test_sheet_titles_are_what_excel_accepts(title, expected):
    assert sheet_title(title) == expected.strip()
    assert len(sheet_title(title)) <= spreadsheets.SHEET_TITLE_MAX


def test_a_csv_file_has_a_bom_and_semicolons():
    content = file_bytes([["Nom", "Heures"], ["=1+1", 1.5]], CSV).decode("utf-8")
    assert content == "\ufeffNom;Heures\r\n'=1+1;1,5\r\n"


def test_an_xlsx_file_holds_text_as_strings_never_formulas():
    content = file_bytes([["Nom", "Heures"], ["=1+1", 1.5]], XLSX, title="Heures : bassins")
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet.title == "Heures - bassins"
    cell = sheet["A2"]
    assert cell.value == "'=1+1"
    assert cell.data_type == "s"
    assert sheet["B2"].value == 1.5
