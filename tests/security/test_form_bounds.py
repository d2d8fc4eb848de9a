"""Every text a person types in a form has a maximum length: the page says it
(``maxlength``) and the form refuses more with a message, never cutting it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms

FORM_PACKAGES = ("training.forms", "referents.forms", "accounts.forms")


def all_forms() -> list[type[forms.BaseForm]]:
    found = {}
    for name in FORM_PACKAGES:
        package = importlib.import_module(name)
        modules = [package] + [
            importlib.import_module(f"{name}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__)
        ]
        for module in modules:
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__.startswith(FORM_PACKAGES):
                    found[f"{cls.__module__}.{cls.__name__}"] = cls
    return [found[key] for key in sorted(found)]


def unbounded(form_class) -> list[str]:
    """Fields as a form shows them (some set their length when built, like the
    sign-in form's username); a form that needs arguments, as declared."""
    try:
        fields = form_class().fields
    except TypeError:
        fields = form_class.base_fields
    return [
        name
        for name, field in fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field.widget, forms.PasswordInput)
        and field.max_length is None
    ]


def test_the_project_has_forms_to_check():
    assert len(all_forms()) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", all_forms(), ids=lambda c: c.__name__)
def test_every_text_field_has_a_maximum_length(form_class):
    assert unbounded(form_class) == []


@pytest.mark.django_db
def test_a_description_too_long_is_refused_with_a_message(client_for, teacher):
    from training.models import TrainingNeed
    from training.validators import TEXT_MAX_LENGTH

    client = client_for(teacher)
    page = client.get("/mes-besoins/")
    assert f'maxlength="{TEXT_MAX_LENGTH}"' in page.content.decode()
    response = client.post(
        "/mes-besoins/",
        {"theme": "Le TNI", "description": "x" * (TEXT_MAX_LENGTH + 1)},
    )
    assert response.status_code == 200
    assert "au plus 2000 caractères" in response.content.decode()
    assert not TrainingNeed.objects.exists()
