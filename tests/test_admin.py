"""The back office: every model of Dune has its admin, and its pages open."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

DUNE_APPS = ("training", "referents")


def dune_models():
    return [m for app in DUNE_APPS for m in apps.get_app_config(app).get_models()]


def test_every_model_is_in_the_admin():
    missing = [m.__name__ for m in dune_models() if m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", dune_models(), ids=lambda m: m.__name__)
def test_admin_pages_open_for_the_ministry_admin(admin_client, model, referent, head):
    meta = model._meta
    changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    assert admin_client.get(changelist).status_code == 200
    obj = model.objects.first()
    if obj is not None:
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert admin_client.get(change).status_code == 200


def test_admin_refuses_a_wrong_uai_check_letter(admin_client, academy):
    response = admin_client.post(
        reverse("admin:training_school_add"),
        {"uai": "0750655F", "name": "Collège", "kind": "college", "academy": academy.pk},
    )
    assert response.status_code == 200
    assert "la lettre attendue est E" in response.text


def test_admin_needs_staff(client_for, auditor):
    response = client_for(auditor).get("/admin/")
    assert response.status_code == 302
