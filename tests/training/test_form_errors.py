"""Words a person understands, on the forms: sent empty, each form of each role's pages
answers in French, each error once, next to its field or at the top, and never with a
constraint's name, an exception or a model's default message."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest

from tests.training.test_navigation import PERSONAS, crawl

FORM = re.compile(r'<form[^>]*method="post"[^>]*>', re.I)
ACTION = re.compile(r'action="([^"]*)"')
FIELD_ERROR = re.compile(
    r'<(?:p|li|span)[^>]*class="[^"]*(?:fr-message--error|fr-error-text)[^"]*"[^>]*>'
    r"(.*?)</(?:p|li|span)>",
    re.S,
)
TOP_ERROR = re.compile(r'<div[^>]*class="[^"]*fr-alert--error[^"]*"[^>]*>\s*<p>(.*?)</p>', re.S)
TECHNICAL = re.compile(
    r"_unique|_check|constraint|IntegrityError|Traceback|ValidationError|"
    r"This field|with this|Un objet \w+ avec",
    re.I,
)


def own_forms(body: str, path: str) -> bool:
    """Whether the page has a form sent to itself (the page's own form)."""
    for tag in FORM.findall(body):
        action = ACTION.search(tag)
        if action is None or action.group(1) in ("", path):
            return True
    return False


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_empty_form_is_answered_in_words(request, persona, client_for, session, referent):
    client = client_for(request.getfixturevalue(persona))
    problems, posted, answered = {}, 0, 0
    for path in sorted(crawl(client)):
        page = client.get(path)
        if page.status_code != 200 or not own_forms(page.content.decode(), path):
            continue
        # A browser sends the form's fields, empty: one field unknown to every form.
        response = client.post(path, {"_sent": ""}, follow=True)
        posted += 1
        body = response.content.decode()
        assert response.status_code < 500, path
        fields = [html.unescape(e).strip() for e in FIELD_ERROR.findall(body)]
        top = [html.unescape(e).strip() for e in TOP_ERROR.findall(body)]
        answered += bool(fields or top)
        # Once: at the top or next to its field, never both, never twice at the top.
        repeated = [e for e, n in Counter(top).items() if n > 1] + sorted(set(top) & set(fields))
        technical = TECHNICAL.findall(re.sub(r"<[^>]+>", " ", body))
        if repeated or technical:
            problems[path] = {"repeated": repeated, "technical": technical}
    assert problems == {}, f"{persona}: {problems}"
    # Every role has forms of its own (its account's, at least), refused with a message.
    assert posted >= 1 and answered >= 1, (posted, answered)
