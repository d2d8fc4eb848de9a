"""Documents worth printing: the mission letter and the school's activity report as
PDF, in the style of the State's documents, for those who may read them only."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.referents.test_pages import referent_logs  # noqa: F401  (a fixture)


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_mission_letter_as_a_page_and_as_a_pdf(client_for, appointed, head, auditor, outsider):
    user, appointment = appointed
    page = client_for(user).get(f"/referents/designations/{appointment.pk}/lettre/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Missions 1a à 2c" in body and "Télécharger en PDF" in body
    text = pdf_text(client_for(user).get(f"/referents/designations/{appointment.pk}/lettre.pdf"))
    for expected in (
        "LETTRE DE MISSION DU RÉFÉRENT NUMÉRIQUE",
        "RÉPUBLIQUE FRANÇAISE",
        "Paul Durand",
        "Collège Jean Moulin",
        "Académie de Versailles",
        "Missions 1a à 2c",
        "1 200,00 €",
        "Le chef d'établissement",
    ):
        assert expected in text.replace("\u202f", " ").replace("\xa0", " "), expected
    for reader in (head, auditor):
        url = f"/referents/designations/{appointment.pk}/lettre.pdf"
        assert client_for(reader).get(url).status_code == 200
    assert (
        client_for(outsider).get(f"/referents/designations/{appointment.pk}/lettre.pdf").status_code
        == 404
    )


def test_a_candidature_has_no_letter(client_for, candidate, head):
    _user, appointment = candidate
    assert (
        client_for(head).get(f"/referents/designations/{appointment.pk}/lettre/").status_code == 404
    )


def test_the_activity_report_as_a_pdf(client_for, head, referent_logs, school, outsider):  # noqa: F811
    url = f"/referents/rapports/{school.uai}/?annee=2010-2011&format=pdf"
    text = pdf_text(client_for(head).get(url))
    assert "RAPPORT D'ACTIVITÉ DU RÉFÉRENT NUMÉRIQUE" in text
    assert "1c — Accompagnement des usages des collègues" in text
    assert "1,5 h" in text
    assert "conseil d'administration" in text
    assert client_for(outsider).get(url).status_code == 404


def test_a_hostile_text_fetches_nothing(client_for, appointed, head):
    """A mission letter naming a remote image or stylesheet: escaped, never fetched."""
    from referents.models import Appointment

    user, appointment = appointed
    Appointment.objects.filter(pk=appointment.pk).update(
        mission_letter='<img src="http://169.254.169.254/latest/meta-data/"> <b>gras</b>'
    )
    text = pdf_text(client_for(user).get(f"/referents/designations/{appointment.pk}/lettre.pdf"))
    assert "<img src=" in text  # shown as text, never an image


def test_the_letter_is_linked_from_the_referent_and_head_pages(client_for, appointed, head):
    import time_machine

    user, appointment = appointed
    url = f"/referents/designations/{appointment.pk}/lettre/"
    with time_machine.travel("2010-10-04 10:00 +0200"):
        assert url in client_for(user).get("/referents/tableau-de-bord/").content.decode()
        assert url in client_for(head).get("/referents/etablissement/").content.decode()
