"""The rectorate's audit journey on the demo académie: an auditor opens the académie's
dashboard from the « Pilotage » menu, reads a chart and its table, and downloads a
report as XLSX."""

import re

import openpyxl
from playwright.sync_api import expect

from tests.e2e.navigation import follow_menu


def test_auditor_opens_the_academy_dashboard_and_downloads_xlsx(page, login, tmp_path):
    login("auditeur")
    follow_menu(page, "Pilotage", "Pilotage")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Versailles")
    section = page.get_by_test_id("section-hours_by_district")
    expect(section.get_by_role("heading", level=2)).to_have_text("Heures par bassin")
    chart = section.get_by_role("img", name=re.compile("Heures par bassin"))
    expect(chart).to_be_visible()
    expect(chart.locator("rect").first).to_be_attached()
    expect(section.get_by_role("columnheader", name="Heures par personne")).to_be_visible()

    page.get_by_label("Degré").select_option(label="2nd degré")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"degre=2"))

    with page.expect_download() as download_info:
        page.get_by_test_id("export-hours_by_district-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0][:4]) == [
        "Académie",
        "Bassin ou circonscription",
        "Établissements",
        "Personnels",
    ]
    assert len(rows) > 1
    assert {row[0] for row in rows[1:]} == {"Versailles"}
