"""School training plans and teachers' needs, through the services: the workflow, its
refusals (each leaving everything as it was), the history, and the realisation figures
on a hand-built ledger."""

import pytest
from django.utils import timezone

from tests.conftest import CURRENT_YEAR
from training import permissions
from training import services as training_services
from training.errors import TrainingError
from training.models import HoursEntry, Item, Module, SchoolPlan, Slot, TrainingNeed
from training.realisation import plan_realisation, plans_realisation
from training.services import school_plans as services
from training.services.attendance import Mark
from training.services.school_plans import LineData

pytestmark = pytest.mark.django_db
Status = SchoolPlan.Status


@pytest.fixture
def plan(referent, school, current_year):
    return services.create_plan(user=referent, school=school, school_year=current_year)


@pytest.fixture
def line_data(module):
    return LineData(module=module, planned_minutes=180)


def snapshot(plan):
    plan.refresh_from_db()
    return (
        plan.status,
        plan.head_comment,
        plan.submitted_at,
        plan.approved_at,
        list(plan.lines.values_list("theme", "planned_minutes")),
        plan.events.count(),
    )


def actions(plan):
    return list(plan.events.values_list("action", "from_status", "to_status"))


# --- Needs ----------------------------------------------------------------------------


def test_teacher_submits_a_need_for_his_school(teacher, school, current_year):
    items = list(Item.objects.filter(code__in=["A.1-1", "B.2-1"]))
    need = services.submit_need(
        user=teacher, theme="Le TNI en classe", items=items, modality="in_person"
    )
    assert (need.staff, need.school, need.school_year) == (teacher.staff, school, current_year)
    assert sorted(need.items.values_list("code", flat=True)) == ["A.1-1", "B.2-1"]


def test_need_without_theme_or_by_someone_without_school_is_refused(teacher, auditor):
    with pytest.raises(TrainingError, match="thème"):
        services.submit_need(user=teacher, theme="  ")
    with pytest.raises(TrainingError, match="personnels"):
        services.submit_need(user=auditor, theme="ENT")
    assert not TrainingNeed.objects.exists()


def test_only_its_author_withdraws_a_need(teacher, referent):
    need = services.submit_need(user=teacher, theme="ENT")
    with pytest.raises(TrainingError):
        services.withdraw_need(user=referent, need=need)
    services.withdraw_need(user=teacher, need=need)
    assert not TrainingNeed.objects.exists()


def test_needs_are_scoped(teacher, referent, head, auditor, outsider, make_user, school):
    colleague = make_user(school=school)
    mine = services.submit_need(user=teacher, theme="ENT")
    theirs = services.submit_need(user=colleague, theme="Tableur")
    outside = services.submit_need(user=outsider, theme="Paris")
    assert set(permissions.visible_needs(teacher)) == {mine}
    assert set(permissions.visible_needs(referent)) == {mine, theirs}
    assert set(permissions.visible_needs(head)) == {mine, theirs}
    assert set(permissions.visible_needs(auditor)) == {mine, theirs}
    assert set(permissions.visible_needs(outsider)) == {outside}


# --- Workflow -------------------------------------------------------------------------


def test_referent_drafts_submits_head_returns_then_approves(plan, referent, head, line_data):
    services.add_line(user=referent, plan=plan, data=line_data)
    plan = services.submit_plan(user=referent, plan=plan)
    assert plan.status == Status.SUBMITTED and plan.submitted_at is not None

    plan = services.return_plan(user=head, plan=plan, comment="Ajoutez une ligne pour les CPE.")
    assert (plan.status, plan.head_comment) == (Status.RETURNED, "Ajoutez une ligne pour les CPE.")

    # A returned plan is editable again.
    services.add_line(
        user=referent, plan=plan, data=LineData(theme="Vie scolaire et ENT", planned_minutes=120)
    )
    services.submit_plan(user=referent, plan=plan)
    services.approve_plan(user=head, plan=plan)
    plan.refresh_from_db()
    assert plan.status == Status.APPROVED
    assert plan.approved_by == head and plan.approved_at is not None
    assert actions(plan) == [
        ("created", "", "draft"),
        ("line_added", "draft", "draft"),
        ("submitted", "draft", "submitted"),
        ("returned", "submitted", "returned"),
        ("line_added", "returned", "returned"),
        ("submitted", "returned", "submitted"),
        ("approved", "submitted", "approved"),
    ]
    assert plan.events.get(action="returned").detail == "Ajoutez une ligne pour les CPE."


