"""The rectorate builds its catalogue without the admin: dispositifs (programmes) and their
modules, created and changed through the pages and the API, within its académie only."""

from __future__ import annotations

import html
import json

import pytest

from training import services
from training.errors import TrainingError
from training.models import Item, Module, ParcoursTemplate, Priority, Programme, RoleMembership

pytestmark = pytest.mark.django_db

LIST = "/formations/programmes/"
NEW = "/formations/programmes/nouveau/"
API = "/api/training"


def text(response) -> str:
    return html.unescape(response.content.decode())


def edit_url(programme) -> str:
    return f"/formations/programmes/{programme.pk}/modifier/"


def new_module_url(programme) -> str:
    return f"/formations/programmes/{programme.pk}/modules/nouveau/"


def module_url(module) -> str:
    return f"/formations/modules/{module.pk}/modifier/"


def patch(client, path, body):
    return client.patch(f"{API}{path}", json.dumps(body), content_type="application/json")


def snapshot(obj) -> dict:
    """A row's columns as stored (and a module's items), to tell that nothing changed."""
    obj = type(obj).objects.get(pk=obj.pk)
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    if isinstance(obj, Module):
        values["items"] = sorted(obj.items.values_list("code", flat=True))
    return values


def programme_data(academy, priority, **overrides) -> dict:
    return {
        "academy": academy.pk,
        "code": "10a0250042",
        "title": "Classes mobiles",
        "priority": priority.pk,
        "kind": "designated",
        "degree": "1",
        "disciplines": "Mathématiques, Sciences",
        "description": "Tablettes en classe.",
        **overrides,
    }


def module_data(**overrides) -> dict:
    return {
        "code": "M2",
        "title": "La tablette en sciences",
        "in_person_hours": "1,5",
        "online_hours": "0,75",
        "items": [item.pk for item in Item.objects.filter(code__in=["A.1-1", "B.2-2"])],
        "parcours": "",
        **overrides,
    }


@pytest.fixture
def paris_manager(make_user, other_academy):
    return make_user("paris-manager", role=RoleMembership.Role.MANAGER, academy=other_academy)


@pytest.fixture
def other_year_priority(school_year):
    """A priority of 2010-2011's plan: not one of the current year's."""
    return Priority.objects.get(plan__school_year=school_year, code="numerique")


# --- The list -------------------------------------------------------------------------


def test_manager_lists_the_programmes_of_the_year_with_their_modules(
    client_for, manager, module, module_2010
):
    page = client_for(manager).get(LIST)
    assert page.status_code == 200
    body = text(page)
    assert "<title>Dispositifs et modules" in body
    assert "10A0250001 — Usages du numérique" in body
    assert "M1 — Intégrer l'ENT" in body and "6,0 h" in body
    assert "A.1-3" in body and "B.1-1" in body
    # The other year's dispositif is on its own year's page.
    assert "10A0259999" not in body
    for url in (NEW, edit_url(module.programme), new_module_url(module.programme)):
        assert f'href="{url}' in body
    assert f'href="{module_url(module)}"' in body

    page = text(client_for(manager).get(LIST, {"annee": module_2010.programme.school_year.name}))
    assert "10A0259999" in page and "10A0250001" not in page


def test_the_list_is_in_the_menu_of_managers_only(client_for, manager, national, teacher, auditor):
    for user in (manager, national):
        assert f'href="{LIST}"' in text(client_for(user).get("/"))
    for user in (teacher, auditor):
        assert f'href="{LIST}"' not in text(client_for(user).get("/"))


def test_national_chooses_the_academie(client_for, national, module, academy, other_academy):
    client = client_for(national)
    body = text(client.get(LIST))
    assert 'name="academie"' in body and "10A0250001" in body
    assert "10A0250001" not in text(client.get(LIST, {"academie": other_academy.code}))
    assert "10A0250001" in text(client.get(LIST, {"academie": academy.code}))


