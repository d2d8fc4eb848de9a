"""Words a person understands: no internal code (``in_person``, ``numerique``,
``head_then_rectorate``…) in an e-mail or an export, on the fixture world of the security
checks (which sends the product's e-mails and fills every report). Pages are checked by
tests/training/test_navigation.py, with the same list of codes."""

from __future__ import annotations

import io

import pytest

from tests.training.test_navigation import internal_codes, visible_words
from training.reports import REGISTRY
from training.reports.base import parse_filters
from training.services import exports

pytestmark = pytest.mark.django_db


def test_no_internal_code_in_an_e_mail(
    teacher, head, manager, make_session, mailoutbox, django_capture_on_commit_callbacks
):
    """The e-mails of an enrolment's life: asked, approved, the session moved, cancelled."""
    from tests.conftest import at
    from training import services

    session = make_session(approval="head")
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.request_enrolment(user=teacher, session=session, staff=teacher.staff)
        services.approve_enrolment(user=head, enrolment=enrolment)
        slot = session.slots.get()
        services.update_slot(user=manager, slot=slot, start=at(33, 14), end=at(33, 17))
        services.cancel_session(user=manager, session=session, reason="Formateur absent")
    assert len(mailoutbox) >= 3
    codes = internal_codes()
    leaked = {}
    for message in mailoutbox:
        bodies = [message.subject, message.body] + [
            content for content, _type in getattr(message, "alternatives", [])
        ]
        found = set().union(*(visible_words(str(b)) for b in bodies)) & codes
        if found:
            leaked[message.subject] = sorted(found)
    assert leaked == {}


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_no_internal_code_in_an_export(world, key):
    national = world.users["national"]
    filters = parse_filters(national, {"annee": world.school_year.name})
    buffer = io.BytesIO()
    exports.write_report(key, national, filters, "csv", buffer)
    words = visible_words(buffer.getvalue().decode("utf-8-sig"))
    assert words & internal_codes() == set()
