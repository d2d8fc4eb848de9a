"""Report exports: CSV for French spreadsheets, XLSX, and the background export job."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from training import reports
from training.models import ExportJob
from training.reports import ReportFilters
from training.services import exports
from training.spreadsheets import csv_cell

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def csv_rows(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM French Excel needs for UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(data: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    width = len(rows[0])  # read-only mode drops trailing empty cells
    return [row + [""] * (width - len(row)) for row in rows]


def write(key, user, filters, fmt, **kwargs):
    buffer = io.BytesIO()
    count = exports.write_report(key, user, filters, fmt, buffer, **kwargs)
    return count, buffer.getvalue()


def test_csv_has_a_bom_semicolons_french_headers_and_decimals(auditor, school, audit_data):
    filters = ReportFilters(school_year=audit_data["year"])
    count, data = write("hours_by_school", auditor, filters, "csv")
    rows = csv_rows(data)
    assert b";" in data.splitlines()[0]
    assert rows[0][:4] == ["Académie", "Bassin ou circonscription", "UAI", "Établissement"]
    assert count == len(rows) - 1 == 2
    by_uai = {row[2]: row for row in rows[1:]}
    header = rows[0]
    assert by_uai[school.uai][header.index("Minutes")] == "180"
    assert by_uai[school.uai][header.index("Heures")] == "3"
    assert by_uai[school.uai][header.index("Heures par personne")] == "1,5"


def test_xlsx_opens_and_has_the_same_rows_as_the_csv(auditor, audit_data):
    filters = ReportFilters(school_year=audit_data["year"])
    _n, csv_data = write("hours_by_teacher", auditor, filters, "csv")
    _n, xlsx_data = write("hours_by_teacher", auditor, filters, "xlsx")
    from_csv = csv_rows(csv_data)
    from_xlsx = xlsx_rows(xlsx_data)
    assert from_xlsx[0] == from_csv[0]
    assert len(from_xlsx) == len(from_csv) == 5  # header + 4 people of Versailles
    assert [[csv_cell(v) for v in row] for row in from_xlsx] == from_csv


def test_rows_match_the_report_frame(auditor, audit_data):
    filters = ReportFilters(school_year=audit_data["year"])
    frame = reports.hours_by_teacher(auditor, filters)
    _n, data = write("hours_by_teacher", auditor, filters, "xlsx")
    rows = xlsx_rows(data)[1:]
    assert [r[4] for r in rows] == list(frame["staff_id"])
    assert sum(r[8] for r in rows) == frame["minutes"].sum() == 300


def test_progress_is_reported_after_every_chunk(auditor, audit_data):
    filters = ReportFilters(school_year=audit_data["year"])
    calls = []
    count, _data = write(
        "hours_by_teacher",
        auditor,
        filters,
        "csv",
        progress=lambda done, expected: calls.append((done, expected)),
        chunk_size=1,
    )
    assert count == 4
    assert calls[-1] == (4, 4)
    assert len(calls) == 2  # two schools, one chunk each


def test_empty_report_still_has_its_header(teacher, audit_data):
    filters = ReportFilters(school_year=audit_data["year"])
    count, data = write("hours_by_school", teacher, filters, "csv")
    assert count == 0
    assert csv_rows(data)[0][2] == "UAI"


def test_small_report_downloads_synchronously(client_for, auditor, audit_data):
    url = reverse("training:audit_export", args=["hours_by_school", "xlsx"])
    response = client_for(auditor).get(url, {"annee": audit_data["year"].name})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert xlsx_rows(response.content)[0][2] == "UAI"
    assert not ExportJob.objects.exists()


def test_celery_export_equals_the_synchronous_one(
    client_for, auditor, audit_data, settings, django_capture_on_commit_callbacks
):
    settings.DUNE_EXPORT_SYNC_MAX_ROWS = 1
    filters = ReportFilters(school_year=audit_data["year"])
    client = client_for(auditor)
    url = reverse("training:audit_export", args=["hours_by_teacher", "csv"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"annee": audit_data["year"].name})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("training:audit_job", args=[job.pk])
    assert (job.status, job.progress, job.rows, job.author) == ("done", 100, 4, auditor)
    assert job.file.name.startswith("exports/")
    status = client.get(reverse("training:audit_job_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["download_url"]
    download = client.get(status["download_url"])
    background = b"".join(download.streaming_content)
    _n, synchronous = write("hours_by_teacher", auditor, filters, "csv")
    assert background == synchronous
    page = client.get(response.url)
    assert page.status_code == 200 and "Télécharger le fichier" in page.content.decode()


def test_a_second_run_of_the_same_job_changes_nothing(auditor, audit_data):
    filters = ReportFilters(school_year=audit_data["year"])
    job = ExportJob.objects.create(
        author=auditor, report="hours_by_school", filters=filters.to_json(), format="xlsx"
    )
    assert exports.run_job(job.pk) is True
    job.refresh_from_db()
    name = job.file.name
    assert exports.run_job(job.pk) is False
    job.refresh_from_db()
    assert job.file.name == name


def test_a_job_abandoned_by_a_dead_worker_is_taken_up_again(auditor, audit_data):
    """The worker died mid-export (acks_late: the task comes back). A job still running
    with a recent sign of life is its worker's; one silent for longer than STALE_AFTER
    is claimed by the redelivered task and finished."""
    filters = ReportFilters(school_year=audit_data["year"])
    job = ExportJob.objects.create(
        author=auditor,
        report="hours_by_school",
        filters=filters.to_json(),
        format="csv",
        status=ExportJob.Status.RUNNING,
        progress=40,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=2),
    )
    assert exports.run_job(job.pk) is False
    job.refresh_from_db()
    assert (job.status, job.progress) == ("running", 40)
    ExportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - exports.STALE_AFTER - dt.timedelta(seconds=1)
    )
    assert exports.run_job(job.pk) is True
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    assert job.file.name.startswith("exports/")


def test_export_job_is_its_authors_only(client_for, auditor, manager, audit_data):
    filters = ReportFilters(school_year=audit_data["year"])
    job = ExportJob.objects.create(
        author=auditor, report="hours_by_school", filters=filters.to_json(), format="csv"
    )
    exports.run_job(job.pk)
    client = client_for(manager)
    for name in ("audit_job", "audit_job_status", "audit_job_download"):
        assert client.get(reverse(f"training:{name}", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["teacher", "trainer", "referent"])
def test_export_refused_outside_the_rectorate_and_heads(persona, request, client_for, audit_data):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("training:audit_export", args=["hours_by_school", "csv"])
    assert client.get(url).status_code == 404


def test_outsider_head_exports_only_his_paris_school(client_for, outsider, school, audit_data):
    url = reverse("training:audit_export", args=["hours_by_teacher", "csv"])
    rows = csv_rows(client_for(outsider).get(url).content)
    assert {row[0] for row in rows[1:]} == {"Paris"}
    assert school.uai not in {row[2] for row in rows[1:]}


def test_outsider_head_cannot_export_versailles_school(client_for, outsider, school, audit_data):
    url = reverse("training:audit_export", args=["hours_by_teacher", "csv"])
    response = client_for(outsider).get(url, {"uai": school.uai})
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, audit_data):
    url = reverse("training:audit_export", args=["hours_by_school", "csv"])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
