"""Audit reports: their totals are the ledger's, and each is scoped to its reader."""

import pytest

from training import records, reports
from training.models import HoursEntry, Item, ItemEvidence, RoleMembership
from training.reports import ReportFilters

pytestmark = pytest.mark.django_db


def rows(frame, key):
    return {row[key]: row for row in frame.to_dict("records")}


def test_hours_by_school_equals_the_ledger_with_partial_attendance_and_corrections(
    auditor, teacher, school, other_school, audit_data
):
    year = audit_data["year"]
    frame = reports.hours_by_school(auditor, ReportFilters(school_year=year))
    by_uai = rows(frame, "uai")
    assert set(by_uai) == {school.uai, other_school.uai}
    assert by_uai[school.uai]["minutes"] == 180  # teacher 180, absent 0
    assert by_uai[school.uai]["staff"] == 2
    assert by_uai[other_school.uai]["minutes"] == 120  # 180 - 180 + 120
    assert by_uai[other_school.uai]["hours"] == 2.0
    versailles = HoursEntry.objects.filter(staff__school__academy=school.academy, school_year=year)
    assert frame["minutes"].sum() == sum(versailles.values_list("minutes", flat=True)) == 300


def test_teacher_rows_agree_with_each_teachers_record(auditor, teacher, audit_data):
    year = audit_data["year"]
    frame = reports.hours_by_teacher(auditor, ReportFilters(school_year=year))
    by_id = rows(frame, "staff_id")
    for user in (teacher, audit_data["colleague"], audit_data["absent"]):
        record = records.teacher_record(user.staff, year)
        assert by_id[user.staff.staff_id]["minutes"] == record.total_minutes
    assert by_id[audit_data["colleague"].staff.staff_id]["minutes"] == 120
    assert by_id[audit_data["absent"].staff.staff_id]["minutes"] == 0


def test_teacher_rows_in_small_chunks_are_the_same(auditor, audit_data):
    filters = ReportFilters(school_year=audit_data["year"])
    whole = reports.hours_by_teacher(auditor, filters)
    chunks = list(reports.iter_hours_by_teacher(auditor, filters, chunk_size=1))
    assert len(chunks) > 1
    import pandas as pd

    assert pd.concat(chunks, ignore_index=True).equals(whole)


def test_district_and_academy_totals_sum_the_schools(auditor, national, audit_data):
    filters = ReportFilters(school_year=audit_data["year"])
    assert reports.hours_by_district(auditor, filters)["minutes"].sum() == 300
    academy = reports.hours_by_academy(auditor, filters)
    assert list(academy["minutes"]) == [300]
    national_rows = rows(reports.hours_by_academy(national, filters), "academy")
    assert national_rows["Versailles"]["minutes"] == 300
    assert national_rows["Paris"]["minutes"] == 600


def test_priority_and_modality_totals(auditor, audit_data):
    filters = ReportFilters(school_year=audit_data["year"])
    by_priority = rows(reports.hours_by_priority(auditor, filters), "code")
    assert by_priority["numerique"]["minutes"] == 300
    assert by_priority["numerique"]["people"] == 2
    assert sum(r["minutes"] for r in by_priority.values()) == 300
    by_modality = rows(reports.hours_by_modality(auditor, filters), "code")
    assert by_modality["in_person"]["minutes"] == 300
    assert by_modality["self_paced"]["minutes"] == 0


def test_priority_filter_excludes_other_priorities(auditor, audit_data, priority):
    other = priority.plan.priorities.exclude(pk=priority.pk).first()
    filters = ReportFilters(school_year=audit_data["year"], priority=other)
    assert reports.hours_by_school(auditor, filters)["minutes"].sum() == 0
    filters = ReportFilters(school_year=audit_data["year"], priority=priority)
    assert reports.hours_by_school(auditor, filters)["minutes"].sum() == 300


def test_school_filters(auditor, school, other_school, audit_data):
    year = audit_data["year"]
    second = reports.hours_by_school(auditor, ReportFilters(school_year=year, school_kind="legt"))
    assert list(second["uai"]) == [other_school.uai]
    first = reports.hours_by_school(auditor, ReportFilters(school_year=year, degree=1))
    assert first.empty


def test_target_attainment_counts_who_reached_the_target(auditor, audit_data, school):
    from training.models import HoursTarget

    plan = audit_data["year"].training_plan
    HoursTarget.objects.update_or_create(
        plan=plan, degree=2, defaults={"target_minutes": 150, "min_training_minutes": 0}
    )
    frame = reports.target_attainment(auditor, ReportFilters(school_year=audit_data["year"]))
    # teacher 180 ≥ 150; colleague 120 and absent 0 behind; the trainer (lycée) 0.
    assert frame["staff"].sum() == 4
    assert frame["with_target"].sum() == 4
    assert frame["reached"].sum() == 1
    assert frame["behind"].sum() == 3
    teachers = reports.hours_by_teacher(auditor, ReportFilters(school_year=audit_data["year"]))
    assert (teachers["reached"] == "oui").sum() == 1


