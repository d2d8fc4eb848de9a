import pytest
from django.core.exceptions import ValidationError

from training.forms import SchoolForm
from training.models import Academy, School
from training.validators import uai_check_letter, validate_uai


@pytest.mark.parametrize("uai", ["0750655E", "0783288A", "9710001Z"])
def test_valid_uai_is_accepted(uai):
    validate_uai(uai)


def test_check_letter_follows_the_facts_example():
    # FACTS.md: 750655 mod 23 = 4 → E
    assert uai_check_letter("0750655") == "E"


def test_wrong_check_letter_is_refused_and_names_the_expected_letter():
    with pytest.raises(ValidationError) as exc:
        validate_uai("0750655F")
    assert exc.value.code == "uai_check_letter"
    assert "la lettre attendue est E" in exc.value.messages[0]


@pytest.mark.parametrize("uai", ["075065E", "07506555E", "0750655e", "075O655E", "", "0750655"])
def test_wrong_shape_is_refused(uai):
    with pytest.raises(ValidationError) as exc:
        validate_uai(uai)
    assert exc.value.code == "uai_shape"
    assert "7 chiffres suivis d'une lettre" in exc.value.messages[0]


@pytest.mark.django_db
def test_model_validation_refuses_a_wrong_letter(academy):
    school = School(uai="0750655F", name="X", kind="college", academy=academy)
    with pytest.raises(ValidationError) as exc:
        school.full_clean()
    assert "uai" in exc.value.message_dict


@pytest.mark.django_db
def test_school_form_shows_the_check_letter_error(academy):
    form = SchoolForm(
        data={"uai": "0750655f", "name": "Collège", "kind": "college", "academy": academy.pk},
        academies=Academy.objects.filter(pk=academy.pk),
    )
    assert not form.is_valid()
    assert "la lettre attendue est E" in form.errors["uai"][0]


@pytest.mark.django_db
def test_school_form_accepts_lowercase_input_of_a_valid_uai(academy):
    form = SchoolForm(
        data={"uai": " 0750655e ", "name": "Collège", "kind": "college", "academy": academy.pk},
        academies=Academy.objects.filter(pk=academy.pk),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["uai"] == "0750655E"


@pytest.mark.django_db
def test_degree_follows_the_kind(academy):
    ecole = School.objects.create(
        uai="0750655E", name="École", kind="ecole_elementaire", academy=academy
    )
    lycee = School.objects.create(uai="0783288A", name="Lycée", kind="lp", academy=academy)
    assert (ecole.degree, lycee.degree) == (1, 2)