def test_each_step_is_told_by_e_mail(
    plan, referent, head, line_data, mailoutbox, settings, django_capture_on_commit_callbacks
):
    """Submitted: the head is asked to decide. Returned: the référent reads the comment.
    Approved: the référent is told. Each link leads to the plan. (Sent after commit.)"""

    def step(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            action(plan=plan, **kwargs)

    services.add_line(user=referent, plan=plan, data=line_data)
    step(services.submit_plan, user=referent)
    [asked] = mailoutbox
    assert asked.to == [head.email]
    assert (
        asked.subject == f"[Dune] Plan de formation {CURRENT_YEAR} à valider — {plan.school.name}"
    )
    plan_url = f"{settings.SITE_URL}/plan-de-formation/{plan.pk}/"
    assert plan_url in asked.body
    step(services.return_plan, user=head, comment="Ajoutez une ligne sur l'ENT.")
    returned = mailoutbox[1]
    assert returned.to == [referent.email]
    assert "« Ajoutez une ligne sur l'ENT. »" in returned.body
    step(services.submit_plan, user=referent)
    step(services.approve_plan, user=head, comment="Merci.")
    assert [m.to for m in mailoutbox[2:]] == [[head.email], [referent.email]]
    assert "approuvé" in mailoutbox[3].subject
    assert "<blockquote>Merci.</blockquote>" in mailoutbox[3].alternatives[0][0]


def test_a_head_drafting_his_own_plan_gets_no_e_mail_about_it(
    head, school, current_year, line_data, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.create_plan(user=head, school=school, school_year=current_year)
        services.add_line(user=head, plan=plan, data=line_data)
        services.submit_plan(user=head, plan=plan)
        services.approve_plan(user=head, plan=plan)
    assert mailoutbox == []


def test_head_may_draft_the_plan_himself(head, school, current_year, line_data):
    plan = services.create_plan(user=head, school=school, school_year=current_year)
    services.add_line(user=head, plan=plan, data=line_data)
    services.submit_plan(user=head, plan=plan)
    plan = services.approve_plan(user=head, plan=plan)
    assert plan.status == Status.APPROVED


def test_line_takes_the_priority_of_its_module(plan, referent, line_data, priority):
    line = services.add_line(user=referent, plan=plan, data=line_data)
    assert line.priority == priority and line.label == "Intégrer l'ENT"


def test_plan_without_lines_cannot_be_submitted(plan, referent):
    before = snapshot(plan)
    with pytest.raises(TrainingError, match="sans ligne"):
        services.submit_plan(user=referent, plan=plan)
    assert snapshot(plan) == before


def test_only_the_referent_or_head_of_the_school_drafts(
    plan, teacher, auditor, manager, outsider, trainer, line_data, school, current_year
):
    before = snapshot(plan)
    for user in (teacher, auditor, manager, outsider, trainer):
        with pytest.raises(TrainingError) as exc:
            services.add_line(user=user, plan=plan, data=line_data)
        assert exc.value.status == 403
        with pytest.raises(TrainingError):
            services.submit_plan(user=user, plan=plan)
    assert snapshot(plan) == before
    with pytest.raises(TrainingError, match="référent numérique"):
        services.create_plan(user=teacher, school=school, school_year=current_year)


def test_only_the_head_of_the_school_returns_or_approves(plan, referent, outsider, line_data):
    services.add_line(user=referent, plan=plan, data=line_data)
    services.submit_plan(user=referent, plan=plan)
    before = snapshot(plan)
    for user in (referent, outsider):
        with pytest.raises(TrainingError, match="Seul le chef") as exc:
            services.approve_plan(user=user, plan=plan)
        assert exc.value.status == 403
        with pytest.raises(TrainingError, match="Seul le chef"):
            services.return_plan(user=user, plan=plan, comment="Non")
    assert snapshot(plan) == before


def test_returning_needs_a_comment(plan, referent, head, line_data):
    services.add_line(user=referent, plan=plan, data=line_data)
    services.submit_plan(user=referent, plan=plan)
    before = snapshot(plan)
    with pytest.raises(TrainingError, match="commentaire"):
        services.return_plan(user=head, plan=plan, comment="   ")
    assert snapshot(plan) == before


def test_head_decides_only_on_a_submitted_plan(plan, referent, head, line_data):
    services.add_line(user=referent, plan=plan, data=line_data)
    before = snapshot(plan)
    with pytest.raises(TrainingError, match="pas soumis"):
        services.approve_plan(user=head, plan=plan)
    with pytest.raises(TrainingError, match="pas soumis"):
        services.return_plan(user=head, plan=plan, comment="Non")
    assert snapshot(plan) == before


def test_submitted_plan_is_frozen_until_the_decision(plan, referent, line_data):
    line = services.add_line(user=referent, plan=plan, data=line_data)
    services.submit_plan(user=referent, plan=plan)
    before = snapshot(plan)
    with pytest.raises(TrainingError, match="soumis"):
        services.add_line(user=referent, plan=plan, data=line_data)
    with pytest.raises(TrainingError, match="soumis"):
        services.remove_line(user=referent, line=line)
    with pytest.raises(TrainingError, match="déjà soumis"):
        services.submit_plan(user=referent, plan=plan)
    assert snapshot(plan) == before


def test_approved_plan_is_read_only_and_a_new_version_copies_it(
    plan, referent, head, line_data, teacher
):
    line_data.target_staff = [teacher.staff]
    line = services.add_line(user=referent, plan=plan, data=line_data)
    services.submit_plan(user=referent, plan=plan)
    services.approve_plan(user=head, plan=plan, comment="Bon plan.")
    before = snapshot(plan)
    for attempt in (
        lambda: services.add_line(user=referent, plan=plan, data=line_data),
        lambda: services.update_line(user=referent, line=line, data=line_data),
        lambda: services.remove_line(user=referent, line=line),
        lambda: services.submit_plan(user=referent, plan=plan),
    ):
        with pytest.raises(TrainingError, match="approuvé"):
            attempt()
    assert snapshot(plan) == before

    new = services.open_new_version(user=referent, plan=plan)
    assert (new.version, new.status) == (2, Status.DRAFT)
    copied = new.lines.get()
    assert copied.pk != line.pk and copied.module == line.module
    assert list(copied.target_staff.all()) == [teacher.staff]
    assert snapshot(plan) == before  # version 1 untouched
    with pytest.raises(TrainingError, match="déjà en préparation"):
        services.open_new_version(user=referent, plan=plan)
    assert SchoolPlan.objects.count() == 2


def test_new_version_only_from_an_approved_plan(plan, referent):
    with pytest.raises(TrainingError, match="déjà en préparation"):
        services.open_new_version(user=referent, plan=plan)
    assert SchoolPlan.objects.count() == 1


def test_a_second_first_version_is_refused(plan, head, school, current_year):
    with pytest.raises(TrainingError, match="existe déjà"):
        services.create_plan(user=head, school=school, school_year=current_year)
    assert SchoolPlan.objects.count() == 1


def test_bad_lines_are_refused(plan, referent, outsider, academy, other_academy, programme):
    other_module = Module.objects.create(
        programme=type(programme).objects.create(
            academy=other_academy,
            school_year=programme.school_year,
            code="10A0010001",
            title="Ailleurs",
            priority=programme.priority,
        ),
        code="X",
        title="Ailleurs",
    )
    before = snapshot(plan)
    for data, message in (
        (LineData(planned_minutes=60), "thème ou un module"),
        (LineData(theme="ENT", planned_minutes=0), "positive"),
        (LineData(module=other_module, planned_minutes=60), "catalogue de l'académie"),
        (
            LineData(theme="ENT", planned_minutes=60, target_staff=[outsider.staff]),
            "ne fait pas partie",
        ),
        (LineData(theme="ENT", planned_minutes=60, modality="teleportation"), "Modalité"),
    ):
        with pytest.raises(TrainingError, match=message):
            services.add_line(user=referent, plan=plan, data=data)
    assert snapshot(plan) == before


def test_line_edit_and_removal_are_in_the_history(plan, referent, line_data):
    line = services.add_line(user=referent, plan=plan, data=line_data)
    services.update_line(
        user=referent, line=line, data=LineData(theme="Tableur", planned_minutes=90)
    )
    line.refresh_from_db()
    assert (line.theme, line.module, line.planned_minutes) == ("Tableur", None, 90)
    services.remove_line(user=referent, line=line)
    assert not plan.lines.exists()
    assert [a for a, _f, _t in actions(plan)] == [
        "created",
        "line_added",
        "line_changed",
        "line_removed",
    ]
    assert plan.events.last().detail == "Tableur"


def test_closed_year_refuses_plan_changes(plan, referent, line_data, current_year):
    current_year.closed_at = timezone.now()
    current_year.save(update_fields=["closed_at"])
    before = snapshot(plan)
    with pytest.raises(TrainingError, match="close"):
        services.add_line(user=referent, plan=plan, data=line_data)
    assert snapshot(plan) == before


def test_year_closed_for_the_academy_refuses_plan_changes(
    plan, referent, line_data, current_year, academy, auditor, teacher
):
    from training.models import AcademyYearClosure

    AcademyYearClosure.objects.create(
        academy=academy, school_year=current_year, closed_at=timezone.now(), closed_by=auditor
    )
    before = snapshot(plan)
    with pytest.raises(TrainingError, match="close") as exc:
        services.add_line(user=referent, plan=plan, data=line_data)
    assert exc.value.status == 409
    with pytest.raises(TrainingError, match="close"):
        services.submit_need(user=teacher, theme="ENT", school_year=current_year)
    assert snapshot(plan) == before
    assert not TrainingNeed.objects.exists()


def test_rectorate_sees_only_submitted_and_approved_plans(
    plan, referent, head, auditor, national, outsider, teacher, line_data
):
    assert set(permissions.visible_plans(referent)) == {plan}
    assert set(permissions.visible_plans(head)) == {plan}
    for user in (auditor, national, outsider, teacher):
        assert not permissions.visible_plans(user).exists()
    services.add_line(user=referent, plan=plan, data=line_data)
    services.submit_plan(user=referent, plan=plan)
    assert set(permissions.visible_plans(auditor)) == {plan}
    assert set(permissions.visible_plans(national)) == {plan}
    assert not permissions.visible_plans(outsider).exists()
    assert not permissions.visible_plans(teacher).exists()


# --- Realisation ----------------------------------------------------------------------


@pytest.fixture
def past_session(make_session, trainer, teacher, referent):
    """A 3-hour slot two days ago, the teacher and the référent booked on it."""
    session = make_session(approval="none", days=-2, capacity=5)
    session.trainers.add(trainer)
    for user in (teacher, referent):
        training_services.request_enrolment(user=user, session=session, staff=user.staff)
    return session


def test_realisation_counts_credited_minutes_of_targets_on_the_module(
    plan, referent, head, trainer, teacher, past_session, module, priority, make_user, school
):
    colleague = make_user(school=school)  # in the school, never trained
    slot = past_session.slots.get()
    training_services.record_attendance(
        user=trainer,
        slot=slot,
        marks=[Mark(teacher.staff.pk, "present"), Mark(referent.staff.pk, "partial", 120)],
    )
    # A correction: the teacher left at 11:00 (120 minutes instead of 180).
    training_services.record_attendance(
        user=trainer,
        slot=slot,
        marks=[Mark(teacher.staff.pk, "partial", 120)],
        reason="Parti à 11h",
    )
    # Hours on another module of the same priority count for a priority line only.
    other = Module.objects.create(programme=module.programme, code="M2", title="Tableur")
    other_session = type(past_session).objects.create(
        module=other, group="01", capacity=3, approval="none", status="published"
    )
    other_slot = Slot.objects.create(
        session=other_session,
        modality="virtual",
        start=slot.start,
        end=slot.start + timezone.timedelta(hours=1),
    )
    HoursEntry.objects.create(
        staff=teacher.staff,
        slot=other_slot,
        minutes=60,
        priority=priority,
        modality="virtual",
        school_year=plan.school_year,
        source="attendance",
        author=trainer,
    )

    on_module = services.add_line(
        user=referent,
        plan=plan,
        data=LineData(
            module=module,
            planned_minutes=150,
            target_staff=[teacher.staff, referent.staff, colleague.staff],
        ),
    )
    on_priority = services.add_line(
        user=referent,
        plan=plan,
        data=LineData(theme="Usages du numérique", priority=priority, planned_minutes=60),
    )
    theme_only = services.add_line(
        user=referent, plan=plan, data=LineData(theme="Sécurité en ligne", planned_minutes=60)
    )

    result = plan_realisation(plan)
    rows = {r.line.pk: r for r in result.lines}

    module_row = rows[on_module.pk]
    assert module_row.targets == 3
    assert module_row.expected_minutes == 450
    assert module_row.credited_minutes == 240  # 120 (corrected) + 120 (partial) + 0
    assert module_row.realised_minutes == 240
    assert module_row.reached == 0
    assert module_row.rate == pytest.approx(53.3)

    # Whole school (no one chosen): teacher, référent, colleague; per person at most 60.
    priority_row = rows[on_priority.pk]
    assert priority_row.targets == 3
    assert priority_row.credited_minutes == 300  # teacher 120 + 60, référent 120
    assert priority_row.realised_minutes == 120  # 60 + 60 + 0
    assert priority_row.reached == 2

    assert not rows[theme_only.pk].measurable and rows[theme_only.pk].rate is None

    assert result.expected_minutes == 450 + 180
    assert result.realised_minutes == 240 + 120
    assert result.rate == pytest.approx(57.1)


def test_realisation_ignores_other_years_and_other_people(
    plan, referent, module, priority, trainer, teacher, outsider, past_session, current_year
):
    slot = past_session.slots.get()
    training_services.record_attendance(
        user=trainer, slot=slot, marks=[Mark(teacher.staff.pk, "present")]
    )
    line = services.add_line(
        user=referent,
        plan=plan,
        data=LineData(module=module, planned_minutes=180, target_staff=[referent.staff]),
    )
    row = plan_realisation(plan).lines[0]
    assert row.line == line
    assert (row.targets, row.credited_minutes, row.rate) == (1, 0, 0.0)


def _plans_with_lines(count, academy, current_year, module, make_user):
    from training.models import RoleMembership, School
    from training.validators import uai_check_letter

    plans = []
    for _n in range(count):
        digits = f"078{SchoolPlan.objects.count() + 5000:04d}"
        school = School.objects.create(
            uai=digits + uai_check_letter(digits), name="Collège", kind="college", academy=academy
        )
        head = make_user()
        RoleMembership.objects.create(user=head, role=RoleMembership.Role.HEAD, school=school)
        make_user(school=school)
        plan = services.create_plan(user=head, school=school, school_year=current_year)
        services.add_line(user=head, plan=plan, data=LineData(module=module, planned_minutes=60))
        services.add_line(
            user=head,
            plan=plan,
            data=LineData(theme="ENT", planned_minutes=60, target_staff=list(school.staff.all())),
        )
        plans.append(plan)
    return plans


def test_realisation_of_many_plans_takes_a_fixed_number_of_queries(
    academy, current_year, module, make_user, django_assert_num_queries
):
    few = _plans_with_lines(1, academy, current_year, module, make_user)
    many = _plans_with_lines(4, academy, current_year, module, make_user)
    with django_assert_num_queries(4):
        assert len(plans_realisation(few)) == 1
    with django_assert_num_queries(4):
        result = plans_realisation(many)
    assert [len(r.lines) for r in result.values()] == [2, 2, 2, 2]
    assert {r.lines[0].targets for r in result.values()} == {1}
