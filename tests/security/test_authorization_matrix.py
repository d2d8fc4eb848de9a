"""Who may read and write what: every route of the URL configuration and every operation
of the OpenAPI document, requested as every persona, against one explicit table.

The table (``ROUTES`` for the URL configuration, ``OPERATIONS`` for the API) says, for
each route name or API operation, which personas may read it (GET answered), which may
act through it (the write goes through to the service), and which may reach it without
acting (a form error, a « not in your queue » message, a bulk answer with nothing done):
everyone else must be refused (a 401, 403, 404 or 405, or a redirect to the sign-in
page). A route or an operation missing from the table fails the test as « not
classified »: that is how a new page or endpoint without a scope check fails CI.

Each page is requested with GET then POST, each API operation with its method. Where
the route names an object, it is sent with the Versailles objects of the fixture world
(``ours``), then, by the people of Versailles, with the Paris ones (``paris``), which
none of them may read or change. Writes are sent by a CSRF-less client with a body that
would succeed for the right person; each request runs in a savepoint rolled back after
it, so the world stays the same for the next one, and a refused write must leave every
table as it was (checked on a digest of the apps' tables). Responses to the people of
Paris must not name anything of Versailles, nor those to the people of the lycée the
collège's teacher. Two savings keep the run short: the admin's pages (one gate, staff
only, for every page and method) are POSTed by five personas only, and the public pages
that write nothing by the anonymous visitor only.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from config.api import api
from tests.security.conftest import (
    OUTSIDERS,
    PERSONAS,
    SIGNED_IN,
    VERSAILLES,
    VERSAILLES_MARKERS,
    changed_tables,
    changes_counter,
    database_fingerprint,
)

pytestmark = pytest.mark.django_db

# --- Who ------------------------------------------------------------------------------

EVERYONE = frozenset(PERSONAS)
SIGNED = frozenset(SIGNED_IN)
NOBODY = frozenset()


def who(*names: str) -> frozenset[str]:
    unknown = set(names) - EVERYONE
    assert not unknown, f"unknown personas {unknown}"
    return frozenset(names)


# Scopes of the Versailles objects of the world, by what the person is to them.
HAS_STAFF = who("teacher", "referent", "trainer", "other_referent", "outsider")
HEADS = who("head", "other_head", "outsider")
RECTORATE = who("auditor", "manager", "national")
MANAGERS = who("manager", "national")
ANY_RECTORATE = who("auditor", "manager", "paris_manager", "national")
ANY_MANAGER = who("manager", "paris_manager", "national")
SEES_SCHOOL = who("teacher", "referent", "head", "trainer", "auditor", "manager", "national")
SEES_SESSION = SEES_SCHOOL | who("other_referent", "other_head")
ENROLS = who("teacher", "referent", "trainer", "other_referent")
SEES_ENROLMENT = who("teacher", "head", "trainer", "auditor", "manager", "national")
SEES_RECORD = SEES_ENROLMENT  # the teacher himself, his head, his trainer, the rectorate
ROSTER = who("trainer", "auditor", "manager", "national")
TAKES_ATTENDANCE = who("trainer", "manager", "national")
SEES_PLAN = who("referent", "head", "auditor", "manager", "national")
DRAFTS_PLAN = who("referent", "head")
SEES_REFERENT_REPORT = SEES_PLAN
SEES_APPOINTMENT = SEES_PLAN
OTHER_SCHOOL = who("other_referent", "other_head")  # the lycée: nothing of the collège's people
REFERENTS = who("referent", "other_referent", "outsider")
FOLLOWS_HOURS = HEADS | ANY_RECTORATE | who("trainer")
REPORT_SCOPE = HEADS | ANY_RECTORATE
PLAN_PAGES = DRAFTS_PLAN | who("other_referent", "other_head", "outsider") | ANY_RECTORATE
QUEUES = HEADS | ANY_MANAGER
NETWORK = ANY_RECTORATE | REFERENTS


@dataclass(frozen=True)
class Rule:
    """``read``: a GET is answered; ``write``: a write goes through to the service;
    ``reach``: a write is answered without effect (nothing may change). Everyone else
    is refused. ``args``, ``query`` and ``data`` build the request from a context
    (``c.o``: the side's objects, ``c.w``: the world, ``c.persona``)."""

    read: frozenset = NOBODY
    write: frozenset = NOBODY
    reach: frozenset = NOBODY
    args: Callable | None = None
    query: Callable | None = None
    data: Callable | None = None
    note: str = ""
    signs_out: bool = False  # a write that succeeds by sending to the sign-in page
    query_filters_own: bool = False  # the query only narrows one's own scope

    @property
    def public(self) -> bool:
        return self.read == EVERYONE


def uai(c):
    return {"uai": c.o.uai}


def session_pk(c):
    return {"pk": c.o.session.pk}


def slot_pk(c):
    return {"pk": c.o.slot.pk}


def plan_pk(c):
    return {"pk": c.o.plan.pk}


def line_pk(c):
    return {"pk": c.o.line.pk}


def academy_code(c):
    return {"code": c.o.academy_code}


def academie(c):
    return {"academie": c.o.academy_code}


def reason(c):
    return {"reason": "Motif du test"}


def session_form(c):
    return {
        "module": c.o.module.pk,
        "group": "09",
        "capacity": 4,
        "approval": "head",
        "waitlist_enabled": "on",
        "promotion_cutoff_days": 2,
        "cancellation_cutoff_days": 1,
    }


def slot_form(c):
    return {
        "modality": "in_person",
        "start": "2010-11-15T09:00",
        "end": "2010-11-15T12:00",
        "school_uai": c.o.uai,
        "room": "B14",
    }


def programme_form(c):
    return {
        "academy": c.o.academy.pk,
        "code": "10A0258888",
        "title": "Nouveau dispositif",
        "priority": c.w.priority.pk,
        "kind": "individual",
    }


def module_form(c):
    return {"code": "M9", "title": "Nouveau module", "in_person_hours": "1,5"}


def line_form(c):
    return {"theme": "Usages de l'ENT", "planned_hours": "3", "module": c.o.module.pk}


def appoint_form(c):
    pk = c.o.candidature.pk
    return {
        f"appoint-{pk}-scheme": c.w.scheme_pk,
        f"appoint-{pk}-start": "2010-10-01",
        f"appoint-{pk}-annual_euros": "1200",
        f"appoint-{pk}-mission_letter": "Missions 1a à 2c",
    }


ADMIN = Rule(note="Django's admin: staff only, and none of the personas is staff")

# The table of the URL configuration: route name → who may read, act, reach.
ROUTES: dict[str, Rule] = {
    # --- Public pages and signing in --------------------------------------------------
    "home": Rule(read=EVERYONE, reach=EVERYONE),
    "healthz": Rule(read=EVERYONE, note="GET only"),
    "readyz": Rule(read=EVERYONE, note="GET only; says ok or failed per check, nothing more"),
    "login": Rule(read=EVERYONE, reach=EVERYONE, data=lambda c: {"username": "", "password": ""}),
    "logout": Rule(write=EVERYONE, note="POST only"),
    "set_language": Rule(
        read=EVERYONE, write=EVERYONE, data=lambda c: {"language": "en", "next": "/"}
    ),
    "accounts:refused": Rule(note="the refusal page of a single sign-on answers 403"),
    "accounts:oidc_login": Rule(note="404: no OpenID Connect provider in the tests"),
    "accounts:oidc_callback": Rule(note="404: no OpenID Connect provider in the tests"),
    "accounts:cas_login": Rule(note="404: no CAS server in the tests"),
    "accounts:cas_logout": Rule(note="404: no CAS server in the tests"),
    "accounts:password_reset": Rule(
        read=EVERYONE, write=EVERYONE, data=lambda c: {"email": "personne@example.org"}
    ),
    "accounts:password_reset_done": Rule(read=EVERYONE, reach=EVERYONE),
    "accounts:activate": Rule(
        read=EVERYONE,
        reach=EVERYONE,
        args=lambda c: {"uidb64": c.w.uidb64, "token": "lien-invalide"},
        note="an invalid link is a page saying so",
    ),
    "accounts:activated": Rule(read=EVERYONE, reach=EVERYONE),
    # --- Accounts (managers) ----------------------------------------------------------
    "accounts:sign_out_everywhere": Rule(write=SIGNED, signs_out=True),
    "accounts:people": Rule(read=ANY_MANAGER, reach=ANY_MANAGER),
    "accounts:send_activation": Rule(
        write=MANAGERS,
        reach=who("paris_manager"),
        data=lambda c: {"users": [c.o.newcomer.pk], "confirm": 1},
    ),
    "accounts:unlock": Rule(write=MANAGERS, data=lambda c: {"username": c.o.user.username}),
    "accounts:deactivate": Rule(write=MANAGERS, args=lambda c: {"pk": c.o.user.pk}),
    "accounts:reactivate": Rule(write=MANAGERS, args=lambda c: {"pk": c.o.user.pk}),
    "accounts:sign_in_log": Rule(read=ANY_MANAGER, reach=ANY_MANAGER),
    # --- The API's own pages (its operations are in OPERATIONS) -----------------------
    "api:openapi-json": Rule(read=EVERYONE),
    "api:openapi-view": Rule(read=EVERYONE),
    "api:api-root": Rule(note="ninja's root: 404 for everyone"),
    # --- Directory and account --------------------------------------------------------
    "training:account": Rule(read=SIGNED, write=SIGNED, data=lambda c: {"name": "Mon tableur"}),
    "training:revoke_token": Rule(
        write=who("teacher"), args=lambda c: {"token_id": c.o.api_token.pk}
    ),
    "training:school_list": Rule(read=SIGNED, reach=SIGNED),
    "training:school_create": Rule(
        read=ANY_MANAGER,
        write=MANAGERS,
        reach=who("paris_manager"),
        data=lambda c: {
            "academy": c.o.academy.pk,
            "uai": "0910620E",
            "name": "Collège Neuf",
            "kind": "college",
        },
    ),
    "training:school_detail": Rule(read=SEES_SCHOOL, reach=SEES_SCHOOL, args=uai),
    # --- Catalogue and enrolment ------------------------------------------------------
    "training:catalogue": Rule(read=SIGNED, reach=SIGNED),
    "training:session_detail": Rule(read=SEES_SESSION, reach=SEES_SESSION, args=session_pk),
    "training:enrol": Rule(write=ENROLS, reach=SEES_SESSION, args=session_pk),
    "training:my_training": Rule(read=HAS_STAFF, reach=HAS_STAFF),
    "training:my_sessions": Rule(read=who("trainer"), reach=who("trainer")),
    "training:cancel_enrolment": Rule(
        write=who("teacher"), args=lambda c: {"pk": c.o.enrolment.pk}, data=reason
    ),
    "training:approval_queue": Rule(read=QUEUES, reach=QUEUES),
    "training:approval_decide": Rule(
        write=who("head"),
        reach=QUEUES,
        data=lambda c: {"action": "approve", "ids": [c.o.enrolment.pk]},
        note="ids outside one's own queue are dropped",
    ),
    "training:programme_list": Rule(read=ANY_MANAGER, note="GET only"),
    "training:programme_create": Rule(
        read=ANY_MANAGER, write=MANAGERS, reach=who("paris_manager"), data=programme_form
    ),
    "training:programme_edit": Rule(
        read=MANAGERS, write=MANAGERS, args=lambda c: {"pk": c.o.programme.pk}, data=programme_form
    ),
    "training:module_create": Rule(
        read=MANAGERS, write=MANAGERS, args=lambda c: {"pk": c.o.programme.pk}, data=module_form
    ),
    "training:module_edit": Rule(
        read=MANAGERS, write=MANAGERS, args=lambda c: {"pk": c.o.module.pk}, data=module_form
    ),
    "training:session_create": Rule(
        read=ANY_MANAGER, write=MANAGERS, reach=who("paris_manager"), data=session_form
    ),
    "training:session_edit": Rule(
        read=MANAGERS, write=MANAGERS, args=session_pk, data=session_form
    ),
    "training:slot_create": Rule(read=MANAGERS, write=MANAGERS, args=session_pk, data=slot_form),
    "training:slot_edit": Rule(read=MANAGERS, write=MANAGERS, args=slot_pk, data=slot_form),
    "training:slot_cancel": Rule(write=MANAGERS, args=slot_pk),
    "training:session_publish": Rule(write=MANAGERS, args=session_pk),
    "training:session_cancel": Rule(read=MANAGERS, write=MANAGERS, args=session_pk, data=reason),
    "training:roster": Rule(read=ROSTER, reach=ROSTER, args=session_pk),
    "training:book_staff": Rule(
        write=MANAGERS, args=session_pk, data=lambda c: {"staff_id": c.o.staff_id}
    ),
    # --- Calendars: a feed stands for the person whose secret link it carries ---------
    "training:agenda": Rule(read=SIGNED, note="GET only"),
    "training:agenda_rotate": Rule(write=SIGNED),
    "training:agenda_revoke": Rule(write=SIGNED),
    "training:ical_catalogue": Rule(
        read=EVERYONE, args=lambda c: {"academy_code": c.o.academy_code}
    ),
    "training:ical_slot": Rule(read=SEES_SESSION, args=slot_pk),
    "training:ical_personal": Rule(read=SIGNED, args=lambda c: {"token": c.calendar}),
    "training:ical_school": Rule(
        read=SEES_SCHOOL, args=lambda c: {"token": c.calendar, "uai": c.o.uai}
    ),
    "training:ical_session": Rule(
        read=SEES_SESSION, args=lambda c: {"token": c.calendar, "pk": c.o.session.pk}
    ),
    # --- Attendance, hours, C2i2e ----------------------------------------------------
    "training:attendance_sheet": Rule(
        read=TAKES_ATTENDANCE,
        write=TAKES_ATTENDANCE,
        args=lambda c: {"pk": c.o.past_slot.pk},
        data=lambda c: {"action": "all_present"},
    ),
    "training:declare_work": Rule(
        write=who("teacher"),
        reach=SEES_SESSION,
        args=lambda c: {"pk": c.o.online_slot.pk},
        data=lambda c: {"minutes": 30},
    ),
    "training:review_declaration": Rule(
        write=TAKES_ATTENDANCE,
        args=lambda c: {"pk": c.o.declaration.pk},
        data=lambda c: {"decision": "accept"},
    ),
    "training:competences": Rule(
        read=who("trainer"),
        write=who("trainer"),
        args=lambda c: {"pk": c.o.past_session.pk},
        data=lambda c: {f"items-{c.o.staff_pk}": [c.w.items[0].pk]},
    ),
    "training:my_record": Rule(read=HAS_STAFF, reach=HAS_STAFF),
    "training:position": Rule(write=HAS_STAFF, data=lambda c: {"items": [c.w.items[0].pk]}),
    "training:my_attestation": Rule(
        read=who("teacher"),
        reach=who("teacher"),
        args=lambda c: {"session_pk": c.o.past_session.pk},
        note="one's own hours only",
    ),
    "training:my_attestation_pdf": Rule(
        read=who("teacher"),
        reach=who("teacher"),
        args=lambda c: {"session_pk": c.o.past_session.pk},
        note="one's own hours only",
    ),
    "training:staff_attestation_pdf": Rule(
        read=SEES_RECORD,
        reach=SEES_RECORD,
        args=lambda c: {"staff_id": c.o.staff_pk, "session_pk": c.o.past_session.pk},
    ),
    "training:staff_record": Rule(
        read=SEES_RECORD, reach=SEES_RECORD, args=lambda c: {"staff_id": c.o.staff_pk}
    ),
    "training:staff_attestation": Rule(
        read=SEES_RECORD,
        reach=SEES_RECORD,
        args=lambda c: {"staff_id": c.o.staff_pk, "session_pk": c.o.past_session.pk},
    ),
    "training:follow_up": Rule(read=FOLLOWS_HOURS, reach=FOLLOWS_HOURS),
    # --- Audit -----------------------------------------------------------------------
    "training:anomaly_list": Rule(read=RECTORATE, reach=RECTORATE, query=academie),
    "training:closing": Rule(
        read=RECTORATE,
        write=RECTORATE,
        query=academie,
        data=lambda c: {
            "action": "cloturer",
            "academie": c.o.academy_code,
            "annee": c.w.school_year.name,
            "confirmer": "1",
        },
    ),
    "training:audit_academy": Rule(read=RECTORATE, reach=RECTORATE, query=academie),
    "training:audit_home": Rule(read=REPORT_SCOPE, reach=REPORT_SCOPE),
    "training:audit_trail": Rule(
        read=ANY_RECTORATE, reach=ANY_RECTORATE, note="the trail of one's own académies"
    ),
    "training:audit_national": Rule(read=who("national"), reach=who("national")),
    "training:audit_school": Rule(
        read=who("head", "auditor", "manager", "national"),
        reach=who("head", "auditor", "manager", "national"),
        args=uai,
    ),
    "training:audit_export": Rule(
        read=RECTORATE | who("head", "other_head"),
        reach=RECTORATE | who("head", "other_head"),
        args=lambda c: {"key": "hours_by_priority", "fmt": "csv"},
        query=academie,
        note="a head's export of the académie holds his own school only",
    ),
    "training:audit_job": Rule(
        read=who("manager"), reach=who("manager"), args=lambda c: {"pk": c.o.job.pk}
    ),
    "training:audit_job_status": Rule(
        read=who("manager"), reach=who("manager"), args=lambda c: {"pk": c.o.job.pk}
    ),
    "training:audit_job_download": Rule(
        read=who("manager"), reach=who("manager"), args=lambda c: {"pk": c.o.job.pk}
    ),
    # --- Imports ----------------------------------------------------------------------
    "training:import_list": Rule(
        read=ANY_RECTORATE, reach=ANY_RECTORATE, note="the upload needs a file: a form error"
    ),
    "training:import_detail": Rule(read=RECTORATE, args=lambda c: {"pk": c.o.run.pk}),
    "training:import_status": Rule(read=RECTORATE, args=lambda c: {"pk": c.o.run.pk}),
    "training:import_confirm": Rule(
        write=RECTORATE,
        args=lambda c: {"pk": c.o.run.pk},
        note="the directory (schools, staff) is imported by auditors too; GAIA by managers",
    ),
    "training:import_report": Rule(read=RECTORATE, args=lambda c: {"pk": c.o.run.pk}),
    # --- School plans and needs -------------------------------------------------------
    "training:my_needs": Rule(
        read=HAS_STAFF,
        write=HAS_STAFF,
        reach=HAS_STAFF,
        data=lambda c: {"theme": "La classe mobile", "modality": "in_person"},
    ),
    "training:need_withdraw": Rule(write=who("teacher"), args=lambda c: {"pk": c.o.need.pk}),
    "training:school_plans": Rule(read=PLAN_PAGES, reach=PLAN_PAGES),
    "training:school_plans_academy": Rule(read=ANY_RECTORATE, reach=ANY_RECTORATE),
    "training:school_plan": Rule(read=SEES_PLAN, reach=SEES_PLAN, args=uai),
    "training:school_plan_create": Rule(write=DRAFTS_PLAN, reach=SEES_PLAN, args=uai),
    "training:school_plan_detail": Rule(read=SEES_PLAN, reach=SEES_PLAN, args=plan_pk),
    "training:school_plan_line_add": Rule(
        write=DRAFTS_PLAN, reach=SEES_PLAN, args=plan_pk, data=line_form
    ),
    "training:school_plan_line_edit": Rule(
        read=SEES_PLAN, write=DRAFTS_PLAN, reach=SEES_PLAN, args=line_pk, data=line_form
    ),
    "training:school_plan_line_remove": Rule(write=DRAFTS_PLAN, reach=SEES_PLAN, args=line_pk),
    "training:school_plan_submit": Rule(write=DRAFTS_PLAN, reach=SEES_PLAN, args=plan_pk),
    "training:school_plan_return": Rule(
        write=who("head"), reach=SEES_PLAN, args=plan_pk, data=lambda c: {"comment": "À revoir"}
    ),
    "training:school_plan_approve": Rule(
        write=who("head"), reach=SEES_PLAN, args=plan_pk, data=lambda c: {"comment": "Bien"}
    ),
    "training:school_plan_new_version": Rule(write=DRAFTS_PLAN, reach=SEES_PLAN, args=plan_pk),
    # --- Référents numériques ---------------------------------------------------------
    "referents:candidature": Rule(
        read=HAS_STAFF, write=HAS_STAFF, data=lambda c: {"motivation": "L'ENT et les TNI"}
    ),
    "referents:school": Rule(read=HEADS, reach=HEADS),
    "referents:school_detail": Rule(read=who("head"), reach=who("head"), args=uai),
    "referents:service_done": Rule(
        write=who("head"), args=uai, data=lambda c: {"month": "2010-11"}
    ),
    "referents:mission_share": Rule(write=who("head"), args=uai, data=lambda c: {"shared": "True"}),
    "referents:appoint": Rule(
        write=who("head"), args=lambda c: {"pk": c.o.candidature.pk}, data=appoint_form
    ),
    "referents:decline": Rule(
        write=who("head"),
        args=lambda c: {"pk": c.o.candidature.pk},
        data=lambda c: {f"decline-{c.o.candidature.pk}-reason": "Pas cette année"},
    ),
    "referents:end": Rule(
        write=who("head"),
        args=lambda c: {"pk": c.o.appointment.pk},
        data=lambda c: {
            f"end-{c.o.appointment.pk}-end": "2011-06-30",
            f"end-{c.o.appointment.pk}-reason": "Mutation",
        },
    ),
    "referents:dashboard": Rule(
        read=REFERENTS,
        write=REFERENTS,
        data=lambda c: {"date": "2010-10-12", "category": "1a", "minutes": 60},
    ),
    "referents:payroll": Rule(read=ANY_MANAGER, reach=ANY_MANAGER),
    "referents:payroll_academy": Rule(read=MANAGERS, reach=MANAGERS, args=academy_code),
    "referents:export": Rule(write=MANAGERS, args=academy_code, data=lambda c: {"format": "csv"}),
    "referents:export_file": Rule(
        read=MANAGERS,
        reach=MANAGERS,
        args=lambda c: {"code": c.o.academy_code, "pk": c.o.payroll.pk, "export_format": "csv"},
    ),
    "referents:summary": Rule(read=ANY_RECTORATE, reach=ANY_RECTORATE),
    "referents:directory": Rule(read=NETWORK, reach=NETWORK),
    "referents:report": Rule(read=SEES_REFERENT_REPORT, reach=SEES_REFERENT_REPORT, args=uai),
    "referents:mission_letter": Rule(
        read=SEES_APPOINTMENT,
        reach=SEES_APPOINTMENT,
        args=lambda c: {"pk": c.o.appointment.pk},
    ),
    "referents:mission_letter_pdf": Rule(
        read=SEES_APPOINTMENT,
        reach=SEES_APPOINTMENT,
        args=lambda c: {"pk": c.o.appointment.pk},
    ),
    # --- Django's admin ---------------------------------------------------------------
    "admin:*": ADMIN,
    "admin:login": Rule(read=EVERYONE, reach=EVERYONE, note="its own sign-in page"),
    "admin:logout": Rule(
        read=EVERYONE, reach=EVERYONE, note="anyone but staff is sent to the admin's index"
    ),
}

# --- The API: "METHOD /api/path" → who ------------------------------------------------


def sid(c):
    return {"id": c.o.session.pk}


def plan_id(c):
    return {"id": c.o.plan.pk}


def line_id(c):
    return {"id": c.o.line.pk}


def enrolment_id(c):
    return {"id": c.o.enrolment.pk}


def past_slot_id(c):
    return {"id": c.o.past_slot.pk}


def body_reason(c):
    return {"reason": "Motif du test"}


OPERATIONS: dict[str, Rule] = {
    "GET /api/me": Rule(read=SIGNED),
    "GET /api/academies": Rule(read=SIGNED),
    "GET /api/schools": Rule(read=SIGNED),
    "POST /api/schools": Rule(
        write=MANAGERS,
        data=lambda c: {
            "uai": "0910620E",
            "name": "Collège Neuf",
            "kind": "college",
            "academy": c.o.academy_code,
        },
    ),
    "GET /api/schools/{uai}": Rule(read=SEES_SCHOOL, args=uai),
    "GET /api/training/programmes": Rule(read=SIGNED),
    "POST /api/training/programmes": Rule(
        write=MANAGERS,
        data=lambda c: {
            "academy": c.o.academy_code,
            "school_year": c.w.school_year.name,
            "code": "10A0259999",
            "title": "Nouveau dispositif",
            "priority": c.w.priority.code,
        },
    ),
    "GET /api/training/programmes/{id}": Rule(
        read=SEES_SESSION, args=lambda c: {"id": c.o.programme.pk}
    ),
    "PATCH /api/training/programmes/{id}": Rule(
        write=MANAGERS, args=lambda c: {"id": c.o.programme.pk}, data=lambda c: {"title": "Neuf"}
    ),
    "PATCH /api/training/modules/{id}": Rule(
        write=MANAGERS, args=lambda c: {"id": c.o.module.pk}, data=lambda c: {"title": "Neuf"}
    ),
    "POST /api/training/modules": Rule(
        write=MANAGERS,
        data=lambda c: {"programme_id": c.o.programme.pk, "code": "M9", "title": "Nouveau"},
    ),
    "GET /api/training/sessions": Rule(read=SIGNED),
    "POST /api/training/sessions": Rule(
        write=MANAGERS, data=lambda c: {"module_id": c.o.module.pk, "group": "09", "capacity": 4}
    ),
    "GET /api/training/sessions/{id}": Rule(read=SEES_SESSION, args=sid),
    "PATCH /api/training/sessions/{id}": Rule(
        write=MANAGERS, args=sid, data=lambda c: {"capacity": 6}
    ),
    "POST /api/training/sessions/{id}/publish": Rule(write=MANAGERS, args=sid),
    "POST /api/training/sessions/{id}/cancel": Rule(write=MANAGERS, args=sid, data=body_reason),
    "POST /api/training/sessions/{id}/slots": Rule(
        write=MANAGERS,
        args=sid,
        data=lambda c: {
            "modality": "in_person",
            "start": "2010-11-15T09:00:00+01:00",
            "end": "2010-11-15T12:00:00+01:00",
            "school": c.o.uai,
        },
    ),
    "PATCH /api/training/slots/{id}": Rule(
        write=MANAGERS, args=lambda c: {"id": c.o.slot.pk}, data=lambda c: {"room": "C3"}
    ),
    "POST /api/training/slots/{id}/cancel": Rule(
        write=MANAGERS, args=lambda c: {"id": c.o.slot.pk}
    ),
    "POST /api/training/sessions/{id}/enrolments": Rule(write=ENROLS, args=sid),
    "POST /api/training/sessions/{id}/bookings": Rule(
        write=MANAGERS, args=sid, data=lambda c: {"staff_id": c.o.staff_id}
    ),
    "GET /api/training/enrolments": Rule(read=SIGNED),
    "GET /api/training/enrolments/{id}": Rule(read=SEES_ENROLMENT, args=enrolment_id),
    "POST /api/training/enrolments/approve": Rule(
        write=who("head"),
        reach=SIGNED,
        data=lambda c: {"ids": [c.o.enrolment.pk]},
        note="ids outside one's own queue are refused (200, listed as refused, nothing done)",
    ),
    "POST /api/training/enrolments/{id}/approve": Rule(write=who("head"), args=enrolment_id),
    "POST /api/training/enrolments/{id}/decline": Rule(
        write=who("head"), args=enrolment_id, data=body_reason
    ),
    "POST /api/training/enrolments/{id}/confirm": Rule(write=MANAGERS, args=enrolment_id),
    "POST /api/training/enrolments/{id}/cancel": Rule(
        write=who("teacher"), args=enrolment_id, data=body_reason
    ),
    "GET /api/training/approvals": Rule(read=SIGNED),
    "GET /api/training/confirmations": Rule(read=SIGNED),
    "GET /api/training/sessions/{id}/roster": Rule(read=ROSTER, args=sid),
    "GET /api/training/slots/{id}/attendance": Rule(read=TAKES_ATTENDANCE, args=past_slot_id),
    "PUT /api/training/slots/{id}/attendance": Rule(
        write=TAKES_ATTENDANCE,
        args=past_slot_id,
        data=lambda c: {"marks": [{"staff_id": c.o.staff_id, "status": "absent"}]},
    ),
    "POST /api/training/slots/{id}/attendance/all-present": Rule(
        write=TAKES_ATTENDANCE, args=past_slot_id
    ),
    "POST /api/training/slots/{id}/declaration": Rule(
        write=who("teacher"),
        args=lambda c: {"id": c.o.online_slot.pk},
        data=lambda c: {"minutes": 30},
    ),
    "POST /api/training/attendances/{id}/review": Rule(
        write=TAKES_ATTENDANCE,
        args=lambda c: {"id": c.o.declaration.pk},
        data=lambda c: {"accept": True},
    ),
    "GET /api/training/record": Rule(read=HAS_STAFF),
    "GET /api/training/staff/{staff_id}/record": Rule(
        read=SEES_RECORD, args=lambda c: {"staff_id": c.o.staff_id}
    ),
    "POST /api/training/staff/{staff_id}/items/validate": Rule(
        write=who("trainer"),
        args=lambda c: {"staff_id": c.o.staff_id},
        data=lambda c: {"items": [c.w.items[0].code]},
    ),
    "POST /api/training/items/position": Rule(
        write=HAS_STAFF, data=lambda c: {"items": [c.w.items[0].code]}
    ),
    "GET /api/training/hours": Rule(read=SIGNED),
    "GET /api/referents/appointments": Rule(read=SIGNED),
    "POST /api/referents/appointments": Rule(
        write=HAS_STAFF, data=lambda c: {"motivation": "L'ENT et les TNI"}
    ),
    "GET /api/referents/appointments/{id}": Rule(
        read=SEES_APPOINTMENT, args=lambda c: {"id": c.o.appointment.pk}
    ),
    "POST /api/referents/appointments/{id}/appoint": Rule(
        write=who("head"),
        args=lambda c: {"id": c.o.candidature.pk},
        data=lambda c: {
            "scheme": c.w.scheme_code,
            "annual_cents": 120000,
            "mission_letter": "Missions 1a à 2c",
        },
    ),
    "POST /api/referents/appointments/{id}/decline": Rule(
        write=who("head"), args=lambda c: {"id": c.o.candidature.pk}, data=body_reason
    ),
    "POST /api/referents/appointments/{id}/end": Rule(
        write=who("head"),
        args=lambda c: {"id": c.o.appointment.pk},
        data=lambda c: {"end": "2011-06-30", "reason": "Mutation"},
    ),
    "PUT /api/referents/schools/{uai}/mission": Rule(
        write=who("head"), args=uai, data=lambda c: {"shared": True}
    ),
    "GET /api/referents/logs": Rule(read=SIGNED),
    "POST /api/referents/logs": Rule(
        write=REFERENTS, data=lambda c: {"date": "2010-10-12", "category": "1a", "minutes": 60}
    ),
    "GET /api/referents/me": Rule(read=REFERENTS),
    "GET /api/referents/schools/{uai}/instalments": Rule(
        read=SEES_REFERENT_REPORT,
        args=uai,
        note="the head, the référent (his own), the rectorate",
        query=lambda c: {"month": "2010-10-01"},
    ),
    "POST /api/referents/schools/{uai}/service-done": Rule(
        write=who("head"), args=uai, data=lambda c: {"month": "2010-11-01"}
    ),
    "GET /api/referents/payroll/{code}/pending": Rule(read=MANAGERS, args=academy_code),
    "POST /api/referents/payroll/{code}/exports": Rule(write=MANAGERS, args=academy_code),
    "GET /api/referents/payroll/{code}/exports": Rule(read=MANAGERS, args=academy_code),
    "GET /api/referents/reports/{uai}": Rule(read=SEES_REFERENT_REPORT, args=uai),
    "GET /api/referents/summary": Rule(read=ANY_RECTORATE),
    "GET /api/referents/directory": Rule(read=NETWORK),
    "GET /api/audit/reports": Rule(read=REPORT_SCOPE),
    "GET /api/audit/reports/{key}": Rule(
        read=RECTORATE | who("head", "other_head"),
        args=lambda c: {"key": "hours_by_priority"},
        query=academie,
    ),
    "GET /api/audit/anomalies": Rule(
        read=ANY_RECTORATE,
        query=lambda c: {"school_year": c.w.school_year.name, "academy": c.o.academy_code},
        query_filters_own=True,
        note="another académie's code filters one's own anomalies: an empty list",
    ),
    "POST /api/audit/closures": Rule(
        write=RECTORATE,
        data=lambda c: {
            "school_year": c.w.school_year.name,
            "academy": c.o.academy_code,
            "confirm": True,
        },
    ),
    "GET /api/training/needs": Rule(read=SIGNED),
    "POST /api/training/needs": Rule(write=HAS_STAFF, data=lambda c: {"theme": "La classe mobile"}),
    "GET /api/training/school-plans": Rule(read=SIGNED),
    "POST /api/training/school-plans": Rule(
        write=DRAFTS_PLAN,
        data=lambda c: {"uai": c.o.uai, "school_year": c.w.school_year.name},
    ),
    "GET /api/training/school-plans/{id}": Rule(read=SEES_PLAN, args=plan_id),
    "POST /api/training/school-plans/{id}/lines": Rule(
        write=DRAFTS_PLAN,
        args=plan_id,
        data=lambda c: {"theme": "Usages de l'ENT", "planned_minutes": 180},
    ),
    "PUT /api/training/school-plans/lines/{id}": Rule(
        write=DRAFTS_PLAN,
        args=line_id,
        data=lambda c: {"theme": "Usages de l'ENT", "planned_minutes": 120},
    ),
    "DELETE /api/training/school-plans/lines/{id}": Rule(write=DRAFTS_PLAN, args=line_id),
    "POST /api/training/school-plans/{id}/submit": Rule(write=DRAFTS_PLAN, args=plan_id),
    "POST /api/training/school-plans/{id}/return": Rule(
        write=who("head"), args=plan_id, data=lambda c: {"comment": "À revoir"}
    ),
    "POST /api/training/school-plans/{id}/approve": Rule(
        write=who("head"), args=plan_id, data=lambda c: {"comment": "Bien"}
    ),
    "POST /api/training/school-plans/{id}/new-version": Rule(write=DRAFTS_PLAN, args=plan_id),
}

# --- The routes, from the URL configuration and the OpenAPI document -----------------

WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass
class Pattern:
    name: str | None
    route: str
    namespace: str | None = None
    params: list[str] = field(default_factory=list)


def url_patterns(resolver=None, prefix="", namespace=None) -> list[Pattern]:
    """Every pattern of the URL configuration, walked recursively, with its full name
    (``namespace:name``) and its full route."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += url_patterns(entry, route, ns)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            params = list(entry.pattern.regex.groupindex)
            found.append(Pattern(name, route, namespace, params))
    return found


def rule_for(name: str) -> Rule | None:
    if name in ROUTES:
        return ROUTES[name]
    if name.startswith("admin:"):
        return ROUTES["admin:*"]
    return None


@functools.cache
def openapi_operations() -> tuple[str, ...]:
    schema = api.get_openapi_schema()
    return tuple(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", *WRITE_METHODS)
    )


def api_path_of(route: str) -> str:
    """``api/training/sessions/<int:id>`` → ``/api/training/sessions/{id}``."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_route_is_classified():
    """A route or an API operation missing from the table fails here, whatever its
    scope check: add it to ROUTES or OPERATIONS with who may read and write it."""
    patterns = url_patterns()
    operations = openapi_operations()
    api_paths = {op.split(" ", 1)[1] for op in operations}
    missing = []
    for p in patterns:
        if p.name is None:
            # Unnamed patterns: only the admin's redirections to its named pages.
            if not p.route.startswith("admin/"):
                missing.append(f"unnamed route {p.route!r}")
            continue
        if p.namespace == "api" and p.name not in ROUTES:
            if api_path_of(p.route) not in api_paths:
                missing.append(f"{p.name} ({p.route}): not in the OpenAPI document")
            continue
        if rule_for(p.name) is None:
            missing.append(f"{p.name} ({p.route})")
    missing += [f"API {op}" for op in operations if op not in OPERATIONS]
    assert not missing, "route not classified:\n  " + "\n  ".join(missing)


def test_the_table_names_no_route_that_is_gone():
    names = {p.name for p in url_patterns() if p.name}
    stale = [n for n in ROUTES if n != "admin:*" and n not in names]
    stale += [op for op in OPERATIONS if op not in openapi_operations()]
    assert not stale, "the table names routes that no longer exist: " + ", ".join(stale)


# --- Requests -------------------------------------------------------------------------

LOGIN_PATHS = ("/connexion/", "/admin/login/")
REFUSALS = {401, 403, 404, 405}


@dataclass
class Answer:
    status: int
    location: str = ""
    body: bytes = b""
    changed: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def refused(self) -> bool:
        if self.status in REFUSALS:
            return True
        return self.status in (301, 302) and self.location.split("?")[0] in LOGIN_PATHS

    def __str__(self):
        text = self.error or str(self.status)
        if self.location:
            text += f" → {self.location}"
        if self.changed:
            text += f", changed {', '.join(self.changed)}"
        return text


class Requester:
    """Sends each request in a savepoint rolled back after it, restoring the client's
    cookies (a sign-out, a language switch, a message), so that every request meets
    the same world; tells which tables a write changed."""

    def __init__(self, clients):
        self.clients = clients
        self.pristine = database_fingerprint()
        self.count = 0

    def send(self, persona, method, url, *, data=None, query=None, as_json=False) -> Answer:
        client = self.clients[persona]
        cookies = {key: morsel.value for key, morsel in client.cookies.items()}
        self.count += 1
        kwargs = {}
        if as_json:
            if data is not None:
                kwargs = {"data": json.dumps(data), "content_type": "application/json"}
        elif data is not None:
            kwargs = {"data": data}
        with transaction.atomic():
            counter = changes_counter()
            try:
                if method == "get":
                    response = client.get(url, query or {})
                else:
                    if query:
                        url = f"{url}?{_urlencode(query)}"
                    if method == "post" and not as_json:
                        response = client.post(url, data or {})
                    else:
                        response = getattr(client, method)(url, **kwargs)
            except Exception as exc:  # noqa: BLE001 — recorded as a failure, with the request
                transaction.set_rollback(True)
                client.cookies = SimpleCookie(cookies)
                return Answer(500, error=f"{type(exc).__name__}: {exc}")
            answer = Answer(
                response.status_code,
                location=response.headers.get("Location", ""),
                body=_body(response),
            )
            if method != "get" and (counter is None or changes_counter() != counter):
                answer.changed = changed_tables(self.pristine)
            transaction.set_rollback(True)
        client.cookies = SimpleCookie(cookies)
        return answer


def _urlencode(query):
    from urllib.parse import urlencode

    return urlencode(query, doseq=True)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def expect(
    rule: Rule,
    persona: str,
    method: str,
    answer: Answer,
    *,
    side: str,
    url_objects: bool,
    api: bool = False,
) -> str | None:
    """What is wrong with this answer, if anything."""
    if answer.status >= 500:
        return f"server error {answer}"
    reading = method == "get"
    if side == "paris":
        # Nothing of Paris is for anyone of Versailles; the ministry and the people of
        # Paris are checked on their own side (no server error is asked of them here).
        if persona not in VERSAILLES or rule.public:
            return None
        if answer.changed:
            return f"changed Paris data: {answer}"
        if url_objects and not answer.refused:
            return f"Paris object not refused: {answer}"
        return None
    if reading:
        if persona in rule.read:
            return None if not answer.refused else f"refused a reader: {answer}"
        return None if answer.refused else f"LEAK: read not refused: {answer}"
    if persona in rule.write:
        if answer.refused and not (rule.signs_out and answer.status == 302):
            return f"refused a writer: {answer}"
        return None
    if answer.changed:
        return f"LEAK: refused write changed the database: {answer}"
    if answer.refused:
        return None
    if persona in OUTSIDERS and (url_objects or api) and not rule.public and not rule.reach:
        return f"LEAK: Versailles object not refused to Paris: {answer}"
    if persona in rule.reach or persona in rule.read:
        return None
    if api and not 200 <= answer.status < 300:
        # The service refused (400, 409, 422) someone who may see the object: nothing
        # was written, nothing of it was told that he may not read.
        return None
    return f"LEAK: write not refused: {answer}"


def markers_in(answer: Answer, persona: str, world) -> list[str]:
    """What a response names that is not the person's to know: anything of Versailles
    for the people of Paris; the collège's teacher (his name, his staff id) for the
    people of the lycée."""
    if not 200 <= answer.status < 300:
        return []
    if persona in OUTSIDERS:
        markers = VERSAILLES_MARKERS
    elif persona in OTHER_SCHOOL:
        markers = (world.ours.user.first_name, world.ours.staff_id)
    else:
        return []
    text = answer.body.decode("utf-8", "replace")
    return [marker for marker in markers if marker in text]


@pytest.fixture
def quiet_refusals():
    """Thousands of 403 and 404 are expected here: Django's request log keeps only the
    server errors."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def requester(world, clients, quiet_refusals):
    candidate_scheme = world.ours.appointment.scheme
    world.scheme_pk = candidate_scheme.pk if candidate_scheme else ""
    world.scheme_code = candidate_scheme.code if candidate_scheme else "fic2010-12"
    world.uidb64 = urlsafe_base64_encode(force_bytes(world.ours.user.pk))
    return Requester(clients)


def _context(world, side, persona):
    return SimpleNamespace(
        o=getattr(world, side), w=world, persona=persona, calendar=world.calendar[persona]
    )


def _build(rule: Rule, world, side, persona):
    """The rule's args, query and body for one side and persona, or None when the side
    lacks an object the route needs."""
    c = _context(world, side, persona)
    try:
        args = rule.args(c) if rule.args else {}
        query = rule.query(c) if rule.query else None
        data = rule.data(c) if rule.data else None
    except AttributeError:  # an object the Paris side does not have
        return None
    return args, query, data


def names_objects(rule: Rule, args: dict) -> bool:
    """Whether the request names an object in its path or its query string (one that
    must be in the person's scope), rather than only in its body."""
    return bool(args) or (rule.query is not None and not rule.query_filters_own)


# The admin's gate (an active staff account) is one function for every method and every
# page: a GET of every page as every persona, and a POST as these (to keep the run short).
ADMIN_WRITERS = who("anonymous", "teacher", "manager", "national", "outsider")


def methods_for(rule: Rule, persona: str) -> tuple[str, ...]:
    if rule is ADMIN and persona not in ADMIN_WRITERS:
        return ("get",)
    if rule.public and not rule.write and persona != "anonymous":
        return ("get",)  # a page for everyone, that writes nothing: one POST is enough
    return ("get", "post")


def sides_for(persona: str) -> tuple[str, ...]:
    """The Paris side is sent as the people of Versailles only: it checks that none of
    them reaches Paris; the others' access is checked on the Versailles side."""
    return ("ours", "paris") if persona in VERSAILLES else ("ours",)


def _report(title, failures, figures):
    lines = [f"{title}: {len(failures)} failure(s) ({figures})"]
    lines += [f"  {f}" for f in failures]
    return "\n".join(lines)


def test_pages_refuse_whoever_is_out_of_scope(world, requester):
    """Every named route of the URL configuration (the API's operations apart), as
    every persona, GET then POST, on the Versailles then the Paris objects."""
    started = time.monotonic()
    failures, tried = [], 0
    for p in url_patterns():
        if p.name is None or (p.namespace == "api" and p.name not in ROUTES):
            continue
        rule = rule_for(p.name)
        assert rule is not None, f"route not classified: {p.name}"
        for persona in PERSONAS:
            seen = None
            for side in sides_for(persona):
                built = _build(rule, world, side, persona)
                if built is None:
                    continue
                args, query, data = built
                if p.name.startswith("admin:") and not args:
                    args = {name: "training" if name == "app_label" else "1" for name in p.params}
                url = reverse(p.name, kwargs=args)
                if side == "paris" and (url, query, data) == seen:
                    continue
                seen = (url, query, data)
                tried += 1
                for method in methods_for(rule, persona):
                    answer = requester.send(persona, method, url, data=data, query=query)
                    problem = expect(
                        rule,
                        persona,
                        method,
                        answer,
                        side=side,
                        url_objects=names_objects(rule, args),
                    )
                    where = f"{method.upper()} {url}{'?' + _urlencode(query) if query else ''}"
                    if problem:
                        failures.append(f"{p.name} [{side}] as {persona}: {where}: {problem}")
                    elif not rule.public and (found := markers_in(answer, persona, world)):
                        failures.append(f"{p.name} as {persona}: {where}: LEAK: names {found}")
    elapsed = time.monotonic() - started
    figures = f"{tried} route×persona×side tried, {requester.count} requests, {elapsed:.1f} s"
    print(figures)
    assert not failures, _report("pages", failures, figures)


def test_api_refuses_whoever_is_out_of_scope(world, requester):
    """Every operation of the OpenAPI document, as every persona, on the Versailles
    then the Paris objects (the browser's session; the token is the fuzz test's)."""
    started = time.monotonic()
    failures, tried = [], 0
    for key in openapi_operations():
        rule = OPERATIONS.get(key)
        assert rule is not None, f"route not classified: API {key}"
        method, path = key.split(" ", 1)
        method = method.lower()
        for persona in PERSONAS:
            for side in sides_for(persona):
                built = _build(rule, world, side, persona)
                if built is None:
                    continue
                args, query, data = built
                url = path.format(**args)
                if side == "paris":
                    ours = _build(rule, world, "ours", persona)
                    if (url, query, data) == (path.format(**ours[0]), ours[1], ours[2]):
                        continue
                tried += 1
                answer = requester.send(persona, method, url, data=data, query=query, as_json=True)
                problem = expect(
                    rule,
                    persona,
                    method,
                    answer,
                    side=side,
                    url_objects=names_objects(rule, args),
                    api=True,
                )
                where = f"{method.upper()} {url}{'?' + _urlencode(query) if query else ''}"
                if data is not None:
                    where += f" {json.dumps(data, ensure_ascii=False)}"
                if problem:
                    failures.append(f"{key} [{side}] as {persona}: {where}: {problem}")
                elif found := markers_in(answer, persona, world):
                    failures.append(f"{key} as {persona}: {where}: LEAK: names {found}")
    elapsed = time.monotonic() - started
    figures = f"{tried} operation×persona×side tried, {requester.count} requests, {elapsed:.1f} s"
    print(figures)
    assert not failures, _report("API", failures, figures)
