"""Catalogue, sessions, slots and enrolments under ``/api/training/``.

Every object is looked up through a scope of ``training.permissions``: outside it, a
404. Inside it, the service decides (a ``TrainingError`` becomes its status with
``{"detail": …}``). Names of other objects in request bodies (codes, UAI, usernames)
are resolved here; an unknown reference-data code is a 422 like any invalid field.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Prefetch, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from training import permissions, services
from training.models import (
    District,
    Enrolment,
    Item,
    Module,
    ParcoursTemplate,
    Priority,
    Programme,
    School,
    SchoolYear,
    Session,
    Slot,
)
from training.reference import C2I2E
from training.roles import staff_of
from training.schemas.errors import errors
from training.schemas.sessions import (
    BookingIn,
    BulkOut,
    EnrolmentDetailOut,
    EnrolmentFilter,
    EnrolmentOut,
    IdsIn,
    ModuleIn,
    ModuleOut,
    ModulePatch,
    ProgrammeFilter,
    ProgrammeIn,
    ProgrammeOut,
    ProgrammePatch,
    ReasonIn,
    RefusalOut,
    RosterEntryOut,
    SessionDetailOut,
    SessionFilter,
    SessionIn,
    SessionOut,
    SessionPatch,
    SlotIn,
    SlotOut,
    SlotPatch,
    SlotResultOut,
)

router = Router(tags=["formations"])

State = Enrolment.State

# --- Lookups: scopes, and the names used in request bodies ----------------------------


def _visible_programmes(user):
    # No scope of its own in permissions.py: a programme is seen with its académie.
    return Programme.objects.filter(academy__in=permissions.visible_academies(user))


def _managed_programmes(user):
    # Changed by its académie's managers (and the ministry) only: for anyone else, even
    # one who reads it, a 404 like any object outside one's scope.
    return Programme.objects.filter(academy__in=permissions.managed_academies(user))


def _programme_rows(queryset):
    return queryset.select_related("academy", "school_year", "priority").prefetch_related(
        Prefetch("modules", queryset=Module.objects.select_related("parcours")),
        "modules__items",
    )


def _parcours(code: str | None) -> ParcoursTemplate | None:
    if not code:
        return None
    parcours = ParcoursTemplate.objects.filter(code=code).first()
    if parcours is None:
        raise ValidationError(_("Modèle de parcours inconnu : %(code)s.") % {"code": code})
    return parcours


def _visible_session(user, pk: int, queryset=None) -> Session:
    queryset = permissions.visible_sessions(user) if queryset is None else queryset
    return get_object_or_404(queryset, pk=pk)


def _visible_slot(user, pk: int) -> Slot:
    slots = Slot.objects.filter(session__in=permissions.visible_sessions(user))
    return get_object_or_404(slots, pk=pk)


def _visible_enrolment(user, pk: int) -> Enrolment:
    return get_object_or_404(permissions.visible_enrolments(user), pk=pk)


def _school(user, uai: str | None) -> School | None:
    if not uai:
        return None
    return get_object_or_404(permissions.visible_schools(user), uai=uai.strip().upper())


def _district(academy_id: int, pk: int | None) -> District | None:
    if pk is None:
        return None
    return get_object_or_404(District, pk=pk, academy_id=academy_id)


def _trainers(usernames: list[str]) -> list:
    users = list(get_user_model().objects.filter(username__in=usernames))
    unknown = sorted(set(usernames) - {user.get_username() for user in users})
    if unknown:
        raise ValidationError(_("Utilisateur inconnu : %(names)s.") % {"names": ", ".join(unknown)})
    return users


def _items(codes: list[str]) -> list[Item]:
    items = list(Item.objects.filter(domain__framework__code=C2I2E["code"], code__in=codes))
    unknown = sorted(set(codes) - {item.code for item in items})
    if unknown:
        raise ValidationError(_("Item C2i2e inconnu : %(codes)s.") % {"codes": ", ".join(unknown)})
    return items


def _session_fields(user, module: Module, data: dict) -> dict:
    """The body's names turned into the objects ``create_session``/``update_session``
    take."""
    if "host_school" in data:
        data["host_school"] = _school(user, data["host_school"])
    if "district_id" in data:
        data["district"] = _district(module.programme.academy_id, data.pop("district_id"))
    if data.get("trainers") is not None:
        data["trainers"] = _trainers(data["trainers"])
    return data


# --- Output querysets -----------------------------------------------------------------


def _catalogue_rows(queryset):
    return queryset.with_counts().for_catalogue().prefetch_related("module__items")


def _session_detail(user, queryset, pk: int) -> Session:
    staff = staff_of(user)
    mine = (
        Enrolment.objects.filter(staff=staff).order_by("-created_at", "-pk")
        if staff is not None
        else Enrolment.objects.none()
    )
    queryset = _catalogue_rows(queryset).prefetch_related(
        Prefetch("slots", queryset=Slot.objects.select_related("school")),
        "trainers",
        Prefetch("enrolments", queryset=mine, to_attr="caller_enrolments"),
    )
    return get_object_or_404(queryset, pk=pk)


def _enrolment_rows(queryset):
    return queryset.select_related("session__module__programme", "staff__user", "staff__school")


def _enrolment(pk: int) -> Enrolment:
    return _enrolment_rows(Enrolment.objects).get(pk=pk)


# --- Programmes and modules -----------------------------------------------------------


@router.get(
    "/programmes", response={200: list[ProgrammeOut], **errors(401, 422)}, summary="Dispositifs"
)
@paginate
def list_programmes(request, filters: Query[ProgrammeFilter]):
    programmes = _programme_rows(_visible_programmes(request.auth))
    return filters.filter(programmes).order_by("school_year__start", "code", "pk")


@router.get(
    "/programmes/{int:id}",
    response={200: ProgrammeOut, **errors(401, 404)},
    summary="Un dispositif",
)
def get_programme(request, id: int):
    return get_object_or_404(_programme_rows(_visible_programmes(request.auth)), pk=id)


@router.post(
    "/programmes",
    response={201: ProgrammeOut, **errors(400, 401, 403, 404, 422)},
    summary="Créer un dispositif",
)
def create_programme(request, payload: ProgrammeIn):
    academy = get_object_or_404(permissions.visible_academies(request.auth), code=payload.academy)
    school_year = SchoolYear.objects.filter(name=payload.school_year).first()
    if school_year is None:
        raise ValidationError(
            _("Année scolaire inconnue : %(name)s.") % {"name": payload.school_year}
        )
    priority = Priority.objects.filter(plan__school_year=school_year, code=payload.priority).first()
    if priority is None:
        raise ValidationError(
            _("Priorité inconnue pour %(year)s : %(code)s.")
            % {"year": school_year.name, "code": payload.priority}
        )
    programme = services.create_programme(
        user=request.auth,
        academy=academy,
        school_year=school_year,
        code=payload.code,
        title=payload.title,
        priority=priority,
        kind=payload.kind,
        degree=payload.degree,
        disciplines=", ".join(d.strip() for d in payload.disciplines if d.strip()),
        description=payload.description,
    )
    return Status(201, programme)


@router.post(
    "/modules",
    response={201: ModuleOut, **errors(400, 401, 403, 404, 422)},
    summary="Créer un module",
)
def create_module(request, payload: ModuleIn):
    programme = get_object_or_404(
        _visible_programmes(request.auth).select_related("academy"), pk=payload.programme_id
    )
    module = services.create_module(
        user=request.auth,
        programme=programme,
        code=payload.code,
        title=payload.title,
        planned_in_person_minutes=payload.planned_in_person_minutes,
        planned_online_minutes=payload.planned_online_minutes,
        items=_items(payload.items),
        parcours=_parcours(payload.parcours),
    )
    return Status(201, module)


@router.patch(
    "/programmes/{int:id}",
    response={200: ProgrammeOut, **errors(400, 401, 403, 404, 422)},
    summary="Modifier un dispositif",
)
def update_programme(request, id: int, payload: ProgrammePatch):
    user = request.auth
    programme = get_object_or_404(_managed_programmes(user).select_related("school_year"), pk=id)
    fields = payload.dict(exclude_unset=True)
    if "priority" in fields:
        code = fields["priority"]
        if code is None:
            raise ValidationError(_("Un dispositif relève d'une priorité du plan national."))
        fields["priority"] = Priority.objects.filter(
            plan__school_year=programme.school_year, code=code
        ).first()
        if fields["priority"] is None:
            raise ValidationError(
                _("Priorité inconnue pour %(year)s : %(code)s.")
                % {"year": programme.school_year.name, "code": code}
            )
    if "disciplines" in fields:
        fields["disciplines"] = ", ".join(
            d.strip() for d in fields["disciplines"] or [] if d.strip()
        )
    if "description" in fields and fields["description"] is None:  # a text is never NULL
        fields["description"] = ""
    services.update_programme(user=user, programme=programme, **fields)
    return _programme_rows(Programme.objects).get(pk=programme.pk)


@router.patch(
    "/modules/{int:id}",
    response={200: ModuleOut, **errors(400, 401, 403, 404, 422)},
    summary="Modifier un module",
)
def update_module(request, id: int, payload: ModulePatch):
    user = request.auth
    modules = Module.objects.filter(programme__in=_managed_programmes(user))
    module = get_object_or_404(modules.select_related("programme__academy"), pk=id)
    fields = payload.dict(exclude_unset=True)
    items = fields.pop("items", None)
    if "parcours" in fields:
        fields["parcours"] = _parcours(fields["parcours"])
    services.update_module(
        user=user, module=module, items=None if items is None else _items(items), **fields
    )
    return Module.objects.select_related("parcours").prefetch_related("items").get(pk=module.pk)


# --- Sessions -------------------------------------------------------------------------


@router.get(
    "/sessions",
    response={200: list[SessionOut], **errors(401, 422)},
    summary="Catalogue des sessions",
)
@paginate
def list_sessions(request, filters: Query[SessionFilter]):
    sessions = _catalogue_rows(permissions.catalogue_sessions(request.auth))
    return filters.filter(sessions).order_by(F("first_slot_start").asc(nulls_last=True), "pk")


@router.get(
    "/sessions/{int:id}",
    response={200: SessionDetailOut, **errors(401, 404)},
    summary="Une session",
)
def get_session(request, id: int):
    return _session_detail(request.auth, permissions.visible_sessions(request.auth), id)


@router.post(
    "/sessions",
    response={201: SessionDetailOut, **errors(400, 401, 403, 404, 422)},
    summary="Créer une session",
)
def create_session(request, payload: SessionIn):
    user = request.auth
    modules = Module.objects.filter(programme__academy__in=permissions.visible_academies(user))
    module = get_object_or_404(modules.select_related("programme__academy"), pk=payload.module_id)
    fields = _session_fields(user, module, payload.dict(exclude_unset=True))
    del fields["module_id"]
    session = services.create_session(user=user, module=module, **fields)
    return Status(201, _session_detail(user, Session.objects, session.pk))


@router.patch(
    "/sessions/{int:id}",
    response={200: SessionDetailOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Modifier une session",
)
def update_session(request, id: int, payload: SessionPatch):
    user = request.auth
    session = _visible_session(
        user, id, permissions.visible_sessions(user).select_related("module__programme")
    )
    sent = payload.dict(exclude_unset=True)
    for text in ("location", "external_trainers"):  # texts are never NULL: null empties them
        if text in sent and sent[text] is None:
            sent[text] = ""
    fields = _session_fields(user, session.module, sent)
    services.update_session(user=user, session=session, **fields)
    return _session_detail(user, Session.objects, session.pk)


@router.post(
    "/sessions/{int:id}/publish",
    response={200: SessionDetailOut, **errors(401, 403, 404, 409)},
    summary="Publier une session",
)
def publish_session(request, id: int):
    user = request.auth
    session = _visible_session(
        user, id, permissions.visible_sessions(user).select_related("module__programme__academy")
    )
    services.publish_session(user=user, session=session)
    return _session_detail(user, Session.objects, session.pk)


@router.post(
    "/sessions/{int:id}/cancel",
    response={200: SessionDetailOut, **errors(400, 401, 403, 404, 422)},
    summary="Annuler une session",
)
def cancel_session(request, id: int, payload: ReasonIn):
    user = request.auth
    session = _visible_session(user, id)
    services.cancel_session(user=user, session=session, reason=payload.reason)
    return _session_detail(user, Session.objects, session.pk)


# --- Slots ----------------------------------------------------------------------------


@router.post(
    "/sessions/{int:id}/slots",
    response={201: SlotResultOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Ajouter une séance",
)
def add_slot(request, id: int, payload: SlotIn):
    user = request.auth
    session = _visible_session(user, id)
    result = services.add_slot(
        user=user,
        session=session,
        modality=payload.modality,
        start=payload.start,
        end=payload.end,
        title=payload.title,
        credited_minutes=payload.credited_minutes,
        school=_school(user, payload.school),
        room=payload.room,
        video_url=payload.video_url,
        override=payload.override,
        override_reason=payload.override_reason,
    )
    return Status(201, result)


@router.patch(
    "/slots/{int:id}",
    response={200: SlotResultOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Modifier une séance",
)
def update_slot(request, id: int, payload: SlotPatch):
    user = request.auth
    slot = _visible_slot(user, id)
    fields = payload.dict(exclude_unset=True, exclude={"override", "override_reason"})
    if "school" in fields:
        fields["school"] = _school(user, fields["school"])
    return services.update_slot(
        user=user,
        slot=slot,
        override=payload.override,
        override_reason=payload.override_reason,
        **fields,
    )


@router.post(
    "/slots/{int:id}/cancel",
    response={200: SlotOut, **errors(401, 403, 404, 409)},
    summary="Annuler une séance",
)
def cancel_slot(request, id: int):
    user = request.auth
    slot = services.cancel_slot(user=user, slot=_visible_slot(user, id))
    return Slot.objects.select_related("school").get(pk=slot.pk)


# --- Enrolment ------------------------------------------------------------------------


@router.post(
    "/sessions/{int:id}/enrolments",
    response={201: EnrolmentOut, **errors(401, 403, 404, 409)},
    summary="M'inscrire à une session",
)
def request_enrolment(request, id: int):
    # Measured by the load benchmark: the scope check fetches the id only, the service
    # locks and loads the session itself, and the output is shaped from the rows the
    # service already holds.
    user = request.auth
    session = _visible_session(user, id, permissions.visible_sessions(user).only("pk"))
    staff = staff_of(user)
    if staff is None:
        raise HttpError(403, _("Seuls les personnels d'un établissement s'inscrivent en leur nom."))
    # The profile was loaded for this very user: spare the query for its user row.
    staff.user = user
    enrolment = services.request_enrolment(user=user, session=session, staff=staff)
    return Status(201, enrolment)


@router.post(
    "/sessions/{int:id}/bookings",
    response={201: EnrolmentOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Inscrire une personne (public désigné)",
)
def book_staff(request, id: int, payload: BookingIn):
    user = request.auth
    session = _visible_session(user, id)
    staff = get_object_or_404(
        permissions.visible_staff(user).select_related("user", "school"),
        staff_id=payload.staff_id,
    )
    enrolment = services.book_staff(user=user, session=session, staff=staff)
    return Status(201, _enrolment(enrolment.pk))


@router.get(
    "/enrolments",
    response={200: list[EnrolmentOut], **errors(401, 422)},
    summary="Inscriptions visibles",
)
@paginate
def list_enrolments(request, filters: Query[EnrolmentFilter]):
    enrolments = _enrolment_rows(permissions.visible_enrolments(request.auth))
    return filters.filter(enrolments).order_by("-created_at", "-pk")


@router.get(
    "/enrolments/{int:id}",
    response={200: EnrolmentDetailOut, **errors(401, 404)},
    summary="Une inscription",
)
def get_enrolment(request, id: int):
    enrolments = _enrolment_rows(permissions.visible_enrolments(request.auth)).prefetch_related(
        "events__actor"
    )
    return get_object_or_404(enrolments, pk=id)


@router.post(
    "/enrolments/approve",
    response={200: BulkOut, **errors(400, 401, 403, 422)},
    summary="Valider plusieurs demandes",
)
def approve_enrolments(request, payload: IdsIn):
    """Each request as ``POST /enrolments/{id}/approve``, in its own transaction: one
    refusal does not undo the others. Every id sent is in ``done`` or in ``refused``; an
    id outside the caller's scope is refused with the same message whether it exists or
    not."""
    user = request.auth
    ids = list(dict.fromkeys(payload.ids))
    # In the order of their keys, as everywhere enrolments are locked in bulk.
    visible = list(permissions.visible_enrolments(user).filter(pk__in=ids).order_by("pk"))
    done, refused = services.bulk(services.approve_enrolment, user=user, enrolments=visible)
    reasons = {enrolment.pk: message for enrolment, message in refused}
    found = {enrolment.pk for enrolment in visible}
    reasons.update({pk: _("Demande d'inscription introuvable.") for pk in ids if pk not in found})
    return BulkOut(
        done=[enrolment.pk for enrolment in done],
        refused=[RefusalOut(id=pk, detail=reasons[pk]) for pk in ids if pk in reasons],
    )


@router.post(
    "/enrolments/{int:id}/approve",
    response={200: EnrolmentOut, **errors(401, 403, 404, 409)},
    summary="Valider une demande",
)
def approve_enrolment(request, id: int):
    enrolment = _visible_enrolment(request.auth, id)
    services.approve_enrolment(user=request.auth, enrolment=enrolment)
    return _enrolment(enrolment.pk)


@router.post(
    "/enrolments/{int:id}/decline",
    response={200: EnrolmentOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Refuser une demande",
)
def decline_enrolment(request, id: int, payload: ReasonIn):
    enrolment = _visible_enrolment(request.auth, id)
    services.decline_enrolment(user=request.auth, enrolment=enrolment, reason=payload.reason)
    return _enrolment(enrolment.pk)


@router.post(
    "/enrolments/{int:id}/confirm",
    response={200: EnrolmentOut, **errors(401, 403, 404, 409)},
    summary="Confirmer une inscription (rectorat)",
)
def confirm_enrolment(request, id: int):
    enrolment = _visible_enrolment(request.auth, id)
    services.confirm_enrolment(user=request.auth, enrolment=enrolment)
    return _enrolment(enrolment.pk)


@router.post(
    "/enrolments/{int:id}/cancel",
    response={200: EnrolmentOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Se désister",
)
def cancel_enrolment(request, id: int, payload: ReasonIn):
    enrolment = _visible_enrolment(request.auth, id)
    services.cancel_enrolment(user=request.auth, enrolment=enrolment, reason=payload.reason)
    return _enrolment(enrolment.pk)


@router.get(
    "/approvals",
    response={200: list[EnrolmentOut], **errors(401, 422)},
    summary="Demandes à valider (chef d'établissement)",
)
@paginate
def list_approvals(request):
    queue = _enrolment_rows(permissions.approval_queue(request.auth))
    return queue.order_by("created_at", "pk")


@router.get(
    "/confirmations",
    response={200: list[EnrolmentOut], **errors(401, 422)},
    summary="Inscriptions à confirmer (rectorat)",
)
@paginate
def list_confirmations(request):
    queue = _enrolment_rows(permissions.confirmation_queue(request.auth))
    return queue.order_by("head_approved_at", "pk")


@router.get(
    "/sessions/{int:id}/roster",
    response={200: list[RosterEntryOut], **errors(401, 404, 422)},
    summary="Participants d'une session",
)
@paginate
def roster(request, id: int):
    user = request.auth
    session = _visible_session(
        user, id, permissions.visible_sessions(user).select_related("module__programme")
    )
    if not permissions.can_see_roster(user, session):
        raise Http404
    entries = session.enrolments.filter(state__in=[State.BOOKED, State.WAITLISTED])
    # The booked by name, then the waitlist in the order seats will be offered.
    return entries.select_related("staff__user", "staff__school").order_by(
        Case(
            When(state=State.BOOKED, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        Case(When(state=State.WAITLISTED, then=F("waitlisted_at"))),
        "staff__user__last_name",
        "staff__user__first_name",
        "pk",
    )
