"""Each role's scope: what a person may see, and the outsider sees nothing of Versailles."""

import pytest

from training import permissions
from training.roles import roles_of

pytestmark = pytest.mark.django_db


def uais(queryset):
    return set(queryset.values_list("uai", flat=True))


@pytest.fixture
def directory(school, other_school, outsider_school, teacher, outsider):
    return {"school": school, "other_school": other_school, "outsider_school": outsider_school}


def test_teacher_sees_only_his_school_and_himself(directory, teacher):
    assert uais(permissions.visible_schools(teacher)) == {"0783288A"}
    assert list(permissions.visible_staff(teacher)) == [teacher.staff]
    assert set(permissions.visible_academies(teacher).values_list("code", flat=True)) == {"25"}


def test_head_sees_his_school_and_its_staff_only(directory, head, teacher, trainer):
    assert uais(permissions.visible_schools(head)) == {"0783288A"}
    assert set(permissions.visible_staff(head)) == {teacher.staff}


def test_auditor_sees_the_whole_academie_and_nothing_else(
    directory, auditor, teacher, trainer, outsider
):
    assert uais(permissions.visible_schools(auditor)) == {"0783288A", "0920134W"}
    assert set(permissions.visible_staff(auditor)) == {teacher.staff, trainer.staff}
    assert set(permissions.visible_academies(auditor).values_list("code", flat=True)) == {"25"}


def test_trainer_sees_the_academie_schools_but_not_its_staff(directory, trainer, teacher):
    assert uais(permissions.visible_schools(trainer)) == {"0783288A", "0920134W"}
    assert set(permissions.visible_staff(trainer)) == {trainer.staff}


def test_national_sees_everything(directory, national):
    assert uais(permissions.visible_schools(national)) == {"0783288A", "0920134W", "0750655E"}
    assert permissions.visible_academies(national).count() == 30


def test_outsider_sees_nothing_of_versailles(directory, outsider, teacher):
    assert uais(permissions.visible_schools(outsider)) == {"0750655E"}
    assert set(permissions.visible_staff(outsider)) == {outsider.staff}
    assert set(permissions.visible_academies(outsider).values_list("code", flat=True)) == {"01"}


def test_anonymous_sees_nothing(directory, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not permissions.visible_schools(anonymous).exists()
    assert not permissions.visible_staff(anonymous).exists()


def test_only_managers_and_the_ministry_manage_an_academie(
    academy, manager, auditor, national, head
):
    assert permissions.can_manage_academy(manager, academy)
    assert permissions.can_manage_academy(national, academy)
    assert not permissions.can_manage_academy(auditor, academy)
    assert not permissions.can_manage_academy(head, academy)


def test_roles_of_each_persona(teacher, referent, head, auditor, trainer, national):
    assert [r.code for r in roles_of(teacher)] == ["teacher"]
    assert [r.code for r in roles_of(referent)] == ["teacher", "referent"]
    assert [(r.code, r.school.uai) for r in roles_of(head)] == [("head", "0783288A")]
    assert [(r.code, r.academy.code) for r in roles_of(auditor)] == [("auditor", "25")]
    assert sorted(r.code for r in roles_of(trainer)) == ["teacher", "trainer"]
    assert [r.code for r in roles_of(national)] == ["national"]


def test_an_ended_appointment_gives_no_referent_role(referent):
    import datetime as dt

    from referents.models import Appointment

    Appointment.objects.filter(staff=referent.staff).update(end=dt.date(2011, 6, 30), state="ended")
    referent.refresh_from_db()
    assert [r.code for r in roles_of(referent)] == ["teacher"]
