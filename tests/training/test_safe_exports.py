"""Exports that cannot attack their reader: every report opens as XLSX (sheet titles
Excel accepts), and a name typed as a formula is shown, never run, in every export."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.training.test_exports import write
from training.models import Staff
from training.reports import REGISTRY, ReportFilters

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("key", list(REGISTRY))
def test_every_audit_report_exports_to_xlsx(national, audit_data, key):
    filters = ReportFilters(school_year=audit_data["year"])
    _count, data = write(key, national, filters, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert len(book.active.title) <= 31
    assert ":" not in book.active.title


def test_a_formula_in_a_name_is_neutralised_in_reports(auditor, audit_data, teacher):
    teacher.last_name = FORMULA
    teacher.save()
    filters = ReportFilters(school_year=audit_data["year"])
    _count, data = write("hours_by_teacher", auditor, filters, "csv")
    assert ("'" + FORMULA).replace('"', '""') in data.decode("utf-8-sig")
    _count, data = write("hours_by_teacher", auditor, filters, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "'" + FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_formula_in_a_name_is_neutralised_in_the_roster(
    client_for, manager, teacher, make_session
):
    from training import services

    teacher.last_name = FORMULA
    teacher.save()
    session = make_session(approval="none")
    services.request_enrolment(user=teacher, session=session, staff=Staff.objects.get(user=teacher))
    url = f"/formations/sessions/{session.pk}/participants/"
    body = client_for(manager).get(url, {"_export": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[1][0] == "'" + FORMULA
    sheet = openpyxl.load_workbook(
        io.BytesIO(client_for(manager).get(url, {"_export": "xlsx"}).content)
    ).active
    assert sheet["A2"].value == "'" + FORMULA and sheet["A2"].data_type == "s"
