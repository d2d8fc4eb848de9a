"""Nothing needs a typed URL: every page a person may open is reached by following links
from the home page, for each role. The pages are read from the URL configuration, so a
new page that no link leads to fails here."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.urls import URLResolver, get_resolver

# Pages without arguments that are not pages one navigates to: forms' targets (POST),
# the sign-in machinery, the language switch, the liveness check.
NOT_PAGES = {
    "healthz",
    "readyz",
    "login",
    "logout",
    "set_language",
    "accounts:refused",
    "accounts:oidc_login",
    "accounts:oidc_callback",
    "accounts:cas_login",
    "accounts:cas_logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:activated",
    "accounts:sign_out_everywhere",
    "accounts:send_activation",
    "accounts:unlock",
    "training:approval_decide",
    "training:agenda_rotate",
    "training:agenda_revoke",
    "training:position",
}
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/deconnexion", "/i18n/")
HREF = re.compile(r'href="([^"#]*)"')
MAX_PAGES = 400


def pages_without_arguments() -> dict[str, str]:
    """URL name → path of every route without arguments."""
    found = {}

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace)
                continue
            route = prefix + str(pattern.pattern)
            if "<" in route or not pattern.name:
                continue
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            path = "/" + route
            if name not in NOT_PAGES and not path.startswith(SKIPPED_PREFIXES):
                found[name] = path

    walk(get_resolver().url_patterns)
    return found


def crawl(client) -> set[str]:
    """Paths reached from the home page by following the links of each page (GET only,
    without their query), within the site."""
    seen, queue = {"/"}, deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        response = client.get(queue.popleft(), follow=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        seen.add(response.request["PATH_INFO"])  # where a redirect led
        for href in HREF.findall(response.content.decode()):
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/"):
                continue
            path = parts.path
            if path in seen or path.startswith(SKIPPED_PREFIXES):
                continue
            if path.endswith((".ics", ".csv", ".xlsx", ".pdf")):
                continue
            seen.add(path)
            queue.append(path)
    return seen


PERSONAS = ["teacher", "referent", "head", "trainer", "auditor", "manager", "national"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_a_role_may_open_is_reached_from_the_home_page(
    request, persona, client_for, session, referent
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    reached = crawl(client)
    unreachable = {
        name: path
        for name, path in pages_without_arguments().items()
        if path not in reached and client.get(path).status_code == 200
    }
    assert unreachable == {}, f"{persona}: pages only reached by typing their URL: {unreachable}"


def test_the_check_knows_the_pages():
    pages = pages_without_arguments()
    assert {"training:catalogue", "referents:payroll", "training:closing"} <= set(pages)


# --- Words a person understands ---------------------------------------------------------

SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")


def internal_codes() -> set[str]:
    """The values of every choice of the models that differ from what a person reads
    (``in_person``, ``head_then_rectorate``, ``volunteered``…), and the national plan's
    priority codes written without their accents."""
    from django.apps import apps

    from training.models import RoleMembership

    codes = {"numerique", "langues-vivantes"}
    # Words of French too, and the role codes the test personas are named after.
    words = {"session", "national", "local", *RoleMembership.Role.values, "teacher", "referent"}
    for model in apps.get_models():
        if model._meta.app_label not in ("training", "referents", "accounts"):
            continue
        for field in model._meta.fields:
            for value, label in field.flatchoices or ():
                if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_]{3,}", value):
                    continue
                if value != plain(str(label)):  # « Bassin » for "bassin" is a word
                    codes.add(value)
    return codes - words


def plain(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def visible_words(body: str) -> set[str]:
    text = TAG.sub(" ", SCRIPT_OR_STYLE.sub(" ", body))
    return set(re.findall(r"[A-Za-z][A-Za-z0-9_-]+", text))


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_internal_code_reaches_a_page(request, persona, client_for, session, referent):
    client = client_for(request.getfixturevalue(persona))
    codes = internal_codes()
    found = {}
    for path in sorted(crawl(client)):
        response = client.get(path)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            leaked = visible_words(response.content.decode()) & codes
            if leaked:
                found[path] = sorted(leaked)
    assert found == {}, f"{persona}: internal codes shown as text: {found}"


TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_has_a_title_of_its_own(request, persona, client_for, session, referent):
    client = client_for(request.getfixturevalue(persona))
    untitled = []
    for path in sorted(crawl(client)):
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        match = TITLE.search(response.content.decode())
        title = " ".join(match.group(1).split()) if match else ""
        if not title or title == "Dune":
            untitled.append(path)
    assert untitled == [], f"{persona}: pages titled only « Dune »: {untitled}"


def test_a_page_says_where_it_is(client_for, teacher, session):
    page = client_for(teacher).get(f"/formations/sessions/{session.pk}/").content.decode()
    crumb = page.split('data-testid="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    link = r'<a class="fr-breadcrumb__link"(?: href="([^"]*)")?[^>]*>([^<]*)</a>'
    links = re.findall(link, crumb)
    assert [label for _href, label in links][:2] == ["Accueil", "Catalogue"]
    assert links[1][0] == "/formations/"
    assert 'aria-current="page"' in crumb
