"""The calendar journey of the demo académie: a teacher enrols on an in-school session,
creates her personal calendar link, and a calendar app reading it finds the session;
once she renews the link, the old one stops working at once.

Independent of the other journeys: it uses the in-school session "Prise en main du
TNI" (no approval needed), which no other journey touches."""

import re

from playwright.sync_api import expect

from tests.e2e.navigation import follow_menu

SESSION = "Prise en main du TNI"


def feed_url(page) -> str:
    """The https:// link, read from the field that shows it once."""
    field = page.get_by_test_id("feed-url-https")
    expect(field).to_be_visible()
    url = field.input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/ical/[A-Za-z0-9_-]{40,}/agenda\.ics", url), url
    webcal = page.get_by_test_id("feed-url-webcal").input_value()
    assert webcal == "webcal://" + url.split("://", 1)[1]
    return url


def unfolded(body: str) -> str:
    # RFC 5545 folds lines longer than 75 octets with CRLF and a space.
    return body.replace("\r\n ", "").replace("\n ", "")


def test_teacher_subscribes_to_her_calendar_and_renews_the_link(page, login):
    login("enseignant")
    follow_menu(page, "Formations", "Catalogue")
    page.get_by_label("Rechercher").fill("TNI")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_test_id("catalogue").get_by_role("link", name=SESSION).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(SESSION)
    page.get_by_role("button", name="M'inscrire").click()
    expect(page.get_by_text("Vous êtes inscrit à cette session.")).to_be_visible()
    expect(page.get_by_test_id("my-enrolment")).to_contain_text("Inscrit")
    expect(
        page.get_by_test_id("slots").get_by_role("link", name="Télécharger (.ics)")
    ).to_be_visible()

    follow_menu(page, "Formations", "Mon agenda")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon agenda")
    page.get_by_role("button", name=re.compile("Créer mon lien|Générer un nouveau lien")).click()
    expect(page.get_by_test_id("link-state")).to_contain_text("Votre lien est actif")
    old_url = feed_url(page)

    feed = page.request.get(old_url)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert SESSION in unfolded(feed.text())

    # Shown once: back on the page, the link is no longer there.
    page.goto("/agenda/")
    expect(page.get_by_test_id("feed-url-https")).to_have_count(0)
    expect(page.get_by_test_id("link-state")).to_contain_text("Votre lien est actif")

    page.get_by_role("button", name="Générer un nouveau lien").click()
    new_url = feed_url(page)
    assert new_url != old_url
    assert page.request.get(old_url).status == 404
    renewed = page.request.get(new_url)
    assert renewed.status == 200
    assert SESSION in unfolded(renewed.text())
