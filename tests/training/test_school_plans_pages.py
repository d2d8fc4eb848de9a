"""School training plan pages: the teacher's needs, the school's plan (référent and
head), the rectorate's list; each for the role allowed, the outsider (404) and the
anonymous visitor (login)."""

import html

import pytest
from django.urls import reverse

from tests.conftest import CURRENT_YEAR
from training.models import SchoolPlan, TrainingNeed
from training.services import school_plans as services
from training.services.school_plans import LineData

pytestmark = pytest.mark.django_db
Status = SchoolPlan.Status


@pytest.fixture
def plan(referent, school, current_year):
    return services.create_plan(user=referent, school=school, school_year=current_year)


@pytest.fixture
def submitted(plan, referent, module):
    services.add_line(user=referent, plan=plan, data=LineData(module=module, planned_minutes=180))
    return services.submit_plan(user=referent, plan=plan)


def url(name, *args):
    return reverse(f"training:{name}", args=args)


def test_anonymous_is_sent_to_login(client, plan):
    for path in (
        url("my_needs"),
        url("school_plans"),
        url("school_plans_academy"),
        url("school_plan_detail", plan.pk),
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_teacher_expresses_a_need_and_the_referent_sees_it(client_for, teacher, referent, plan):
    client = client_for(teacher)
    response = client.post(
        url("my_needs"),
        {"theme": "Le TNI en mathématiques", "modality": "in_person", "items": []},
        follow=True,
    )
    assert "Votre besoin est transmis" in response.content.decode()
    need = TrainingNeed.objects.get()
    assert (need.staff, need.theme) == (teacher.staff, "Le TNI en mathématiques")
    assert "Le TNI en mathématiques" in response.content.decode()

    page = client_for(referent).get(url("school_plan_detail", plan.pk)).content.decode()
    assert "Besoins exprimés par les collègues" in page
    assert "Le TNI en mathématiques" in page and "Claire Martin" in page


def test_need_form_refuses_an_empty_theme(client_for, teacher):
    response = client_for(teacher).post(url("my_needs"), {"theme": ""})
    assert response.status_code == 200
    assert not TrainingNeed.objects.exists()


def test_referent_lands_on_his_school_and_starts_the_plan(client_for, referent, school):
    client = client_for(referent)
    response = client.get(url("school_plans"))
    assert response["Location"] == url("school_plan", school.uai)
    page = client.get(url("school_plan", school.uai)).content.decode()
    assert "Commencer le plan de formation" in page
    response = client.post(url("school_plan_create", school.uai), {"annee": CURRENT_YEAR})
    plan = SchoolPlan.objects.get()
    assert response["Location"] == url("school_plan_detail", plan.pk)
    assert client.get(url("school_plan", school.uai) + f"?annee={CURRENT_YEAR}")["Location"] == url(
        "school_plan_detail", plan.pk
    )


def test_full_workflow_through_the_pages(client_for, referent, head, plan, module):
    client = client_for(referent)
    response = client.post(
        url("school_plan_line_add", plan.pk),
        {"theme": "ENT", "module": module.pk, "planned_hours": "3", "modality": "in_person"},
        follow=True,
    )
    assert "Ligne ajoutée au plan." in response.content.decode()
    line = plan.lines.get()
    assert (line.planned_minutes, line.module) == (180, module)
    client.post(url("school_plan_submit", plan.pk))
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED

    client = client_for(head)
    page = client.get(url("school_plan_detail", plan.pk)).content.decode()
    assert "Approuver le plan" in page and "Renvoyer au référent" in page
    client.post(url("school_plan_return", plan.pk), {"comment": "Précisez le public visé."})
    plan.refresh_from_db()
    assert (plan.status, plan.head_comment) == (Status.RETURNED, "Précisez le public visé.")

    client = client_for(referent)
    page = client.get(url("school_plan_detail", plan.pk)).content.decode()
    assert "Précisez le public visé." in page
    client.post(url("school_plan_submit", plan.pk))

    client = client_for(head)
    client.post(url("school_plan_approve", plan.pk), {"comment": ""})
    plan.refresh_from_db()
    assert plan.status == Status.APPROVED
    page = client.get(url("school_plan_detail", plan.pk)).content.decode()
    assert "Approuver le plan" not in page
    assert "Renvoyé avec un commentaire" in page  # the history


def test_approved_plan_page_offers_no_edit_and_refuses_posts(client_for, referent, head, submitted):
    services.approve_plan(user=head, plan=submitted)
    client = client_for(referent)
    page = client.get(url("school_plan_detail", submitted.pk)).content.decode()
    assert "Ajouter une ligne" not in page and "Ouvrir une nouvelle version" in page
    line = submitted.lines.get()
    response = client.post(url("school_plan_line_remove", line.pk), follow=True)
    assert "ne se modifie plus" in response.content.decode()
    assert submitted.lines.count() == 1
    response = client.post(url("school_plan_new_version", submitted.pk))
    new = SchoolPlan.objects.get(version=2)
    assert response["Location"] == url("school_plan_detail", new.pk)


def test_referent_cannot_approve_through_the_page(client_for, referent, submitted):
    response = client_for(referent).post(url("school_plan_approve", submitted.pk), follow=True)
    assert "Seul le chef d'établissement" in html.unescape(response.content.decode())
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_outsider_gets_404_everywhere(client_for, outsider, submitted, school):
    client = client_for(outsider)
    line = submitted.lines.get()
    for path in (
        url("school_plan_detail", submitted.pk),
        url("school_plan", school.uai),
        url("school_plan_line_edit", line.pk),
        url("school_plans_academy"),
    ):
        assert client.get(path).status_code == 404
    for path in (
        url("school_plan_approve", submitted.pk),
        url("school_plan_return", submitted.pk),
        url("school_plan_submit", submitted.pk),
        url("school_plan_line_remove", line.pk),
        url("school_plan_line_add", submitted.pk),
        url("school_plan_create", school.uai),
    ):
        assert client.post(path, {"comment": "x"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and submitted.lines.count() == 1


def test_teacher_cannot_open_the_school_plan(client_for, teacher, plan, school):
    client = client_for(teacher)
    assert client.get(url("school_plan_detail", plan.pk)).status_code == 404
    assert client.get(url("school_plans")).status_code == 404
    assert client.get(url("school_plan", school.uai)).status_code == 404


def test_auditor_reads_submitted_plans_not_drafts(client_for, auditor, plan, referent, module):
    client = client_for(auditor)
    assert client.get(url("school_plan_detail", plan.pk)).status_code == 404
    services.add_line(user=referent, plan=plan, data=LineData(module=module, planned_minutes=60))
    services.submit_plan(user=referent, plan=plan)
    page = client.get(url("school_plan_detail", plan.pk)).content.decode()
    assert "Approuver le plan" not in page and "Soumettre" not in page
    # Read only: a transition posted by the auditor is refused, nothing changes.
    client.post(url("school_plan_approve", plan.pk))
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED


def test_academy_list_shows_plans_with_realisation(
    client_for,
    auditor,
    national,
    submitted,
    other_academy,
    make_user,
):
    client = client_for(auditor)
    response = client.get(url("school_plans_academy"), {"annee": CURRENT_YEAR})
    rows = response.context["rows"]
    assert [(plan.pk, r.rate) for plan, r in rows] == [(submitted.pk, 0.0)]
    assert "Collège Jean Moulin" in response.content.decode()

    page = client_for(national).get(url("school_plans_academy"), {"annee": CURRENT_YEAR})
    assert [plan.pk for plan, _r in page.context["rows"]] == [submitted.pk]

    paris_auditor = make_user(role="auditor", academy=other_academy)
    page = client_for(paris_auditor).get(url("school_plans_academy"), {"annee": CURRENT_YEAR})
    assert page.context["rows"] == []


def test_line_edit_page(client_for, referent, plan, module):
    line = services.add_line(
        user=referent, plan=plan, data=LineData(theme="ENT", planned_minutes=120)
    )
    client = client_for(referent)
    assert client.get(url("school_plan_line_edit", line.pk)).status_code == 200
    response = client.post(
        url("school_plan_line_edit", line.pk), {"theme": "Tableur", "planned_hours": "1.5"}
    )
    assert response["Location"] == url("school_plan_detail", plan.pk)
    line.refresh_from_db()
    assert (line.theme, line.planned_minutes) == ("Tableur", 90)


def _submitted_plans(count, academy, current_year, module, make_user):
    from tests.training.test_school_plans import _plans_with_lines

    plans = _plans_with_lines(count, academy, current_year, module, make_user)
    for plan in plans:
        head = plan.school.memberships.get().user
        services.submit_plan(user=head, plan=plan)
    return plans


def test_academy_list_queries_do_not_grow_with_plans(
    client_for, auditor, academy, current_year, module, make_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(auditor)
    counts = []
    for count in (1, 5):
        _submitted_plans(count, academy, current_year, module, make_user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("school_plans_academy"), {"annee": CURRENT_YEAR})
        counts.append(len(queries))
    assert len(response.context["rows"]) == 6
    assert counts[0] == counts[1]