def test_c2i2e_progress_and_distribution(auditor, teacher, trainer, audit_data):
    items = list(Item.objects.filter(domain__code="A.1").order_by("order"))
    for item in items[:3]:
        ItemEvidence.objects.update_or_create(
            staff=teacher.staff,
            item=item,
            defaults={"state": "validated", "source": "trainer", "author": trainer},
        )
    # The colleague has items in progress (from the session) but none validated.
    filters = ReportFilters(school_year=audit_data["year"])
    progress = rows(reports.c2i2e_progress(auditor, filters), "code")
    assert progress["A.1"]["validated"] == 3
    assert progress["A.1"]["people_started"] == 1
    assert progress["A.1"]["people_ok"] == 1  # 3 of 5, at most 2 missing
    assert progress["A.2"]["validated"] == 0
    distribution = rows(reports.c2i2e_distribution(auditor, filters), "validated_items")
    assert distribution[3]["people"] == 1
    assert distribution[0]["people"] == 3  # colleague, absent, trainer
    assert sum(r["eligible"] for r in distribution.values()) == 0


def test_auditor_of_another_academy_sees_nothing_of_this_one(
    make_user, other_academy, audit_data, school
):
    paris = make_user("paris-auditor", role=RoleMembership.Role.AUDITOR, academy=other_academy)
    filters = ReportFilters(school_year=audit_data["year"])
    frame = reports.hours_by_school(paris, filters)
    assert school.uai not in set(frame["uai"])
    assert frame["minutes"].sum() == 600
    assert "Versailles" not in set(reports.hours_by_academy(paris, filters)["academy"])
    teachers = reports.hours_by_teacher(paris, filters)
    assert set(teachers["academy"]) <= {"Paris"}
    # Asking for Versailles explicitly changes nothing.
    asked = ReportFilters(school_year=audit_data["year"], academy=school.academy)
    assert reports.hours_by_school(paris, asked).empty
    assert reports.hours_by_priority(paris, asked)["minutes"].sum() == 0


def test_head_sees_only_his_school(head, school, audit_data):
    filters = ReportFilters(school_year=audit_data["year"])
    frame = reports.hours_by_school(head, filters)
    assert list(frame["uai"]) == [school.uai]
    assert frame["minutes"].sum() == 180
    teachers = reports.hours_by_teacher(head, filters)
    assert set(teachers["uai"]) == {school.uai}
    assert reports.hours_by_priority(head, filters)["minutes"].sum() == 180


@pytest.mark.parametrize("persona", ["teacher", "referent", "trainer", "outsider_teacher"])
def test_others_get_empty_reports(persona, request, make_user, outsider_school, audit_data):
    if persona == "outsider_teacher":
        user = make_user("paris-teacher", school=outsider_school)
    else:
        user = request.getfixturevalue(persona)
    filters = ReportFilters(school_year=audit_data["year"])
    assert reports.report_scope(user) is None
    for spec in reports.REGISTRY.values():
        frame = spec.builder(user, filters)
        numeric = frame.select_dtypes("number")
        assert (
            frame.empty
            or numeric.drop(columns=["validated_items"], errors="ignore").sum().sum() == 0
        ), spec.key


def test_filters_round_trip_through_json(audit_data, school, priority):
    filters = ReportFilters(
        school_year=audit_data["year"], academy=school.academy, degree=2, priority=priority
    )
    assert ReportFilters.from_json(filters.to_json()) == filters


def test_referent_coverage_by_kind_and_bassin(auditor, referent, school, other_school, audit_data):
    filters = ReportFilters(school_year=referent.staff.appointments.get().school_year)
    frame = reports.REGISTRY["referent_coverage"].builder(auditor, filters)
    by_kind = rows(frame, "kind")
    assert by_kind["Collège"]["covered"] == 1  # the référent's collège
    assert by_kind["Lycée d'enseignement général et technologique"]["uncovered"] == 1
    assert frame["schools"].sum() == 2


def test_referent_sections_are_for_the_rectorate_only(head, make_user, other_academy, audit_data):
    paris = make_user("paris-auditor", role=RoleMembership.Role.AUDITOR, academy=other_academy)
    filters = ReportFilters(school_year=audit_data["year"])
    for key in ("referent_coverage", "referent_allowances", "referent_training"):
        assert reports.REGISTRY[key].builder(head, filters).empty
        frame = reports.REGISTRY[key].builder(paris, filters)
        assert "Versailles" not in set(frame["academy"])