def test_the_list_costs_the_same_queries_whatever_its_size(
    client_for, manager, programme, priority, django_assert_max_num_queries
):
    client = client_for(manager)
    client.get(LIST)  # the session, the roles: cached once

    def add(n):
        for i in range(n):
            extra = Programme.objects.create(
                academy=programme.academy,
                school_year=programme.school_year,
                code=f"10A02580{Programme.objects.count():02d}",
                title=f"Dispositif {i}",
                priority=priority,
            )
            for code in ("M1", "M2"):
                module = Module.objects.create(programme=extra, code=code, title=code)
                module.items.set(Item.objects.filter(code__in=["A.1-1", "A.1-2"]))

    add(1)
    with django_assert_max_num_queries(30) as small:
        assert client.get(LIST).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert client.get(LIST).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Programmes through the pages -----------------------------------------------------


def test_manager_creates_a_programme(client_for, manager, academy, current_year, priority):
    client = client_for(manager)
    page = text(client.get(NEW))
    assert "Candidature individuelle" in page and "Public désigné" in page
    assert 'type="radio"' in page
    response = client.post(NEW, programme_data(academy, priority))
    programme = Programme.objects.get(code="10A0250042")
    assert response.status_code == 302
    assert response["Location"].startswith(LIST)
    assert programme.academy == academy and programme.school_year == current_year
    assert (programme.title, programme.priority, programme.kind) == (
        "Classes mobiles",
        priority,
        Programme.Kind.DESIGNATED,
    )
    assert (programme.degree, programme.disciplines) == (1, "Mathématiques, Sciences")
    assert programme.description == "Tablettes en classe." and not programme.national


def test_a_programme_is_created_in_the_year_of_the_page(
    client_for, manager, academy, school_year, other_year_priority
):
    url = f"{NEW}?annee={school_year.name}"
    response = client_for(manager).post(url, programme_data(academy, other_year_priority))
    assert response.status_code == 302
    assert Programme.objects.get(code="10A0250042").school_year == school_year


def test_manager_edits_a_programme(client_for, manager, programme, academy):
    other = Priority.objects.filter(plan__school_year=programme.school_year).exclude(
        pk=programme.priority_id
    )[0]
    client = client_for(manager)
    page = text(client.get(edit_url(programme)))
    assert 'value="Usages du numérique"' in page
    assert 'name="academy"' not in page  # the académie stays
    data = programme_data(
        academy, other, code="10n0250001", title="Le numérique au collège", degree=""
    )
    response = client.post(edit_url(programme), data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.code, programme.title) == ("10N0250001", "Le numérique au collège")
    assert programme.national  # a national GAIA code (third character N)
    assert (programme.priority, programme.kind, programme.degree) == (
        other,
        Programme.Kind.DESIGNATED,
        None,
    )


def test_an_empty_title_is_refused_next_to_its_field(client_for, manager, programme, academy):
    before = snapshot(programme)
    response = client_for(manager).post(
        edit_url(programme), programme_data(academy, programme.priority, title="  ")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["Ce champ est obligatoire."]
    assert snapshot(programme) == before


def test_a_priority_of_another_year_is_refused_next_to_its_field(
    client_for, manager, programme, academy, other_year_priority
):
    before = snapshot(programme)
    for url in (edit_url(programme), NEW):
        data = programme_data(academy, other_year_priority, title="Autre titre")
        response = client_for(manager).post(url, data)
        assert response.status_code == 200
        [error] = response.context["form"].errors["priority"]
        assert "Sélectionnez un choix valide" in error
    assert snapshot(programme) == before
    assert not Programme.objects.filter(title="Autre titre").exists()


def test_a_code_already_used_that_year_is_refused_next_to_its_field(
    client_for, manager, programme, academy, priority
):
    response = client_for(manager).post(NEW, programme_data(academy, priority, code="10a0250001"))
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "L'académie a déjà un dispositif 10A0250001 cette année."
    ]
    assert Programme.objects.filter(code="10A0250001").count() == 1


def test_a_manager_creates_in_his_academie_only(
    client_for, paris_manager, academy, other_academy, priority
):
    client = client_for(paris_manager)
    response = client.post(NEW, programme_data(academy, priority))
    assert response.status_code == 200
    assert "academy" in response.context["form"].errors
    assert not Programme.objects.filter(code="10A0250042").exists()
    response = client.post(NEW, programme_data(other_academy, priority))
    assert response.status_code == 302
    assert Programme.objects.get(code="10A0250042").academy == other_academy


# --- Modules through the pages --------------------------------------------------------


