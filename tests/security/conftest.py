"""The fixture world of the security checks: every persona of the suite, a few more of
another school and another académie, and one object of each kind that a URL or an API
path names, on the Versailles side (``ours``) and, where it exists, the Paris side
(``paris``).

Versailles (25): the collège Jean Moulin (teacher, référent, head, a candidate, a
newcomer who has not activated his account), the lycée Condorcet (the trainer's school,
with its own référent and head), the rectorate (auditor, manager). Paris (01): the
collège de Paris, whose teacher, head and référent is the *outsider*, and a Paris
manager. The ministry (national) sees both. The personas of ``tests/conftest.py`` are
used as they are; the others are made here.

Objects: an upcoming session (the teacher's request waits for the head) and a past one
(the teacher booked, present, with online work declared), a submitted school plan with
a line, a need, the référent's appointment and a candidature, instalments (one waiting
for the head's *service fait*, one for the payroll, one exported), an import run
waiting for confirmation, a finished export job, API and calendar tokens; on the Paris
side the same where a route names one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection, models
from django.test import Client
from django.utils import timezone

from accounts.middleware import LAST_SEEN_KEY
from tests.conftest import at

# Who makes the requests. ``anonymous`` has no session; the others are signed in.
VERSAILLES = (
    "teacher",
    "referent",
    "head",
    "auditor",
    "manager",
    "trainer",
    "other_referent",
    "other_head",
)
OUTSIDERS = ("outsider", "paris_manager")
PERSONAS = ("anonymous", *VERSAILLES, "national", *OUTSIDERS)
SIGNED_IN = frozenset(PERSONAS) - {"anonymous"}

# What no response to a person of another académie may contain: names and codes of the
# Versailles side of the world (school UAIs and names, the programme's code).
VERSAILLES_MARKERS = ("0783288A", "0920134W", "Jean Moulin", "Condorcet", "10A0250001")


@pytest.fixture
def world(
    settings,
    tmp_path,
    make_user,
    make_session,
    academy,
    other_academy,
    school_year,
    current_year,
    school,
    other_school,
    outsider_school,
    priority,
    module,
    teacher,
    referent,
    head,
    auditor,
    manager,
    trainer,
    national,
    outsider,
):
    from referents.models import AllowanceInstalment, AllowanceScheme, Appointment, PayrollExport
    from training import services
    from training.models import (
        ExportJob,
        ImportRun,
        Item,
        Module,
        Programme,
        RoleMembership,
        Slot,
    )
    from training.services import school_plans
    from training.services.attendance import Mark
    from training.services.school_plans import LineData

    settings.MEDIA_ROOT = tmp_path
    Role = RoleMembership.Role
    appointed = Appointment.State.APPOINTED
    scheme = AllowanceScheme.objects.filter(code="fic2010-12").first()

    # --- More personas: another school of Versailles, another académie's rectorate --
    other_referent = make_user("other_referent", school=other_school)
    Appointment.objects.create(
        staff=other_referent.staff,
        school=other_school,
        school_year=school_year,
        state=appointed,
        start=dt.date(2010, 9, 1),
        scheme=scheme,
        annual_cents=120000,
    )
    other_head = make_user("other_head")
    RoleMembership.objects.create(user=other_head, role=Role.HEAD, school=other_school)
    paris_manager = make_user("paris_manager", role=Role.MANAGER, academy=other_academy)
    # The outsider is the référent of his Paris school too.
    paris_appointment = Appointment.objects.create(
        staff=outsider.staff,
        school=outsider_school,
        school_year=school_year,
        state=appointed,
        start=dt.date(2010, 9, 1),
        scheme=scheme,
        annual_cents=120000,
    )
    users = {
        "teacher": teacher,
        "referent": referent,
        "head": head,
        "auditor": auditor,
        "manager": manager,
        "trainer": trainer,
        "other_referent": other_referent,
        "other_head": other_head,
        "national": national,
        "outsider": outsider,
        "paris_manager": paris_manager,
    }

    # --- Versailles: sessions, enrolments, attendance ---------------------------------
    upcoming = make_session(approval="head", capacity=5)
    upcoming.trainers.add(trainer)
    request = services.request_enrolment(user=teacher, session=upcoming, staff=teacher.staff)
    past = make_session(approval="none", days=-2, capacity=10)
    past.trainers.add(trainer)
    services.request_enrolment(user=teacher, session=past, staff=teacher.staff)
    past_slot = past.slots.get()
    services.record_attendance(
        user=trainer, slot=past_slot, marks=[Mark(teacher.staff.pk, "present")]
    )
    online = Slot.objects.create(
        session=past,
        modality="self_paced",
        title="Parcours en ligne",
        start=at(-5),
        end=at(5),
        credited_minutes=120,
    )
    declaration = services.declare_work(user=teacher, slot=online, minutes=60)

    # --- Versailles: school plan, need, referents ------------------------------------
    items = list(Item.objects.filter(code__in=["A.1-3", "B.1-1"]))
    need = school_plans.submit_need(user=teacher, theme="Le TNI", items=items)
    plan = school_plans.create_plan(user=referent, school=school, school_year=current_year)
    line = school_plans.add_line(
        user=referent, plan=plan, data=LineData(module=module, planned_minutes=180)
    )
    school_plans.submit_plan(user=referent, plan=plan)
    appointment = Appointment.objects.get(staff=referent.staff, school=school)
    Appointment.objects.filter(pk=appointment.pk).update(scheme=scheme, annual_cents=120000)
    candidate = make_user("candidate", school=school, last_name="Durand")
    candidature = Appointment.objects.create(
        staff=candidate.staff,
        school=school,
        school_year=school_year,
        state=Appointment.State.VOLUNTEERED,
        start=dt.date(2010, 9, 1),
        motivation="L'ENT du collège",
    )
    newcomer = make_user("newcomer", school=school, last_name="Nouveau")
    newcomer.set_unusable_password()
    newcomer.save()
    now = timezone.now()
    AllowanceInstalment.objects.create(
        appointment=appointment,
        month=dt.date(2010, 10, 1),
        amount_cents=10000,
        service_done_at=now,
        service_done_by=head,
    )
    AllowanceInstalment.objects.create(  # the head's *service fait* still to come
        appointment=appointment, month=dt.date(2010, 11, 1), amount_cents=10000
    )
    payroll = PayrollExport.objects.create(academy=academy, created_by=manager)
    AllowanceInstalment.objects.create(
        appointment=appointment,
        month=dt.date(2010, 9, 1),
        amount_cents=10000,
        service_done_at=now,
        service_done_by=head,
        exported_at=now,
        export=payroll,
    )

    # --- Versailles: imports, exports, tokens -----------------------------------------
    run = ImportRun.objects.create(
        kind=ImportRun.Kind.SCHOOLS,
        academy=academy,
        author=manager,
        filename="etablissements.csv",
        content=b"uai;nom\n",
        status=ImportRun.Status.CHECKED,
        lines=2,
        created_count=1,
        refused_count=1,
        refused_lines=[{"line": 3, "reason": "UAI invalide"}],
    )
    job = ExportJob.objects.create(
        author=manager,
        report="hours_by_priority",
        format="csv",
        status=ExportJob.Status.DONE,
        progress=100,
    )
    job.file.save(f"{job.pk}-heures.csv", ContentFile(b"priorite;heures\n"), save=True)
    api_token, _raw = services.create_api_token(user=teacher, name="tableur")

    # --- Paris ------------------------------------------------------------------------
    paris_programme = Programme.objects.create(
        academy=other_academy,
        school_year=current_year,
        code="10A0010001",
        title="Numérique à Paris",
        priority=priority,
        degree=2,
    )
    paris_module = Module.objects.create(
        programme=paris_programme, code="P1", title="Le TNI", planned_in_person_minutes=180
    )
    paris_module.items.set(items)
    paris_session = make_session(module=paris_module, approval="head", slots=False)
    paris_slot = Slot.objects.create(
        session=paris_session,
        modality="in_person",
        start=at(30, 9),
        end=at(30, 12),
        school=outsider_school,
        room="A1",
    )
    paris_request = services.request_enrolment(
        user=outsider, session=paris_session, staff=outsider.staff
    )
    paris_need = school_plans.submit_need(user=outsider, theme="Le TNI à Paris")
    paris_plan = school_plans.create_plan(
        user=outsider, school=outsider_school, school_year=current_year
    )
    paris_line = school_plans.add_line(
        user=outsider, plan=paris_plan, data=LineData(module=paris_module, planned_minutes=60)
    )
    school_plans.submit_plan(user=outsider, plan=paris_plan)
    paris_payroll = PayrollExport.objects.create(academy=other_academy, created_by=paris_manager)
    paris_run = ImportRun.objects.create(
        kind=ImportRun.Kind.SCHOOLS,
        academy=other_academy,
        author=paris_manager,
        filename="paris.csv",
        content=b"uai;nom\n",
        status=ImportRun.Status.CHECKED,
        lines=1,
        created_count=1,
    )
    paris_job = ExportJob.objects.create(
        author=paris_manager,
        report="hours_by_priority",
        format="csv",
        status=ExportJob.Status.DONE,
        progress=100,
    )
    paris_job.file.save(f"{paris_job.pk}-heures.csv", ContentFile(b"x\n"), save=True)
    paris_token, _raw = services.create_api_token(user=outsider, name="script")

    # Each person's calendar link (the feeds stand for the person whose secret they
    # carry); the anonymous visitor has none, and sends one nobody has.
    calendar = {name: services.rotate_calendar_token(user=u)[1] for name, u in users.items()}
    calendar["anonymous"] = "pas-un-lien-valide"

    ours = SimpleNamespace(
        academy=academy,
        academy_code=academy.code,
        school=school,
        uai=school.uai,
        session=upcoming,
        slot=upcoming.slots.get(),
        past_session=past,
        past_slot=past_slot,
        online_slot=online,
        enrolment=request,
        declaration=declaration,
        staff=teacher.staff,
        staff_pk=teacher.staff.pk,
        staff_id=teacher.staff.staff_id,
        user=teacher,
        need=need,
        plan=plan,
        line=line,
        module=module,
        programme=module.programme,
        appointment=appointment,
        candidature=candidature,
        payroll=payroll,
        run=run,
        job=job,
        api_token=api_token,
        newcomer=newcomer,
    )
    paris = SimpleNamespace(
        academy=other_academy,
        academy_code=other_academy.code,
        school=outsider_school,
        uai=outsider_school.uai,
        session=paris_session,
        slot=paris_slot,
        past_session=paris_session,
        past_slot=paris_slot,
        online_slot=None,
        enrolment=paris_request,
        declaration=None,
        staff=outsider.staff,
        staff_pk=outsider.staff.pk,
        staff_id=outsider.staff.staff_id,
        user=outsider,
        need=paris_need,
        plan=paris_plan,
        line=paris_line,
        module=paris_module,
        programme=paris_programme,
        appointment=paris_appointment,
        candidature=None,
        payroll=paris_payroll,
        run=paris_run,
        job=paris_job,
        api_token=paris_token,
        newcomer=None,
    )
    return SimpleNamespace(
        users=users,
        ours=ours,
        paris=paris,
        calendar=calendar,
        school_year=school_year,
        items=items,
        priority=priority,
    )


@pytest.fixture
def clients(world):
    """One test client per persona, signed in once (outside the rolled-back requests).
    The idle-timeout stamp is set ahead, so that no request rewrites the session (each
    would otherwise, once a minute has passed, since every write is rolled back)."""
    result = {"anonymous": Client(enforce_csrf_checks=False)}
    for name, user in world.users.items():
        client = Client(enforce_csrf_checks=False)
        client.force_login(user)
        session = client.session
        session[LAST_SEEN_KEY] = int(time.time()) + 24 * 3600
        session.save()
        result[name] = client
    return result


# --- Has anything been written? -------------------------------------------------------

# Tables that change with every request or sign-in, and say nothing of the data.
NOISE = {"sessions.session", "accounts.usersession", "auditlog.logentry", "admin.logentry"}


def _fingerprint_models():
    chosen = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in NOISE or model._meta.proxy or not model._meta.managed:
            continue
        if model._meta.app_label not in {"training", "referents", "accounts", "auth"}:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not isinstance(f, models.BinaryField | models.JSONField)
        ]
        chosen.append((model, fields))
    return chosen


def database_fingerprint() -> dict[str, str]:
    """A digest of every row of the apps' tables (and of users and groups), per table."""
    digest = {}
    for model, fields in _fingerprint_models():
        h = hashlib.sha256()
        for row in model._base_manager.order_by("pk").values_list(*fields):
            h.update(repr(row).encode())
        digest[model._meta.label] = h.hexdigest()
    return digest


def changes_counter() -> int | None:
    """How many rows this connection (SQLite) or this transaction (PostgreSQL) has
    written so far: when it did not move, no table did, and the full fingerprint can be
    skipped. None for another database (the fingerprint is then always taken)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return connection.connection.total_changes
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
                " FROM pg_stat_xact_user_tables"
            )
            return int(cursor.fetchone()[0])
    return None


def changed_tables(before: dict[str, str]) -> list[str]:
    after = database_fingerprint()
    return sorted(label for label, digest in after.items() if before.get(label) != digest)