def test_manager_adds_a_module_in_hours(client_for, manager, programme):
    parcours = ParcoursTemplate.objects.get(code="pairformance")
    client = client_for(manager)
    page = text(client.get(new_module_url(programme)))
    assert "A.1-1 — " in page and 'type="checkbox"' in page
    response = client.post(new_module_url(programme), module_data(parcours=parcours.pk))
    assert response.status_code == 302
    module = Module.objects.get(programme=programme, code="M2")
    assert (module.planned_in_person_minutes, module.planned_online_minutes) == (90, 45)
    assert sorted(module.items.values_list("code", flat=True)) == ["A.1-1", "B.2-2"]
    assert module.parcours == parcours


def test_manager_edits_a_module(client_for, manager, module):
    client = client_for(manager)
    page = text(client.get(module_url(module)))
    assert 'name="in_person_hours" value="6"' in page
    response = client.post(
        module_url(module),
        module_data(code="M1", in_person_hours="2.5", online_hours="", items=[]),
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert (module.title, module.planned_in_person_minutes, module.planned_online_minutes) == (
        "La tablette en sciences",
        150,
        0,
    )
    assert not module.items.exists()


def test_a_module_saved_unchanged_keeps_its_minutes(client_for, manager, module):
    Module.objects.filter(pk=module.pk).update(
        planned_in_person_minutes=45, planned_online_minutes=20
    )
    client = client_for(manager)
    form = client.get(module_url(module)).context["form"]
    assert (form["in_person_hours"].value(), form["online_hours"].value()) == ("0,75", "0,33")
    data = module_data(code="M1", title=module.title, in_person_hours="0,75", online_hours="0,33")
    assert client.post(module_url(module), data).status_code == 302
    module.refresh_from_db()
    assert (module.planned_in_person_minutes, module.planned_online_minutes) == (45, 20)


def test_bad_module_values_are_refused_next_to_their_fields(client_for, manager, module):
    Module.objects.create(programme=module.programme, code="M2", title="Autre")
    before = snapshot(module)
    client = client_for(manager)
    cases = {
        "title": (module_data(code="M1", title=""), "Ce champ est obligatoire."),
        "in_person_hours": (module_data(code="M1", in_person_hours="une heure"), "nombre"),
        "online_hours": (module_data(code="M1", online_hours="-1"), "supérieure ou égale à 0"),
        "code": (module_data(code="M2"), "Ce dispositif a déjà un module M2."),
    }
    for field, (data, message) in cases.items():
        response = client.post(module_url(module), data)
        assert response.status_code == 200, field
        [error] = response.context["form"].errors[field]
        assert message in error, (field, error)
    assert snapshot(module) == before


# --- Who may open them ----------------------------------------------------------------


def test_others_get_a_404_on_every_page(
    client_for, teacher, head, auditor, paris_manager, outsider, module, academy, priority
):
    programme = module.programme
    before = (snapshot(programme), snapshot(module))
    objects = [edit_url(programme), new_module_url(programme), module_url(module)]
    for user in (teacher, head, auditor, outsider):
        client = client_for(user)
        for url in [LIST, NEW, *objects]:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(NEW, programme_data(academy, priority)).status_code == 404
        assert client.post(edit_url(programme), programme_data(academy, priority)).status_code == (
            404
        )
        assert client.post(new_module_url(programme), module_data()).status_code == 404
        assert client.post(module_url(module), module_data()).status_code == 404
    client = client_for(paris_manager)
    assert "10A0250001" not in text(client.get(LIST))
    for url in objects:
        assert client.get(url).status_code == 404, url
        assert client.post(
            url, {**programme_data(academy, priority), **module_data()}
        ).status_code == (404)
    assert (snapshot(programme), snapshot(module)) == before
    assert Module.objects.count() == 1 and Programme.objects.count() == 1


def test_a_page_of_another_academie_chosen_by_its_code_is_a_404(client_for, manager, other_academy):
    assert client_for(manager).get(LIST, {"academie": other_academy.code}).status_code == 404


# --- The API --------------------------------------------------------------------------


def test_api_reads_one_programme(client_for, teacher, outsider, module):
    url = f"{API}/programmes/{module.programme.pk}"
    body = client_for(teacher).get(url).json()
    assert body["code"] == "10A0250001" and [m["code"] for m in body["modules"]] == ["M1"]
    assert client_for(outsider).get(url).status_code == 404


def test_api_patches_a_programme(client_for, manager, programme):
    other = Priority.objects.filter(plan__school_year=programme.school_year).exclude(
        pk=programme.priority_id
    )[0]
    body = {
        "title": " Le numérique au lycée ",
        "priority": other.code,
        "kind": "designated",
        "degree": None,
        "disciplines": ["Histoire", " Lettres "],
        "description": None,
    }
    response = patch(client_for(manager), f"/programmes/{programme.pk}", body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["title"] == "Le numérique au lycée"
    assert (answer["priority_code"], answer["kind_label"]) == (other.code, "Public désigné")
    assert answer["disciplines"] == ["Histoire", "Lettres"] and answer["degree"] is None
    programme.refresh_from_db()
    assert (programme.code, programme.priority, programme.description) == ("10A0250001", other, "")


def test_api_refuses_a_priority_of_another_year(client_for, manager, programme):
    before = snapshot(programme)
    response = patch(client_for(manager), f"/programmes/{programme.pk}", {"priority": "cuisine"})
    assert response.status_code == 422
    assert "Priorité inconnue" in response.json()["detail"][0]
    response = patch(client_for(manager), f"/programmes/{programme.pk}", {"title": ""})
    assert response.status_code == 422
    assert snapshot(programme) == before


def test_api_patches_a_module(client_for, manager, module):
    body = {
        "planned_in_person_minutes": 90,
        "planned_online_minutes": 30,
        "items": ["B.2-2"],
        "parcours": "pairformance",
    }
    response = patch(client_for(manager), f"/modules/{module.pk}", body)
    assert response.status_code == 200, response.content
    assert response.json()["items"] == ["B.2-2"]
    assert response.json()["parcours"] == "pairformance"
    module.refresh_from_db()
    assert (module.planned_in_person_minutes, module.planned_online_minutes) == (90, 30)
    assert module.title == "Intégrer l'ENT"  # left out: unchanged
    response = patch(client_for(manager), f"/modules/{module.pk}", {"parcours": None})
    assert response.json()["parcours"] is None
    assert response.json()["items"] == ["B.2-2"]


def test_api_refuses_a_module_code_taken_in_its_programme(client_for, manager, module):
    Module.objects.create(programme=module.programme, code="M2", title="Autre")
    before = snapshot(module)
    response = patch(client_for(manager), f"/modules/{module.pk}", {"code": "M2"})
    assert response.status_code == 422
    assert response.json()["detail"] == ["Ce dispositif a déjà un module M2."]
    response = patch(client_for(manager), f"/modules/{module.pk}", {"items": ["Z.9-9"]})
    assert response.status_code == 422
    assert snapshot(module) == before


def test_api_answers_404_outside_the_managed_academie(
    client_for, teacher, auditor, paris_manager, module
):
    programme = module.programme
    before = (snapshot(programme), snapshot(module))
    for user in (teacher, auditor, paris_manager):
        client = client_for(user)
        assert patch(client, f"/programmes/{programme.pk}", {"title": "X"}).status_code == 404
        assert patch(client, f"/modules/{module.pk}", {"title": "X"}).status_code == 404
    assert client_for(paris_manager).get(f"{API}/programmes/{programme.pk}").status_code == 404
    assert (snapshot(programme), snapshot(module)) == before


# --- The services ---------------------------------------------------------------------


def test_a_programme_keeps_its_academie_and_year(manager, programme, other_academy, school_year):
    for change in ({"academy": other_academy}, {"school_year": school_year}):
        with pytest.raises(TrainingError, match="garde son académie"):
            services.update_programme(user=manager, programme=programme, **change)
    programme.refresh_from_db()
    assert programme.school_year != school_year


def test_only_the_academie_managers_change_its_catalogue(auditor, paris_manager, module):
    for user in (auditor, paris_manager):
        with pytest.raises(TrainingError) as exc:
            services.update_module(user=user, module=module, title="X")
        assert exc.value.status == 403
        with pytest.raises(TrainingError):
            services.update_programme(user=user, programme=module.programme, title="X")
